"""relist_chain: chains of relisted notices of one asset, and the judgement of each chain.

Linking (``pairing`` scores a pair, ``link_state`` keeps the links): pairs scored at or above ``link_threshold``
(and not partial) are stored as ``matched`` links, pairs in ``[review_threshold, link_threshold)`` as ``review``;
each notice is linked once, when it is new or changed, against the notices sharing one of its blocking keys, and a
chain is a connected group of matched links. An analyst's ``rejected`` pair is never linked again and an analyst's
``matched`` row always joins its pair.

Judging a chain: notices are ordered by publication; consecutive notices at the same total start price published
within ``same_round_days`` are one round (the portal's double postings). Every round but the last was followed by a
relist, so it failed. With at least ``min_failed_rounds`` failed rounds a chain is flagged when

* a cut between two comparable rounds (same number of lots, similar asset names) exceeds ``max_cut_per_round`` for a
  judgment-enforcement asset (THADS owner or property type 178; Luật THADS 2008 Điều 104 k5) even allowing for the
  rounds that may be missing between them (the portal links the whole chain, or no further round fits in the time
  between the postings) -> high; a cut that missing rounds could explain -> insufficient, saying how many;
* the last round sold (outcome data) right after a cut, through the same organisation as the failed round before
  it -> medium (the buyers waited for the cut: the "dìm giá" pattern);
* a later round moved to another auction organisation -> low (``flag_org_restart``).

Subject: ``chain`` with the smallest notice id of the chain as id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from detectors.base import Result
from detectors.collusion import legal
from detectors.collusion.dataset import Dataset
from detectors.collusion.link_state import LINK_TYPE, index_and_link, stored_chains, stored_review
from detectors.collusion.pairing import PairScore, Prepared, UnionFind, name_similar, prepare
from detectors.collusion.settings import RelistSettings
from storage.models import RecordLink

RULE = "relist_chain"
MAX_URLS = 20


@dataclass
class Round:
    notices: list[Prepared]
    price: float | None
    repost_of: int | None = None  # 1-based number of an earlier round posted again at its old price

    @property
    def first(self) -> Prepared:
        return self.notices[0]

    @property
    def org_ids(self) -> set[int]:
        return {p.notice.org_id for p in self.notices if p.notice.org_id is not None}

    @property
    def when(self) -> datetime | None:
        return self.first.when

    def as_dict(self, ds: Dataset) -> dict[str, Any]:
        out = {"notice_ids": [p.id for p in self.notices], "published": self.when, "start_price": self.price,
               "organisations": sorted(filter(None, (ds.org_name(o) for o in self.org_ids)))}
        if self.repost_of:
            out["repost_of_round"] = self.repost_of
        return out


@dataclass
class Linkage:
    """What linking produced: chains (root id -> member ids), scored pairs, and counters."""

    chains: dict[int, list[int]]
    chain_of: dict[int, int]
    matched: list[PairScore] = field(default_factory=list)
    review: list[PairScore] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)


def link_notices(session: Session, ds: Dataset, settings: RelistSettings, since: date | None, now: datetime,
                 relink: bool = False) -> tuple[Linkage, dict[int, Prepared]]:
    """Index the notices not linked yet (``link_state``) and read the chains from the stored links. ``since`` no
    longer limits linking: what is pending is what ingest changed."""
    index_stats = index_and_link(session, ds, settings, now, relink=relink)
    chains, links = stored_chains(session, ds)
    chain_of = {m: root for root, members in chains.items() for m in members}
    ds.prefetch(chain_of)
    prepared = {m: prepare(ds.notices[m]) for m in chain_of}
    review = stored_review(session, ds, chain_of)
    rejected = session.scalar(select(func.count()).select_from(RecordLink).where(
        RecordLink.link_type == LINK_TYPE, RecordLink.status == "rejected"))
    matched = [PairScore(l["a"], l["b"], l["score"], tuple(l["reasons"])) for l in links]
    return Linkage(chains, chain_of, matched, review, {
        **index_stats, "notices": len(ds.notices), "links_matched": len(links), "links_review": len(review),
        "rejected_pairs": rejected, "chains": len(chains),
        "largest_chain": max((len(m) for m in chains.values()), default=0),
    }), prepared


# ------------------------------------------------------------------------------------------------ judging


def make_rounds(members: list[Prepared], same_round_days: int) -> list[Round]:
    """Rounds in publication order. A round at the start price of an earlier, non-adjacent round is marked as a
    re-posting of it (real chains show an old notice posted again between two cuts) and is left out of the steps."""
    rounds: list[Round] = []
    for p in sorted(members, key=Prepared.order_key):
        cur = rounds[-1] if rounds else None
        if cur is not None and p.price == cur.price:
            last = cur.notices[-1]
            gap = (p.when - last.when) if (p.when and last.when) else timedelta(0)
            if gap <= timedelta(days=same_round_days):
                cur.notices.append(p)
                continue
        rounds.append(Round([p], p.price))
    for i, r in enumerate(rounds):
        if r.price is not None:
            earlier = next((k for k in range(i - 1) if rounds[k].price == r.price and not rounds[k].repost_of), None)
            if earlier is not None:
                r.repost_of = earlier + 1
    return rounds


def effective_rounds(rounds: list[Round]) -> list[Round]:
    return [r for r in rounds if not r.repost_of]


def _comparable(r1: Round, r2: Round) -> bool:
    a, b = r1.first, r2.first
    return bool(r1.price and r2.price) and a.lot_count == b.lot_count and name_similar(a, b)


def judge_chains(ds: Dataset, linkage: Linkage, prepared: dict[int, Prepared], settings: RelistSettings,
                 sold: dict[int, dict[str, Any]], since: date | None) -> Iterator[Result]:
    limit = settings.max_cut_per_round + settings.cut_tolerance
    for root, member_ids in sorted(linkage.chains.items()):
        members = [prepared[m] for m in member_ids]
        if since is not None and not any(p.when is None or p.when.date() >= since for p in members):
            continue
        all_rounds = make_rounds(members, settings.same_round_days)
        rounds = effective_rounds(all_rounds)
        failed = len(rounds) - 1
        first = rounds[0].first.notice
        base = dict(subject_kind="chain", subject_id=str(root), owner_name=first.owner_name,
                    province=first.province, urls=[p.notice.url for p in sorted(members, key=Prepared.order_key)
                                                   if p.notice.url][:MAX_URLS])
        if failed < settings.min_failed_rounds:
            yield Result(rule=RULE, status="not_applicable", **base)
            continue
        thads = any(ds.is_thads_notice(p.notice, settings.thads_property_type_ids) for p in members)
        real_estate = any(p.notice.asset_class == "real_estate" for p in members)
        min_round_days = settings.min_round_days_real_estate if real_estate else settings.min_round_days_other
        complete = portal_complete(members)
        steps, reasons, severities, undecided = [], [], [], []
        for i in range(1, len(rounds)):
            r1, r2 = rounds[i - 1], rounds[i]
            step: dict[str, Any] = {"from_notice": r1.first.id, "to_notice": r2.first.id, "from_price": r1.price,
                                    "to_price": r2.price, "comparable": _comparable(r1, r2)}
            steps.append(step)
            if step["comparable"]:
                cut = round(1 - r2.price / r1.price, 9)  # type: ignore[operator]
                step["cut"] = round(cut, 6)
                if thads and cut > limit:
                    gap = rounds_between(r1, r2, min_round_days, complete)
                    step.update(gap)
                    allowed = 1 - (1 - settings.max_cut_per_round) ** gap["rounds_possible"] + settings.cut_tolerance
                    if cut > allowed:
                        severities.append("high")
                        reasons.append({"code": "cut_above_legal_step", "notice": r2.first.id, "cut": round(cut, 6),
                                        "max_cut_per_round": settings.max_cut_per_round, "severity": "high", **gap})
                    else:
                        undecided.append({"code": "cut_may_span_missing_rounds", "notice": r2.first.id,
                                          "cut": round(cut, 6), "max_cut_per_round": settings.max_cut_per_round,
                                          **gap})
            if settings.flag_org_restart and r1.org_ids and r2.org_ids and not (r1.org_ids & r2.org_ids):
                severities.append("low")
                reasons.append({"code": "restart_other_organisation", "notice": r2.first.id,
                                "from": sorted(filter(None, map(ds.org_name, r1.org_ids))),
                                "to": sorted(filter(None, map(ds.org_name, r2.org_ids)))})
        last, prev = rounds[-1], rounds[-2]
        outcome = next((sold[p.id] for p in last.notices if p.id in sold), None)
        last_cut = steps[-1].get("cut") if steps and steps[-1].get("comparable") else None
        if outcome and last_cut and last_cut > 0 and last.org_ids & prev.org_ids:
            severities.append("medium")
            reasons.append({"code": "sold_after_cut_same_organisation", "notice": last.first.id, "cut": last_cut,
                            "organisation": sorted(filter(None, map(ds.org_name, last.org_ids))),
                            "winning_price": outcome.get("winning_price")})
        evidence: dict[str, Any] = {
            "chain_notice_ids": sorted(member_ids), "rounds": [r.as_dict(ds) for r in all_rounds],
            "failed_rounds": failed, "min_failed_rounds": settings.min_failed_rounds,
            "judgment_enforcement_asset": thads, "steps": steps, "max_cut_per_round": settings.max_cut_per_round,
            "cut_tolerance": settings.cut_tolerance, "link_threshold": settings.link_threshold,
            "links": _chain_links(linkage, set(member_ids)), "reasons": reasons,
        }
        if undecided:
            evidence["undecided"] = undecided
        if reasons:
            severity = max(severities, key=["low", "medium", "high"].index)
            yield Result(rule=RULE, status="flag", severity=severity, title=_title(reasons, rounds, ds),
                         evidence=evidence, legal_basis=_legal(reasons), **base)
        elif undecided:
            u = undecided[0]
            yield Result(rule=RULE, status="insufficient", evidence=evidence, legal_basis=legal.THADS_PRICE_CUT,
                         title=(f"Chưa đủ dữ liệu: giá khởi điểm giảm {legal.pct(u['cut'])} giữa hai thông báo cách nhau "
                                f"{u['days_between']} ngày; có thể còn lần đấu giá không thành ở giữa chưa thu thập được "
                                f"(tối đa {u['rounds_possible']} lần, mỗi lần giảm không quá "
                                f"{legal.pct(u['max_cut_per_round'], 0)})."), **base)
        elif thads and not any(step["comparable"] for step in steps):
            evidence["missing"] = "no two consecutive rounds with comparable start prices"
            yield Result(rule=RULE, status="insufficient", title="Chuỗi đấu giá lại nhưng không so sánh được giá "
                         "khởi điểm giữa các lần.", evidence=evidence, legal_basis=legal.THADS_PRICE_CUT, **base)
        else:
            yield Result(rule=RULE, status="pass", evidence=evidence, **base)


def portal_complete(members: list[Prepared]) -> bool:
    """The portal links the chain's notices to each other (rootID, publication history) and we hold every notice it
    links: no round of the chain is missing from our data."""
    ids = {p.id for p in members}
    linked = set().union(*(p.portal for p in members)) if members else set()
    return bool(linked) and linked <= ids and all(p.portal or p.id in linked for p in members)


def rounds_between(r1: Round, r2: Round, min_round_days: int, complete: bool) -> dict[str, Any]:
    """How many rounds can lie between two observed rounds: one when the portal's own links show the chain whole,
    else as many full cycles (posting, auction, the cut decided) as fit between the two publications."""
    days = (r2.when - r1.when).days if (r1.when and r2.when) else None
    if complete:
        return {"days_between": days, "rounds_possible": 1, "consecutive": "portal links"}
    if days is None:
        return {"days_between": None, "rounds_possible": 99, "consecutive": None}
    fit = max(1, days // min_round_days)
    return {"days_between": days, "rounds_possible": fit, "min_round_days": min_round_days,
            "consecutive": "time" if fit == 1 else None}


def _chain_links(linkage: Linkage, members: set[int]) -> list[dict[str, Any]]:
    return [{"a": s.a, "b": s.b, "score": s.score, "reasons": list(s.reasons)}
            for s in linkage.matched if s.a in members][:50]


def _legal(reasons: list[dict[str, Any]]) -> str:
    codes = {r["code"] for r in reasons}
    parts = []
    if "cut_above_legal_step" in codes:
        parts.append(legal.THADS_PRICE_CUT)
    parts.append(legal.COLLUSION)
    return legal.join(*parts)


def _title(reasons: list[dict[str, Any]], rounds: list[Round], ds: Dataset) -> str:
    n = len(rounds) - 1
    by_code = {r["code"]: r for r in reversed(reasons)}
    if "cut_above_legal_step" in by_code:
        worst = max((r for r in reasons if r["code"] == "cut_above_legal_step"), key=lambda r: r["cut"])
        return (f"Tài sản thi hành án đấu giá không thành {n} lần; có lần giảm giá {legal.pct(worst['cut'])}, "
                f"vượt mức tối đa {legal.pct(worst['max_cut_per_round'], 0)} mỗi lần.")
    if "sold_after_cut_same_organisation" in by_code:
        r = by_code["sold_after_cut_same_organisation"]
        org = ", ".join(r["organisation"]) or "cùng tổ chức đấu giá"
        return (f"Tài sản được bán ngay sau lần giảm giá {legal.pct(r['cut'])} (sau {n} lần không thành), "
                f"vẫn do {org} tổ chức.")
    r = by_code["restart_other_organisation"]
    return (f"Tài sản đấu giá không thành {n} lần rồi chuyển sang tổ chức đấu giá khác "
            f"({', '.join(r['from']) or '?'} → {', '.join(r['to']) or '?'}).")


def portal_linkage(ds: Dataset) -> tuple[Linkage, dict[int, Prepared]]:
    """Chains from the portal's own links only (rootID, publication history): used when relist linking is off."""
    uf = UnionFind()
    for n in ds.notices.values():
        for other in (n.root_id, *n.related_ids):
            if other and other in ds.notices and other != n.id:
                uf.union(n.id, other)
    chains = {root: members for root, members in uf.groups().items() if len(members) > 1}
    chain_of = {m: root for root, members in chains.items() for m in members}
    prepared = {m: prepare(ds.notices[m]) for m in chain_of}
    return Linkage(chains, chain_of, stats={"mode": "portal links only", "chains": len(chains)}), prepared


def chain_positions(linkage: Linkage, prepared: dict[int, Prepared],
                    same_round_days: int) -> dict[int, tuple[int, float | None]]:
    """Notice id -> (rounds before its own round, price cut against the previous round; None if not comparable)."""
    out: dict[int, tuple[int, float | None]] = {}
    for members in linkage.chains.values():
        all_rounds = make_rounds([prepared[m] for m in members if m in prepared], same_round_days)
        rounds = effective_rounds(all_rounds)
        for r in all_rounds:
            if r.repost_of:
                for p in r.notices:
                    out[p.id] = (r.repost_of - 1, None)
        for k, r in enumerate(rounds):
            cut: float | None = 0.0
            if k > 0:
                prev = rounds[k - 1]
                cut = (1 - r.price / prev.price) if _comparable(prev, r) else None  # type: ignore[operator]
            for p in r.notices:
                out[p.id] = (k, cut)
    return out
