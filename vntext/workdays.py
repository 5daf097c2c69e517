"""Vietnamese working days and legal period counting (Bộ luật Dân sự 2015, Điều 147–148).

A working day is Monday to Friday, except the public holidays of ``holidays.country_holidays("VN")`` (Tết, 30/4,
1/5, 2/9, Giỗ Tổ Hùng Vương, the government's swapped days off); Saturdays the government declared working days
("làm bù") count as working days. Counting follows BLDS: the day of the event is not counted (Điều 147 k2–3), a
period ends at 24:00 of its last day, and a deadline falling on a day off rolls to the next working day
(Điều 148 k5).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

MAX_SPAN_DAYS = 3_660  # ten years: longer spans are data errors, not periods to count day by day


@lru_cache(maxsize=64)
def _calendar(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=[year])


def is_working_day(day: date) -> bool:
    return _calendar(day.year).is_working_day(day)


def holiday_name(day: date) -> str | None:
    return _calendar(day.year).get(day)


def next_working_day(day: date) -> date:
    """``day`` itself when it is a working day, else the first working day after it."""
    for _ in range(60):
        if is_working_day(day):
            return day
        day += timedelta(days=1)
    raise ValueError("no working day within 60 days")  # cannot happen with the Vietnamese calendar


def add_working_days(event_day: date, n: int) -> date:
    """The last day of a period of ``n`` working days starting after ``event_day`` (the event day is not counted)."""
    if n < 0:
        raise ValueError("n must be >= 0")
    day = event_day
    counted = 0
    while counted < n:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def add_calendar_days(event_day: date, n: int) -> date:
    """The deadline of a period of ``n`` days after ``event_day``, rolled to the next working day (Điều 148 k5)."""
    return next_working_day(event_day + timedelta(days=n))


def count_working_days(after: date, through: date) -> int:
    """Working days ``d`` with ``after < d <= through``: the days of a period that starts after the event day
    ``after`` and ends at 24:00 of ``through``. Zero when ``through <= after``."""
    if through <= after:
        return 0
    if (through - after).days > MAX_SPAN_DAYS:
        raise ValueError(f"span {after}..{through} is longer than {MAX_SPAN_DAYS} days")
    day, count = after, 0
    while day < through:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count


def count_calendar_days(after: date, through: date) -> int:
    """Calendar days ``d`` with ``after < d <= through``."""
    return max(0, (through - after).days)


def count_days(after: date, through: date, unit: str) -> int:
    """``count_working_days`` or ``count_calendar_days`` by ``unit`` ("working_days" | "calendar_days")."""
    if unit == "working_days":
        return count_working_days(after, through)
    if unit == "calendar_days":
        return count_calendar_days(after, through)
    raise ValueError(f"unknown day unit {unit!r}")
