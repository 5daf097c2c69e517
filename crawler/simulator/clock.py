"""Simulated clock and the portal's time formats (epoch ms, dd/MM/yyyy, Java Date strings, all in ICT)."""

from __future__ import annotations

import threading
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

ICT = ZoneInfo("Asia/Ho_Chi_Minh")

_JAVA_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_JAVA_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def as_ict(moment: datetime) -> datetime:
    """Return an aware datetime in ICT; a naive datetime is taken to be ICT wall time."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=ICT)
    return moment.astimezone(ICT)


def to_ms(moment: datetime) -> int:
    """Epoch milliseconds of a datetime (naive = ICT)."""
    return int(as_ict(moment).timestamp() * 1000)


def from_ms(millis: int | float) -> datetime:
    """ICT datetime of epoch milliseconds."""
    return datetime.fromtimestamp(millis / 1000, tz=ICT)


def parse_moment(value: object) -> datetime:
    """Parse a `_sim` time: ISO-8601 string (naive = ICT), epoch ms number, or datetime."""
    if isinstance(value, datetime):
        return as_ict(value)
    if isinstance(value, bool):
        raise ValueError(f"not a time: {value!r}")
    if isinstance(value, (int, float)):
        return from_ms(value)
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return from_ms(int(text))
        return as_ict(datetime.fromisoformat(text))
    raise ValueError(f"not a time: {value!r}")


def parse_portal_date(text: str) -> date | None:
    """Parse a `dd/MM/yyyy` query-string date; None when empty or malformed (the portal ignores it)."""
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        return None


def day_start_ms(day: date) -> int:
    """Epoch ms of 00:00 ICT on a day."""
    return to_ms(datetime.combine(day, time.min, tzinfo=ICT))


def day_end_ms(day: date) -> int:
    """Epoch ms of the last millisecond of a day in ICT (inclusive end)."""
    return day_start_ms(day + timedelta(days=1)) - 1


def java_date_string(moment: datetime) -> str:
    """`Date.toString()` of a Java server running in ICT, e.g. `Wed Jul 01 12:57:35 ICT 2026`."""
    local = as_ict(moment)
    return (
        f"{_JAVA_DAYS[local.weekday()]} {_JAVA_MONTHS[local.month - 1]} {local.day:02d} "
        f"{local:%H:%M:%S} ICT {local.year}"
    )


class SimClock:
    """A clock that follows real time (plus an offset) until it is set, then stays where it is put."""

    def __init__(self, start: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._fixed: datetime | None = as_ict(start) if start is not None else None
        self._offset = timedelta(0)

    def now(self) -> datetime:
        with self._lock:
            if self._fixed is not None:
                return self._fixed
            return datetime.now(timezone.utc).astimezone(ICT) + self._offset

    def now_ms(self) -> int:
        return to_ms(self.now())

    def set(self, moment: datetime) -> None:
        """Freeze the clock at `moment` (naive = ICT)."""
        with self._lock:
            self._fixed = as_ict(moment)

    def advance(self, days: float = 0, hours: float = 0, minutes: float = 0, seconds: float = 0) -> datetime:
        """Move the clock forward (or back with negative values) and return the new time."""
        delta = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
        with self._lock:
            if self._fixed is not None:
                self._fixed = self._fixed + delta
            else:
                self._offset += delta
        return self.now()

    @property
    def frozen(self) -> bool:
        return self._fixed is not None
