"""Notice classification: title first, body head second; result beats selection, valuation beats auction."""

from __future__ import annotations

import pytest

from crawler.parsers.thads import NoticeCategory, classify_notice

SEL = NoticeCategory.SELECTION_AUCTION_ORG
RES = NoticeCategory.SELECTION_RESULT
VAL = NoticeCategory.SELECTION_VALUATION_ORG
AUC = NoticeCategory.AUCTION_NOTICE
OTH = NoticeCategory.OTHER

TITLES = [
    ("Thông báo về việc lựa chọn tổ chức đấu giá tài sản", SEL),
    ("THÔNG BÁO LỰA CHỌN TỔ CHỨC HÀNH NGHỀ ĐẤU GIÁ TÀI SẢN", SEL),
    ("Thông báo số 123/TB-THADS ngày 05/6/2026 về việc lựa chọn tổ chức đấu giá tài sản", SEL),
    ("Lựa chọn đơn vị đấu giá tài sản là quyền sử dụng đất của ông Nguyễn Văn A", SEL),
    ("Chi cục THADS huyện Vạn Ninh thông báo lựa chọn tổ chức đấu giá", SEL),
    ("Thong bao ve viec lua chon to chuc dau gia tai san", SEL),
    ("Thông báo kết quả lựa chọn tổ chức đấu giá tài sản", RES),
    ("Kết quả lựa chọn tổ chức hành nghề đấu giá tài sản (Thông báo số 40/TB-CCTHADS)", RES),
    ("Thông báo kết quả lựa chọn đơn vị đấu giá", RES),
    ("Thông báo lựa chọn tổ chức thẩm định giá tài sản", VAL),
    ("Thông báo về việc lựa chọn tổ chức thẩm định giá tài sản để bán đấu giá", VAL),
    ("Thông báo tìm tổ chức định giá tài sản thi hành án", VAL),
    ("Thông báo về việc thẩm định giá tài sản", VAL),
    ("Thông báo kết quả lựa chọn tổ chức thẩm định giá", VAL),
    ("Thông báo về việc bán đấu giá tài sản", AUC),
    ("Thông báo công khai việc đấu giá tài sản lần 2", AUC),
    ("Thông báo việc đấu giá đối với danh mục tài sản: ", AUC),
    ("Đấu giá quyền sử dụng đất tại xã Ea Kiết", AUC),
    # Real thads.moj.gov.vn titles (thads-portal.md §10): guidance and news that only talk about these notices.
    ("(Phần 3) Một số nội dung liên quan đến thông báo kết quả lựa chọn Tổ chức đấu giá tài sản trên Cổng Thông "
     "tin điện tử quốc gia về đấu giá tài sản", OTH),
    ("Tổng cục Thi hành án dân sự chỉ đạo, hướng dẫn liên quan đến sử dụng kết quả thẩm định giá khi đưa tài sản "
     "thi hành án ra bán đấu giá", OTH),
    ("Quy trình hướng dẫn nghiệp vụ thi hành án dân sự trong nội bộ ngành Thi hành án dân sự", OTH),
    ("Thông báo tuyển dụng công chức năm 2026", OTH),
]


@pytest.mark.parametrize(("title", "expected"), TITLES)
def test_title_classification_table(title: str, expected: NoticeCategory) -> None:
    category, confidence, reasons = classify_notice(title, "")
    assert category == expected
    assert 0.0 < confidence <= 1.0
    assert reasons


def test_anchored_title_more_confident_than_embedded() -> None:
    anchored = classify_notice("Thông báo lựa chọn tổ chức đấu giá tài sản", "")
    embedded = classify_notice("Chi cục THADS huyện Vạn Ninh thông báo lựa chọn tổ chức đấu giá", "")
    assert anchored.confidence > embedded.confidence


def test_result_beats_selection_in_same_title() -> None:
    assert classify_notice("Kết quả lựa chọn tổ chức đấu giá theo thông báo lựa chọn tổ chức đấu giá", "").category == RES


def test_title_beats_body() -> None:
    body = "THÔNG BÁO\nKết quả lựa chọn tổ chức đấu giá tài sản"
    assert classify_notice("Thông báo về việc bán đấu giá tài sản", body).category == AUC


def test_generic_title_decided_by_body_heading_line() -> None:
    body = "CHI CỤC THI HÀNH ÁN DÂN SỰ HUYỆN A\nSố: 12/TB-CCTHADS\nTHÔNG BÁO\nVề việc lựa chọn tổ chức đấu giá tài sản\n"
    category, confidence, _ = classify_notice("Thông báo số 12/TB-CCTHADS", body)
    assert category == SEL and confidence == pytest.approx(0.8)


def test_body_result_heading() -> None:
    assert classify_notice("Thông báo", "THÔNG BÁO\nKết quả lựa chọn tổ chức đấu giá tài sản\nI. KẾT QUẢ").category == RES


def test_body_phrase_inside_a_sentence_does_not_count() -> None:
    body = ("Nội dung dưới đây hướng dẫn một số thao tác giúp người có tài sản đấu giá thực hiện thông báo kết quả lựa "
            "chọn Tổ chức đấu giá tài sản (ĐGTS) trên Cổng Thông tin điện tử quốc gia về đấu giá tài sản")
    assert classify_notice("Tài liệu ứng dụng CNTT", body).category == OTH


def test_empty_input_is_other() -> None:
    assert classify_notice("", "") == (OTH, 0.9, ["no selection, result, valuation or auction phrase"])
