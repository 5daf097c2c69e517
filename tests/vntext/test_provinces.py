"""Provinces after the 2025 merger, old-province and district mapping, and province lookup in free text."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vntext.provinces import (
    OLD_PROVINCES,
    PROVINCES,
    district_candidates,
    find_district,
    find_old_province,
    find_province,
    normalize_old_province_name,
    normalize_province_name,
    old_province_by_name,
    province_by_code,
    resolve_district,
    slugify,
)

UNCHANGED = ("Hà Nội", "Huế", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh", "Thanh Hóa", "Nghệ An",
             "Hà Tĩnh", "Cao Bằng")


def test_there_are_34_provinces_with_unique_codes_and_names() -> None:
    assert len(PROVINCES) == 34
    assert len({p.code for p in PROVINCES}) == 34
    assert len({p.name for p in PROVINCES}) == 34


def test_there_are_63_old_provinces_each_in_exactly_one_new_one() -> None:
    assert len(OLD_PROVINCES) == 63
    assert len({o.name for o in OLD_PROVINCES}) == 63
    for old in OLD_PROVINCES:
        assert old.name in province_by_code(old.new_code).old_names


def test_eleven_provinces_are_unchanged() -> None:
    unchanged = {p.name for p in PROVINCES if len(p.old_names) == 1}
    assert unchanged == set(UNCHANGED)


def test_six_centrally_run_cities() -> None:
    assert {p.code for p in PROVINCES if p.is_city} == {"ha-noi", "hue", "hai-phong", "da-nang", "tp-ho-chi-minh",
                                                         "can-tho"}


@pytest.mark.parametrize(
    ("old", "new_code"),
    [
        ("Bình Dương", "tp-ho-chi-minh"), ("Bà Rịa - Vũng Tàu", "tp-ho-chi-minh"), ("Kiên Giang", "an-giang"),
        ("Long An", "tay-ninh"), ("Sóc Trăng", "can-tho"), ("Hậu Giang", "can-tho"), ("Quảng Bình", "quang-tri"),
        ("Bình Thuận", "lam-dong"), ("Đắk Nông", "lam-dong"), ("Phú Yên", "dak-lak"), ("Bình Định", "gia-lai"),
        ("Kon Tum", "quang-ngai"), ("Quảng Nam", "da-nang"), ("Bạc Liêu", "ca-mau"), ("Trà Vinh", "vinh-long"),
        ("Bến Tre", "vinh-long"), ("Tiền Giang", "dong-thap"), ("Bình Phước", "dong-nai"),
        ("Ninh Thuận", "khanh-hoa"), ("Hải Dương", "hai-phong"), ("Thái Bình", "hung-yen"),
        ("Hà Nam", "ninh-binh"), ("Nam Định", "ninh-binh"), ("Vĩnh Phúc", "phu-tho"), ("Hòa Bình", "phu-tho"),
        ("Bắc Giang", "bac-ninh"), ("Bắc Kạn", "thai-nguyen"), ("Hà Giang", "tuyen-quang"),
        ("Yên Bái", "lao-cai"), ("Thừa Thiên Huế", "hue"),
    ],
)
def test_old_province_maps_to_new(old: str, new_code: str) -> None:
    found = old_province_by_name(old)
    assert found is not None
    assert found.new_code == new_code


def test_province_by_code() -> None:
    assert province_by_code("tp-ho-chi-minh").name == "TP. Hồ Chí Minh"
    assert province_by_code("an-giang").full_name == "tỉnh An Giang"
    with pytest.raises(KeyError):
        province_by_code("ba-ria-vung-tau")


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("TP. Hồ Chí Minh", "tp-ho-chi-minh"), ("Thành phố Hồ Chí Minh", "tp-ho-chi-minh"),
        ("TPHCM", "tp-ho-chi-minh"), ("TP.HCM", "tp-ho-chi-minh"), ("HCM", "tp-ho-chi-minh"),
        ("Sài Gòn", "tp-ho-chi-minh"), ("Tỉnh Bà Rịa–Vũng Tàu", "tp-ho-chi-minh"),
        ("Bà Rịa - Vũng Tàu", "tp-ho-chi-minh"), ("Thừa Thiên - Huế", "hue"), ("Thừa Thiên Huế", "hue"),
        ("Huế", "hue"), ("Đắk Lắk", "dak-lak"), ("Đăk Lăk", "dak-lak"), ("Dak Lak", "dak-lak"),
        ("Khánh Hoà", "khanh-hoa"), ("Khánh Hòa", "khanh-hoa"), ("Thanh Hoá", "thanh-hoa"),
        ("tỉnh Hoà Bình", "phu-tho"), ("KIÊN GIANG", "an-giang"), ("Kontum", "quang-ngai"),
        ("ha noi", "ha-noi"), ("tp-ho-chi-minh", "tp-ho-chi-minh"), ("Đắk Nông", "lam-dong"),
    ],
)
def test_normalize_province_name_variants(written: str, code: str) -> None:
    province = normalize_province_name(written)
    assert province is not None
    assert province.code == code


@pytest.mark.parametrize("written", ["Pleiku", "Ninh Kiều", "Việt Nam", "", "tỉnh"])
def test_normalize_province_name_rejects_non_provinces(written: str) -> None:
    assert normalize_province_name(written) is None


def test_normalize_old_province_name_keeps_the_old_unit() -> None:
    old = normalize_old_province_name("Tỉnh Trà Vinh")
    assert old is not None and old.name == "Trà Vinh" and old.full_name == "tỉnh Trà Vinh"


@pytest.mark.parametrize(
    ("address", "code"),
    [
        ("xã Ea Kiết, huyện Cư M’gar, tỉnh Đắk Lắk.", "dak-lak"),
        ("Thôn Nam Định, xã Tam Anh Nam, huyện Núi Thành, tỉnh Quảng Nam", "da-nang"),
        ("P. An Bình, Q. Ninh Kiều, TP Cần Thơ.", "can-tho"),
        ("Bãi xe 95 Trần Thái Tông, Cầu Giấy, Hà Nội", "ha-noi"),
        ("Số 52 đường Do Nha 3, phường Hồng An, TP.Hải Phòng", "hai-phong"),
        ("Toạ lạc tại ấp Hậu Qưới, xã Hậu Mỹ Bắc A, huyện Cái Bè, Tiền Giang", "dong-thap"),
        ("Thửa đất số 932, Phường Hòa Lợi, Thành phố Bến Cát, tỉnh Bình Dương (Nay là Phường Hòa Lợi, "
         "Thành phố Hồ Chí Minh)", "tp-ho-chi-minh"),
        ("thị trấn Long Hải, huyện Long Điền, tỉnh Bà Rịa – Vũng Tàu (nay là ấp Hải An, xã Long Hải, "
         "Thành phồ Hồ Chí Minh).", "tp-ho-chi-minh"),
        ("15411 Hà Giang, P. Lộc Sơn, TP. Bảo Lộc, tỉnh Lâm Đồng nay là phường Blao, tỉnh Lâm Đồng", "lam-dong"),
        ("Số 1 Đường 22, Phường Linh Đông, TP. Thủ Đức, Hồ Chí Minh", "tp-ho-chi-minh"),
        ("Kho Khu công nghệ thông tin, xã Hòa Liên, H. Hòa Vang", "da-nang"),
        ("Tại thửa đất số 2151, phường Tân Khánh, thành phố Tân An, tỉnh Long An", "tay-ninh"),
        ("huyện Chợ Mới, tỉnh Bắc Kạn nay là xã Chợ Mới, tỉnh Thái Nguyên", "thai-nguyen"),
        ("Trụ sở Vietinbank CN12 TPHCM", "tp-ho-chi-minh"),
        ("Số 75 Trần Nhân Tôn, Phường 9, Quận 5", "tp-ho-chi-minh"),
        ("thị xã Bình Minh", "vinh-long"),
        ("Chung cư Dragon Hill 2, 15a2 Nguyễn Hữu Thọ, Nhà Bè, TP. Hồ Chí Minh", "tp-ho-chi-minh"),
    ],
)
def test_find_province_in_addresses(address: str, code: str) -> None:
    province = find_province(address)
    assert province is not None
    assert province.code == code


def test_find_province_prefers_the_last_explicit_mention() -> None:
    text = "huyện Núi Thành, tỉnh Quảng Nam (nay là xã Núi Thành, thành phố Đà Nẵng), giáp tỉnh Quảng Ngãi"
    assert find_province(text).code == "quang-ngai"


def test_find_province_prefers_explicit_over_bare_place_names() -> None:
    # "Nam Định" here is a hamlet; the province is Quảng Nam
    assert find_province("Thôn Nam Định, xã Tam Anh Nam, tỉnh Quảng Nam").code == "da-nang"


def test_find_province_prefers_district_over_bare_name() -> None:
    assert find_province("huyện Kế Sách, Sóc Trăng.").code == "can-tho"


@pytest.mark.parametrize(
    "text",
    ["Tàu cao tốc Hòa Bình 02", "Bà Nguyễn Thị Huệ", "Công ty TNHH Thái Bình Dương", "Thuộc tiểu khu 187, xã Hương Phố",
     "huyện Châu Thành", ""],
)
def test_find_province_returns_none_without_a_province(text: str) -> None:
    assert find_province(text) is None


def test_prefix_only_aliases_count_after_tinh_or_thanh_pho() -> None:
    assert find_province("thành phố Hòa Bình").code == "phu-tho"
    assert find_province("Thi hành án dân sự thành phố Huế").code == "hue"


def test_find_old_province() -> None:
    assert find_old_province("khóm 3, thị trấn Cầu Quan, huyện Tiểu Cần, tỉnh Trà Vinh").name == "Trà Vinh"
    assert find_old_province("huyện Cái Bè").name == "Tiền Giang"
    assert find_old_province("Việt Nam") is None


@pytest.mark.parametrize(
    ("text", "district", "old"),
    [
        ("huyện Cư M'gar", "Cư M'gar", "Đắk Lắk"),
        ("huyện Cư Mgar", "Cư M'gar", "Đắk Lắk"),
        ("CHI CỤC THADS HUYỆN MANG YANG", "Mang Yang", "Gia Lai"),
        ("Q. Ninh Kiều, TP Cần Thơ", "Ninh Kiều", "Cần Thơ"),
        ("thị xã Ngã Năm", "Ngã Năm", "Sóc Trăng"),
        ("thành phố Phan Rang - Tháp Chàm", "Phan Rang - Tháp Chàm", "Ninh Thuận"),
        ("thành phố Buôn Ma Thuột", "Buôn Ma Thuột", "Đắk Lắk"),
        ("quận 10", "10", "Hồ Chí Minh"),
    ],
)
def test_find_district(text: str, district: str, old: str) -> None:
    found = find_district(text)
    assert found is not None
    assert (found.name, found.old_province.name) == (district, old)


@pytest.mark.parametrize(
    ("name", "prefix", "hints", "old"),
    [
        ("Bình Tân", "quận", (), "Hồ Chí Minh"),
        ("Bình Tân", "huyện", (), "Vĩnh Long"),
        ("Tân Uyên", "thị xã", (), "Bình Dương"),
        ("Tân Uyên", "huyện", (), "Lai Châu"),
        ("Hòa Bình", "huyện", (), "Bạc Liêu"),
        ("Quảng Ninh", "huyện", (), "Quảng Bình"),
        ("Phú Mỹ", "thành phố", (), "Bà Rịa - Vũng Tàu"),
        ("Phù Mỹ", "huyện", (), "Bình Định"),
        ("Thạnh Trị", "huyện", (), "Sóc Trăng"),
        ("Thanh Trì", "huyện", (), "Hà Nội"),
        ("Châu Thành", "huyện", ("Tiền Giang",), "Tiền Giang"),
        ("Châu Thành", "huyện", ("vinh-long", "Bến Tre"), "Bến Tre"),
        ("Vĩnh Thạnh", "huyện", (), "Cần Thơ"),
        ("Vĩnh Thạnh", "huyện", ("gia-lai",), "Bình Định"),
        ("Phong Điền", "huyện", (), "Cần Thơ"),
        ("Tam Nông", "huyện", ("Phú Thọ",), "Phú Thọ"),
    ],
)
def test_resolve_same_named_districts(name: str, prefix: str, hints: tuple[str, ...], old: str) -> None:
    district = resolve_district(name, prefix, hints)
    assert district is not None
    assert district.old_province.name == old


def test_ambiguous_district_without_hint_is_unresolved() -> None:
    assert len(district_candidates("Châu Thành")) >= 9
    assert resolve_district("Châu Thành", "huyện") is None


TSV_DISTRICTS = {
    "Vạn Ninh": "khanh-hoa", "Mang Yang": "gia-lai", "Pleiku": "gia-lai", "Cà Mau": "ca-mau",
    "Giồng Trôm": "vinh-long", "Bình Đại": "vinh-long", "Cẩm Lệ": "da-nang", "Phan Thiết": "lam-dong",
    "Vĩnh Thạnh": "can-tho", "Phú Quý": "lam-dong", "Ninh Kiều": "can-tho", "Quỳnh Lưu": "nghe-an",
    "Phú Bình": "thai-nguyen", "Ngã Năm": "can-tho", "Kế Sách": "can-tho", "Thốt Nốt": "can-tho",
    "Ngũ Hành Sơn": "da-nang", "Sóc Trăng": "can-tho", "Cái Răng": "can-tho", "Tuyên Hóa": "quang-tri",
    "Thái Nguyên": "thai-nguyen", "Gò Công Đông": "dong-thap", "Chư Prông": "gia-lai", "Phong Điền": "can-tho",
    "Núi Thành": "da-nang", "Cư M'gar": "dak-lak", "Ba Đình": "ha-noi", "Phú Mỹ": "tp-ho-chi-minh",
    "Thới Lai": "can-tho", "Xuyên Mộc": "tp-ho-chi-minh", "Cái Bè": "dong-thap", "Bình Minh": "vinh-long",
    "Hàm Thuận Bắc": "lam-dong", "Tiểu Cần": "vinh-long", "Càng Long": "vinh-long",
}


@pytest.mark.parametrize(("name", "code"), sorted(TSV_DISTRICTS.items()))
def test_every_district_seen_on_dgts_maps_to_its_new_province(name: str, code: str) -> None:
    prefix = "thành phố" if name in ("Pleiku", "Cà Mau", "Phan Thiết", "Sóc Trăng", "Thái Nguyên", "Phú Mỹ") else (
        "quận" if name in ("Cẩm Lệ", "Ninh Kiều", "Thốt Nốt", "Ngũ Hành Sơn", "Cái Răng", "Ba Đình") else "huyện")
    district = resolve_district(name, prefix)
    assert district is not None
    assert district.province.code == code


@given(st.text(max_size=300))
def test_find_province_never_raises(text: str) -> None:
    result = find_province(text)
    assert result is None or result in PROVINCES


def test_slugify() -> None:
    assert slugify("Cư M'gar") == "cu-m-gar"
    assert slugify("Bà Rịa – Vũng Tàu") == "ba-ria-vung-tau"


def test_find_province_is_fast_and_bounded() -> None:
    addresses = [f"Số {i}, phường {i % 30}, quận Ninh Kiều, thành phố Cần Thơ" for i in range(3000)]
    start = time.perf_counter()
    assert all(find_province(a).code == "can-tho" for a in addresses)
    assert time.perf_counter() - start < 5
    huge = "xã A, huyện B, " * 20_000 + "tỉnh Đắk Lắk"
    start = time.perf_counter()
    find_province(huge)
    assert time.perf_counter() - start < 5
