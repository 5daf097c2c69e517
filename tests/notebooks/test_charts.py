"""The notebooks' chart helpers and display tables on small frames: each chart draws what its frame holds, with
Vietnamese titles and labels; ``vi_table`` leaves no None/NaN/NaT or float noise in a cell."""

from __future__ import annotations

from datetime import date, datetime

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from analysis import charts, vi_table  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _texts(fig) -> str:
    ax = fig.axes[0]
    parts = [ax.get_title(), ax.get_xlabel(), ax.get_ylabel(), *(t.get_text() for t in ax.get_yticklabels()),
             *(t.get_text() for t in ax.get_xticklabels())]
    legend = ax.get_legend()
    if legend:
        parts += [t.get_text() for t in legend.get_texts()]
    return " | ".join(parts).replace("\n", " ")


def test_coverage_charts():
    days = pd.to_datetime(["2026-06-01", "2026-06-02", "2026-06-09", "2026-06-20"])
    coverage = pd.DataFrame({"day": days.repeat(2), "record_kind": ["dgts.auction_notice", "thads.notice"] * 4,
                             "published": [3, 0, 1, 1, 0, 0, 2, 0], "first_seen": [0, 0, 4, 1, 0, 0, 2, 0],
                             "check_failed": 0, "working_day": True})
    weekly = charts.weekly_records(coverage)
    assert weekly["dgts.auction_notice"].sum() == 6 and len(weekly) == 3
    text = _texts(charts.plot_weekly_records(coverage))
    assert "mỗi tuần" in text and "dgts: thông báo đấu giá" in text
    fig = charts.plot_first_seen(coverage)
    assert len(fig.axes[0].patches) == 2 * 2 and "02/06/2026" in _texts(fig)


def test_findings_charts():
    by_rule = pd.DataFrame({"detector": ["collusion", "parcel_details"], "rule": ["rotation", "missing_parcel_fields"],
                            "flag": [3, 1], "insufficient": [0, 5], "total": [3, 6]})
    text = _texts(charts.plot_findings_by_rule(by_rule))
    assert "Các tổ chức luân phiên được chọn" in text and "rotation" not in text and "cảnh báo" in text
    by_province = pd.DataFrame({"province_name": ["Lâm Đồng", "Hà Nội"], "flag": [2, 1], "insufficient": [1, 0],
                                "total": [3, 1]})
    assert len(charts.plot_findings_by_province(by_province).axes[0].patches) == 4
    weekly = pd.DataFrame({"period": pd.to_datetime(["2026-06-01", "2026-06-08", "2026-06-08"]),
                           "detector": ["collusion", "collusion", "premature_scoring"], "findings": [2, 1, 4]})
    table = charts.weekly_findings_table(weekly)
    assert table.loc[pd.Timestamp("2026-06-08"), "premature_scoring"] == 4
    assert "Chấm điểm trước hạn" in _texts(charts.plot_weekly_findings(weekly))


def test_owner_charts():
    when = pd.to_datetime(["2026-01-05", "2026-03-02"])
    selections = pd.DataFrame({"organisation": ["Công ty A", "Công ty B"], "source": ["selection_result",
                               "auction_notice"], "when": when, "window_start": [when[0] - pd.Timedelta(days=9), pd.NaT],
                               "window_end": [when[0] - pd.Timedelta(days=2), pd.NaT],
                               "decision_date": [when[0] - pd.Timedelta(days=1), pd.NaT]})
    text = _texts(charts.plot_owner_selections(selections, "UBND xã Minh Họa"))
    assert "05/01/2026 · kết quả (dgts)" in text and "Công ty B" in text
    share = pd.DataFrame({"organisation": ["Công ty A", "Công ty B"], "owner": ["X", "Y"], "selections": [3, 1],
                          "share": [0.75, 0.25]})
    assert "3 lần" in [t.get_text() for t in charts.plot_organisation_share(share, "X").axes[0].texts]
    assert len(charts.plot_owners_of_organisation(share, "Công ty A").axes[0].patches) == 2
    edges = pd.DataFrame({"owner_id": [1, 1], "owner": ["X", "X"], "organisation_id": [7, 8],
                          "organisation": ["Công ty A", "Công ty B"], "selections": [3, 1]})
    assert "Mạng lưới" in charts.plot_network(edges, "X").axes[0].get_title()


def test_timeline_and_relist_charts():
    records = pd.DataFrame({"record_kind": ["selection_notice", "selection_result"], "record_id": ["900003", "990003"],
                            "window_start": [date(2026, 6, 19), None], "window_end": [date(2026, 6, 26), None]})
    at = pd.to_datetime(["2026-06-18 09:00", "2026-06-23 14:00", "2026-12-08 08:00"])
    events = pd.DataFrame({"record_kind": ["selection_notice", "selection_result", "selection_notice"],
                           "record_id": ["900003", "990003", "900003"], "at": at,
                           "event": ["đăng thông báo", "công bố kết quả", "tệp đính kèm đã tải"]})
    points, left_out = charts.timeline_points(events)
    assert left_out == 1 and list(points["category"]) == ["đăng / công bố", "đăng / công bố"]
    text = _texts(charts.plot_notice_timeline(records, points, "selection_notice", "900003"))
    assert "hết hạn nhận hồ sơ" in text and "Kết quả lựa chọn 990003" in text
    rounds = pd.DataFrame({"round": [1, 2], "published": pd.to_datetime(["2026-01-01", "2026-02-01"]),
                           "start_price": [2e9, 1.6e9], "cut": [np.nan, 0.2]})
    fig = charts.plot_relist_rounds(rounds)
    assert [p.get_facecolor()[:3] for p in fig.axes[0].patches][1] == pytest.approx((0.753, 0.224, 0.169), abs=0.01)
    assert "−20,0%" in [t.get_text() for t in fig.axes[0].texts]


def test_parcel_and_review_charts():
    land = pd.DataFrame({"missing_parcel_no": [True, False], "missing_area_m2": [True, True]})
    labels = {"missing_parcel_no": "thiếu số thửa", "missing_area_m2": "thiếu diện tích",
              "missing_any_required": "thiếu ít nhất một"}
    fig = charts.plot_missing_shares(land, ["parcel_no", "area_m2"], ["parcel_no"], labels)
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["100%", "50%"]
    over_time = pd.DataFrame({"period": pd.to_datetime(["2026-01-01", "2026-02-01"]), "missing_parcel_no": [0.5, 0.2]})
    assert len(charts.plot_missing_over_time(over_time, ["parcel_no"], labels).axes[0].lines) == 1
    table = pd.DataFrame({"owner": ["X"], "land_lots": [4], "missing_parcel_no": [0.5], "missing_any_required": [0.75]})
    fig = charts.plot_missing_heatmap(table, "owner", ["parcel_no"], {"parcel_no": "số thửa"}, "Theo người")
    assert [t.get_text() for t in fig.axes[0].texts] == ["50", "75"]
    assert charts.plot_missing_heatmap(table.iloc[:0], "owner", ["parcel_no"], {}, "t") is None
    precision = pd.DataFrame({"detector": ["collusion", "collusion"], "rule": ["anomaly_rank", "rotation"],
                              "precision": [0.5, np.nan], "confirmed": [1, 0], "false_positive": [1, 0]})
    fig = charts.plot_precision(precision)
    assert len(fig.axes[0].patches) == 1 and "1/2" in [t.get_text() for t in fig.axes[0].texts]
    assert charts.plot_precision(precision.iloc[1:]) is None
    effect = pd.DataFrame({"threshold": [5, 10], "would_flag": [5, 10], "would_drop": [15, 10]})
    assert len(charts.plot_threshold_effect(effect, "collusion.anomaly_rank", "rank").axes[0].lines) == 2


def test_vi_table_cells_are_readable():
    df = pd.DataFrame({
        "id": [77, 78], "detector": ["collusion", "premature_scoring"], "rule": ["rotation", "short_window"],
        "status": ["flag", "insufficient"], "severity": ["high", None], "verdict": [None, "false_positive"],
        "share": [1 / 3, np.nan], "start_price": [1.8e9, np.nan], "when": [pd.Timestamp("2026-06-23 14:05"), pd.NaT],
        "day": [date(2026, 6, 1), None], "score": [0.688077, 2.0], "found": [True, False],
        "lots": [["a", "b"], []], "note": ["", "xem tệp"], "notice_id": [9000201.0, np.nan],
        "at": [datetime(2026, 6, 1), datetime(2026, 6, 1, 8, 30)],
    })
    out = vi_table(df)
    cells = out.to_numpy().ravel().tolist()
    assert not {"None", "nan", "NaN", "NaT"} & set(cells) and not any(".000000" in c for c in cells)
    row1, row2 = out.iloc[0].tolist(), out.iloc[1].tolist()
    assert row1 == ["77", "Dấu hiệu thông đồng", "Các tổ chức luân phiên được chọn", "cảnh báo", "cao", "—",
                    "33,3 %", "1.800.000.000 đ", "23/06/2026 14:05", "01/06/2026", "0,69", "có", "a; b", "—",
                    "9000201", "01/06/2026"]
    assert row2[3:6] == ["chưa đủ dữ liệu", "—", "báo động sai"] and row2[-1] == "01/06/2026 08:30"
    assert list(out.columns[:4]) == ["mã", "bộ phát hiện", "quy tắc", "trạng thái"] and list(out.index) == [1, 2]
