"""Vietnamese working days and BLDS Điều 147–148 period counting."""

from __future__ import annotations

from datetime import date

import pytest

from vntext.workdays import (
    add_calendar_days,
    add_working_days,
    count_calendar_days,
    count_days,
    count_working_days,
    holiday_name,
    is_working_day,
    next_working_day,
)


@pytest.mark.parametrize("day", [date(2026, 2, d) for d in range(16, 21)])
def test_tet_2026_weekdays_are_days_off(day: date) -> None:
    assert not is_working_day(day)
    assert holiday_name(day)


def test_days_around_tet_2026_are_working_days() -> None:
    assert is_working_day(date(2026, 2, 13))  # Friday before Tết
    assert is_working_day(date(2026, 2, 23))  # Monday after


@pytest.mark.parametrize("day", [date(2026, 4, 30), date(2026, 5, 1), date(2025, 4, 30), date(2025, 5, 1)])
def test_reunification_and_labour_day(day: date) -> None:
    assert not is_working_day(day)


@pytest.mark.parametrize("day", [date(2025, 9, 1), date(2025, 9, 2), date(2026, 9, 1), date(2026, 9, 2)])
def test_national_day(day: date) -> None:
    assert not is_working_day(day)


def test_weekends_are_not_working_days() -> None:
    assert not is_working_day(date(2026, 6, 6))  # Saturday
    assert not is_working_day(date(2026, 6, 7))  # Sunday
    assert is_working_day(date(2026, 6, 8))  # Monday


def test_a_declared_make_up_saturday_is_a_working_day() -> None:
    assert is_working_day(date(2025, 4, 26))  # swapped for Friday 02/05/2025
    assert not is_working_day(date(2025, 5, 2))


def test_event_day_is_not_counted() -> None:
    # Published Monday 01/06/2026: Tuesday is the first day of the period.
    assert count_working_days(date(2026, 6, 1), date(2026, 6, 1)) == 0
    assert count_working_days(date(2026, 6, 1), date(2026, 6, 2)) == 1
    assert count_working_days(date(2026, 6, 1), date(2026, 6, 4)) == 3


def test_count_skips_weekend() -> None:
    # Thursday 04/06 -> Monday 08/06: Friday and Monday.
    assert count_working_days(date(2026, 6, 4), date(2026, 6, 8)) == 2


def test_count_across_tet() -> None:
    assert count_working_days(date(2026, 2, 12), date(2026, 2, 23)) == 2
    assert count_calendar_days(date(2026, 2, 12), date(2026, 2, 23)) == 11


def test_count_across_30_4_and_1_5() -> None:
    assert count_working_days(date(2026, 4, 28), date(2026, 5, 5)) == 3  # 29/4, 4/5, 5/5


def test_empty_or_reversed_span_counts_zero() -> None:
    assert count_working_days(date(2026, 6, 10), date(2026, 6, 5)) == 0
    assert count_calendar_days(date(2026, 6, 10), date(2026, 6, 5)) == 0


def test_absurd_span_is_rejected() -> None:
    with pytest.raises(ValueError):
        count_working_days(date(2000, 1, 1), date(2026, 1, 1))


def test_add_working_days_lands_after_tet() -> None:
    # Three working days after Thursday 12/02/2026: 13/02, 23/02, 24/02.
    assert add_working_days(date(2026, 2, 12), 3) == date(2026, 2, 24)


def test_add_working_days_zero_is_the_event_day() -> None:
    assert add_working_days(date(2026, 6, 6), 0) == date(2026, 6, 6)


def test_calendar_deadline_rolls_to_next_working_day() -> None:
    # 10 days after 23/08/2026 is Wednesday 02/09 (National Day): rolled to Thursday 03/09.
    assert add_calendar_days(date(2026, 8, 23), 10) == date(2026, 9, 3)
    # 7 days after Friday 29/05/2026 is Friday 05/06: a working day, no roll.
    assert add_calendar_days(date(2026, 5, 29), 7) == date(2026, 6, 5)


def test_next_working_day() -> None:
    assert next_working_day(date(2026, 2, 14)) == date(2026, 2, 23)
    assert next_working_day(date(2026, 6, 8)) == date(2026, 6, 8)


def test_count_days_unit_dispatch() -> None:
    assert count_days(date(2026, 6, 4), date(2026, 6, 8), "working_days") == 2
    assert count_days(date(2026, 6, 4), date(2026, 6, 8), "calendar_days") == 4
    with pytest.raises(ValueError):
        count_days(date(2026, 6, 4), date(2026, 6, 8), "fortnights")
