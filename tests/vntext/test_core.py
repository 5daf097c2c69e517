"""Vietnamese date, time, amount and decimal parsing (vntext.core)."""

from __future__ import annotations

import time as time_module
import unicodedata
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vntext.core import (
    MAX_SCAN_CHARS,
    VN_TZ,
    epoch_ms_to_local,
    find_dates,
    local_day_bounds,
    normalize_vn,
    parse_vn_date,
    parse_vn_datetime,
    parse_vn_decimal,
    parse_vnd,
    to_epoch_ms,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05/6/2026", date(2026, 6, 5)),
        ("5-6-2026", date(2026, 6, 5)),
        ("ngày 05 tháng 6 năm 2026", date(2026, 6, 5)),
        ("05.06.2026", date(2026, 6, 5)),
        ("NGÀY 5 THÁNG 06 NĂM 2026", date(2026, 6, 5)),
        ("Gia Lai, ngày 05 tháng 6 năm 2026", date(2026, 6, 5)),
        ("2026-06-05", date(2026, 6, 5)),
        ("ngay 5 thang 6 nam 2026", date(2026, 6, 5)),
    ],
)
def test_parse_vn_date_forms(text: str, expected: date) -> None:
    assert parse_vn_date(text) == expected


def test_parse_vn_date_decomposed_unicode() -> None:
    assert parse_vn_date(unicodedata.normalize("NFD", "ngày 05 tháng 6 năm 2026")) == date(2026, 6, 5)


@pytest.mark.parametrize("text", ["31/02/2026", "05/06/1989", "05/06/2101", "13/13/2026", "không có ngày", "", "1.522.143.200"])
def test_parse_vn_date_rejects(text: str) -> None:
    assert parse_vn_date(text) is None


def test_parse_vn_date_mixed_separators_not_a_date() -> None:
    assert parse_vn_date("05/06-2026") is None


def test_find_dates_positions_index_the_text() -> None:
    text = "từ ngày 08/6/2026 đến hết ngày 10/6/2026"
    found = find_dates(text)
    assert [m.value for m in found] == [date(2026, 6, 8), date(2026, 6, 10)]
    assert [text[m.start:m.end] for m in found] == ["08/6/2026", "10/6/2026"]


def test_find_dates_textual_span() -> None:
    text = "Vạn Ninh, ngày 16 tháng 4 năm 2025"
    (match,) = find_dates(text)
    assert text[match.start:match.end] == "ngày 16 tháng 4 năm 2025"


def test_find_dates_attaches_clock_times() -> None:
    found = find_dates("từ 8 giờ ngày 08/6/2026 đến 17 giờ 30 phút ngày 10/6/2026")
    assert [m.at for m in found] == [datetime(2026, 6, 8, 8, 0, tzinfo=VN_TZ), datetime(2026, 6, 10, 17, 30, tzinfo=VN_TZ)]


def test_find_dates_without_time_has_no_at() -> None:
    assert find_dates("ngày 08/6/2026 đến ngày 10/6/2026")[0].at is None


def test_find_dates_year_less_only_with_default_year() -> None:
    assert [m.value for m in find_dates("từ ngày 08/6 đến ngày 10/6/2026")] == [date(2026, 6, 10)]
    values = [m.value for m in find_dates("từ ngày 08/6 đến ngày 10/6/2026", default_year=2026)]
    assert values == [date(2026, 6, 8), date(2026, 6, 10)]


def test_find_dates_year_less_ignores_scores() -> None:
    assert find_dates("đạt 93/100 điểm", default_year=2026) == []


def test_find_dates_bounded_input() -> None:
    text = "x" * (MAX_SCAN_CHARS + 10) + " 05/06/2026"
    assert find_dates(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14:30 23/04/2026", datetime(2026, 4, 23, 14, 30, tzinfo=VN_TZ)),
        ("23/04/2026 14:30", datetime(2026, 4, 23, 14, 30, tzinfo=VN_TZ)),
        ("23/04/2026 14:30:15", datetime(2026, 4, 23, 14, 30, 15, tzinfo=VN_TZ)),
        ("8 giờ ngày 08/6/2026", datetime(2026, 6, 8, 8, 0, tzinfo=VN_TZ)),
        ("14h30 ngày 23/4/2026", datetime(2026, 4, 23, 14, 30, tzinfo=VN_TZ)),
        ("2 giờ chiều ngày 10/6/2026", datetime(2026, 6, 10, 14, 0, tzinfo=VN_TZ)),
        ("17 giờ 00 phút, ngày 10 tháng 6 năm 2026", datetime(2026, 6, 10, 17, 0, tzinfo=VN_TZ)),
    ],
)
def test_parse_vn_datetime_forms(text: str, expected: datetime) -> None:
    assert parse_vn_datetime(text) == expected


def test_parse_vn_datetime_24h_is_next_midnight() -> None:
    assert parse_vn_datetime("24 giờ ngày 10/6/2026") == datetime(2026, 6, 11, 0, 0, tzinfo=VN_TZ)


@pytest.mark.parametrize("text", ["ngày 05/6/2026", "25:10 05/06/2026", "không có gì"])
def test_parse_vn_datetime_needs_a_valid_time(text: str) -> None:
    assert parse_vn_datetime(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.522.143.200 đồng", 1_522_143_200),
        ("1.522.143.200đ", 1_522_143_200),
        ("1.522.143.200 VNĐ", 1_522_143_200),
        ("1,5 tỷ đồng", 1_500_000_000),
        ("1,5 tỉ đồng", 1_500_000_000),
        ("450 triệu đồng", 450_000_000),
        ("1 tỷ 200 triệu đồng", 1_200_000_000),
        ("1 tỷ 522 triệu 143 nghìn 200 đồng", 1_522_143_200),
        ("hơn 52,4 tỷ đồng", 52_400_000_000),
        ("25.548,4", 25_548),
        ("1522143200", 1_522_143_200),
        ("Giá khởi điểm: 46.688.000 đồng (Bằng chữ: Bốn mươi sáu triệu)", 46_688_000),
        ("thửa 77, giá 46.688.000 đồng", 46_688_000),
    ],
)
def test_parse_vnd_forms(text: str, expected: int) -> None:
    assert parse_vnd(text) == expected


@pytest.mark.parametrize("text", ["-1.000.000 đồng", "20% giá khởi điểm", "năm 2026", "99999999999999999999 đồng", "", "đồng",
                                  "10000000000000000000000000000", "1" * 4_000 + " tỷ đồng"])
def test_parse_vnd_rejects(text: str) -> None:
    assert parse_vnd(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25.548,4", 25548.4),
        ("17426,9", 17426.9),
        ("2.835", 2835.0),
        ("diện tích 17426,9m2", 17426.9),
        ("1,5", 1.5),
        ("1.234.567", 1234567.0),
        ("1,234,567.5", 1234567.5),
        ("-2,5", -2.5),
    ],
)
def test_parse_vn_decimal_forms(text: str, expected: float) -> None:
    assert parse_vn_decimal(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["abc", "", "1.23.4"])
def test_parse_vn_decimal_rejects(text: str) -> None:
    assert parse_vn_decimal(text) is None


def test_epoch_ms_to_local_is_aware_vietnam_time() -> None:
    moment = epoch_ms_to_local(1_746_752_400_000)  # a real dgts aucRegTimeStart: 2025-05-09T01:00:00Z
    assert moment == datetime(2025, 5, 9, 8, 0, tzinfo=VN_TZ)
    assert (moment.year, moment.month, moment.day, moment.hour) == (2025, 5, 9, 8)
    assert moment.utcoffset() == timedelta(hours=7)


@pytest.mark.parametrize("value", [1e30, float("nan"), float("inf"), True, "abc", -10**15])
def test_epoch_ms_to_local_rejects_junk(value: object) -> None:
    assert epoch_ms_to_local(value) is None  # type: ignore[arg-type]


def test_local_day_bounds_half_open_24h() -> None:
    start, end = local_day_bounds(date(2026, 6, 5))
    assert start == datetime(2026, 6, 5, 0, 0, tzinfo=VN_TZ)
    assert end - start == timedelta(days=1)
    assert to_epoch_ms(start) == 1_780_592_400_000


def test_to_epoch_ms_rejects_naive() -> None:
    with pytest.raises(ValueError):
        to_epoch_ms(datetime(2026, 6, 5))




def test_normalize_maps_odd_spaces() -> None:
    assert normalize_vn("a\u00a0b\u200bc\r\nd") == "a bc\nd"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_parsers_never_raise_on_random_text(text: str) -> None:
    parse_vn_date(text)
    parse_vn_datetime(text)
    parse_vnd(text)
    parse_vn_decimal(text)
    for match in find_dates(text):
        assert 0 <= match.start < match.end <= len(text)


def test_long_digit_runs_parse_quickly() -> None:
    text = ("1." * 50_000) + "5 đồng " + ("9/" * 50_000)
    started = time_module.perf_counter()
    parse_vnd(text)
    find_dates(text)
    parse_vn_decimal(text)
    assert time_module.perf_counter() - started < 2.0
