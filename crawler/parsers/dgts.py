"""Maps dgts portal-dataset documents (as assembled by the spiders or read from a dataset file) to typed rows.

Pure functions: a document in, plain dicts out (``ParsedRecord``). Unknown fields are ignored here but kept in the
snapshot document, so nothing the portal returned is lost. Field names follow ``shared/reference/dgts-api.md``;
where clients disagree (``ownerFullname`` vs ``fullname``, ``orgName`` vs ``org_name``) every known spelling is
read. Time values are epoch milliseconds read in Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from storage.kinds import RecordKind
from storage.timeutil import from_epoch_ms, local_date

PORTAL = "https://dgts.moj.gov.vn"
PAGE_PATHS = {
    RecordKind.DGTS_AUCTION_NOTICE: "/thong-bao-cong-khai-viec-dau-gia/{slug}-{id}.html",
    RecordKind.DGTS_SELECTION_NOTICE: "/thong-bao-lua-chon-to-chuc-dau-gia/{slug}-{id}.html",
    RecordKind.DGTS_SELECTION_RESULT: "/thong-bao-ket-qua-lua-chon-to-chuc-dau-gia/{slug}-{id}.html",
}
LINK_ID_FIELDS = ("choiceOrgID", "choiceOrgId", "choice_org_id", "noticeID", "noticeId", "selectNoticeId")


def slugify(text: str | None, limit: int = 120) -> str:
    """The portal's slug: accents stripped, non-alphanumerics to '-' (only the trailing id matters)."""
    s = unicodedata.normalize("NFD", (text or "")[:1000].replace("đ", "d").replace("Đ", "D"))
    s = "".join(c for c in s if unicodedata.category(c) != "Mn").lower()
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    return (s[:limit].rstrip("-")) or "thong-bao"


def page_url(record_kind: str, record_id: Any, name: str | None, base: str = PORTAL) -> str:
    return base + PAGE_PATHS[record_kind].format(slug=slugify(name), id=record_id)


def as_dict(value: Any) -> dict[str, Any]:
    """A part the portal sends as an object; anything else (a string, a list, true) reads as empty."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """A part the portal sends as an array; anything else reads as empty."""
    return value if isinstance(value, list) else []


def first(*values: Any) -> Any:
    for v in values:
        if v not in (None, "", [], {}):
            return v
    return None


MAX_ID = 2**53  # portal ids are far below; beyond this a value is junk (and no longer exact as a float)
MAX_CODE = 2**31 - 1  # small codes (property types, deposit units, SharePoint item ids) fit a 32-bit column


def as_int(value: Any, limit: int = MAX_ID) -> int | None:
    """An integer of magnitude at most ``limit``, from a number or numeric string; None for anything else."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = value if isinstance(value, int) else int(float(value))
    except (TypeError, ValueError, OverflowError):  # OverflowError: "1e400", inf
        return None
    return number if -limit <= number <= limit else None


def portal_id(value: Any, limit: int = MAX_ID) -> int | None:
    """A record id as the portal writes it: a positive integer (a JSON number without a fraction, or a string of
    digits). ``true``, ``-5``, ``593515.5``, ``"1e3"`` and anything else are None, never coerced."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    else:
        return None
    return number if 0 < number <= limit else None


def as_code(value: Any) -> int | None:
    """A small non-negative code (property type, deposit unit, SharePoint item id) or None."""
    number = as_int(value, MAX_CODE)
    return number if number is not None and number >= 0 else None


def as_float(value: Any) -> float | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return f if f == f and abs(f) < 1e18 else None  # NaN and absurd values are not prices


def as_amount(value: Any) -> float | None:
    """A price, deposit or fee: a finite non-negative number; strings are read the Vietnamese way
    ("1.000.000đ", "1,5 tỷ đồng", "304.428.640"), as the portal writes them in its ``str*`` fields."""
    if isinstance(value, str):
        from vntext.core import parse_vnd

        amount = parse_vnd(value)
        return float(amount) if amount is not None else None
    number = as_float(value)
    return number if number is not None and number >= 0 else None


def text(value: Any, limit: int = 100_000) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    return s[:limit] if s else None


@dataclass
class ParsedLot:
    lot_index: int
    name: str | None = None
    amount: str | None = None
    place: str | None = None
    quality: str | None = None
    detail: str | None = None
    start_price: float | None = None
    deposit: float | None = None
    deposit_unit: int | None = None
    file_cost: float | None = None
    property_type_id: int | None = None
    property_type_name: str | None = None


@dataclass
class ParsedFile:
    file_key: str
    file_name: str
    role: str
    link: str | None  # download token as last captured (changes on every fetch; never identity)
    download_path: str  # "/portal/downloadFile" or "/ThongTin/downloadFile"


@dataclass
class ParsedRecord:
    kind: str  # dgts.auction_notice | dgts.selection_notice | dgts.selection_result
    id: int
    fields: dict[str, Any]
    owner_name: str | None
    owner_address: str | None
    org_name: str | None
    lots: list[ParsedLot] = field(default_factory=list)
    files: list[ParsedFile] = field(default_factory=list)


def _lot(i: int, row: dict[str, Any]) -> ParsedLot:
    return ParsedLot(
        lot_index=i,
        name=text(row.get("propertyName")),
        amount=text(row.get("propertyAmount")),
        place=text(row.get("propertyPlace")),
        quality=text(row.get("propertyQuality")),
        detail=text(row.get("detail")),
        start_price=as_amount(row.get("propertyStartPrice")),
        deposit=as_amount(row.get("deposit")),
        deposit_unit=as_code(row.get("depositUnit")),
        file_cost=as_amount(row.get("fileCost")),
        property_type_id=as_code(row.get("propertyTypeId")),
        property_type_name=text(row.get("propertyTypeName")),
    )


def _files(items: Any, role: str, path: str) -> list[ParsedFile]:
    out = []
    for i, f in enumerate(items if isinstance(items, list) else []):
        if not isinstance(f, dict):
            continue
        name = text(f.get("fileName")) or f"file-{i}"
        key = str(first(f.get("idFile"), f.get("id"), name))
        out.append(ParsedFile(file_key=key, file_name=name, role=role, link=f.get("linkFile"), download_path=path))
    return out


def parse_auction_notice(doc: dict[str, Any]) -> ParsedRecord:
    item = as_dict(doc.get("list_item"))
    detail = as_dict(doc.get("detail"))
    if isinstance(detail.get("auctionInfo"), dict):  # the nested shape K-doc reported
        detail = {**detail["auctionInfo"], **{k: v for k, v in detail.items() if k != "auctionInfo"}}
    rid = portal_id(first(doc.get("id"), item.get("id")))
    history = [h for h in as_list(doc.get("publish_history")) + as_list(doc.get("corrections")) if isinstance(h, dict)]
    own = next((h for h in history if as_int(h.get("auctionInfoId")) == rid), {})
    related = sorted({as_int(h.get("auctionInfoId")) for h in history} - {rid, None})
    root_id = as_int(first(own.get("rootID"), item.get("rootID"), detail.get("rootID")))
    name = text(first(item.get("propertyName"), detail.get("propertyName")))
    lots = [_lot(i, r) for i, r in enumerate(as_list(doc.get("property_info"))) if isinstance(r, dict)]
    type_id = as_code(first(item.get("propertyTypeId"), *(l.property_type_id for l in lots)))
    fields = {
        "title": text(item.get("titleName")),
        "property_name": name,
        "published_at": from_epoch_ms(first(item.get("publishTime1"), own.get("publishTime1"))),
        "republished_at": from_epoch_ms(first(item.get("publishTime2"), own.get("publishTime2"))),
        "auction_at": from_epoch_ms(first(item.get("aucTime"), detail.get("aucTime"))),
        "reg_start": from_epoch_ms(first(item.get("aucRegTimeStart"), detail.get("aucRegTimeStart"))),
        "reg_end": from_epoch_ms(first(item.get("aucRegTimeEnd"), detail.get("aucRegTimeEnd"))),
        "deposit_start": from_epoch_ms(first(detail.get("aucTimeDepositStart"), item.get("depositTimeStart"),
                                             detail.get("strAucTimeDepositStart"))),
        "deposit_end": from_epoch_ms(first(detail.get("aucTimeDepositEnd"), item.get("depositTimeEnd"),
                                           detail.get("strAucTimeDepositEnd"))),
        "property_type_id": type_id,
        "property_type_name": text(first(item.get("propertyTypeName"), *(l.property_type_name for l in lots))),
        "root_id": root_id,
        "related_ids": related,
        "round_label": text(own.get("strLevelCorrection"), 200),
        "url": page_url(RecordKind.DGTS_AUCTION_NOTICE, rid, name),
    }
    return ParsedRecord(
        kind=RecordKind.DGTS_AUCTION_NOTICE, id=rid, fields=fields,
        owner_name=text(first(item.get("fullname"), detail.get("fullName"), detail.get("fullname"))),
        owner_address=text(detail.get("addrOwner")),
        org_name=text(first(item.get("org_name"), item.get("orgName"), detail.get("orgFullName"))),
        lots=lots,
        files=_files(detail.get("listFile"), "notice_file", "/portal/downloadFile"),
    )


def parse_selection_notice(doc: dict[str, Any]) -> ParsedRecord:
    item = as_dict(doc.get("list_item"))
    detail = as_dict(doc.get("detail"))
    if isinstance(detail.get("items"), list):  # an un-unwrapped envelope
        detail = detail["items"][0] if detail["items"] else {}
    edit = as_dict(doc.get("edit_notice"))
    rid = portal_id(first(doc.get("id"), item.get("id"), detail.get("id")))
    name = text(first(item.get("propertyName"), detail.get("propertyName")))
    props = doc.get("properties") if isinstance(doc.get("properties"), list) else []
    lots = [_lot(i, r) for i, r in enumerate(props) if isinstance(r, dict)]
    files = _files(edit.get("listFileNotice"), "criteria", "/ThongTin/downloadFile")
    for p in as_list(edit.get("property")):
        if isinstance(p, dict):
            files += _files(p.get("listFile"), "notice_file", "/ThongTin/downloadFile")
    fields = {
        "property_name": name,
        "published_at": from_epoch_ms(first(item.get("lastUpdated"), detail.get("lastUpdated"))),
        "created_at": from_epoch_ms(detail.get("genDate")),
        "window_start": local_date(first(item.get("receiveTimeStart"), detail.get("fromDate"))),
        "window_end": local_date(first(item.get("receiveTimeEnd"), detail.get("toDate"))),
        "address_receive": text(detail.get("addressReceive")),
        "contact_info": text(detail.get("contactInfo")),
        "root_id": as_int(first(item.get("rootID"), detail.get("rootID"), detail.get("rootId"))),
        "notice_text": text((edit.get("notice") or {}).get("content")) if isinstance(edit.get("notice"), dict) else None,
        "url": page_url(RecordKind.DGTS_SELECTION_NOTICE, rid, name),
    }
    return ParsedRecord(
        kind=RecordKind.DGTS_SELECTION_NOTICE, id=rid, fields=fields,
        owner_name=text(first(detail.get("ownerFullname"), item.get("ownerFullname"), item.get("fullname"))),
        owner_address=text(first(detail.get("addrOwner"), detail.get("ownerAddress"))),
        org_name=None, lots=lots, files=files,
    )


def parse_selection_result(doc: dict[str, Any]) -> ParsedRecord:
    item = as_dict(doc.get("list_item"))
    owner = as_dict(doc.get("owner"))
    history = as_dict(doc.get("history"))
    info = as_dict(doc.get("info"))
    org = history.get("orgInfo") if isinstance(history.get("orgInfo"), dict) else {}
    rid = portal_id(first(doc.get("id"), item.get("id")))
    name = text(first(item.get("propertyName"), info.get("subPropertyName")))
    link = None
    for part in (info, history, item):
        link = as_int(first(*(part.get(k) for k in LINK_ID_FIELDS)))
        if link:
            break
    lots = [_lot(i, r) for i, r in enumerate(as_list(history.get("property"))) if isinstance(r, dict)]
    files = _files(first(info.get("listFile"), history.get("listFile"), info.get("listFileResult")),
                   "result_file", "/ThongTin/downloadFile")
    fields = {
        "property_name": name,
        "notice_id": link,
        "published_at": from_epoch_ms(first(item.get("publishTime"), info.get("publishTime"))),
        "org_address": text(org.get("addrFull")),
        "result_text": text(first(info.get("publishInfo"), info.get("content"), history.get("publishInfo"))),
        "url": page_url(RecordKind.DGTS_SELECTION_RESULT, rid, name),
    }
    return ParsedRecord(
        kind=RecordKind.DGTS_SELECTION_RESULT, id=rid, fields=fields,
        owner_name=text(first(item.get("ownerFullname"), owner.get("fullname"), owner.get("ownerFullname"))),
        owner_address=text(first(owner.get("addrOwner"), item.get("ownerAddress"))),
        org_name=text(first(item.get("orgName"), org.get("orgName"), item.get("org_name"))),
        lots=lots, files=files,
    )


PARSERS = {
    RecordKind.DGTS_AUCTION_NOTICE: parse_auction_notice,
    RecordKind.DGTS_SELECTION_NOTICE: parse_selection_notice,
    RecordKind.DGTS_SELECTION_RESULT: parse_selection_result,
}


def parse_document(doc: dict[str, Any]) -> ParsedRecord:
    kind = doc.get("kind")
    parser = PARSERS.get(kind)
    if parser is None:
        raise ValueError(f"not a dgts record kind: {kind!r}")
    parsed = parser(doc)
    if parsed.id is None:
        raise ValueError(f"{kind} document without an id")
    return parsed
