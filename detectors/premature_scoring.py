"""D1 premature scoring: the auction organisation was scored or chosen before the public selection notice ran out.

Rules (each its own result per subject):

* ``result_before_window_end`` (high): the result was published, or a scoring/selection date stated in its text or
  its attachments is, before the notice's application window closed.
* ``auction_notice_before_window_end`` (high): the organisation later announced as selected posted an auction
  notice for the same owner and asset before that window closed.
* ``short_window`` (medium): fewer than ``min_window_working_days`` between publication and the selection decision
  (TT 02/2022 Điều 4 k2). When no decision date is known, the window end is used instead (see ``SHORT_WINDOW_NOTE``).
* ``rushed_result`` (low): the result was published within ``rushed_band_hours`` after the window closed.
* ``result_without_notice`` (medium): no public selection notice matches the result.
* ``window_changed_after_publication`` (medium, high when the window was shortened): WINDOW_CHANGED events.

The same rules run on dgts records and on THADS notices (categories ``selection_auction_org`` and
``selection_result``). Results are linked to notices by ``detectors.linking``; the links are stored in
``record_links``. Dates are Vietnamese calendar days; working days follow ``vntext.workdays``.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Literal, NamedTuple

from pydantic import Field, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vntext.core import find_dates, fold_vn, normalize_vn
from detectors.base import DetectionContext, Detector, DetectorSettings, Result
from detectors.evidence import premature_scoring as evidence_declaration
from detectors.linking import (
    CandidatePool,
    LinkDecision,
    LinkParams,
    LinkSide,
    LinkStore,
    asset_similarity,
    linked_by_id,
    match_result,
    owner_similarity,
    prices_match,
)
from vntext.workdays import add_calendar_days, add_working_days, count_days, next_working_day
from storage.models import (
    Attachment,
    AuctionNotice,
    ChangeEvent,
    Lot,
    SelectionNotice,
    SelectionResult,
    Snapshot,
    ThadsNotice,
    text_fully_read,
    text_usable,
)
from storage.names import normalize_org_name
from storage.timeutil import VN_TZ, day_start, from_epoch_ms, local_date, parse_portal_time, to_local

RULES = ("result_before_window_end", "auction_notice_before_window_end", "short_window", "rushed_result",
         "result_without_notice", "window_changed_after_publication")
THADS_SELECTION = "selection_auction_org"
THADS_RESULT = "selection_result"
MAX_ASSET_TEXT = 4_000
MAX_EXCERPT = 160

PROGRAMME_2024 = ("Chương trình hành động năm 2024 của hệ thống THADS: \"Nghiêm cấm việc chưa hết thời gian thông báo "
                  "công khai lựa chọn tổ chức đấu giá … mà đã thực hiện việc chấm điểm\"")
LEGAL_BASIS = {
    "result_before_window_end": "Thông tư 02/2022/TT-BTP Điều 5 k2, k8 (chấm điểm trên hồ sơ đã nộp, sau khi hết hạn "
                                "nộp hồ sơ); " + PROGRAMME_2024 + ".",
    "auction_notice_before_window_end": "Thông tư 02/2022/TT-BTP Điều 4–5; Luật Đấu giá tài sản Điều 56; "
                                        + PROGRAMME_2024 + ".",
    "short_window": "Thông tư 02/2022/TT-BTP Điều 4 k2 (thông báo công khai ít nhất 03 ngày làm việc trước ngày quyết "
                    "định lựa chọn); Bộ luật Dân sự 2015 Điều 147–148 (cách tính thời hạn); " + PROGRAMME_2024 + ".",
    "rushed_result": "Thông tư 02/2022/TT-BTP Điều 5 (chấm điểm toàn bộ hồ sơ đã nộp) và Điều 6 k1 (công khai kết "
                     "quả); " + PROGRAMME_2024 + ".",
    "result_without_notice": "Luật Đấu giá tài sản Điều 56 k2; Thông tư 02/2022/TT-BTP Điều 4 k2 (thông báo công khai "
                             "việc lựa chọn trên Cổng thông tin điện tử quốc gia về đấu giá tài sản) và Điều 6.",
    "window_changed_after_publication": "Thông tư 02/2022/TT-BTP Điều 4 k2; " + PROGRAMME_2024 + ".",
}
TITLES = {
    "result_before_window_end": "Kết quả lựa chọn tổ chức đấu giá được công bố hoặc chấm điểm trước khi hết thời hạn "
                                "nhận hồ sơ",
    "auction_notice_before_window_end": "Tổ chức đấu giá được lựa chọn đã đăng thông báo đấu giá tài sản trước khi hết "
                                        "thời hạn nhận hồ sơ lựa chọn",
    "short_window": "Thời gian thông báo công khai lựa chọn tổ chức đấu giá ngắn hơn mức tối thiểu",
    "rushed_result": "Kết quả lựa chọn tổ chức đấu giá được công bố rất sớm sau khi hết thời hạn nhận hồ sơ",
    "result_without_notice": "Kết quả lựa chọn tổ chức đấu giá không có thông báo lựa chọn công khai tương ứng",
    "window_changed_after_publication": "Thời hạn nhận hồ sơ của thông báo lựa chọn tổ chức đấu giá bị thay đổi sau "
                                        "khi đăng",
}
INSUFFICIENT_PREFIX = "Chưa đủ dữ liệu để kiểm tra: "
SHORT_WINDOW_NOTE = (
    "TT 02/2022 Điều 4 k2: the notice must be public at least N working days before the selection decision date. "
    "With a known decision date we count the working days after the publication day and before the decision day. "
    "Without one we count the working days after the publication day up to and including the window end: scoring "
    "may lawfully start only after the window closes, so this is the longest notice period a decision on the first "
    "lawful day would have. The publication day itself is not counted (BLDS Điều 147)."
)


class Settings(DetectorSettings):
    """Settings of the premature-scoring detector (D1)."""

    window_end_inclusive: bool = Field(
        True, description="The application window includes its end day (it closes at 24:00 of receiveTimeEnd's day).")
    roll_deadline_to_working_day: bool = Field(
        True, description="A window ending on a weekend or public holiday ends at the end of the next working day "
                          "(Bộ luật Dân sự 2015 Điều 148 k5).")
    min_window_working_days: int = Field(
        3, ge=0, le=60, description="Legal minimum notice period before the selection decision (TT 02/2022 Điều 4 k2).")
    window_unit: Literal["working_days", "calendar_days"] = Field(
        "working_days", description="Unit of min_window_working_days: working_days (VN holidays) or calendar_days.")
    rushed_band_hours: list[float] = Field(
        default_factory=lambda: [0.0, 24.0],
        description="[from, to) hours after the window closed in which a published result counts as rushed.")
    notice_coverage_margin_days: int = Field(
        60, ge=0, le=3650,
        description="A result within this many days of the first notice we hold may have its notice before our data: "
                    "result_without_notice is then insufficient, not a flag.")
    decision_dates_from_attachments: bool = Field(
        True, description="Read scoring/selection dates from the extracted text of result attachments.")
    link_min_asset_similarity: float = Field(
        60.0, ge=0, le=100, description="Minimum rapidfuzz token_set_ratio of folded asset names to link a result.")
    link_min_owner_similarity: float = Field(
        88.0, ge=0, le=100, description="Minimum similarity of owner names when the owner ids differ.")
    link_min_confidence: float = Field(0.6, ge=0, le=1, description="Minimum link confidence (0–1).")
    link_ambiguity_margin: float = Field(
        0.05, ge=0, le=1, description="Two candidates closer than this in confidence make the link ambiguous.")
    link_max_gap_days: int = Field(
        365, ge=1, le=3650, description="A notice more than this many days before the result is not a candidate.")
    price_tolerance: float = Field(0.01, ge=0, le=1, description="Relative tolerance when comparing start prices.")
    auction_min_asset_similarity: float = Field(
        70.0, ge=0, le=100, description="Minimum asset similarity between a selection notice and an auction notice.")
    auction_min_owner_similarity: float = Field(
        88.0, ge=0, le=100, description="Minimum owner-name similarity between a selection and an auction notice.")

    @field_validator("rushed_band_hours")
    @classmethod
    def _band(cls, value: list[float]) -> list[float]:
        if len(value) != 2 or not 0 <= value[0] < value[1]:
            raise ValueError("must be [from, to] with 0 <= from < to")
        return value


# --------------------------------------------------------------------------------------------------- decision dates


@dataclass(frozen=True)
class DecisionDate:
    value: date
    source: str  # "result text", "attachment:<name>", "result notice date", ...
    cue: str
    excerpt: str


_LABEL_BEFORE = re.compile(
    r"(?:ngay|thoi gian)\s+(?:to chuc\s+|tien hanh\s+|hop\s+)?(?:cham diem|xet chon|lua chon(?: to chuc dau gia)?|"
    r"quyet dinh lua chon)[^\d\n]{0,20}$")
_DECISION_BEFORE = re.compile(r"quyet dinh\s+(?:so\b[^\n]{0,40}?\s)?ngay\s*$")
_DECISION_AFTER = re.compile(r"^[^\n.;]{0,60}?\b(?:lua chon|phe duyet ket qua)\b")
_SCORED_AFTER = re.compile(r"^[^\d\n.;]{0,100}?\b(?:cham diem|xet chon)\b")
_SCORED_BEFORE = re.compile(r"(?:cham diem|xet chon|hop lua chon)[^\d\n.;]{0,60}?\bngay\s*$")
_DAY_WORD_BEFORE = re.compile(r"\bngay\s*$")
_NOT_A_DECISION = re.compile(r"thanh lap|to cham diem|hoi dong|ban hanh quy che|tieu chi")


def find_decision_dates(text: str | None, source: str) -> list[DecisionDate]:
    """Dates that the text ties to the scoring or the selection decision.

    Accepted cues: a label ("Ngày chấm điểm: 12/6/2026", "Thời gian lựa chọn: …"); a decision "Quyết định số 45/QĐ-X
    ngày 16/6/2026 về việc lựa chọn/phê duyệt kết quả …" (not one that sets up the panel or the criteria); "Ngày
    12/6/2026, … đã chấm điểm" and "… chấm điểm hồ sơ vào ngày 12/6/2026". A notice reference ("Thông báo số …
    ngày … về việc lựa chọn") is not a decision.
    """
    if not text:
        return []
    norm = normalize_vn(text[:200_000])
    folded = fold_vn(norm).lower()
    out: list[DecisionDate] = []
    for m in find_dates(norm):
        before = folded[max(0, m.start - 90):m.start]
        if folded.startswith("ngay", m.start):  # "ngày 12 tháng 6 năm 2026" carries its own "ngày"
            before += "ngay "
        after = folded[m.end:m.end + 110]
        cue = None
        if _LABEL_BEFORE.search(before):
            cue = "label"
        elif _DECISION_BEFORE.search(before):
            tail = _DECISION_AFTER.search(after)
            if tail and not _NOT_A_DECISION.search(after[:tail.end()]):
                cue = "selection decision"
        elif _SCORED_BEFORE.search(before):
            cue = "scored on"
        elif _DAY_WORD_BEFORE.search(before) and _SCORED_AFTER.search(after):
            cue = "scored on"
        if cue:
            excerpt = " ".join(norm[max(0, m.start - 70):m.end + 70].split())[:MAX_EXCERPT]
            out.append(DecisionDate(m.value, source, cue, excerpt))
    return out


# --------------------------------------------------------------------------------------------------- record views


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


def _join_assets(*parts: str | None) -> str:
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


def _earliest(*values: datetime | None) -> datetime | None:
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
    lots = _lots_by_notice(session, "selection_notice")
    notices = []
    S = SelectionNotice
    for n in session.execute(select(S.id, S.url, S.owner_id, S.owner_name, S.province, S.property_name,
                                    S.first_published_at, S.published_at, S.window_start, S.window_end, S.root_id,
                                    S.created_at).order_by(S.id)):
        own = lots.get(str(n.id), [])
        published = _earliest(n.first_published_at, n.published_at)
        notices.append(NoticeView(
            kind="selection_notice", key=str(n.id), url=n.url, owner_id=n.owner_id, owner_name=n.owner_name,
            province=n.province, asset_text=_join_assets(n.property_name, *(lot.name for lot in own)),
            start_prices=tuple(lot.start_price for lot in own if lot.start_price), published_at=published,
            published_day=published.date() if published else None, window_start=n.window_start,
            window_end=n.window_end, window_source="receiveTimeEnd" if n.window_end else None,
            root_key=str(n.root_id) if n.root_id else None, created_at=to_local(n.created_at)))
    result_lots = _lots_by_notice(session, "selection_result")
    atts = _attachments_by_notice(session, "selection_result")
    results = []
    for r in session.scalars(select(SelectionResult).order_by(SelectionResult.id)):
        own = result_lots.get(str(r.id), [])
        dates = []
        if r.decision_date:
            dates.append(DecisionDate(r.decision_date, r.decision_date_source or "result text", "result text", ""))
        att_dates, unread = _attachment_dates(atts.get(str(r.id), []), settings.decision_dates_from_attachments)
        published = to_local(r.published_at)
        results.append(ResultView(
            kind="selection_result", key=str(r.id), url=r.url, owner_id=r.owner_id, owner_name=r.owner_name,
            province=r.province, asset_text=_join_assets(r.property_name, *(lot.name for lot in own)),
            start_prices=tuple(lot.start_price for lot in own if lot.start_price), published_at=published,
            published_day=published.date() if published else None, organisation_id=r.organisation_id,
            org_name=r.org_name, portal_notice_key=str(r.notice_id) if r.notice_id else None,
            decision_dates=dates + att_dates, attachments_unread=unread))
    return Source("dgts", notices, results, "selection_notice", "selection_result")


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
    lots = _lots_by_notice(session, "thads_notice")
    atts = _attachments_by_notice(session, "thads_notice")
    notices, results = [], []
    for row in rows:
        own = lots.get(row.key, [])
        asset_text = _join_assets(*(lot.name for lot in own), row.title)
        prices = tuple(lot.start_price for lot in own if lot.start_price)
        if row.category == THADS_SELECTION:
            window_end, source = _thads_window(row)
            notices.append(NoticeView(
                kind="thads_notice", key=row.key, url=row.url, owner_id=row.owner_id, owner_name=row.owner_name,
                province=row.province, asset_text=asset_text, start_prices=prices, published_at=None,
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
            kind="thads_notice", key=row.key, url=row.url, owner_id=row.owner_id, owner_name=row.owner_name,
            province=row.province, asset_text=asset_text, start_prices=prices, published_at=None,
            published_day=row.published_on, organisation_id=row.organisation_id, org_name=row.selected_org,
            decision_dates=_dedupe_dates(dates + att_dates), attachments_unread=unread, site=row.site,
            body=(row.body_text or "")[:20_000]))
    return Source("thads", notices, results, "thads_notice", "thads_notice")


def _dedupe_dates(dates: list[DecisionDate]) -> list[DecisionDate]:
    seen, out = set(), []
    for d in dates:
        if (d.value, d.source) not in seen:
            seen.add((d.value, d.source))
            out.append(d)
    return out


# --------------------------------------------------------------------------------------------------- statistics


def distribution(values: list[float]) -> dict[str, Any]:
    """count, min, p10, median, p90, max (None when empty)."""
    if not values:
        return {"count": 0, "min": None, "p10": None, "median": None, "p90": None, "max": None}
    v = sorted(values)

    def pct(p: float) -> float:
        k = (len(v) - 1) * p
        lo = int(k)
        hi = min(lo + 1, len(v) - 1)
        return v[lo] + (v[hi] - v[lo]) * (k - lo)

    return {"count": len(v), "min": v[0], "p10": round(pct(0.1), 3), "median": round(statistics.median(v), 3),
            "p90": round(pct(0.9), 3), "max": v[-1]}


# --------------------------------------------------------------------------------------------------- the detector


class PrematureScoringDetector(Detector):
    """D1: scoring or selection before the selection notice's application window closed, and related signals."""

    name = "premature_scoring"
    evidence_fields = evidence_declaration.DECLARATION
    version = "1"
    Settings = Settings
    rules = RULES

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self._window_lengths: list[float] = []
        self._delays: list[float] = []
        self._counts: Counter[str] = Counter()

    # ---------------------------------------------------------------- helpers

    @property
    def s(self) -> Settings:
        return self.settings  # type: ignore[return-value]

    def _last_day(self, window_end: date) -> date:
        """The window's last day as the law counts it: a deadline on a weekend or public holiday ends at the end of
        the next working day (Bộ luật Dân sự 2015 Điều 148 k5)."""
        return next_working_day(window_end) if self.s.roll_deadline_to_working_day else window_end

    def _close(self, window_end: date) -> datetime:
        """The instant the application window closes."""
        last = self._last_day(window_end)
        if self.s.window_end_inclusive:
            return day_start(last + timedelta(days=1))
        return day_start(last if last == window_end else last + timedelta(days=1))

    def _decided_before_close(self, d: date, window_end: date) -> bool:
        last = self._last_day(window_end)
        if self.s.window_end_inclusive or last != window_end:
            return d <= last
        return d < window_end

    def _link_params(self) -> LinkParams:
        s = self.s
        return LinkParams(s.link_min_asset_similarity, s.link_min_owner_similarity, s.link_min_confidence,
                          s.link_ambiguity_margin, s.link_max_gap_days, s.price_tolerance)

    def _result(self, rule: str, kind: str, key: str, status: str, *, severity: str = "low", evidence: dict,
                urls: Iterable[str | None] = (), owner: str | None = None, province: str | None = None,
                title: str | None = None) -> Result:
        self._counts[f"{rule}:{status}"] += 1
        if title is None:
            title = TITLES[rule] if status != "insufficient" else INSUFFICIENT_PREFIX + TITLES[rule].lower()
        seen: list[str] = []
        for u in urls:
            if u and u not in seen:
                seen.append(u)
        return Result(rule=rule, subject_kind=kind, subject_id=key, status=status, severity=severity, title=title,
                      evidence=evidence, urls=seen, legal_basis=LEGAL_BASIS[rule], owner_name=owner,
                      province=province)

    def _in_scope(self, ctx: DetectionContext, day: date | None) -> bool:
        return ctx.since is None or (day is not None and day >= ctx.since)

    # ---------------------------------------------------------------- evaluate

    def evaluate(self, ctx: DetectionContext) -> Iterator[Result]:
        self._window_lengths, self._delays, self._counts = [], [], Counter()
        dgts = load_dgts(ctx.session, self.s)
        yield from self._evaluate_source(ctx, dgts)
        # A THADS office may publish its selection notice on dgts only: a THADS result with no THADS notice is
        # then matched against the dgts notices (by owner and asset) before it counts as a result without notice.
        yield from self._evaluate_source(ctx, load_thads(ctx.session, self.s), fallback=dgts)
        yield from self._window_changes(ctx)

    def _evaluate_source(self, ctx: DetectionContext, src: Source, fallback: Source | None = None
                         ) -> Iterator[Result]:
        params = self._link_params()
        catalogues = [(src, {n.key: n for n in src.notices},
                       CandidatePool([n.link_side() for n in src.notices], params.min_owner_similarity,
                                     params.max_gap_days))]
        if fallback is not None:
            catalogues.append((fallback, {n.key: n for n in fallback.notices},
                               CandidatePool([n.link_side() for n in fallback.notices], params.min_owner_similarity,
                                             params.max_gap_days)))
        coverage_start = min((n.published_day for n in src.notices if n.published_day), default=None)
        coverage_by_site: dict[str, date] = {}
        for n in src.notices:
            if n.site and n.published_day:
                coverage_by_site[n.site] = min(coverage_by_site.get(n.site, n.published_day), n.published_day)
        results_of_notice: dict[str, list[ResultView]] = defaultdict(list)
        links = LinkStore(ctx.session, src.result_link_kind)
        for r in src.results:
            if (ctx.since is not None and r.published_day is not None and r.published_day < ctx.since
                    and not r.portal_notice_key):
                # An incremental run: a notice in scope is published on or after `since`, and a fuzzy-linked
                # result is never earlier than its notice, so this result can link to none of them; its stored
                # link stays as the last full run left it.
                continue
            decision, notice = self._link(ctx, r, catalogues, params, links)
            if notice is not None and notice.kind == src.notice_link_kind:
                results_of_notice[notice.key].append(r)
            if not self._in_scope(ctx, r.published_day):
                continue
            cov = coverage_by_site.get(r.site) if r.site else coverage_start
            yield self._result_without_notice(r, decision, cov)
            yield self._result_before_window_end(r, decision, notice)
            yield self._rushed_result(r, decision, notice)
        for n in src.notices:
            if not self._in_scope(ctx, n.published_day):
                continue
            linked = results_of_notice.get(n.key, [])
            yield self._short_window(n, linked)
            yield self._auction_notice_before_window_end(ctx.session, n, linked)

    def _link(self, ctx: DetectionContext, r: ResultView,
              catalogues: list[tuple[Source, dict[str, NoticeView], CandidatePool]], params: LinkParams,
              links: LinkStore) -> tuple[LinkDecision, NoticeView | None]:
        """Link ``r`` within its own source first, then in the fallback catalogue; store and return the link."""
        src, notices, _pool = catalogues[0]
        if r.portal_notice_key:
            decision = linked_by_id(r.portal_notice_key, r.portal_notice_key in notices)
        else:
            side = r.link_side()
            decision = LinkDecision("none")
            for src, notices, pool in catalogues:
                probe = side if src.name == "thads" else replace(side, site=None, body=None)
                decision = match_result(probe, pool.pool(probe), params, rejected=links.rejected(r.key))
                if decision.status != "none":
                    break
            else:
                src, notices, _pool = catalogues[0]
        links.store(r.key, src.notice_link_kind, decision, ctx.now)
        notice = notices.get(decision.chosen.key) if decision.chosen and decision.status in ("linked", "matched") \
            else None
        return decision, notice

    # ---------------------------------------------------------------- per-result rules

    def _result_without_notice(self, r: ResultView, decision: LinkDecision, coverage: date | None) -> Result:
        rule = "result_without_notice"
        ev: dict[str, Any] = {"result": r.key, "result_published": r.published_at or r.published_day,
                              "link": decision.as_evidence(), "owner": r.owner_name, "asset": r.asset_text[:300]}
        common = dict(urls=[r.url], owner=r.owner_name, province=r.province)
        if decision.status != "none":
            return self._result(rule, r.kind, r.key, "pass", evidence=ev, **common)
        ev["notices_held_from"] = coverage
        if coverage is None:
            ev["reason"] = "no selection notice of this source is in the database"
            return self._result(rule, r.kind, r.key, "insufficient", severity="medium", evidence=ev, **common)
        if r.published_day is None:
            ev["reason"] = "the result has no publication date"
            return self._result(rule, r.kind, r.key, "insufficient", severity="medium", evidence=ev, **common)
        if r.published_day < coverage + timedelta(days=self.s.notice_coverage_margin_days):
            ev["reason"] = (f"the result is within {self.s.notice_coverage_margin_days} days of the first notice we "
                            "hold; its notice may predate our data")
            return self._result(rule, r.kind, r.key, "insufficient", severity="medium", evidence=ev, **common)
        return self._result(rule, r.kind, r.key, "flag", severity="medium", evidence=ev, **common)

    def _result_before_window_end(self, r: ResultView, decision: LinkDecision, n: NoticeView | None) -> Result:
        rule = "result_before_window_end"
        ev: dict[str, Any] = {"result": r.key, "link": decision.as_evidence(),
                              "window_end_inclusive": self.s.window_end_inclusive}
        common = dict(owner=r.owner_name, province=r.province)
        if decision.status == "none":
            ev["reason"] = "no matching selection notice"
            return self._result(rule, r.kind, r.key, "not_applicable", evidence=ev, urls=[r.url], **common)
        if decision.status == "ambiguous":
            ev["reason"] = "the result matches several selection notices equally well"
            return self._result(rule, r.kind, r.key, "insufficient", severity="high", evidence=ev, urls=[r.url],
                                **common)
        if n is None:
            ev["reason"] = "the linked selection notice is not in the database"
            return self._result(rule, r.kind, r.key, "insufficient", severity="high", evidence=ev, urls=[r.url],
                                **common)
        urls = [r.url, n.url]
        ev.update(notice=n.key, notice_kind=n.kind, notice_published=n.published_at or n.published_day, window_start=n.window_start,
                  window_end=n.window_end, window_source=n.window_source)
        if n.window_end is None:
            ev["reason"] = "the selection notice states no application window end"
            return self._result(rule, r.kind, r.key, "insufficient", severity="high", evidence=ev, urls=urls, **common)
        close = self._close(n.window_end)
        ev["window_closes_at"] = close
        findings: list[dict[str, Any]] = []
        if r.published_at is not None:
            ev["result_published_at"] = r.published_at
            if r.published_at < close:
                findings.append({"what": "result published", "at": r.published_at,
                                 "hours_before_close": round((close - r.published_at).total_seconds() / 3600, 1)})
        elif r.published_day is not None:
            ev["result_published_on"] = r.published_day
            if self._decided_before_close(r.published_day, n.window_end):
                findings.append({"what": "result published", "on": r.published_day})
        for d in r.decision_dates:
            if self._decided_before_close(d.value, n.window_end):
                findings.append({"what": f"decision/scoring date ({d.cue})", "on": d.value, "source": d.source,
                                 "excerpt": d.excerpt})
        ev["decision_dates"] = [{"on": d.value, "source": d.source, "cue": d.cue} for d in r.decision_dates]
        if findings:
            ev["before_window_close"] = findings
            return self._result(rule, r.kind, r.key, "flag", severity="high", evidence=ev, urls=urls, **common)
        if r.published_at is None and r.published_day is None and not r.decision_dates:
            ev["reason"] = "the result has neither a publication date nor a stated decision date"
            return self._result(rule, r.kind, r.key, "insufficient", severity="high", evidence=ev, urls=urls, **common)
        if r.attachments_unread:
            ev["unread_attachments"] = r.attachments_unread
            ev["reason"] = ("published after the window closed, but an attachment we could not read may state an "
                            "earlier scoring date")
            return self._result(rule, r.kind, r.key, "insufficient", severity="high", evidence=ev, urls=urls, **common)
        return self._result(rule, r.kind, r.key, "pass", evidence=ev, urls=urls, **common)

    def _rushed_result(self, r: ResultView, decision: LinkDecision, n: NoticeView | None) -> Result:
        rule = "rushed_result"
        lo, hi = self.s.rushed_band_hours
        ev: dict[str, Any] = {"result": r.key, "band_hours": [lo, hi]}
        common = dict(owner=r.owner_name, province=r.province)
        if n is None or n.window_end is None or (r.published_at is None and r.published_day is None):
            ev["reason"] = "no linked notice with a window end, or no result publication date"
            return self._result(rule, r.kind, r.key, "not_applicable", evidence=ev, urls=[r.url], **common)
        close = self._close(n.window_end)
        moment = r.published_at or day_start(r.published_day)
        delay = (moment - close).total_seconds() / 3600
        self._delays.append(round(delay, 3))
        ev.update(notice=n.key, window_end=n.window_end, window_closes_at=close, result_published=moment,
                  date_only=r.published_at is None, delay_hours=round(delay, 2))
        urls = [r.url, n.url]
        if lo <= delay < hi:
            return self._result(rule, r.kind, r.key, "flag", severity="low", evidence=ev, urls=urls, **common,
                                title=f"{TITLES[rule]} ({delay:.0f} giờ)")
        return self._result(rule, r.kind, r.key, "pass", evidence=ev, urls=urls, **common)

    # ---------------------------------------------------------------- per-notice rules

    def _short_window(self, n: NoticeView, linked: list[ResultView]) -> Result:
        rule = "short_window"
        s = self.s
        ev: dict[str, Any] = {"notice": n.key, "minimum": s.min_window_working_days, "unit": s.window_unit,
                              "interpretation": SHORT_WINDOW_NOTE, "published": n.published_at or n.published_day,
                              "window_start": n.window_start, "window_end": n.window_end,
                              "window_source": n.window_source}
        if n.created_at:
            ev["created_at"] = n.created_at
        common = dict(urls=[n.url, *(r.url for r in linked)], owner=n.owner_name, province=n.province)
        if n.published_day is None:
            ev["reason"] = "the notice has no publication date"
            return self._result(rule, n.kind, n.key, "insufficient", severity="medium", evidence=ev, **common)
        decisions = [(d, r) for r in linked for d in r.decision_dates]
        if n.window_end is not None:
            if n.window_end >= n.published_day:
                length = count_days(n.published_day, n.window_end, "working_days")
                self._window_lengths.append(length)
                ev["window_working_days"] = length
        if decisions:
            d, r = min(decisions, key=lambda x: x[0].value)
            ev.update(basis="decision_date", decision_date=d.value, decision_source=d.source, result=r.key)
            if d.value <= n.published_day:
                days = 0
            else:
                days = count_days(n.published_day, d.value - timedelta(days=1), s.window_unit)
        elif n.window_end is not None:
            ev["basis"] = "window_end"
            if n.window_end < n.published_day:
                ev["reason"] = ("the window ended before the recorded publication date (the portal's lastUpdated "
                                "moves on edits)")
                return self._result(rule, n.kind, n.key, "insufficient", severity="medium", evidence=ev, **common)
            last = self._last_day(n.window_end)
            if last != n.window_end:
                ev["window_end_rolled_to"] = last
            days = count_days(n.published_day, last, s.window_unit)
        else:
            ev["reason"] = "neither an application window end nor a decision date is known"
            return self._result(rule, n.kind, n.key, "insufficient", severity="medium", evidence=ev, **common)
        ev["days"] = days
        if days < s.min_window_working_days:
            unit = "ngày làm việc" if s.window_unit == "working_days" else "ngày"
            return self._result(rule, n.kind, n.key, "flag", severity="medium", evidence=ev, **common,
                                title=f"{TITLES[rule]} ({days}/{s.min_window_working_days} {unit})")
        return self._result(rule, n.kind, n.key, "pass", evidence=ev, **common)

    def _auction_notice_before_window_end(self, session: Session, n: NoticeView,
                                          linked: list[ResultView]) -> Result:
        rule = "auction_notice_before_window_end"
        ev: dict[str, Any] = {"notice": n.key, "window_end": n.window_end,
                              "window_end_inclusive": self.s.window_end_inclusive}
        common = dict(owner=n.owner_name, province=n.province)
        selected = [(r.organisation_id, r.org_name, r) for r in linked if r.organisation_id or r.org_name]
        if not selected:
            ev["reason"] = "no linked result names the selected organisation"
            return self._result(rule, n.kind, n.key, "not_applicable", evidence=ev, urls=[n.url], **common)
        ev["selected"] = [{"organisation": name, "result": r.key} for _, name, r in selected]
        if n.window_end is None or n.published_day is None:
            ev["reason"] = "the notice has no window end or no publication date"
            return self._result(rule, n.kind, n.key, "insufficient", severity="high", evidence=ev,
                                urls=[n.url, *(r.url for *_, r in selected)], **common)
        close = self._close(n.window_end)
        ev["window_closes_at"] = close
        hits = []
        for org_id, org_name, r in selected:
            for a, sim, price in self._auctions_before(session, n, org_id, org_name, close):
                hits.append({"auction_notice": a.id, "published_at": to_local(a.published_at),
                             "organisation": a.org_name, "asset_similarity": round(sim, 1), "price_match": price,
                             "result": r.key, "url": a.url})
        urls = [n.url, *(r.url for *_, r in selected), *(h["url"] for h in hits)]
        if hits:
            ev["auction_notices"] = hits
            return self._result(rule, n.kind, n.key, "flag", severity="high", evidence=ev, urls=urls, **common)
        return self._result(rule, n.kind, n.key, "pass", evidence=ev, urls=urls, **common)

    def _auctions_before(self, session: Session, n: NoticeView, org_id: int | None, org_name: str | None,
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
               and self._same_owner(n, row.owner_id, row.owner_name)]
        if not ids:
            return []
        rows = list(session.execute(select(a_.id, a_.property_name, a_.org_name, a_.published_at, a_.url)
                                    .where(a_.id.in_(ids)).order_by(a_.id)))
        lots: dict[str, list[tuple[str | None, float | None]]] = defaultdict(list)
        for key, name, price in session.execute(select(Lot.notice_key, Lot.name, Lot.start_price).where(
                Lot.notice_kind == "auction_notice", Lot.notice_key.in_([str(a.id) for a in rows]))):
            lots[key].append((name, price))
        out = []
        for a in rows:
            own = lots.get(str(a.id), [])
            sim, _notes = asset_similarity(n.asset_text, _join_assets(a.property_name, *(name for name, _ in own)))
            if sim < self.s.auction_min_asset_similarity:
                continue
            price = prices_match(n.start_prices, [p for _, p in own if p], self.s.price_tolerance)
            if price is False:
                continue
            out.append((a, sim, price))
        return out

    def _same_owner(self, n: NoticeView, owner_id: int | None, owner_name: str | None) -> bool:
        if n.owner_id is not None and n.owner_id == owner_id:
            return True
        return owner_similarity(n.owner_name, owner_name) >= self.s.auction_min_owner_similarity

    # ---------------------------------------------------------------- window changes

    def _window_changes(self, ctx: DetectionContext) -> Iterator[Result]:
        session = ctx.session
        events: dict[tuple[str, str], list[ChangeEvent]] = defaultdict(list)
        for e in session.scalars(select(ChangeEvent).where(
                ChangeEvent.event == "WINDOW_CHANGED",
                ChangeEvent.record_kind.in_(("dgts.selection_notice", "thads.notice"))).order_by(ChangeEvent.id)):
            events[(e.record_kind, e.record_key)].append(e)
        S = SelectionNotice
        for n in session.execute(select(S.id, S.first_published_at, S.published_at, S.url, S.owner_name, S.province)
                                 .order_by(S.id)):
            evs = events.get(("dgts.selection_notice", str(n.id)), [])
            day = local_date(_earliest(n.first_published_at, n.published_at))
            if not self._window_change_in_scope(ctx, day, evs):
                continue
            changes = [c for c in (_dgts_window_change(e) for e in evs) if c]
            yield self._window_change_result("selection_notice", str(n.id), n.url, n.owner_name, n.province, changes)
        versioned = set(session.scalars(
            select(Snapshot.record_key).where(Snapshot.record_kind == "thads.notice")
            .group_by(Snapshot.record_key).having(func.count(Snapshot.id) > 1)))
        for row in session.scalars(select(ThadsNotice).where(ThadsNotice.category == THADS_SELECTION)
                                   .order_by(ThadsNotice.key)):
            evs = events.get(("thads.notice", row.key), [])
            if not self._window_change_in_scope(ctx, row.published_on or row.notice_date, evs):
                continue
            changes = [c for c in (_dgts_window_change(e) for e in evs) if c]
            if row.key in versioned:
                changes += _thads_snapshot_window_changes(session, row.key)
            yield self._window_change_result("thads_notice", row.key, row.url, row.owner_name, row.province, changes)

    def _window_change_in_scope(self, ctx: DetectionContext, day: date | None, evs: list[ChangeEvent]) -> bool:
        if ctx.since is None or (day is not None and day >= ctx.since):
            return True
        return any(to_local(e.at).date() >= ctx.since for e in evs if e.at)

    def _window_change_result(self, kind: str, key: str, url: str | None, owner: str | None, province: str | None,
                              changes: list[dict[str, Any]]) -> Result:
        rule = "window_changed_after_publication"
        unique: list[dict[str, Any]] = []
        seen = set()
        for c in changes:
            sig = (c["which"], c["old"], c["new"])
            if sig not in seen:
                seen.add(sig)
                unique.append(c)
        ev: dict[str, Any] = {"notice": key, "changes": unique}
        if not unique:
            return self._result(rule, kind, key, "pass", evidence=ev, urls=[url], owner=owner, province=province)
        shortened = any(c["shortened"] for c in unique)
        ev["shortened"] = shortened
        title = TITLES[rule] + (" (bị rút ngắn)" if shortened else "")
        return self._result(rule, kind, key, "flag", severity="high" if shortened else "medium", evidence=ev,
                            urls=[url], owner=owner, province=province, title=title)

    # ---------------------------------------------------------------- finalize

    def finalize(self) -> dict[str, Any]:
        return {
            "window_length_working_days": distribution(self._window_lengths),
            "result_delay_hours": distribution(self._delays),
            "counts": dict(sorted(self._counts.items())),
        }


# --------------------------------------------------------------------------------------------------- change parsing

_START_FIELDS = ("receiveTimeStart", "fromDate", "window_start", "aucRegTimeStart")


def _as_day(value: str | None) -> date | None:
    """A WINDOW_CHANGED value (epoch ms, a dd/mm/yyyy string or an ISO date, JSON-encoded or not) as a VN day."""
    if value is None:
        return None
    s = value.strip().strip('"')
    if not s or s == "null":
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
        try:
            return date.fromisoformat(s)
        except ValueError:
            return None
    dt = from_epoch_ms(s) if re.fullmatch(r"-?\d+(?:\.\d+)?", s) else parse_portal_time(s)
    return dt.astimezone(VN_TZ).date() if dt else None


def _dgts_window_change(e: ChangeEvent) -> dict[str, Any] | None:
    fld = e.field or ""
    which = "start" if fld.rsplit(".", 1)[-1] in _START_FIELDS else "end"
    old, new = _as_day(e.old_value), _as_day(e.new_value)
    if old == new:
        return None
    if which == "end":
        shortened = old is not None and (new is None or new < old)
    else:
        shortened = new is not None and (old is None or new > old)
    return {"which": which, "field": fld, "old": old, "new": new, "at": to_local(e.at), "shortened": shortened}


def _thads_snapshot_window_changes(session: Session, key: str) -> list[dict[str, Any]]:
    """THADS documents carry the window only in their text: compare the window extracted from each snapshot."""
    snaps = list(session.scalars(select(Snapshot).where(Snapshot.record_kind == "thads.notice",
                                                        Snapshot.record_key == key).order_by(Snapshot.id)))
    if len(snaps) < 2:
        return []
    from crawler.parsers.thads import extract_notice_fields, html_to_text
    from vntext.core import parse_vn_date

    windows = []
    for snap in snaps[:50]:
        doc = snap.document if isinstance(snap.document, dict) else {}
        text = html_to_text(str(doc.get("body_html") or ""))
        fields = extract_notice_fields(str(doc.get("title") or ""), text,
                                       published=parse_vn_date(str(doc.get("date") or "")))
        windows.append((snap, fields.window_start, fields.window_end))
    out = []
    for (_, old_start, old_end), (snap, new_start, new_end) in zip(windows, windows[1:], strict=False):
        if old_end != new_end and (old_end or new_end):
            out.append({"which": "end", "field": "text", "old": old_end, "new": new_end,
                        "at": to_local(snap.captured_at),
                        "shortened": old_end is not None and (new_end is None or new_end < old_end)})
        if old_start != new_start and (old_start or new_start):
            out.append({"which": "start", "field": "text", "old": old_start, "new": new_start,
                        "at": to_local(snap.captured_at),
                        "shortened": new_start is not None and (old_start is None or new_start > old_start)})
    return out
