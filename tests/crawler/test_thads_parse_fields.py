"""Field extraction from THADS notice text: one test per field and phrasing; absent fields stay None."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from crawler.parsers.thads import ThadsAsset, ThadsFields, extract_notice_fields, parse_detail_page
from vntext.core import VN_TZ

FILES = Path(__file__).resolve().parents[1] / "files" / "thads"
BASE = "https://thads.moj.gov.vn"


def fields(text: str, title: str = "", published: date | None = None) -> ThadsFields:
    return extract_notice_fields(title, text, published=published)


def page_fields(name: str, path: str) -> ThadsFields:
    page = parse_detail_page((FILES / name).read_text(encoding="utf-8"), BASE + path)
    return extract_notice_fields(page.title or "", page.body_text, published=page.published)


# ------------------------------------------------------------------------------------------------ owner_office


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CHI CỤC THI HÀNH ÁN DÂN SỰ HUYỆN VẠN NINH\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
         "CHI CỤC THI HÀNH ÁN DÂN SỰ HUYỆN VẠN NINH"),
        ("CHI CỤC THI HÀNH ÁN DÂN SỰ HUYỆN VẠN NINH CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
         "CHI CỤC THI HÀNH ÁN DÂN SỰ HUYỆN VẠN NINH"),
        ("Thi hành án dân sự tỉnh Cà Mau\nSố: 1/TB-THADS", "Thi hành án dân sự tỉnh Cà Mau"),
        ("Phòng Thi hành án dân sự khu vực 11 - Cần Thơ\nSố: 2/TB-PTHADS", "Phòng Thi hành án dân sự khu vực 11 - Cần Thơ"),
        ("Phòng Thi hành án dân sự khu vực I Quảng Ninh\n", "Phòng Thi hành án dân sự khu vực I Quảng Ninh"),
        ("Thi hành án dân sự TP.HCM\nSố: 3/TB-THADS", "Thi hành án dân sự TP.HCM"),
        ("THI HÀNH ÁN DÂN SỰ TP. HỒ CHÍ MINH\nPHÒNG THI HÀNH ÁN DÂN SỰ KHU VỰC 12\nSố: 4/TB-PTHADS",
         "PHÒNG THI HÀNH ÁN DÂN SỰ KHU VỰC 12"),
        ("CỤC THI HÀNH ÁN DÂN SỰ TỈNH TRÀ VINH\n", "CỤC THI HÀNH ÁN DÂN SỰ TỈNH TRÀ VINH"),
    ],
)
def test_owner_office_from_header(text: str, expected: str) -> None:
    assert fields(text).owner_office == expected


def test_owner_office_from_owner_label() -> None:
    text = ("THÔNG BÁO\n1. Tên, địa chỉ người có tài sản đấu giá: Chi cục Thi hành án dân sự thành phố Pleiku, "
            "địa chỉ: 01 Trần Phú")
    assert fields(text).owner_office == "Chi cục Thi hành án dân sự thành phố Pleiku"


def test_owner_office_from_title() -> None:
    title = "Chi cục THADS huyện Mang Yang thông báo lựa chọn tổ chức đấu giá"
    assert fields("", title=title).owner_office == "Chi cục THADS huyện Mang Yang"


def test_owner_office_not_taken_from_deep_body() -> None:
    text = "Nội dung\nCăn cứ đề nghị của Cục Thi hành án dân sự tỉnh Gia Lai, thông báo như sau"
    assert fields(text).owner_office is None


def test_owner_office_fixture_prefers_label() -> None:
    f = page_fields("notice_selection_window.html", "/gialai/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=12")
    assert f.owner_office == "Phòng Thi hành án dân sự khu vực 3 - Gia Lai"


# ------------------------------------------------------------------------------------------------ notice_number


@pytest.mark.parametrize(
    ("text", "title", "expected"),
    [
        ("CHI CỤC THADS HUYỆN A\nSố: 123/TB-THADS\n", "", "123/TB-THADS"),
        ("", "Thông báo số 45/TB-CCTHADS về việc lựa chọn tổ chức đấu giá", "45/TB-CCTHADS"),
        ("Số: 12/2026/TB-THADS\n", "", "12/2026/TB-THADS"),
        ("THADS TỈNH B Số: 101 / TB-PTHADS Gia Lai, ngày 05 tháng 6 năm 2026", "", "101/TB-PTHADS"),
    ],
)
def test_notice_number(text: str, title: str, expected: str) -> None:
    assert fields(text, title=title).notice_number == expected


def test_notice_number_ignores_decisions_and_deep_references() -> None:
    text = "Số: 12/QĐ-THADS\nTHÔNG BÁO\nCăn cứ Thông báo số 40/TB-CCTHADS ngày 08/4/2025"
    assert fields(text).notice_number is None


# ------------------------------------------------------------------------------------------------ notice_date


@pytest.mark.parametrize(
    ("text", "title", "expected"),
    [
        ("Số: 1/TB-THADS\nGia Lai, ngày 05 tháng 6 năm 2026\nTHÔNG BÁO", "", date(2026, 6, 5)),
        ("Số: 1/TB-THADS\nKhánh Hòa, 05/6/2026\nTHÔNG BÁO", "", date(2026, 6, 5)),
        ("", "Thông báo số 45/TB-CCTHADS ngày 05/6/2026 về việc bán đấu giá", date(2026, 6, 5)),
        ("THÔNG BÁO\nNgày ban hành: 07/6/2026\n", "", date(2026, 6, 7)),
    ],
)
def test_notice_date(text: str, title: str, expected: date) -> None:
    assert fields(text, title=title).notice_date == expected


def test_notice_date_not_taken_from_legal_basis() -> None:
    assert fields("THÔNG BÁO\nCăn cứ Quyết định số 45/QĐ-THADS ngày 10/3/2026;").notice_date is None


# ------------------------------------------------------------------------------------------------ window


def test_window_from_to_end_of_day() -> None:
    f = fields("Thời gian nộp hồ sơ: từ ngày 08/6/2026 đến hết ngày 10/6/2026.")
    assert (f.window_start, f.window_end) == (date(2026, 6, 8), date(2026, 6, 10))
    assert f.window_start_at is None and f.window_end_at is None


def test_window_with_clock_times() -> None:
    f = fields("Thời gian nộp hồ sơ: từ 8 giờ ngày 08/6/2026 đến 17 giờ ngày 10/6/2026 tại trụ sở.")
    assert f.window_start_at == datetime(2026, 6, 8, 8, 0, tzinfo=VN_TZ)
    assert f.window_end_at == datetime(2026, 6, 10, 17, 0, tzinfo=VN_TZ)


def test_window_working_days_from_explicit_date() -> None:
    f = fields("Thời gian tiếp nhận hồ sơ: trong thời hạn 03 ngày làm việc kể từ ngày 05/6/2026.")
    assert (f.window_working_days, f.window_start, f.window_end) == (3, date(2026, 6, 5), None)


def test_window_working_days_from_publication() -> None:
    f = fields("Thời gian tiếp nhận hồ sơ: trong thời hạn 03 (ba) ngày làm việc kể từ ngày đăng thông báo.",
               published=date(2026, 1, 28))
    assert (f.window_working_days, f.window_start) == (3, date(2026, 1, 28))


def test_window_working_days_from_signing_uses_notice_date() -> None:
    text = "Số: 9/TB-THADS\nHuế, ngày 02 tháng 6 năm 2026\nThời hạn nộp hồ sơ: trong 05 ngày làm việc kể từ ngày ký thông báo."
    f = fields(text, published=date(2026, 6, 3))
    assert (f.window_working_days, f.window_start) == (5, date(2026, 6, 2))


def test_window_from_notice_date_phrase() -> None:
    text = "Số: 9/TB-THADS\nHuế, ngày 02 tháng 6 năm 2026\nThời gian nộp hồ sơ: trong 03 ngày làm việc kể từ ngày thông báo."
    assert fields(text, published=date(2026, 6, 4)).window_start == date(2026, 6, 2)


def test_window_working_days_unknown_reference_leaves_start_empty() -> None:
    f = fields("Thời gian tiếp nhận hồ sơ: trong thời hạn 03 ngày làm việc kể từ ngày đăng thông báo.", published=None)
    assert (f.window_working_days, f.window_start, f.window_end) == (3, None, None)


def test_window_calendar_days() -> None:
    f = fields("Thời gian nộp hồ sơ: trong thời hạn 05 ngày kể từ ngày 05/6/2026.")
    assert (f.window_calendar_days, f.window_working_days, f.window_start) == (5, None, date(2026, 6, 5))


def test_window_deadline_only() -> None:
    f = fields("Hạn cuối nhận hồ sơ: 17 giờ ngày 10/6/2026.")
    assert (f.window_start, f.window_end) == (None, date(2026, 6, 10))
    assert f.window_end_at == datetime(2026, 6, 10, 17, 0, tzinfo=VN_TZ)


def test_window_latest_by_phrase() -> None:
    f = fields("Các tổ chức đấu giá nộp hồ sơ chậm nhất vào ngày 10/6/2026 tại trụ sở.")
    assert f.window_end == date(2026, 6, 10)


def test_window_year_borrowed_from_same_sentence() -> None:
    f = fields("Thời gian nộp hồ sơ: từ ngày 08/6 đến ngày 10/6/2026.")
    assert (f.window_start, f.window_end) == (date(2026, 6, 8), date(2026, 6, 10))


def test_window_absent() -> None:
    f = fields("Hồ sơ nộp trực tiếp tại bộ phận tiếp nhận hồ sơ.")
    assert (f.window_start, f.window_end, f.window_working_days, f.window_calendar_days) == (None, None, None, None)


def test_window_fixture_selection_notice() -> None:
    f = page_fields("notice_selection_window.html", "/gialai/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=12")
    assert (f.window_start, f.window_end) == (date(2026, 6, 8), date(2026, 6, 10))
    assert f.window_end_at == datetime(2026, 6, 10, 17, 0, tzinfo=VN_TZ)


def test_window_fixture_valuation_notice_counts_from_publication() -> None:
    f = page_fields("notice_valuation_selection.html", "/tphochiminh/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=210")
    assert (f.window_working_days, f.window_start, f.window_end) == (3, date(2026, 1, 28), None)


# ------------------------------------------------------------------------------------------------ results


def test_selected_org_from_result_form_label() -> None:
    text = "1. Tên, địa chỉ tổ chức đấu giá tài sản được lựa chọn: Công ty Đấu giá Hợp danh Mẫu, địa chỉ: 1 Nguyễn Huệ."
    assert fields(text).selected_org == "Công ty Đấu giá Hợp danh Mẫu"


def test_selected_org_short_label_end_of_line() -> None:
    assert fields("Tổ chức đấu giá tài sản được lựa chọn: Công ty Đấu giá hợp danh Ví Dụ\nII.").selected_org == \
        "Công ty Đấu giá hợp danh Ví Dụ"


def test_selected_org_from_verb_phrase() -> None:
    text = "Chi cục quyết định lựa chọn Công ty Đấu giá hợp danh Ví Dụ là tổ chức đấu giá tài sản."
    assert fields(text).selected_org == "Công ty Đấu giá hợp danh Ví Dụ"


def test_selected_org_absent() -> None:
    assert fields("Thông báo lựa chọn tổ chức đấu giá tài sản. Tiêu chí lựa chọn: theo quy định.").selected_org is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ngày chấm điểm: 14/4/2025", date(2025, 4, 14)),
        ("Ngày 14 tháng 4 năm 2025, Chi cục Thi hành án dân sự huyện Vạn Ninh đã tiến hành chấm điểm hồ sơ.",
         date(2025, 4, 14)),
        ("Ngày 14/4/2025, Phòng Thi hành án dân sự khu vực 3 đã tổ chức chấm điểm hồ sơ.", date(2025, 4, 14)),
        ("Tổ chức đã chấm điểm hồ sơ vào ngày 14/4/2025.", date(2025, 4, 14)),
        ("Căn cứ Thông báo số 40/TB-CCTHADS ngày 08/4/2025, ngày 14/4/2025 Chi cục đã chấm điểm hồ sơ.", date(2025, 4, 14)),
    ],
)
def test_scoring_date(text: str, expected: date) -> None:
    assert fields(text).scoring_date == expected


def test_scoring_date_not_from_future_or_legal_basis() -> None:
    text = "Hồ sơ sẽ được chấm điểm theo Thông tư số 02/2022/TT-BTP ngày 08/02/2022 của Bộ Tư pháp."
    assert fields(text).scoring_date is None


@pytest.mark.parametrize(
    ("text", "score", "scale"),
    [
        ("2. Tổng số điểm của tổ chức đấu giá tài sản được lựa chọn: 93/100 điểm.", 93.0, 100),
        ("Tổng số điểm: 87,5 điểm", 87.5, None),
        ("đạt 92/100 điểm", 92.0, 100),
    ],
)
def test_score(text: str, score: float, scale: int | None) -> None:
    f = fields(text)
    assert (f.score, f.score_max) == (score, scale)


def test_score_out_of_range_rejected() -> None:
    assert fields("đạt 150/100 điểm").score is None


def test_result_fixture() -> None:
    f = page_fields("notice_result_selected_org.html", "/khanhhoa/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=45")
    assert f.selected_org == "Công ty Đấu giá hợp danh Ánh Dương Miền Trung"
    assert f.scoring_date == date(2025, 4, 14)
    assert (f.score, f.score_max) == (93.0, 100)
    assert f.notice_number == "45/TB-CCTHADS" and f.notice_date == date(2025, 4, 16)
    assert f.owner_office == "CHI CỤC THI HÀNH ÁN DÂN SỰ HUYỆN VẠN NINH"
    assert f.window_start is None and f.window_end is None


# ------------------------------------------------------------------------------------------------ debtor


@pytest.mark.parametrize(
    ("text", "title", "expected"),
    [
        ("Người phải thi hành án: ông Nguyễn Văn A, sinh năm 1960, địa chỉ: thôn 1", "", "ông Nguyễn Văn A"),
        ("", "Thông báo lựa chọn tổ chức đấu giá tài sản của bà Trần Thị B", "bà Trần Thị B"),
        ("tổ chức bán đấu giá tài sản thi hành án của ông Y Ví Dụ Niê và bà H Mẫu Êban như sau:", "",
         "ông Y Ví Dụ Niê và bà H Mẫu Êban"),
        ("Tài sản thi hành án do Chi cục kê biên, xử lý để đảm bảo thi hành án vụ ông Nguyễn Văn Tạo, xã A", "",
         "ông Nguyễn Văn Tạo"),
        ("Kê biên tài sản của Công ty TNHH Ví Dụ theo Bản án số 12/2025/DS-ST", "", "Công ty TNHH Ví Dụ"),
        ("TÀI SẢN CỦA ÔNG LÊ VĂN C, SINH NĂM 1955", "", "ÔNG LÊ VĂN C"),
        ("Người phải thi hành án: ông Nguyễn Văn Tài", "", "ông Nguyễn Văn Tài"),
        ("Tài sản của bà Trần Thị Tình sinh năm 1960", "", "bà Trần Thị Tình"),
        ("TÀI SẢN CỦA ÔNG LÊ VĂN TÀI TẠI XÃ AN PHÚ", "", "ÔNG LÊ VĂN TÀI"),
    ],
)
def test_debtor(text: str, title: str, expected: str) -> None:
    assert fields(text, title=title).debtor == expected


def test_debtor_not_an_office() -> None:
    assert fields("Bàn giao tài sản của Chi Cục Thi hành án dân sự huyện A").debtor is None


def test_owner_office_place_name_like_stop_word() -> None:
    assert fields("Chi cục Thi hành án dân sự huyện Tịnh Biên tỉnh An Giang\n").owner_office == \
        "Chi cục Thi hành án dân sự huyện Tịnh Biên"


def test_debtor_not_the_applicant() -> None:
    assert fields("Theo đơn yêu cầu thi hành án của ông Phạm Văn D, Chi cục thông báo").debtor is None


# ------------------------------------------------------------------------------------------------ assets


def test_asset_selection_form_with_price_on_later_line() -> None:
    text = ("2. Tên tài sản đấu giá, giá khởi điểm: tài sản, vật tư thu hồi sau phá dỡ công trình.\n"
            "Giá khởi điểm: 46.688.000 đồng (Bằng chữ: Bốn mươi sáu triệu, sáu trăm tám mươi tám nghìn đồng).\n"
            "3. Tiêu chí lựa chọn tổ chức đấu giá")
    assert fields(text).assets == [ThadsAsset("tài sản, vật tư thu hồi sau phá dỡ công trình.", 46_688_000)]


def test_assets_numbered_lots_each_with_price() -> None:
    text = ("Tài sản 1: Xe ô tô biển số 47A-000.01\nGiá khởi điểm: 1.000.000.000 đồng\n"
            "Tài sản 2: Máy xúc bánh xích\nGiá khởi điểm: 450 triệu đồng\n")
    assert fields(text).assets == [
        ThadsAsset("Xe ô tô biển số 47A-000.01", 1_000_000_000),
        ThadsAsset("Máy xúc bánh xích", 450_000_000),
    ]


def test_asset_parcel_text_kept_verbatim() -> None:
    parcel = ("Quyền sử dụng đất thuộc thửa  đất số 77, tờ bản đồ số 28, diện tích 17426,9m2; mục đích sử dụng: "
              "đất trồng cây lâu năm; địa chỉ thửa đất tại: xã Mẫu, huyện Ví Dụ.")
    f = fields(f"Tài sản đấu giá: {parcel}\nGiá khởi điểm: 1.522.143.200 đồng")
    assert f.assets == [ThadsAsset(parcel, 1_522_143_200)]


def test_asset_parcel_line_without_label() -> None:
    line = "- Quyền sử dụng đất thuộc thửa số 661, tờ bản đồ số 4, diện tích 250 m2, tại khóm 3, thị trấn Ví Dụ."
    f = fields(f"Tài sản của ông Trần Văn E gồm:\n{line}\nGiá khởi điểm: 1,5 tỷ đồng")
    assert f.assets == [ThadsAsset(line, 1_500_000_000)]


def test_asset_price_only() -> None:
    assert fields("Giá khởi điểm: 1,5 tỷ đồng").assets == [ThadsAsset(None, 1_500_000_000)]


def test_asset_text_stops_at_next_label_line() -> None:
    f = fields("Tài sản thẩm định giá: 01 đồng hồ đeo tay.\nNgười phải thi hành án: bà Lê Thị Mai.")
    assert f.assets == [ThadsAsset("01 đồng hồ đeo tay.", None)]


def test_assets_absent() -> None:
    assert fields("Thông báo về việc lựa chọn tổ chức thẩm định giá.").assets == []


def test_auction_fixture_parcel_and_price() -> None:
    f = page_fields("notice_auction_parcel.html", "/daklak/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=301")
    (asset,) = f.assets
    assert asset.text.startswith("Quyền sử dụng đất thuộc thửa đất số 214, tờ bản đồ số 9, diện tích 1.250,5 m2;")
    assert asset.start_price == 1_500_000_000
    assert (f.window_start, f.window_end) == (date(2026, 6, 20), date(2026, 7, 10))
    assert f.owner_office == "THI HÀNH ÁN DÂN SỰ TỈNH ĐẮK LẮK"


# ------------------------------------------------------------------------------------------------ valuation_org


def test_valuation_org_label() -> None:
    text = "Tổ chức thẩm định giá được lựa chọn: Công ty Cổ phần Thẩm định giá Ví Dụ, địa chỉ: 5 Lê Lợi"
    assert fields(text).valuation_org == "Công ty Cổ phần Thẩm định giá Ví Dụ"


def test_valuation_org_contract_phrase() -> None:
    text = "Chấp hành viên ký hợp đồng dịch vụ thẩm định giá tài sản với Công ty TNHH Thẩm định giá Mẫu, địa chỉ: 7 Hai Bà Trưng."
    assert fields(text).valuation_org == "Công ty TNHH Thẩm định giá Mẫu"


def test_valuation_org_absent_in_selection_notice() -> None:
    f = page_fields("notice_valuation_selection.html", "/tphochiminh/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=210")
    assert f.valuation_org is None and f.selected_org is None
    assert f.debtor == "bà Lê Thị Mai"
    assert f.owner_office == "THI HÀNH ÁN DÂN SỰ THÀNH PHỐ HỒ CHÍ MINH"


# ------------------------------------------------------------------------------------------------ absent


def test_every_field_empty_when_text_is_empty() -> None:
    assert fields("") == ThadsFields()


def test_as_json_is_serialisable_with_iso_dates() -> None:
    f = fields("Thời gian nộp hồ sơ: từ 8 giờ ngày 08/6/2026 đến 17 giờ ngày 10/6/2026.\nGiá khởi điểm: 1 tỷ đồng")
    data = json.loads(json.dumps(f.as_json()))
    assert data["window_start"] == "2026-06-08" and data["window_end_at"] == "2026-06-10T17:00:00+07:00"
    assert data["assets"] == [{"text": None, "start_price": 1_000_000_000}] == f.assets_json()
