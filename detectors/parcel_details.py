"""D2 missing parcel details: a land-use-right lot whose notice omits parcel facts the law or the 2024 programme
expects (số thửa, số tờ bản đồ, diện tích, vị trí).

Every lot of a dgts selection notice or auction notice, and of a THADS selection or auction notice, is read from its
own fields (name, place, quality, detail), the notice's property name and the extracted text of the notice's
attachments; ``vntext.parcels.extract_parcel_details`` decides whether it is land and which fields are stated.
A required field absent from all of them is flagged (high when it is area or location). When the notice has
attachments whose text we could not read, a missing field is *insufficient*: the unread file may state it.
``iter_lot_parcels`` yields the same extraction per lot for ``auction-monitor parcels``. Extractions are reused
from ``feature_cache`` while a lot's texts and the extractor are unchanged.
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
from detectors.evidence import parcel_details as evidence_declaration
from vntext import parcels
from vntext.parcels import ATTACHMENT_PREFIX, FIELDS, NOTICE_SOURCE, ParcelDetails, extract_parcel_details
from storage.feature_cache import cached, input_hash, source_version
from storage.models import (Attachment, AuctionNotice, Lot, SelectionNotice, ThadsNotice, text_fully_read,
                            text_usable)
from storage.timeutil import to_local

RULE = "missing_parcel_fields"
PARCEL_EXTRACTOR_VERSION = source_version(parcels.__file__)
NoticeKind = Literal["selection_notice", "auction_notice", "thads_notice"]
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


def _notice_keys(session: Session, kind: str, settings: Settings, since: date | None) -> list[str]:
    """Keys of the notices to read, in order (light columns only: a national history has ~600,000 notices)."""
    if kind == "auction_notice":
        rows = session.execute(select(AuctionNotice.id, AuctionNotice.published_at).order_by(AuctionNotice.id))
        days = ((str(k), to_local(p)) for k, p in rows)
        pairs = [(k, p.date() if p else None) for k, p in days]
    elif kind == "selection_notice":
        S = SelectionNotice
        pairs = []
        for k, first, published in session.execute(select(S.id, S.first_published_at, S.published_at).order_by(S.id)):
            found = [to_local(v) for v in (first, published) if v is not None]
            pairs.append((str(k), min(found).date() if found else None))
    elif kind == "thads_notice":
        T = ThadsNotice
        pairs = [(k, on or noted) for k, on, noted in session.execute(
            select(T.key, T.published_on, T.notice_date).where(T.category.in_(settings.thads_categories))
            .order_by(T.key))]
    else:
        return []
    return [k for k, day in pairs if since is None or (day is not None and day >= since)]


def _notices(session: Session, kind: str, keys: list[str]) -> list[_Notice]:
    """The notices of these keys, in the order given."""
    out: dict[str, _Notice] = {}
    if kind == "auction_notice":
        A = AuctionNotice
        for nid, name, url, owner, province, published, type_id, type_name in session.execute(
                select(A.id, A.property_name, A.url, A.owner_name, A.province, A.published_at, A.property_type_id,
                       A.property_type_name).where(A.id.in_([int(k) for k in keys]))):
            pub = to_local(published)
            out[str(nid)] = _Notice(str(nid), name, url, owner, province, pub.date() if pub else None, type_id,
                                    type_name)
    elif kind == "selection_notice":
        S = SelectionNotice
        for nid, name, url, owner, province, first, published in session.execute(
                select(S.id, S.property_name, S.url, S.owner_name, S.province, S.first_published_at, S.published_at)
                .where(S.id.in_([int(k) for k in keys]))):
            found = [to_local(v) for v in (first, published) if v is not None]
            out[str(nid)] = _Notice(str(nid), name, url, owner, province, min(found).date() if found else None)
    elif kind == "thads_notice":
        T = ThadsNotice
        for key, title, url, owner, province, published_on, notice_date in session.execute(
                select(T.key, T.title, T.url, T.owner_name, T.province, T.published_on, T.notice_date)
                .where(T.key.in_(keys))):
            out[key] = _Notice(key, title, url, owner, province, published_on or notice_date)
    return [out[k] for k in keys if k in out]


_LOT_TEXT_COLUMNS = (("name", Lot.name), ("place", Lot.place), ("quality", Lot.quality), ("detail", Lot.detail),
                     ("amount", Lot.amount))


def _lot_texts(own: dict[str, str | None], notice_name: str | None, attachments: dict[str, str]) -> dict[str, str]:
    texts: dict[str, str] = {}
    for source, value in own.items():
        if value and value.strip():
            texts[source] = value
    if notice_name and notice_name.strip():
        texts[NOTICE_SOURCE] = notice_name
    for name, text in attachments.items():
        texts[ATTACHMENT_PREFIX + name] = text
    return texts


def iter_lot_chunks(session: Session, settings: Settings, since: date | None = None) -> Iterator[list[LotInput]]:
    """Every lot of the configured notice kinds with its texts, a few hundred notices' lots at a time (lots and
    attachments are loaded per chunk of notices, as plain rows)."""
    for kind in settings.notice_kinds:
        keys = _notice_keys(session, kind, settings, since)
        for i in range(0, len(keys), CHUNK):
            chunk = {n.key: n for n in _notices(session, kind, keys[i:i + CHUNK])}
            lots: dict[str, list[tuple]] = defaultdict(list)
            for row in session.execute(
                    select(Lot.notice_key, Lot.lot_index, Lot.property_type_id, Lot.property_type_name,
                           *(col for _, col in _LOT_TEXT_COLUMNS))
                    .where(Lot.notice_kind == kind, Lot.notice_key.in_(list(chunk)))
                    .order_by(Lot.notice_key, Lot.lot_index)):
                lots[row[0]].append(row)
            texts: dict[str, dict[str, str]] = defaultdict(dict)
            unread: dict[str, list[str]] = defaultdict(list)
            for notice_key, original, file_name, status, text in session.execute(
                    select(Attachment.notice_key, Attachment.original_name, Attachment.file_name,
                           Attachment.text_status, Attachment.text)
                    .where(Attachment.notice_kind == kind, Attachment.notice_key.in_(list(chunk)))
                    .order_by(Attachment.id)):
                name = original or file_name
                if text_usable(status) and text:
                    texts[notice_key][name] = text[:MAX_ATTACHMENT_CHARS]
                if not text_fully_read(status):  # pending, failed, too large, a scan without OCR, ...
                    unread[notice_key].append(f"{name} ({status})")
            out: list[LotInput] = []
            for key, notice in chunk.items():
                for _, lot_index, type_id, type_name, *own in lots.get(key, []):
                    out.append(LotInput(
                        notice_kind=kind, notice_key=key, lot_index=lot_index,
                        texts=_lot_texts(dict(zip((n for n, _ in _LOT_TEXT_COLUMNS), own)), notice.name,
                                         texts.get(key, {})),
                        property_type_id=type_id if type_id is not None else notice.property_type_id,
                        property_type_name=type_name or notice.property_type_name,
                        url=notice.url, owner_name=notice.owner_name, province=notice.province,
                        unread_attachments=unread.get(key, [])))
            if out:
                yield out


def iter_lot_inputs(session: Session, settings: Settings, since: date | None = None) -> Iterator[LotInput]:
    """Every lot of the configured notice kinds with its texts."""
    for chunk in iter_lot_chunks(session, settings, since):
        yield from chunk


def extract_for(lot: LotInput, settings: Settings) -> ParcelDetails:
    return extract_parcel_details(lot.texts, property_type_id=lot.property_type_id,
                                  property_type_name=lot.property_type_name, required=settings.required)


def _subject(lot: LotInput) -> str:
    return f"{lot.notice_kind}:{lot.notice_key}:{lot.lot_index}"


def _extract(lot: LotInput) -> dict[str, Any]:
    return extract_parcel_details(lot.texts, property_type_id=lot.property_type_id,
                                  property_type_name=lot.property_type_name).as_dict()


def iter_lot_details(session: Session, settings: Settings, since: date | None = None,
                     counters: dict[str, int] | None = None) -> Iterator[tuple[LotInput, ParcelDetails]]:
    """Each lot with its parcel details, reusing the extraction stored by an earlier run when the lot's texts,
    property type and the extractor are unchanged (``storage.feature_cache``)."""
    for chunk in iter_lot_chunks(session, settings, since):
        items = [(_subject(lot), input_hash(PARCEL_EXTRACTOR_VERSION, [lot.texts, lot.property_type_id,
                                                                        lot.property_type_name]), lot)
                 for lot in chunk]
        found = cached(session, "parcel", items, _extract, counters)
        for lot in chunk:
            yield lot, ParcelDetails.from_dict(found[_subject(lot)]).with_required(settings.required)


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
        self._cache: dict[str, int] = {}

    def evaluate(self, ctx: DetectionContext) -> Iterator[Result]:
        s: Settings = self.settings  # type: ignore[assignment]
        self._land, self._missing, self._status = 0, Counter(), Counter()
        self._cache: dict[str, int] = {}
        for lot, details in iter_lot_details(ctx.session, s, ctx.since, self._cache):
            yield self._evaluate_lot(lot, details, s)

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
                "missing_share": share, "status_counts": dict(sorted(self._status.items())),
                "extractions": dict(sorted(self._cache.items()))}


__all__ = ["ParcelDetailsDetector", "Settings", "iter_lot_parcels", "iter_lot_inputs", "LotInput"]
