"""Selection-notice and selection-result endpoints, served from made-up documents."""

from __future__ import annotations

import hashlib
from datetime import datetime
from urllib.parse import quote

import pytest

from crawler.simulator import ICT

AFTER_ALL = datetime(2026, 7, 1, tzinfo=ICT)


@pytest.fixture
def sim(start_sim, made_up_selection_documents):
    return start_sim(made_up_selection_documents, clock=AFTER_ALL)


@pytest.fixture
def notices(made_up_selection_documents):
    return [d for d in made_up_selection_documents if d["kind"] == "dgts.selection_notice"]


@pytest.fixture
def results(made_up_selection_documents):
    return [d for d in made_up_selection_documents if d["kind"] == "dgts.selection_result"]


def test_notice_list_is_sorted_by_last_updated_desc(sim, http_get, notices):
    body = http_get(f"{sim.base_url}/ThongTin/getInfoSelectAuctionOrg?p=1&numberPerPage=20").json()
    expected = [d["id"] for d in sorted(notices, key=lambda d: d["list_item"]["lastUpdated"], reverse=True)]
    assert [item["id"] for item in body["items"]] == expected
    assert body["rowCount"] == len(notices)


def test_notice_publish_date_filter_uses_last_updated(sim, http_get):
    body = http_get(f"{sim.base_url}/ThongTin/getInfoSelectAuctionOrg?p=1&startPublishDate=02/06/2026"
                    "&endPublishDate=03/06/2026").json()
    assert sorted(item["id"] for item in body["items"]) == [105861, 105862]


def test_notice_receive_window_filter_from_to(sim, http_get, notices):
    expected = {d["id"] for d in notices if d["list_item"]["receiveTimeStart"] >= int(
        datetime(2026, 6, 12, tzinfo=ICT).timestamp() * 1000)}
    body = http_get(f"{sim.base_url}/ThongTin/getInfoSelectAuctionOrg?p=1&fromDate=12/06/2026").json()
    assert {item["id"] for item in body["items"]} == expected


def test_notice_receive_window_accepts_start_end_names(sim, http_get):
    body = http_get(f"{sim.base_url}/ThongTin/getInfoSelectAuctionOrg?p=1&endDate=13/06/2026").json()
    assert sorted(item["id"] for item in body["items"]) == [105860, 105861]


def test_notice_owner_filter(sim, http_get, notices):
    expected = {d["id"] for d in notices if "thi hành án" in d["list_item"]["ownerFullname"].lower()}
    body = http_get(f"{sim.base_url}/ThongTin/getInfoSelectAuctionOrg?p=1&ownerFullname="
                    f"{quote('thi hành án')}").json()
    assert {item["id"] for item in body["items"]} == expected


def test_selection_detail_is_an_envelope_with_one_item(sim, http_get, notices):
    body = http_get(f"{sim.base_url}/ThongTin/getDetailSelectOrgAuction?id=105862").json()
    assert body["items"] == [next(d["detail"] for d in notices if d["id"] == 105862)]


def test_selection_properties_are_a_bare_array(sim, http_get, notices):
    body = http_get(f"{sim.base_url}/ThongTin/getDetailPropertyInfo?noticeID=105863").json()
    assert body == next(d["properties"] for d in notices if d["id"] == 105863)


def test_edit_notice_files_download_from_the_thong_tin_prefix(sim, http_get):
    body = http_get(f"{sim.base_url}/ThongTin/getInfoEditNotice?id=105861").json()
    assert body["notice"]["id"] == 105861
    token = body["listFileNotice"][0]["linkFile"]
    assert "content_b64" not in body["listFileNotice"][0]
    result = http_get(f"{sim.base_url}/ThongTin/downloadFile?linkFile={quote(token)}")
    assert result.status == 200 and result.body == b"%PDF-1.4 criteria"
    assert http_get(f"{sim.base_url}/portal/downloadFile?linkFile={quote(token)}").status == 404


def test_unknown_selection_ids_give_empty_shapes(sim, http_get):
    assert http_get(f"{sim.base_url}/ThongTin/getDetailSelectOrgAuction?id=1").json()["items"] == []
    assert http_get(f"{sim.base_url}/ThongTin/getDetailPropertyInfo?noticeID=1").json() == []
    assert http_get(f"{sim.base_url}/ThongTin/getInfoEditNotice?id=1").json()["listFileNotice"] == []


def test_result_list_is_in_a_stable_hash_order_not_time_order(sim, http_get, results):
    url = f"{sim.base_url}/ThongTin/getResultSelectAuctionOrg?p=1&numberPerPage=50"
    first = [item["id"] for item in http_get(url).json()["items"]]
    assert first == [item["id"] for item in http_get(url).json()["items"]]
    assert first == sorted((d["id"] for d in results), key=lambda i: hashlib.sha256(str(i).encode()).hexdigest())
    by_time = [d["id"] for d in sorted(results, key=lambda d: d["list_item"]["publishTime"], reverse=True)]
    assert first != by_time


def test_result_list_ignores_date_parameters(sim, http_get, results):
    body = http_get(f"{sim.base_url}/ThongTin/getResultSelectAuctionOrg?p=1&startPublishDate=01/06/2026"
                    "&endPublishDate=01/06/2026&orgID=5").json()
    assert body["rowCount"] == len(results)


def test_result_owner_filter(sim, http_get):
    body = http_get(f"{sim.base_url}/ThongTin/getResultSelectAuctionOrg?p=1&ownerFullname={quote('sở thử')}").json()
    assert sorted(item["id"] for item in body["items"]) == [25943, 25944, 25945]


def test_result_detail_objects(sim, http_get, results):
    document = next(d for d in results if d["id"] == 25941)
    assert http_get(f"{sim.base_url}/ThongTin/getInfoOwner?id=25941").json() == document["owner"]
    assert http_get(f"{sim.base_url}/ThongTin/getDetaiResultHistory?resultID=25941").json() == document["history"]
    assert http_get(f"{sim.base_url}/ThongTin/getInfoResult?resultID=25941").json() == document["info"]


def test_unknown_result_history_is_empty(sim, http_get):
    assert http_get(f"{sim.base_url}/ThongTin/getDetaiResultHistory?resultID=7").json() == {"orgInfo": None,
                                                                                              "property": []}
