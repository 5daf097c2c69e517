"""THADS detail pages: title, date lines, body text/HTML and attachments, on made-up fixture pages."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from crawler.parsers.thads import DetailPage, html_to_text, parse_detail_page

FILES = Path(__file__).resolve().parents[1] / "files" / "thads"
BASE = "https://thads.moj.gov.vn"


def _parse(name: str, path: str) -> DetailPage:
    return parse_detail_page((FILES / name).read_text(encoding="utf-8"), BASE + path)


def test_selection_notice_title_skips_sign_in() -> None:
    page = _parse("notice_selection_window.html", "/gialai/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=12")
    assert page.title == "Thông báo về việc lựa chọn tổ chức đấu giá tài sản"


def test_selection_notice_publication_date() -> None:
    page = _parse("notice_selection_window.html", "/gialai/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=12")
    assert page.dates == [date(2026, 6, 5)]
    assert page.published == date(2026, 6, 5)


def test_selection_notice_body_starts_after_date_and_has_no_script() -> None:
    page = _parse("notice_selection_window.html", "/gialai/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=12")
    assert page.body_text.startswith("THI HÀNH ÁN DÂN SỰ TỈNH GIA LAI\n")
    assert "Sign In" not in page.body_text
    assert "SCRIPT TEXT" not in page.body_text and "<script" not in page.body_html


def test_item_key_of_the_page() -> None:
    page = _parse("notice_selection_window.html", "/gialai/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=12")
    assert page.item_key == ("gialai", "thongbao", 12)


def test_table_header_cells_become_one_line() -> None:
    page = _parse("notice_selection_window.html", "/gialai/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=12")
    assert "Số: 123/TB-THADS | Gia Lai, ngày 05 tháng 6 năm 2026" in page.body_text.splitlines()


def test_body_html_is_whitelisted() -> None:
    page = _parse("notice_selection_window.html", "/gialai/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=12")
    assert "<td>THI HÀNH ÁN DÂN SỰ TỈNH GIA LAI<br><b>PHÒNG THI HÀNH ÁN DÂN SỰ KHU VỰC 3</b></td>" in page.body_html
    assert "style=" not in page.body_html and "class=" not in page.body_html


def test_result_notice_title_and_date_in_table_rows() -> None:
    page = _parse("notice_result_selected_org.html", "/khanhhoa/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=45")
    assert page.title == "Thông báo kết quả lựa chọn tổ chức đấu giá tài sản"
    assert page.dates == [date(2025, 4, 16)]
    assert "2. Tổng số điểm của tổ chức đấu giá tài sản được lựa chọn: 93/100 điểm." in page.body_text


def test_labelled_date_line_in_header_block() -> None:
    page = _parse("notice_valuation_selection.html", "/tphochiminh/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=210")
    assert page.title == "Thông báo về việc lựa chọn tổ chức thẩm định giá tài sản để bán đấu giá"
    assert page.dates == [date(2026, 1, 28)]
    assert page.body_text.startswith("THI HÀNH ÁN DÂN SỰ THÀNH PHỐ HỒ CHÍ MINH")
    assert "accessible mode" not in page.body_text


def test_two_date_lines_kept_in_order_related_box_ignored() -> None:
    page = _parse("detail_two_dates.html", "/longan/noidung/tintuc/Lists/NghienCuuTraoDoi/View_Detail.aspx?ItemID=9")
    assert page.dates == [date(2018, 5, 11), date(2018, 4, 26)]
    assert page.published == date(2018, 5, 11)
    assert page.title == "Giải pháp đối với việc thi hành án chưa có điều kiện"
    assert page.body_text.splitlines()[0] == "Phần giới thiệu ngắn của bài viết."
    assert "Toàn văn bài viết: nội dung đầy đủ." in page.body_text


def test_attachments_decoded_names() -> None:
    page = _parse("notice_attachments.html", "/tphochiminh/noidung/thongbao/lists/thongbao/view_detail.aspx?itemid=531")
    names = [a.name_decoded for a in page.attachments]
    assert names[:2] == ["Thông báo lựa chọn tổ chức đấu giá.pdf", "Quy chế đấu giá.docx"]


def test_attachments_absolute_urls_and_item_id() -> None:
    page = _parse("notice_attachments.html", "/tphochiminh/noidung/thongbao/lists/thongbao/view_detail.aspx?itemid=531")
    first = page.attachments[0]
    assert first.url == (BASE + "/tphochiminh/noidung/thongbao/Lists/ThongBao/Attachments/531/"
                         "Th%C3%B4ng%20b%C3%A1o%20l%E1%BB%B1a%20ch%E1%BB%8Dn%20t%E1%BB%95%20ch%E1%BB%A9c%20"
                         "%C4%91%E1%BA%A5u%20gi%C3%A1.pdf")
    assert first.item_id == 531 and first.in_attachments_folder


def test_attachments_iframe_duplicate_and_other_item_dropped() -> None:
    page = _parse("notice_attachments.html", "/tphochiminh/noidung/thongbao/lists/thongbao/view_detail.aspx?itemid=531")
    assert len(page.attachments) == 3
    assert all(a.item_id == 531 for a in page.attachments)


def test_attachment_name_cannot_escape_a_folder() -> None:
    page = _parse("notice_attachments.html", "/tphochiminh/noidung/thongbao/lists/thongbao/view_detail.aspx?itemid=531")
    odd = page.attachments[2].name_decoded
    assert "/" not in odd and "\\" not in odd and not odd.startswith(".")


def test_iframe_only_attachment_found() -> None:
    html = """<h2>Thông báo</h2><div>01/06/2026</div><div><iframe src="/hue/noidung/thongbao/Lists/ThongBao/Attachments/7/TB%207.pdf"></iframe></div>"""
    page = parse_detail_page(html, BASE + "/hue/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=7")
    assert [a.name_decoded for a in page.attachments] == ["TB 7.pdf"]


def test_document_link_outside_attachment_folder() -> None:
    html = """<h2>Thông báo</h2><div>01/06/2026</div><p><a href="/hue/Documents/Quy%20ch%E1%BA%BF.pdf">Quy chế</a>
    <a href="https://example.com/x.pdf">ngoài</a></p>"""
    page = parse_detail_page(html, BASE + "/hue/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=7")
    assert [(a.name_decoded, a.in_attachments_folder, a.item_id) for a in page.attachments] == [("Quy chế.pdf", False, None)]


def test_no_date_line_falls_back_to_heading() -> None:
    html = "<html><body><a>Sign In</a><h1>Thông báo lựa chọn</h1><p>Nội dung thông báo.</p></body></html>"
    page = parse_detail_page(html, BASE + "/hue/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=8")
    assert page.title == "Thông báo lựa chọn"
    assert page.dates == [] and page.published is None
    assert page.body_text == "Nội dung thông báo."


def test_nothing_found_gives_none_title_and_empty_lists() -> None:
    page = parse_detail_page("<html><body></body></html>", BASE + "/hue/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=9")
    assert page.title is None and page.dates == [] and page.attachments == [] and page.body_text == ""


def test_date_in_body_sentence_is_not_a_date_line() -> None:
    html = "<h2>Tiêu đề</h2><p>Căn cứ Quyết định số 12/QĐ-THADS ngày 05/06/2026 của Chi cục.</p>"
    page = parse_detail_page(html, BASE + "/hue/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=10")
    assert page.dates == []


def test_bytes_input_with_meta_charset() -> None:
    html = '<html><head><meta charset="utf-8"></head><body><h2>Thông báo đấu giá</h2><div>02/06/2026</div><p>Nội dung</p></body></html>'
    page = parse_detail_page(html.encode("utf-8"), BASE + "/hue/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=11")
    assert page.title == "Thông báo đấu giá" and page.dates == [date(2026, 6, 2)]


def test_html_to_text_of_body_html_equals_body_text() -> None:
    for name in ("notice_selection_window.html", "notice_result_selected_org.html", "detail_two_dates.html"):
        page = _parse(name, "/hue/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=1")
        assert html_to_text(page.body_html) == page.body_text


def test_html_to_text_of_a_fragment() -> None:
    assert html_to_text("<p>Dòng 1<br>Dòng 2</p><script>x()</script><table><tr><td>a</td><td>b</td></tr></table>") == \
        "Dòng 1\nDòng 2\na | b"


def test_other_notices_box_with_many_medium_titles_is_not_a_date() -> None:
    rows = "".join(f'<li><a href="View_Detail.aspx?ItemID={n}">Thông báo lựa chọn tổ chức đấu giá số {n}</a>'
                   f' <span>({n:02d}/05/2026)</span></li>' for n in range(10, 20))
    html = f"<h1>Thông báo chính</h1><div>03/06/2026</div><div>Nội dung</div><ul>{rows}</ul>"
    page = parse_detail_page(html, BASE + "/hue/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=3")
    assert page.dates == [date(2026, 6, 3)]


def test_date_before_other_item_link_is_not_a_date() -> None:
    html = """<h1>Thông báo chính</h1><div>03/06/2026</div><p>Nội dung</p>
    <div class="x"><span>01/06/2026</span> <a href="View_Detail.aspx?ItemID=8">Thông báo khác có tiêu đề dài</a></div>"""
    page = parse_detail_page(html, BASE + "/hue/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=3")
    assert page.dates == [date(2026, 6, 3)]


def test_title_linking_to_the_page_itself_keeps_the_date() -> None:
    html = """<h1><a href="View_Detail.aspx?ItemID=3">Thông báo chính</a></h1><div>03/06/2026</div><p>Nội dung</p>"""
    page = parse_detail_page(html, BASE + "/hue/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=3")
    assert page.title == "Thông báo chính" and page.dates == [date(2026, 6, 3)]
