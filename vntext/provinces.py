"""Vietnamese provinces after the July-2025 merger, the pre-2025 provinces and districts they absorbed,
and lookup of a province named anywhere in free text (addresses, owner names)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from vntext.fold import fold_index, fold_words

__all__ = [
    "PROVINCES",
    "OLD_PROVINCES",
    "PREFIX_DISPLAY",
    "PROVINCE_ALIAS_RE",
    "PROVINCE_NAME_RE",
    "District",
    "OldProvince",
    "Province",
    "district_candidates",
    "find_district",
    "find_old_province",
    "find_province",
    "match_district_at",
    "match_province_at",
    "normalize_old_province_name",
    "normalize_province_name",
    "old_province_by_name",
    "prefix_class",
    "province_aliases",
    "province_by_code",
    "regex_from_aliases",
    "resolve_district",
    "resolve_district_key",
    "slugify",
]

MAX_TEXT_CHARS = 20_000


@dataclass(frozen=True, slots=True)
class Province:
    """One of the 34 provinces/centrally-run cities in force since 01/07/2025 (Resolution 202/2025/QH15)."""

    code: str
    name: str
    full_name: str
    is_city: bool
    old_names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OldProvince:
    """One of the 63 provinces/cities in force before the July-2025 merger."""

    name: str
    prefix: str
    new_code: str

    @property
    def full_name(self) -> str:
        return f"{self.prefix} {self.name}"

    @property
    def province(self) -> Province:
        return province_by_code(self.new_code)


@dataclass(frozen=True, slots=True)
class District:
    """A pre-2025 district-level unit (huyện/quận/thị xã/thành phố thuộc tỉnh)."""

    name: str
    old_province: OldProvince

    @property
    def province(self) -> Province:
        return self.old_province.province


# (code, display name, is_city, pre-2025 provinces merged into it; the first one gave its name)
_PROVINCE_ROWS: tuple[tuple[str, str, bool, tuple[str, ...]], ...] = (
    ("ha-noi", "Hà Nội", True, ("Hà Nội",)),
    ("hue", "Huế", True, ("Thừa Thiên Huế",)),
    ("lai-chau", "Lai Châu", False, ("Lai Châu",)),
    ("dien-bien", "Điện Biên", False, ("Điện Biên",)),
    ("son-la", "Sơn La", False, ("Sơn La",)),
    ("lang-son", "Lạng Sơn", False, ("Lạng Sơn",)),
    ("quang-ninh", "Quảng Ninh", False, ("Quảng Ninh",)),
    ("thanh-hoa", "Thanh Hóa", False, ("Thanh Hóa",)),
    ("nghe-an", "Nghệ An", False, ("Nghệ An",)),
    ("ha-tinh", "Hà Tĩnh", False, ("Hà Tĩnh",)),
    ("cao-bang", "Cao Bằng", False, ("Cao Bằng",)),
    ("tuyen-quang", "Tuyên Quang", False, ("Tuyên Quang", "Hà Giang")),
    ("lao-cai", "Lào Cai", False, ("Lào Cai", "Yên Bái")),
    ("thai-nguyen", "Thái Nguyên", False, ("Thái Nguyên", "Bắc Kạn")),
    ("phu-tho", "Phú Thọ", False, ("Phú Thọ", "Vĩnh Phúc", "Hòa Bình")),
    ("bac-ninh", "Bắc Ninh", False, ("Bắc Ninh", "Bắc Giang")),
    ("hung-yen", "Hưng Yên", False, ("Hưng Yên", "Thái Bình")),
    ("hai-phong", "Hải Phòng", True, ("Hải Phòng", "Hải Dương")),
    ("ninh-binh", "Ninh Bình", False, ("Ninh Bình", "Hà Nam", "Nam Định")),
    ("quang-tri", "Quảng Trị", False, ("Quảng Trị", "Quảng Bình")),
    ("da-nang", "Đà Nẵng", True, ("Đà Nẵng", "Quảng Nam")),
    ("quang-ngai", "Quảng Ngãi", False, ("Quảng Ngãi", "Kon Tum")),
    ("gia-lai", "Gia Lai", False, ("Gia Lai", "Bình Định")),
    ("khanh-hoa", "Khánh Hòa", False, ("Khánh Hòa", "Ninh Thuận")),
    ("lam-dong", "Lâm Đồng", False, ("Lâm Đồng", "Đắk Nông", "Bình Thuận")),
    ("dak-lak", "Đắk Lắk", False, ("Đắk Lắk", "Phú Yên")),
    ("tp-ho-chi-minh", "TP. Hồ Chí Minh", True, ("Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu")),
    ("dong-nai", "Đồng Nai", False, ("Đồng Nai", "Bình Phước")),
    ("tay-ninh", "Tây Ninh", False, ("Tây Ninh", "Long An")),
    ("can-tho", "Cần Thơ", True, ("Cần Thơ", "Sóc Trăng", "Hậu Giang")),
    ("vinh-long", "Vĩnh Long", False, ("Vĩnh Long", "Bến Tre", "Trà Vinh")),
    ("dong-thap", "Đồng Tháp", False, ("Đồng Tháp", "Tiền Giang")),
    ("ca-mau", "Cà Mau", False, ("Cà Mau", "Bạc Liêu")),
    ("an-giang", "An Giang", False, ("An Giang", "Kiên Giang")),
)


def _full_name(code: str, name: str, is_city: bool) -> str:
    if code == "tp-ho-chi-minh":
        return "thành phố Hồ Chí Minh"
    return f"{'thành phố' if is_city else 'tỉnh'} {name}"


PROVINCES: tuple[Province, ...] = tuple(
    Province(code, name, _full_name(code, name, is_city), is_city, olds)
    for code, name, is_city, olds in _PROVINCE_ROWS
)
_BY_CODE: dict[str, Province] = {p.code: p for p in PROVINCES}

_OLD_CITIES = {"Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ"}
OLD_PROVINCES: tuple[OldProvince, ...] = tuple(
    OldProvince(old, "thành phố" if old in _OLD_CITIES else "tỉnh", p.code)
    for p in PROVINCES
    for old in p.old_names
)
_OLD_BY_NAME: dict[str, OldProvince] = {o.name: o for o in OLD_PROVINCES}

# Spelling variants beyond what diacritic folding already covers. Aliases in _PREFIX_ONLY are common words
# or person names ("Huệ", "hòa bình" = peace) and count only after "tỉnh"/"thành phố"/"TP" or in THADS names.
_EXTRA_ALIASES: dict[str, tuple[str, ...]] = {
    "Hồ Chí Minh": ("tphcm", "tp hcm", "hcm", "tp ho chi minh", "thanh pho ho chi minh", "sai gon", "saigon",
                    "ho chi minh city", "hochiminh"),
    "Bà Rịa - Vũng Tàu": ("brvt", "br vt", "ba ria vung tau", "vung tau"),
    "Thừa Thiên Huế": ("thua thien hue", "tt hue", "hue"),
    "Đắk Lắk": ("daklak", "dac lac", "dak lac", "dac lak"),
    "Đắk Nông": ("daknong", "dac nong"),
    "Bắc Kạn": ("bac can",),
    "Kon Tum": ("kontum", "kon tom"),
    "Hà Nội": ("hanoi",),
    "Đà Nẵng": ("danang",),
    "Cần Thơ": ("cantho",),
    "Hải Phòng": ("haiphong",),
    "Thanh Hóa": ("thanh hoa",),
}
_PREFIX_ONLY = {"hue", "hoa binh"}

# Pre-2025 district-level units per old province (display names without "huyện/quận/thị xã/thành phố").
# Names shared by several provinces are resolved with _PREFIX_OVERRIDES, _AMBIGUOUS_DEFAULTS or a hint.
_DISTRICT_LISTS: dict[str, str] = {
    "Hà Nội": "Ba Đình, Hoàn Kiếm, Tây Hồ, Long Biên, Cầu Giấy, Đống Đa, Hai Bà Trưng, Hoàng Mai, Thanh Xuân, "
              "Nam Từ Liêm, Bắc Từ Liêm, Từ Liêm, Hà Đông, Sơn Tây, Ba Vì, Chương Mỹ, Đan Phượng, Đông Anh, Gia Lâm, "
              "Hoài Đức, Mê Linh, Mỹ Đức, Phú Xuyên, Phúc Thọ, Quốc Oai, Sóc Sơn, Thạch Thất, Thanh Oai, "
              "Thanh Trì, Thường Tín, Ứng Hòa",
    "Hồ Chí Minh": "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, Bình Thạnh, Gò Vấp, Phú Nhuận, Tân Bình, Tân Phú, "
                   "Bình Tân, Thủ Đức, Củ Chi, Hóc Môn, Bình Chánh, Nhà Bè, Cần Giờ",
    "Hải Phòng": "Hồng Bàng, Ngô Quyền, Lê Chân, Hải An, Kiến An, Đồ Sơn, Dương Kinh, Thủy Nguyên, An Dương, "
                 "An Lão, Kiến Thụy, Tiên Lãng, Vĩnh Bảo, Cát Hải, Bạch Long Vĩ",
    "Đà Nẵng": "Hải Châu, Thanh Khê, Sơn Trà, Ngũ Hành Sơn, Liên Chiểu, Cẩm Lệ, Hòa Vang, Hoàng Sa",
    "Cần Thơ": "Ninh Kiều, Bình Thủy, Cái Răng, Ô Môn, Thốt Nốt, Phong Điền, Cờ Đỏ, Thới Lai, Vĩnh Thạnh",
    "Thừa Thiên Huế": "Thuận Hóa, Phú Xuân, Hương Thủy, Hương Trà, Phong Điền, Quảng Điền, Phú Vang, Phú Lộc, "
                      "A Lưới, Nam Đông",
    "An Giang": "Long Xuyên, Châu Đốc, Tân Châu, An Phú, Châu Phú, Châu Thành, Chợ Mới, Phú Tân, Thoại Sơn, "
                "Tịnh Biên, Tri Tôn",
    "Kiên Giang": "Rạch Giá, Hà Tiên, Phú Quốc, Kiên Lương, Giang Thành, Hòn Đất, Tân Hiệp, Châu Thành, "
                  "Giồng Riềng, Gò Quao, An Biên, An Minh, U Minh Thượng, Vĩnh Thuận, Kiên Hải",
    "Bà Rịa - Vũng Tàu": "Vũng Tàu, Bà Rịa, Phú Mỹ, Tân Thành, Châu Đức, Xuyên Mộc, Long Điền, Đất Đỏ, "
                         "Long Đất, Côn Đảo",
    "Bình Dương": "Thủ Dầu Một, Dĩ An, Thuận An, Tân Uyên, Bến Cát, Bàu Bàng, Bắc Tân Uyên, Dầu Tiếng, Phú Giáo",
    "Bạc Liêu": "Bạc Liêu, Giá Rai, Hồng Dân, Phước Long, Vĩnh Lợi, Hòa Bình, Đông Hải",
    "Cà Mau": "Cà Mau, Thới Bình, U Minh, Trần Văn Thời, Cái Nước, Phú Tân, Đầm Dơi, Năm Căn, Ngọc Hiển",
    "Bến Tre": "Bến Tre, Ba Tri, Bình Đại, Châu Thành, Chợ Lách, Giồng Trôm, Mỏ Cày Bắc, Mỏ Cày Nam, Thạnh Phú",
    "Trà Vinh": "Trà Vinh, Duyên Hải, Càng Long, Cầu Kè, Cầu Ngang, Châu Thành, Tiểu Cần, Trà Cú",
    "Vĩnh Long": "Vĩnh Long, Bình Minh, Bình Tân, Long Hồ, Mang Thít, Tam Bình, Trà Ôn, Vũng Liêm",
    "Sóc Trăng": "Sóc Trăng, Vĩnh Châu, Ngã Năm, Châu Thành, Cù Lao Dung, Kế Sách, Long Phú, Mỹ Tú, Mỹ Xuyên, "
                 "Thạnh Trị, Trần Đề",
    "Hậu Giang": "Vị Thanh, Ngã Bảy, Long Mỹ, Châu Thành, Châu Thành A, Phụng Hiệp, Vị Thủy",
    "Đồng Tháp": "Cao Lãnh, Sa Đéc, Hồng Ngự, Tân Hồng, Tam Nông, Thanh Bình, Tháp Mười, Lấp Vò, Lai Vung, "
                 "Châu Thành",
    "Tiền Giang": "Mỹ Tho, Gò Công, Cai Lậy, Cái Bè, Châu Thành, Chợ Gạo, Gò Công Đông, Gò Công Tây, "
                  "Tân Phú Đông, Tân Phước",
    "Long An": "Tân An, Kiến Tường, Bến Lức, Cần Đước, Cần Giuộc, Châu Thành, Đức Hòa, Đức Huệ, Mộc Hóa, "
               "Tân Hưng, Tân Thạnh, Tân Trụ, Thạnh Hóa, Thủ Thừa, Vĩnh Hưng",
    "Tây Ninh": "Tây Ninh, Hòa Thành, Trảng Bàng, Bến Cầu, Châu Thành, Dương Minh Châu, Gò Dầu, Tân Biên, Tân Châu",
    "Đồng Nai": "Biên Hòa, Long Khánh, Cẩm Mỹ, Định Quán, Long Thành, Nhơn Trạch, Tân Phú, Thống Nhất, "
                "Trảng Bom, Vĩnh Cửu, Xuân Lộc",
    "Bình Phước": "Đồng Xoài, Bình Long, Phước Long, Chơn Thành, Bù Đăng, Bù Đốp, Bù Gia Mập, Đồng Phú, "
                  "Hớn Quản, Lộc Ninh, Phú Riềng",
    "Lâm Đồng": "Đà Lạt, Bảo Lộc, Bảo Lâm, Cát Tiên, Di Linh, Đạ Huoai, Đạ Tẻh, Đam Rông, Đơn Dương, Đức Trọng, "
                "Lạc Dương, Lâm Hà",
    "Đắk Nông": "Gia Nghĩa, Cư Jút, Đắk Glong, Đắk Mil, Đắk R'lấp, Đắk Song, Krông Nô, Tuy Đức",
    "Bình Thuận": "Phan Thiết, La Gi, Tuy Phong, Bắc Bình, Hàm Thuận Bắc, Hàm Thuận Nam, Hàm Tân, Đức Linh, "
                  "Tánh Linh, Phú Quý",
    "Khánh Hòa": "Nha Trang, Cam Ranh, Ninh Hòa, Vạn Ninh, Diên Khánh, Khánh Vĩnh, Khánh Sơn, Cam Lâm, Trường Sa",
    "Ninh Thuận": "Phan Rang - Tháp Chàm, Phan Rang, Bác Ái, Ninh Hải, Ninh Phước, Ninh Sơn, Thuận Bắc, Thuận Nam",
    "Đắk Lắk": "Buôn Ma Thuột, Buôn Hồ, Buôn Đôn, Cư Kuin, Cư M'gar, Ea H'leo, Ea Kar, Ea Súp, Krông Ana, "
               "Krông Bông, Krông Búk, Krông Năng, Krông Pắc, Lắk, M'Đrắk",
    "Phú Yên": "Tuy Hòa, Sông Cầu, Đông Hòa, Đồng Xuân, Phú Hòa, Sơn Hòa, Sông Hinh, Tây Hòa, Tuy An",
    "Gia Lai": "Pleiku, An Khê, Ayun Pa, Chư Păh, Chư Prông, Chư Pưh, Chư Sê, Đak Đoa, Đak Pơ, Đức Cơ, Ia Grai, "
               "Ia Pa, Kbang, Kông Chro, Krông Pa, Mang Yang, Phú Thiện",
    "Bình Định": "Quy Nhơn, An Nhơn, Hoài Nhơn, An Lão, Hoài Ân, Phù Cát, Phù Mỹ, Tây Sơn, Tuy Phước, "
                 "Vân Canh, Vĩnh Thạnh",
    "Kon Tum": "Kon Tum, Đắk Glei, Đắk Hà, Đắk Tô, Ia H'Drai, Kon Plông, Kon Rẫy, Ngọc Hồi, Sa Thầy, Tu Mơ Rông",
    "Quảng Ngãi": "Quảng Ngãi, Đức Phổ, Ba Tơ, Bình Sơn, Lý Sơn, Minh Long, Mộ Đức, Nghĩa Hành, Sơn Hà, Sơn Tây, "
                  "Sơn Tịnh, Trà Bồng, Tư Nghĩa",
    "Quảng Nam": "Tam Kỳ, Hội An, Điện Bàn, Bắc Trà My, Nam Trà My, Đại Lộc, Duy Xuyên, Đông Giang, Tây Giang, "
                 "Nam Giang, Phước Sơn, Hiệp Đức, Nông Sơn, Núi Thành, Phú Ninh, Quế Sơn, Thăng Bình, Tiên Phước",
    "Quảng Trị": "Đông Hà, Cam Lộ, Cồn Cỏ, Đa Krông, Gio Linh, Hải Lăng, Hướng Hóa, Triệu Phong, Vĩnh Linh",
    "Quảng Bình": "Đồng Hới, Ba Đồn, Bố Trạch, Lệ Thủy, Minh Hóa, Quảng Ninh, Quảng Trạch, Tuyên Hóa",
    "Hà Tĩnh": "Hà Tĩnh, Hồng Lĩnh, Kỳ Anh, Cẩm Xuyên, Can Lộc, Đức Thọ, Hương Khê, Hương Sơn, Lộc Hà, "
               "Nghi Xuân, Thạch Hà, Vũ Quang",
    "Nghệ An": "Vinh, Cửa Lò, Hoàng Mai, Thái Hòa, Anh Sơn, Con Cuông, Diễn Châu, Đô Lương, Hưng Nguyên, Kỳ Sơn, "
               "Nam Đàn, Nghi Lộc, Nghĩa Đàn, Quế Phong, Quỳ Châu, Quỳ Hợp, Quỳnh Lưu, Tân Kỳ, Thanh Chương, "
               "Tương Dương, Yên Thành",
    "Thanh Hóa": "Thanh Hóa, Sầm Sơn, Bỉm Sơn, Nghi Sơn, Tĩnh Gia, Bá Thước, Cẩm Thủy, Đông Sơn, Hà Trung, "
                 "Hậu Lộc, Hoằng Hóa, Lang Chánh, Mường Lát, Nga Sơn, Ngọc Lặc, Như Thanh, Như Xuân, Nông Cống, "
                 "Quan Hóa, Quan Sơn, Quảng Xương, Thạch Thành, Thiệu Hóa, Thọ Xuân, Thường Xuân, Triệu Sơn, "
                 "Vĩnh Lộc, Yên Định",
    "Ninh Bình": "Ninh Bình, Tam Điệp, Gia Viễn, Hoa Lư, Kim Sơn, Nho Quan, Yên Khánh, Yên Mô",
    "Nam Định": "Nam Định, Giao Thủy, Hải Hậu, Mỹ Lộc, Nam Trực, Nghĩa Hưng, Trực Ninh, Vụ Bản, Xuân Trường, Ý Yên",
    "Hà Nam": "Phủ Lý, Duy Tiên, Kim Bảng, Bình Lục, Lý Nhân, Thanh Liêm",
    "Thái Bình": "Thái Bình, Đông Hưng, Hưng Hà, Kiến Xương, Quỳnh Phụ, Thái Thụy, Tiền Hải, Vũ Thư",
    "Hưng Yên": "Hưng Yên, Mỹ Hào, Ân Thi, Khoái Châu, Kim Động, Phù Cừ, Tiên Lữ, Văn Giang, Văn Lâm, Yên Mỹ",
    "Hải Dương": "Hải Dương, Chí Linh, Kinh Môn, Bình Giang, Cẩm Giàng, Gia Lộc, Kim Thành, Nam Sách, Ninh Giang, "
                 "Thanh Hà, Thanh Miện, Tứ Kỳ",
    "Bắc Ninh": "Bắc Ninh, Từ Sơn, Thuận Thành, Quế Võ, Gia Bình, Lương Tài, Tiên Du, Yên Phong",
    "Bắc Giang": "Bắc Giang, Việt Yên, Hiệp Hòa, Lạng Giang, Lục Nam, Lục Ngạn, Sơn Động, Tân Yên, Yên Dũng, "
                 "Yên Thế, Chũ",
    "Quảng Ninh": "Hạ Long, Móng Cái, Cẩm Phả, Uông Bí, Đông Triều, Quảng Yên, Ba Chẽ, Bình Liêu, Cô Tô, Đầm Hà, "
                  "Hải Hà, Tiên Yên, Vân Đồn",
    "Vĩnh Phúc": "Vĩnh Yên, Phúc Yên, Bình Xuyên, Lập Thạch, Sông Lô, Tam Dương, Tam Đảo, Vĩnh Tường, Yên Lạc",
    "Phú Thọ": "Việt Trì, Phú Thọ, Cẩm Khê, Đoan Hùng, Hạ Hòa, Lâm Thao, Phù Ninh, Tam Nông, Tân Sơn, Thanh Ba, "
               "Thanh Sơn, Thanh Thủy, Yên Lập",
    "Hòa Bình": "Hòa Bình, Cao Phong, Đà Bắc, Kim Bôi, Lạc Sơn, Lạc Thủy, Lương Sơn, Mai Châu, Tân Lạc, Yên Thủy",
    "Thái Nguyên": "Thái Nguyên, Sông Công, Phổ Yên, Đại Từ, Định Hóa, Đồng Hỷ, Phú Bình, Phú Lương, Võ Nhai",
    "Bắc Kạn": "Bắc Kạn, Ba Bể, Bạch Thông, Chợ Đồn, Chợ Mới, Na Rì, Ngân Sơn, Pác Nặm",
    "Cao Bằng": "Cao Bằng, Bảo Lạc, Bảo Lâm, Hạ Lang, Hà Quảng, Hòa An, Nguyên Bình, Quảng Hòa, Thạch An, "
                "Trùng Khánh",
    "Lạng Sơn": "Lạng Sơn, Bắc Sơn, Bình Gia, Cao Lộc, Chi Lăng, Đình Lập, Hữu Lũng, Lộc Bình, Tràng Định, "
                "Văn Lãng, Văn Quan",
    "Tuyên Quang": "Tuyên Quang, Chiêm Hóa, Hàm Yên, Lâm Bình, Na Hang, Sơn Dương, Yên Sơn",
    "Hà Giang": "Hà Giang, Bắc Mê, Bắc Quang, Đồng Văn, Hoàng Su Phì, Mèo Vạc, Quản Bạ, Quang Bình, Vị Xuyên, "
                "Xín Mần, Yên Minh",
    "Lào Cai": "Lào Cai, Sa Pa, Bắc Hà, Bảo Thắng, Bảo Yên, Bát Xát, Mường Khương, Si Ma Cai, Văn Bàn",
    "Yên Bái": "Yên Bái, Nghĩa Lộ, Lục Yên, Mù Cang Chải, Trạm Tấu, Trấn Yên, Văn Chấn, Văn Yên, Yên Bình",
    "Lai Châu": "Lai Châu, Mường Tè, Nậm Nhùn, Phong Thổ, Sìn Hồ, Tam Đường, Tân Uyên, Than Uyên",
    "Điện Biên": "Điện Biên Phủ, Mường Lay, Điện Biên, Điện Biên Đông, Mường Ảng, Mường Chà, Mường Nhé, Nậm Pồ, "
                 "Tủa Chùa, Tuần Giáo",
    "Sơn La": "Sơn La, Bắc Yên, Mai Sơn, Mộc Châu, Mường La, Phù Yên, Quỳnh Nhai, Sông Mã, Sốp Cộp, Thuận Châu, "
              "Vân Hồ, Yên Châu",
}

# Same district name in two provinces, told apart by the unit word in front of it.
_PREFIX_OVERRIDES: dict[str, dict[str, str]] = {
    "binh tan": {"quan": "Hồ Chí Minh", "huyen": "Vĩnh Long"},
    "tan phu": {"quan": "Hồ Chí Minh", "huyen": "Đồng Nai"},
    "tan uyen": {"thanh pho": "Bình Dương", "thi xa": "Bình Dương", "huyen": "Lai Châu"},
    "phuoc long": {"thi xa": "Bình Phước", "huyen": "Bạc Liêu"},
    "son tay": {"thi xa": "Hà Nội", "huyen": "Quảng Ngãi"},
    "hoang mai": {"quan": "Hà Nội", "thi xa": "Nghệ An"},
    "tan chau": {"thi xa": "An Giang", "huyen": "Tây Ninh"},
    "hoa binh": {"thanh pho": "Hòa Bình", "huyen": "Bạc Liêu"},
    "phong dien": {"thi xa": "Thừa Thiên Huế"},
    "phu my": {"thanh pho": "Bà Rịa - Vũng Tàu", "thi xa": "Bà Rịa - Vũng Tàu"},
    "thanh hoa": {"thanh pho": "Thanh Hóa", "huyen": "Long An"},
}
# Ambiguous names resolved this way when nothing else in the text tells (the frequent case on dgts).
_AMBIGUOUS_DEFAULTS: dict[str, str] = {"vinh thanh": "Cần Thơ", "phong dien": "Cần Thơ"}

_PREFIX_CLASS = {
    "huyen": "huyen", "h": "huyen",
    "quan": "quan", "q": "quan",
    "thi xa": "thi xa", "tx": "thi xa",
    "thanh pho": "thanh pho", "tp": "thanh pho", "hanh pho": "thanh pho", "thanh pho thuoc tinh": "thanh pho",
    "tinh": "tinh",
}
PREFIX_DISPLAY = {"huyen": "huyện", "quan": "quận", "thi xa": "thị xã", "thanh pho": "thành phố", "tinh": "tỉnh"}


_WS_RE = re.compile(r"\s+")
_NON_WORD_RE = re.compile(r"[^0-9a-z]+")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def slugify(text: str) -> str:
    """ASCII slug of a Vietnamese name: 'Cư M'gar' -> 'cu-m-gar'."""
    return fold_words(text).replace(" ", "-")


_SEP = r"[\s.\-']+"


def _alias_variants(name: str) -> set[str]:
    base = fold_words(name)
    out = {base}
    if "'" in fold_index(_nfc(name)):
        # "Cư M'gar" is also written "Cư Mgar"
        folded = _WS_RE.sub(" ", fold_index(_nfc(name)).replace("-", " ")).strip()
        out.add(_NON_WORD_RE.sub(" ", folded.replace("'", "")).strip())
    return {v for v in out if v}


def regex_from_aliases(aliases: Iterable[str]) -> str:
    """A regex alternation of space-separated aliases, shaped as a trie so it stays fast with hundreds of names.

    Words are joined by any run of spaces, dots, dashes or apostrophes; callers add the word boundaries."""
    trie: dict = {}
    for alias in aliases:
        node = trie
        for tok in alias.split():
            node = node.setdefault(tok, {})
        node[""] = {}

    def tail(node: dict) -> str:
        children = sorted((t for t in node if t), key=lambda t: (-len(t), t))
        if not children:
            return ""
        group = f"(?:{_SEP}(?:" + "|".join(re.escape(t) + tail(node[t]) for t in children) + "))"
        return group + "?" if "" in node else group

    roots = sorted((t for t in trie if t), key=lambda t: (-len(t), t))
    return "(?:" + "|".join(re.escape(t) + tail(trie[t]) for t in roots) + ")"


# ---- alias tables -----------------------------------------------------------------------------------------

_PROVINCE_ALIAS: dict[str, OldProvince] = {}
_BARE_ALIASES: set[str] = set()
for _old in OLD_PROVINCES:
    for _variant in _alias_variants(_old.name) | set(_EXTRA_ALIASES.get(_old.name, ())):
        _PROVINCE_ALIAS[_variant] = _old
        if _variant not in _PREFIX_ONLY:
            _BARE_ALIASES.add(_variant)

_DISTRICT_INDEX: dict[str, tuple[District, ...]] = {}
for _old_name, _names in _DISTRICT_LISTS.items():
    _old = _OLD_BY_NAME[_old_name]
    for _dname in (n.strip() for n in _names.split(",")):
        _district = District(_dname, _old)
        for _variant in _alias_variants(_dname):
            _DISTRICT_INDEX[_variant] = _DISTRICT_INDEX.get(_variant, ()) + (_district,)
# spellings that diacritic folding does not unify
for _variant, _known in (("krong pak", "krong pac"), ("k bang", "kbang"), ("ayunpa", "ayun pa"),
                         ("da te", "da teh"), ("bac can", "bac kan"), ("thu dau 1", "thu dau mot")):
    _DISTRICT_INDEX.setdefault(_variant, _DISTRICT_INDEX[_known])

_PROVINCE_PREFIX = r"(?P<ppre>tinh|t?hanh\s+pho|tp)"
_DISTRICT_PREFIX = r"(?P<dpre>huyen|quan|thi\s+xa|t?hanh\s+pho|tp|q(?=\s*\.)|h(?=\s*\.)|tx)"

PROVINCE_ALIAS_RE = regex_from_aliases(_PROVINCE_ALIAS)
# The official names alone, old and new (and "TPHCM"): what an address may end with, bare, after a comma.
PROVINCE_NAME_RE = regex_from_aliases({fold_words(o.name) for o in OLD_PROVINCES} | {fold_words(p.name) for p in PROVINCES}
                                      | {"tphcm", "tp hcm"})
DISTRICT_ALIAS_RE = regex_from_aliases(_DISTRICT_INDEX)
_EXPLICIT_RE = re.compile(
    rf"\b{_PROVINCE_PREFIX}\b[\s.]*(?P<name>{PROVINCE_ALIAS_RE})\b|\b(?P<tphcm>tphcm)\b"
)
_DISTRICT_RE = re.compile(rf"\b{_DISTRICT_PREFIX}[\s.]*(?P<name>{DISTRICT_ALIAS_RE})\b")
_BARE_RE = re.compile(rf"\b(?P<name>{regex_from_aliases(_BARE_ALIASES)})\b")
# "Thái Bình Dương" (Pacific) contains both "Thái Bình" and "Bình Dương".
_FALSE_FRIENDS_RE = re.compile(r"\bthai\s+binh\s+duong\b")
_PROVINCE_EXACT_RE = re.compile(rf"(?:{_PROVINCE_PREFIX}[\s.]*)?(?P<name>{PROVINCE_ALIAS_RE})(?![0-9a-z])")


def _alias_key(matched: str) -> str:
    return _NON_WORD_RE.sub(" ", matched).strip()


def _prefix_class(matched: str | None) -> str | None:
    if not matched:
        return None
    return _PREFIX_CLASS.get(_WS_RE.sub(" ", matched.strip(" .")))


# ---- public lookups ---------------------------------------------------------------------------------------

def province_aliases() -> Mapping[str, OldProvince]:
    """Every known spelling of a pre-2025 province as folded words ("ba ria vung tau", "brvt", "tphcm", "hue")."""
    return MappingProxyType(_PROVINCE_ALIAS)


def province_by_code(code: str) -> Province:
    """The province with this stable code (e.g. 'tp-ho-chi-minh'); KeyError if unknown."""
    return _BY_CODE[code]


def old_province_by_name(name: str) -> OldProvince | None:
    """Exact old (pre-2025) province by display name, e.g. 'Trà Vinh'."""
    return _OLD_BY_NAME.get(name)


@lru_cache(maxsize=4096)
def normalize_old_province_name(name: str) -> OldProvince | None:
    """Map a province name as written ('Tỉnh Bà Rịa–Vũng Tàu', 'TPHCM', 'Đăk Lăk') to the pre-2025 province."""
    words = fold_words(name[:200])
    words = re.sub(r"^(?:tinh|thanh pho|tp)\s+", "", words)
    return _PROVINCE_ALIAS.get(words)


@lru_cache(maxsize=4096)
def normalize_province_name(name: str) -> Province | None:
    """Map a province name as written (old or new, any spelling) or a province code to the new Province."""
    if name in _BY_CODE:
        return _BY_CODE[name]
    old = normalize_old_province_name(name)
    return old.province if old else None


def district_candidates(name: str) -> tuple[District, ...]:
    """All pre-2025 districts with this name (folded), e.g. 'Châu Thành' -> ten of them."""
    return _DISTRICT_INDEX.get(fold_words(name), ())


_OLD_TONE_RE = re.compile("o[àáảãạ]|o[èéẻẽẹ]|u[ỳýỷỹỵ]")
_TONE_MOVE = {"o": {"à": "òa", "á": "óa", "ả": "ỏa", "ã": "õa", "ạ": "ọa",
                    "è": "òe", "é": "óe", "ẻ": "ỏe", "ẽ": "õe", "ẹ": "ọe"},
              "u": {"ỳ": "ùy", "ý": "úy", "ỷ": "ủy", "ỹ": "ũy", "ỵ": "ụy"}}


def _spelling(text: str) -> str:
    """Lower-case spelling with diacritics, tone mark placed on the first vowel ("hoà" -> "hòa")."""
    low = _WS_RE.sub(" ", _nfc(text).lower().replace("'", "").replace("\u2019", "")).strip()
    return _OLD_TONE_RE.sub(lambda m: _TONE_MOVE[m.group(0)[0]][m.group(0)[1]], low)


def _resolve(key: str, prefix_class: str | None, hints: frozenset[str],
             written: str | None = None) -> tuple[District | None, Province | None]:
    candidates = _DISTRICT_INDEX.get(key, ())
    if not candidates:
        return None, None
    if len(candidates) > 1 and prefix_class:
        by_prefix = _PREFIX_OVERRIDES.get(key, {}).get(prefix_class)
        if by_prefix:
            candidates = tuple(c for c in candidates if c.old_province.name == by_prefix)
    if len(candidates) > 1 and written:
        # "Phú Mỹ" vs "Phù Mỹ", "Thanh Trì" vs "Thạnh Trị" differ only in diacritics
        spelled = _spelling(written)
        exact = tuple(c for c in candidates if _spelling(c.name) == spelled)
        if exact:
            candidates = exact
    if len(candidates) > 1 and hints:
        # an old province named nearby is more precise than a new one (Châu Thành of Tiền Giang, not Đồng Tháp)
        hinted = tuple(c for c in candidates if c.old_province.name in hints) or tuple(
            c for c in candidates if c.old_province.new_code in hints)
        if hinted:
            candidates = hinted
    if len(candidates) == 1:
        return candidates[0], candidates[0].province
    default = _AMBIGUOUS_DEFAULTS.get(key)
    if default and not hints:
        chosen = next((c for c in candidates if c.old_province.name == default), None)
        if chosen:
            return chosen, chosen.province
    new_codes = {c.old_province.new_code for c in candidates}
    if len(new_codes) == 1:
        return None, candidates[0].province
    return None, None


def resolve_district(name: str, prefix: str | None = None, hints: Iterable[str] = ()) -> District | None:
    """The district called `name` ('Cư M'gar'); `prefix` ('huyện', 'quận', 'thị xã', 'thành phố') and
    `hints` (new province codes or old province names seen nearby) break ties between same-named districts."""
    district, _ = _resolve(fold_words(name), _prefix_class(fold_words(prefix) if prefix else None), frozenset(hints), name)
    return district


@dataclass(frozen=True, slots=True)
class _Located:
    province: Province | None
    old_province: OldProvince | None
    district: District | None


@lru_cache(maxsize=65536)
def _locate(text: str, hints: frozenset[str] = frozenset()) -> _Located:
    nfc = _nfc(text[:MAX_TEXT_CHARS])
    folded = fold_index(nfc)
    folded = _FALSE_FRIENDS_RE.sub(lambda m: " " * len(m.group(0)), folded)
    explicit = None
    for m in _EXPLICIT_RE.finditer(folded):
        explicit = m
    if explicit is not None:
        old = _PROVINCE_ALIAS["tphcm" if explicit.group("tphcm") else _alias_key(explicit.group("name"))]
        return _Located(old.province, old, None)
    bare = [_PROVINCE_ALIAS[_alias_key(m.group("name"))] for m in _BARE_RE.finditer(folded)]
    all_hints = hints | {o.new_code for o in bare} | {o.name for o in bare}
    for m in reversed(list(_DISTRICT_RE.finditer(folded))):
        district, province = _resolve(_alias_key(m.group("name")), _prefix_class(m.group("dpre")), all_hints,
                                      nfc[m.start("name"):m.end("name")])
        if province is not None:
            return _Located(province, district.old_province if district else None, district)
    if bare:
        return _Located(bare[-1].province, bare[-1], None)
    return _Located(None, None, None)


def find_province(text: str, hints: Iterable[str] = ()) -> Province | None:
    """The (new) province named in free text such as an address or an owner name.

    Order of preference: the last explicit "tỉnh/thành phố/TP X"; else the last "huyện/quận/thị xã/thành phố Y"
    that is a known pre-2025 district; else the last bare province name. Old names map to the new province.
    `hints` (new province codes or old province names) break ties between same-named districts."""
    if not text:
        return None
    return _locate(text, frozenset(hints)).province


def find_old_province(text: str, hints: Iterable[str] = ()) -> OldProvince | None:
    """Like find_province but returns the pre-2025 province when the text identifies one."""
    if not text:
        return None
    return _locate(text, frozenset(hints)).old_province


def find_district(text: str, hints: Iterable[str] = ()) -> District | None:
    """The last pre-2025 district named with its unit word ('huyện Cái Bè', 'Q. Ninh Kiều') in free text."""
    if not text:
        return None
    nfc = _nfc(text[:MAX_TEXT_CHARS])
    folded = fold_index(nfc)
    bare = {_PROVINCE_ALIAS[_alias_key(m.group("name"))] for m in _BARE_RE.finditer(folded)}
    bare |= {_PROVINCE_ALIAS["tphcm" if m.group("tphcm") else _alias_key(m.group("name"))]
             for m in _EXPLICIT_RE.finditer(folded)}
    all_hints = frozenset(hints) | {o.new_code for o in bare} | {o.name for o in bare}
    for m in reversed(list(_DISTRICT_RE.finditer(folded))):
        district, _ = _resolve(_alias_key(m.group("name")), _prefix_class(m.group("dpre")), all_hints,
                               nfc[m.start("name"):m.end("name")])
        if district is not None:
            return district
    return None


# Exposed for vntext.names, which parses office names with the same alias tables.
def match_province_at(folded: str, pos: int, allow_prefix: bool = True) -> tuple[OldProvince, int] | None:
    """Match a province alias (optionally preceded by tỉnh/thành phố/TP) starting exactly at `pos`
    in a fold_index() string; returns the old province and the end offset."""
    m = _PROVINCE_EXACT_RE.match(folded, pos)
    if not m or (m.group("ppre") and not allow_prefix):
        return None
    end = m.end("name")
    return _PROVINCE_ALIAS[_alias_key(m.group("name"))], end


_DISTRICT_NAME_AT_RE = re.compile(rf"(?P<name>{DISTRICT_ALIAS_RE})(?![0-9a-z])")


def match_district_at(folded: str, pos: int) -> tuple[str, int] | None:
    """Match a district alias starting exactly at `pos`; returns its folded key and end offset."""
    m = _DISTRICT_NAME_AT_RE.match(folded, pos)
    if not m:
        return None
    end = m.end()
    return _alias_key(m.group("name")), end


def resolve_district_key(key: str, prefix_class: str | None, hints: frozenset[str],
                         written: str | None = None) -> tuple[District | None, Province | None]:
    """_resolve for callers holding an already folded key and prefix class (`written`: the name as written)."""
    return _resolve(key, prefix_class, hints, written)


def prefix_class(matched: str | None) -> str | None:
    """Canonical unit word ('huyen', 'quan', 'thi xa', 'thanh pho', 'tinh') for a folded prefix match."""
    return _prefix_class(matched)
