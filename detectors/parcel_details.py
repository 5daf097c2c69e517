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
from datetime import date
from typing import Any, Literal

from pydantic import Field, field_validator
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from detectors.base import DetectionContext, Detector, DetectorSettings, Result, inputs_digest
from storage.models import AuctionNotice, LotFeatures, SelectionNotice, ThadsNotice
from vntext.parcels import FIELDS, ParcelDetails
from storage.timeutil import to_local

RULE = "missing_parcel_fields"
NoticeKind = Literal["selection_notice", "auction_notice", "thads_notice"]
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
    notice_kinds: list[NoticeKind] = Field(
        default_factory=lambda: ["selection_notice", "auction_notice", "thads_notice"],
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
    if kind == "auction_notice":
        A = AuctionNotice
        for nid, url, owner, province, published in session.execute(
                select(A.id, A.url, A.owner_name, A.province, A.published_at)):
            pub = to_local(published)
            out[str(nid)] = _Notice(str(nid), url, owner, province, pub.date() if pub else None)
    elif kind == "selection_notice":
        S = SelectionNotice
        for nid, url, owner, province, first, published in session.execute(
                select(S.id, S.url, S.owner_name, S.province, S.first_published_at, S.published_at)):
            found = [to_local(v) for v in (first, published) if v is not None]
            out[str(nid)] = _Notice(str(nid), url, owner, province, min(found).date() if found else None)
    elif kind == "thads_notice":
        T = ThadsNotice
        for key, url, owner, province, published_on, notice_date in session.execute(
                select(T.key, T.url, T.owner_name, T.province, T.published_on, T.notice_date)
                .where(T.category.in_(settings.thads_categories))):
            out[key] = _Notice(key, url, owner, province, published_on or notice_date)
    if since is not None:
        out = {k: n for k, n in out.items() if n.published is not None and n.published >= since}
    return out


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
    version = "1"
    Settings = Settings
    rules = (RULE,)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self._land = 0
        self._missing: Counter[str] = Counter()
        self._status: Counter[str] = Counter()

    def evaluate(self, ctx: DetectionContext) -> Iterator[Result]:
        """Counts every land lot from the typed columns; builds a result only for a lot missing a required field
        (flag or insufficient) or one whose open finding must now be resolved (pass)."""
        s: Settings = self.settings  # type: ignore[assignment]
        self._land, self._missing, self._status = 0, Counter(), Counter()
        open_ids = ctx.open_digests(self.name, RULE)
        settings_fp = inputs_digest(s.model_dump())
        F = LotFeatures
        presence = {"parcel_no": F.has_parcel_no, "map_sheet": F.has_map_sheet, "area_m2": F.has_area,
                    "location": F.has_location, "certificate": F.has_certificate, "land_use_purpose": F.has_purpose,
                    "use_term": F.has_term}
        for kind in s.notice_kinds:
            notices = _notices(ctx.session, kind, s, ctx.since)
            wanted: dict[tuple[str, int], str] = {}  # lots to build -> their inputs digest
            for key, idx, inputs, is_land, *has in ctx.session.execute(
                    select(F.notice_key, F.lot_index, F.inputs_sha256, F.is_land, *presence.values())
                    .where(F.notice_kind == kind)):
                n = notices.get(key)
                if n is None:
                    continue
                subject = f"{kind}:{key}:{idx}"
                found = dict(zip(presence, has))
                missing = is_land and any(not found[f] for f in s.required)
                if is_land:
                    self._land += 1
                    for f, ok in found.items():
                        self._missing[f] += not ok
                if not missing and subject not in open_ids:
                    self._status["pass" if is_land else "not_applicable"] += 1
                    continue
                digest = inputs_digest(inputs, settings_fp, n.url, n.owner_name, n.province)
                if missing and open_ids.get(subject) == digest:
                    self._status["unchanged"] += 1
                    yield Result(rule=RULE, subject_kind="lot", subject_id=subject, status="unchanged")
                    continue
                if not is_land:
                    self._status["not_applicable"] += 1
                wanted[(key, idx)] = digest
            order = sorted(wanted)
            for i in range(0, len(order), CHUNK):
                part = order[i:i + CHUNK]
                rows = ctx.session.execute(
                    select(F.notice_key, F.lot_index, F.parcel).where(
                        F.notice_kind == kind, tuple_(F.notice_key, F.lot_index).in_(part)))
                for key, idx, parcel in sorted(rows, key=lambda r: (r[0], r[1])):
                    n = notices[key]
                    lot = LotInput(notice_kind=kind, notice_key=key, lot_index=idx,
                                   details=ParcelDetails.from_dict(parcel),
                                   sources_read=list(parcel.get("sources_read", [])), url=n.url,
                                   owner_name=n.owner_name, province=n.province,
                                   unread_attachments=list(parcel.get("unread", [])))
                    result = self._evaluate_lot(lot, extract_for(lot, s), s)
                    result.digest = wanted[(key, idx)]
                    if result.status in ("flag", "insufficient") or result.subject_id in open_ids:
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
            self._status["pass"] += 1
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
        return {"land_lots": self._land, "missing_count": {f: self._missing[f] for f in FIELDS},
                "missing_share": share, "status_counts": dict(sorted(self._status.items()))}


__all__ = ["ParcelDetailsDetector", "Settings", "iter_lot_parcels", "iter_lot_inputs", "LotInput"]
