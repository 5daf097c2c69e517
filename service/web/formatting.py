"""Vietnamese display of the review site: dates dd/mm/yyyy, money "1.234.000 đ", labels, links to the portals."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from alerts.compose import DETECTOR_LABELS, SEVERITY_LABELS, STATUS_LABELS
from alerts.presentation import format_money, rule_label
from storage.kinds import NoticeKind, RecordKind
from storage.timeutil import to_local

VERDICT_LABELS = {"confirmed": "Xác nhận vi phạm", "false_positive": "Báo động sai",
                  "needs_more_info": "Cần thêm thông tin"}
EVENT_LABELS = {
    "NEW": "Xuất hiện lần đầu", "CHANGED": "Nội dung thay đổi", "SECOND_PUBLICATION": "Đăng lần hai",
    "CORRECTION": "Đính chính", "WINDOW_CHANGED": "Thời hạn thay đổi", "DELISTED": "Không còn trong danh sách",
    "REMOVAL_PENDING": "Chờ xác nhận gỡ bỏ", "REMOVED": "Đã bị gỡ bỏ", "REAPPEARED": "Xuất hiện lại",
    "CHECK_FAILED": "Không kiểm tra được",
}
RECORD_KIND_LABELS = {
    RecordKind.DGTS_SELECTION_NOTICE: "Thông báo lựa chọn tổ chức đấu giá (dgts)",
    RecordKind.DGTS_SELECTION_RESULT: "Kết quả lựa chọn tổ chức đấu giá (dgts)",
    RecordKind.DGTS_AUCTION_NOTICE: "Thông báo đấu giá (dgts)",
    RecordKind.THADS_NOTICE: "Thông báo trên trang THADS",
}
RECORD_STATUS_LABELS = {"active": "Đang đăng", "delisted": "Không còn trong danh sách",
                        "removal_pending": "Chờ xác nhận gỡ bỏ", "removed": "Đã bị gỡ bỏ"}
SUBJECT_KIND_LABELS = {
    NoticeKind.SELECTION_NOTICE: "Thông báo lựa chọn", NoticeKind.SELECTION_RESULT: "Kết quả lựa chọn",
    NoticeKind.AUCTION_NOTICE: "Thông báo đấu giá", NoticeKind.THADS_NOTICE: "Thông báo THADS",
    "lot": "Lô tài sản",
    "chain": "Chuỗi đấu giá lại", "owner": "Người có tài sản", "organisation": "Tổ chức đấu giá",
}
TEXT_STATUS_LABELS = {"ok": "đã trích văn bản", "ocr": "đã nhận dạng chữ (OCR)", "failed": "không đọc được",
                      "skipped": "không tải", "pending": "chưa xử lý", "empty": "không có chữ",
                      "too_large": "quá lớn", "timeout": "quá thời gian", "unsupported": "định dạng không hỗ trợ"}


def endpoint_label(endpoint: str | None) -> str:
    """What a stored response was: the list page, a detail, a file, or another API answer."""
    e = (endpoint or "").lower()
    if e.endswith("_list") or e.endswith(".list"):
        return "Trang danh sách"
    if e.endswith(("file", "attachment")):
        return "Tệp đính kèm"
    if "detail" in e:
        return "Trang/phản hồi chi tiết"
    return "Phản hồi của cổng thông tin"


def dmy(value: date | datetime | None) -> str:
    """dd/mm/yyyy for a day, dd/mm/yyyy HH:MM (Vietnam time) for a moment, "—" when unknown."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return to_local(value).strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


def money(value: Any) -> str:
    return "—" if value is None else format_money(value)


def size_label(n: int | None) -> str:
    if n is None:
        return "—"
    if n < 1024:
        return f"{n} byte"
    kb = n / 1024
    return f"{kb:,.1f} KB".replace(",", " ").replace(".", ",") if kb < 1024 else \
        f"{kb / 1024:,.1f} MB".replace(",", " ").replace(".", ",")


def province_label(code: str | None) -> str:
    if not code or code == "-":
        return "Chưa xác định"
    from vntext.provinces import province_by_code

    try:
        return province_by_code(code).name
    except (KeyError, LookupError, ValueError):
        return code


def register(app) -> None:
    """Make the helpers available to the templates as filters and globals."""
    app.jinja_env.filters.update(dmy=dmy, money=money, size=size_label, province=province_label,
                                 rule_label=rule_label, endpoint=endpoint_label)
    app.jinja_env.globals.update(
        SEVERITY_LABELS=SEVERITY_LABELS, STATUS_LABELS=STATUS_LABELS, DETECTOR_LABELS=DETECTOR_LABELS,
        VERDICT_LABELS=VERDICT_LABELS, EVENT_LABELS=EVENT_LABELS, RECORD_KIND_LABELS=RECORD_KIND_LABELS,
        RECORD_STATUS_LABELS=RECORD_STATUS_LABELS, SUBJECT_KIND_LABELS=SUBJECT_KIND_LABELS,
        TEXT_STATUS_LABELS=TEXT_STATUS_LABELS, rule_label=rule_label, province_label=province_label)
