"""The auction-notice list endpoint of the simulator, against the 236 real notices."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import pytest

from crawler.simulator import ICT

LIST = "/portal/search/auction-notice"
AFTER_ALL = datetime(2026, 7, 2, 0, 0, tzinfo=ICT)


def local_day(millis: int) -> date:
    return datetime.fromtimestamp(millis / 1000, ICT).date()


@pytest.fixture
def sim(start_sim, real_notices):
    return start_sim(real_notices, clock=AFTER_ALL)


def get_list(sim, http_get, query: str) -> dict[str, Any]:
    result = http_get(f"{sim.base_url}{LIST}?{query}")
    assert result.status == 200
    assert result.headers["Content-Type"].startswith("application/json")
    return result.json()


def test_envelope_has_exactly_the_portal_keys(sim, http_get):
    body = get_list(sim, http_get, "p=1&numberPerPage=100&typeOrder=2")
    assert set(body) == {"items", "rowCount", "pageCount", "numberPerPage", "pageNumber", "pageList"}


def test_row_and_page_counts_match_the_dataset(sim, http_get, real_notices):
    body = get_list(sim, http_get, "p=1&numberPerPage=100")
    assert body["rowCount"] == len(real_notices)
    assert body["pageCount"] == math.ceil(len(real_notices) / 100)
    assert body["numberPerPage"] == 100


def test_pages_are_one_based_and_cover_every_id_once(sim, http_get, real_notices):
    seen: list[int] = []
    for page in (1, 2, 3):
        body = get_list(sim, http_get, f"p={page}&numberPerPage=100&typeOrder=2")
        assert body["pageNumber"] == page
        seen += [item["id"] for item in body["items"]]
    assert sorted(seen) == sorted(doc["id"] for doc in real_notices)


def test_page_past_the_end_is_empty_but_keeps_the_count(sim, http_get, real_notices):
    body = get_list(sim, http_get, "p=99&numberPerPage=100")
    assert body["items"] == []
    assert body["rowCount"] == len(real_notices)


def test_page_list_is_a_window_around_the_page(sim, http_get):
    body = get_list(sim, http_get, "p=10&numberPerPage=5")
    assert body["pageList"] == list(range(6, 18))


def test_default_page_size_is_twenty(sim, http_get):
    assert get_list(sim, http_get, "p=1")["numberPerPage"] == 20


def test_page_size_is_capped_at_1000(sim, http_get, real_notices):
    body = get_list(sim, http_get, "p=1&numberPerPage=5000")
    assert body["numberPerPage"] == 1000
    assert len(body["items"]) == len(real_notices)


def test_items_are_the_documents_list_items(sim, http_get, real_notices):
    by_id = {doc["id"]: doc["list_item"] for doc in real_notices}
    for item in get_list(sim, http_get, "p=1&numberPerPage=30")["items"]:
        assert item == by_id[item["id"]]


def test_type_order_2_is_newest_publication_first(sim, http_get):
    items = get_list(sim, http_get, "p=1&numberPerPage=1000&typeOrder=2")["items"]
    keys = [(item["publishTime2"] or item["publishTime1"]) for item in items]
    assert keys == sorted(keys, reverse=True)


def test_type_order_1_is_latest_auction_time_first(sim, http_get):
    items = get_list(sim, http_get, "p=1&numberPerPage=1000&typeOrder=1")["items"]
    keys = [item["aucTime"] for item in items]
    assert keys == sorted(keys, reverse=True)
    assert keys != [(item["publishTime1"]) for item in items]


def test_publish_date_window_is_inclusive_ict_days(sim, http_get, real_notices):
    expected = {doc["id"] for doc in real_notices
                if date(2025, 9, 17) <= local_day(doc["list_item"]["publishTime1"]) <= date(2025, 9, 18)}
    body = get_list(sim, http_get, "p=1&numberPerPage=1000&startPublishDate=17/09/2025&endPublishDate=18/09/2025")
    assert expected and {item["id"] for item in body["items"]} == expected
    assert body["rowCount"] == len(expected)


def test_single_day_window(sim, http_get, real_notices):
    expected = {doc["id"] for doc in real_notices if local_day(doc["list_item"]["publishTime1"]) == date(2026, 6, 30)}
    body = get_list(sim, http_get, "p=1&numberPerPage=100&startPublishDate=30/06/2026&endPublishDate=30/06/2026")
    assert body["rowCount"] == len(expected)


def test_auction_date_window_filters_auc_time(sim, http_get, real_notices):
    expected = {doc["id"] for doc in real_notices if local_day(doc["list_item"]["aucTime"]) >= date(2026, 7, 10)}
    body = get_list(sim, http_get, "p=1&numberPerPage=1000&startDate=10/07/2026")
    assert expected and {item["id"] for item in body["items"]} == expected


def test_owner_filter_is_a_case_insensitive_substring(sim, http_get, real_notices):
    expected = {doc["id"] for doc in real_notices if "thi hành án" in doc["list_item"]["fullname"].lower()}
    body = get_list(sim, http_get, "p=1&numberPerPage=1000&fullName=THI%20H%C3%80NH%20%C3%81N")
    assert expected and {item["id"] for item in body["items"]} == expected


def test_property_type_filter(sim, http_get, real_notices):
    expected = {doc["id"] for doc in real_notices if doc["list_item"]["propertyTypeId"] == 178}
    body = get_list(sim, http_get, "p=1&numberPerPage=1000&propertyTypeId=178")
    assert expected and {item["id"] for item in body["items"]} == expected


def test_unknown_and_empty_parameters_are_ignored(sim, http_get, real_notices):
    body = get_list(sim, http_get, "p=1&numberPerPage=10&nameAsset=xe&provinceId=&startPublishDate=&fullName=")
    assert body["rowCount"] == len(real_notices)


def test_malformed_date_is_ignored(sim, http_get, real_notices):
    body = get_list(sim, http_get, "p=1&startPublishDate=2026-06-30")
    assert body["rowCount"] == len(real_notices)


def test_list_page_html_carries_fec_scripts(sim, http_get):
    result = http_get(f"{sim.base_url}/thong-bao-cong-khai-viec-dau-gia.html")
    assert result.status == 200
    assert '<script src="/_fec_sbu/fec_wrapper.js">' in result.text
    assert "Thông báo công khai việc đấu giá" in result.text


def test_unknown_dgts_path_is_404(sim, http_get):
    assert http_get(f"{sim.base_url}/portal/noSuchEndpoint").status == 404
