"""Links each THADS notice to its dgts counterpart (selection notice, selection result or auction notice).

A THADS office posts the same case on its own sub-site and on dgts; nothing shared identifies both copies, so a
match is scored from what they have in common, strongest first:

* asset identity: the same parcel number on the same map sheet (+45), the same land-use certificate (+40);
* the debtor ("của ông/bà …") named in the dgts asset text (+20);
* the owner: the same normalised office (+20) or at least the same province (+5);
* the start price equal within 1 % (+15), or different (-15);
* fuzzy asset text similarity (up to +20);
* publication dates within ``max_days`` of each other (required; closer is better, up to +10).

The best candidate at or above ``threshold`` is *matched* if it leads the runner-up by ``margin``; otherwise both
are stored as *ambiguous*. Every link keeps its confidence and reasons in ``record_links`` (``thads_dgts``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.kinds import NoticeKind, RecordKind
from storage.models import AuctionNotice, Lot, RecordLink, SelectionNotice, SelectionResult, ThadsNotice
from storage.timeutil import day_start, to_local, utcnow
from vntext.fold import fold_name
from vntext.parcels import extract_parcel_details
from vntext.similarity import asset_similarity, prices_match

LINK_TYPE = "thads_dgts"
TARGETS = {
    "selection_auction_org": (RecordKind.DGTS_SELECTION_NOTICE, SelectionNotice, NoticeKind.SELECTION_NOTICE),
    "selection_result": (RecordKind.DGTS_SELECTION_RESULT, SelectionResult, NoticeKind.SELECTION_RESULT),
    "auction_notice": (RecordKind.DGTS_AUCTION_NOTICE, AuctionNotice, NoticeKind.AUCTION_NOTICE),
}
_DEBTOR = re.compile(r"(?:của|vụ)\s+(?:ông|bà|anh|chị|công ty)\s+([A-ZÀ-Ỹ][\wÀ-ỹ]*(?:\s+[A-ZÀ-Ỹ][\wÀ-ỹ]*){1,4})")
_CERT = re.compile(r"\b([A-Z]{2})\s?(\d{6})\b")


@dataclass
class Scored:
    key: str
    score: float
    reasons: list[str] = field(default_factory=list)


def _identity(text: str) -> tuple[set[tuple[str, str]], set[str]]:
    d = extract_parcel_details({"name": text[:20_000]})
    parcels = {(p, s) for p in d.parcel_no for s in d.map_sheet} if d.parcel_no and d.map_sheet else set()
    certs = {a + b for a, b in _CERT.findall(text[:20_000])}
    return parcels, certs


def _debtors(text: str) -> set[str]:
    return {fold_name(m) for m in _DEBTOR.findall(text[:20_000])}


def score_pair(thads: ThadsNotice, thads_lots: list[Lot], cand, cand_lots: list[Lot], cand_published: date | None,
               max_days: int) -> Scored | None:
    if thads.published_on is None or cand_published is None:
        return None
    days = abs((cand_published - thads.published_on).days)
    if days > max_days:
        return None
    t_text = " ".join(filter(None, [thads.title, thads.body_text]))
    c_text = " ".join(filter(None, [getattr(cand, "property_name", None), *(l.name for l in cand_lots)]))
    score, reasons = 10.0 * (1 - days / max(max_days, 1)), [f"published {days} days apart"]
    tp, tc = _identity(t_text)
    cp, cc = _identity(c_text)
    if tp & cp:
        score += 45
        reasons.append(f"same parcel/map sheet {sorted(tp & cp)[0]}")
    elif tp and cp:
        score -= 30
        reasons.append("different parcels")
    if tc & cc:
        score += 40
        reasons.append(f"same certificate {sorted(tc & cc)[0]}")
    debtors = _debtors(t_text)
    if debtors and any(d in fold_name(c_text) for d in debtors):
        score += 20
        reasons.append("debtor named in both")
    if thads.owner_id and thads.owner_id == getattr(cand, "owner_id", None):
        score += 20
        reasons.append("same owner office")
    elif thads.province and thads.province == getattr(cand, "province", None):
        score += 5
        reasons.append("same province")
    tprices = [l.start_price for l in thads_lots if l.start_price]
    cprices = [l.start_price for l in cand_lots if l.start_price]
    pm = prices_match(tprices, cprices, 0.01)
    if pm is True:
        score += 15
        reasons.append("same start price")
    elif pm is False:
        score -= 15
        reasons.append("different start price")
    sim, _why = asset_similarity(t_text[:4000], c_text[:4000])
    score += sim / 5
    reasons.append(f"text similarity {sim:.0f}")
    return Scored(str(cand.id), round(score, 1), reasons)


def link_thads_notices(session: Session, *, threshold: float = 60.0, margin: float = 10.0, max_days: int = 45,
                       since: date | None = None) -> dict[str, int]:
    counts = {"matched": 0, "ambiguous": 0, "none": 0}
    q = select(ThadsNotice).where(ThadsNotice.category.in_(tuple(TARGETS)))
    if since:
        q = q.where(ThadsNotice.published_on >= since)
    for thads in session.scalars(q).all():
        kind, model, lot_kind = TARGETS[thads.category]
        if thads.published_on is None:
            counts["none"] += 1
            continue
        lo = thads.published_on - timedelta(days=max_days)
        hi = thads.published_on + timedelta(days=max_days + 1)
        when = model.published_at
        cands = session.scalars(select(model).where(when >= day_start(lo), when < day_start(hi))
                                .where((model.owner_id == thads.owner_id) | (model.province == thads.province))).all()
        t_lots = list(session.scalars(select(Lot).where(Lot.notice_kind == NoticeKind.THADS_NOTICE,
                                                        Lot.notice_key == thads.key)))
        scored = []
        for c in cands:
            c_lots = list(session.scalars(select(Lot).where(Lot.notice_kind == lot_kind, Lot.notice_key == str(c.id))))
            pub = to_local(c.published_at).date() if c.published_at else None
            s = score_pair(thads, t_lots, c, c_lots, pub, max_days)
            if s is not None and s.score >= threshold:
                scored.append(s)
        scored.sort(key=lambda s: -s.score)
        session.execute(delete(RecordLink).where(RecordLink.link_type == LINK_TYPE, RecordLink.from_key == thads.key))
        if not scored:
            counts["none"] += 1
            continue
        ambiguous = len(scored) > 1 and scored[0].score - scored[1].score < margin
        keep = [s for s in scored if scored[0].score - s.score < margin] if ambiguous else scored[:1]
        for s in keep:
            session.add(RecordLink(link_type=LINK_TYPE, from_kind=RecordKind.THADS_NOTICE, from_key=thads.key,
                                   to_kind=kind, to_key=s.key, confidence=min(s.score, 100.0) / 100.0,
                                   status="ambiguous" if ambiguous else "matched", reasons=s.reasons,
                                   updated_at=utcnow()))
        counts["ambiguous" if ambiguous else "matched"] += 1
    session.flush()
    return counts
