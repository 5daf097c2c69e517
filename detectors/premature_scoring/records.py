"""What the rules read: selection notices and results of both portals as views (``NoticeView``, ``ResultView``),
loaded once per pass with their lots, start prices, application windows and scoring or selection dates."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from detectors.linking import LinkSide
from detectors.premature_scoring.settings import Settings
from storage.kinds import NoticeKind
from storage.models import Attachment, Lot, SelectionNotice, SelectionResult, ThadsNotice, text_fully_read, text_usable
from storage.timeutil import day_start, to_local
from vntext.decisions import DecisionDate, find_decision_dates
from vntext.workdays import add_calendar_days, add_working_days

THADS_SELECTION = "selection_auction_org"  # THADS notice categories (crawler.parsers.thads_text.NoticeCategory)
THADS_RESULT = "selection_result"
MAX_ASSET_TEXT = 4_000


@dataclass
class NoticeView:
    """A selection notice (dgts or THADS) with what the rules need."""

    kind: str  # selection_notice | thads_notice
    key: str
    url: str | None
    owner_id: int | None
    owner_name: str | None
    province: str | None
    asset_text: str
    start_prices: tuple[float, ...]
    published_at: datetime | None  # None for THADS (date only)
    published_day: date | None
    window_start: date | None
    window_end: date | None
    window_source: str | None
    root_key: str | None = None
    site: str | None = None
    notice_number: str | None = None
    created_at: datetime | None = None

    def link_side(self) -> LinkSide:
        return LinkSide(self.kind, self.key, self.owner_id, None, self.owner_name, self.asset_text, self.start_prices,
                        self.published_at or (day_start(self.published_day) if self.published_day else None),
                        self.site, self.root_key, self.notice_number)


@dataclass
class ResultView:
    kind: str  # selection_result | thads_notice
    key: str
    url: str | None
    owner_id: int | None
    owner_name: str | None
    province: str | None
    asset_text: str
    start_prices: tuple[float, ...]
    published_at: datetime | None
    published_day: date | None
    organisation_id: int | None
    org_name: str | None
    portal_notice_key: str | None = None
    decision_dates: list[DecisionDate] = field(default_factory=list)
    attachments_unread: int = 0
    site: str | None = None
    body: str | None = None

    def link_side(self) -> LinkSide:
        return LinkSide(self.kind, self.key, self.owner_id, None, self.owner_name, self.asset_text, self.start_prices,
                        self.published_at or (day_start(self.published_day) if self.published_day else None),
                        self.site, None, None, self.body)


@dataclass
class Source:
    """One portal's notices and results, and how its records are named in ``record_links``."""

    name: str  # dgts | thads
    notices: list[NoticeView]
    results: list[ResultView]
    notice_link_kind: str
    result_link_kind: str


def join_assets(*parts: str | None) -> str:
    """Distinct texts of an asset (notice name, lot names) in one line, bounded."""
    seen: list[str] = []
    for p in parts:
        p = " ".join((p or "").split())
        if p and p not in seen:
            seen.append(p)
    return " ; ".join(seen)[:MAX_ASSET_TEXT]


class _LotRow(NamedTuple):
    name: str | None
    start_price: float | None


def _lots_by_notice(session: Session, notice_kind: str) -> dict[str, list[_LotRow]]:
    out: dict[str, list[_LotRow]] = defaultdict(list)
    for key, name, price in session.execute(select(Lot.notice_key, Lot.name, Lot.start_price)
                                            .where(Lot.notice_kind == notice_kind).order_by(Lot.lot_index)):
        out[key].append(_LotRow(name, price))
    return out


def _attachments_by_notice(session: Session, notice_kind: str) -> dict[str, list[Attachment]]:
    out: dict[str, list[Attachment]] = defaultdict(list)
    for att in session.scalars(select(Attachment).where(Attachment.notice_kind == notice_kind)
                               .order_by(Attachment.id)):
        out[att.notice_key].append(att)
    return out


def earliest(*values: datetime | None) -> datetime | None:
    """The earliest of the given times, in local time (None when none is known)."""
    found = [to_local(v) for v in values if v is not None]
    return min(found) if found else None


def _attachment_dates(atts: Iterable[Attachment], enabled: bool) -> tuple[list[DecisionDate], int]:
    dates: list[DecisionDate] = []
    unread = 0
    for att in atts:
        if text_usable(att.text_status) and att.text and enabled:
            dates += find_decision_dates(att.text, f"attachment:{att.original_name or att.file_name}")
        if not text_fully_read(att.text_status):
            unread += 1
    return dates, unread


def load_dgts(session: Session, settings: Settings) -> Source:
    lots = _lots_by_notice(session, NoticeKind.SELECTION_NOTICE)
    notices = []
    S = SelectionNotice
    for n in session.execute(select(S.id, S.url, S.owner_id, S.owner_name, S.province, S.property_name,
                                    S.first_published_at, S.published_at, S.window_start, S.window_end, S.root_id,
                                    S.created_at).order_by(S.id)):
        own = lots.get(str(n.id), [])
        published = earliest(n.first_published_at, n.published_at)
        notices.append(NoticeView(
            kind=NoticeKind.SELECTION_NOTICE, key=str(n.id), url=n.url, owner_id=n.owner_id, owner_name=n.owner_name,
            province=n.province, asset_text=join_assets(n.property_name, *(lot.name for lot in own)),
            start_prices=tuple(lot.start_price for lot in own if lot.start_price), published_at=published,
            published_day=published.date() if published else None, window_start=n.window_start,
            window_end=n.window_end, window_source="receiveTimeEnd" if n.window_end else None,
            root_key=str(n.root_id) if n.root_id else None, created_at=to_local(n.created_at)))
    result_lots = _lots_by_notice(session, NoticeKind.SELECTION_RESULT)
    atts = _attachments_by_notice(session, NoticeKind.SELECTION_RESULT)
    results = []
    for r in session.scalars(select(SelectionResult).order_by(SelectionResult.id)):
        own = result_lots.get(str(r.id), [])
        dates = []
        if r.decision_date:
            dates.append(DecisionDate(r.decision_date, r.decision_date_source or "result text", "result text", ""))
        att_dates, unread = _attachment_dates(atts.get(str(r.id), []), settings.decision_dates_from_attachments)
        published = to_local(r.published_at)
        results.append(ResultView(
            kind=NoticeKind.SELECTION_RESULT, key=str(r.id), url=r.url, owner_id=r.owner_id, owner_name=r.owner_name,
            province=r.province, asset_text=join_assets(r.property_name, *(lot.name for lot in own)),
            start_prices=tuple(lot.start_price for lot in own if lot.start_price), published_at=published,
            published_day=published.date() if published else None, organisation_id=r.organisation_id,
            org_name=r.org_name, portal_notice_key=str(r.notice_id) if r.notice_id else None,
            decision_dates=dates + att_dates, attachments_unread=unread))
    return Source("dgts", notices, results, NoticeKind.SELECTION_NOTICE, NoticeKind.SELECTION_RESULT)


def _thads_window(row: ThadsNotice) -> tuple[date | None, str | None]:
    """The window end stated in the text, or computed from "trong N ngày (làm việc) kể từ …"."""
    if row.window_end:
        return row.window_end, "text"
    fields = row.fields if isinstance(row.fields, dict) else {}
    start = row.window_start or None
    working = fields.get("window_working_days")
    calendar = fields.get("window_calendar_days")
    if start and isinstance(working, int) and 0 < working <= 60:
        return add_working_days(start, working), f"{working} working days after {start.isoformat()}"
    if start and isinstance(calendar, int) and 0 < calendar <= 90:
        return add_calendar_days(start, calendar), f"{calendar} days after {start.isoformat()}"
    return None, None


def load_thads(session: Session, settings: Settings) -> Source:
    rows = list(session.scalars(select(ThadsNotice).where(ThadsNotice.category.in_((THADS_SELECTION, THADS_RESULT)))
                                .order_by(ThadsNotice.key)))
    lots = _lots_by_notice(session, NoticeKind.THADS_NOTICE)
    atts = _attachments_by_notice(session, NoticeKind.THADS_NOTICE)
    notices, results = [], []
    for row in rows:
        own = lots.get(row.key, [])
        asset_text = join_assets(*(lot.name for lot in own), row.title)
        prices = tuple(lot.start_price for lot in own if lot.start_price)
        if row.category == THADS_SELECTION:
            window_end, source = _thads_window(row)
            notices.append(NoticeView(
                kind=NoticeKind.THADS_NOTICE, key=row.key, url=row.url, owner_id=row.owner_id,
                owner_name=row.owner_name, province=row.province, asset_text=asset_text, start_prices=prices,
                published_at=None,
                published_day=row.published_on or row.notice_date, window_start=row.window_start,
                window_end=window_end, window_source=source, site=row.site, notice_number=row.notice_number))
            continue
        dates = []
        if row.decision_date:
            dates.append(DecisionDate(row.decision_date, "result text", "scoring date", ""))
        if row.notice_date:
            dates.append(DecisionDate(row.notice_date, "result notice date", "the result notice is dated", ""))
        dates += find_decision_dates(row.body_text, "result text")
        att_dates, unread = _attachment_dates(atts.get(row.key, []), settings.decision_dates_from_attachments)
        results.append(ResultView(
            kind=NoticeKind.THADS_NOTICE, key=row.key, url=row.url, owner_id=row.owner_id, owner_name=row.owner_name,
            province=row.province, asset_text=asset_text, start_prices=prices, published_at=None,
            published_day=row.published_on, organisation_id=row.organisation_id, org_name=row.selected_org,
            decision_dates=_dedupe_dates(dates + att_dates), attachments_unread=unread, site=row.site,
            body=(row.body_text or "")[:20_000]))
    return Source("thads", notices, results, NoticeKind.THADS_NOTICE, NoticeKind.THADS_NOTICE)


def _dedupe_dates(dates: list[DecisionDate]) -> list[DecisionDate]:
    seen, out = set(), []
    for d in dates:
        if (d.value, d.source) not in seen:
            seen.add((d.value, d.source))
            out.append(d)
    return out
