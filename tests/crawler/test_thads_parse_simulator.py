"""Contract with the portal simulator: the THADS pages it renders (crawler.simulator.thads_pages, served
in-process here, no server) parse into the rows, dates, bodies and attachments of the documents behind them."""

from __future__ import annotations

import base64

import pytest

from crawler.parsers.thads import html_to_text, parse_detail_page, parse_list_page
from crawler.simulator.dataset import DocumentStore
from crawler.simulator.thads_pages import ThadsContext, handle

ORIGIN = "http://127.0.0.1:8123"
LIST_PATH = "/binhdinh/noidung/thongbao/Lists/ThongBao/View_Detail.aspx"


def _documents() -> list[dict]:
    """MADE-UP notices: 7 items, long titles, one attachment each with a Vietnamese name."""
    return [{"kind": "thads.notice", "site": "binhdinh", "list": "ThongBao", "item_id": n,
             "title": f"Thông báo về việc lựa chọn tổ chức đấu giá tài sản của ông Nguyễn Văn Mẫu {n}",
             "date": f"{n:02d}/05/2026",
             "body_html": f"<p>Thời gian nộp hồ sơ: từ ngày 1{n}/05/2026 đến hết ngày 2{n}/05/2026.</p>",
             "attachments": [{"name": f"Thông báo số {n}.pdf", "content_type": "application/pdf",
                              "content_b64": base64.b64encode(b"%PDF-1.4").decode()}]}
            for n in range(1, 8)]


@pytest.fixture(scope="module")
def context() -> ThadsContext:
    return ThadsContext(store=DocumentStore(_documents()), now_ms=1_800_000_000_000, page_size=5,
                        redirect_sites=frozenset())


def test_simulator_list_page(context: ThadsContext) -> None:
    response = handle(context, LIST_PATH, {"Page": ["1"]})
    page = parse_list_page(response.body, f"{ORIGIN}{LIST_PATH}?Page=1")
    assert [(item.item_key[2], item.date.day) for item in page.items] == [(7, 7), (6, 6), (5, 5), (4, 4), (3, 3)]
    assert page.items[0].title == "Thông báo về việc lựa chọn tổ chức đấu giá tài sản của ông Nguyễn Văn Mẫu 7"
    assert page.next_page_url == f"{ORIGIN}{LIST_PATH}?Page=2"


def test_simulator_last_list_page_has_no_next(context: ThadsContext) -> None:
    page = parse_list_page(handle(context, LIST_PATH, {"Page": ["2"]}).body, f"{ORIGIN}{LIST_PATH}?Page=2")
    assert [item.item_key[2] for item in page.items] == [2, 1] and page.next_page_url is None


def test_simulator_detail_page(context: ThadsContext) -> None:
    document = _documents()[2]
    response = handle(context, LIST_PATH, {"ItemID": ["3"]})
    page = parse_detail_page(response.body, f"{ORIGIN}{LIST_PATH}?ItemID=3")
    assert page.title == document["title"]
    assert [d.strftime("%d/%m/%Y") for d in page.dates] == [document["date"]]
    assert page.body_text.splitlines()[0] == html_to_text(document["body_html"])
    assert [a.name_decoded for a in page.attachments] == ["Thông báo số 3.pdf"]
    assert page.attachments[0].url.startswith(f"{ORIGIN}/binhdinh/noidung/thongbao/Lists/ThongBao/Attachments/3/")
