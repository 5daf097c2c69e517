"""Vietnamese text helpers shared by all parsers: dates, clock times, VND amounts, decimals and local-time conversion.

Conventions handled: dates "05/6/2026", "5-6-2026", "05.06.2026", "ngày 05 tháng 6 năm 2026", ISO "2026-06-05";
times "14:30", "14h30", "8 giờ", "17 giờ 00 phút chiều"; numbers with dot thousands and comma decimals
("1.522.143.200", "25.548,4", "17426,9"); amounts with "tỷ/triệu/nghìn" and "đồng/đ/VNĐ".

Every parser bounds its input, rejects years outside 1990–2100 and negative or absurd amounts by returning None.
Pattern matching runs on `fold_vn(normalize_vn(text))`: the same characters without diacritics, so "THÁNG",
"tháng" and "thang" all match, and match positions still index the normalized text.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from vntext.fold import fold_vn
from vntext.numbers import read_vn_number

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MIN_YEAR = 1990
MAX_YEAR = 2100
MAX_SCAN_CHARS = 200_000  # find_dates() looks at no more than this many characters
MAX_VALUE_CHARS = 5_000  # single-value parsers look at no more than this many characters
MAX_VND = 10**16  # more than any asset ever auctioned in Vietnam; larger values are parse errors

_SPACE_LIKE = dict.fromkeys(map(ord, "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
                                  "\u202f\u205f\u3000\t\f\v"), " ")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
# Latin-1's eth (U+00D0/U+00F0) stands for "Đ"/"đ" in text decoded with the wrong code page; no Vietnamese word has it.
_LOOKALIKES = {0x00D0: "Đ", 0x00F0: "đ"}


def normalize_vn(text: str) -> str:
    """NFC-normalize, turn exotic spaces into plain spaces, drop zero-width characters, unify line breaks, read the
    Latin-1 eth as "Đ"."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.translate(_SPACE_LIKE).translate(_ZERO_WIDTH).translate(_LOOKALIKES)


@dataclass(frozen=True, slots=True)
class DateMatch:
    """A date found in text: `start`/`end` index the text given to find_dates(); `at` is set when a clock time
    is attached ("8 giờ ngày 08/6/2026", "23/04/2026 14:30") and is an aware Asia/Ho_Chi_Minh datetime."""

    value: date
    start: int
    end: int
    at: datetime | None = None


_NUMERIC_DATE = re.compile(
    r"(?<![\d/.\-])(\d{1,2})\s?([/.\-])\s?(\d{1,2})\s?\2\s?(\d{4})(?!\d|[/.\-]\d)"
)
_TEXT_DATE = re.compile(
    r"\bngay\s{1,5}(\d{1,2})\s{0,3},?\s{0,3}thang\s{1,5}(\d{1,2})\s{0,3},?\s{0,3}nam\s{1,5}(\d{4})(?!\d)", re.I
)
_ISO_DATE = re.compile(r"(?<![\d/.\-])(\d{4})-(\d{2})-(\d{2})(?!\d)")
_NUMERIC_DAY_MONTH = re.compile(r"(?<![\d/.\-])(\d{1,2})/(\d{1,2})(?!\d|\s?[/.\-]\s?\d)")
_TEXT_DAY_MONTH = re.compile(r"\bngay\s{1,5}(\d{1,2})\s{0,3},?\s{0,3}thang\s{1,5}(\d{1,2})(?!\d)(?!\s{0,3},?\s{0,3}nam)", re.I)

_CLOCK = (
    r"(?<!\d)(?P<h>\d{1,2})\s{0,2}(?:(?::)\s{0,2}(?P<m1>\d{2})(?::(?P<s>\d{2}))?"
    r"|(?:h|gio)\s{0,2}(?P<m2>\d{2})?(?:\s{0,2}(?:phut|p))?)"
    r"(?:\s{0,2}(?P<ampm>sang|trua|chieu|toi))?"
)
_TIME_BEFORE_DATE = re.compile(_CLOCK + r"\s{0,3}(?:[,\-]\s{0,3})?(?:ngay\s{1,3})?$", re.I)
_TIME_AFTER_DATE = re.compile(r"\s{0,3}(?:[,\-]\s{0,3}|luc\s{1,3}|vao\s{1,3}luc\s{1,3})?" + _CLOCK + r"(?![\w/])", re.I)
_TIME_LOOKBACK = 48
_TIME_LOOKAHEAD = 40


def _make_date(year: int, month: int, day: int) -> date | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _clock_from_match(m: re.Match[str]) -> tuple[time, int] | None:
    """(time of day, extra days) from a _CLOCK match; "24 giờ" is the end of the day, i.e. 00:00 next day."""
    hour = int(m.group("h"))
    minute_text = m.group("m1") or m.group("m2")
    minute = int(minute_text) if minute_text else 0
    second = int(m.group("s")) if m.group("s") else 0
    ampm = (m.group("ampm") or "").lower()
    if ampm in ("chieu", "toi") and hour < 12:
        hour += 12
    if hour == 24 and minute == 0 and second == 0:
        return time(0, 0), 1
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second), 0


def _attach_time(folded: str, start: int, end: int, day: date) -> datetime | None:
    clock = None
    before = _TIME_BEFORE_DATE.search(folded, max(0, start - _TIME_LOOKBACK), start)
    if before:
        clock = _clock_from_match(before)
    if clock is None:
        after = _TIME_AFTER_DATE.match(folded, end, min(len(folded), end + _TIME_LOOKAHEAD))
        if after:
            clock = _clock_from_match(after)
    if clock is None:
        return None
    moment, extra_days = clock
    return datetime.combine(day + timedelta(days=extra_days), moment, tzinfo=VN_TZ)


def find_dates(text: str, *, default_year: int | None = None) -> list[DateMatch]:
    """All dates in `text` (first MAX_SCAN_CHARS characters) in order of position, with attached clock times.

    Positions index `text` as given; pass NFC text (normalize_vn) so Vietnamese words match. With
    `default_year`, year-less forms ("08/6", "ngày 8 tháng 6") are accepted and take that year.
    """
    text = text[:MAX_SCAN_CHARS]
    folded = fold_vn(text)
    found: list[tuple[int, int, date]] = []
    for m in _NUMERIC_DATE.finditer(folded):
        value = _make_date(int(m.group(4)), int(m.group(3)), int(m.group(1)))
        if value:
            found.append((m.start(), m.end(), value))
    for m in _TEXT_DATE.finditer(folded):
        value = _make_date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        if value:
            found.append((m.start(), m.end(), value))
    for m in _ISO_DATE.finditer(folded):
        value = _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if value:
            found.append((m.start(), m.end(), value))
    if default_year is not None:
        for pattern in (_NUMERIC_DAY_MONTH, _TEXT_DAY_MONTH):
            for m in pattern.finditer(folded):
                value = _make_date(default_year, int(m.group(2)), int(m.group(1)))
                if value:
                    found.append((m.start(), m.end(), value))
    found.sort(key=lambda item: (item[0], -(item[1] - item[0])))
    result: list[DateMatch] = []
    last_end = -1
    for start, end, value in found:
        if start < last_end:
            continue  # overlaps a longer or earlier match (e.g. "ngày 05/6/2026" vs its year-less prefix)
        result.append(DateMatch(value, start, end, _attach_time(folded, start, end, value)))
        last_end = end
    return result


def parse_vn_date(text: str) -> date | None:
    """The first date in `text` ("05/6/2026", "5-6-2026", "05.06.2026", "ngày 05 tháng 6 năm 2026"), or None."""
    matches = find_dates(normalize_vn(text[:MAX_VALUE_CHARS]))
    return matches[0].value if matches else None


def parse_vn_datetime(text: str) -> datetime | None:
    """The first date that carries a clock time ("14:30 23/04/2026", "8 giờ ngày 08/6/2026") as an aware
    Asia/Ho_Chi_Minh datetime; None when no date in the text has a time (use parse_vn_date for those)."""
    for match in find_dates(normalize_vn(text[:MAX_VALUE_CHARS])):
        if match.at is not None:
            return match.at
    return None


_NUMBER_TOKEN = re.compile(r"(?<![\d.,])\d+(?:[.,]\d+)*")


def _has_minus_before(text: str, index: int) -> bool:
    return index >= 1 and text[index - 1] == "-" and (index < 2 or not text[index - 2].isalnum())


def parse_vn_decimal(text: str) -> float | None:
    """The first number in `text` as float: "25.548,4" → 25548.4, "17426,9" → 17426.9, "2.835" → 2835.0."""
    text = text[:MAX_VALUE_CHARS]
    m = _NUMBER_TOKEN.search(text)
    if not m:
        return None
    value = read_vn_number(m.group())
    if value is None:
        return None
    if _has_minus_before(text, m.start()):
        value = -value
    result = float(value)
    return result if math.isfinite(result) else None


_AMOUNT_UNIT = re.compile(r"\s{0,3}(ty|ti|trieu|nghin|ngan)\b", re.I)
_AMOUNT_CURRENCY = re.compile(r"\s{0,3}(?:dong|vnd|d)\b", re.I)
_AMOUNT_NEXT_NUMBER = re.compile(r"\s{1,3}(\d+(?:[.,]\d+)*)")
_UNIT_VALUE = {"ty": 10**9, "ti": 10**9, "trieu": 10**6, "nghin": 10**3, "ngan": 10**3}
_BARE_AMOUNT = re.compile(r"\s*([+-]?)\s*(\d+(?:[.,]\d+)*)\s*(?:dong|vnd|d)?\s*\.?\s*", re.I)


def _amount_at(folded: str, m: re.Match[str]) -> Decimal | None:
    """Amount starting at number match `m` if a unit (tỷ/triệu/nghìn) or currency (đồng/đ/VNĐ) follows it."""
    total = Decimal(0)
    number = read_vn_number(m.group())
    pos = m.end()
    saw_unit = False
    while number is not None:
        unit = _AMOUNT_UNIT.match(folded, pos)
        if unit:
            total += number * _UNIT_VALUE[unit.group(1).lower()]
            saw_unit = True
            pos = unit.end()
            nxt = _AMOUNT_NEXT_NUMBER.match(folded, pos)
            if nxt and (_AMOUNT_UNIT.match(folded, nxt.end()) or _AMOUNT_CURRENCY.match(folded, nxt.end())):
                number = read_vn_number(nxt.group(1))
                pos = nxt.end()
                continue
            return total
        if _AMOUNT_CURRENCY.match(folded, pos):
            return total + number
        return total if saw_unit else None
    return None


def parse_vnd(text: str) -> int | None:
    """The first VND amount in `text` as int: "1.522.143.200 đồng", "1.522.143.200đ", "1,5 tỷ đồng",
    "450 triệu đồng", "1 tỷ 200 triệu đồng"; a text that is only a number ("25.548,4") is read as that number.
    Negative or absurd (> MAX_VND) amounts give None."""
    folded = fold_vn(normalize_vn(text[:MAX_VALUE_CHARS]))
    amount: Decimal | None = None
    for m in _NUMBER_TOKEN.finditer(folded):
        amount = _amount_at(folded, m)
        if amount is not None:
            if _has_minus_before(folded, m.start()):
                return None
            break
    if amount is None:
        bare = _BARE_AMOUNT.fullmatch(folded)
        if not bare or bare.group(1) == "-":
            return None
        amount = read_vn_number(bare.group(2))
        if amount is None:
            return None
    if not 0 <= amount <= MAX_VND:  # also keeps quantize() within Decimal precision
        return None
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def epoch_ms_to_local(ms: int | float) -> datetime | None:
    """Epoch milliseconds (dgts API times) → aware Asia/Ho_Chi_Minh datetime; None for junk or absurd years."""
    if isinstance(ms, bool):
        return None
    try:
        seconds = float(ms) / 1000.0
    except (TypeError, ValueError, OverflowError):  # OverflowError: ints beyond the float range
        return None
    if not math.isfinite(seconds):
        return None
    try:
        moment = datetime.fromtimestamp(seconds, tz=VN_TZ)
    except (OverflowError, OSError, ValueError):
        return None
    return moment if MIN_YEAR <= moment.year <= MAX_YEAR else None


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a calendar day in Asia/Ho_Chi_Minh (no DST there, so always 24 hours)."""
    start = datetime.combine(day, time(0, 0), tzinfo=VN_TZ)
    return start, start + timedelta(days=1)


def to_epoch_ms(moment: datetime) -> int:
    """Aware datetime → epoch milliseconds, as the dgts API writes times."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: attach a time zone first")
    return int(moment.timestamp() * 1000)
