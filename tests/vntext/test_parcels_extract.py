"""Unit tests of vntext.parcels: one small case per field, per decision and per known extractor trap."""

from __future__ import annotations

import json
import time
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vntext.parcels import (
    DEFAULT_REQUIRED,
    FIELDS,
    MAX_TEXT_CHARS,
    classify_land,
    extract_lot,
    extract_parcel_details,
    is_location,
    lot_texts,
)


def details(name: str, **texts: str):
    return extract_parcel_details({"name": name, **texts})


# --- area -------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "area"),
    [
        ("Quyền sử dụng đất thửa đất số 77, diện tích 17426,9m2", 17426.9),
        ("Quyền sử dụng đất, diện tích 25.548,4 m2", 25548.4),
        ("Quyền sử dụng đất có diện tích 2.835 m²", 2835.0),
        ("Quyền sử dụng đất, DT: 1.435 m2", 1435.0),
        ("Quyền sử dụng đất, diện tích 230.312 m2", 230312.0),
        ("Quyền sử dụng đất, diện tích 1.000 mét vuông", 1000.0),
    ],
)
def test_area_in_vietnamese_formats(text, area):
    assert details(text).area_m2 == area


def test_area_in_hectares_is_converted():
    assert details("Quyền sử dụng đất rừng sản xuất, diện tích: 96,46ha").area_m2 == 964600.0


def test_city_name_after_a_number_is_not_hectares():
    assert details("Quyền sử dụng đất tại số 12 Hà Huy Tập, phường Tân An").area_m2 is None


def test_length_and_money_are_not_areas():
    d = details("Quyền sử dụng đất, tường rào chiều dài 20 m, giá khởi điểm 1.522.143.200 đồng")
    assert d.area_m2 is None


def test_building_and_floor_areas_are_skipped():
    d = details("Quyền sử dụng đất và nhà ở: diện tích xây dựng 207,1m2; diện tích sàn: 427,9m2")
    assert d.area_m2 is None


def test_first_land_area_is_kept_and_all_are_listed():
    d = details("QSDĐ thửa số 178. DT theo GCN: 4.808,0m2. Diện tích đo đạc thực tế: 4.331,0m2. Nhà diện tích 80 m2")
    assert d.area_m2 == 4808.0
    assert d.areas_m2 == (4808.0, 4331.0)


def test_zero_area_is_ignored():
    d = details("Quyền sử dụng đất. Diện tích được cấp: 1000,0 m2, Không được cấp: 0,0 m2")
    assert d.areas_m2 == (1000.0,)


# --- parcel number ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parcels"),
    [
        ("Quyền sử dụng đất thuộc thửa đất số 77, tờ bản đồ số 28", ("77",)),
        ("Quyền sử dụng đất thuộc thửa số 661, tờ bản đồ số 5", ("661",)),
        ("thửa đất số 1182a, diện tích 300m2 đất (T) và thửa 1182", ("1182a", "1182")),
        ("Quyền sử dụng đất tại thửa đất số 223,366,367 tờ bản đồ số 36", ("223", "366", "367")),
        ("thửa đất số: 939 (Lô B6-6), tờ bản đồ số 13", ("939",)),
        ("thửa đất số: Lô 09, tờ bản đồ số: 01", ("Lô 09",)),
        ("Quyền sử dụng thửa đất số 256/03, tờ bản đồ địa chính số 34", ("256/03",)),
        ("thửa đất số 8 (thửa cũ số 22), tờ bản đồ số 59", ("8", "22")),
    ],
)
def test_parcel_numbers(text, parcels):
    assert details(text).parcel_no == parcels


def test_one_part_of_a_parcel_is_not_parcel_one():
    assert details("QSDĐ thuộc thửa đất số 1 phần thửa 323; tờ bản đồ số 42").parcel_no == ("323",)


def test_house_number_and_inheritance_are_not_parcels():
    d = details("Quyền sử dụng đất tại số 20 Trần Văn Ơn, nhận thừa kế 3 phần theo văn bản số 15")
    assert d.parcel_no == ()


def test_survey_document_number_is_not_a_parcel():
    d = details("QSDĐ thửa đất số 113. Theo Phiếu đo đạc chỉnh lý thửa đất số 660/2026 của Văn phòng ĐKĐĐ")
    assert d.parcel_no == ("113",)


def test_neighbouring_parcels_of_an_easement_are_skipped():
    d = details(
        "Thửa đất số: 172. Được quyền sử dụng phần diện tích hạn chế đối với thửa liền kề trên thửa đất số "
        "166, 167, 168 và người sử dụng thửa đất số 173 được quyền sử dụng"
    )
    assert d.parcel_no == ("172",)


def test_parcel_number_followed_by_a_unit_is_an_area():
    assert details("Quyền sử dụng đất, thửa 2.000 m2").parcel_no == ()


# --- map sheet --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sheets"),
    [
        ("thửa đất số 77, tờ bản đồ số 28, diện tích", ("28",)),
        ("thửa 12 tờ bản đồ số 491-III-D-d", ("491-III-D-d",)),
        ("thửa đất số 113, TBĐ số 23 có diện tích", ("23",)),
        ("thửa số 5, tờ số 7", ("7",)),
        ("thửa đất số 294, tờ bản đồ số 6A:02, có địa chỉ", ("6A:02",)),
        ("thửa đất số 297, tờ bản đồ số 24-c, diện tích 310m2", ("24-c",)),
        ("tờ bản đồ số 98 (tờ cũ số 3) theo hệ thống bản đồ", ("98", "3")),
        ("thua dat so 5, to ban do so 12", ("12",)),  # typed without accents
    ],
)
def test_map_sheets(text, sheets):
    assert details(text).map_sheet == sheets


def test_bus_seats_are_not_a_map_sheet():
    assert details("Xe ô tô 46 chỗ, biển kiểm soát 51B-123.45").map_sheet == ()


@pytest.mark.parametrize("text", ["Tổ 10, phường Tân An", "tổ dân phố 5, thị trấn A", "tổ số 5, khu phố 2"])
def test_hamlet_groups_are_not_map_sheets(text):
    assert details(f"Quyền sử dụng đất tại {text}").map_sheet == ()


def test_sheet_written_as_dashes_is_no_sheet():
    assert details("thửa đất số 1, tờ bản đồ số -/-, tại địa chỉ").map_sheet == ()


def test_sheet_year_of_survey_is_not_a_sheet():
    assert details("thửa số 226, tờ bản đồ lập năm 2014").map_sheet == ()


# --- location ---------------------------------------------------------------------------------------------------------


def test_location_from_the_place_field():
    d = details("Quyền sử dụng đất", place="xã Ea Kiết, huyện Cư M’gar, tỉnh Đắk Lắk.")
    assert d.location == "xã Ea Kiết, huyện Cư M’gar, tỉnh Đắk Lắk"
    assert d.sources["location"] == "place"


def test_location_from_a_label_in_the_place_field():
    d = details("Xe ô tô", place="Kho bãi của Công ty A – Địa chỉ: Thôn Vịnh Sơn, xã Quảng Đông, tỉnh Quảng Bình")
    assert d.location == "Thôn Vịnh Sơn, xã Quảng Đông, tỉnh Quảng Bình"


def test_location_from_the_name_when_the_place_is_an_office():
    d = details(
        "Quyền sử dụng đất thửa số 661, tọa lạc tại ấp Bà Tây A, xã Tập Sơn, huyện Trà Cú, tỉnh Trà Vinh.",
        place="Cục Thi hành án dân sự tỉnh Trà Vinh.",
    )
    assert d.location == "ấp Bà Tây A, xã Tập Sơn, huyện Trà Cú, tỉnh Trà Vinh"
    assert d.sources["location"] == "name"


def test_location_after_address_label_of_the_parcel():
    d = details("Quyền sử dụng đất; địa chỉ thửa đất tại: xã Ea Kiết, huyện Cư M’gar, tỉnh Đắk Lắk. Đất đã được cấp")
    assert d.location == "xã Ea Kiết, huyện Cư M’gar, tỉnh Đắk Lắk"


def test_owner_address_is_not_the_land_location():
    d = details(
        "Tài sản của ông Trần Văn A, sinh năm 1952, địa chỉ: khóm 3, thị trấn Cầu Quan, huyện Tiểu Cần, tỉnh Trà Vinh. "
        "Tài sản gồm quyền sử dụng đất thửa số 5, tọa lạc tại xã Tập Sơn, huyện Trà Cú, tỉnh Trà Vinh."
    )
    assert d.location == "xã Tập Sơn, huyện Trà Cú, tỉnh Trà Vinh"


def test_location_keeps_the_new_name_in_parentheses():
    d = details("Quyền sử dụng đất", place="ấp Chánh, xã Đức Lập Thượng, huyện Đức Hòa, tỉnh Long An (nay là xã Hậu Nghĩa")
    assert d.location == "ấp Chánh, xã Đức Lập Thượng, huyện Đức Hòa, tỉnh Long An (nay là xã Hậu Nghĩa)"


def test_vague_place_is_no_location():
    d = details("Quyền sử dụng đất cho nhân dân làm nhà ở", place="trên địa bàn thành phố Hưng Yên, tỉnh Hưng Yên")
    assert d.location is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P. An Bình, Q. Ninh Kiều, TP Cần Thơ", True),
        ("tại xã Bình Hòa, An Giang", True),  # a province named without "tỉnh"
        ("302/29 đường TCH10, khu phố 4, phường Tân Chánh Hiệp, Quận 12, Tp.HCM", True),
        ("Cục Thi hành án dân sự tỉnh Trà Vinh", False),  # no commune or street
        ("Công an xã Vĩnh Hưng", False),  # no district or province
        ("vì lợi ích xã hội, thành phố", False),  # "xã hội" (society) is not a commune
        ("Thị xã Cai Lậy, tỉnh Tiền Giang", False),  # a town is district level
    ],
)
def test_is_location(text, expected):
    assert is_location(text) is expected


# --- certificate ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "certificate"),
    [
        ("Đất đã được cấp Giấy chứng nhận quyền sử dụng đất số BV 684861; số vào sổ cấp GCN số CH01218", "BV 684861"),
        ("theo Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất số CK 541660", "CK 541660"),
        ("GCN quyền sử dụng đất số phát hành: BK 566686 số vào sổ cấp GCN: CH00123", "BK 566686"),
        ("thửa đất số 32, tờ bản đồ số 7; GCNQSDĐ số CS07161 ngày 31/03/2021", "CS07161"),
        ("Giấy chứng nhận Quyền sử dụng đất DL 839298, vào sổ cấp GCN số: CN 00701", "DL 839298"),
        ("Số phát hành Giấy chứng nhận: AH532690. Số vào sổ: H01302", "AH532690"),
        ("QSDĐ có số vào sổ CH01218 ngày 05/5/2015", "CH01218"),
        ("nhà đất có sổ đỏ số AB 123456", "AB 123456"),
    ],
)
def test_certificate(text, certificate):
    assert details(text).certificate == certificate


@pytest.mark.parametrize(
    "text",
    [
        "Xe ô tô, Giấy chứng nhận đăng ký xe ô tô số A0000350 do Phòng CSGT cấp",
        "Tàu biển, Giấy chứng nhận đăng ký tàu biển số: HP-BUL-001190-6",
        "Giấy chứng nhận quyền sở hữu công trình số 470125380",
        "Giấy chứng nhận quyền sử dụng đất được đưa ra đấu giá, tại số 20 Trần Văn Ơn",
    ],
)
def test_other_certificates_are_not_land_certificates(text):
    assert details(text).certificate is None


# --- land-use purpose and term ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "purpose"),
    [
        ("QSDĐ; mục đích sử dụng: đất trồng cây lâu năm; địa chỉ thửa đất", "đất trồng cây lâu năm"),
        ("QSDĐ. MĐSD: Đất ở tại đô thị; THSD: Lâu dài", "Đất ở tại đô thị"),
        ("Tài sản của ông A, DT 143,5 m2 đất ODT + CLN và công trình", "đất ODT + CLN"),
        ("QSDĐ thửa số 113 có diện tích 8101,2m2 (CLN) tọa lạc", "CLN"),
        ("Quyền sử dụng đất ở tại nông thôn có diện tích 155 m2", "đất ở tại nông thôn"),
        ("thửa số 661, diện tích 2.877,5 m2 , loại đất trồng lúa màu, tọa lạc tại", "trồng lúa màu"),
        ("Diện tích theo hiện trạng: 1.973,8 m2 (ODT: 200 m2 + HNK: 1.773,8 m2)", "ODT: 200 m2 + HNK: 1.773,8 m2"),
    ],
)
def test_land_use_purpose(text, purpose):
    assert details(text).land_use_purpose == purpose


def test_empty_land_is_not_cropland():
    assert details("QSDĐ thửa số 6. Tài sản gắn liền trên đất: Đất trống").land_use_purpose is None


def test_exploitation_purpose_is_not_land_use_purpose():
    assert details("Quyền khai thác căn tin. Mục đích khai thác: dịch vụ ăn uống").land_use_purpose is None


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("MĐSD: Đất ở. Thời hạn sử dụng: Lâu dài; Nguồn gốc sử dụng", "Lâu dài"),
        ("Thời hạn sử dụng: Đến ngày 15/10/2063. - Nguồn gốc", "Đến ngày 15/10/2063"),
        ("Quyền sử dụng đất ở nông thôn, thời hạn sử dụng lâu dài có diện tích 170,0 m2", "lâu dài"),
        ("Quyền thuê đất, thời hạn thuê đất: 50 năm; địa chỉ", "50 năm"),
        (
            "THSD: Đất ở tại đô thị: Lâu dài, Đất trồng cây lâu năm: SD đến tháng 12/2052. ",
            "Đất ở tại đô thị: Lâu dài, Đất trồng cây lâu năm: SD đến tháng 12/2052",
        ),
        ("Nhà nước giao đất có thu tiền sử dụng đất, giao đất sử dụng lâu dài", "lâu dài"),
    ],
)
def test_use_term(text, term):
    assert details(text).use_term == term


@pytest.mark.parametrize("text", ["Xe ô tô, niên hạn sử dụng: 2029", "Quyền khai thác căn tin. Thời hạn khai thác: 03 năm"])
def test_other_terms_are_not_land_use_terms(text):
    assert details(text).use_term is None


# --- is it land? ------------------------------------------------------------------------------------------------------


def test_property_type_173_is_land_whatever_the_text():
    is_land, reason = classify_land({"name": "Lô đấu giá đợt 2"}, 173, None)
    assert is_land and "173" in reason


@pytest.mark.parametrize(
    "name",
    [
        "Quyền sử dụng đất của ông A",
        "QSDĐ thuộc thửa đất số 178",
        "QSD đất và tài sản gắn liền với đất",
        "Bán nhà và đất tại số 5 phố Huế",
        "Nhà đất tại phường 3",
        "Quyền thuê đất tại khu công nghiệp",
        "Quyền sử dụng 50 suất đất ở",
        "Tài sản của ông A, DT 852,7 m2 đất CLN",
        "Thửa đất số 12 và cây trồng trên đất",
    ],
)
def test_land_from_text(name):
    is_land, reason = classify_land({"name": name})
    assert is_land, reason
    assert reason.startswith("text (name)")


@pytest.mark.parametrize(
    "name",
    [
        "Xe ô tô con 05 chỗ ngồi nhãn hiệu TOYOTA, biển kiểm soát 66A – 0808",
        "01 cần trục bánh xích, sản xuất năm 2022",
        "Máy phát điện CUMMINS, số lượng 02 cái",
        "Hàng hóa các loại tịch thu đợt 12 năm 2026",
        "455,92 m3 cát san lấp, 06 m3 đất",
        "Cây đứng gỗ Keo lai rừng trồng; diện tích: 96,46ha",
        "Quyền khai thác dịch vụ căn tin, diện tích 120 m2",
    ],
)
def test_non_land_assets(name):
    assert classify_land({"name": name})[0] is False


def test_debt_secured_by_land_is_not_land_but_its_parcel_is_read():
    d = details("Khoản nợ của Công ty A tại Ngân hàng B; tài sản bảo đảm là QSDĐ thửa đất số 14, tờ bản đồ số 45")
    assert d.is_land is False
    assert "debt" in d.land_reason
    assert d.parcel_no == ("14",) and d.map_sheet == ("45",)
    assert d.missing == ()


def test_sale_of_collateral_for_a_loan_is_land():
    assert classify_land({"name": "Tài sản bảo đảm cho khoản vay của ông A: Quyền sử dụng đất thửa số 5"})[0]


def test_boat_is_not_land_because_its_valuer_deals_in_real_estate():
    texts = {
        "name": "Tàu cá số đăng ký BV-91679-TS",
        "quality": "Chứng thư của Công ty thẩm định giá và tư vấn bất động sản",
    }
    assert classify_land(texts)[0] is False


def test_attachment_decides_when_the_lot_texts_are_silent():
    texts = {
        "name": "Tài sản thi hành án vụ ông A do Chi cục THADS kê biên",
        "attachment:TB 01.pdf": "Quyền sử dụng đất thuộc thửa đất số 12, tờ bản đồ số 3",
    }
    d = extract_parcel_details(texts)
    assert d.is_land and d.land_reason.startswith("text (attachment:TB 01.pdf)")
    assert d.parcel_no == ("12",) and d.sources["parcel_no"] == "attachment:TB 01.pdf"


def test_attachment_does_not_turn_a_vehicle_into_land():
    texts = {"name": "Xe ô tô Ford Ranger", "attachment:TB.pdf": "Tài sản 2: Quyền sử dụng đất thửa số 9"}
    assert classify_land(texts)[0] is False


# --- sources, multi-lot notices, missing fields -----------------------------------------------------------------------


def test_lot_fields_come_before_attachments():
    d = extract_parcel_details({"name": "QSDĐ thửa đất số 5", "attachment:a.pdf": "thửa đất số 9, tờ bản đồ số 2"})
    assert d.parcel_no == ("5",) and d.sources["parcel_no"] == "name"
    assert d.map_sheet == ("2",) and d.sources["map_sheet"] == "attachment:a.pdf"


def test_identifiers_from_several_lot_fields_are_merged():
    d = extract_parcel_details(
        {"name": "QSDĐ thửa đất số 1, tờ bản đồ số -/-", "place": "Thửa đất số 01 (nay là thửa đất số 13, tờ bản đồ số 12)"}
    )
    assert d.parcel_no == ("1", "13")
    assert d.sources["parcel_no"] == "name+place"


def test_joined_notice_name_of_a_multi_lot_notice_is_not_read():
    lot = "Tài sản 1: Quyền sử dụng đất tại xã A"
    d = extract_parcel_details({"name": lot, "notice_name": f"{lot}; Tài sản 2: QSDĐ thửa đất số 7, tờ bản đồ số 3"})
    assert d.parcel_no == () and d.map_sheet == ()


def test_distinct_notice_name_is_read_last():
    texts = {"name": "Tài sản thi hành án", "notice_name": "Quyền sử dụng đất thửa đất số 7, tờ bản đồ số 3"}
    d = extract_parcel_details(texts)
    assert d.is_land and d.parcel_no == ("7",) and d.sources["parcel_no"] == "notice_name"


def test_missing_lists_required_fields_absent_everywhere():
    d = details("Quyền sử dụng đất của ông A", place="xã Vạn Hưng, huyện Vạn Ninh, tỉnh Khánh Hòa")
    assert d.missing == ("parcel_no", "map_sheet", "area_m2")


def test_required_fields_are_configurable():
    texts = {"name": "QSDĐ thửa số 5, tờ bản đồ số 2, diện tích 100 m2"}
    d = extract_parcel_details(texts, required=("area_m2", "certificate"))
    assert d.missing == ("certificate",)


def test_unknown_required_field_is_an_error():
    with pytest.raises(ValueError, match="unknown required field"):
        extract_parcel_details({"name": "QSDĐ"}, required=("parcel_no", "owner"))


def test_non_land_lot_has_no_missing_fields():
    assert details("Xe ô tô Toyota Hiace 10 chỗ ngồi").missing == ()


def test_default_required_fields():
    assert DEFAULT_REQUIRED == ("parcel_no", "map_sheet", "area_m2", "location")
    assert set(DEFAULT_REQUIRED) <= set(FIELDS)


# --- API helpers and bounds -------------------------------------------------------------------------------------------


def test_as_dict_is_json_serialisable():
    d = details("QSDĐ thửa đất số 77, tờ bản đồ số 28, diện tích 17426,9m2", place="xã A, huyện B, tỉnh C")
    data = json.loads(json.dumps(d.as_dict(), ensure_ascii=False))
    assert data["parcel_no"] == ["77"] and data["area_m2"] == 17426.9 and data["sources"]["location"] == "place"


def test_lot_texts_maps_dgts_fields():
    lot = {"propertyName": "QSDĐ", "propertyPlace": "xã A", "propertyQuality": "", "detail": None, "propertyAmount": "01"}
    texts = lot_texts(lot, notice_name="Thông báo", attachments={"QC.doc": "Quy chế"})
    assert texts == {
        "name": "QSDĐ", "place": "xã A", "amount": "01", "notice_name": "Thông báo", "attachment:QC.doc": "Quy chế"
    }


def test_extract_lot_prefers_the_lot_property_type():
    lot = {"propertyName": "Lô đấu giá", "propertyTypeId": 173, "propertyTypeName": ""}
    assert extract_lot(lot, notice_property_type_id=None).is_land
    assert extract_lot({"propertyName": "Lô đấu giá"}, notice_property_type_id=173).is_land


def test_non_text_sources_are_ignored():
    d = extract_parcel_details({"name": "QSDĐ thửa số 5", "place": None, "detail": 12})  # type: ignore[dict-item]
    assert d.parcel_no == ("5",)


def test_decomposed_unicode_is_normalised():
    d = details(unicodedata.normalize("NFD", "Quyền sử dụng đất thửa đất số 77, tờ bản đồ số 28"))
    assert d.is_land and d.parcel_no == ("77",) and d.map_sheet == ("28",)


def test_text_beyond_the_cap_is_not_read():
    d = details("Quyền sử dụng đất " + "x" * MAX_TEXT_CHARS + " thửa đất số 77")
    assert d.parcel_no == ()


@pytest.mark.parametrize(
    "text",
    [
        "thửa " * 40_000,
        "thửa đất số " + "1, " * 60_000,
        "tờ bản đồ số 1-" * 15_000,
        "1.2," * 50_000 + " m2",
        "Giấy chứng nhận quyền sử dụng " + "a " * 90_000,
        "địa chỉ: xã " * 15_000,
        "tọa lạc tại xã A, tỉnh " * 8_000,
        "mục đích sử dụng: " * 10_000,
        "thời hạn sử dụng: " * 10_000,
        "GCN số vào sổ " * 12_000,
        "xã Xuân " * 20_000,
        "(" * 100_000,
    ],
)
def test_adversarial_text_is_processed_quickly(text):
    start = time.perf_counter()
    extract_parcel_details({"name": text, "place": text[:50_000], "attachment:x": text})
    assert time.perf_counter() - start < 5.0


_PIECES = ["thửa ", "tờ bản đồ số ", "diện tích ", "xã ", "m2", "ha", "GCN số ", "tỉnh ", "khoản nợ ", "QSDĐ "]
_ALPHABET = st.sampled_from(list("0123456789 ,.;:()/-+ m2hađĐấờửảướốệôơứtxsTPXQH\n") + _PIECES)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ALPHABET, max_size=80).map("".join), st.one_of(st.none(), st.integers(min_value=170, max_value=330)))
def test_random_text_never_crashes_and_areas_are_positive(text, type_id):
    d = extract_parcel_details({"name": text, "place": text[::-1]}, property_type_id=type_id)
    assert all(a > 0 for a in d.areas_m2)
    assert d.area_m2 is None or d.area_m2 == d.areas_m2[0]
    assert set(d.missing) <= set(DEFAULT_REQUIRED)
    assert d.is_land or d.missing == ()
