"""Shared helpers of the bad-input tests: a fresh database per hypothesis example (copied from one migrated
template, so an example costs milliseconds, not a migration), document templates, ingest, and a detection run."""

from __future__ import annotations

import copy
import itertools
import json
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from am_testing import real_notices_path

_ids = itertools.count(9_100_000)


def next_id() -> int:
    return next(_ids)


@lru_cache(maxsize=1)
def _template_db() -> Path:
    from storage.db import dispose_engines, ensure_schema

    folder = Path(tempfile.mkdtemp(prefix="am-badinput-schema-"))
    path = folder / "schema.sqlite"
    ensure_schema(f"sqlite:///{path}")
    dispose_engines()
    return path


def fresh_context(folder: Path, **overrides: Any):
    """An AppContext on a new SQLite database (schema at head) under ``folder``."""
    from am_testing import make_app_context

    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "db.sqlite"
    shutil.copy(_template_db(), db)
    return make_app_context(folder, db_url=f"sqlite:///{db}", **overrides)


def new_folder(base: Path) -> Path:
    return Path(tempfile.mkdtemp(dir=base))


@lru_cache(maxsize=1)
def _real_docs() -> tuple[str, ...]:
    return tuple(real_notices_path().read_text(encoding="utf-8").splitlines())


def real_notice(index: int = 0) -> dict[str, Any]:
    """A deep copy of one of the 236 real dgts auction notices, with a fresh id (its own id and its lots')."""
    doc = json.loads(_real_docs()[index])
    return with_id(doc, next_id())


def with_id(doc: dict[str, Any], new_id: int) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    old = doc.get("id")
    doc["id"] = new_id
    if isinstance(doc.get("list_item"), dict):
        doc["list_item"]["id"] = new_id
    for part in ("property_info", "publish_history", "corrections"):
        for row in doc.get(part) or []:
            if isinstance(row, dict) and row.get("auctionInfoId") == old:
                row["auctionInfoId"] = new_id
    return doc


def selection_notice(nid: int) -> dict[str, Any]:
    """A MADE-UP selection notice in the portal dataset format."""
    return {
        "kind": "dgts.selection_notice", "id": nid,
        "list_item": {"id": nid, "propertyName": "Quyền sử dụng đất thửa 12, tờ bản đồ 5 (dữ liệu giả lập)",
                      "lastUpdated": 1780000000000, "receiveTimeStart": 1780100000000, "receiveTimeEnd": 1780300000000},
        "detail": {"id": nid, "ownerFullname": "Thi hành án dân sự tỉnh Minh Họa (dữ liệu giả lập)",
                   "ownerAddress": "Số 1 phố Minh Họa", "addressReceive": "Số 1 phố Minh Họa",
                   "contactInfo": "0123 456 789", "fromDate": 1780100000000, "toDate": 1780300000000,
                   "genDate": 1779990000000},
        "properties": [{"propertyName": "Thửa đất số 12, tờ bản đồ số 5", "propertyAmount": "01",
                        "propertyPlace": "phường Minh Họa", "propertyStartPrice": 1_250_000_000}],
        "edit_notice": {"listFileNotice": [{"idFile": nid * 10, "fileName": "Thông báo.pdf", "linkFile": "x"}],
                        "property": [], "notice": {"id": nid, "title": "Thông báo", "content": "Nội dung"}},
    }


def selection_result(rid: int, notice_id: int) -> dict[str, Any]:
    """A MADE-UP selection result that names ``notice_id``."""
    return {
        "kind": "dgts.selection_result", "id": rid,
        "list_item": {"id": rid, "propertyName": "Quyền sử dụng đất thửa 12 (dữ liệu giả lập)",
                      "orgName": "Công ty Đấu giá hợp danh Minh Họa A", "publishTime": 1780200000000,
                      "ownerFullname": "Thi hành án dân sự tỉnh Minh Họa (dữ liệu giả lập)"},
        "owner": {"fullname": "Thi hành án dân sự tỉnh Minh Họa (dữ liệu giả lập)", "addrOwner": "Phường Minh Họa"},
        "history": {"orgInfo": {"orgName": "Công ty Đấu giá hợp danh Minh Họa A", "addrFull": "Số 2 phố Minh Họa"},
                    "property": [{"propertyName": "Thửa đất số 12", "propertyStartPrice": 1_250_000_000}]},
        "info": {"publishTime": 1780200000000, "choiceOrgID": notice_id,
                 "publishInfo": "Ngày 05/6/2026 chấm điểm và lựa chọn tổ chức đấu giá"},
    }


def thads_notice(item_id: int) -> dict[str, Any]:
    """A MADE-UP THADS notice."""
    return {"kind": "thads.notice", "site": "binhdinh", "list": "ThongBao", "item_id": item_id,
            "title": "Thông báo về việc lựa chọn tổ chức đấu giá tài sản (dữ liệu giả lập)", "date": "05/06/2026",
            "body_html": "<p>Thi hành án dân sự tỉnh Gia Lai thông báo lựa chọn tổ chức đấu giá tài sản: thửa đất số "
                         "12, tờ bản đồ số 5, diện tích 120 m2. Thời gian nộp hồ sơ: từ ngày 06/6/2026 đến hết ngày "
                         "12/6/2026.</p>", "url": f"https://thads.moj.gov.vn/binhdinh/item/{item_id}",
            "attachments": []}


def ingest(ctx, docs: list[dict[str, Any]]) -> None:
    from crawler.ingest import ingest_document
    from storage.timeutil import utcnow

    with ctx.session() as session:
        for doc in docs:
            with session.begin_nested():
                ingest_document(session, doc, run=None, at=utcnow(), evidence=ctx.evidence)


def detect(ctx) -> dict[str, Any]:
    from service.jobs import run_detection

    return run_detection(ctx)
