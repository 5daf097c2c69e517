"""Auction-notice detail endpoints, linkFile tokens and file downloads."""

from __future__ import annotations

import base64
import copy
import re
from datetime import datetime
from urllib.parse import quote

import pytest

from crawler.simulator import ICT, decode_link

AFTER_ALL = datetime(2026, 7, 2, 0, 0, tzinfo=ICT)
TOKEN_TEXT = re.compile(r"^(/u01/btpdgts/files_upload/\d{8}/CTR_\d+\.dat);"
                        r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} ICT \d{4}$")


def unwrap(token: str) -> str:
    return base64.b64decode(base64.b64decode(token)).decode()


@pytest.fixture
def notice(real_notices):
    return next(doc for doc in real_notices if len(doc["detail"]["listFile"]) >= 2)


@pytest.fixture
def sim(start_sim, real_notices):
    return start_sim(real_notices, clock=AFTER_ALL)


def test_property_info_is_an_envelope_of_the_lots(sim, http_get, notice):
    body = http_get(f"{sim.base_url}/portal/propertyInfo?auctionInfoId={notice['id']}").json()
    assert body["items"] == notice["property_info"]
    assert body["rowCount"] == len(notice["property_info"])


def test_property_info_of_unknown_id_is_empty(sim, http_get):
    body = http_get(f"{sim.base_url}/portal/propertyInfo?auctionInfoId=1").json()
    assert body["items"] == [] and body["rowCount"] == 0


def test_view_detail_is_the_detail_object_with_fresh_links(sim, http_get, notice):
    body = http_get(f"{sim.base_url}/portal/viewDetailAuctionInfo?auctionInfoId={notice['id']}").json()
    assert {k: v for k, v in body.items() if k != "listFile"} == {k: v for k, v in notice["detail"].items()
                                                                  if k != "listFile"}
    assert [f["fileName"] for f in body["listFile"]] == [f["fileName"] for f in notice["detail"]["listFile"]]


def test_link_file_token_has_the_portal_format(sim, http_get, notice):
    body = http_get(f"{sim.base_url}/portal/viewDetailAuctionInfo?auctionInfoId={notice['id']}").json()
    for served, stored in zip(body["listFile"], notice["detail"]["listFile"]):
        match = TOKEN_TEXT.match(unwrap(served["linkFile"]))
        assert match, unwrap(served["linkFile"])
        assert match.group(1) == unwrap(stored["linkFile"]).split(";")[0]


def test_link_file_changes_on_every_fetch(sim, http_get, notice):
    url = f"{sim.base_url}/portal/viewDetailAuctionInfo?auctionInfoId={notice['id']}"
    tokens = [http_get(url).json()["listFile"][0]["linkFile"] for _ in range(3)]
    assert len(set(tokens)) == 3
    assert len({decode_link(token) for token in tokens}) == 1


def test_view_detail_of_unknown_id_has_no_files(sim, http_get):
    assert http_get(f"{sim.base_url}/portal/viewDetailAuctionInfo?auctionInfoId=1").json() == {"listFile": []}


def test_publish_history_is_called_with_p_0(sim, http_get, notice):
    body = http_get(f"{sim.base_url}/portal/pageAuctionInfoPublish2?auctionInfoId={notice['id']}&p=0").json()
    assert body["items"] == notice["publish_history"]
    assert body["pageNumber"] == 0


def test_corrections_are_empty_for_the_real_data(sim, http_get, notice):
    body = http_get(f"{sim.base_url}/portal/pageAuctionInfoCorrections?auctionInfoId={notice['id']}&p=0").json()
    assert body["items"] == notice["corrections"] == []


def test_download_serves_bytes_carried_by_the_document(start_sim, http_get, notice):
    document = copy.deepcopy(notice)
    document["detail"]["listFile"][0]["content_b64"] = base64.b64encode(b"%PDF-1.4 hello").decode()
    document["detail"]["listFile"][0]["content_type"] = "application/pdf"
    sim = start_sim([document], clock=AFTER_ALL)
    detail = http_get(f"{sim.base_url}/portal/viewDetailAuctionInfo?auctionInfoId={notice['id']}").json()
    assert "content_b64" not in detail["listFile"][0]
    result = http_get(f"{sim.base_url}/portal/downloadFile?linkFile={quote(detail['listFile'][0]['linkFile'])}")
    assert result.status == 200
    assert result.body == b"%PDF-1.4 hello"
    assert result.headers["Content-Type"] == "application/pdf"


def test_download_without_bytes_is_404(sim, http_get, notice):
    detail = http_get(f"{sim.base_url}/portal/viewDetailAuctionInfo?auctionInfoId={notice['id']}").json()
    assert http_get(f"{sim.base_url}/portal/downloadFile?linkFile={quote(detail['listFile'][0]['linkFile'])}").status == 404


def test_download_with_a_garbage_token_is_404(sim, http_get):
    assert http_get(f"{sim.base_url}/portal/downloadFile?linkFile=not-a-token").status == 404


def test_auction_file_is_not_served_under_the_selection_prefix(start_sim, http_get, notice):
    document = copy.deepcopy(notice)
    document["detail"]["listFile"][0]["content_b64"] = base64.b64encode(b"x").decode()
    sim = start_sim([document], clock=AFTER_ALL)
    detail = http_get(f"{sim.base_url}/portal/viewDetailAuctionInfo?auctionInfoId={notice['id']}").json()
    assert http_get(f"{sim.base_url}/ThongTin/downloadFile?linkFile={quote(detail['listFile'][0]['linkFile'])}").status == 404
