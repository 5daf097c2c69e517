"""Matching a selection result to the selection notice it closes (dgts and THADS), and storing the link.

The portal's link id (``selection_results.notice_id``) wins when present. Otherwise every notice published
before the result is scored on: owner (same ``owner_id`` or normalised owner key, else fuzzy owner names), asset
similarity and start prices (``vntext.similarity``; a known price difference counts against) and, for THADS, the
result citing the notice number. Versions of one notice (same dgts ``root_id``) collapse to the latest one
published before the result. Two candidates within a margin are *ambiguous*: the caller reports that as
insufficient data, never as a flag.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from collections.abc import Sequence
from typing import Any, Literal

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import RecordLink
from storage.timeutil import to_local
from vntext.similarity import asset_similarity, fold_asset, fold_owner, owner_similarity, prices_match, words_of

LinkStatus = Literal["linked", "matched", "ambiguous", "none"]
LINK_TYPE = "result_notice"
MAX_CANDIDATES_KEPT = 5


@dataclass(frozen=True)
class LinkSide:
    """A result or a notice reduced to what matching needs."""

    kind: str  # selection_result | selection_notice | thads_notice
    key: str
    owner_id: int | None = None
    owner_key: str | None = None
    owner_name: str | None = None
    asset_text: str | None = None
    start_prices: tuple[float, ...] = ()
    published_at: datetime | None = None
    site: str | None = None  # THADS sub-site; results are matched within one site
    root_key: str | None = None  # versions of one dgts notice share it
    notice_number: str | None = None  # THADS "Số: 12/TB-THADS"
    body: str | None = None  # THADS result text, searched for the cited notice number


@dataclass(frozen=True)
class LinkParams:
    min_asset_similarity: float = 60.0
    min_owner_similarity: float = 88.0
    min_confidence: float = 0.6
    ambiguity_margin: float = 0.05
    max_gap_days: int = 365
    price_tolerance: float = 0.01


@dataclass
class Candidate:
    key: str
    confidence: float
    reasons: list[str]
    asset_similarity: float
    owner_similarity: float | None
    price_match: bool | None
    published_at: datetime | None

    def as_evidence(self) -> dict[str, Any]:
        return {"notice": self.key, "confidence": round(self.confidence, 3), "reasons": self.reasons,
                "asset_similarity": round(self.asset_similarity, 1),
                "owner_similarity": None if self.owner_similarity is None else round(self.owner_similarity, 1),
                "price_match": self.price_match,
                "notice_published_at": self.published_at}


@dataclass
class LinkDecision:
    status: LinkStatus
    chosen: Candidate | None = None
    candidates: list[Candidate] = field(default_factory=list)
    note: str | None = None  # e.g. "portal link id 123 not in the database"

    def as_evidence(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status}
        if self.chosen:
            out["notice"] = self.chosen.key
            out["confidence"] = round(self.chosen.confidence, 3)
            out["reasons"] = self.chosen.reasons
        if self.note:
            out["note"] = self.note
        if self.status == "ambiguous" or (self.candidates and self.status != "linked"):
            out["candidates"] = [c.as_evidence() for c in self.candidates]
        return out


def _owner_score(result: LinkSide, notice: LinkSide, params: LinkParams) -> tuple[float | None, float, str | None]:
    """(similarity or None, component 0–1, reason); component < 0 rejects the candidate."""
    if result.owner_id is not None and result.owner_id == notice.owner_id:
        return 100.0, 1.0, "same owner"
    if result.owner_key and result.owner_key == notice.owner_key:
        return 100.0, 1.0, "same owner (normalised name)"
    if not result.owner_name or not notice.owner_name:
        return None, 0.5, "owner unknown on one side"
    sim = owner_similarity(result.owner_name, notice.owner_name)
    if sim < params.min_owner_similarity:
        return sim, -1.0, None
    return sim, sim / 100.0, f"owner names similar ({sim:.0f})"


def score_candidate(result: LinkSide, notice: LinkSide, params: LinkParams, *, asset_score: float | None = None
                    ) -> Candidate | None:
    """Score one notice for one result; None when a hard condition fails (owner, asset, time order).
    ``asset_score``: the token-set ratio of the two folded asset names, when already computed."""
    r_at, n_at = to_local(result.published_at), to_local(notice.published_at)
    if r_at is not None and n_at is not None:
        if n_at > r_at:
            return None
        if r_at - n_at > timedelta(days=params.max_gap_days):
            return None
    if result.site and notice.site and result.site != notice.site:
        return None
    owner_sim, owner_part, owner_reason = _owner_score(result, notice, params)
    if owner_part < 0:
        return None
    asset_sim, asset_notes = asset_similarity(result.asset_text, notice.asset_text, base=asset_score)
    if asset_sim < params.min_asset_similarity:
        return None
    price = prices_match(result.start_prices, notice.start_prices, params.price_tolerance)
    # A known price that differs counts against the candidate: a result lists the notice's own lots and prices.
    price_part = {None: 0.5, True: 1.0, False: -0.75}[price]
    reasons = [r for r in (owner_reason,) if r]
    reasons.append(f"asset similarity {asset_sim:.0f}")
    reasons += asset_notes
    reasons.append({None: "start price unknown", True: "same start price", False: "start prices differ"}[price])
    confidence = 0.35 * owner_part + 0.45 * asset_sim / 100.0 + 0.20 * price_part
    if notice.notice_number and result.body:
        number = words_of(notice.notice_number)
        if len(number) >= 3 and number in words_of(result.body):
            confidence = min(1.0, confidence + 0.15)
            reasons.append(f"result cites notice number {notice.notice_number}")
    if r_at is not None and n_at is not None:
        reasons.append(f"notice published {(r_at - n_at).days} days before the result")
    elif r_at is None or n_at is None:
        reasons.append("publication time unknown on one side")
    return Candidate(notice.key, confidence, reasons, asset_sim, owner_sim, price, n_at)


def _collapse_versions(scored: list[tuple[Candidate, LinkSide]]) -> list[Candidate]:
    """Keep, per version chain (root key), the latest notice published before the result."""
    best: dict[str, tuple[Candidate, LinkSide]] = {}
    for cand, side in scored:
        chain = side.root_key or side.key
        held = best.get(chain)
        if held is None:
            best[chain] = (cand, side)
            continue
        older = held[0].published_at
        if cand.published_at is not None and (older is None or cand.published_at > older):
            best[chain] = (cand, side)
    return [c for c, _ in best.values()]


def match_result(result: LinkSide, notices: Sequence[LinkSide], params: LinkParams,
                 *, rejected: set[str] = frozenset()) -> LinkDecision:
    """Fuzzy link of one result to one of ``notices`` (the portal link id is handled by the caller)."""
    scored = []
    for notice, asset_score in _similar_assets(result, notices, params.min_asset_similarity):
        if notice.key in rejected:
            continue
        cand = score_candidate(result, notice, params, asset_score=asset_score)
        if cand is not None and cand.confidence >= params.min_confidence:
            scored.append((cand, notice))
    ranked = sorted(_collapse_versions(scored), key=lambda c: (-c.confidence, c.key))
    kept = ranked[:MAX_CANDIDATES_KEPT]
    if not kept:
        return LinkDecision("none")
    if len(kept) > 1 and kept[0].confidence - kept[1].confidence < params.ambiguity_margin:
        close = [c for c in kept if kept[0].confidence - c.confidence < params.ambiguity_margin]
        return LinkDecision("ambiguous", None, close)
    return LinkDecision("matched", kept[0], kept)


def _similar_assets(result: LinkSide, notices: Sequence[LinkSide], minimum: float
                    ) -> list[tuple[LinkSide, float | None]]:
    """The notices whose asset names could reach ``minimum`` similarity, with their token-set ratio, found in one
    C-level pass (a large owner has thousands of notices). Exact: ``asset_similarity`` is this ratio or less."""
    if len(notices) <= 16:
        return [(n, None) for n in notices]
    folded = fold_asset(result.asset_text)
    if not folded:
        return []
    from rapidfuzz import process

    hits = process.extract(folded, [fold_asset(n.asset_text) for n in notices], scorer=fuzz.token_set_ratio,
                           score_cutoff=minimum, limit=None)
    return [(notices[i], score) for _, score, i in sorted(hits, key=lambda h: h[2])]


class CandidatePool:
    """The notices worth scoring for a result, without comparing every result with every notice.

    THADS results are compared with the notices of their own sub-site. dgts results are compared with the notices
    of the same owner; when that owner has none, with the notices of owners whose folded names are similar
    (``rapidfuzz.process.extract`` over the distinct owner names, which is fast in C).
    """

    def __init__(self, notices: Sequence[LinkSide], min_owner_similarity: float,
                 max_gap_days: int | None = None) -> None:
        self.min_owner_similarity = min_owner_similarity
        self.max_gap = timedelta(days=max_gap_days) if max_gap_days is not None else None
        self.by_site: dict[str, list[LinkSide]] = {}
        self.by_owner: dict[int, list[LinkSide]] = {}
        self.by_owner_name: dict[str, list[LinkSide]] = {}
        self.without_owner: list[LinkSide] = []
        for n in notices:
            if n.site:
                self.by_site.setdefault(n.site, []).append(n)
            if n.owner_id is not None:
                self.by_owner.setdefault(n.owner_id, []).append(n)
            if n.owner_name:
                self.by_owner_name.setdefault(fold_owner(n.owner_name) or words_of(n.owner_name), []).append(n)
            else:
                self.without_owner.append(n)
        self._names = list(self.by_owner_name)
        self._timed: dict[tuple[str, Any], _TimedGroup] = {}

    def _recent(self, group_key: tuple[str, Any], group: list[LinkSide], result: LinkSide) -> list[LinkSide]:
        """The group's notices that ``score_candidate`` could accept by time: published at most ``max_gap_days``
        before the result and not after it (undated ones always)."""
        r_at = to_local(result.published_at)
        if self.max_gap is None or r_at is None or len(group) <= 16:
            return list(group)
        timed = self._timed.get(group_key)
        if timed is None:
            timed = self._timed[group_key] = _TimedGroup(group)
        return timed.between(r_at - self.max_gap, r_at)

    def pool(self, result: LinkSide) -> list[LinkSide]:
        if result.site:
            return self._recent(("site", result.site), self.by_site.get(result.site, []), result)
        same = self.by_owner.get(result.owner_id, []) if result.owner_id is not None else []
        if same:
            return self._recent(("owner", result.owner_id), same, result)
        if not result.owner_name:
            return [n for group in self.by_owner_name.values() for n in group] + self.without_owner
        from rapidfuzz import process

        found = process.extract(fold_owner(result.owner_name) or words_of(result.owner_name), self._names,
                                scorer=fuzz.token_set_ratio, score_cutoff=self.min_owner_similarity, limit=50)
        out = [n for name, _score, _i in found for n in self.by_owner_name[name]
               if owner_similarity(result.owner_name, n.owner_name) >= self.min_owner_similarity]
        return out + self.without_owner


class _TimedGroup:
    """Notices sorted by local publication time, for the ones published in a time range (order kept stable)."""

    def __init__(self, group: list[LinkSide]) -> None:
        dated = [(to_local(n.published_at), i, n) for i, n in enumerate(group)]
        self.undated = [(i, n) for t, i, n in dated if t is None]
        self.dated = sorted((t, i, n) for t, i, n in dated if t is not None)
        self.times = [t for t, _, _ in self.dated]

    def between(self, lo: datetime, hi: datetime) -> list[LinkSide]:
        picked = self.dated[bisect_left(self.times, lo):bisect_right(self.times, hi)]
        return [n for _, n in sorted([(i, n) for _, i, n in picked] + self.undated, key=lambda x: x[0])]


def linked_by_id(notice_key: str, exists: bool) -> LinkDecision:
    """The portal's own link: certain when the notice is in the database, a note when it is not."""
    cand = Candidate(notice_key, 1.0, ["portal link id"], 100.0, None, None, None)
    if exists:
        return LinkDecision("linked", cand, [cand])
    return LinkDecision("linked", cand, [cand], note=f"portal link id {notice_key}: notice not in the database")


class LinkStore:
    """The ``result_notice`` rows of one result kind, loaded once, upserted per result.

    Analyst verdicts are respected: a ``rejected`` notice is never proposed again for that result, and rows in
    ``review`` or ``rejected`` are never overwritten. Automatic rows (matched/ambiguous) that a new decision no
    longer proposes are deleted: they are derived data, rebuilt on every run.
    """

    def __init__(self, session: Session, from_kind: str) -> None:
        self.session = session
        self.from_kind = from_kind
        self.rows: dict[str, dict[str, RecordLink]] = {}
        for row in session.scalars(select(RecordLink).where(RecordLink.link_type == LINK_TYPE,
                                                            RecordLink.from_kind == from_kind)):
            self.rows.setdefault(row.from_key, {})[row.to_key] = row

    def rejected(self, from_key: str) -> set[str]:
        return {k for k, r in self.rows.get(from_key, {}).items() if r.status == "rejected"}

    def store(self, from_key: str, to_kind: str, decision: LinkDecision, now: datetime) -> None:
        existing = self.rows.setdefault(from_key, {})
        wanted: dict[str, tuple[float, str, list[str]]] = {}
        if decision.status in ("linked", "matched") and decision.chosen and not decision.note:
            c = decision.chosen
            wanted[c.key] = (c.confidence, "matched", c.reasons)
        elif decision.status == "ambiguous":
            for c in decision.candidates:
                wanted[c.key] = (c.confidence, "ambiguous", c.reasons)
        for to_key, row in list(existing.items()):
            if row.status not in ("review", "rejected") and to_key not in wanted:
                self.session.delete(row)
                del existing[to_key]
        for to_key, (confidence, status, reasons) in wanted.items():
            row = existing.get(to_key)
            if row is not None and row.status in ("review", "rejected"):
                continue
            if row is None:
                row = RecordLink(link_type=LINK_TYPE, from_kind=self.from_kind, from_key=from_key, to_kind=to_kind,
                                 to_key=to_key)
                self.session.add(row)
                existing[to_key] = row
            if (row.confidence, row.status, row.reasons) != (round(confidence, 4), status, list(reasons)):
                row.confidence = round(confidence, 4)
                row.status = status
                row.reasons = list(reasons)
                row.updated_at = now
            elif row.updated_at is None:
                row.updated_at = now
