"""THADS notice text: classify a notice (auction-organisation selection, its result, valuation-organisation
selection, auction notice, other) and extract its fields (office, number, dates, application window, selected
organisation, score, debtor, assets with starting prices). The scoring or selection date is read by
``vntext.decisions``, the one reading of decision dates for both portals.

Patterns run on diacritic-free text (vntext.fold.fold_vn keeps offsets), so capitals and missing accents do not matter;
values are cut from the original text. Every phrase and label is in the tables at the top. A field that is not
stated is None (or empty): nothing is inferred beyond what the text says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, NamedTuple

from vntext.core import DateMatch, find_dates, normalize_vn, parse_vn_date, parse_vnd
from vntext.decisions import earliest_decision_date
from vntext.fold import fold_vn

MAX_TITLE_CHARS = 2_000
MAX_TEXT_CHARS = 200_000
CLASSIFY_TEXT_CHARS = 4_000  # classification looks at the head of the body only
HEADER_CHARS = 700  # "quốc hiệu" block: issuing office, number, place and date
MAX_ASSETS = 50
MAX_ASSET_CHARS = 5_000
MAX_NAME_CHARS = 200


class NoticeCategory(StrEnum):
    SELECTION_AUCTION_ORG = "selection_auction_org"
    SELECTION_RESULT = "selection_result"
    SELECTION_VALUATION_ORG = "selection_valuation_org"
    AUCTION_NOTICE = "auction_notice"
    OTHER = "other"


# ---------------------------------------------------------------------------------------------------------------
# Phrases and labels, written without diacritics (they match folded text, case-insensitively).
# ---------------------------------------------------------------------------------------------------------------
_SELECT = r"\b(?:lua\s+chon|tuyen\s+chon|chon|tim)"
_ORG = r"(?:to\s+chuc|don\s+vi|cong\s+ty|doanh\s+nghiep)(?:\s+hanh\s+nghe)?"
_AUCTION_ORG = rf"(?:{_ORG}\s+(?:ban\s+)?dau\s+gia|tc\s?dg(?:ts)?\b)"
_VALUATION = r"(?:tham\s+dinh\s+gia|dinh\s+gia)"

# Checked in this order: valuation beats auction ("lựa chọn tổ chức thẩm định giá để bán đấu giá"), a result beats
# a selection ("kết quả lựa chọn …"), a selection beats a plain auction notice ("lựa chọn tổ chức đấu giá tài sản").
CATEGORY_PHRASES: tuple[tuple[NoticeCategory, str], ...] = (
    (NoticeCategory.SELECTION_VALUATION_ORG, rf"{_SELECT}\s+(?:{_ORG}\s+)?{_VALUATION}"),
    (NoticeCategory.SELECTION_VALUATION_ORG, rf"ket\s+qua\s+{_SELECT}\s+{_ORG}\s+{_VALUATION}"),
    (NoticeCategory.SELECTION_RESULT, rf"ket\s+qua\s+(?:{_SELECT}\s+)?{_AUCTION_ORG}"),
    (NoticeCategory.SELECTION_RESULT, rf"ket\s+qua\s+cham\s+diem\b[^\n]{{0,80}}?{_AUCTION_ORG}"),
    (NoticeCategory.SELECTION_AUCTION_ORG, rf"{_SELECT}\s+{_AUCTION_ORG}"),
    (NoticeCategory.AUCTION_NOTICE, r"thong\s+bao\s+(?:cong\s+khai\s+)?(?:ve\s+)?(?:viec\s+)?(?:ban\s+)?dau\s+gia"),
    (NoticeCategory.AUCTION_NOTICE, r"\b(?:ban|niem\s+yet(?:\s+viec)?\s+(?:ban\s+)?)dau\s+gia"),
    (NoticeCategory.AUCTION_NOTICE, r"dau\s+gia\s+(?:tai\s+san|quyen\s+su\s+dung|lan\s+(?:thu\s+)?\w+)"),
)
# Weak cues used for titles only, after the phrases above: a notice about valuation ("Thông báo về việc thẩm định
# giá tài sản") is filed with the valuation-organisation selections.
TITLE_ONLY_PHRASES: tuple[tuple[NoticeCategory, str], ...] = (
    (NoticeCategory.SELECTION_VALUATION_ORG, rf"thong\s+bao\s+(?:ve\s+)?(?:viec\s+)?{_VALUATION}"),
)
# Words of a title that may precede the key phrase of a notice title ("Thông báo số 12/TB-THADS về việc …").
TITLE_LEAD_WORDS = re.compile(
    r"thong\s+bao|\btb\b|\bso\b|ve\s+viec|\bv/v\b|cong\s+khai|\bviec\b|\bngay\b|\blan\b|\bthu\b|[\d/.\-:,;()\[\]]|"
    r"\b(?:tb|thads|cthads|ccthads|pthads)\b", re.I)
# News, guidance or report wording: the title talks *about* notices, it is not one.
NEWS_CUES = re.compile(
    r"huong\s+dan|mot\s+so\s+noi\s+dung|chi\s+dao|lien\s+quan\s+den|\(\s*phan\s+\d|quy\s+trinh|giai\s+phap|"
    r"luu\s+y|vuong\s+mac|tap\s+huan|hoi\s+nghi|bao\s+cao|nghien\s+cuu|trao\s+doi|ket\s+luan|giai\s+dap|"
    r"hoi\s+dap|so\s+ket|tong\s+ket|cong\s+tac", re.I)
# In the body a key phrase counts only at the start of a line ("THÔNG BÁO\nVề việc lựa chọn …").
_BODY_LINE_LEAD = r"^[ \-–•*+]*(?:thong\s+bao\s*:?\s*)?(?:\(?\s*(?:ve\s+viec|v/v)\s*:?\s*)?"

_THA = r"(?:thi\s+hanh\s+an(?:\s+dan\s+su)?|thads)"
_CAP_WORD = r"(?-i:[A-Z])[\w'’]*"
_NAME = rf"{_CAP_WORD}(?:[ ]{{1,2}}{_CAP_WORD}|[ ]?[-–][ ]?{_CAP_WORD}){{0,5}}"
# Issuing offices, most specific first: the issuer is the lowest unit in the header (Phòng under THADS tỉnh).
OFFICE_PATTERNS: tuple[str, ...] = (
    rf"(?:phong\s+)?{_THA}\s+khu\s+vuc\s+(?:\d{{1,3}}|[ivxl]{{1,6}})\b(?:(?:[ ]?[-–—][ ]?|[ ])(?P<name>(?:(?i:thanh\s+pho|tinh)\s+)?{_NAME}))?",
    rf"chi\s+cuc\s+{_THA}\s+(?:huyen|quan|thi\s+xa|thanh\s+pho|tp\.?)\s*(?P<name>{_NAME})",
    rf"(?:cuc\s+)?{_THA}\s+(?:tp\.?\s?hcm|tp\.?\s?ho\s+chi\s+minh|thanh\s+pho\s+ho\s+chi\s+minh)\b",
    rf"(?:cuc\s+)?{_THA}\s+(?:tinh|thanh\s+pho|tp\.?)\s*(?P<name>{_NAME})",
)
# A name stops at these words (a flattened header runs "… HUYỆN VẠN NINH CỘNG HÒA XÃ HỘI …" together). They are
# matched WITH diacritics on the original text: "tại"/"tỉnh" end a name, the given names "Tài"/"Tình" do not.
NAME_STOP = re.compile(
    r"\s+(?:cộng\s+h[òo]a|số\b|về\s+việc|thông\s+báo|ngày\b|phòng\s+(?:thi|thads)|chi\s+cục|độc\s+lập|tỉnh\b|"
    r"thi\s+hành|địa\s+chỉ|kính\s+gửi|cục\s+thi|và\b|sinh\s+(?:năm|ngày)|cư\s+trú|trú\b|trụ\s+sở|năm\s+sinh|"
    r"tại\b|theo\b|của\b)",
    re.I)
OWNER_LABEL = r"ten\s*,?\s*(?:dia\s+chi\s+)?(?:cua\s+)?(?:to\s+chuc|nguoi|co\s+quan|don\s+vi)\s+co\s+tai\s+san(?:\s+dau\s+gia)?\s*:\s*"
# The owner's name may carry " - <province>" ("Phòng THADS khu vực 3 - Gia Lai"), so a dash does not end it.
OWNER_VALUE_END = re.compile(r",|;|\n|\(|\.\s|\.$|\s+(?:co\s+)?dia\s+chi\b|\s+tru\s+so\b", re.I)
_NOTICE_NO = r"\d{1,6}[a-z]?(?:\s?/\s?\d{4})?\s?/\s?tb\s?(?:-[a-z0-9.]{1,15}){1,3}"
NOTICE_NUMBER_LINE = rf"^[ \t]*so\s*[:.]?\s*({_NOTICE_NO})"
NOTICE_NUMBER_TITLE = rf"^\W*(?:thong\s+bao\s+)?so\s*[:.]?\s*({_NOTICE_NO})"
NOTICE_NUMBER_ANY = rf"\bso\s*[:.]?\s*({_NOTICE_NO})"
NOTICE_DATE_LABEL = r"ngay\s+(?:thong\s+bao|ban\s+hanh|ky)\s*:\s*"

# Application window.
WINDOW_LABELS = (
    r"\b(?:thoi\s+gian|thoi\s+han|han\s+cuoi|han\s+chot)\b[^\n:]{0,40}?\b(?:nop|nhan|tiep\s+nhan)\b[^\n:]{0,40}?\bho\s+so",
    r"\b(?:nop|tiep\s+nhan|nhan)\s+ho\s+so\b",
)
WINDOW_SEGMENT_CHARS = 500
_SEGMENT_END = re.compile(r"\n\s*\n|\n[ \t]*(?:\d{1,2}|[ivx]{1,4})[.)][ \t]", re.I)
WINDOW_RANGE_FROM = re.compile(r"\btu\b", re.I)
WINDOW_RANGE_TO = re.compile(r"\bden\b", re.I)
WINDOW_DEADLINE = re.compile(r"\b(?:han\s+cuoi|han\s+chot|cham\s+nhat|truoc|den\s+het|den)\b", re.I)
WINDOW_DURATION = re.compile(
    r"\btrong\s+(?:thoi\s+han\s+|vong\s+)?(\d{1,3})\s*(?:\([^)\n]{0,40}\)\s*)?ngay(\s+lam\s+viec)?"
    r"(?:[^\n.]{0,20}?\bke\s+tu\s+(?:ngay\s+)?([^\n;]{0,80}))?", re.I)
# "kể từ ngày …": the notice's own date ("ký/ra/ban hành thông báo", "thông báo") or its publication ("đăng …").
REFERENCE_NOTICE_DATE = re.compile(r"^(?:(?:ra|ky|ban\s+hanh)\s+)?(?:thong\s+bao|van\s+ban)\b", re.I)
REFERENCE_PUBLISHED = re.compile(r"^(?:dang|niem\s+yet|cong\s+khai)\b", re.I)

# Results.
_ORG_VALUE_END = re.compile(
    r",|;|\n|\(|\s[-–]\s|\.\s|\.$|\s+(?:co\s+)?dia\s+chi\b|\s+tru\s+so\b|\s+voi\s+(?:tong\s+)?(?:so\s+)?diem\b|"
    r"\s+dat\s+\d|\s+(?:la|lam)\s+(?:to\s+chuc|don\s+vi)", re.I)
SELECTED_ORG_LABELS = (
    r"(?:ten\s*,?\s*(?:dia\s+chi\s+)?)?(?:to\s+chuc|don\s+vi)(?:\s+hanh\s+nghe)?\s+(?:ban\s+)?dau\s+gia"
    r"(?:\s+tai\s+san)?\s+(?:da\s+)?duoc\s+lua\s+chon(?:\s+la)?\s*[:\-]?\s*",
    r"(?:to\s+chuc|don\s+vi)\s+duoc\s+lua\s+chon(?:\s+la)?\s*[:\-]\s*",
)
SELECTED_ORG_VERB = (
    rf"\blua\s+chon\s+((?:cong\s+ty|doanh\s+nghiep|trung\s+tam)\b[^\n;]{{2,150}}?)\s+(?:la|lam)\s+"
    rf"(?:to\s+chuc|don\s+vi)(?:\s+hanh\s+nghe)?\s+(?:ban\s+)?dau\s+gia"
)
VALUATION_ORG_LABELS = (
    rf"(?:ten\s*,?\s*(?:dia\s+chi\s+)?)?(?:to\s+chuc|don\s+vi|doanh\s+nghiep)\s+{_VALUATION}(?:\s+tai\s+san)?\s+"
    r"(?:da\s+)?duoc\s+lua\s+chon(?:\s+la)?\s*[:\-]?\s*",
)
VALUATION_ORG_VERB = (
    rf"\blua\s+chon\s+((?:cong\s+ty|doanh\s+nghiep|trung\s+tam)\b[^\n;]{{2,150}}?)\s+(?:la|lam|de)\s+"
    rf"(?:to\s+chuc\s+|don\s+vi\s+)?(?:thuc\s+hien\s+)?{_VALUATION}",
    rf"hop\s+dong\s+(?:dich\s+vu\s+)?{_VALUATION}(?:\s+tai\s+san)?\s+voi\s+"
    rf"((?:cong\s+ty|doanh\s+nghiep|trung\s+tam)\b[^\n;]{{2,150}}?)(?=,|;|\n|\(|\.\s|\.$|\s+(?:co\s+)?dia\s+chi|$)",
)
SCORE_LABEL = re.compile(
    r"tong\s+(?:so\s+)?diem[^:\n]{0,120}:\s*(\d{1,3}(?:[.,]\d{1,2})?)\s*(?:/\s*(\d{1,3}))?\s*(?:diem)?", re.I)
SCORE_FRACTION = re.compile(r"(?<![\d.,/])(\d{1,3}(?:[.,]\d{1,2})?)\s*/\s*(100)\s*diem", re.I)

# Debtor.
DEBTOR_LABEL = re.compile(r"nguoi\s+phai\s+thi\s+hanh\s+an\s*(?:la\s*)?[:\-]\s*", re.I)
_DEBTOR_VALUE_END = re.compile(
    r",|;|\n|\(|\s[-–]\s|\.\s|\.$|\s+(?:sinh\s+nam|nam\s+sinh|dia\s+chi|cu\s+tru|tru\s+so|tru\s+tai|o\s+tai)\b",
    re.I)
_HONORIFIC = r"(?:ong|ba|anh|chi(?!\s+cuc\b)|cu)"  # "chị", not "Chi cục"
_PERSON = rf"{_HONORIFIC}\s+{_NAME}(?:\s+va\s+{_HONORIFIC}\s+{_NAME})?"
_COMPANY = r"(?:cong\s+ty|doanh\s+nghiep|hop\s+tac\s+xa|ngan\s+hang)\b[^,;\n(]{2,120}"
COMPANY_END = re.compile(r"\s+(?:theo|tai|dia\s+chi|tru\s+so|do|ke\s+bien|de|sinh)\b", re.I)
DEBTOR_OF = re.compile(rf"\bcua\s+({_PERSON}|{_COMPANY})", re.I)
# "tài sản … của ông X" names the owner of the asset; "yêu cầu thi hành án của ông X" may name the creditor.
DEBTOR_CONTEXT_OF = re.compile(rf"\btai\s+san\b[^.\n]{{0,80}}?\bcua\s+({_PERSON}|{_COMPANY})", re.I)
DEBTOR_CASE = re.compile(rf"\bvu\s+({_PERSON})", re.I)

# Assets.
_LINE_LEAD = r"^[ \t\-–•*+]*(?:(?:\d{1,2}|[a-d]|[ivx]{1,4})[.)][ \t]*)?"
ASSET_LABELS = re.compile(
    _LINE_LEAD + r"(?:ten\s+tai\s+san(?:\s+dau\s+gia)?(?:\s*,\s*[^:\n]{0,60})?"
    r"|tai\s+san(?:\s+(?:dau\s+gia|ban\s+dau\s+gia|dua\s+ra\s+dau\s+gia|ke\s+bien|can\s+tham\s+dinh\s+gia|"
    r"tham\s+dinh\s+gia|can\s+dinh\s+gia|dinh\s+gia|thi\s+hanh\s+an))?(?:\s+so)?(?:\s*\d{1,2})?(?:\s+gom)?"
    r"|danh\s+muc\s+tai\s+san)\s*:[ \t]*",
    re.I | re.M)
PARCEL_MARKERS = re.compile(r"thua\s+(?:dat\s+)?so\s*\d|to\s+ban\s+do\s+so|quyen\s+su\s+dung\s+dat", re.I)
START_PRICE_LABEL = re.compile(r"gia\s+khoi\s+diem\b[^\d\n]{0,60}", re.I)
_NEXT_SECTION = re.compile(r"\n[ \t]*(?:\d{1,2}|[ivx]{1,4})[.)][ \t]", re.I)
# An asset description also ends at a blank line or at a new "Label: …" line ("Người phải thi hành án: …").
ASSET_TEXT_END = re.compile(r"\n[ \t]*\n|\n(?=[ \t]*(?-i:[A-Z])[^\n:]{0,60}:)", re.I)
# ---------------------------------------------------------------------------------------------------------------


class Classification(NamedTuple):
    category: NoticeCategory
    confidence: float
    reasons: list[str]


@dataclass(slots=True)
class ThadsAsset:
    text: str | None  # verbatim asset description (land parcel text kept as written); None if only a price
    start_price: int | None  # VND


@dataclass(slots=True)
class ThadsFields:
    owner_office: str | None = None
    notice_number: str | None = None
    notice_date: date | None = None
    window_start: date | None = None
    window_end: date | None = None
    window_start_at: datetime | None = None  # only when a clock time is stated
    window_end_at: datetime | None = None
    window_working_days: int | None = None  # "trong thời hạn 03 ngày làm việc kể từ …"; end left to the detector
    window_calendar_days: int | None = None
    selected_org: str | None = None
    scoring_date: date | None = None  # the earliest scoring/selection date (vntext.decisions)
    score: float | None = None
    score_max: int | None = None
    debtor: str | None = None
    assets: list[ThadsAsset] = field(default_factory=list)
    valuation_org: str | None = None

    def assets_json(self) -> list[dict[str, Any]]:
        return [{"text": asset.text, "start_price": asset.start_price} for asset in self.assets]

    def as_json(self) -> dict[str, Any]:
        """JSON-ready dict: dates and datetimes as ISO strings, assets as dicts."""
        out: dict[str, Any] = {}
        for name in self.__slots__:  # type: ignore[attr-defined]
            value = getattr(self, name)
            if isinstance(value, (date, datetime)):
                value = value.isoformat()
            out[name] = value
        out["assets"] = self.assets_json()
        return out


class _Text:
    """Normalized text and its folded twin (same length): match on `folded`, slice values from `text`."""

    def __init__(self, text: str, limit: int) -> None:
        self.text = normalize_vn(text[:limit])
        self.folded = fold_vn(self.text)

    def value(self, start: int, end: int) -> str:
        return " ".join(self.text[start:end].split())


def _compile(patterns: tuple[str, ...] | str, flags: int = re.I) -> tuple[re.Pattern[str], ...]:
    if isinstance(patterns, str):
        patterns = (patterns,)
    return tuple(re.compile(p, flags) for p in patterns)


_CATEGORY_RES = tuple((category, re.compile(pattern, re.I))
                      for category, pattern in CATEGORY_PHRASES + TITLE_ONLY_PHRASES)
_CATEGORY_BODY_RES = tuple((category, re.compile(_BODY_LINE_LEAD + pattern, re.I | re.M))
                           for category, pattern in CATEGORY_PHRASES)
_OFFICE_RES = _compile(OFFICE_PATTERNS)
_OWNER_LABEL_RE = re.compile(OWNER_LABEL, re.I)
_NOTICE_NUMBER_LINE_RE = re.compile(NOTICE_NUMBER_LINE, re.I | re.M)
_NOTICE_NUMBER_TITLE_RE = re.compile(NOTICE_NUMBER_TITLE, re.I)
_NOTICE_NUMBER_ANY_RE = re.compile(NOTICE_NUMBER_ANY, re.I)
_NOTICE_DATE_LABEL_RE = re.compile(NOTICE_DATE_LABEL, re.I)
_WINDOW_LABEL_RES = _compile(WINDOW_LABELS)
_SELECTED_ORG_LABEL_RES = _compile(SELECTED_ORG_LABELS)
_SELECTED_ORG_VERB_RES = _compile(SELECTED_ORG_VERB)
_VALUATION_ORG_LABEL_RES = _compile(VALUATION_ORG_LABELS)
_VALUATION_ORG_VERB_RES = _compile(VALUATION_ORG_VERB)


# --------------------------------------------------------------------------------------------------- classification


def _title_match_strength(folded_title: str, match: re.Match[str]) -> tuple[float, str] | None:
    prefix = folded_title[:match.start()]
    leftover = TITLE_LEAD_WORDS.sub(" ", prefix).strip(" \t-–:")
    if not leftover:
        return 0.95, "title starts with it"
    if NEWS_CUES.search(folded_title):
        return None
    if re.search(r"thong\s+bao", prefix, re.I):
        return 0.85, "title announces it after a lead-in"
    return 0.7, "title contains it"


def classify_notice(title: str, text: str) -> Classification:
    """(category, confidence 0–1, reasons). The title decides first, the head of the body second."""
    title_text = normalize_vn((title or "")[:MAX_TITLE_CHARS])
    folded_title = fold_vn(title_text)
    body_text = normalize_vn((text or "")[:CLASSIFY_TEXT_CHARS])
    folded_body = fold_vn(body_text)
    reasons: list[str] = []
    for category, pattern in _CATEGORY_RES:
        match = pattern.search(folded_title)
        if not match:
            continue
        phrase = " ".join(title_text[match.start():match.end()].split())
        strength = _title_match_strength(folded_title, match)
        if strength is None:
            reasons.append(f"title phrase {phrase!r} ignored: news or guidance wording")
            continue
        confidence, why = strength
        return Classification(category, confidence, reasons + [f"{why}: {phrase!r}"])
    if reasons:  # the title only talks about such notices
        return Classification(NoticeCategory.OTHER, 0.8, reasons)
    title_is_notice = re.match(r"^\W*(?:thong\s+bao|tb)\b", folded_title, re.I) is not None
    for category, pattern in _CATEGORY_BODY_RES:
        match = pattern.search(folded_body)
        if match:
            phrase = " ".join(body_text[match.start():match.end()].split())
            return Classification(category, 0.8 if title_is_notice else 0.65, [f"body line starts with {phrase!r}"])
    return Classification(NoticeCategory.OTHER, 0.9, ["no selection, result, valuation or auction phrase"])


# --------------------------------------------------------------------------------------------------- helpers


def _cut_value(doc: _Text, start: int, limit: int, end_re: re.Pattern[str]) -> str | None:
    stop = min(len(doc.text), start + limit)
    end_match = end_re.search(doc.folded, start, stop)
    end = end_match.start() if end_match else stop
    value = doc.value(start, end).strip(" :-–.")
    return value[:MAX_NAME_CHARS] or None


def _trim_name(doc: _Text, start: int, end: int) -> int:
    """End of a capitalised name running from `start`, cut before a stop word."""
    stop = NAME_STOP.search(doc.text, max(0, start - 1), end)
    return stop.start() if stop else end


def _header_end(doc: _Text) -> int:
    lead = re.search(r"\n\s*(?:thong\s+bao|can\s+cu)\b", doc.folded[:HEADER_CHARS], re.I)
    return lead.start() if lead else min(len(doc.text), HEADER_CHARS)


# --------------------------------------------------------------------------------------------------- extraction


def _office_in(doc: _Text, start: int, end: int) -> str | None:
    for pattern in _OFFICE_RES:  # most specific first
        match = pattern.search(doc.folded, start, end)
        if match:
            name_start = match.start("name") if "name" in pattern.groupindex and match.group("name") else None
            value_end = _trim_name(doc, name_start, match.end()) if name_start is not None else match.end()
            return doc.value(match.start(), value_end).strip(" ,.-–") or None
    return None


def _owner_office(title: _Text, body: _Text) -> str | None:
    label = _OWNER_LABEL_RE.search(body.folded)
    if label:
        value_end = OWNER_VALUE_END.search(body.folded, label.end(), label.end() + 300)
        end = value_end.start() if value_end else min(len(body.text), label.end() + 300)
        office = _office_in(body, label.end(), end)
        if office:
            return office
        value = body.value(label.end(), end).strip(" :-–.")
        if value:
            return value[:MAX_NAME_CHARS]
    return _office_in(body, 0, _header_end(body)) or _office_in(title, 0, len(title.text))


def _notice_number(title: _Text, body: _Text) -> tuple[str | None, _Text | None, int]:
    """(number, document it was found in, end offset) so the caller can look for "ngày …" right after it."""
    header_end = _header_end(body)
    candidates = (
        (body, _NOTICE_NUMBER_LINE_RE.search(body.folded, 0, header_end)),
        (title, _NOTICE_NUMBER_TITLE_RE.search(title.folded)),
        (body, _NOTICE_NUMBER_ANY_RE.search(body.folded, 0, header_end)),
    )
    for doc, match in candidates:
        if match:
            number = re.sub(r"\s+", "", doc.text[match.start(1):match.end(1)]).rstrip(".")
            return number, doc, match.end(1)
    return None, None, 0


def _notice_date(body: _Text, number_doc: _Text | None, number_end: int) -> date | None:
    """The "<place>, ngày dd tháng mm năm yyyy" line of the header, else "số …/TB-… ngày …", else a label."""
    header_end = _header_end(body)
    for match in find_dates(body.text[:header_end]):
        before = body.folded[max(0, match.start - 60):match.start]
        if re.search(r"[^\W\d_]\s*,\s*(?:ngay\s*)?$", before, re.I):
            return match.value
    if number_doc is not None:
        after = number_doc.folded[number_end:number_end + 40]
        if re.match(r"\s*,?\s*(?:ky\s+)?ngay\b", after, re.I):
            value = parse_vn_date(number_doc.text[number_end:number_end + 60])
            if value:
                return value
    label = _NOTICE_DATE_LABEL_RE.search(body.folded)
    if label:
        return parse_vn_date(body.text[label.end():label.end() + 40])
    return None


def _segment(doc: _Text, start: int) -> tuple[str, str]:
    """(text, folded text) from a window label to the end of its paragraph or numbered section."""
    stop = min(len(doc.text), start + WINDOW_SEGMENT_CHARS)
    end_match = _SEGMENT_END.search(doc.folded, start + 1, stop)
    end = end_match.start() if end_match else stop
    return doc.text[start:end], doc.folded[start:end]


def _dates_in_segment(segment: str) -> list[DateMatch]:
    full = find_dates(segment)
    if not full:
        return []
    return find_dates(segment, default_year=full[-1].value.year)


def _reference_date(reference: str, notice_date: date | None, published: date | None) -> date | None:
    folded = fold_vn(reference).strip().lower()
    if REFERENCE_PUBLISHED.match(folded):
        return published
    if REFERENCE_NOTICE_DATE.match(folded):
        return notice_date
    return parse_vn_date(reference)


def _apply_window(fields: ThadsFields, segment: str, folded: str, published: date | None) -> bool:
    dates = _dates_in_segment(segment)
    from_word = WINDOW_RANGE_FROM.search(folded)
    if from_word and dates:
        to_word = WINDOW_RANGE_TO.search(folded, from_word.end())
        starts = [d for d in dates if d.start >= from_word.end() and (to_word is None or d.start < to_word.start())]
        ends = [d for d in dates if to_word is not None and d.start >= to_word.end()]
        if starts and ends:
            fields.window_start, fields.window_start_at = starts[0].value, starts[0].at
            fields.window_end, fields.window_end_at = ends[0].value, ends[0].at
            return True
    duration = WINDOW_DURATION.search(folded)
    if duration:
        days = int(duration.group(1))
        if duration.group(2):
            fields.window_working_days = days
        else:
            fields.window_calendar_days = days
        if duration.group(3) is not None:
            reference = segment[duration.start(3):duration.end(3)]
            fields.window_start = _reference_date(reference, fields.notice_date, published)
        return True
    deadline = WINDOW_DEADLINE.search(folded)
    if deadline and dates:
        after = [d for d in dates if d.start >= deadline.end()]
        if after:
            fields.window_end, fields.window_end_at = after[0].value, after[0].at
            return True
    return False


def _window(fields: ThadsFields, body: _Text, published: date | None) -> None:
    starts: list[int] = []
    for pattern in _WINDOW_LABEL_RES:
        starts.extend(m.start() for m in pattern.finditer(body.folded))
    for start in sorted(set(starts))[:20]:
        segment, folded = _segment(body, start)
        if _apply_window(fields, segment, folded, published):
            return


def _org_after_labels(doc: _Text, labels: tuple[re.Pattern[str], ...],
                      verbs: tuple[re.Pattern[str], ...]) -> str | None:
    for pattern in labels:
        match = pattern.search(doc.folded)
        if match:
            value = _cut_value(doc, match.end(), 250, _ORG_VALUE_END)
            if value:
                return value
    for pattern in verbs:
        match = pattern.search(doc.folded)
        if match:
            return doc.value(match.start(1), match.end(1)).strip(" ,.")[:MAX_NAME_CHARS] or None
    return None


def _score(body: _Text) -> tuple[float | None, int | None]:
    for pattern in (SCORE_LABEL, SCORE_FRACTION):
        match = pattern.search(body.folded)
        if not match:
            continue
        value = float(match.group(1).replace(",", "."))
        scale = int(match.group(2)) if match.group(2) else None
        if scale is not None and not 0 < value <= scale:
            continue
        if scale is None and not 0 < value <= 100:
            continue
        return value, scale
    return None, None


def _person_value(doc: _Text, start: int, end: int) -> str:
    """ "ông A" or "ông A và bà B", each name cut before a stop word (a flattened header runs on)."""
    span = doc.folded[start:end]
    parts = re.split(r"\s+va\s+(?=" + _HONORIFIC + r"\s)", span, maxsplit=1, flags=re.I)
    names = []
    offset = start
    for part in parts:
        part_start = doc.folded.index(part, offset)
        honorific = re.match(_HONORIFIC + r"\s+", part, re.I)
        name_start = part_start + (honorific.end() if honorific else 0)
        names.append(doc.value(part_start, _trim_name(doc, name_start, part_start + len(part))).strip(" ,."))
        offset = part_start + len(part)
    return " và ".join(name for name in names if name)


def _debtor_value(doc: _Text, start: int, end: int) -> str:
    if re.match(_HONORIFIC + r"\s", doc.folded[start:end], re.I):
        return _person_value(doc, start, end)
    stop = COMPANY_END.search(doc.folded, start, end)
    return doc.value(start, stop.start() if stop else end).strip(" ,.")


def _debtor(title: _Text, body: _Text) -> str | None:
    label = DEBTOR_LABEL.search(body.folded)
    if label:
        value = _cut_value(body, label.end(), 200, _DEBTOR_VALUE_END)
        if value:
            return value
    for doc, pattern in ((title, DEBTOR_OF), (body, DEBTOR_CONTEXT_OF), (body, DEBTOR_CASE)):
        match = pattern.search(doc.folded)
        if match:
            value = _debtor_value(doc, match.start(1), match.end(1))
            if value:
                return value[:MAX_NAME_CHARS]
    return None


def _price_in(doc: _Text, start: int, end: int) -> int | None:
    label = START_PRICE_LABEL.search(doc.folded, start, end)
    if not label:
        return None
    line_end = doc.text.find("\n", label.end())
    line_end = len(doc.text) if line_end == -1 else line_end
    return parse_vnd(doc.text[label.end():min(line_end, label.end() + 300)])


def _assets(body: _Text) -> list[ThadsAsset]:
    """Labelled assets ("Tên tài sản …:", "Tài sản 1:", "Tài sản gồm:") each up to its "Giá khởi điểm"; without
    labels, lines naming a land parcel; without those, a bare starting price."""
    labels = list(ASSET_LABELS.finditer(body.folded))[:MAX_ASSETS]
    assets: list[ThadsAsset] = []
    for index, label in enumerate(labels):
        block_end = labels[index + 1].start() if index + 1 < len(labels) else len(body.text)
        section = _NEXT_SECTION.search(body.folded, label.end(), block_end)
        limit = section.start() if section else block_end
        price_label = START_PRICE_LABEL.search(body.folded, label.end(), limit)
        text_end = min(price_label.start() if price_label else limit, label.end() + MAX_ASSET_CHARS)
        label_line = ASSET_TEXT_END.search(body.folded, label.end(), text_end)
        text_end = label_line.start() if label_line else text_end
        text = body.text[label.end():text_end].strip().rstrip(";").strip() or None
        price = _price_in(body, label.end(), limit) if price_label else None
        if text or price is not None:
            assets.append(ThadsAsset(text, price))
    if assets:
        return assets
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", body.folded)]
    parcel_lines = [(s, e) for s, e in lines if PARCEL_MARKERS.search(body.folded, s, e)][:MAX_ASSETS]
    for index, (start, end) in enumerate(parcel_lines):
        next_start = parcel_lines[index + 1][0] if index + 1 < len(parcel_lines) else len(body.text)
        assets.append(ThadsAsset(body.text[start:end].strip()[:MAX_ASSET_CHARS], _price_in(body, start, next_start)))
    if not assets:
        price = _price_in(body, 0, len(body.text))
        if price is not None:
            assets.append(ThadsAsset(None, price))
    return assets


def extract_notice_fields(title: str, text: str, *, published: date | None) -> ThadsFields:
    """Fields stated in a THADS notice (title + body text). `published` is the page's publication date, used only
    when the text counts the window "kể từ ngày đăng thông báo"."""
    title_doc = _Text(title or "", MAX_TITLE_CHARS)
    body = _Text(text or "", MAX_TEXT_CHARS)
    fields = ThadsFields()
    fields.owner_office = _owner_office(title_doc, body)
    fields.notice_number, number_doc, number_end = _notice_number(title_doc, body)
    fields.notice_date = _notice_date(body, number_doc, number_end)
    _window(fields, body, published)
    fields.selected_org = _org_after_labels(body, _SELECTED_ORG_LABEL_RES, _SELECTED_ORG_VERB_RES)
    fields.valuation_org = _org_after_labels(body, _VALUATION_ORG_LABEL_RES, _VALUATION_ORG_VERB_RES)
    scoring = earliest_decision_date(body.text, "result text")
    fields.scoring_date = scoring.value if scoring else None
    fields.score, fields.score_max = _score(body)
    fields.debtor = _debtor(title_doc, body)
    fields.assets = _assets(body)
    return fields
