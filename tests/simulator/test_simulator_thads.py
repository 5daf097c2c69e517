"""THADS SharePoint pages: list paging, detail, attachments, case-insensitivity, 404 and redirects."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import quote

import pytest

from crawler.simulator import ICT

BASE = "/binhdinh/noidung/thongbao/Lists/ThongBao"
ITEM_LINK = re.compile(r'href="[^"]*View_Detail\.aspx\?ItemID=(\d+)"')


@pytest.fixture
def sim(start_sim, made_up_thads_documents):
    return start_sim(made_up_thads_documents, clock=datetime(2026, 6, 1, tzinfo=ICT), redirect_sites=("hue",))


def list_ids(html: str) -> list[int]:
    block = html.split('class="list-news"', 1)[1].split('class="paging"', 1)[0]
    return [int(found) for found in ITEM_LINK.findall(block)]


def test_list_page_is_newest_first_ten_per_page(sim, http_get):
    page = http_get(f"{sim.base_url}{BASE}/View_Detail.aspx?Page=1")
    assert page.status == 200
    assert list_ids(page.text) == list(range(23, 13, -1))


def test_list_rows_carry_dates(sim, http_get):
    page = http_get(f"{sim.base_url}{BASE}/View_Detail.aspx?Page=1").text
    assert "23/05/2026" in page and "14/05/2026" in page and "13/05/2026" not in page


def test_pages_cover_every_item_and_link_to_each_other(sim, http_get):
    seen = []
    for number in (1, 2, 3):
        page = http_get(f"{sim.base_url}{BASE}/View_Detail.aspx?Page={number}").text
        seen += list_ids(page)
    assert seen == list(range(23, 0, -1))
    first_page = http_get(f"{sim.base_url}{BASE}/View_Detail.aspx?Page=1").text
    assert "View_Detail.aspx?Page=2" in first_page and "View_Detail.aspx?Page=3" in first_page


def test_page_past_the_end_is_an_empty_list(sim, http_get):
    page = http_get(f"{sim.base_url}{BASE}/View_Detail.aspx?Page=4")
    assert page.status == 200 and list_ids(page.text) == []


def test_page_size_is_configurable(start_sim, http_get, made_up_thads_documents):
    simulator = start_sim(made_up_thads_documents, clock=datetime(2026, 6, 1, tzinfo=ICT), page_size_thads=5)
    assert len(list_ids(http_get(f"{simulator.base_url}{BASE}/View_Detail.aspx?Page=1").text)) == 5


def test_pages_look_like_sharepoint(sim, http_get):
    page = http_get(f"{sim.base_url}{BASE}/View_Detail.aspx?Page=1").text
    assert "Sign In" in page
    assert re.search(r'id="ctl00_ctl35_g_[0-9a-f_]{36}"', page)


def test_titles_are_html_escaped(sim, http_get):
    page = http_get(f"{sim.base_url}{BASE}/View_Detail.aspx?Page=1").text
    assert "&lt;thử&gt;" in page and "<thử>" not in page


def test_detail_page_has_title_date_body_and_attachment_link(sim, http_get):
    page = http_get(f"{sim.base_url}{BASE}/View_Detail.aspx?ItemID=7").text
    assert "Sign In" in page
    assert "Thông báo lựa chọn tổ chức đấu giá số 7 &lt;thử&gt;" in page
    assert "07/05/2026" in page
    assert "<p>Nội dung thông báo 7</p>" in page
    assert f'href="{BASE}/Attachments/7/{quote("Thông báo 7.pdf", safe="")}"' in page


def test_attachment_serves_bytes_with_content_type(sim, http_get):
    result = http_get(f"{sim.base_url}{BASE}/Attachments/7/{quote('Thông báo 7.pdf')}")
    assert result.status == 200
    assert result.body == b"%PDF-1.4 item 7"
    assert result.headers["Content-Type"] == "application/pdf"


def test_unknown_attachment_is_404(sim, http_get):
    assert http_get(f"{sim.base_url}{BASE}/Attachments/7/other.pdf").status == 404


def test_paths_and_query_keys_are_case_insensitive(sim, http_get):
    lower = http_get(f"{sim.base_url}{BASE.lower()}/view_detail.aspx?itemid=7")
    upper = http_get(f"{sim.base_url}/BinhDinh/NoiDung/ThongBao/LISTS/THONGBAO/VIEW_DETAIL.ASPX?ITEMID=7")
    assert lower.status == upper.status == 200
    assert "số 7 &lt;thử&gt;" in lower.text and "số 7 &lt;thử&gt;" in upper.text
    assert list_ids(http_get(f"{sim.base_url}{BASE.lower()}/view_detail.aspx?page=3").text) == [3, 2, 1]


def test_unknown_site_is_404(sim, http_get):
    assert http_get(f"{sim.base_url}/khongco/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?Page=1").status == 404


def test_unknown_item_is_404(sim, http_get):
    assert http_get(f"{sim.base_url}{BASE}/View_Detail.aspx?ItemID=999").status == 404


def test_redirect_site_answers_302_to_root(sim, http_get):
    result = http_get(f"{sim.base_url}/hue/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?Page=1")
    assert result.status == 302 and result.headers["Location"] == "/"


def test_sites_are_separate(sim, http_get):
    page = http_get(f"{sim.base_url}/longan/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?Page=1").text
    assert list_ids(page) == [9]


def test_taken_down_item_disappears(sim, http_get):
    sim.take_down("thads.notice", ("binhdinh", 23))
    assert http_get(f"{sim.base_url}{BASE}/View_Detail.aspx?ItemID=23").status == 404
    assert list_ids(http_get(f"{sim.base_url}{BASE}/View_Detail.aspx?Page=1").text)[0] == 22


def test_runtime_edit_changes_the_title(sim, http_get):
    sim.edit("thads.notice", "binhdinh/5", "title", "Tiêu đề đã sửa")
    assert "Tiêu đề đã sửa" in http_get(f"{sim.base_url}{BASE}/View_Detail.aspx?ItemID=5").text
