"""Untrusted THADS pages: huge titles, scripts and event handlers, deep nesting, floods of rows, random text."""

from __future__ import annotations

import time
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.parsers.thads import (
    NoticeCategory,
    ThadsFields,
    classify_notice,
    extract_notice_fields,
    html_to_text,
    parse_detail_page,
    parse_list_page,
)
from crawler.parsers.thads_html import MAX_LIST_ITEMS, MAX_TITLE_CHARS

PAGE_URL = "https://thads.moj.gov.vn/hue/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=1"
LIST_URL = "https://thads.moj.gov.vn/hue/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?Page=1"


def _timed(func, *args, **kwargs):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = func(*args, **kwargs)
    return result, time.perf_counter() - started


def test_huge_title_is_bounded_on_detail_page() -> None:
    html = f"<h2>Thông báo {'đấu giá ' * 6250}</h2><div>05/06/2026</div><p>Nội dung</p>"
    page, seconds = _timed(parse_detail_page, html, PAGE_URL)
    assert page.title is not None and len(page.title) <= MAX_TITLE_CHARS
    assert page.dates == [page.published] and seconds < 5


def test_huge_title_classification_and_fields_are_fast() -> None:
    title = "Thông báo lựa chọn tổ chức đấu giá tài sản của ông " + "A" * 50_000
    (category, _, _), seconds = _timed(classify_notice, title, "")
    assert category == NoticeCategory.SELECTION_AUCTION_ORG and seconds < 2
    fields, seconds = _timed(extract_notice_fields, title, "", published=None)
    assert seconds < 2
    assert fields.debtor is None or len(fields.debtor) <= 200


def test_script_and_handlers_give_text_only() -> None:
    html = """<h2>Thông báo<script>alert('t')</script></h2><div>05/06/2026</div>
    <div><p onclick="steal()">Nội dung <img src=x onerror="steal()"> an toàn</p><script>var secret = 1;</script>
    <style>p{color:red}</style><a href="javascript:steal()">bấm</a><p>&lt;script&gt;chữ&lt;/script&gt;</p></div>"""
    page = parse_detail_page(html, PAGE_URL)
    assert page.title == "Thông báo"
    assert "secret" not in page.body_text and "color:red" not in page.body_text
    assert "Nội dung an toàn" in page.body_text
    assert "<script" not in page.body_html and "onclick" not in page.body_html and "onerror" not in page.body_html
    assert "javascript:" not in page.body_html and "<img" not in page.body_html
    assert "&lt;script&gt;chữ&lt;/script&gt;" in page.body_html


def test_hidden_elements_are_not_text() -> None:
    html = """<h2>Thông báo</h2><div>05/06/2026</div><div><p style="display: none">ẩn</p><p hidden>ẩn 2</p><p>hiện</p></div>"""
    assert parse_detail_page(html, PAGE_URL).body_text == "hiện"


def test_missing_fields_are_none() -> None:
    page = parse_detail_page("<p>Không có gì.</p>", PAGE_URL)
    assert page.title is None and page.dates == [] and page.attachments == []
    fields = extract_notice_fields(page.title or "", page.body_text, published=page.published)
    assert fields == ThadsFields()


def test_deep_nesting_is_fast_and_keeps_text() -> None:
    html = "<div>" * 50_000 + "Thông báo<br>05/06/2026<br>nội dung" + "</div>" * 50_000
    page, seconds = _timed(parse_detail_page, html, PAGE_URL)
    assert seconds < 5
    assert page.dates == [date(2026, 6, 5)] and page.body_text == "nội dung"


def test_deep_nesting_keeps_list_links() -> None:
    rows = "".join(f'<p><a href="View_Detail.aspx?ItemID={n}">T{n}</a> 01/06/2026</p>' for n in range(500))
    page, seconds = _timed(parse_list_page, "<div>" * 20_000 + rows + "</div>" * 20_000, LIST_URL)
    assert seconds < 5
    assert len(page.items) == 500 and page.items[0].date == date(2026, 6, 1)


def test_row_flood_is_capped_and_fast() -> None:
    rows = "".join(f'<div><a href="View_Detail.aspx?ItemID={n}">T{n}</a> 01/06/2026</div>' for n in range(5_000))
    page, seconds = _timed(parse_list_page, f"<html><body>{rows}</body></html>", LIST_URL)
    assert len(page.items) == MAX_LIST_ITEMS and seconds < 20


def test_duplicate_row_flood_without_dates_is_fast() -> None:
    rows = '<a href="View_Detail.aspx?ItemID=1">x</a>' * 3_000
    page, seconds = _timed(parse_list_page, f"<div>{rows}</div>", LIST_URL)
    assert len(page.items) == 1 and page.items[0].date is None and seconds < 10


def test_adversarial_text_is_fast() -> None:
    text = ("tổng số điểm của " * 5_000 + "chấm điểm ngày 05/06/2026 " * 3_000 + "tài sản của ông " * 5_000
            + "Thời gian nộp hồ sơ từ " * 3_000 + "Tài sản 1: " * 2_000)
    fields, seconds = _timed(extract_notice_fields, "Thông báo", text, published=None)
    assert seconds < 10
    assert len(fields.assets) <= 50


def test_oversized_html_is_truncated_not_rejected() -> None:
    html = "<h2>Thông báo</h2><div>05/06/2026</div><p>" + "a " * 2_000_000 + "</p>"
    page, seconds = _timed(parse_detail_page, html, PAGE_URL)
    assert page.title == "Thông báo" and seconds < 30
    assert len(page.body_text) <= 300_000


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400), st.text(max_size=2_000))
def test_random_text_never_raises(title: str, text: str) -> None:
    category, confidence, reasons = classify_notice(title, text)
    assert category in set(NoticeCategory) and 0 < confidence <= 1 and reasons
    extract_notice_fields(title, text, published=None)


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/=\"' adivhrefView_Detail.aspx?ItemID=12&#;:01/06/2026")), max_size=600))
def test_random_markup_never_raises(html: str) -> None:
    parse_list_page(html, LIST_URL)
    page = parse_detail_page(html, PAGE_URL)
    assert html_to_text(page.body_html) == page.body_text
