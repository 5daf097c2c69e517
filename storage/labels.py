"""Vietnamese names of the detectors' rules, shared by the e-mails, the review site and the analyst notebooks."""

from __future__ import annotations

RULE_LABELS_VI: dict[str, str] = {
    "result_before_window_end": "Kết quả / chấm điểm trước khi hết hạn nhận hồ sơ",
    "auction_notice_before_window_end": "Thông báo đấu giá trước khi hết hạn nhận hồ sơ lựa chọn",
    "short_window": "Thời gian thông báo lựa chọn quá ngắn",
    "rushed_result": "Kết quả công bố quá sớm sau khi hết hạn",
    "result_without_notice": "Kết quả không có thông báo lựa chọn",
    "window_changed_after_publication": "Thời hạn nhận hồ sơ bị sửa sau khi đăng",
    "missing_parcel_fields": "Thiếu thông tin thửa đất",
    "repeat_selection": "Một tổ chức được chọn lặp lại",
    "rotation": "Các tổ chức luân phiên được chọn",
    "exclusionary_terms": "Điều kiện hạn chế người tham gia",
    "relist_chain": "Đấu giá lại nhiều lần, giá giảm dần",
    "anomaly_rank": "Thông báo có đặc điểm bất thường",
    "outcome_signals": "Dấu hiệu từ kết quả đấu giá",
    "implausible_portal_value": "Giá trị trên Cổng không hợp lý (có thể nhập sai)",
}
SEVERITY_LABELS_VI: dict[str, str] = {"low": "thấp", "medium": "trung bình", "high": "cao"}
VERDICT_LABELS_VI: dict[str, str] = {"confirmed": "xác nhận vi phạm", "false_positive": "báo động sai",
                                     "needs_more_info": "cần thêm thông tin"}


def rule_label(rule: str) -> str:
    """The Vietnamese name of a detector rule (the rule's words when it has none yet)."""
    return RULE_LABELS_VI.get(rule) or rule.replace("_", " ")
