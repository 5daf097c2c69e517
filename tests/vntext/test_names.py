"""Owner/organisation name parsing: the 140 real THADS owner names from dgts, other owner kinds, renames and
organisation-name keys."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vntext.names import OWNER_KINDS, extract_renames, normalize_org_name, parse_owner
from vntext.provinces import PROVINCES

TSV = Path(__file__).parent / "data" / "dgts_thads_owner_names.tsv"

# Expected (kind, new province code, region number) per distinct owner name in the TSV, checked by reading each
# name: the owner's own office decides the province, not the TSV province_field (the asset's old province).
GOLDEN: dict[str, tuple[str, str, int | None]] = {
    'Chi cục Thi hành án Dân sự huyện Vạn Ninh': ('thads_district_old', 'khanh-hoa', None),
    'CHI CỤC THI HÀNH ÁN DÂN SỰ HUYỆN MANG YANG': ('thads_district_old', 'gia-lai', None),
    'CHI CỤC THI HÀNH ÁN DÂN SỰ THÀNH PHỐ PLEIKU': ('thads_district_old', 'gia-lai', None),
    'Chi cục Thi hành án dân sự thành phố Cà Mau': ('thads_district_old', 'ca-mau', None),
    'Cục Thi Hành Án Dân Sự Tỉnh Trà Vinh': ('thads_province_old', 'vinh-long', None),
    'Chi cục Thi hành án dân sự huyện Giồng Trôm': ('thads_district_old', 'vinh-long', None),
    'Chi cục Thi hành án dân sự huyện Bình Đại': ('thads_district_old', 'vinh-long', None),
    'Chi cục Thi hành án dân sự quận Cẩm Lệ': ('thads_district_old', 'da-nang', None),
    'Chi cục Thi hành án dân sự thành phố Phan Thiết': ('thads_district_old', 'lam-dong', None),
    'Chi cục Thi hành án dân sự huyện Vĩnh Thạnh': ('thads_district_old', 'can-tho', None),
    'Chi cục Thi hành án dân sự  huyện Phú Quý': ('thads_district_old', 'lam-dong', None),
    'Chi cục Thi hành án dân sự quận Ninh Kiều': ('thads_district_old', 'can-tho', None),
    'Chi Cục Thi hành án Dân sự Huyện Quỳnh Lưu': ('thads_district_old', 'nghe-an', None),
    'Chi cục Thi hành án Dân sự huyện Phú Bình': ('thads_district_old', 'thai-nguyen', None),
    'Chi cục thi hành án dân sự thị xã Ngã Năm, Sóc Trăng.': ('thads_district_old', 'can-tho', None),
    'Chi cục Thi hành án dân sự huyện Kế Sách, Sóc Trăng.': ('thads_district_old', 'can-tho', None),
    'Chi cục Thi hành án dân sự quận Thốt Nốt': ('thads_district_old', 'can-tho', None),
    'Chi cục Thi hành án dân sự quận Ngũ Hành Sơn.': ('thads_district_old', 'da-nang', None),
    'Chi cục Thi hành án dân sự thành phố Sóc Trăng, Sóc Trăng': ('thads_district_old', 'can-tho', None),
    'Chi cục Thi hành án dân sự quận Cái Răng': ('thads_district_old', 'can-tho', None),
    'Chi cục Thi hành án dân sự huyện Tuyên Hóa': ('thads_district_old', 'quang-tri', None),
    'Chi cục Thi hành án dân sự thành phố Thái Nguyên': ('thads_district_old', 'thai-nguyen', None),
    'Chi cục thi hành án dân sự huyện Gò Công Đông': ('thads_district_old', 'dong-thap', None),
    'CHI CỤC THI HÀNH ÁN DÂN SỰ HUYỆN CHƯ PRÔNG': ('thads_district_old', 'gia-lai', None),
    'Chi cục Thi hành án dân sự huyện Phong Điền': ('thads_district_old', 'can-tho', None),
    'Chi cục Thi hành án dân sự huyện Núi Thành': ('thads_district_old', 'da-nang', None),
    "Chi cục Thi hành án Dân sự huyện Cư M'gar, tỉnh Đắk Lắk": ('thads_district_old', 'dak-lak', None),
    'Chi Cục Thi hành án Dân sự quận Ba Đình': ('thads_district_old', 'ha-noi', None),
    'Chi cục thi hành án dân sự Thành phố Phú Mỹ': ('thads_district_old', 'tp-ho-chi-minh', None),
    'Chi cục Thi hành án dân sự huyện Thới Lai': ('thads_district_old', 'can-tho', None),
    'Chi cục thi hành án dân sự huyện Xuyên Mộc': ('thads_district_old', 'tp-ho-chi-minh', None),
    'Chi cục thi hành án dân sự huyện Cái Bè': ('thads_district_old', 'dong-thap', None),
    'Chi cục thi hành án dân sự thị xã Bình Minh': ('thads_district_old', 'vinh-long', None),
    'Tha hành án dân sự tỉnh Cà Mau (Phòng Thi hành án dân sự khu vực 3)': ('thads_region', 'ca-mau', 3),
    'Thi hành án dân sự tỉnh Cà Mau': ('thads_province', 'ca-mau', None),
    'Thi hành án dân sự tỉnh Tây Ninh': ('thads_province', 'tay-ninh', None),
    'Phòng Thi hành án dân sự khu vực 11 - Cần Thơ': ('thads_region', 'can-tho', 11),
    'Thi hành án dân sự thành phố Đà Nẵng': ('thads_province', 'da-nang', None),
    'Thi hành án dân sự thành phố Hà Nội': ('thads_province', 'ha-noi', None),
    'Phòng Thi hành án dân sự khu vực 5 - Quảng Ninh thuộc Thi hành án dân sự tỉnh '
    'Quảng Ninh':
        ('thads_region', 'quang-ninh', 5),
    'Thi hành án dân sự hành phố Huế - Phòng Thi hành án dân sự khu vực 1 - Huế': ('thads_region', 'hue', 1),
    'Thi hành án dân sự Thành phố Đà Nẵng': ('thads_province', 'da-nang', None),
    'Thi hành án dân sự Thành phố Hồ Chí Minh (KV 12).': ('thads_region', 'tp-ho-chi-minh', 12),
    'Thi hành án dân sự TP.HCM - Phòng Thi hành án dân sự khu vực 12': ('thads_region', 'tp-ho-chi-minh', 12),
    'Thi hành án dân sự thành phố Huế - Phòng Thi hành án dân sự khu vực 3 – Huế': ('thads_region', 'hue', 3),
    'Thi hành án dân sự thành phố Cần Thơ (Phòng THADS Khu vực 5)': ('thads_region', 'can-tho', 5),
    'Phòng Thi hành án dân sự khu vực I Quảng Ninh': ('thads_region', 'quang-ninh', 1),
    'Thi hành án dân sự tỉnh Lâm Đồng': ('thads_province', 'lam-dong', None),
    'Thi hành án dân sự tỉnh Hưng Yên. Đơn vị được phân công: Phòng Thi hành án dân '
    'sự Khu vực 4 - Hưng Yên':
        ('thads_region', 'hung-yen', 4),
    'Thi hành án dân sự thành phố Đà Nẵng (Phòng Thi hành án dân sự khu vực 6 – Đà '
    'Nẵng)':
        ('thads_region', 'da-nang', 6),
    'Thi hành án dân sự thành phố Đà Nẵng (Phòng Thi hành án dân sự khu vực 10 – Đà '
    'Nẵng)':
        ('thads_region', 'da-nang', 10),
    'Thi hành án dân sự thành phố Đà Nẵng (Phòng Thi hành án dân sự Khu vực 10 – Đà '
    'Nẵng)':
        ('thads_region', 'da-nang', 10),
    'Thi hành án dân sự thành phố Đà Nẵng (Phòng Thi hành án dân sự Khu vực 10)': ('thads_region', 'da-nang', 10),
    'THI HÀNH ÁN DÂN SỰ TỈNH ĐỒNG NAI': ('thads_province', 'dong-nai', None),
    'THI HÀNH ÁN DÂN SỰ TỈNH ĐẮK LẮK': ('thads_province', 'dak-lak', None),
    'Thi hành án dân sự thành phố Đà Nẵng (Phòng Thi hành án dân sự khu vực 4 – Đà '
    'Nẵng)':
        ('thads_region', 'da-nang', 4),
    'Thi hành án dân sự tỉnh Quảng Trị': ('thads_province', 'quang-tri', None),
    'THI HÀNH ÁN DÂN SỰ TỈNH ĐẮK LẮK (KV1)': ('thads_region', 'dak-lak', 1),
    'THI HÀNH ÁN DÂN SỰ TỈNH TÂY NINH – PHÒNG THI HÀNH ÁN DÂN SỰ KHU VỰC 2': ('thads_region', 'tay-ninh', 2),
    'THI HÀNH ÁN DÂN SỰ TỈNH TÂY NINH – PHÒNG THI HÀNH ÁN DÂN SỰ KHU VỰC 5': ('thads_region', 'tay-ninh', 5),
    'THI HÀNH ÁN DÂN SỰ TỈNH TÂY NINH – PHÒNG THI HÀNH ÁN DÂN SỰ KHU VỰC 3': ('thads_region', 'tay-ninh', 3),
    'THI HÀNH ÁN DÂN SỰ TỈNH TÂY NINH': ('thads_province', 'tay-ninh', None),
    'Thi hành án dân sự tỉnh Đồng Tháp': ('thads_province', 'dong-thap', None),
    'Thi hành án dân sự tỉnh Đồng Tháp - Phòng Thi hành án dân sự Khu vực 9 – Đồng '
    'Tháp':
        ('thads_region', 'dong-thap', 9),
    'Thi hành án dân sự tỉnh Đồng Tháp - Phòng Thi hành án dân sự Khu vực 7 – Đồng '
    'Tháp':
        ('thads_region', 'dong-thap', 7),
    'Phòng Thi hành án dân sự khu vực 4, tỉnh Lâm Đồng': ('thads_region', 'lam-dong', 4),
    'Chấp hành viên Thi hành án dân sự thành phố Đà  (Phòng Thi hành án dân sự khu '
    'vực 10  -Đà Nẵng).':
        ('thads_region', 'da-nang', 10),
    'Chấp hành viên Phòng thi hành án dân sự Khu vực 6- Quảng Ngãi': ('thads_region', 'quang-ngai', 6),
    'Thi hành án dân sự Thành phố Hồ Chí Minh': ('thads_province', 'tp-ho-chi-minh', None),
    'Phòng Thi hành án dân sự Khu vực 12 - Lâm Đồng': ('thads_region', 'lam-dong', 12),
    'THI HÀNH ÁN DÂN SỰ THÀNH PHỐ CẦN THƠ': ('thads_province', 'can-tho', None),
    'Thi hành án dân sự tỉnh Đồng Tháp (Phòng Thi hành án dân sự Khu vực 4).': ('thads_region', 'dong-thap', 4),
    'Thi hành án dân sự tỉnh Thái Nguyên - Phòng Thi hành án khu vực 6': ('thads_region', 'thai-nguyen', 6),
    'Thi hành án Dân sự tỉnh Khánh Hòa – Phòng Thi hành án Dân sự Khu vực 2.': ('thads_region', 'khanh-hoa', 2),
    'Thi hành án dân sự Thành phố Hà Nội': ('thads_province', 'ha-noi', None),
    'Chấp hành viên Thi hành án dân sự tỉnh An Giang (Phòng Thi hành án dân sự khu '
    'vực 12 – An Giang)':
        ('thads_region', 'an-giang', 12),
    'Chấp hành viên Thi hành án dân sự tỉnh An Giang (Phòng Thi hành án dân sự Khu '
    'vực 10 – An Giang)':
        ('thads_region', 'an-giang', 10),
    'Thi hành án dân sự tỉnh Quảng Ngãi (Khu vực 1 – Quảng Ngãi)': ('thads_region', 'quang-ngai', 1),
    'Thi hành án dân sự tỉnh Quảng Ngãi (Khu vực 1 - Quảng Ngãi)': ('thads_region', 'quang-ngai', 1),
    'Thi hành án dân sự tỉnh Thái Nguyên - Phòng Thi hành án Dân sự Khu vực 2': ('thads_region', 'thai-nguyen', 2),
    'Thi hành án dân sự tỉnh An Giang': ('thads_province', 'an-giang', None),
    'Thi hành án dân sự tỉnh Quảng Ngãi (Khu vực 3)': ('thads_region', 'quang-ngai', 3),
    'Thi hành án dân sự thành phố Cần Thơ': ('thads_province', 'can-tho', None),
    'Thi hành án dân sự tỉnh Quảng Ngãi (Khu vực 5)': ('thads_region', 'quang-ngai', 5),
    'Thi hành án dân sự tỉnh Lâm Đồng (Chấp hành viên: Lê Văn Hà – Phòng Thi hành án '
    'dân sự khu vực 3 – Lâm Đồng – Thi hành án dân sự tỉnh Lâm Đồng (Địa chỉ: Tổ dân '
    'phố Sơn Hà, xã Đinh Văn Lâm Hà, tỉnh Lâm Đồng).':
        ('thads_region', 'lam-dong', 3),
    'Thi hành án dân sự thành phố Hải Phòng': ('thads_province', 'hai-phong', None),
    'Chấp hành viên Thi hành án dân sự tỉnh Đồng Tháp (Phòng Thi hành án dân sự Khu '
    'vực 6)':
        ('thads_region', 'dong-thap', 6),
    'THI HÀNH ÁN DÂN SỰ TỈNH AN GIANG (Phòng Thi hành án dân sự Khu vực 3 - An Giang)':
        ('thads_region', 'an-giang', 3),
    'Thi hành án dân sự Thành phố Đà Nẵng - Phòng thi hành án dân sự khu vực 10': ('thads_region', 'da-nang', 10),
    'Thi hành án dân sự thành phố Đồng Nai – Phòng Thi hành án dân sự Khu vực 3': ('thads_region', 'dong-nai', 3),
    'Thi hành án dân sự thành phố Đồng Nai – Phòng Thi hành án dân sự Khu vực 4': ('thads_region', 'dong-nai', 4),
    'Thi hành án dân sự tỉnh An Giang (Phòng Thi hành án dân sự khu vực 3 – An '
    'Giang),':
        ('thads_region', 'an-giang', 3),
    'Chấp hành viên Thi hành án dân sự tỉnh Đồng Tháp - Phòng Thi hành án dân sự Khu '
    'vực 12)':
        ('thads_region', 'dong-thap', 12),
    'Thi hành án dân sự thành phố Đồng Nai – Phòng Thi hành án dân sự Khu vực 2': ('thads_region', 'dong-nai', 2),
    'Thi hành án dân sự Thành phố Cần Thơ': ('thads_province', 'can-tho', None),
    'Phòng Thi hành án dân sự khu vực 4 - Thanh Hoá': ('thads_region', 'thanh-hoa', 4),
}


def _rows() -> list[dict[str, str]]:
    with TSV.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def test_fixture_has_the_140_rows() -> None:
    assert len(_rows()) == 140


def test_golden_table_covers_every_distinct_owner() -> None:
    assert {row["owner_verbatim"] for row in _rows()} == set(GOLDEN)


@pytest.mark.parametrize("row", _rows(), ids=lambda row: row["dgts_sourceId"])
def test_every_tsv_row_parses_as_thads_with_its_new_province(row: dict[str, str]) -> None:
    kind, code, region = GOLDEN[row["owner_verbatim"]]
    owner = parse_owner(row["owner_verbatim"])
    assert owner.is_thads
    assert owner.kind == kind
    assert owner.province is not None and owner.province.code == code
    assert owner.region_no == region


@pytest.mark.parametrize(
    ("name", "field", "code"),
    [
        ("THI HÀNH ÁN DÂN SỰ TỈNH TÂY NINH", "Long An", "tay-ninh"),
        ("Thi hành án dân sự thành phố Cần Thơ (Phòng THADS Khu vực 5)", "Sóc Trăng", "can-tho"),
        ("Thi hành án dân sự tỉnh Quảng Trị", "Quảng Bình", "quang-tri"),
        ("Thi hành án dân sự tỉnh Lâm Đồng", "Hà Giang", "lam-dong"),
        ("Chi cục Thi hành án dân sự huyện Núi Thành", "Nam Định", "da-nang"),
        ("Chi cục thi hành án dân sự thị xã Bình Minh", "Đồng Tháp", "vinh-long"),
    ],
)
def test_owner_province_differs_from_the_asset_province_field(name: str, field: str, code: str) -> None:
    assert parse_owner(name).province.code == code
    assert field in {row["province_field"] for row in _rows() if row["owner_verbatim"] == name}


@pytest.mark.parametrize(
    ("name", "region"),
    [
        ("Phòng Thi hành án dân sự khu vực 12 - Lâm Đồng", 12),
        ("Thi hành án dân sự Thành phố Hồ Chí Minh (KV 12).", 12),
        ("THI HÀNH ÁN DÂN SỰ TỈNH ĐẮK LẮK (KV1)", 1),
        ("Thi hành án dân sự tỉnh Quảng Ngãi (Khu vực 5)", 5),
        ("Phòng Thi hành án dân sự khu vực I Quảng Ninh", 1),
        ("Phòng Thi hành án dân sự khu vực IV - Quảng Ninh", 4),
        ("Phòng Thi hành án dân sự khu vực XII - TP. Hồ Chí Minh", 12),
        ("Phòng THADS KV.3 - Cần Thơ", 3),
    ],
)
def test_region_numbers(name: str, region: int) -> None:
    owner = parse_owner(name)
    assert owner.kind == "thads_region"
    assert owner.region_no == region


def test_place_name_after_khu_vuc_is_not_a_roman_numeral() -> None:
    owner = parse_owner("Phòng Thi hành án dân sự khu vực Vị Thanh")
    assert owner.is_thads
    assert owner.region_no is None


def test_canonical_names() -> None:
    assert parse_owner("Thi hành án dân sự TP.HCM - Phòng Thi hành án dân sự khu vực 12").canonical_name == (
        "Phòng Thi hành án dân sự khu vực 12 - TP. Hồ Chí Minh")
    assert parse_owner("Tha hành án dân sự tỉnh Cà Mau").canonical_name == "Thi hành án dân sự tỉnh Cà Mau"
    assert parse_owner("CHI CỤC THI HÀNH ÁN DÂN SỰ HUYỆN MANG YANG").canonical_name == (
        "Chi cục Thi hành án dân sự huyện Mang Yang, tỉnh Gia Lai")
    assert parse_owner("Cục Thi Hành Án Dân Sự Tỉnh Trà Vinh").canonical_name == (
        "Cục Thi hành án dân sự tỉnh Trà Vinh")


@pytest.mark.parametrize(
    "spellings",
    [
        ("Thi hành án dân sự TP.HCM - Phòng Thi hành án dân sự khu vực 12",
         "Thi hành án dân sự Thành phố Hồ Chí Minh (KV 12).",
         "Phòng Thi hành án dân sự khu vực XII - TP. Hồ Chí Minh"),
        ("Thi hành án dân sự thành phố Đà  (Phòng Thi hành án dân sự khu vực 10  -Đà Nẵng).",
         "Thi hành án dân sự thành phố Đà Nẵng (Phòng Thi hành án dân sự Khu vực 10)",
         "Chấp hành viên Thi hành án dân sự thành phố Đà Nẵng - Phòng thi hành án dân sự khu vực 10"),
        ("Tha hành án dân sự tỉnh Cà Mau", "THI HÀNH ÁN DÂN SỰ TỈNH CÀ MAU.", "Thi hành án dân sự tỉnh Cà Mau,"),
        ("Chi cục Thi hành án dân sự huyện Kế Sách, Sóc Trăng.", "CHI CỤC THI HÀNH ÁN DÂN SỰ HUYỆN KẾ SÁCH",
         "Chi cục THADS huyện Kế Sách, tỉnh Sóc Trăng"),
        ("Thi hành án dân sự hành phố Huế - Phòng Thi hành án dân sự khu vực 1 - Huế",
         "Phòng Thi hành án dân sự khu vực 1 - Thừa Thiên Huế"),
    ],
)
def test_same_office_same_key(spellings: tuple[str, ...]) -> None:
    assert len({parse_owner(s).key for s in spellings}) == 1


def test_different_offices_different_keys() -> None:
    keys = {
        parse_owner("Phòng Thi hành án dân sự khu vực 12 - Lâm Đồng").key,
        parse_owner("Phòng Thi hành án dân sự khu vực 12 - An Giang").key,
        parse_owner("Phòng Thi hành án dân sự khu vực 11 - Lâm Đồng").key,
        parse_owner("Thi hành án dân sự tỉnh Lâm Đồng").key,
        parse_owner("Chi cục Thi hành án dân sự huyện Châu Thành, tỉnh Tiền Giang").key,
        parse_owner("Chi cục Thi hành án dân sự huyện Châu Thành, tỉnh Đồng Tháp").key,
    }
    assert len(keys) == 6


def test_chap_hanh_vien_prefix_and_assigned_unit() -> None:
    owner = parse_owner("Chấp hành viên Phòng thi hành án dân sự Khu vực 6- Quảng Ngãi")
    assert (owner.kind, owner.province.code, owner.region_no) == ("thads_region", "quang-ngai", 6)
    owner = parse_owner("Thi hành án dân sự tỉnh Hưng Yên. Đơn vị được phân công: Phòng Thi hành án dân sự Khu vực 4"
                        " - Hưng Yên")
    assert (owner.kind, owner.province.code, owner.region_no) == ("thads_region", "hung-yen", 4)


def test_typos_tha_hanh_an_and_hanh_pho() -> None:
    assert parse_owner("Tha hành án dân sự tỉnh Cà Mau (Phòng Thi hành án dân sự khu vực 3)").province.code == "ca-mau"
    assert parse_owner("Thi hành án dân sự hành phố Huế").province.code == "hue"


def test_chi_cuc_with_province_after_comma() -> None:
    owner = parse_owner("Chi cục Thi hành án Dân sự huyện Cư M'gar, tỉnh Đắk Lắk")
    assert owner.kind == "thads_district_old"
    assert owner.old_unit == "huyện Cư M'gar"
    assert owner.old_province == "Đắk Lắk"
    assert owner.province.code == "dak-lak"


def test_chi_cuc_same_named_district_uses_the_province_in_the_name_or_address() -> None:
    assert parse_owner("Chi cục Thi hành án dân sự huyện Châu Thành, Bến Tre").old_province == "Bến Tre"
    owner = parse_owner("Chi cục Thi hành án dân sự huyện Châu Thành", "ấp Phú Hưng, huyện Châu Thành, Tiền Giang")
    assert (owner.old_province, owner.province.code) == ("Tiền Giang", "dong-thap")
    assert parse_owner("Chi cục Thi hành án dân sự huyện Châu Thành").province is None


def test_chi_cuc_unknown_district_keeps_the_written_unit() -> None:
    owner = parse_owner("CHI CỤC THI HÀNH ÁN DÂN SỰ HUYỆN XYZ, TỈNH BẾN TRE")
    assert owner.old_unit == "huyện Xyz"
    assert owner.province.code == "vinh-long"


def test_cuc_names_map_the_old_province() -> None:
    owner = parse_owner("Cục Thi Hành Án Dân Sự Tỉnh Trà Vinh")
    assert (owner.kind, owner.old_unit, owner.old_province, owner.province.code) == (
        "thads_province_old", "tỉnh Trà Vinh", "Trà Vinh", "vinh-long")
    assert parse_owner("Cục Thi hành án dân sự tỉnh Kiên Giang").province.code == "an-giang"


def test_central_department_is_thads_without_province() -> None:
    owner = parse_owner("Cục Quản lý Thi hành án dân sự")
    assert owner.is_thads and owner.province is None and owner.key == "thads:central"


def test_owner_with_nay_la_is_the_new_office() -> None:
    owner = parse_owner("Chi cục Thi hành án dân sự huyện Hàm Thuận Bắc (nay là Phòng Thi hành án dân sự Khu vực 12"
                        " - Lâm Đồng)")
    assert (owner.kind, owner.region_no, owner.province.code) == ("thads_region", 12, "lam-dong")
    assert (owner.old_unit, owner.old_province) == ("huyện Hàm Thuận Bắc", "Bình Thuận")
    assert owner.key == parse_owner("Phòng Thi hành án dân sự Khu vực 12 - Lâm Đồng").key


def test_criminal_enforcement_is_not_thads() -> None:
    owner = parse_owner("Cục Cảnh sát quản lý tạm giữ, tạm giam và thi hành án hình sự tại cộng đồng")
    assert not owner.is_thads
    assert owner.kind == "state"


@pytest.mark.parametrize(
    ("text", "pairs"),
    [
        ("Tài sản thi hành án do Chi cục Thi hành án dân sự huyện Hàm Thuận Bắc (nay là Phòng Thi hành án dân sự"
         " Khu vực 12 - Lâm Đồng) kê biên, xử lý",
         [("Chi cục Thi hành án dân sự huyện Hàm Thuận Bắc", "Phòng Thi hành án dân sự Khu vực 12 - Lâm Đồng")]),
        ("do Chi cục THADS huyện Cái Bè nay là Phòng Thi hành án dân sự khu vực 5 - Đồng Tháp kê biên, xử lý",
         [("Chi cục THADS huyện Cái Bè", "Phòng Thi hành án dân sự khu vực 5 - Đồng Tháp")]),
        ("Cục Thi hành án dân sự tỉnh Kiên Giang (nay là Thi hành án dân sự tỉnh An Giang) và Chi cục Thi hành án"
         " dân sự thành phố Rạch Giá (nay là Phòng Thi hành án dân sự khu vực 1 – An Giang).",
         [("Cục Thi hành án dân sự tỉnh Kiên Giang", "Thi hành án dân sự tỉnh An Giang"),
          ("Chi cục Thi hành án dân sự thành phố Rạch Giá", "Phòng Thi hành án dân sự khu vực 1 – An Giang")]),
        ("Chi cục THADS quận 1 nay là Phòng THADS khu vực 1 - TP. Hồ Chí Minh, địa chỉ số 1",
         [("Chi cục THADS quận 1", "Phòng THADS khu vực 1 - TP. Hồ Chí Minh")]),
        ("CHI CỤC THI HÀNH ÁN DÂN SỰ HUYỆN PHÚ QUÝ (NAY LÀ PHÒNG THI HÀNH ÁN DÂN SỰ KHU VỰC 12 - LÂM ĐỒNG)",
         [("CHI CỤC THI HÀNH ÁN DÂN SỰ HUYỆN PHÚ QUÝ", "PHÒNG THI HÀNH ÁN DÂN SỰ KHU VỰC 12 - LÂM ĐỒNG")]),
    ],
)
def test_extract_renames(text: str, pairs: list[tuple[str, str]]) -> None:
    assert extract_renames(text) == pairs


def test_extract_renames_ignores_address_renames_and_duplicates() -> None:
    assert extract_renames("thửa đất tại xã A, huyện Núi Thành (nay là xã Núi Thành, thành phố Đà Nẵng)") == []
    once = "Chi cục Thi hành án dân sự huyện Vạn Ninh (nay là Phòng Thi hành án dân sự khu vực 2 - Khánh Hòa)"
    assert len(extract_renames(f"{once}; {once}.")) == 1
    assert extract_renames("") == []


@pytest.mark.parametrize(
    ("name", "kind", "code"),
    [
        ("Ngân hàng TMCP Việt Nam Thịnh Vượng (VPBank)", "bank", None),
        ("Ngân hàng TMCP Sài Gòn – Hà Nội (SHB)", "bank", None),
        ("Ngân hàng TMCP Sài Gòn Thương Tín - Chi nhánh Lâm Đồng – Phòng giao dịch Bảo Lộc", "bank", "lam-dong"),
        ("Ngân hàng TMCP Ngoại Thương Việt Nam – Chi nhánh Sài Gòn Chợ Lớn", "bank", "tp-ho-chi-minh"),
        ("Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam - Chi nhánh Sóc Trăng", "bank", "can-tho"),
        ("Ngân hàng nông nghiệp và phát triển nông thôn Việt Nam – Chi nhánh Đông Anh.", "bank", "ha-noi"),
        ("Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam  – Chi nhánh 11", "bank", None),
        ("Ngân hàng TMCP Công thương Việt Nam - chi nhánh 12 TPHCM", "bank", "tp-ho-chi-minh"),
        ("Công ty TNHH MTV Quản lý nợ và Khai thác tài sản Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam",
         "bank", None),
        ("Chi nhánh Công ty TNHH Quản lý nợ và khai thác tài sản Ngân hàng TMCP Quân Đội tại TP. Hồ Chí Minh",
         "bank", "tp-ho-chi-minh"),
        ("Chi nhánh Ngân hàng Phát triển khu vực Quảng Nam – Đà Nẵng", "bank", "da-nang"),
        ("UBND huyện Nghi Xuân", "state", "ha-tinh"),
        ("Ủy ban nhân dân huyện Phù Cừ", "state", "hung-yen"),
        ("ỦY BAN NHÂN DÂN XÃ ĐỒNG TIẾN", "state", None),
        ("TRUNG TÂM PHÁT TRIỂN QUỸ ĐẤT PHÚ THỌ", "state", "phu-tho"),
        ("Trung tâm phát triển quỹ đất tỉnh Bình Dương", "state", "tp-ho-chi-minh"),
        ("Bệnh viện Đa khoa tỉnh Quảng Trị", "state", "quang-tri"),
        ("BỆNH VIỆN ĐA KHOA VŨNG TÀU", "state", "tp-ho-chi-minh"),
        ("Phòng Tài chính – Kế hoạch Thành phố Buôn Ma Thuột", "state", "dak-lak"),
        ("Sở Tài chính tỉnh Đồng Tháp", "state", "dong-thap"),
        ("Chi cục hải quan khu vực VI", "state", None),
        ("Chi Cục Điều tra chống buôn lậu – Cục Hải quan", "state", None),
        ("Công ty TNHH MTV Cao su Hà Tĩnh", "enterprise", "ha-tinh"),
        ("Công ty Cổ phần MBN Jupiter", "enterprise", None),
        ("Tổng công ty Bảo hiểm PVI", "enterprise", None),
        ("Ông Ngô Thọ Nam; Sinh ngày: 15/12/1974 và Ông Đinh Xuân Thành Sinh ngày: 03/15/1972", "individual", None),
        ("Bà Trần Thị Kiều Thu", "individual", None),
        ("Nguyễn Văn Tạo", "individual", None),
    ],
)
def test_other_owner_kinds(name: str, kind: str, code: str | None) -> None:
    owner = parse_owner(name)
    assert not owner.is_thads
    assert owner.kind == kind
    assert (owner.province.code if owner.province else None) == code


def test_non_thads_province_from_address() -> None:
    address = "Trung tâm Y tế Kiên Lương, địa chỉ: Số 1, đường Trần Hưng Đạo, xã Kiên Lương, tỉnh An Giang"
    assert parse_owner("Trung tâm Y tế Kiên Lương", address).province.code == "an-giang"
    assert parse_owner("Bà Trần Thị Kiều Thu", "phường Ba Ngòi, tỉnh Khánh Hòa").province.code == "khanh-hoa"
    # the name wins over the address for state bodies
    assert parse_owner("Sở Tài chính tỉnh Cà Mau", "Hà Nội").province.code == "ca-mau"


def test_ba_ria_is_not_a_person() -> None:
    assert parse_owner("Bà Rịa - Vũng Tàu Công ty TNHH Xây dựng").kind == "enterprise"


def test_bank_keys_ignore_parenthesised_contacts() -> None:
    assert parse_owner("Ngân hàng TMCP Quốc tế Việt Nam (Thanh lý tài sản VIB: 094.968.5485)").key == parse_owner(
        "NGÂN HÀNG TMCP QUỐC TẾ VIỆT NAM (VIB)").key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Công ty đấu giá hợp danh Thiên Long", "CÔNG TY ĐẤU GIÁ HỢP DANH THIÊN LONG"),
        ("Công ty Đấu giá họp danh Sóc Trăng", "Công ty đấu giá hợp danh Sóc Trăng."),
        ("Cty ĐGHD Sóc Trăng", "Công ty Đấu giá hợp danh Sóc Trăng"),
        ("CT đấu giá hợp danh Việt Nam", "Công ty đấu giá hợp danh Việt Nam"),
        ("Công ty Đấu giá hợp danh Gia Lai  Kon Tum", "Công ty đấu giá hợp danh Gia Lai - Kon Tum"),
        ("Công ty TNHH Đấu giá Hưng Thịnh", "Công ty Trách nhiệm hữu hạn đấu giá Hưng Thịnh"),
        ("Công ty cổ phần đấu giá Hà Nội", "CTCP đấu giá Hà Nội"),
        ("Trung tâm Dịch vụ bán đấu giá tài sản TPHCM", "Trung tâm dịch vụ đấu giá tài sản Thành phố Hồ Chí Minh"),
        ("Trung tâm dịch vụ đấu giá tài sản tỉnh Cà Mau", "Trung tâm Dịch vụ Đấu giá tài sản Cà Mau"),
        ("Trung tâm Dịch vụ Đấu giá tài sản tỉnh Quảng  Trị", "TRUNG TÂM DỊCH VỤ ĐẤU GIÁ TÀI SẢN TỈNH QUẢNG TRỊ"),
        ("Doanh nghiệp đấu giá tư nhân Vạn Phát Hưng", "DNĐGTN Vạn Phát Hưng"),
    ],
)
def test_normalize_org_name_equivalences(a: str, b: str) -> None:
    assert normalize_org_name(a) == normalize_org_name(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Công ty đấu giá hợp danh Thiên Long", "Công ty đấu giá hợp danh Thiên Phúc"),
        ("Công ty đấu giá hợp danh Sóc Trăng", "Công ty TNHH đấu giá Sóc Trăng"),
        ("Trung tâm dịch vụ đấu giá tài sản tỉnh Cà Mau", "Trung tâm dịch vụ đấu giá tài sản tỉnh Bạc Liêu"),
    ],
)
def test_normalize_org_name_keeps_different_orgs_apart(a: str, b: str) -> None:
    assert normalize_org_name(a) != normalize_org_name(b)


def test_owner_kinds_are_declared() -> None:
    assert set(OWNER_KINDS) >= {parse_owner(n).kind for n in GOLDEN}


@given(st.text(max_size=400), st.one_of(st.none(), st.text(max_size=200)))
def test_parse_owner_never_raises(name: str, address: str | None) -> None:
    owner = parse_owner(name, address)
    assert owner.kind in OWNER_KINDS
    assert owner.province is None or owner.province in PROVINCES


def test_parse_owner_bounds_huge_input() -> None:
    start = time.perf_counter()
    owner = parse_owner("Chi cục Thi hành án dân sự huyện Vạn Ninh " + "x" * 1_000_000)
    assert owner.province.code == "khanh-hoa"
    renames = extract_renames("Chi cục Thi hành án dân sự huyện A (nay là " * 50_000)
    assert renames == []
    assert time.perf_counter() - start < 5


def test_parse_owner_is_fast_on_distinct_names() -> None:
    names = [f"Phòng Thi hành án dân sự khu vực {i % 20 + 1} - {p.name} {i}" for i, p in
             enumerate(PROVINCES * 60)]
    start = time.perf_counter()
    parsed = [parse_owner(n) for n in names]
    assert time.perf_counter() - start < 5
    assert all(o.kind == "thads_region" for o in parsed)
