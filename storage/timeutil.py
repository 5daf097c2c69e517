"""Time helpers: the portal's epoch milliseconds and dd/MM/yyyy strings, always read in Asia/Ho_Chi_Minh."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

_MIN_MS = 631_152_000_000  # 1990-01-01
_MAX_MS = 4_102_444_800_000  # 2100-01-01
_DMY = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*$")
_HM_DMY = re.compile(r"^\s*(\d{1,2}):(\d{2})\s+(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def from_epoch_ms(value) -> datetime | None:
    """Epoch milliseconds (number or numeric string) -> aware datetime in +07; None when absent or absurd."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        ms = int(float(value))
    except (TypeError, ValueError, OverflowError):  # OverflowError: inf, 1e400, ints beyond float range
        return parse_portal_time(value) if isinstance(value, str) else None
    if not _MIN_MS <= ms <= _MAX_MS:
        return None
    return datetime.fromtimestamp(ms / 1000, tz=VN_TZ)


def parse_portal_time(text: str) -> datetime | None:
    """Lenient: ``dd/MM/yyyy[ HH:mm[:ss]]``, ``HH:mm dd/MM/yyyy``, ISO 8601, or numeric epoch ms."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    s = text.strip()
    if s.isdecimal():  # not isdigit(): "¹" is a digit that int() refuses
        return from_epoch_ms(int(s))
    m = _DMY.match(s)
    try:
        if m:
            d, mo, y, hh, mm, ss = m.groups()
            parsed = datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0), tzinfo=VN_TZ)
        elif m := _HM_DMY.match(s):
            hh, mm, d, mo, y = m.groups()
            parsed = datetime(int(y), int(mo), int(d), int(hh), int(mm), tzinfo=VN_TZ)
        else:
            parsed = datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=VN_TZ)
    if not 1990 <= parsed.year <= 2100:
        return None
    return parsed.astimezone(VN_TZ)


def local_date(value) -> date | None:
    """The Vietnamese calendar day of an epoch-ms value or datetime."""
    if value is None:
        return None
    dt = value if isinstance(value, datetime) else from_epoch_ms(value)
    return dt.astimezone(VN_TZ).date() if dt else None


def to_local(dt: datetime | None) -> datetime | None:
    """Aware +07 datetime; naive values (SQLite drops tz info) are taken as UTC."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(VN_TZ)


def day_start(d: date) -> datetime:
    return datetime.combine(d, time.min, tzinfo=VN_TZ)


def day_end(d: date) -> datetime:
    """The last instant of a Vietnamese calendar day (an inclusive deadline day ends at 24:00)."""
    return datetime.combine(d + timedelta(days=1), time.min, tzinfo=VN_TZ) - timedelta(microseconds=1)


def fmt_dmy(d: date | datetime | None) -> str:
    if d is None:
        return ""
    if isinstance(d, datetime):
        return to_local(d).strftime("%d/%m/%Y %H:%M")
    return d.strftime("%d/%m/%Y")


def to_epoch_ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)
