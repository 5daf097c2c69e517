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
from pathlib import Path
from typing import Any, TypeAlias

import pandas as pd
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from storage.db import normalize_url, session_scope
from storage.kinds import NoticeKind, RecordKind
from storage.timeutil import to_local

DB: TypeAlias = str | Session

# Vietnamese column headers for display in the notebooks (the DataFrames keep English identifiers).
COLUMN_LABELS_VI: dict[str, str] = {
    "source": "nguồn", "kind": "loại", "record_kind": "loại bản ghi", "record_id": "mã bản ghi", "day": "ngày",
    "week": "tuần", "period": "kỳ", "published": "công bố", "first_seen": "thấy lần đầu",
    "check_failed": "lỗi kiểm tra",
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
    "note": "ghi chú", "resolved_at": "giải quyết lúc", "last_seen": "thấy lần cuối", "first": "lần đầu",
    "last": "lần cuối", "reviewer": "người đánh giá", "finding_id": "mã phát hiện", "created_at": "thời điểm ghi",
    "subject_published": "ngày công bố", "notice_kind": "loại thông báo", "lot_index": "lô số",
}

RECORD_KIND_LABELS_VI: dict[str, str] = {
    RecordKind.DGTS_SELECTION_NOTICE: "dgts: thông báo lựa chọn tổ chức đấu giá",
    RecordKind.DGTS_SELECTION_RESULT: "dgts: kết quả lựa chọn",
    RecordKind.DGTS_AUCTION_NOTICE: "dgts: thông báo đấu giá",
    RecordKind.THADS_NOTICE: "THADS: thông báo",
}
NOTICE_KIND_LABELS_VI: dict[str, str] = {
    NoticeKind.SELECTION_NOTICE: "Thông báo lựa chọn", NoticeKind.SELECTION_RESULT: "Kết quả lựa chọn",
    NoticeKind.AUCTION_NOTICE: "Thông báo đấu giá", NoticeKind.THADS_NOTICE: "Thông báo THADS",
    "lot": "Lô tài sản",
    "chain": "Chuỗi đấu giá lại", "owner": "Người có tài sản", "organisation": "Tổ chức đấu giá",
}
DETECTOR_LABELS_VI: dict[str, str] = {
    "premature_scoring": "Chấm điểm trước hạn", "parcel_details": "Thiếu thông tin thửa đất",
    "collusion": "Dấu hiệu thông đồng", "data_quality": "Dữ liệu có thể nhập sai",
}
STATUS_LABELS_VI: dict[str, str] = {"flag": "cảnh báo", "insufficient": "chưa đủ dữ liệu",
                                    "not_applicable": "không áp dụng"}
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


def resolve_db_url(url: str, search_parents: int = 2) -> str:
    """The URL of an existing database. A relative SQLite path that does not exist from the working folder is
    also looked for from its parents (a notebook runs in ``notebooks/``, the demo writes ``demo-output/`` at the
    repository root). FileNotFoundError when no such SQLite file exists: opening it would create an empty one."""
    url = normalize_url(url) if "://" in url else url
    if "://" not in url:
        candidates = [Path(url).expanduser()]
    else:
        parsed = make_url(url)
        if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
            return url
        candidates = [Path(parsed.database).expanduser()]
    path = candidates[0]
    if not path.is_absolute():
        base = Path.cwd()
        candidates = [base.joinpath(*([".."] * up), path).resolve() for up in range(search_parents + 1)]
    for candidate in candidates:
        if candidate.is_file():
            return f"sqlite:///{candidate.resolve()}"
    raise FileNotFoundError(f"no SQLite database at {path} (looked in {', '.join(str(c) for c in candidates)}); "
                            "run `auction-monitor demo` or set AUCTION_MONITOR_DB")


def safe_url(url: str) -> str:
    """A database URL fit to print: the password, if any, is masked."""
    return make_url(normalize_url(url)).render_as_string(hide_password=True)


def default_evidence_dir(db_url: str) -> Path | None:
    """The ``evidence`` folder next to a SQLite database (the demo's layout), when it exists."""
    parsed = make_url(normalize_url(db_url))
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    folder = Path(parsed.database).resolve().parent / "evidence"
    return folder if folder.is_dir() else None


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


def format_vnd(amount: float | int | None) -> str:
    """An amount in đồng with Vietnamese digit grouping ("1.800.000.000"); "không rõ" when unknown."""
    if amount is None or amount != amount:  # None or NaN
        return "không rõ"
    return f"{amount:,.0f}".replace(",", ".")


def province_label(code: str | None) -> str:
    """Vietnamese display name of a post-2025 province code; the code itself when unknown, "(không rõ)" when empty."""
    if not code:
        return "(không rõ)"
    from vntext.provinces import province_by_code

    try:
        return province_by_code(code).name
    except (KeyError, LookupError, ValueError):
        return code


def frame(rows: Iterable[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """A DataFrame with exactly ``columns`` in order, even when there are no rows."""
    return pd.DataFrame(list(rows), columns=columns)


PERIOD_ALIASES = {"D": "D", "W": "W-SUN", "M": "M", "MS": "M", "ME": "M", "Q": "Q", "Y": "Y"}


def period_alias(freq: str) -> str:
    """The pandas period alias for a frequency name: "W" is weeks Monday–Sunday, "M"/"MS"/"ME" months."""
    if freq not in PERIOD_ALIASES:
        raise ValueError(f"freq must be one of {', '.join(PERIOD_ALIASES)}")
    return PERIOD_ALIASES[freq]


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
