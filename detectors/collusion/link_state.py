"""Relist links kept as state, so a detection pass never re-links the whole history.

Each auction notice is *indexed* once: its asset identity is read by the text layer and stored
(``notice_identities``), its blocking keys are stored (``blocking_keys``), and it is scored against the notices that
share one of its keys (and the ones the portal links it to); pairs at or above the review threshold are stored in
``record_links`` (``link_type = 'relist'``). Ingest forgets the identity of a notice whose content changed, so it is
indexed again. Chains are then read from the stored matched links with union-find.

The stored keys carry a fingerprint of the linking settings (``keys_fp``): a pass with other settings, or a new
version of the identity extractor, re-indexes everything — the "full re-link" (``auction-monitor relink`` forces
it). A pair an analyst marked ``rejected`` is never linked again; rows whose reasons carry an ``analyst`` entry are
never touched, and an analyst's ``matched`` row always joins its pair.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any, Iterable

import numpy as np
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from detectors.collusion.dataset import Dataset
from detectors.collusion.pairing import (
    IDENTITY_VERSION,
    BlockingStats,
    PairScore,
    Prepared,
    UnionFind,
    blocking_keys,
    candidate_pairs,
    extract_identity,
    prepare,
    score_pair,
)
from detectors.collusion.settings import RelistSettings
from storage.kinds import NoticeKind
from storage.models import BlockingKey, NoticeIdentity, RecordLink
from vntext.identity import AssetIdentity

LINK_TYPE = "relist"
KIND = NoticeKind.AUCTION_NOTICE
CHUNK = 500
MAX_REASONS_STORED = 30
_KEY_SETTINGS = ("name_prefix_tokens", "max_block_size", "window", "link_threshold", "review_threshold",
                 "incremental_horizon_days")


def keys_fingerprint(settings: RelistSettings) -> str:
    """What the stored keys and links depend on besides the notice: the identity extractor and these settings."""
    blob = json.dumps([IDENTITY_VERSION, {k: getattr(settings, k) for k in _KEY_SETTINGS}], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def is_analyst(row: RecordLink) -> bool:
    return any(isinstance(r, str) and r.startswith("analyst") for r in row.reasons or [])


def forget_identities(session: Session, notice_ids: Iterable[int]) -> None:
    """A notice whose content changed is indexed again on the next pass (its keys and links are recomputed)."""
    ids = list(notice_ids)
    for i in range(0, len(ids), CHUNK):
        session.execute(delete(NoticeIdentity).where(NoticeIdentity.notice_id.in_(ids[i:i + CHUNK])))


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def pending_notices(session: Session, ds: Dataset, fingerprint: str) -> list[int]:
    """Notices never indexed, changed since, or indexed with other settings or another identity extractor."""
    indexed = np.fromiter(session.scalars(select(NoticeIdentity.notice_id).where(
        NoticeIdentity.keys_fp == fingerprint)), dtype=np.int64)
    return np.setdiff1d(ds.cols.ids, indexed).tolist()


def _identities(session: Session, prepared: dict[int, Prepared], pending: set[int], fingerprint: str
                ) -> list[dict[str, Any]]:
    """Set the identity of every prepared notice: read back when stored by the current extractor, read by the text
    layer otherwise. Returns the rows to store for the pending notices (with the current keys fingerprint)."""
    stored: dict[int, dict] = {}
    for chunk in _chunks(sorted(prepared), 5_000):
        for nid, version, data in session.execute(
                select(NoticeIdentity.notice_id, NoticeIdentity.version, NoticeIdentity.identity)
                .where(NoticeIdentity.notice_id.in_(chunk))):
            if version == IDENTITY_VERSION:
                stored[nid] = data
    rows = []
    for nid in sorted(prepared):
        p = prepared[nid]
        data = stored.get(nid)
        if data is not None:
            p._ident = AssetIdentity.from_cache(data)
        else:
            p._ident = extract_identity(*p.identity_inputs())
            data = p._ident.to_cache()
        if nid in pending:
            rows.append({"notice_id": nid, "version": IDENTITY_VERSION, "keys_fp": fingerprint, "identity": data})
    return rows


def index_and_link(session: Session, ds: Dataset, settings: RelistSettings, now: datetime, *,
                   relink: bool = False) -> dict[str, Any]:
    """Index the pending notices (all of them with ``relink``), score them against the notices sharing a key, and
    store the links. Returns counters."""
    fingerprint = keys_fingerprint(settings)
    pending = set(pending_notices(session, ds, fingerprint))
    relink = relink or len(pending) == len(ds.notices)  # nothing indexed yet (or all of it stale): link everything
    stats: dict[str, Any] = {"pending": len(pending), "mode": "relink" if relink else "incremental",
                             "keys_fingerprint": fingerprint, "comparisons": 0}
    if relink:
        session.execute(delete(BlockingKey))
        for row in session.scalars(select(RecordLink).where(RecordLink.link_type == LINK_TYPE)):
            if row.status in ("matched", "review") and not is_analyst(row):
                session.delete(row)
        session.flush()
    if relink:
        pending = set(ds.notices)
        stats["mode"] = "relink"
    if not pending:
        return stats
    if relink:
        return _relink_all(session, ds, settings, now, fingerprint, stats)
    new_keys: dict[int, set[str]] = {}
    for nid in sorted(pending):
        new_keys[nid] = set()
    # partners: notices sharing a key with a pending notice (the stored index), within the horizon before it
    ds.prefetch(pending)
    prepared_pending = {nid: prepare(ds.notices[nid]) for nid in pending}
    rows = _identities(session, prepared_pending, pending, fingerprint)
    for nid, p in prepared_pending.items():
        new_keys[nid] = blocking_keys(p, settings.name_prefix_tokens)
    all_keys = sorted({k for ks in new_keys.values() for k in ks})
    members: dict[str, list[int]] = defaultdict(list)
    for chunk in _chunks(all_keys):
        for key, other in session.execute(select(BlockingKey.key, BlockingKey.notice_id)
                                          .where(BlockingKey.key.in_(chunk))):
            if other not in pending and other in ds.notices:
                members[key].append(other)
    for nid, ks in new_keys.items():  # pending notices are each other's partners too
        for k in ks:
            members[k].append(nid)
    partner_ids = {m for ms in members.values() for m in ms} | {o for nid in pending for o in
                                                                 prepared_pending[nid].portal if o in ds.notices}
    prepared = dict(prepared_pending)
    ds.prefetch(partner_ids - pending)
    for nid in partner_ids - pending:
        prepared[nid] = prepare(ds.notices[nid])
    _identities(session, {k: v for k, v in prepared.items() if k not in pending}, set(), fingerprint)
    horizon = timedelta(days=settings.incremental_horizon_days)

    def near(p: Prepared, q: Prepared) -> bool:
        if relink or p.when is None or q.when is None:
            return True
        return abs(p.when - q.when) <= horizon

    pairs: set[tuple[int, int]] = set()
    for nid in sorted(pending):
        p = prepared[nid]
        for other in sorted(p.portal):
            if other in prepared and other != nid:
                pairs.add((min(nid, other), max(nid, other)))
        for key in new_keys[nid]:
            group = members.get(key, [])
            if len(group) > settings.max_block_size:  # an oversized block: only the nearest in time
                group = sorted(group, key=lambda m: abs(((prepared[m].when or now) - (p.when or now)).total_seconds()))
                group = group[:settings.window + 1]
            for other in group:
                if other != nid and near(p, prepared[other]):
                    pairs.add((min(nid, other), max(nid, other)))
    stats["comparisons"] = len(pairs)
    rejected = {(r.from_key, r.to_key) for r in session.scalars(
        select(RecordLink).where(RecordLink.link_type == LINK_TYPE, RecordLink.status == "rejected"))}
    scored = []
    for a, b in sorted(pairs):
        if (str(a), str(b)) in rejected:
            continue
        s = score_pair(prepared[a], prepared[b])
        if s.score >= settings.review_threshold:
            scored.append(s)
    matched, review = _decide(session, scored, settings, ds)
    _store_pairs(session, matched, review, now)
    # the index: these notices' keys and identities replace what was stored for them
    for chunk in _chunks(sorted(pending)):
        session.execute(delete(BlockingKey).where(BlockingKey.notice_id.in_(chunk)))
        session.execute(delete(NoticeIdentity).where(NoticeIdentity.notice_id.in_(chunk)))
    key_rows = [{"key": k[:300], "notice_id": nid} for nid, ks in new_keys.items() for k in sorted(ks)]
    for chunk in _chunks(key_rows, 5_000):
        session.execute(insert(BlockingKey), chunk)
    for chunk in _chunks(rows, 2_000):
        session.execute(insert(NoticeIdentity), chunk)
    session.flush()
    stats.update(pairs_scored=len(scored), links_new=len(matched), review_new=len(review), keys=len(key_rows))
    return stats


def _relink_all(session: Session, ds: Dataset, settings: RelistSettings, now: datetime, fingerprint: str,
                stats: dict[str, Any]) -> dict[str, Any]:
    """Every notice against its blocks (an oversized block by a sliding window over the sorted names), as a first
    pass or after a change of the scorer, its settings or the identity extractor."""
    prepared = {nid: prepare(n) for nid, n in ds.notices.items()}
    rows = _identities(session, prepared, set(prepared), fingerprint)
    block_stats = BlockingStats()
    rejected = {(r.from_key, r.to_key) for r in session.scalars(
        select(RecordLink).where(RecordLink.link_type == LINK_TYPE, RecordLink.status == "rejected"))}
    scored: dict[tuple[int, int], PairScore] = {}
    for x, y in candidate_pairs(prepared, settings.name_prefix_tokens, settings.max_block_size, settings.window,
                                block_stats):
        key = (min(x.id, y.id), max(x.id, y.id))
        if key in scored or (str(key[0]), str(key[1])) in rejected:
            continue
        s = score_pair(x, y)
        if s.score >= settings.review_threshold:
            scored[key] = s
    matched, review = _decide(session, list(scored.values()), settings, ds)
    _store_pairs(session, matched, review, now)
    session.execute(delete(NoticeIdentity))
    key_rows = [{"key": k[:300], "notice_id": nid} for nid, p in prepared.items()
                for k in sorted(blocking_keys(p, settings.name_prefix_tokens))]
    for chunk in _chunks(key_rows, 5_000):
        session.execute(insert(BlockingKey), chunk)
    for chunk in _chunks(rows, 2_000):
        session.execute(insert(NoticeIdentity), chunk)
    session.flush()
    stats.update(pending=len(prepared), comparisons=block_stats.comparisons, blocks=block_stats.blocks,
                 oversized_blocks=block_stats.oversized_blocks, pairs_scored=len(scored), links_new=len(matched),
                 review_new=len(review), keys=len(key_rows))
    return stats


def _decide(session: Session, scored: list[PairScore], settings: RelistSettings, ds: Dataset
            ) -> tuple[list[PairScore], list[PairScore]]:
    """The new pairs that join two chains (strongest first, over the chains the stored links already make), and the
    review-band pairs between different chains (the best per pair of chains)."""
    uf = UnionFind()
    for a, b in session.execute(select(RecordLink.from_key, RecordLink.to_key).where(
            RecordLink.link_type == LINK_TYPE, RecordLink.status == "matched")):
        if a.isdigit() and b.isdigit() and int(a) in ds.notices and int(b) in ds.notices:
            uf.union(int(a), int(b))
    strong = sorted((s for s in scored if s.score >= settings.link_threshold and not s.partial),
                    key=lambda s: (-s.score, s.a, s.b))
    matched = [s for s in strong if uf.union(s.a, s.b)]
    best: dict[tuple[int, int], PairScore] = {}
    for s in scored:
        if s.score >= settings.link_threshold and not s.partial:
            continue
        ca, cb = uf.find(s.a), uf.find(s.b)
        if ca == cb:
            continue
        key = (min(ca, cb), max(ca, cb))
        cur = best.get(key)
        if cur is None or (s.score, -s.a, -s.b) > (cur.score, -cur.a, -cur.b):
            best[key] = s
    return matched, sorted(best.values(), key=lambda s: (s.a, s.b))


def _store_pairs(session: Session, matched: list[PairScore], review: list[PairScore], now: datetime) -> None:
    wanted = [(s, "matched") for s in matched] + [(s, "review") for s in review]
    keys = sorted({(str(s.a), str(s.b)) for s, _ in wanted})
    existing: dict[tuple[str, str], RecordLink] = {}
    for chunk in _chunks(keys):
        wanted_keys = set(chunk)
        for r in session.scalars(select(RecordLink).where(
                RecordLink.link_type == LINK_TYPE, RecordLink.from_key.in_(sorted({a for a, _ in chunk})))):
            if (r.from_key, r.to_key) in wanted_keys:
                existing[(r.from_key, r.to_key)] = r
    for s, status in wanted:
        key = (str(s.a), str(s.b))
        row = existing.get(key)
        if row is not None and (row.status == "rejected" or is_analyst(row)):
            continue
        if row is None:
            row = RecordLink(link_type=LINK_TYPE, from_kind=KIND, from_key=key[0], to_kind=KIND, to_key=key[1])
            session.add(row)
            existing[key] = row
        elif row.status == "matched" and status == "review":
            continue  # an earlier pass joined them: a weaker review pair does not undo it
        row.confidence = round(s.score / 100, 4)
        row.status = status
        row.reasons = list(s.reasons[:MAX_REASONS_STORED])
        row.updated_at = now
    session.flush()


def stored_review(session: Session, ds: Dataset, chain_of: dict[int, int]) -> list[PairScore]:
    """Stored review-band pairs between two different chains (the review queue)."""
    out = []
    for a, b, confidence, reasons in session.execute(
            select(RecordLink.from_key, RecordLink.to_key, RecordLink.confidence, RecordLink.reasons)
            .where(RecordLink.link_type == LINK_TYPE, RecordLink.status == "review")):
        if a.isdigit() and b.isdigit() and int(a) in ds.notices and int(b) in ds.notices:
            ia, ib = int(a), int(b)
            if chain_of.get(ia, ia) != chain_of.get(ib, ib):
                out.append(PairScore(ia, ib, round((confidence or 0) * 100, 1), tuple(reasons or [])))
    return sorted(out, key=lambda s: (s.a, s.b))


def stored_chains(session: Session, ds: Dataset) -> tuple[dict[int, list[int]], list[dict[str, Any]]]:
    """Chains (root id -> member ids) from the stored matched links, and those links for the evidence."""
    uf = UnionFind()
    links = []
    for a, b, confidence, reasons in session.execute(
            select(RecordLink.from_key, RecordLink.to_key, RecordLink.confidence, RecordLink.reasons)
            .where(RecordLink.link_type == LINK_TYPE, RecordLink.status == "matched")):
        if not (a.isdigit() and b.isdigit()):
            continue
        ia, ib = int(a), int(b)
        if ia in ds.notices and ib in ds.notices:
            uf.union(ia, ib)
            links.append({"a": ia, "b": ib, "score": round((confidence or 0) * 100, 1), "reasons": list(reasons or [])})
    chains = {root: members for root, members in uf.groups().items() if len(members) > 1}
    return chains, links
