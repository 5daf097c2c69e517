"""D2 missing parcel details: a land-use-right lot whose notice omits parcel facts the law or the 2024 programme
expects (số thửa, số tờ bản đồ, diện tích, vị trí).

Every lot of a dgts selection notice or auction notice, and of a THADS selection or auction notice, is read from its
own fields (name, place, quality, detail), the notice's property name and the extracted text of the notice's
attachments; ``detectors.parcels.extract_parcel_details`` decides whether it is land and which fields are stated.
A required field absent from all of them is flagged (high when it is area or location). When the notice has
attachments whose text we could not read, a missing field is *insufficient*: the unread file may state it.
``iter_lot_parcels`` yields the same extraction per lot for ``auction-monitor parcels``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from pydantic import Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from detectors.base import DetectionContext, Detector, DetectorSettings, Result
from detectors.parcels import ATTACHMENT_PREFIX, FIELDS, NOTICE_SOURCE, ParcelDetails, extract_parcel_details
from storage.models import Attachment, AuctionNotice, Lot, SelectionNotice, ThadsNotice
from storage.timeutil import to_local

RULE = "missing_parcel_fields"
NoticeKind = Literal["selection_notice", "auction_notice", "thads_notice"]
READ_STATUSES = ("ok", "ocr")
EMPTY_STATUSES = ("empty",)  # read, and nothing in it: it cannot hold the missing field
CHUNK = 400
MAX_ATTACHMENT_CHARS = 200_000
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
    """One lot with its notice context and its named text sources."""

    notice_kind: str
    notice_key: str
    lot_index: int
    texts: dict[str, str]
    property_type_id: int | None
    property_type_name: str | None
    url: str | None
    owner_name: str | None
    province: str | None
    unread_attachments: list[str]


@dataclass
class _Notice:
    key: str
    name: str | None
    url: str | None
    owner_name: str | None
    province: str | None
    published: date | None
    property_type_id: int | None = None
    property_type_name: str | None = None


def _notices(session: Session, kind: str, settings: Settings, since: date | None) -> list[_Notice]:
    out: list[_Notice] = []
    if kind == "auction_notice":
        for n in session.scalars(select(AuctionNotice).order_by(AuctionNotice.id)):
            pub = to_local(n.published_at)
            out.append(_Notice(str(n.id), n.property_name, n.url, n.owner_name, n.province,
                               pub.date() if pub else None, n.property_type_id, n.property_type_name))
    elif kind == "selection_notice":
        for n in session.scalars(select(SelectionNotice).order_by(SelectionNotice.id)):
            found = [to_local(v) for v in (n.first_published_at, n.published_at) if v is not None]
            out.append(_Notice(str(n.id), n.property_name, n.url, n.owner_name, n.province,
                               min(found).date() if found else None))
    elif kind == "thads_notice":
        for n in session.scalars(select(ThadsNotice).where(ThadsNotice.category.in_(settings.thads_categories))
                                 .order_by(ThadsNotice.key)):
            out.append(_Notice(n.key, n.title, n.url, n.owner_name, n.province, n.published_on or n.notice_date))
    if since is not None:
        out = [n for n in out if n.published is not None and n.published >= since]
    return out


def _lot_texts(lot: Lot, notice_name: str | None, attachments: dict[str, str]) -> dict[str, str]:
    texts: dict[str, str] = {}
    for source, value in (("name", lot.name), ("place", lot.place), ("quality", lot.quality),
                          ("detail", lot.detail), ("amount", lot.amount)):
        if value and value.strip():
            texts[source] = value
    if notice_name and notice_name.strip():
        texts[NOTICE_SOURCE] = notice_name
    for name, text in attachments.items():
        texts[ATTACHMENT_PREFIX + name] = text
    return texts


def iter_lot_inputs(session: Session, settings: Settings, since: date | None = None) -> Iterator[LotInput]:
    """Every lot of the configured notice kinds with its texts, loading lots and attachments in chunks."""
    for kind in settings.notice_kinds:
        notices = _notices(session, kind, settings, since)
        for i in range(0, len(notices), CHUNK):
            chunk = {n.key: n for n in notices[i:i + CHUNK]}
            lots: dict[str, list[Lot]] = defaultdict(list)
            for lot in session.scalars(select(Lot).where(Lot.notice_kind == kind, Lot.notice_key.in_(list(chunk)))
                                       .order_by(Lot.notice_key, Lot.lot_index)):
                lots[lot.notice_key].append(lot)
            texts: dict[str, dict[str, str]] = defaultdict(dict)
            unread: dict[str, list[str]] = defaultdict(list)
            for att in session.scalars(select(Attachment).where(Attachment.notice_kind == kind,
                                                                Attachment.notice_key.in_(list(chunk)))
                                       .order_by(Attachment.id)):
                name = att.original_name or att.file_name
                if att.text_status in READ_STATUSES and att.text:
                    texts[att.notice_key][name] = att.text[:MAX_ATTACHMENT_CHARS]
                elif att.text_status not in READ_STATUSES + EMPTY_STATUSES:
                    unread[att.notice_key].append(f"{name} ({att.text_status})")
            for key, notice in chunk.items():
                for lot in lots.get(key, []):
                    yield LotInput(
                        notice_kind=kind, notice_key=key, lot_index=lot.lot_index,
                        texts=_lot_texts(lot, notice.name, texts.get(key, {})),
                        property_type_id=lot.property_type_id if lot.property_type_id is not None
                        else notice.property_type_id,
                        property_type_name=lot.property_type_name or notice.property_type_name,
                        url=notice.url, owner_name=notice.owner_name, province=notice.province,
                        unread_attachments=unread.get(key, []))


def extract_for(lot: LotInput, settings: Settings) -> ParcelDetails:
    return extract_parcel_details(lot.texts, property_type_id=lot.property_type_id,
                                  property_type_name=lot.property_type_name, required=settings.required)


def iter_lot_parcels(session: Session, settings: Settings | None = None) -> Iterator[dict[str, Any]]:
    """One dict per lot for ``auction-monitor parcels``: the parcel fields found and the required ones missing."""
    settings = settings if isinstance(settings, Settings) else Settings()
    for lot in iter_lot_inputs(session, settings):
        d = extract_for(lot, settings)
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
        s: Settings = self.settings  # type: ignore[assignment]
        self._land, self._missing, self._status = 0, Counter(), Counter()
        for lot in iter_lot_inputs(ctx.session, s, ctx.since):
            yield self._evaluate_lot(lot, extract_for(lot, s), s)

    def _evaluate_lot(self, lot: LotInput, d: ParcelDetails, s: Settings) -> Result:
        subject = f"{lot.notice_kind}:{lot.notice_key}:{lot.lot_index}"
        evidence: dict[str, Any] = {"notice_kind": lot.notice_kind, "notice": lot.notice_key,
                                    "lot_index": lot.lot_index, "land_reason": d.land_reason,
                                    "sources_read": sorted(lot.texts)}
        common = dict(rule=RULE, subject_kind="lot", subject_id=subject, urls=[lot.url] if lot.url else [],
                      legal_basis=LEGAL_BASIS, owner_name=lot.owner_name, province=lot.province)
        if not d.is_land:
            self._status["not_applicable"] += 1
            return Result(status="not_applicable", evidence=evidence, title="Tài sản không phải quyền sử dụng đất",
                          **common)
        self._land += 1
        values = d.as_dict()
        for f in FIELDS:
            if values.get(f) in (None, [], ""):
                self._missing[f] += 1
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
