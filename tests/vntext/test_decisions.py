"""Scoring and selection-decision dates, one reading for dgts results and THADS result notices."""

from __future__ import annotations

from datetime import date

import pytest

from vntext.decisions import LABEL, SCORED_ON, SELECTION_DECISION, earliest_decision_date, find_decision_dates


def dates(text: str) -> list[date]:
    return [d.value for d in find_decision_dates(text, "t")]


def test_scoring_date_label() -> None:
    assert dates("Ngày chấm điểm: 12/6/2026") == [date(2026, 6, 12)]


def test_scoring_label_with_a_clock_time_before_the_date() -> None:
    found = find_decision_dates("Ngày chấm điểm: 8 giờ 30 ngày 12/6/2026 tại trụ sở", "t")
    assert [(d.value, d.cue) for d in found] == [(date(2026, 6, 12), LABEL)]


def test_selection_decision_with_number_and_date() -> None:
    text = "Quyết định số 45/QĐ-CCTHADS ngày 16/6/2026 về việc lựa chọn tổ chức đấu giá tài sản"
    assert [(d.value, d.cue) for d in find_decision_dates(text, "t")] == [(date(2026, 6, 16), SELECTION_DECISION)]


def test_scoring_done_on_a_day() -> None:
    assert dates("Hôm nay, ngày 11/6/2026, Tổ giúp việc đã tiến hành chấm điểm hồ sơ") == [date(2026, 6, 11)]
    assert dates("Tổ giúp việc đã chấm điểm hồ sơ vào ngày 12 tháng 6 năm 2026") == [date(2026, 6, 12)]


@pytest.mark.parametrize(
    "text",
    [
        "Ngày 14/4/2025, Phòng Thi hành án dân sự khu vực 3 đã tổ chức chấm điểm hồ sơ.",
        "Ngày 14/4/2025, Phòng Thi hành án dân sự khu vực 96 - Đồng Tháp đã tiến hành chấm điểm hồ sơ.",
    ],
)
def test_scoring_done_after_a_name_with_a_number(text: str) -> None:
    """The office's own number ("khu vực 96") sits between the date and "đã tiến hành chấm điểm"."""
    assert [(d.value, d.cue) for d in find_decision_dates(text, "t")] == [(date(2025, 4, 14), SCORED_ON)]


def test_a_later_date_on_the_line_ends_the_reach_of_the_verb() -> None:
    text = "Căn cứ Thông báo số 40/TB-CCTHADS ngày 08/4/2025, ngày 14/4/2025 Chi cục đã chấm điểm hồ sơ."
    assert dates(text) == [date(2025, 4, 14)]


def test_a_notice_reference_is_not_a_decision() -> None:
    assert dates("Căn cứ Thông báo số 12/TB-THADS ngày 01/6/2026 về việc lựa chọn tổ chức đấu giá") == []


def test_setting_up_the_scoring_panel_is_not_a_decision() -> None:
    assert dates("Quyết định số 3/QĐ-UBND ngày 01/6/2026 về việc thành lập Tổ chấm điểm lựa chọn tổ chức đấu giá") == []


def test_scoring_to_come_under_a_legal_basis_is_not_a_decision() -> None:
    assert dates("Hồ sơ sẽ được chấm điểm theo Thông tư số 02/2022/TT-BTP ngày 08/02/2022 của Bộ Tư pháp.") == []


def test_unrelated_dates_are_ignored() -> None:
    assert dates("Thời gian nộp hồ sơ: từ ngày 02/6/2026 đến ngày 05/6/2026.") == []


def test_earliest_decision_date() -> None:
    text = ("Quyết định số 45/QĐ-CCTHADS ngày 16/6/2026 về việc phê duyệt kết quả lựa chọn.\n"
            "Ngày chấm điểm: 12/6/2026")
    found = earliest_decision_date(text, "result text")
    assert found is not None and (found.value, found.cue, found.source) == (date(2026, 6, 12), LABEL, "result text")
    assert earliest_decision_date("Không có ngày nào.", "t") is None
    assert earliest_decision_date(None, "t") is None
