"""Land-parcel details of one auctioned lot: is it land, and which parcel facts does its text state.

Pure text analysis (no database, no network) for detector D2 ("missing parcel details"). Input is a mapping of named
text sources of one lot of a dgts selection notice or auction notice::

    name, place, quality, detail, amount      the lot's own fields (propertyName, propertyPlace, ...)
    attachment:<file name>                    text extracted from an attached file
    notice_name                               the notice-level propertyName (used last, see below)

Output is a :class:`ParcelDetails`: ``is_land`` with its reason, the fields ``parcel_no``, ``map_sheet``, ``area_m2``,
``location``, ``certificate``, ``land_use_purpose``, ``use_term``, the source each field came from, and ``missing``
(the required fields found in no source; always empty for a lot that is not land).

Decisions (documented because the text allows several readings):

* A debt sale (``khoản nợ``, ``khoản vay``, ``dư nợ``, ``nợ xấu`` named before any land words) is **not** land, even
  when the debt is secured by a land-use right: the buyer acquires a receivable, the parcel is only collateral.
  Its parcel facts are still extracted (useful for matching relisted assets), but ``missing`` stays empty.
* Property type 173 is always land. Otherwise the lot name decides first (a boat stays a boat even if its valuer
  "tư vấn bất động sản" is named elsewhere), then the lot's other texts; attachments and the notice name are
  consulted only when the lot's own texts are silent (a multi-lot notice's files describe other lots too).
* Every field is read from the lot's own texts first; attachments, then the notice name, only fill a field the own
  texts lack (``sources`` says which text gave each field, "name+place" when several own texts did).
* ``area_m2`` is the **first** land area of the first source that states one (usually the certificate area, or the
  total before a breakdown); building, floor, rental and exploitation areas are skipped. All land areas of that
  source are kept in ``areas_m2``. Summing every area was rejected: notices repeat one parcel's area (certificate vs
  measured) and list breakdowns after totals. A lot of several parcels, each introduced with its own area ("thửa
  đất số 2 ... diện tích 5.228,6 m2; thửa đất số 24 ... 337,9 m2"), has the sum of the first area after each parcel
  (``parcel_areas``), unless the text states a total ("tổng diện tích"). Hectares are converted (1 ha = 10,000 m²).
* ``certificates`` lists every certificate serial (one per parcel of a multi-parcel lot).
* Plot codes of a planned area ("thửa đất có ký hiệu LK1-25, LK1-26") are parcel numbers.
* A building on leased land ("công trình xây dựng trên đất thuê") is not land: no land-use right is sold. The name
  of a certificate ("Giấy chứng nhận quyền sử dụng đất ...") is not a land word.
* Vietnamese numbers are read by ``vntext.numbers`` (",": decimal mark, ".": thousands, "2.835" = 2835, "368.2").
* ``parcel_no`` and ``map_sheet`` collect every identifier the lot's own texts give (old and new numbering both).
* ``certificate`` is the certificate serial (số phát hành, "BV 684861") when stated, else the register entry
  (số vào sổ, "CH01218").
* ``notice_name`` is ignored when it is the lot's own name or a join of several lots' names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from itertools import islice
from types import MappingProxyType
from typing import Any

from vntext.fold import fold_index, fold_lower, lower_keep_length
from vntext.numbers import parse_vn_number
from vntext.provinces import PROVINCE_NAME_RE

MAX_TEXT_CHARS = 200_000
LAND_PROPERTY_TYPE_ID = 173
FIELDS = ("parcel_no", "map_sheet", "area_m2", "location", "certificate", "land_use_purpose", "use_term")
DEFAULT_REQUIRED = ("parcel_no", "map_sheet", "area_m2", "location")
OWN_SOURCES = ("name", "place", "quality", "detail", "amount")
NOTICE_SOURCE = "notice_name"
ATTACHMENT_PREFIX = "attachment:"
_MAX_ITEMS = 40
_LOCATION_MAX = 250


@dataclass(frozen=True)
class ParcelDetails:
    """What one lot's texts say about its land parcel."""

    is_land: bool
    land_reason: str
    parcel_no: tuple[str, ...] = ()
    map_sheet: tuple[str, ...] = ()
    area_m2: float | None = None
    areas_m2: tuple[float, ...] = ()
    location: str | None = None
    certificate: str | None = None
    certificates: tuple[str, ...] = ()
    parcel_areas: tuple[tuple[str, float], ...] = ()
    land_use_purpose: str | None = None
    use_term: str | None = None
    sources: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    missing: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "is_land": self.is_land,
            "land_reason": self.land_reason,
            "parcel_no": list(self.parcel_no),
            "map_sheet": list(self.map_sheet),
            "area_m2": self.area_m2,
            "areas_m2": list(self.areas_m2),
            "location": self.location,
            "certificate": self.certificate,
            "certificates": list(self.certificates),
            "parcel_areas": [list(p) for p in self.parcel_areas],
            "land_use_purpose": self.land_use_purpose,
            "use_term": self.use_term,
            "sources": dict(self.sources),
            "missing": list(self.missing),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "ParcelDetails":
        """Inverse of ``as_dict`` (a cached extraction)."""
        return cls(
            is_land=bool(d["is_land"]), land_reason=d["land_reason"], parcel_no=tuple(d["parcel_no"]),
            map_sheet=tuple(d["map_sheet"]), area_m2=d["area_m2"], areas_m2=tuple(d["areas_m2"]),
            location=d["location"], certificate=d["certificate"],
            certificates=tuple(d.get("certificates", ())),
            parcel_areas=tuple((str(k), float(a)) for k, a in d.get("parcel_areas", ())),
            land_use_purpose=d["land_use_purpose"],
            use_term=d["use_term"], sources=MappingProxyType(dict(d["sources"])), missing=tuple(d["missing"]))

    def with_required(self, required: Iterable[str]) -> "ParcelDetails":
        """The same extraction judged against another list of required fields."""
        values = self.as_dict()
        missing = tuple(f for f in required if not values[f]) if self.is_land else ()
        return self if missing == self.missing else replace(self, missing=missing)


# --------------------------------------------------------------------------------------------------------------------
# Text views: the cleaned text, its lowercase and its accent-folded lowercase, all of the same length, so a match in
# the folded view is sliced from the original.

_CHAR_MAP = str.maketrans(
    {
        "\t": " ", "\r": "\n", "\u00a0": " ", "\u2007": " ", "\u2009": " ", "\u202f": " ", "\u200b": " ",
        "\ufeff": " ", "²": "2", "³": "3",
        # Cyrillic look-alikes seen in real notices ("BTСT", "VG50FRDМ")
        "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "К": "K", "М": "M", "О": "O", "Р": "P", "Т": "T",
        "Х": "X", "а": "a", "с": "c", "е": "e", "о": "o", "р": "p", "х": "x", "у": "y",
    }
)


@dataclass(frozen=True)
class _View:
    text: str
    low: str
    fold: str


def _view(raw: str) -> _View:
    text = unicodedata.normalize("NFC", raw[:MAX_TEXT_CHARS]).translate(_CHAR_MAP)
    return _View(text, lower_keep_length(text), fold_lower(text))


def _fold(text: str) -> str:
    return _view(text).fold


def _squash(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------------------------------------------------
# Numbers and areas

_NUMBER = r"\d[\d.,]{0,20}\d|\d"
_AREA_RE = re.compile(rf"(?<![\w.,/])({_NUMBER})\s?(m2(?!\d)|met vuong\b|hec-?ta\b|hec ta\b|ha(?![a-z0-9]))")
_CLAUSE_BREAK_RE = re.compile(r"[;()\n+]|[.,](?=\s)")
_NON_LAND_AREA_RE = re.compile(
    r"(?<!\w)(?:xây dựng|dtxd|sàn|sân|nhà(?! nước)|mái|chuồng|xưởng|kho|tầng|hàng rào|công trình|ki-?ốt|kiot|"
    r"cho thuê|khai thác|mặt bằng|giữ xe|ăn uống|giảm|tăng thêm|chênh lệch)(?!\w)"
)


def _clause_before(low: str, pos: int, width: int = 50) -> str:
    window = low[max(0, pos - width):pos]
    breaks = list(_CLAUSE_BREAK_RE.finditer(window))
    return window[breaks[-1].end():] if breaks else window


def _land_areas(v: _View) -> list[float]:
    areas: list[float] = []
    for m in _AREA_RE.finditer(v.fold):
        unit = m.group(2)
        if unit == "ha" and v.low[m.start(2):m.end(2)] != "ha":  # "12 Hà Nội" is not 12 hectares
            continue
        value = parse_vn_number(m.group(1))
        if value is None or value <= 0:
            continue
        if _NON_LAND_AREA_RE.search(_clause_before(v.low, m.start())):
            continue
        m2 = round(value if unit.startswith("m") else value * 10_000, 4)
        if m2 not in areas:
            areas.append(m2)
        if len(areas) >= _MAX_ITEMS:
            break
    return areas


def land_areas(text: str) -> list[float]:
    """Land areas (m²) stated in ``text``, in order; building, floor, rental and exploitation areas are skipped."""
    return _land_areas(_view(text))


# --------------------------------------------------------------------------------------------------------------------
# Parcel numbers and map sheets

_PARCEL_INTRO_RE = re.compile(r"\bthua(?:\s+dat){0,2}(?:\s+cu)?(?:\s+so)?\s*[:.]?\s*")
_PARCEL_LIST_RE = re.compile(r"\d{1,6}[a-z]?(?:\s*,\s*\d{1,6}[a-z]?){1,30}(?![\w.,])")
_PARCEL_ITEM_RE = re.compile(  # "77", "1182a", "256/03", "Lô 09", "TĐ - 5"
    r"(?:lo\s+[a-z]{0,2}\d{1,4}[a-z0-9-]{0,6}|td\s*[-/]\s*\d{1,4}|\d{1,6}[a-z]?(?:/\d{1,4})?)(?!\w)(?![.,]\d)"
)
_SHEET_INTRO_RE = re.compile(
    r"\b(?:to\s+ban\s+do(?:\s+dia\s+chinh)?|tbd|to(?=\s+(?:cu|so)\b))(?:\s+cu)?(?:\s+so)?\s*[:.]?\s*"
)
_SHEET_ITEM_RE = re.compile(
    r"(?:td\s*[-/]\s*\d{1,4}|\d{1,4}[a-z]?(?:[-/:.](?:\d{1,4}[a-z]?|[ivx]{1,4}|[a-z]{1,2}))*)(?!\w)(?![.,]\d)"
)
_UNIT_AFTER_RE = re.compile(r"\s?(?:m2|met vuong|ha\b)")
_DOC_NUMBER_RE = re.compile(r"^\d+/(?:19|20)\d\d$")
_NEIGHBOUR_RE = re.compile(r"lien ke|giap ranh|tiep giap|ke ben|nguoi su dung")


def _id_key(identifier: str) -> str:
    key = re.sub(r"\s+", "", _fold(identifier))
    return key.lstrip("0") or "0"


def _clean_id(raw: str) -> str:
    return re.sub(r"\s*([-/])\s*", r"\1", _squash(raw))


def _is_neighbour_mention(fold: str, pos: int) -> bool:
    return bool(_NEIGHBOUR_RE.search(fold[max(0, pos - 40):pos]))


_PLOT_CODE_INTRO_RE = re.compile(
    r"\b(?:thua|lo|o|nen)(?:\s+dat)?\s+(?:co\s+)?(?:so\s+)?ky\s+hieu(?:\s+(?:lo|o|thua))?(?:\s+so)?\s*[:.]?\s*"
)
_PLOT_CODE_RE = re.compile(r"[a-z]{1,4}\s?\d{0,3}[a-z]?(?:\s?[-.]\s?[a-z]?\d{1,4}[a-z]?){1,2}(?![\w-])")
_PLOT_CODE_SEP_RE = re.compile(r"\s*(?:,|;|\bva\b|&)\s*")


def _plot_codes(v: _View) -> list[str]:
    """Plot codes of a planned area ("02 thửa đất có ký hiệu LK1-25, LK1-26", "ô đất ký hiệu BT.3-12")."""
    found: list[str] = []
    for intro in islice(_PLOT_CODE_INTRO_RE.finditer(v.fold), _MAX_ITEMS):
        pos = intro.end()
        while len(found) < _MAX_ITEMS:
            code = _PLOT_CODE_RE.match(v.fold, pos)
            if not code or not re.search(r"\d", code.group(0)):
                break
            _add_unique(found, _clean_id(v.text[code.start():code.end()]).upper())
            sep = _PLOT_CODE_SEP_RE.match(v.fold, code.end())
            if not sep:
                break
            pos = sep.end()
    return found


def _parcel_numbers(v: _View) -> list[str]:
    found: list[str] = _plot_codes(v)
    for intro in _PARCEL_INTRO_RE.finditer(v.fold):
        if v.low[intro.start():intro.start() + 4] != "thửa" or _is_neighbour_mention(v.fold, intro.start()):
            continue
        pos = intro.end()
        listed = _PARCEL_LIST_RE.match(v.fold, pos)
        if listed and not _UNIT_AFTER_RE.match(v.fold, listed.end()):
            items = [s.strip() for s in v.text[listed.start():listed.end()].split(",")]
        else:
            item = _PARCEL_ITEM_RE.match(v.fold, pos)
            if not item or _UNIT_AFTER_RE.match(v.fold, item.end()):
                continue
            if re.match(r"\s+phan\b", v.fold[item.end():item.end() + 8]):  # "thửa đất số 1 phần thửa 323"
                continue
            items = [v.text[item.start():item.end()]]
        for raw in items:
            ident = _clean_id(raw)
            if _DOC_NUMBER_RE.match(ident):  # "Phiếu đo đạc ... thửa đất số 660/2026"
                continue
            _add_unique(found, ident)
        if len(found) >= _MAX_ITEMS:
            break
    return found


_TOTAL_AREA_RE = re.compile(r"\b(?:tong (?:cong )?dien tich|tong dt|tong cong)\s*(?:dat\s*)?(?:la\s*)?[:.]?\s*")


_RENUMBERED_RE = re.compile(r"(?:\(|\bnay la|\btruoc day la|\bcu la)\s*(?:thua(?:\s+dat)?\s*(?:so)?)?\s*$|\bthua(?:\s+dat)?\s+cu\b")


def _parcel_areas(v: _View) -> list[tuple[str, float]]:
    """(parcel, first land area after it) for each parcel the text introduces, when it introduces several: a lot
    of three parcels states three areas, and its land area is their sum, not the first."""
    intros = [m for m in _PARCEL_INTRO_RE.finditer(v.fold)
              if v.low[m.start():m.start() + 4] == "thửa" and not _is_neighbour_mention(v.fold, m.start())
              and not _RENUMBERED_RE.search(v.fold, max(0, m.start() - 25), m.end())]
    out: list[tuple[str, float]] = []
    seen: set[str] = set()
    for i, intro in enumerate(intros[:_MAX_ITEMS]):
        item = _PARCEL_ITEM_RE.match(v.fold, intro.end())
        if not item or _UNIT_AFTER_RE.match(v.fold, item.end()):
            continue
        key = _id_key(_clean_id(v.text[item.start():item.end()]))
        end = intros[i + 1].start() if i + 1 < len(intros) else len(v.text)
        areas = _land_areas(_View(v.text[intro.start():end], v.low[intro.start():end], v.fold[intro.start():end]))
        if areas and key not in seen:
            seen.add(key)
            out.append((key, areas[0]))
    return out if len(out) >= 2 else []


def _total_area(v: _View) -> float | None:
    m = _TOTAL_AREA_RE.search(v.fold)
    if not m:
        return None
    areas = _land_areas(_View(v.text[m.end():m.end() + 60], v.low[m.end():m.end() + 60], v.fold[m.end():m.end() + 60]))
    return areas[0] if areas else None


def _map_sheets(v: _View) -> list[str]:
    found: list[str] = []
    for intro in _SHEET_INTRO_RE.finditer(v.fold):
        at = intro.start()
        if v.fold.startswith("to ", at) and not v.fold.startswith("to ban", at) and v.low[at:at + 2] != "tờ":
            continue  # "tổ số 5" (a hamlet group) is not "tờ số 5"
        if _is_neighbour_mention(v.fold, intro.start()):
            continue
        item = _SHEET_ITEM_RE.match(v.fold, intro.end())
        if not item or _UNIT_AFTER_RE.match(v.fold, item.end()):
            continue
        _add_unique(found, _clean_id(v.text[item.start():item.end()]))
        if len(found) >= _MAX_ITEMS:
            break
    return found


def _add_unique(found: list[str], ident: str) -> None:
    if ident and _id_key(ident) not in {_id_key(x) for x in found}:
        found.append(ident)


# --------------------------------------------------------------------------------------------------------------------
# Land-use certificate

_SERIAL = r"[a-z]{1,2}\s?\d{6,8}(?!\w)"
_ENTRY = r"[a-z]{0,6}(?:-[a-z]{1,3})?\s?/?\d{3,8}[a-z0-9/:.-]{0,25}"
_CERT_SERIAL_RES = (
    re.compile(
        r"(?:giay chung nhan|gcn)\s*(?:quyen su dung|qsd)(?:(?!\.\s)[^;\n]){0,150}?"
        rf"\bso\s*(?:phat hanh|bia|phoi|seri)?\s*[:.]?\s*({_SERIAL})"
    ),
    re.compile(rf"(?:giay chung nhan|gcn)\s*(?:quyen su dung|qsd)\s*(?:dat|d)?\s*({_SERIAL})"),
    re.compile(rf"\bso\s+phat\s+hanh(?:\s+giay\s+chung\s+nhan|\s+gcn)?\s*[:.]?\s*({_SERIAL})"),
)
_CERT_SHORT_RE = re.compile(rf"\b(?:gcnqsdd|gcn(?:\s+qsdd)?)\s+so\s*[:.]?\s*({_SERIAL}|{_ENTRY})")
_CERT_ENTRY_RE = re.compile(
    r"\bvao\s+so(?:\s+cap)?(?:\s+(?:giay(?:\s+chung\s+nhan)?|gcn)(?:\s+(?:quyen su dung dat|qsdd))?)?"
    rf"(?:\s+so)?\s*[:.]?\s*({_ENTRY})"
)
_RED_BOOK_RE = re.compile(r"(?<!\w)(?:sổ đỏ|sổ hồng)\s+số\s*[:.]?\s*")
_CERT_TOKEN_RE = re.compile(rf"{_SERIAL}|{_ENTRY}")


def _certificate(v: _View) -> str | None:
    """Serial (số phát hành) first, then "GCN số X", then "sổ đỏ số X", then the register entry (số vào sổ)."""
    serials = sorted(m.start(1) for rx in _CERT_SERIAL_RES for m in rx.finditer(v.fold))
    shorts = [m.start(1) for m in _CERT_SHORT_RE.finditer(v.fold)]
    books = [m.end() for m in _RED_BOOK_RE.finditer(v.low)]
    entries = [m.start(1) for m in _CERT_ENTRY_RE.finditer(v.fold)]
    for pos in serials + shorts + books + entries:
        token = _CERT_TOKEN_RE.match(v.fold, pos)
        if token and re.search(r"[a-z]", token.group(0)) and re.search(r"\d{3}", token.group(0)):
            return _clean_token(v.text[pos:token.end()])
    return None


def _certificates(v: _View) -> list[str]:
    """Every certificate serial (số phát hành) the text states, in order; a multi-parcel lot has one per parcel."""
    found: list[str] = []
    for pos in sorted({m.start(1) for rx in _CERT_SERIAL_RES for m in rx.finditer(v.fold)}):
        token = _CERT_TOKEN_RE.match(v.fold, pos)
        if token and re.search(r"[a-z]", token.group(0)) and re.search(r"\d{3}", token.group(0)):
            _add_unique(found, _clean_token(v.text[pos:token.end()]))
        if len(found) >= _MAX_ITEMS:
            break
    return found


def _clean_token(raw: str) -> str:
    return _squash(raw).rstrip(".,:;/-")


# --------------------------------------------------------------------------------------------------------------------
# Land-use purpose and term

_LAND_CODES = (
    "ODT|ONT|CLN|LUC|LUK|LUN|LUA|HNK|BHK|NHK|LNK|LNC|LNQ|LNP|RSX|RPH|RDD|NTS|LMU|NKH|SKC|SKK|SKN|SKS|SKX|TMD|DGD|DYT|"
    "DVH|DTT|DKH|DXH|DGT|DTL|DNL|DSH|CQP|CAN|TSC|DTS|TON|NTD|MNC|PNK"
)
_CODE_LIST = rf"(?:{_LAND_CODES})(?:\s*[+,]\s*(?:{_LAND_CODES}))*"
_PURPOSE_LABEL_RE = re.compile(r"(?<!\w)(?:mục đích sử dụng(?: đất)?|mđsd|loại đất(?: trên gcn)?)\s*[:\-]?\s*")
_PURPOSE_CODE_RES = (
    re.compile(rf"(?<!\w)(?i:đất)\s*(?:\(\s*{_CODE_LIST}\s*\)|{_CODE_LIST}(?!\w))"),
    re.compile(rf"(?<=m2)\s*\({_CODE_LIST}\)"),
    re.compile(r"(?<!\w)(?i:đất)\s*\([A-Z]{1,3}\)"),
    re.compile(rf"\(\s*(?:{_LAND_CODES})\s*:\s*[\d.,]+\s*m2(?:\s*[+,]\s*(?:{_LAND_CODES})\s*:\s*[\d.,]+\s*m2)*\s*\)"),
)
_PURPOSE_PHRASE_RE = re.compile(
    r"(?<!\w)đất (?:ở(?: tại)? (?:nông thôn|đô thị)|ở|trồng cây (?:lâu năm|hằng năm|hàng năm)(?: khác)?|"
    r"(?:chuyên )?trồng lúa(?: nước| màu)?|rừng (?:sản xuất|phòng hộ|đặc dụng)|nông nghiệp(?: công ích| khác)?|"
    r"nuôi trồng th(?:ủy|uỷ) sản|(?:cơ sở )?sản xuất,? kinh doanh(?: phi nông nghiệp)?|"
    r"(?:cơ sở )?sản xuất phi nông n(?:gh|h)iệp|thương mại,? dịch vụ|làm muối)(?!\w)"
)
_PURPOSE_STOP_RE = re.compile(
    r"[;\n…]|\.\.\.|"
    r",?\s*(?:thời hạn|thsd|hình thức|nguồn gốc|địa chỉ|tọa lạc|toạ lạc|có địa chỉ|theo giấy|diện tích đo)"
)
_TERM_LABEL_RE = re.compile(
    r"(?<!\w)(?:thời hạn sử dụng(?: đất)?|thời hạn sd|thsd|thời hạn thuê(?: đất)?|thời hạn giao đất)(\s*[:\-])?\s*"
)
_TERM_STOP_RE = re.compile(r"[;\n]|\(được|,?\s*(?:nguồn gốc|hình thức|mục đích|địa chỉ|ghi chú)")
_TERM_INLINE_STOP_RE = re.compile(r"[;\n,(]|\s(?:có|thuộc|và|tại|theo|diện tích|cho)(?!\w)")
_TERM_PHRASE_RE = re.compile(r"(?<!\w)sử dụng (?:đất )?(lâu dài)(?!\w)")
_TERM_SHAPE_RE = re.compile(r"\d|lâu dài|lau dai|năm|đến")


def _land_use_purpose(v: _View) -> str | None:
    for m in islice(_PURPOSE_LABEL_RE.finditer(v.low), _MAX_ITEMS):
        value = _cut(v, m.end(), _PURPOSE_STOP_RE, 120)
        if value:
            return value
    found = [m for m in (rx.search(v.text) for rx in _PURPOSE_CODE_RES) if m]
    found += [m for m in [_PURPOSE_PHRASE_RE.search(v.low)] if m]
    if not found:
        return None
    first = min(found, key=lambda m: m.start())
    value = _squash(v.text[first.start():first.end()])
    return value.strip(" ()") if value.startswith("(") else value


def _use_term(v: _View) -> str | None:
    for m in islice(_TERM_LABEL_RE.finditer(v.low), _MAX_ITEMS):
        stops = _TERM_STOP_RE if m.group(1) else _TERM_INLINE_STOP_RE
        value = _cut(v, m.end(), stops, 220)
        if value and _TERM_SHAPE_RE.search(value.lower()):
            return value
    m = _TERM_PHRASE_RE.search(v.low)
    return v.text[m.start(1):m.end(1)] if m else None


# --------------------------------------------------------------------------------------------------------------------
# Phrase cutting shared by purpose, term and location

_ABBREVIATIONS = {"tp", "p", "x", "h", "q", "t", "tt", "tx", "kp", "tdp", "đ", "ng", "tn&mt", "cn"}


def _sentence_end(low: str, start: int, limit: int) -> int:
    """Index of the first sentence-ending period after start (abbreviations like "TP." do not end it)."""
    pos = start
    while True:
        dot = low.find(".", pos, limit)
        if dot < 0:
            return limit
        after = low[dot + 1:dot + 2]
        if after in ("", " ", "\n"):
            word = re.search(r"([\w&]+)$", low[max(start, dot - 6):dot])
            if not word or word.group(1) not in _ABBREVIATIONS:
                return dot
        pos = dot + 1


def _cut(v: _View, start: int, stops: re.Pattern[str], max_len: int) -> str | None:
    limit = min(len(v.text), start + max_len)
    end = _sentence_end(v.low, start, limit)
    stop = stops.search(v.low, start, end)
    if stop:
        end = stop.start()
    value = _squash(v.text[start:end]).strip(" ,.;:-–")
    if value.count("(") > value.count(")"):
        value += ")" * (value.count("(") - value.count(")"))
    return value or None


# --------------------------------------------------------------------------------------------------------------------
# Location

_LOWER_UNIT_RE = re.compile(
    r"(?<!\w)(?:xã|phường|thị trấn|đặc khu|thôn|ấp|khóm|xóm|tổ dân phố|khu phố|khu dân cư|kdc|tdp|đường|quốc lộ|phố)"
    r"(?!\w)\s*:?\s*"
)
_NOT_LOWER_AFTER = {"phố": r"(?:thành|khu|dân)\s$", "xã": r"thị\s$", "thôn": r"nông\s$"}
_LOWER_ABBR_RE = re.compile(r"(?<![\w.])(?:TT|TDP|KP|[XP])\.\s*|(?<![\w.])(?:TT|TDP|KP)\s+")
_UPPER_UNIT_RE = re.compile(r"(?<!\w)(?:huyện|quận|thị xã|thành phố|tỉnh|tp)(?!\w)\.?\s*")
_UPPER_ABBR_RE = re.compile(r"(?<![\w.])(?:TX|[HQT])\.\s*")
# An address ending with a bare province name after a comma or dash ("…, xã Y, Cần Thơ"); matched on fold_index text.
_BARE_PROVINCE_RE = re.compile(rf"(?:^|[,\-]\s*)(?:{PROVINCE_NAME_RE})\s*(?=$|[,.;()])")
_LAND_LABEL_RE = re.compile(
    r"\b(?:dia chi\s+(?:cua\s+)?thua\s+dat(?:\s+so)?|dia chi\s+(?:dat|tai san|co tai san|noi co tai san|bat dong san)|"
    r"toa lac|dia diem(?:\s+co\s+tai\s+san)?)(?:\s+tai)?\s*[:.]?\s*"
)
_GENERIC_LABEL_RE = re.compile(r"\b(?:tai\s+dia\s+chi|dia\s+chi)(?:\s+(?:cu|moi))?(?:\s+tai)?\s*[:.]?\s*")
_LEADING_NOISE_RE = re.compile(
    r"^(?:(?:\(\d{1,2}\)|tai|toa lac(?: tai)?|dia chi[^:]{0,25}:|dia diem[^:]{0,20}:|noi co tai san:?)\s*)+"
)
_LOCATION_STOP_RE = re.compile(
    r"[;\n]|\s\((?:theo|nơi có tài sản|chi tiết)|"
    r",?\s(?:theo (?:giấy|gcn|hồ sơ|quyết định|bản đồ|hợp đồng|sơ đồ|phiếu|trích)|"
    r"do (?:ubnd|ủy ban|uỷ ban|sở|chi nhánh|văn phòng|cục|phòng)|đứng tên|mang tên|cấp cho|thuộc quyền|diện tích|"
    r"có diện tích|dt\s*[:\d]|giấy chứng nhận|gcn|hình thức sử dụng|mục đích|mđsd|thửa đất số|tờ bản đồ|"
    r"và tài sản|và công trình|tài sản gắn|chi tiết|là tài sản|thế chấp|nguồn gốc|thời hạn|loại đất|số vào sổ|gồm)"
)
_PERSON_MARK_RE = re.compile(
    r"(?<!\w)(?:ông|bà(?! rịa)|công ty|sinh năm|hộ|trụ sở|doanh nghiệp|cùng địa chỉ|ngân hàng|chi nhánh|phòng|ubnd|"
    r"ủy ban|uỷ ban|cơ quan|trung tâm|chi cục|cục|bệnh viện|trường|công an)(?!\w)"
)
_LAND_MARK_RE = re.compile(r"(?<!\w)(?:thửa|tờ bản đồ|bất động sản|quyền sử dụng|qsdđ|diện tích|m2|gắn liền)(?!\w)")


def _followed_by_name(text: str, pos: int) -> bool:
    nxt = text[pos:pos + 1]
    return bool(nxt) and (nxt.isupper() or nxt.isdigit())


def _has_lower_unit(v: _View) -> bool:
    return bool(_lower_unit_starts(v))


def _lower_unit_starts(v: _View) -> list[int]:
    """Start positions of commune/ward, street and hamlet words that are followed by a name."""
    starts = []
    for m in _LOWER_UNIT_RE.finditer(v.low):
        word = v.low[m.start():m.end()].strip(" :")
        before = v.low[max(0, m.start() - 6):m.start()]
        if word in _NOT_LOWER_AFTER and re.search(_NOT_LOWER_AFTER[word], before):
            continue  # "thành phố", "thị xã", "Nông thôn Việt Nam" (a bank's name)
        if _followed_by_name(v.text, m.end()):
            starts.append(m.start())
    starts += [m.start() for m in _LOWER_ABBR_RE.finditer(v.text) if _followed_by_name(v.text, m.end())]
    return sorted(starts)


def _has_upper_unit(v: _View) -> bool:
    if any(_followed_by_name(v.text, m.end()) for m in _UPPER_UNIT_RE.finditer(v.low)):
        return True
    if any(_followed_by_name(v.text, m.end()) for m in _UPPER_ABBR_RE.finditer(v.text)):
        return True
    return bool(_BARE_PROVINCE_RE.search(fold_index(v.text)))


def is_location(text: str) -> bool:
    """True when text names a commune/ward, street or hamlet and a district or province."""
    v = _view(text[:_LOCATION_MAX * 4])
    return _has_lower_unit(v) and _has_upper_unit(v)


def _clean_location(raw: str) -> str | None:
    value = _squash(raw)
    noise = _LEADING_NOISE_RE.match(_fold(value))
    if noise:
        value = value[noise.end():]
    value = value.strip(" ,.;:-–")
    if len(value) > _LOCATION_MAX:
        cut = value.rfind(",", 0, _LOCATION_MAX)
        value = value[:cut if cut > 0 else _LOCATION_MAX].rstrip(" ,")
    if value.count("(") > value.count(")"):
        value += ")" * (value.count("(") - value.count(")"))
    return value if value and is_location(value) else None


def _owner_context(v: _View, pos: int) -> bool:
    window = v.low[max(0, pos - 150):pos]
    sentence_start = max(window.rfind(";"), window.rfind(". "))
    window = window[sentence_start + 1:]
    person = [m.start() for m in _PERSON_MARK_RE.finditer(window)]
    land = [m.start() for m in _LAND_MARK_RE.finditer(window)]
    return bool(person) and (not land or person[-1] > land[-1])


def _labelled_locations(v: _View, label_re: re.Pattern[str], skip_owner: bool) -> Iterable[str]:
    for m in islice(label_re.finditer(v.fold), _MAX_ITEMS):
        if v.text.count("(", 0, m.start()) > v.text.count(")", 0, m.start()):
            continue  # "(Địa chỉ cũ: ...)" is an aside, not the address
        if skip_owner and _owner_context(v, m.start()):
            continue
        phrase = _cut(v, m.end(), _LOCATION_STOP_RE, _LOCATION_MAX)
        cleaned = _clean_location(phrase) if phrase else None
        if cleaned:
            yield cleaned


def _chained_locations(v: _View) -> Iterable[str]:
    for start in _lower_unit_starts(v)[:_MAX_ITEMS]:
        if _owner_context(v, start):
            continue
        phrase = _cut(v, start, _LOCATION_STOP_RE, _LOCATION_MAX)
        cleaned = _clean_location(phrase) if phrase else None
        if cleaned:
            yield cleaned


def _location(own: list[tuple[str, _View]], secondary: list[tuple[str, _View]]) -> tuple[str | None, str | None]:
    for name, v in own:
        if name != "place":
            continue
        for label_re in (_LAND_LABEL_RE, _GENERIC_LABEL_RE):
            for found in _labelled_locations(v, label_re, skip_owner=False):
                return found, name
        whole = _clean_location(v.text[:_LOCATION_MAX * 2])
        if whole:
            return whole, name
    for group in ([s for s in own if s[0] != "place"], secondary):
        for finder in (
            lambda v: _labelled_locations(v, _LAND_LABEL_RE, skip_owner=False),
            lambda v: _labelled_locations(v, _GENERIC_LABEL_RE, skip_owner=True),
            _chained_locations,
        ):
            for name, v in group:
                for found in finder(v):
                    return found, name
    return None, None


# --------------------------------------------------------------------------------------------------------------------
# Is it land?

_LAND_FOLD_RE = re.compile(
    r"\bquyen su dung (?:[\w.,]+ ){0,3}?dat\b|\bqsd\s?d\b|\bqsd dat\b|\bgcnqsdd\b|\bthua dat\b|\bto ban do\b|\btbd\b|"
    r"\bbat dong san\b|\b(?:lo|suat) dat\b"
)
_LAND_LOW_RE = re.compile(
    r"(?<!\w)(?:nhà (?:và )?đất|thuê (?:lại )?đất|đất ở|đất nông nghiệp|đất trồng|đất chuyên trồng|đất rừng|"
    r"đất (?:cơ sở )?sản xuất|đất thương mại|đất nuôi trồng|m2 đất|ha đất|thửa (?:số )?\d)(?!\w)"
)
_LAND_CODE_RE = re.compile(rf"(?<!\w)(?i:đất)\s*\(?\s*(?:{_LAND_CODES})(?!\w)")
_DEBT_RE = re.compile(r"\b(?:khoan no|khoan vay|du no|no xau|quyen doi no|khoan phai thu)\b")
_NON_LAND_RE = re.compile(
    r"(?<!\w)(?:xe ô tô|ô tô|xe tải|xe máy|mô tô|xe gắn máy|rơ moóc|tàu|xà lan|máy|thiết bị|dây chuyền|hàng hóa|"
    r"hàng hoá|vật tư|vật liệu|phế liệu|gỗ|cây|rừng trồng|điện thoại|than|cát|tang vật|quyền khai thác|"
    r"quyền cho thuê|quyền thuê)(?!\w)"
)
_COLLATERAL_BEFORE_RE = re.compile(r"tai san (?:bao dam|the chap)|tsbd")


_CERTIFICATE_NAME_RE = re.compile(r"(?:giay chung nhan|gcn)\s*$")
_LEASED_BUILDING_RE = re.compile(
    r"\b(?:cong trinh|nha|toa nha|tai san|van phong|nha xuong)\b[^.;]{0,120}?"
    r"\b(?:tren|gan lien (?:voi|tren))\s+(?:khu\s+)?dat (?:di\s+)?thue\b"
)


def _first_land_match(v: _View) -> re.Match[str] | None:
    """The first land word, skipping the name of a certificate ("Giấy chứng nhận quyền sử dụng đất ... số CK 926908"
    says what paper the asset has, not that the asset is land)."""
    hits = []
    for rx, text in ((_LAND_FOLD_RE, v.fold), (_LAND_LOW_RE, v.low), (_LAND_CODE_RE, v.text)):
        for m in islice(rx.finditer(text), _MAX_ITEMS):
            if not _CERTIFICATE_NAME_RE.search(v.fold, max(0, m.start() - 20), m.start()):
                hits.append(m)
                break
    return min(hits, key=lambda m: m.start()) if hits else None


def _leased_building_signal(v: _View) -> str | None:
    """A building on leased land ("công trình xây dựng trên đất thuê"): the buyer gets the building and the lease,
    not a land-use right, unless a land-use right is named before it."""
    m = _LEASED_BUILDING_RE.search(v.fold, 0, 400)
    if not m:
        return None
    land = _first_land_match(v)
    if land and land.start() < m.start():
        return None
    return _squash(v.text[m.start():m.end()])


def _land_signal(v: _View) -> str | None:
    first = _first_land_match(v)
    return _squash(v.text[first.start():first.end()]) if first else None


def _debt_signal(v: _View) -> str | None:
    """The debt word when the lot is a debt: named in the first 300 characters and before any land words."""
    debt = _DEBT_RE.search(v.fold, 0, 300)
    if not debt or _COLLATERAL_BEFORE_RE.search(v.fold, max(0, debt.start() - 40), debt.start()):
        return None  # "tài sản bảo đảm cho khoản vay ...": the collateral itself is sold
    land = _first_land_match(v)
    if land and land.start() < debt.start():
        return None
    return _squash(v.text[debt.start():debt.end()])


def _classify(
    own: list[tuple[str, _View]],
    secondary: list[tuple[str, _View]],
    property_type_id: int | None,
    property_type_name: str | None,
) -> tuple[bool, str]:
    if property_type_id == LAND_PROPERTY_TYPE_ID:
        return True, f"property type {LAND_PROPERTY_TYPE_ID} (quyền sử dụng đất)"
    if property_type_name and "quyen su dung dat" in _fold(property_type_name):
        return True, f"property type name: {_squash(property_type_name)[:80]}"
    # The lead text (the lot name) decides first: a boat whose valuer is "... tư vấn bất động sản" is still a boat.
    # Secondary texts are read only when the lot's own texts are silent.
    for group in (own, secondary):
        if not group:
            continue
        lead_name, lead = group[0]
        debt = _debt_signal(lead)
        if debt:
            return False, f"debt sale ('{debt}' in {lead_name}): land, if any, is only collateral"
        leased = _leased_building_signal(lead)
        if leased:
            return False, f"building on leased land ('{leased}' in {lead_name}): no land-use right is sold"
        signal = _land_signal(lead)
        if signal:
            return True, f"text ({lead_name}): '{signal}'"
        other = _NON_LAND_RE.search(lead.low, 0, 300)
        if other:
            return False, f"non-land asset ({lead_name}): '{_squash(lead.text[other.start():other.end()])}'"
        for name, v in group[1:]:
            signal = _land_signal(v)
            if signal:
                return True, f"text ({name}): '{signal}'"
    return False, "no land signal in the texts"


# --------------------------------------------------------------------------------------------------------------------
# Sources and assembly


def _ordered_sources(texts: Mapping[str, str | None]) -> tuple[list[tuple[str, _View]], list[tuple[str, _View]]]:
    """(own sources, secondary sources): own = the lot's fields; secondary = attachments, then the notice name."""
    usable = {k: v for k, v in texts.items() if isinstance(k, str) and isinstance(v, str) and v.strip()}
    own_names = [k for k in OWN_SOURCES if k in usable]
    secondary_names = [k for k in usable if k.startswith(ATTACHMENT_PREFIX)]
    own_names += [k for k in usable if k not in OWN_SOURCES and k != NOTICE_SOURCE and k not in secondary_names]
    own = [(k, _view(usable[k])) for k in own_names]
    notice = usable.get(NOTICE_SOURCE)
    if notice is not None and not _notice_repeats_lot(notice, usable.get("name")):
        secondary_names.append(NOTICE_SOURCE)
    return own, [(k, _view(usable[k])) for k in secondary_names]


def _notice_repeats_lot(notice_name: str, lot_name: str | None) -> bool:
    """True when the notice name is this lot's name, or several lots' names joined (then it tells nothing new)."""
    if not lot_name:
        return False
    notice, lot = _squash(notice_name[:MAX_TEXT_CHARS]), _squash(lot_name[:MAX_TEXT_CHARS])
    return notice == lot or (len(lot) >= 10 and lot[:200] in notice)


def _first_value(
    groups: Iterable[list[tuple[str, _View]]], finder: Callable[[_View], Any]
) -> tuple[Any, str | None]:
    for group in groups:
        for name, v in group:
            value = finder(v)
            if value:
                return value, name
    return None, None


def _union_values(
    own: list[tuple[str, _View]], secondary: list[tuple[str, _View]], finder: Callable[[_View], list[str]]
) -> tuple[list[str], str | None]:
    found: list[str] = []
    contributors: list[str] = []
    for name, v in own:
        before = len(found)
        for ident in finder(v):
            _add_unique(found, ident)
        if len(found) > before:
            contributors.append(name)
    if found:
        return found[:_MAX_ITEMS], "+".join(contributors)
    values, name = _first_value([secondary], finder)
    return (list(values)[:_MAX_ITEMS], name) if values else ([], None)


_BUILDING_RE = re.compile(
    r"\b(?:nha o|nha (?:cap|xuong|kho|van phong|hang|tam|dat)|nha\b(?! nuoc)|can ho|chung cu|toa nha|cong trinh xay dung|"
    r"van phong|nha may|kho lanh|biet thu)\b"
)
REAL_ESTATE, DEBT, OTHER = "real_estate", "debt", "other"


def asset_class(texts: Mapping[str, str | None], property_type_ids: Iterable[int] = ()) -> tuple[str, str]:
    """``real_estate`` (land or buildings: the longer posting periods of Luật Đấu giá tài sản Điều 35), ``debt`` (a
    receivable, even one secured by land) or ``other``, with the reason. The lot name decides first."""
    types = set(property_type_ids)
    if LAND_PROPERTY_TYPE_ID in types:
        return REAL_ESTATE, f"property type {LAND_PROPERTY_TYPE_ID} (quyền sử dụng đất)"
    own, secondary = _ordered_sources(texts)
    for group in (own, secondary):
        if not group:
            continue
        lead_name, lead = group[0]
        debt = _debt_signal(lead)
        if debt:
            return DEBT, f"debt sale ('{debt}' in {lead_name})"
        land = _land_signal(lead)
        building = _BUILDING_RE.search(lead.fold, 0, 400)
        other = _NON_LAND_RE.search(lead.low, 0, 300)
        first_property = min((m for m in (_first_land_match(lead), building) if m), key=lambda m: m.start(),
                             default=None)
        if other and (first_property is None or other.start() < first_property.start()):
            return OTHER, f"non-real-estate asset ({lead_name}): '{_squash(lead.text[other.start():other.end()])}'"
        if land:
            return REAL_ESTATE, f"land ({lead_name}): '{land}'"
        if building:
            return REAL_ESTATE, f"building ({lead_name}): '{_squash(lead.text[building.start():building.end()])}'"
    return OTHER, "no land or building in the texts"


def classify_land(
    texts: Mapping[str, str | None], property_type_id: int | None = None, property_type_name: str | None = None
) -> tuple[bool, str]:
    """Whether the lot is a land-use right, and why (the reason is given for both answers)."""
    own, secondary = _ordered_sources(texts)
    return _classify(own, secondary, property_type_id, property_type_name)


def extract_parcel_details(
    texts: Mapping[str, str | None],
    *,
    property_type_id: int | None = None,
    property_type_name: str | None = None,
    required: Iterable[str] = DEFAULT_REQUIRED,
) -> ParcelDetails:
    """Classify one lot and extract its parcel fields from its named text sources (see the module docstring)."""
    required = tuple(required)
    unknown = [f for f in required if f not in FIELDS]
    if unknown:
        raise ValueError(f"unknown required field(s): {', '.join(unknown)}; known: {', '.join(FIELDS)}")
    own, secondary = _ordered_sources(texts)
    is_land, reason = _classify(own, secondary, property_type_id, property_type_name)
    sources: dict[str, str] = {}

    parcels, src = _union_values(own, secondary, _parcel_numbers)
    if src:
        sources["parcel_no"] = src
    sheets, src = _union_values(own, secondary, _map_sheets)
    if src:
        sources["map_sheet"] = src
    areas, src = _first_value([own, secondary], _land_areas)
    if src:
        sources["area_m2"] = src
    area = areas[0] if areas else None
    parcel_areas: list[tuple[str, float]] = []
    if len(parcels) >= 2 and src:
        view = dict(own + secondary)[src]
        total = _total_area(view)
        parcel_areas = _parcel_areas(view)
        if total is not None:
            area = total
        elif parcel_areas:
            area = round(sum(a for _, a in parcel_areas), 4)
    certificates, _ = _first_value([own, secondary], _certificates)
    location, src = _location(own, secondary)
    if src:
        sources["location"] = src
    scalars: dict[str, Any] = {}
    for name, finder in (
        ("certificate", _certificate),
        ("land_use_purpose", _land_use_purpose),
        ("use_term", _use_term),
    ):
        scalars[name], src = _first_value([own, secondary], finder)
        if src:
            sources[name] = src

    values = {
        "parcel_no": tuple(parcels),
        "map_sheet": tuple(sheets),
        "area_m2": area,
        "location": location,
        **scalars,
    }
    missing = tuple(f for f in required if not values[f]) if is_land else ()
    return ParcelDetails(
        is_land=is_land,
        land_reason=reason,
        areas_m2=tuple(areas or ()),
        certificates=tuple(certificates or ([scalars["certificate"]] if scalars.get("certificate") else [])),
        parcel_areas=tuple(parcel_areas),
        sources=MappingProxyType(sources),
        missing=missing,
        **values,
    )


def lot_texts(
    lot: Mapping[str, Any], *, notice_name: str | None = None, attachments: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The named text sources of one dgts lot row (propertyInfo / getDetailPropertyInfo item)."""
    texts: dict[str, str] = {}
    for key, source in (
        ("propertyName", "name"),
        ("propertyPlace", "place"),
        ("propertyQuality", "quality"),
        ("detail", "detail"),
        ("propertyAmount", "amount"),
    ):
        value = lot.get(key)
        if isinstance(value, str) and value.strip():
            texts[source] = value
    if notice_name:
        texts[NOTICE_SOURCE] = notice_name
    for file_name, text in (attachments or {}).items():
        texts[f"{ATTACHMENT_PREFIX}{file_name}"] = text
    return texts


def extract_lot(
    lot: Mapping[str, Any],
    *,
    notice_name: str | None = None,
    attachments: Mapping[str, str] | None = None,
    notice_property_type_id: int | None = None,
    required: Iterable[str] = DEFAULT_REQUIRED,
) -> ParcelDetails:
    """extract_parcel_details for a dgts lot row; the lot's own property type wins over the notice's."""
    type_id = lot.get("propertyTypeId")
    return extract_parcel_details(
        lot_texts(lot, notice_name=notice_name, attachments=attachments),
        property_type_id=type_id if isinstance(type_id, int) else notice_property_type_id,
        property_type_name=lot.get("propertyTypeName") if isinstance(lot.get("propertyTypeName"), str) else None,
        required=required,
    )
