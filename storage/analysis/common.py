"""Shared plumbing of the analyst helpers: a session from a URL or an open session, local times, display labels.

Every helper accepts ``db``: a database URL (or bare SQLite path) or an open SQLAlchemy ``Session``. Helpers given
a URL open their own short transaction and only read (except ``record_verdicts``); helpers given a session use it
and leave committing to the caller. Times in the DataFrames are naive local Vietnamese time (ICT, UTC+7), which is
what analysts read on the portal and what matplotlib plots without surprises.
"""

from __future__ import annotations

import contextlib
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any, TypeAlias

import pandas as pd
from sqlalchemy.orm import Session

from storage.db import normalize_url, session_scope
from storage.timeutil import to_local

DB: TypeAlias = str | Session

# Vietnamese column headers for display in the notebooks (the DataFrames keep English identifiers).
COLUMN_LABELS_VI: dict[str, str] = {
    "source": "nguồn", "kind": "loại", "record_kind": "loại bản ghi", "record_id": "mã bản ghi", "day": "ngày",
    "week": "tuần", "period": "kỳ", "published": "công bố", "first_seen": "thấy lần đầu", "check_failed": "lỗi kiểm tra",
    "status": "trạng thái", "started_at": "bắt đầu", "finished_at": "kết thúc", "duration_s": "thời lượng (giây)",
    "requests": "số yêu cầu", "new": "mới", "changed": "thay đổi", "removed": "gỡ bỏ", "message": "ghi chú",
    "window_start": "mở nhận hồ sơ", "window_end": "hết hạn nhận hồ sơ", "start": "từ ngày", "end": "đến ngày",
    "days": "số ngày", "working_days": "số ngày làm việc", "detector": "bộ phát hiện", "rule": "quy tắc",
    "flag": "cảnh báo", "insufficient": "chưa đủ dữ liệu", "total": "tổng", "province": "tỉnh/thành",
    "province_name": "tỉnh/thành", "severity": "mức độ", "title": "tóm tắt", "owner": "người có tài sản",
    "owner_name": "người có tài sản", "organisation": "tổ chức đấu giá", "selections": "số lần lựa chọn",
    "share": "tỷ lệ", "when": "thời điểm", "at": "thời điểm", "event": "sự kiện", "detail": "chi tiết",
    "url": "đường dẫn", "evidence_path": "tệp chứng cứ", "result_published": "công bố kết quả",
    "decision_date": "ngày chấm điểm/quyết định", "notice_id": "thông báo lựa chọn", "property_name": "tài sản",
    "start_price": "giá khởi điểm (đồng)", "cut": "mức giảm", "verdict": "kết luận", "reviewed": "đã đánh giá",
    "confirmed": "xác nhận", "false_positive": "báo động sai", "needs_more_info": "cần thêm thông tin",
    "precision": "độ chính xác", "flagged": "bị cảnh báo", "threshold": "ngưỡng", "would_flag": "vẫn cảnh báo",
    "would_drop": "bị loại", "land_lots": "số lô đất", "value": "giá trị", "subject_kind": "loại đối tượng",
    "subject_id": "đối tượng", "id": "mã", "lots": "số lô", "file_name": "tên tệp", "text_status": "trích xuất",
    "role": "vai trò", "change": "thay đổi", "current_status": "hiện tại", "new_status": "sau khi đổi",
}

MAX_CELL_CHARS = 300


@contextlib.contextmanager
def session_for(db: DB) -> Iterator[Session]:
    """Yield a session: the given one unchanged, or a new transaction on the URL (committed, then closed)."""
    if isinstance(db, Session):
        yield db
        return
    if not isinstance(db, str) or not db.strip():
        raise TypeError("db must be a database URL or an SQLAlchemy Session")
    with session_scope(normalize_url(db)) as session:
        yield session


def local_naive(value: datetime | None) -> datetime | None:
    """An aware (or SQLite-naive UTC) datetime as naive local ICT time; None stays None."""
    local = to_local(value)
    return local.replace(tzinfo=None) if local is not None else None


def local_day(value: datetime | date | None) -> date | None:
    """The ICT calendar day of a datetime (a date is returned as is)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return to_local(value).date()
    return value


def short(text: str | None, limit: int = MAX_CELL_CHARS) -> str | None:
    """Portal text cut to ``limit`` characters (NFC, one line) so a table cell stays readable."""
    if text is None:
        return None
    one_line = " ".join(unicodedata.normalize("NFC", str(text)).split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def province_label(code: str | None) -> str:
    """Vietnamese display name of a post-2025 province code; the code itself when unknown, "(không rõ)" when empty."""
    if not code:
        return "(không rõ)"
    from storage.admin_units import province_by_code

    try:
        return province_by_code(code).name
    except (KeyError, LookupError, ValueError):
        return code


def frame(rows: Iterable[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """A DataFrame with exactly ``columns`` in order, even when there are no rows."""
    return pd.DataFrame(list(rows), columns=columns)


def vi_columns(df: pd.DataFrame, extra: dict[str, str] | None = None) -> pd.DataFrame:
    """A copy of ``df`` with Vietnamese column headers for display (unknown columns keep their name)."""
    labels = {**COLUMN_LABELS_VI, **(extra or {})}
    return df.rename(columns={c: labels.get(c, c) for c in df.columns})


def as_datetime_columns(df: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """Convert the named columns to pandas datetimes in place (None -> NaT) and return ``df``."""
    for col in columns:
        if col in df.columns:
            df[col] = pd.to_datetime(df[col], errors="coerce")
    return df
