"""The notebooks' charts, one function each, so a notebook reads as narrative, a helper call and a plot: every
function takes the DataFrame an ``analysis`` helper returned and gives back the matplotlib Figure."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from analysis.common import DETECTOR_LABELS_VI, NOTICE_KIND_LABELS_VI, RECORD_KIND_LABELS_VI, STATUS_LABELS_VI
from analysis.coverage import RECORD_KINDS
from analysis.plotting import draw_network, wrap_label
from storage.kinds import NoticeKind
from storage.labels import rule_label

KIND_COLOURS = dict(zip(RECORD_KINDS, ["#2c7fb8", "#e6a100", "#27ae60", "#8e44ad"]))
FLAG, INSUFFICIENT = "#c0392b", "#95a5a6"


def _stacked_weeks(ax, table: pd.DataFrame, labels: dict[str, str], colours: dict[str, str] | None = None) -> None:
    bottom = None
    for col in table.columns:
        ax.bar(table.index, table[col], width=6, align="edge", bottom=bottom, label=labels.get(col, col),
               color=(colours or {}).get(col))
        bottom = table[col] if bottom is None else bottom + table[col]
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%m/%Y"))
    ax.legend(loc="upper left")


# ------------------------------------------------------------------------------------------------ 01 overview


def weekly_records(coverage: pd.DataFrame) -> pd.DataFrame:
    """``crawl_coverage`` as records published per week (rows) and record kind (columns), empty edge weeks cut."""
    weekly = (coverage.assign(week=coverage["day"].dt.to_period("W-SUN").dt.start_time)
              .pivot_table(index="week", columns="record_kind", values="published", aggfunc="sum", fill_value=0))
    busy = weekly.index[weekly.sum(axis=1) > 0]
    return weekly.loc[busy.min():busy.max()] if len(busy) else weekly


def plot_weekly_records(coverage: pd.DataFrame) -> Figure:
    weekly = weekly_records(coverage)
    fig, ax = plt.subplots(figsize=(11, 4.5))
    _stacked_weeks(ax, weekly[[k for k in RECORD_KINDS if k in weekly.columns]], RECORD_KIND_LABELS_VI, KIND_COLOURS)
    ax.set_title("Số bản ghi được công bố mỗi tuần, theo loại")
    ax.set_xlabel("Tuần công bố (tháng/năm)")
    ax.set_ylabel("Số bản ghi (bản ghi/tuần)")
    fig.autofmt_xdate(rotation=45)
    fig.tight_layout()
    return fig


def plot_first_seen(coverage: pd.DataFrame) -> Figure:
    """Records the crawler saw for the first time, per crawl day and kind."""
    seen = coverage[coverage["first_seen"] > 0].pivot_table(index="day", columns="record_kind", values="first_seen",
                                                              aggfunc="sum", fill_value=0)
    fig, ax = plt.subplots(figsize=(10, 4))
    labels = [d.strftime("%d/%m/%Y") for d in seen.index]
    bottom = [0] * len(seen)
    for kind in seen.columns:
        ax.bar(labels, seen[kind], bottom=bottom, width=0.6, label=RECORD_KIND_LABELS_VI.get(kind, kind),
               color=KIND_COLOURS.get(kind))
        bottom = [b + v for b, v in zip(bottom, seen[kind])]
    ax.set_xlim(-1, max(len(labels), 1))
    ax.set_title("Số bản ghi hệ thống thấy lần đầu, theo ngày thu thập")
    ax.set_xlabel("Ngày thu thập (ngày/tháng/năm)")
    ax.set_ylabel("Số bản ghi mới (bản ghi/ngày)")
    ax.tick_params(axis="x", labelrotation=45)
    if len(seen.columns):
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    fig.tight_layout()
    return fig


def _flag_bars(labels: list[str], table: pd.DataFrame, title: str, height: float) -> Figure:
    fig, ax = plt.subplots(figsize=(10, height * len(table) + 1.5))
    ax.barh(labels, table["flag"], label=STATUS_LABELS_VI["flag"], color=FLAG)
    ax.barh(labels, table["insufficient"], left=table["flag"], label=STATUS_LABELS_VI["insufficient"],
            color=INSUFFICIENT)
    ax.set_title(title)
    ax.set_xlabel("Số phát hiện")
    ax.legend(loc="lower right")
    fig.tight_layout()
    return fig


def plot_findings_by_rule(by_rule: pd.DataFrame) -> Figure:
    """``findings_summary(by=["detector", "rule"])`` as stacked bars (flags, insufficient data) per rule."""
    plot = by_rule.sort_values("total")
    labels = [wrap_label(f"{DETECTOR_LABELS_VI.get(d, d)} · {rule_label(r)}", 50, 2)
              for d, r in zip(plot["detector"], plot["rule"])]
    return _flag_bars(labels, plot, "Số phát hiện đang mở theo quy tắc", 0.5)


def plot_findings_by_province(by_province: pd.DataFrame) -> Figure:
    """``findings_summary(by=["province_name"])`` as stacked bars per province."""
    plot = by_province.sort_values("total")
    return _flag_bars(list(plot["province_name"]), plot,
                      f"Số phát hiện đang mở theo tỉnh/thành ({len(plot)} tỉnh/thành nhiều nhất)", 0.4)


def weekly_findings_table(weekly: pd.DataFrame) -> pd.DataFrame:
    """``findings_over_time(freq="W", by="detector")`` as findings per week (rows) and detector (columns)."""
    return weekly.pivot_table(index="period", columns="detector", values="findings", aggfunc="sum",
                              fill_value=0).astype(int)


def plot_weekly_findings(weekly: pd.DataFrame) -> Figure:
    table = weekly_findings_table(weekly)
    fig, ax = plt.subplots(figsize=(11, 4.5))
    _stacked_weeks(ax, table, DETECTOR_LABELS_VI)
    ax.set_title("Số phát hiện đang mở theo tuần công bố của thông báo")
    ax.set_xlabel("Tuần (tháng/năm)")
    ax.set_ylabel("Số phát hiện (phát hiện/tuần)")
    fig.autofmt_xdate(rotation=45)
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------------------------- 02 owner, organisation

SOURCE_LABELS = {NoticeKind.SELECTION_RESULT: "kết quả (dgts)", "thads_result": "kết quả (THADS)",
                 NoticeKind.AUCTION_NOTICE: "thông báo đấu giá"}


def plot_owner_selections(selections: pd.DataFrame, owner_name: str) -> Figure:
    """``owner_selections`` on a time line: one row per selection, its window, scoring day and publication,
    coloured by the chosen organisation."""
    palette = plt.get_cmap("tab10")
    org_names = list(dict.fromkeys(selections["organisation"]))
    colour = {name: palette(i % 10) for i, name in enumerate(org_names)}
    fig, ax = plt.subplots(figsize=(11, 0.42 * len(selections) + 2.2))
    for i, row in enumerate(selections.itertuples(index=False)):
        c = colour[row.organisation]
        if pd.notna(row.window_start) and pd.notna(row.window_end):
            ax.barh(-i, (row.window_end - row.window_start) + pd.Timedelta(days=1), left=row.window_start,
                    height=0.5, color=c, alpha=0.3, edgecolor=c)
        if pd.notna(row.decision_date):
            ax.scatter(row.decision_date, -i, marker="^", s=60, color=c, edgecolors="black", zorder=3)
        ax.scatter(row.when, -i, marker="s" if row.source == NoticeKind.AUCTION_NOTICE else "o", s=50, color=c,
                   edgecolors="black", zorder=3)
    ax.set_yticks([-i for i in range(len(selections))])
    ax.set_yticklabels([f"{w:%d/%m/%Y} · {SOURCE_LABELS.get(s, s)}"
                        for w, s in zip(selections["when"], selections["source"])])
    ax.set_title(wrap_label(f"Các lần lựa chọn tổ chức đấu giá của {owner_name}", 90, 2))
    ax.set_xlabel("Thời gian (tháng/năm)")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%m/%Y"))
    handles = [Patch(color=colour[n], label=wrap_label(n, 40, 2)) for n in org_names]
    handles += [Patch(facecolor="grey", alpha=0.3, label="thời gian nhận hồ sơ"),
                Line2D([], [], marker="^", ls="", color="grey", markeredgecolor="black", label="ngày chấm điểm"),
                Line2D([], [], marker="o", ls="", color="grey", markeredgecolor="black", label="công bố kết quả"),
                Line2D([], [], marker="s", ls="", color="grey", markeredgecolor="black", label="thông báo đấu giá")]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    fig.autofmt_xdate(rotation=45)
    fig.tight_layout()
    return fig


def plot_organisation_share(share: pd.DataFrame, owner_name: str) -> Figure:
    """``organisation_share(owner=…)``: each organisation's share of the owner's selections."""
    plot = share.sort_values("share")
    fig, ax = plt.subplots(figsize=(9, 0.5 * len(plot) + 1.5))
    bars = ax.barh([wrap_label(n, 40, 2) for n in plot["organisation"]], plot["share"] * 100, color="#2c7fb8")
    ax.bar_label(bars, labels=[f"{n} lần" for n in plot["selections"]], padding=3, fontsize=8)
    ax.set_xlim(0, 110)
    ax.set_title(wrap_label(f"Tỷ lệ lựa chọn của {owner_name}", 80, 2))
    ax.set_xlabel("Tỷ lệ trong tổng số lần lựa chọn (%)")
    fig.tight_layout()
    return fig


def plot_owners_of_organisation(share: pd.DataFrame, org_name: str, top: int = 15) -> Figure:
    """``organisation_share(organisation=…)``: how often each owner chose the organisation."""
    plot = share.head(top).sort_values("selections")
    fig, ax = plt.subplots(figsize=(9, 0.5 * len(plot) + 1.5))
    ax.barh([wrap_label(n, 45, 2) for n in plot["owner"]], plot["selections"], color="#e6a100")
    ax.set_title(wrap_label(f"Những người có tài sản đã chọn {org_name}", 80, 2))
    ax.set_xlabel("Số lần lựa chọn")
    ax.xaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    return fig


def plot_network(edges: pd.DataFrame, owner_name: str) -> Figure:
    """``owner_org_edges`` as the two-column owner–organisation network."""
    rows = max(edges["owner_id"].nunique(), edges["organisation_id"].nunique(), 1)
    fig, ax = plt.subplots(figsize=(12, max(4, 0.38 * rows + 2)))
    draw_network(ax, edges, title=wrap_label(f"Mạng lưới lựa chọn quanh {owner_name}", 90, 2))
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------------- 03 timeline

TIMELINE_CATEGORIES: list[tuple[str, Callable[[str], bool], str, str]] = [
    ("đăng / công bố", lambda e: e.startswith(("đăng", "công bố", "THADS đăng", "cập nhật")), "o", "#2c7fb8"),
    ("thời gian nhận hồ sơ", lambda e: "nhận hồ sơ" in e, "|", "#27ae60"),
    ("chấm điểm / quyết định", lambda e: e.startswith("ngày chấm điểm"), "^", "#8e44ad"),
    ("đăng ký / đấu giá", lambda e: e.startswith(("hết hạn đăng ký", "tổ chức cuộc")), "D", "#e6a100"),
    ("tệp đính kèm", lambda e: e.startswith("tệp"), "P", "#7f8c8d"),
    ("phát hiện", lambda e: e.startswith("phát hiện"), "X", "#c0392b"),
]
OTHER_CATEGORY = ("thay đổi nội dung", "*", "#d35400")
SYSTEM_CATEGORIES = ("tệp đính kèm", "phát hiện", "thay đổi nội dung")


def timeline_category(event: str) -> str:
    for label, test, _marker, _colour in TIMELINE_CATEGORIES:
        if test(event):
            return label
    return OTHER_CATEGORY[0]


def timeline_points(events: pd.DataFrame, margin_days: int = 30) -> tuple[pd.DataFrame, int]:
    """``notice_timeline`` events with a time, categorised, keeping system-recorded times (files fetched,
    findings, edits seen) only within ``margin_days`` of the portal's own dates; returns them and how many were
    left out (a first crawl long after publication would otherwise squeeze the portal's dates into one spot)."""
    timed = events.dropna(subset=["at"]).assign(category=lambda d: d["event"].map(timeline_category))
    portal = timed[~timed["category"].isin(SYSTEM_CATEGORIES)]
    if portal.empty:
        return timed, 0
    low = portal["at"].min() - pd.Timedelta(days=margin_days)
    high = portal["at"].max() + pd.Timedelta(days=margin_days)
    inside = (timed["at"] >= low) & (timed["at"] <= high)
    return timed[inside], int((~inside).sum())


def plot_notice_timeline(records: pd.DataFrame, points: pd.DataFrame, notice_kind: str, notice_id: str) -> Figure:
    """The notice and its related records as rows; windows shaded, events marked by category."""
    markers = {label: (marker, colour) for label, _, marker, colour in TIMELINE_CATEGORIES}
    markers[OTHER_CATEGORY[0]] = OTHER_CATEGORY[1:]
    rows = list(dict.fromkeys(zip(records["record_kind"], records["record_id"])))
    rows += [k for k in dict.fromkeys(zip(points["record_kind"], points["record_id"])) if k not in rows]
    ypos = {key: -i for i, key in enumerate(rows)}
    fig, ax = plt.subplots(figsize=(12, 0.55 * len(rows) + 2.5))
    for rec in records.itertuples(index=False):
        if pd.notna(rec.window_start) and pd.notna(rec.window_end):
            start = pd.Timestamp(rec.window_start)
            ax.barh(ypos[(rec.record_kind, rec.record_id)], pd.Timestamp(rec.window_end) + pd.Timedelta(days=1) - start,
                    left=start, height=0.6, color="#27ae60", alpha=0.2)
            if rec.record_kind == notice_kind and rec.record_id == str(notice_id):
                ax.axvline(pd.Timestamp(rec.window_end) + pd.Timedelta(days=1), color="#27ae60", linestyle="--",
                           linewidth=1, label="hết hạn nhận hồ sơ")
    for label, (marker, colour) in markers.items():
        group = points[points["category"] == label]
        if not group.empty:
            ax.scatter(group["at"], [ypos[(k, i)] for k, i in zip(group["record_kind"], group["record_id"])],
                       marker=marker, s=70, color=colour, label=label, zorder=3)
    ax.set_yticks(list(ypos.values()))
    ax.set_yticklabels([f"{NOTICE_KIND_LABELS_VI.get(k, k)} {wrap_label(i, 30, 1)}" for k, i in ypos])
    ax.set_title(f"Dòng thời gian của {NOTICE_KIND_LABELS_VI.get(notice_kind, notice_kind).lower()} {notice_id} "
                 "và các bản ghi liên quan")
    ax.set_xlabel("Thời gian (ngày/tháng/năm, giờ Việt Nam)")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d/%m/%Y"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), title="Loại mốc (vùng xanh: nhận hồ sơ)")
    fig.autofmt_xdate(rotation=45)
    fig.tight_layout()
    return fig


def plot_relist_rounds(rounds: pd.DataFrame, max_cut: float = 0.1) -> Figure:
    """``relist_rounds``: the start price of each round, red where it fell by more than ``max_cut``."""
    fig, ax = plt.subplots(figsize=(9, 4))
    bars = ax.bar([f"Lần {r}\n{d:%d/%m/%Y}" for r, d in zip(rounds["round"], rounds["published"])],
                  rounds["start_price"] / 1e6,
                  color=["#c0392b" if c > max_cut + 1e-9 else "#2c7fb8" for c in rounds["cut"].fillna(0)])
    ax.bar_label(bars, labels=["" if pd.isna(c) else f"−{c * 100:.1f}%".replace(".", ",") for c in rounds["cut"]],
                 padding=3)
    ax.set_title(f"Giá khởi điểm qua các lần đấu giá (đỏ: giảm hơn {max_cut:.0%} so với lần trước)")
    ax.set_xlabel("Lần đấu giá và ngày đăng")
    ax.set_ylabel("Giá khởi điểm (triệu đồng)")
    ax.set_ylim(0, rounds["start_price"].max() / 1e6 * 1.15)
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------------------------------------ 04 parcels


def plot_missing_shares(land: pd.DataFrame, fields: Iterable[str], required: Iterable[str],
                        labels: dict[str, str]) -> Figure:
    """``lot_parcels`` land lots: the share missing each field (red: required)."""
    required = set(required)
    shares = land[[f"missing_{f}" for f in fields]].mean().sort_values() * 100
    fig, ax = plt.subplots(figsize=(9, 4))
    colours = [FLAG if n.removeprefix("missing_") in required else INSUFFICIENT for n in shares.index]
    bars = ax.barh([labels[n] for n in shares.index], shares.values, color=colours)
    ax.bar_label(bars, labels=[f"{v:.0f}%" for v in shares.values], padding=3)
    ax.set_xlim(0, 110)
    ax.set_title(f"Tỷ lệ lô đất thiếu từng thông tin ({len(land)} lô; đỏ: bắt buộc)")
    ax.set_xlabel("Tỷ lệ lô đất thiếu thông tin (%)")
    fig.tight_layout()
    return fig


def plot_missing_over_time(over_time: pd.DataFrame, required: Iterable[str], labels: dict[str, str]) -> Figure:
    """``parcel_completeness(by=None, freq=…)``: the share missing each required field per period."""
    fig, ax = plt.subplots(figsize=(11, 4.5))
    for f in required:
        ax.plot(over_time["period"], over_time[f"missing_{f}"] * 100, marker="o", label=labels[f"missing_{f}"])
    ax.set_title("Tỷ lệ lô đất thiếu thông tin bắt buộc theo kỳ công bố")
    ax.set_xlabel("Kỳ công bố (tháng/năm)")
    ax.set_ylabel("Tỷ lệ lô đất thiếu (%)")
    ax.set_ylim(-5, 105)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%m/%Y"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.autofmt_xdate(rotation=45)
    fig.tight_layout()
    return fig


def plot_missing_heatmap(table: pd.DataFrame, label_column: str, required: Iterable[str],
                         field_labels: dict[str, str], title: str, top: int = 12) -> Figure | None:
    """``parcel_completeness(by="owner"|"organisation")`` as a heat map of missing shares; None when empty."""
    if table.empty:
        return None
    table = table.head(top)
    columns = [f"missing_{f}" for f in required] + ["missing_any_required"]
    values = table[columns].to_numpy() * 100
    fig, ax = plt.subplots(figsize=(11, 0.55 * len(table) + 2.5))
    image = ax.imshow(values, cmap="Reds", vmin=0, vmax=100, aspect="auto")
    ax.set_xticks(range(len(columns)))
    names = [field_labels.get(c.removeprefix("missing_"), "ít nhất một thông tin bắt buộc") for c in columns]
    ax.set_xticklabels([wrap_label(name, 12, 3) for name in names])
    ax.set_yticks(range(len(table)))
    ax.set_yticklabels([wrap_label(f"{n} — {k} lô đất", 50, 2) for n, k in zip(table[label_column], table["land_lots"])])
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            ax.text(j, i, f"{values[i, j]:.0f}", ha="center", va="center", fontsize=8,
                    color="white" if values[i, j] > 60 else "black")
    fig.colorbar(image, ax=ax, label="Tỷ lệ lô đất thiếu (%)")
    ax.set_title(title)
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------------------------------------- 05 review


def plot_precision(precision: pd.DataFrame) -> Figure | None:
    """``precision_table``: precision per rule with a decided verdict; None when no rule has one."""
    decided = precision.dropna(subset=["precision"])
    if decided.empty:
        return None
    fig, ax = plt.subplots(figsize=(9, 0.5 * len(decided) + 1.5))
    labels = [wrap_label(f"{DETECTOR_LABELS_VI.get(d, d)} · {rule_label(r)}", 50, 2)
              for d, r in zip(decided["detector"], decided["rule"])]
    bars = ax.barh(labels, decided["precision"] * 100, color="#27ae60")
    ax.bar_label(bars, padding=3, labels=[f"{c}/{c + f}" for c, f in zip(decided["confirmed"], decided["false_positive"])])
    ax.set_xlim(0, 115)
    ax.set_title("Độ chính xác theo quy tắc (xác nhận / đã kết luận)")
    ax.set_xlabel("Độ chính xác (%)")
    fig.tight_layout()
    return fig


def plot_threshold_effect(effect: pd.DataFrame, title: str, evidence_key: str) -> Figure:
    """``threshold_effect``: findings kept and dropped at each candidate threshold."""
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.plot(effect["threshold"], effect["would_flag"], marker="o", label="vẫn cảnh báo")
    ax.plot(effect["threshold"], effect["would_drop"], marker="s", label="bị loại")
    ax.set_title(wrap_label(title, 70, 2))
    ax.set_xlabel(f"Ngưỡng thử của {evidence_key} (đơn vị của trường bằng chứng)")
    ax.set_ylabel("Số phát hiện")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend()
    fig.tight_layout()
    return fig
