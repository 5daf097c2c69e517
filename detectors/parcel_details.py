"""D2 missing parcel details: a land-use-right lot whose notice omits parcel facts the law or the 2024 programme
expects (số thửa, số tờ bản đồ, diện tích, vị trí).

Every lot of a dgts selection notice or auction notice, and of a THADS selection or auction notice, is read from its
own fields (name, place, quality, detail), the notice's property name and the extracted text of the notice's
attachments; ``vntext.parcels.extract_parcel_details`` decides whether it is land and which fields are stated.
A required field absent from all of them is flagged (high when it is area or location). When the notice has
attachments whose text we could not read, a missing field is *insufficient*: the unread file may state it.
``iter_lot_parcels`` yields the same reading per lot for ``auction-monitor parcels``. The texts are read once, by
the text layer, into ``lot_features`` (``storage.features``); this detector only reads the stored columns.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

import numpy as np
from pydantic import Field, field_validator
from sqlalchemy import case, false, func, or_, select
from sqlalchemy.orm import Session

from detectors.base import DetectionContext, Detector, DetectorSettings, Result, Unchanged
from detectors.digests import combine, from_hex, stamp_of, to_hex
from storage.kinds import RECORD_KIND_OF_NOTICE, NoticeKind
from storage.models import AuctionNotice, LotFeatures, SelectionNotice, ThadsNotice
from storage.stamps import content_stamps
from storage.timeutil import VN_TZ, to_local
from vntext.features import VERSION as FEATURES_VERSION
from vntext.parcels import FIELDS, ParcelDetails
from detectors.evidence import parcel_details as evidence_declaration

RULE = "missing_parcel_fields"
CheckedKind = Literal["selection_notice", "auction_notice", "thads_notice"]  # NoticeKind values with lots
CHUNK = 400
FIELD_LABELS_VI = {
    "parcel_no": "số thửa", "map_sheet": "số tờ bản đồ", "area_m2": "diện tích", "location": "vị trí/địa chỉ",
    "certificate": "số giấy chứng nhận", "land_use_purpose": "mục đích sử dụng", "use_term": "thời hạn sử dụng",
}
LEGAL_BASIS = (
    "Luật Đấu giá tài sản Điều 34 k2 (quy chế: tên, vị trí, giấy tờ về quyền sử dụng), Điều 35, Điều 57 (thông báo "
    "công khai: tên tài sản, nơi có tài sản); Luật THADS 2008 Điều 111 k3, Điều 112 k3; Chương trình hành động năm "
    "2024 của hệ thống THADS: thông báo \"phải nêu rõ ràng, cụ thể về diện tích, vị trí thửa đất\"."
)


def _check_fields(value: list[str]) -> list[str]:
    unknown = [f for f in value if f not in FIELDS]
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(unknown)}; known: {', '.join(FIELDS)}")
    return value


class Settings(DetectorSettings):
    """Settings of the parcel-details detector (D2)."""

    required: list[str] = Field(
        default_factory=lambda: ["parcel_no", "map_sheet", "area_m2", "location"],
        description="Fields a land lot must state somewhere (parcel_no, map_sheet, area_m2, location, certificate, "
                    "land_use_purpose, use_term).")
    high_when_missing: list[str] = Field(
        default_factory=lambda: ["area_m2", "location"],
        description="Missing any of these makes the finding high (the 2024 THADS programme requires area and "
                    "location); other missing fields give medium.")
    attachments_required: bool = Field(
        True, description="A lot whose notice has unread attachments is insufficient, not flagged, when a field is "
                          "missing (the unread file may state it).")
    notice_kinds: list[CheckedKind] = Field(
        default_factory=lambda: [NoticeKind.SELECTION_NOTICE, NoticeKind.AUCTION_NOTICE, NoticeKind.THADS_NOTICE],
        description="Which notices' lots to check.")
    thads_categories: list[str] = Field(
        default_factory=lambda: ["selection_auction_org", "auction_notice"],
        description="THADS notice categories whose lots are checked.")

    @field_validator("required", "high_when_missing")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        return _check_fields(value)


@dataclass
class LotInput:
    """One lot with its notice context and what the text layer read from it (``storage.features``)."""

    notice_kind: str
    notice_key: str
    lot_index: int
    details: ParcelDetails
    sources_read: list[str]
    url: str | None
    owner_name: str | None
    province: str | None
    unread_attachments: list[str]


@dataclass
class _Notice:
    key: str
    url: str | None
    owner_name: str | None
    province: str | None
    published: date | None


def _notices(session: Session, kind: str, settings: Settings, since: date | None) -> dict[str, _Notice]:
    """The notices of one kind whose lots are checked (light columns only: a national history has ~600,000)."""
    out: dict[str, _Notice] = {}
    if kind == NoticeKind.AUCTION_NOTICE:
        A = AuctionNotice
        for nid, url, owner, province, published in session.execute(
                select(A.id, A.url, A.owner_name, A.province, A.published_at)):
            pub = to_local(published)
            out[str(nid)] = _Notice(str(nid), url, owner, province, pub.date() if pub else None)
    elif kind == NoticeKind.SELECTION_NOTICE:
        S = SelectionNotice
        for nid, url, owner, province, first, published in session.execute(
                select(S.id, S.url, S.owner_name, S.province, S.first_published_at, S.published_at)):
            found = [to_local(v) for v in (first, published) if v is not None]
            out[str(nid)] = _Notice(str(nid), url, owner, province, min(found).date() if found else None)
    elif kind == NoticeKind.THADS_NOTICE:
        T = ThadsNotice
        for key, url, owner, province, published_on, notice_date in session.execute(
                select(T.key, T.url, T.owner_name, T.province, T.published_on, T.notice_date)
                .where(T.category.in_(settings.thads_categories))):
            out[key] = _Notice(key, url, owner, province, published_on or notice_date)
    if since is not None:
        out = {k: n for k, n in out.items() if n.published is not None and n.published >= since}
    return out


PRESENCE = {"parcel_no": LotFeatures.has_parcel_no, "map_sheet": LotFeatures.has_map_sheet,
            "area_m2": LotFeatures.has_area, "location": LotFeatures.has_location,
            "certificate": LotFeatures.has_certificate, "land_use_purpose": LotFeatures.has_purpose,
            "use_term": LotFeatures.has_term}


def _scope_keys(session: Session, kind: str, settings: Settings, since: date | None) -> set[str] | None:
    """Keys of the notices of one kind whose lots are checked; None: every notice of the kind (a full pass over
    dgts notices, where no key list is built)."""
    if since is None and kind != NoticeKind.THADS_NOTICE:
        return None
    start = datetime.combine(since, datetime.min.time(), tzinfo=VN_TZ) if since is not None else None
    if kind == NoticeKind.AUCTION_NOTICE:
        A = AuctionNotice
        return {str(i) for i in session.scalars(select(A.id).where(A.published_at >= start))}
    if kind == NoticeKind.SELECTION_NOTICE:
        S = SelectionNotice
        return {str(i) for i in session.scalars(select(S.id).where(
            S.first_published_at.is_not(None) | S.published_at.is_not(None),
            S.first_published_at.is_(None) | (S.first_published_at >= start),
            S.published_at.is_(None) | (S.published_at >= start)))}
    T = ThadsNotice
    out: set[str] = set()
    for key, published_on, notice_date in session.execute(
            select(T.key, T.published_on, T.notice_date).where(T.category.in_(settings.thads_categories))):
        day = published_on or notice_date
        if since is None or (day is not None and day >= since):
            out.add(key)
    return out


def _parts(scope: set[str] | None) -> Iterator[list[str] | None]:
    """The scope a query at a time: None once (no key filter), else sorted chunks of keys."""
    if scope is None:
        yield None
        return
    keys = sorted(scope)
    for i in range(0, len(keys), CHUNK):
        yield keys[i:i + CHUNK]


def _notice_rows(session: Session, kind: str, keys: list[str]) -> dict[str, _Notice]:
    """Where a finding points (URL, owner, province) for these notices of one kind."""
    if kind == NoticeKind.THADS_NOTICE:
        T = ThadsNotice
        rows = session.execute(select(T.key, T.url, T.owner_name, T.province).where(T.key.in_(keys)))
        return {k: _Notice(k, url, owner, province, None) for k, url, owner, province in rows}
    table = AuctionNotice if kind == NoticeKind.AUCTION_NOTICE else SelectionNotice
    ids = [int(k) for k in keys if k.isdigit()]
    rows = session.execute(select(table.id, table.url, table.owner_name, table.province).where(table.id.in_(ids)))
    return {str(i): _Notice(str(i), url, owner, province, None) for i, url, owner, province in rows}


def iter_lot_inputs(session: Session, settings: Settings, since: date | None = None) -> Iterator[LotInput]:
    """Every lot of the configured notice kinds with its stored reading, a few hundred notices at a time."""
    for kind in settings.notice_kinds:
        notices = _notices(session, kind, settings, since)
        keys = sorted(notices)
        for i in range(0, len(keys), CHUNK):
            chunk = keys[i:i + CHUNK]
            rows = session.execute(
                select(LotFeatures.notice_key, LotFeatures.lot_index, LotFeatures.parcel)
                .where(LotFeatures.notice_kind == kind, LotFeatures.notice_key.in_(chunk))
                .order_by(LotFeatures.notice_key, LotFeatures.lot_index))
            for key, lot_index, parcel in rows:
                n = notices[key]
                yield LotInput(notice_kind=kind, notice_key=key, lot_index=lot_index,
                               details=ParcelDetails.from_dict(parcel), sources_read=list(parcel.get("sources_read", [])),
                               url=n.url, owner_name=n.owner_name, province=n.province,
                               unread_attachments=list(parcel.get("unread", [])))


def extract_for(lot: LotInput, settings: Settings) -> ParcelDetails:
    """The lot's parcel details judged against the configured required fields."""
    return lot.details.with_required(settings.required)


def iter_lot_details(session: Session, settings: Settings, since: date | None = None
                     ) -> Iterator[tuple[LotInput, ParcelDetails]]:
    for lot in iter_lot_inputs(session, settings, since):
        yield lot, extract_for(lot, settings)


def iter_lot_parcels(session: Session, settings: Settings | None = None) -> Iterator[dict[str, Any]]:
    """One dict per lot for ``auction-monitor parcels``: the parcel fields found and the required ones missing."""
    settings = settings if isinstance(settings, Settings) else Settings()
    for lot, d in iter_lot_details(session, settings):
        yield {
            "notice_kind": lot.notice_kind,
            "notice_id": lot.notice_key,
            "lot_index": lot.lot_index,
            "is_land": d.is_land,
            "parcel_no": list(d.parcel_no),
            "map_sheet": list(d.map_sheet),
            "area_m2": d.area_m2,
            "location": d.location,
            "certificate": d.certificate,
            "land_use_purpose": d.land_use_purpose,
            "use_term": d.use_term,
            "missing": list(d.missing),
        }


def _found_values(d: ParcelDetails) -> dict[str, Any]:
    values = d.as_dict()
    out = {}
    for f in FIELDS:
        v = values.get(f)
        if v not in (None, [], ""):
            out[f] = {"value": v, "source": d.sources.get(f)}
    return out


class ParcelDetailsDetector(Detector):
    """D2: land lots whose notice does not state the required parcel fields."""

    name = "parcel_details"
    evidence_fields = evidence_declaration.DECLARATION
    version = "1"
    Settings = Settings
    rules = (RULE,)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self._land = 0
        self._missing: Counter[str] = Counter()
        self._status: Counter[str] = Counter()
        self._missing_lots = 0

    def evaluate(self, ctx: DetectionContext) -> Iterator[Result | Unchanged]:
        """Counts the land lots in SQL; reads only the lots missing a required field (their open finding is
        ``unchanged`` while its digest is) and resolves open findings whose lot no longer misses one."""
        s: Settings = self.settings  # type: ignore[assignment]
        self._land, self._missing, self._status, self._missing_lots = 0, Counter(), Counter(), 0
        open_ids = ctx.open_digests(self.name, RULE)
        settings_stamp = stamp_of(RULE, s.model_dump(), FEATURES_VERSION)
        F = LotFeatures
        required = [PRESENCE[f] for f in s.required]
        for kind in s.notice_kinds:
            scope = _scope_keys(ctx.session, kind, s, ctx.since)
            self._count(ctx.session, kind, scope)
            content = content_stamps(ctx.session, RECORD_KIND_OF_NOTICE[kind])
            missing_lots: list[tuple[str, int, str | None]] = []
            for part in _parts(scope):
                query = select(F.notice_key, F.lot_index, F.inputs_sha256).where(
                    F.notice_kind == kind, F.is_land, or_(*(~column for column in required)) if required else false())
                if part is not None:
                    query = query.where(F.notice_key.in_(part))
                missing_lots += ctx.session.execute(query).all()
            stamps = combine(settings_stamp, np.array([content.get(k, 0) for k, _, _ in missing_lots], dtype=np.uint64),
                             from_hex(i for _, _, i in missing_lots),
                             np.array([i for _, i, _ in missing_lots], dtype=np.uint64)) if missing_lots else []
            digests = to_hex(stamps) if missing_lots else []
            wanted: dict[tuple[str, int], str] = {}
            unchanged: list[str] = []
            for (key, idx, _), digest in zip(missing_lots, digests):
                subject = f"{kind}:{key}:{idx}"
                if key in content and open_ids.get(subject) == digest:
                    unchanged.append(subject)
                else:
                    wanted[(key, idx)] = digest
            self._status["unchanged"] += len(unchanged)
            self._missing_lots += len(missing_lots)
            if unchanged:
                yield Unchanged(RULE, unchanged)
            prefix = f"{kind}:"
            still = {f"{kind}:{k}:{i}" for k, i, _ in missing_lots}
            for subject in sorted(open_ids):
                if subject.startswith(prefix) and subject not in still:
                    key = subject[len(prefix):].rsplit(":", 1)[0]
                    if scope is None or key in scope:
                        yield Result(rule=RULE, subject_kind="lot", subject_id=subject, status="pass")
            yield from self._build(ctx.session, kind, wanted, s)

    def _count(self, session: Session, kind: str, scope: set[str] | None) -> None:
        """Land lots and how many miss each field, and the lots that are not land, counted in SQL."""
        F = LotFeatures
        for part in _parts(scope):
            query = select(F.is_land, func.count(), *(func.sum(case((c, 0), else_=1)) for c in PRESENCE.values())
                           ).where(F.notice_kind == kind).group_by(F.is_land)
            if part is not None:
                query = query.where(F.notice_key.in_(part))
            for is_land, count, *missing in session.execute(query):
                if not is_land:
                    self._status["not_applicable"] += count
                    continue
                self._land += count
                for f, m in zip(PRESENCE, missing):
                    self._missing[f] += int(m or 0)

    def _build(self, session: Session, kind: str, wanted: dict[tuple[str, int], str], s: Settings
               ) -> Iterator[Result]:
        """Results of these lots from their stored readings, a few hundred notices at a time."""
        F = LotFeatures
        keys = sorted({k for k, _ in wanted})
        for i in range(0, len(keys), CHUNK):
            part = keys[i:i + CHUNK]
            notices = _notice_rows(session, kind, part)
            rows = session.execute(select(F.notice_key, F.lot_index, F.parcel).where(
                F.notice_kind == kind, F.notice_key.in_(part)))
            for key, idx, parcel in sorted(rows, key=lambda r: (r[0], r[1])):
                digest = wanted.get((key, idx))
                if digest is None:
                    continue
                n = notices.get(key) or _Notice(key, None, None, None, None)
                lot = LotInput(notice_kind=kind, notice_key=key, lot_index=idx,
                               details=ParcelDetails.from_dict(parcel),
                               sources_read=list(parcel.get("sources_read", [])), url=n.url,
                               owner_name=n.owner_name, province=n.province,
                               unread_attachments=list(parcel.get("unread", [])))
                result = self._evaluate_lot(lot, extract_for(lot, s), s)
                result.digest = digest
                yield result

    def _evaluate_lot(self, lot: LotInput, d: ParcelDetails, s: Settings) -> Result:
        subject = f"{lot.notice_kind}:{lot.notice_key}:{lot.lot_index}"
        evidence: dict[str, Any] = {"notice_kind": lot.notice_kind, "notice": lot.notice_key,
                                    "lot_index": lot.lot_index, "land_reason": d.land_reason,
                                    "sources_read": lot.sources_read}
        common = dict(rule=RULE, subject_kind="lot", subject_id=subject, urls=[lot.url] if lot.url else [],
                      legal_basis=LEGAL_BASIS, owner_name=lot.owner_name, province=lot.province)
        if not d.is_land:
            return Result(status="not_applicable", evidence=evidence, title="Tài sản không phải quyền sử dụng đất",
                          **common)
        evidence["found"] = _found_values(d)
        evidence["missing"] = list(d.missing)
        evidence["required"] = list(s.required)
        if not d.missing:
            return Result(status="pass", evidence=evidence, title="Thông báo nêu đủ thông tin thửa đất", **common)
        severity = "high" if set(d.missing) & set(s.high_when_missing) else "medium"
        labels = ", ".join(FIELD_LABELS_VI[f] for f in d.missing)
        if lot.unread_attachments and s.attachments_required:
            evidence["unread_attachments"] = lot.unread_attachments
            evidence["reason"] = "attachments not downloaded or not extracted may state the missing fields"
            self._status["insufficient"] += 1
            return Result(status="insufficient", severity=severity, evidence=evidence,
                          title=f"Chưa đủ dữ liệu: thông tin thửa đất thiếu ({labels}) nhưng còn tệp đính kèm chưa "
                                f"đọc được", **common)
        if lot.unread_attachments:
            evidence["unread_attachments"] = lot.unread_attachments
        self._status["flag"] += 1
        return Result(status="flag", severity=severity, evidence=evidence,
                      title=f"Thông báo đấu giá quyền sử dụng đất thiếu thông tin thửa đất: {labels}", **common)

    def finalize(self) -> dict[str, Any]:
        share = {f: round(self._missing[f] / self._land, 4) if self._land else None for f in FIELDS}
        self._status["pass"] = self._land - self._missing_lots
        return {"land_lots": self._land, "missing_count": {f: self._missing[f] for f in FIELDS},
                "missing_share": share, "status_counts": dict(sorted(self._status.items()))}


__all__ = ["ParcelDetailsDetector", "Settings", "iter_lot_parcels", "iter_lot_inputs", "LotInput"]
