"""Tables for people: ``vi_table`` gives a DataFrame Vietnamese headers and readable cells (no None/NaN/NaT, no
``.000000``, dd/mm/yyyy dates, dot thousands, codes in words) for display in the notebooks."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import pandas as pd

from analysis.common import (
    DETECTOR_LABELS_VI,
    NOTICE_KIND_LABELS_VI,
    RECORD_KIND_LABELS_VI,
    STATUS_LABELS_VI,
    vi_columns,
)
from storage.labels import SEVERITY_LABELS_VI, VERDICT_LABELS_VI, rule_label

EMPTY = "—"
# Columns whose codes are shown in words.
CODE_COLUMNS = {
    "detector": DETECTOR_LABELS_VI, "status": {**STATUS_LABELS_VI, "complete": "hoàn tất", "partial": "một phần",
                                                "failed": "thất bại", "blocked": "bị chặn", "running": "đang chạy"},
    "current_status": STATUS_LABELS_VI, "new_status": STATUS_LABELS_VI, "severity": SEVERITY_LABELS_VI,
    "verdict": VERDICT_LABELS_VI, "record_kind": {**RECORD_KIND_LABELS_VI, **NOTICE_KIND_LABELS_VI},
    "notice_kind": NOTICE_KIND_LABELS_VI, "subject_kind": NOTICE_KIND_LABELS_VI,
    "change": {"added": "thêm", "dropped": "bị loại", "status_changed": "đổi trạng thái", "unchanged": "không đổi",
               "kept": "giữ lại"},
}
# Shares 0..1 shown as percentages.
SHARE_COLUMNS = frozenset({"share", "precision", "precision_after", "top_share", "cut"})
# Amounts in đồng.
MONEY_COLUMNS = frozenset({"start_price", "deposit", "file_cost", "price"})
# Identifiers: shown as written, never with thousands separators.
ID_SUFFIXES = ("id", "_id", "_ids", "_key")


def _number(value: float, decimals: int = 2) -> str:
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    text = f"{value:,.{decimals}f}".rstrip("0").rstrip(".")
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def cell(value: Any, column: str = "") -> str:
    """One value as a person reads it."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return EMPTY
    if isinstance(value, (list, tuple, set)):
        return "; ".join(cell(v) for v in value) or EMPTY
    if isinstance(value, bool):
        return "có" if value else "không"
    col = column.lower()
    if col in CODE_COLUMNS and isinstance(value, str):
        return CODE_COLUMNS[col].get(value, value)
    if col == "rule" and isinstance(value, str):
        return rule_label(value)
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y" if (value.hour, value.minute, value.second) == (0, 0, 0) else "%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, pd.Period):
        return value.start_time.strftime("%m/%Y" if value.freqstr.startswith("M") else "%d/%m/%Y")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if col == "id" or col.endswith(ID_SUFFIXES):
            return str(int(value)) if float(value).is_integer() else str(value)
        if col in SHARE_COLUMNS and abs(value) <= 1:
            return f"{_number(round(value * 100, 1))} %"
        if col in MONEY_COLUMNS:
            return f"{_number(round(value))} đ"
        return _number(value)
    if hasattr(value, "item"):  # numpy scalars
        return cell(value.item(), column)
    text = str(value)
    return text if text.strip() else EMPTY


def vi_table(df: pd.DataFrame, extra: dict[str, str] | None = None) -> pd.DataFrame:
    """A copy of ``df`` for display: every cell text (see ``cell``), Vietnamese headers, a plain 1-based index."""
    out = pd.DataFrame({c: [cell(v, str(c)) for v in df[c].tolist()] for c in df.columns}, columns=list(df.columns))
    out.index = range(1, len(out) + 1)
    return vi_columns(out, extra)
