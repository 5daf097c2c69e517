"""Outcome texts: what is read from result notices and minutes, and from THADS notices linked to a dgts notice.
All texts are made up (dữ liệu giả lập)."""

from __future__ import annotations

import time
from datetime import datetime, timezone

from collusion_samples import empty_session
from detectors.collusion.outcomes import collect_outcomes, parse_outcome_text
from storage.models import Attachment, RecordLink, ThadsNotice

MINUTES = ("BIÊN BẢN ĐẤU GIÁ TÀI SẢN (dữ liệu giả lập). Giá khởi điểm: 1.000.000.000 đồng. Bước giá: 10.000.000 đồng. "
           "Có 03 (ba) khách hàng đã đăng ký tham gia đấu giá. Chỉ có 01 khách hàng tham gia trả giá. Danh sách "
           "khách hàng tham gia đấu giá: Ông Nguyễn Văn An; Bà Trần Thị Bình; Công ty TNHH Thử Nghiệm. Người trúng "
           "đấu giá: Ông Nguyễn Văn An, giá trúng đấu giá: 1.010.000.000 đồng.")


def test_minutes_fields() -> None:
    out = parse_outcome_text(MINUTES, 100_000)
    assert out is not None
    assert (out["registered"], out["active"], out["winning_price"], out["step"], out["start_price_text"]) == (
        3, 1, 1_010_000_000, 10_000_000, 1_000_000_000)
    assert out["winner"] == "Ông Nguyễn Văn An"
    assert out["participants"] == ["Ông Nguyễn Văn An", "Bà Trần Thị Bình", "Công ty TNHH Thử Nghiệm"]


def test_winning_price_in_words_of_units() -> None:
    out = parse_outcome_text("Thông báo kết quả đấu giá: giá trúng đấu giá là 1,2 tỷ đồng (dữ liệu giả lập).", 10_000)
    assert out is not None and out["winning_price"] == 1_200_000_000


def test_auction_rules_are_not_an_outcome() -> None:
    rules = "QUY CHẾ CUỘC ĐẤU GIÁ. Người trúng đấu giá là người trả giá cao nhất. Bước giá: 5.000.000 đồng."
    assert parse_outcome_text(rules, 10_000) is None


def test_text_without_a_result_marker_is_ignored() -> None:
    assert parse_outcome_text("Có 03 khách hàng đã đăng ký tham gia.", 10_000) is None


def test_long_hostile_text_is_bounded() -> None:
    text = ("kết quả " + "có 1 người " * 400_000 + "trả giá") * 2
    started = time.monotonic()
    parse_outcome_text(text, 200_000)
    assert time.monotonic() - started < 5


def test_collect_reads_attachments_and_linked_thads_notices() -> None:
    at = datetime(2026, 7, 1, tzinfo=timezone.utc)
    with empty_session() as session:
        session.add(Attachment(notice_kind="auction_notice", notice_key="700001", file_key="1", file_name="bb.txt",
                               text=MINUTES, text_status="ok"))
        session.add(Attachment(notice_kind="auction_notice", notice_key="700002", file_key="2", file_name="qc.txt",
                               text="Quy chế cuộc đấu giá (dữ liệu giả lập)", text_status="ok"))
        session.add(ThadsNotice(key="thunghiem/thongbao/5", site="thunghiem", list_name="ThongBao", item_id=5,
                                body_text="Thông báo kết quả bán đấu giá (dữ liệu giả lập): có 02 người đăng ký tham "
                                          "gia; giá trúng đấu giá: 500.000.000 đồng.", category="other"))
        session.add(RecordLink(link_type="thads_dgts", from_kind="thads.notice", from_key="thunghiem/thongbao/5",
                               to_kind="auction_notice", to_key="700003", confidence=0.9, status="matched",
                               reasons=[], updated_at=at))
        session.flush()
        outcomes, coverage = collect_outcomes(session, {700001, 700002, 700003, 700004}, 100_000)
    assert sorted(outcomes) == [700001, 700003]
    assert outcomes[700003].registered == 2 and outcomes[700003].winning_price == 500_000_000
    assert outcomes[700003].sources == ["THADS thunghiem/thongbao/5"]
    assert coverage["notices"] == 4 and coverage["notices_with_outcome"] == 2 and coverage["with_active"] == 1
