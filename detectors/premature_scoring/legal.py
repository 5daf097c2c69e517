"""The rules' names, Vietnamese titles and legal bases, and how ``short_window`` counts the notice period."""

from __future__ import annotations

RULES = ("result_before_window_end", "auction_notice_before_window_end", "short_window", "rushed_result",
         "result_without_notice", "window_changed_after_publication")

PROGRAMME_2024 = ("Chương trình hành động năm 2024 của hệ thống THADS: \"Nghiêm cấm việc chưa hết thời gian thông báo "
                  "công khai lựa chọn tổ chức đấu giá … mà đã thực hiện việc chấm điểm\"")
LEGAL_BASIS = {
    "result_before_window_end": "Thông tư 02/2022/TT-BTP Điều 5 k2, k8 (chấm điểm trên hồ sơ đã nộp, sau khi hết hạn "
                                "nộp hồ sơ); " + PROGRAMME_2024 + ".",
    "auction_notice_before_window_end": "Thông tư 02/2022/TT-BTP Điều 4–5; Luật Đấu giá tài sản Điều 56; "
                                        + PROGRAMME_2024 + ".",
    "short_window": "Thông tư 02/2022/TT-BTP Điều 4 k2 (thông báo công khai ít nhất 03 ngày làm việc trước ngày quyết "
                    "định lựa chọn); Bộ luật Dân sự 2015 Điều 147–148 (cách tính thời hạn); " + PROGRAMME_2024 + ".",
    "rushed_result": "Thông tư 02/2022/TT-BTP Điều 5 (chấm điểm toàn bộ hồ sơ đã nộp) và Điều 6 k1 (công khai kết "
                     "quả); " + PROGRAMME_2024 + ".",
    "result_without_notice": "Luật Đấu giá tài sản Điều 56 k2; Thông tư 02/2022/TT-BTP Điều 4 k2 (thông báo công khai "
                             "việc lựa chọn trên Cổng thông tin điện tử quốc gia về đấu giá tài sản) và Điều 6.",
    "window_changed_after_publication": "Thông tư 02/2022/TT-BTP Điều 4 k2; " + PROGRAMME_2024 + ".",
}
TITLES = {
    "result_before_window_end": "Kết quả lựa chọn tổ chức đấu giá được công bố hoặc chấm điểm trước khi hết thời hạn "
                                "nhận hồ sơ",
    "auction_notice_before_window_end": "Tổ chức đấu giá được lựa chọn đã đăng thông báo đấu giá tài sản trước khi hết "
                                        "thời hạn nhận hồ sơ lựa chọn",
    "short_window": "Thời gian thông báo công khai lựa chọn tổ chức đấu giá ngắn hơn mức tối thiểu",
    "rushed_result": "Kết quả lựa chọn tổ chức đấu giá được công bố rất sớm sau khi hết thời hạn nhận hồ sơ",
    "result_without_notice": "Kết quả lựa chọn tổ chức đấu giá không có thông báo lựa chọn công khai tương ứng",
    "window_changed_after_publication": "Thời hạn nhận hồ sơ của thông báo lựa chọn tổ chức đấu giá bị thay đổi sau "
                                        "khi đăng",
}
INSUFFICIENT_PREFIX = "Chưa đủ dữ liệu để kiểm tra: "
SHORT_WINDOW_NOTE = (
    "TT 02/2022 Điều 4 k2: the notice must be public at least N working days before the selection decision date. "
    "With a known decision date we count the working days after the publication day and before the decision day. "
    "Without one we count the working days after the publication day up to and including the window end: scoring "
    "may lawfully start only after the window closes, so this is the longest notice period a decision on the first "
    "lawful day would have. The publication day itself is not counted (BLDS Điều 147)."
)
