"""Dates in every format the portals use (epoch milliseconds as numbers and numeric strings, dd/MM/yyyy,
dd/MM/yyyy HH:mm, HH:mm dd/MM/yyyy, ISO 8601, "ngày … tháng … năm …") read back to the right value, and malformed
or absurd ones give None: never an exception, from the time helpers, the Vietnamese text parsers and the dgts
record parser."""

from __future__ import annotations

import math
from datetime import date, datetime, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.parsers import dgts
from vntext.core import epoch_ms_to_local, find_dates, parse_vn_date, parse_vn_datetime
from storage.timeutil import VN_TZ, from_epoch_ms, local_date, parse_portal_time

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

moments = st.datetimes(min_value=datetime(1990, 1, 2), max_value=datetime(2099, 12, 30)).map(
    lambda d: d.replace(second=0, microsecond=0, tzinfo=VN_TZ))

# Anything a portal or a dataset file could put where a time belongs.
junk_text = st.one_of(
    st.text(max_size=80),
    st.text(alphabet="0123456789/:-.T+Z ", max_size=40),
    st.sampled_from(["", " ", "nan", "NaN", "inf", "-inf", "Infinity", "1e400", "-1e400", "1e30", "0", "-0",
                     "00/00/0000", "31/02/2026", "29/02/2025", "32/01/2026", "01/13/2026", "99/99/9999",
                     "24:61 01/01/2026", "25:00 01/01/2026", "01/01/2026 24:60", "2026-02-30", "2026-13-01",
                     "2026-06-05T25:00:00", "ngày 32 tháng 13 năm 2026", "ngày 5 tháng 6 năm 20266",
                     "²³/⁰⁶/²⁰²⁶", "١٢/٠٦/٢٠٢٦", "٣٠", "０５/０６/２０２６", "1" * 64, "9" * 500, "-" * 70,
                     "05/06/2026" * 1000, "\x00", "\u202e05/06/2026", "0x1F", "1_000", "+1746000000000"]),
)
junk_value = st.one_of(
    junk_text, st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**40), max_value=10**40), st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2), st.just(10**400), st.just(float("nan")),
)


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


# ------------------------------------------------------------------------------------------------ good formats


@SETTINGS
@given(moments)
def test_epoch_ms_as_number_and_numeric_string(moment):
    for value in (ms(moment), float(ms(moment)), str(ms(moment)), f" {ms(moment)} "):
        assert from_epoch_ms(value) == moment
    assert epoch_ms_to_local(ms(moment)) == moment
    assert local_date(ms(moment)) == moment.date()


@SETTINGS
@given(moments)
def test_day_month_year_with_and_without_clock(moment):
    d = moment.date()
    day_only = moment.replace(hour=0, minute=0)
    for text in (f"{d.day:02d}/{d.month:02d}/{d.year}", f"{d.day}/{d.month}/{d.year}",
                 f"{d.day:02d}-{d.month:02d}-{d.year}"):
        assert parse_portal_time(text) == day_only
        assert parse_vn_date(text) == d
    with_clock = f"{d.day:02d}/{d.month:02d}/{d.year} {moment:%H:%M}"
    clock_first = f"{moment:%H:%M} {d.day:02d}/{d.month:02d}/{d.year}"
    for text in (with_clock, clock_first):
        assert parse_portal_time(text) == moment
        assert parse_vn_datetime(text) == moment
        assert parse_vn_date(text) == d


@SETTINGS
@given(moments)
def test_iso_8601_forms(moment):
    assert parse_portal_time(moment.isoformat()) == moment
    assert parse_portal_time(moment.astimezone(VN_TZ).replace(tzinfo=None).isoformat()) == moment  # naive = ICT
    assert parse_portal_time(moment.astimezone(timezone.utc).isoformat()) == moment
    assert parse_portal_time(moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")) == moment
    assert parse_vn_date(moment.date().isoformat()) == moment.date()


@SETTINGS
@given(moments, st.sampled_from(["ngày {d} tháng {m} năm {y}", "Ngày {d:02d} tháng {m:02d} năm {y}",
                                 "NGÀY {d} THÁNG {m} NĂM {y}", "ngay {d} thang {m} nam {y}",
                                 "Bình Định, ngày {d} tháng {m} năm {y}", "ngày  {d} , tháng {m} , năm {y}"]))
def test_vietnamese_written_dates(moment, pattern):
    d = moment.date()
    text = pattern.format(d=d.day, m=d.month, y=d.year)
    assert parse_vn_date(text) == d
    (match,) = find_dates(text)
    assert match.value == d and text[match.start:match.end].lower().startswith(("ngày", "ngay"))


def test_clock_words_before_a_date():
    assert parse_vn_datetime("24 giờ ngày 08/6/2026") == datetime(2026, 6, 9, tzinfo=VN_TZ)  # end of the day
    assert parse_vn_datetime("5 giờ chiều ngày 08/6/2026") == datetime(2026, 6, 8, 17, tzinfo=VN_TZ)
    assert parse_vn_datetime("14h30 ngày 08/6/2026") == datetime(2026, 6, 8, 14, 30, tzinfo=VN_TZ)


# ------------------------------------------------------------------------------------------------ bad input


@SETTINGS
@given(junk_value)
def test_time_helpers_never_raise(value):
    out = from_epoch_ms(value)
    assert out is None or (isinstance(out, datetime) and 1990 <= out.year <= 2100)
    out = local_date(value) if not isinstance(value, datetime) else None
    assert out is None or isinstance(out, date)
    if isinstance(value, str):
        out = parse_portal_time(value)
        assert out is None or (out.tzinfo is not None and 1990 <= out.year <= 2100)
    out = epoch_ms_to_local(value) if isinstance(value, (int, float, str)) else None
    assert out is None or 1990 <= out.year <= 2100


@SETTINGS
@given(junk_text, st.one_of(st.none(), st.integers(min_value=1, max_value=9999)))
def test_text_parsers_never_raise(text, default_year):
    assert parse_vn_date(text) is None or isinstance(parse_vn_date(text), date)
    assert parse_vn_datetime(text) is None or isinstance(parse_vn_datetime(text), datetime)
    for m in find_dates(text, default_year=default_year):
        assert 1990 <= m.value.year <= 2100 and 0 <= m.start < m.end <= len(text)


def test_impossible_calendar_values_are_none():
    for text in ("31/02/2026", "29/02/2025", "00/01/2026", "01/13/2026", "24:61 01/01/2026", "2026-02-30",
                 "01/01/1989", "01/01/2101", "nan", "inf", "1e400", "²³/⁰⁶/²⁰²⁶"):
        assert parse_portal_time(text) is None, text
    for value in (float("inf"), float("-inf"), float("nan"), 10**400, "1e400", "Infinity", -1, 0, 10**20):
        assert from_epoch_ms(value) is None, value
    assert parse_vn_date("ngày 30 tháng 2 năm 2026") is None
    assert parse_vn_date("29/02/2024") == date(2024, 2, 29)


TIME_FIELDS = ("publishTime1", "publishTime2", "aucTime", "aucRegTimeStart", "aucRegTimeEnd")


@SETTINGS
@given(st.fixed_dictionaries({f: junk_value for f in TIME_FIELDS}),
       st.fixed_dictionaries({f: junk_value for f in ("aucTimeDepositStart", "aucTimeDepositEnd",
                                                      "strAucTimeDepositStart")}),
       st.fixed_dictionaries({f: junk_value for f in ("lastUpdated", "receiveTimeStart", "receiveTimeEnd")}),
       st.fixed_dictionaries({f: junk_value for f in ("genDate", "fromDate", "toDate")}))
def test_dgts_parser_reads_any_time_value_as_a_time_or_none(item_times, detail_times, sel_item, sel_detail):
    auction = {"kind": "dgts.auction_notice", "id": 1, "list_item": {"id": 1, **item_times},
               "detail": detail_times, "property_info": [], "publish_history": [], "corrections": []}
    parsed = dgts.parse_document(auction)
    for name in ("published_at", "republished_at", "auction_at", "reg_start", "reg_end", "deposit_start",
                 "deposit_end"):
        value = parsed.fields[name]
        assert value is None or (isinstance(value, datetime) and value.tzinfo is not None), (name, value)
    selection = {"kind": "dgts.selection_notice", "id": 2, "list_item": {"id": 2, **sel_item},
                 "detail": sel_detail, "properties": [], "edit_notice": {}}
    parsed = dgts.parse_document(selection)
    for name in ("window_start", "window_end"):
        assert parsed.fields[name] is None or isinstance(parsed.fields[name], date)
    assert parsed.fields["published_at"] is None or parsed.fields["published_at"].tzinfo is not None


def test_real_values_of_the_dataset_still_parse():
    assert from_epoch_ms(1751331600000) == datetime(2025, 7, 1, 8, 0, tzinfo=VN_TZ)
    assert not math.isnan(from_epoch_ms("1751331600000").timestamp())
