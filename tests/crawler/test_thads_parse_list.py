"""THADS list pages: rows anchored on View_Detail.aspx?ItemID=N links, their dates, dedupe and paging."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from crawler.parsers.thads import ListPage, parse_list_page

FILES = Path(__file__).resolve().parents[1] / "files" / "thads"
LIST_URL = "https://thads.moj.gov.vn/binhdinh/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?Page=1"


@pytest.fixture(scope="module")
def page() -> ListPage:
    return parse_list_page((FILES / "list_thongbao_page1.html").read_text(encoding="utf-8"), LIST_URL)


def test_fixture_rows_deduplicated_in_page_order(page: ListPage) -> None:
    assert [item.item_key[2] for item in page.items] == [531, 530, 529, 528]


def test_fixture_rows_belong_to_the_page_list(page: ListPage) -> None:
    assert {item.item_key[:2] for item in page.items} == {("binhdinh", "thongbao")}


def test_fixture_row_title_is_the_link_text_not_read_more(page: ListPage) -> None:
    assert page.items[0].title == "Thông báo về việc lựa chọn tổ chức đấu giá tài sản của ông Nguyễn Văn Bình"


def test_fixture_row_dates(page: ListPage) -> None:
    assert [item.date for item in page.items[:3]] == [date(2026, 6, 5), date(2026, 6, 3), date(2026, 6, 1)]


def test_fixture_date_inside_title_is_not_the_row_date(page: ListPage) -> None:
    # Title of 529 says "ngày 28/5/2026" (the notice date); the row date is 01/06/2026.
    assert page.items[2].date == date(2026, 6, 1)


def test_fixture_row_without_date(page: ListPage) -> None:
    assert page.items[3].date is None


def test_fixture_relative_link_resolved(page: ListPage) -> None:
    assert page.items[1].url == "https://thads.moj.gov.vn/binhdinh/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=530"


def test_fixture_quirky_url_kept_for_fetch_canonical_for_identity(page: ListPage) -> None:
    item = page.items[3]
    assert item.url.startswith("http://thads.moj.gov.vn:443/")
    assert item.canonical_url == "https://thads.moj.gov.vn/binhdinh/noidung/thongbao/lists/thongbao/view_detail.aspx?itemid=528"


def test_fixture_next_page(page: ListPage) -> None:
    assert page.next_page_url == "https://thads.moj.gov.vn/binhdinh/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?Page=2"


def test_simulator_like_markup() -> None:
    html = """<html><body><a href="/_layouts/15/Authenticate.aspx">Sign In</a>
    <div id="ctl00_ctl35_g_x"><div><a href="/longan/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=7">Thông báo A</a>
    <span>07/06/2026</span></div><div><a href="/longan/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=6">Thông báo B</a>
    <span>06/06/2026</span></div></div></body></html>"""
    page = parse_list_page(html, "http://127.0.0.1:8099/longan/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?Page=1")
    assert [(i.item_key, i.title, i.date) for i in page.items] == [
        (("longan", "thongbao", 7), "Thông báo A", date(2026, 6, 7)),
        (("longan", "thongbao", 6), "Thông báo B", date(2026, 6, 6)),
    ]
    assert page.items[0].url == "http://127.0.0.1:8099/longan/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=7"
    assert page.next_page_url is None


def test_table_rows_with_date_cell() -> None:
    html = """<table><tr><td><a href="View_Detail.aspx?ItemID=12">Thông báo 12</a></td><td>12/05/2026</td></tr>
    <tr><td><a href="View_Detail.aspx?ItemID=11">Thông báo 11</a></td><td>11/05/2026</td></tr></table>"""
    page = parse_list_page(html, "https://thads.moj.gov.vn/hanoi/noidung/thongbao/Lists/ThongBao/View_Detail.aspx")
    assert [(i.item_key[2], i.date) for i in page.items] == [(12, date(2026, 5, 12)), (11, date(2026, 5, 11))]


def test_flat_rows_take_the_date_after_their_link() -> None:
    html = """<div><a href="View_Detail.aspx?ItemID=3">Ba</a> (03/03/2026)<br>
    <a href="View_Detail.aspx?ItemID=2">Hai</a><br><a href="View_Detail.aspx?ItemID=1">Một</a> - 01/03/2026</div>"""
    page = parse_list_page(html, "https://thads.moj.gov.vn/hue/noidung/thongbao/Lists/ThongBao/View_Detail.aspx")
    assert [(i.item_key[2], i.date) for i in page.items] == [(3, date(2026, 3, 3)), (2, None), (1, date(2026, 3, 1))]


def test_image_link_title_from_title_attribute() -> None:
    html = """<div><a href="View_Detail.aspx?ItemID=4" title="Thông báo bốn"><img src="x.png"></a> 04/04/2026</div>"""
    page = parse_list_page(html, "https://thads.moj.gov.vn/hue/noidung/thongbao/Lists/ThongBao/View_Detail.aspx")
    assert page.items[0].title == "Thông báo bốn"


def test_other_hosts_and_javascript_links_ignored() -> None:
    html = """<a href="https://vbpl.vn/noidung/news/Lists/ThongBao/View_Detail.aspx?ItemID=136">vbpl</a>
    <a href="javascript:__doPostBack('x','View_Detail.aspx?ItemID=5')">js</a>"""
    page = parse_list_page(html, "https://thads.moj.gov.vn/hue/noidung/thongbao/Pages/tbbc.aspx")
    assert page.items == []


def test_page_without_list_in_url_keeps_all_portal_lists() -> None:
    html = """<a href="/hue/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=1">a</a>
    <a href="/hue/noidung/thongbao/Lists/ThongBaoBanDauGia/View_Detail.aspx?ItemID=1">b</a>"""
    page = parse_list_page(html, "https://thads.moj.gov.vn/hue/noidung/thongbao/Pages/tbbc.aspx")
    assert [i.item_key for i in page.items] == [("hue", "thongbao", 1), ("hue", "thongbaobandaugia", 1)]


def test_next_page_by_rel_next() -> None:
    html = """<a href="View_Detail.aspx?ItemID=1">a</a><a rel="next" href="/hue/noidung/thongbao/Pages/tbbc.aspx?Date=&amp;Page=2">x</a>"""
    page = parse_list_page(html, "https://thads.moj.gov.vn/hue/noidung/thongbao/Pages/tbbc.aspx?Date=&Page=1")
    assert page.next_page_url == "https://thads.moj.gov.vn/hue/noidung/thongbao/Pages/tbbc.aspx?Date=&Page=2"


def test_next_page_by_label() -> None:
    html = """<a href="View_Detail.aspx?ItemID=1">a</a><a href="list.aspx?start=31">Trang sau</a>"""
    page = parse_list_page(html, "https://thads.moj.gov.vn/hue/noidung/thongbao/Lists/ThongBao/list.aspx")
    assert page.next_page_url == "https://thads.moj.gov.vn/hue/noidung/thongbao/Lists/ThongBao/list.aspx?start=31"


def test_next_page_never_the_current_page() -> None:
    html = """<a href="View_Detail.aspx?Page=3">»</a>"""
    page = parse_list_page(html, "https://thads.moj.gov.vn/hue/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?Page=3")
    assert page.next_page_url is None


def test_empty_page_past_the_end() -> None:
    page = parse_list_page("<html><body><p>Không có dữ liệu</p></body></html>", LIST_URL)
    assert page.items == [] and page.next_page_url is None
