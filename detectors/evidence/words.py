"""Vietnamese words for codes several detectors' evidence shares: text sources, attachment states, notice kinds."""

from __future__ import annotations

from detectors.evidence.fields import Phrases

# vntext.parcels names the text a fact was read from: a lot's own fields, the notice's name, an attachment.
_ONE_SOURCE = Phrases({
    "name": "tên tài sản", "place": "nơi có tài sản", "quality": "chất lượng, hiện trạng", "detail": "mô tả chi tiết",
    "amount": "số lượng", "notice_name": "tên thông báo", "attachment:{file}": "tệp đính kèm «{file}»",
})
TEXT_SOURCES = Phrases({
    **_ONE_SOURCE.entries,
    "{a:one}+{b:one}": "{a} và {b}",
    "{a:one}+{b:one}+{c:one}": "{a}, {b} và {c}",
}, {"one": _ONE_SOURCE})

# storage.models: Attachment.text_status
TEXT_STATUS = Phrases({
    "pending": "chưa xử lý", "partial": "chỉ đọc được một phần", "failed": "không đọc được",
    "skipped": "không tải về", "too_large": "quá lớn, không tải", "timeout": "quá thời gian đọc",
    "unsupported": "định dạng không đọc được", "empty": "không có chữ", "ok": "đã đọc", "ocr": "đã nhận dạng chữ",
})
# "<file name> (<status>)": an attachment whose text could not be read to the end
UNREAD_ATTACHMENT = Phrases({"{file} ({status:status})": "{file} ({status})"}, {"status": TEXT_STATUS})

NOTICE_KINDS = Phrases({
    "selection_notice": "thông báo lựa chọn tổ chức đấu giá (Cổng đấu giá)",
    "selection_result": "kết quả lựa chọn tổ chức đấu giá (Cổng đấu giá)",
    "auction_notice": "thông báo đấu giá (Cổng đấu giá)",
    "thads_notice": "thông báo trên trang thi hành án dân sự",
})

SEVERITY = Phrases({"low": "thấp", "medium": "trung bình", "high": "cao"})

# vntext.parcels.FIELDS
PARCEL_FIELDS = Phrases({
    "parcel_no": "số thửa", "map_sheet": "số tờ bản đồ", "area_m2": "diện tích", "location": "vị trí/địa chỉ",
    "certificate": "số giấy chứng nhận", "land_use_purpose": "mục đích sử dụng", "use_term": "thời hạn sử dụng",
})

# Why vntext.parcels calls a lot land, or real estate (asset_class), or neither.
_QUOTED = "«{signal}»"
CLASS_REASONS = Phrases({
    "property type {n:num} (quyền sử dụng đất)": "loại tài sản trên Cổng là quyền sử dụng đất",
    "property type name: {name}": "loại tài sản trên Cổng: «{name}»",
    "text ({source:source}): '{signal}'": "{source} có " + _QUOTED,
    "land ({source:source}): '{signal}'": "đất: {source} có " + _QUOTED,
    "building ({source:source}): '{signal}'": "công trình xây dựng: {source} có " + _QUOTED,
    "debt sale ('{signal}' in {source:source}): land, if any, is only collateral":
        "bán khoản nợ (" + _QUOTED + " trong {source}): đất, nếu có, chỉ là tài sản bảo đảm",
    "debt sale ('{signal}' in {source:source})": "bán khoản nợ (" + _QUOTED + " trong {source})",
    "building on leased land ('{signal}' in {source:source}): no land-use right is sold":
        "công trình trên đất thuê (" + _QUOTED + " trong {source}): không bán quyền sử dụng đất",
    "non-land asset ({source:source}): '{signal}'": "không phải đất: {source} có " + _QUOTED,
    "non-real-estate asset ({source:source}): '{signal}'": "không phải bất động sản: {source} có " + _QUOTED,
    "no land signal in the texts": "văn bản không cho thấy đây là đất",
    "no land or building in the texts": "văn bản không có đất hoặc công trình xây dựng",
}, {"source": TEXT_SOURCES})
