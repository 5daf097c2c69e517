"""``auction_notice_before_window_end`` (high): the organisation later announced as selected posted an auction
notice for the same owner and asset before the selection notice's application window closed."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from detectors.base import Result
from detectors.premature_scoring.judging import Judging
from detectors.premature_scoring.records import NoticeView, ResultView, join_assets
from storage.kinds import NoticeKind
from storage.models import AuctionNotice, Lot
from storage.timeutil import day_start, to_local
from vntext.names import normalize_org_name
from vntext.similarity import asset_similarity, owner_similarity, prices_match


def evaluate(j: Judging, session: Session, n: NoticeView, linked: list[ResultView]) -> Result:
    """``linked``: the results linked to the notice, which name the selected organisation."""
    rule = "auction_notice_before_window_end"
    ev: dict[str, Any] = {"notice": n.key, "window_end": n.window_end,
                          "window_end_inclusive": j.settings.window_end_inclusive}
    common = dict(owner=n.owner_name, province=n.province)
    selected = [(r.organisation_id, r.org_name, r) for r in linked if r.organisation_id or r.org_name]
    if not selected:
        ev["reason"] = "no linked result names the selected organisation"
        return j.result(rule, n.kind, n.key, "not_applicable", evidence=ev, urls=[n.url], **common)
    ev["selected"] = [{"organisation": name, "result": r.key} for _, name, r in selected]
    if n.window_end is None or n.published_day is None:
        ev["reason"] = "the notice has no window end or no publication date"
        return j.result(rule, n.kind, n.key, "insufficient", severity="high", evidence=ev,
                        urls=[n.url, *(r.url for *_, r in selected)], **common)
    close = j.closes_at(n.window_end)
    ev["window_closes_at"] = close
    hits = []
    for org_id, org_name, r in selected:
        for a, sim, price in _auctions_before(j, session, n, org_id, org_name, close):
            hits.append({"auction_notice": a.id, "published_at": to_local(a.published_at),
                         "organisation": a.org_name, "asset_similarity": round(sim, 1), "price_match": price,
                         "result": r.key, "url": a.url})
    urls = [n.url, *(r.url for *_, r in selected), *(h["url"] for h in hits)]
    if hits:
        ev["auction_notices"] = hits
        return j.result(rule, n.kind, n.key, "flag", severity="high", evidence=ev, urls=urls, **common)
    return j.result(rule, n.kind, n.key, "pass", evidence=ev, urls=urls, **common)


def _auctions_before(j: Judging, session: Session, n: NoticeView, org_id: int | None, org_name: str | None,
                     close: datetime) -> list[tuple[Any, float, bool | None]]:
    """Auction notices of the selected organisation for this owner and asset, published from the notice's
    publication day until the window closed (earlier ones are a previous round of the same asset)."""
    start = day_start(n.published_day)
    a_ = AuctionNotice
    # Light columns first (a large organisation posts hundreds of notices a month); a day of margin on both
    # sides, the exact bounds are checked on local times.
    query = select(a_.id, a_.owner_id, a_.owner_name, a_.org_name, a_.published_at).where(
        a_.published_at >= start - timedelta(days=1), a_.published_at < close + timedelta(days=1))
    if org_id is not None:
        query = query.where(a_.organisation_id == org_id)
    else:
        query = query.where(a_.org_name.is_not(None))
    key = normalize_org_name(org_name) if org_id is None and org_name else None
    ids = [row.id for row in session.execute(query)  # aware times compare as instants: no conversion needed
           if row.published_at is not None and start <= row.published_at < close
           and (key is None or (row.org_name and normalize_org_name(row.org_name) == key))
           and _same_owner(j, n, row.owner_id, row.owner_name)]
    if not ids:
        return []
    rows = list(session.execute(select(a_.id, a_.property_name, a_.org_name, a_.published_at, a_.url)
                                .where(a_.id.in_(ids)).order_by(a_.id)))
    lots: dict[str, list[tuple[str | None, float | None]]] = defaultdict(list)
    for key, name, price in session.execute(select(Lot.notice_key, Lot.name, Lot.start_price).where(
            Lot.notice_kind == NoticeKind.AUCTION_NOTICE, Lot.notice_key.in_([str(a.id) for a in rows]))):
        lots[key].append((name, price))
    out = []
    for a in rows:
        own = lots.get(str(a.id), [])
        sim, _notes = asset_similarity(n.asset_text, join_assets(a.property_name, *(name for name, _ in own)))
        if sim < j.settings.auction_min_asset_similarity:
            continue
        price = prices_match(n.start_prices, [p for _, p in own if p], j.settings.price_tolerance)
        if price is False:
            continue
        out.append((a, sim, price))
    return out


def _same_owner(j: Judging, n: NoticeView, owner_id: int | None, owner_name: str | None) -> bool:
    if n.owner_id is not None and n.owner_id == owner_id:
        return True
    return owner_similarity(n.owner_name, owner_name) >= j.settings.auction_min_owner_similarity
