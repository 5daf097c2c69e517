"""Fixtures for the portal simulator tests: the 236 real dgts notices, made-up selection/result/THADS
documents, a simulator factory and a tiny stdlib HTTP client that never follows redirects."""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from crawler.simulator import ICT, PortalSimulator, load_documents

REPO = Path(__file__).resolve().parents[2]
NOTICES_FILE = "auction_notices_2025-05_2026-07.jsonl"
_CANDIDATES = [
    Path(os.environ["AUCTION_MONITOR_DATA_DIR"]) / "dgts" / NOTICES_FILE if os.environ.get("AUCTION_MONITOR_DATA_DIR") else None,
    REPO / "tests" / "data" / "dgts" / NOTICES_FILE,
    REPO / "data" / "dgts" / NOTICES_FILE,
    Path("/work/shared/data/dgts") / NOTICES_FILE,
]


@dataclass
class HttpResult:
    status: int
    headers: Any
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, headers: dict[str, str] | None = None, timeout: float = 5.0) -> HttpResult:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return HttpResult(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return HttpResult(error.code, error.headers, error.read())


@pytest.fixture(scope="session")
def real_notices() -> list[dict[str, Any]]:
    """The 236 real dgts auction notices (shared/data/dgts)."""
    for candidate in _CANDIDATES:
        if candidate is not None and candidate.is_file():
            return load_documents([candidate])
    pytest.skip(f"{NOTICES_FILE} not found (set AUCTION_MONITOR_DATA_DIR)")


def ms(text: str) -> int:
    """Epoch ms of an ICT wall time `YYYY-MM-DDTHH:MM`."""
    return int(datetime.fromisoformat(text).replace(tzinfo=ICT).timestamp() * 1000)


@pytest.fixture
def made_up_selection_documents() -> list[dict[str, Any]]:
    """MADE-UP selection notices and results (no real payload of these kinds is public)."""
    notices = []
    for number in range(5):
        notice_id = 105860 + number
        notices.append({
            "kind": "dgts.selection_notice", "id": notice_id,
            "list_item": {"id": notice_id, "propertyName": f"Tài sản thử nghiệm {number}",
                          "lastUpdated": ms(f"2026-06-0{number + 1}T09:00"),
                          "receiveTimeStart": ms(f"2026-06-{10 + number}T00:00"),
                          "receiveTimeEnd": ms(f"2026-06-{12 + number}T00:00"),
                          "ownerFullname": "Thi hành án dân sự tỉnh Thử" if number % 2 else "Ngân hàng Thử"},
            "detail": {"id": notice_id, "ownerFullname": "Cơ quan thử", "addressReceive": "Số 1 phố Thử",
                       "fromDate": ms(f"2026-06-{10 + number}T00:00"), "toDate": ms(f"2026-06-{12 + number}T00:00")},
            "properties": [{"propertyName": f"Lô {number}", "propertyAmount": "01", "propertyStartPrice": 1000 * number}],
            "edit_notice": {"listFileNotice": [{"idFile": 900 + number, "fileName": f"tieu chi {number}.pdf",
                                                "content_b64": base64.b64encode(b"%PDF-1.4 criteria").decode(),
                                                "content_type": "application/pdf"}],
                            "property": [], "notice": {"id": notice_id, "title": "Thông báo", "content": "..."}},
        })
    results = []
    for number in range(6):
        result_id = 25940 + number
        results.append({
            "kind": "dgts.selection_result", "id": result_id,
            "list_item": {"id": result_id, "propertyName": f"Kết quả thử {number}", "orgName": "Tổ chức thử",
                          "publishTime": ms(f"2026-06-0{number + 1}T10:00"),
                          "ownerFullname": "Bệnh viện Thử" if number < 3 else "Sở Thử"},
            "owner": {"fullname": "Bệnh viện Thử", "addrOwner": "Phường Thử"},
            "history": {"orgInfo": {"orgName": "Tổ chức thử", "addrFull": "Số 2", "foneNumber": "0200"},
                        "property": [{"propertyName": f"Kết quả thử {number}", "propertyStartPrice": 5}]},
            "info": {"publishTime": ms(f"2026-06-0{number + 1}T10:00"), "subPropertyName": f"Kết quả thử {number}"},
        })
    return notices + results


@pytest.fixture
def made_up_thads_documents() -> list[dict[str, Any]]:
    """MADE-UP THADS notices: 23 items of binhdinh (dates 01/05 … 23/05/2026) and 1 of longan."""
    documents = []
    for item_id in range(1, 24):
        documents.append({
            "kind": "thads.notice", "site": "binhdinh", "list": "ThongBao", "item_id": item_id,
            "title": f"Thông báo lựa chọn tổ chức đấu giá số {item_id} <thử>",
            "date": f"{item_id:02d}/05/2026",
            "body_html": f"<p>Nội dung thông báo {item_id}</p>",
            "attachments": [{"name": f"Thông báo {item_id}.pdf", "content_type": "application/pdf",
                             "content_b64": base64.b64encode(f"%PDF-1.4 item {item_id}".encode()).decode()}],
        })
    documents.append({"kind": "thads.notice", "site": "longan", "list": "ThongBao", "item_id": 9,
                      "title": "Thông báo Long An", "date": "11/05/2026", "body_html": "<p>LA</p>", "attachments": []})
    return documents


@pytest.fixture
def start_sim() -> Iterator[Callable[..., PortalSimulator]]:
    """Start simulators that are stopped at the end of the test."""
    started: list[PortalSimulator] = []

    def factory(documents: list[dict[str, Any]], **options: Any) -> PortalSimulator:
        simulator = PortalSimulator(documents, **options).start()
        started.append(simulator)
        return simulator

    yield factory
    for simulator in started:
        simulator.stop()


@pytest.fixture
def http_get() -> Callable[..., HttpResult]:
    return fetch
