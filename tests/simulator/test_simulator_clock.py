"""Simulated clock, scheduled and runtime edits, take-downs, second postings and dataset loading."""

from __future__ import annotations

import copy
import json
from datetime import date, datetime, timedelta

import pytest

from crawler.simulator import ICT, DatasetError, PortalSimulator, load_documents

LIST = "/portal/search/auction-notice?p=1&numberPerPage=1000"


def ids(sim, http_get, path: str = LIST) -> list[int]:
    return [item["id"] for item in http_get(sim.base_url + path).json()["items"]]


def local_day(millis: int) -> date:
    return datetime.fromtimestamp(millis / 1000, ICT).date()


@pytest.fixture
def first(real_notices):
    """The earliest published real notice."""
    return min(real_notices, key=lambda d: d["list_item"]["publishTime1"])


def test_only_notices_published_by_the_clock_are_visible(start_sim, http_get, real_notices):
    sim = start_sim(real_notices, clock=datetime(2025, 9, 18, 0, 0, tzinfo=ICT))
    expected = {d["id"] for d in real_notices if local_day(d["list_item"]["publishTime1"]) < date(2025, 9, 18)}
    assert set(ids(sim, http_get)) == expected


def test_advancing_a_day_reveals_that_days_notices(start_sim, http_get, real_notices):
    sim = start_sim(real_notices, clock=datetime(2025, 9, 18, 0, 0, tzinfo=ICT))
    before = set(ids(sim, http_get))
    sim.advance(days=1)
    added = set(ids(sim, http_get)) - before
    assert added == {d["id"] for d in real_notices if local_day(d["list_item"]["publishTime1"]) == date(2025, 9, 18)}


def test_details_of_a_future_notice_are_empty(start_sim, http_get, first):
    sim = start_sim([first], clock=datetime(2025, 1, 1, tzinfo=ICT))
    assert http_get(f"{sim.base_url}/portal/propertyInfo?auctionInfoId={first['id']}").json()["items"] == []


def test_scheduled_edit_applies_from_its_time(start_sim, http_get, first):
    document = copy.deepcopy(first)
    published = datetime.fromtimestamp(first["list_item"]["publishTime1"] / 1000, ICT)
    edit_at = published + timedelta(days=2)
    document["_sim"] = {"edits": [{"at": edit_at.isoformat(), "set": {"list_item.aucRegTimeEnd": 1,
                                                                       "property_info.0.propertyStartPrice": 7}}]}
    sim = start_sim([document], clock=published + timedelta(days=1))
    url = f"{sim.base_url}/portal/propertyInfo?auctionInfoId={first['id']}"
    assert http_get(url).json()["items"][0]["propertyStartPrice"] == first["property_info"][0]["propertyStartPrice"]
    assert http_get(sim.base_url + LIST).json()["items"][0]["aucRegTimeEnd"] == first["list_item"]["aucRegTimeEnd"]
    sim.advance(days=1)
    assert http_get(url).json()["items"][0]["propertyStartPrice"] == 7
    assert http_get(sim.base_url + LIST).json()["items"][0]["aucRegTimeEnd"] == 1


def test_sim_key_is_never_served(start_sim, http_get, first):
    document = copy.deepcopy(first)
    document["_sim"] = {"taken_down_at": "2030-01-01T00:00:00"}
    sim = start_sim([document], clock=datetime(2026, 7, 2, tzinfo=ICT))
    for path in (LIST, f"/portal/viewDetailAuctionInfo?auctionInfoId={first['id']}"):
        assert "_sim" not in http_get(sim.base_url + path).text


def test_scheduled_take_down_and_restore(start_sim, http_get, first):
    document = copy.deepcopy(first)
    document["_sim"] = {"taken_down_at": "2026-01-10T00:00:00+07:00", "restored_at": ["2026-01-20T00:00:00+07:00"]}
    sim = start_sim([document], clock=datetime(2026, 1, 9, tzinfo=ICT))
    url = f"{sim.base_url}/portal/propertyInfo?auctionInfoId={first['id']}"
    assert ids(sim, http_get) == [first["id"]]
    sim.advance(days=2)
    assert ids(sim, http_get) == []
    assert http_get(url).json()["items"] == []
    sim.advance(days=10)
    assert ids(sim, http_get) == [first["id"]]
    assert http_get(url).json()["items"] == first["property_info"]


def test_runtime_take_down_restore_and_edit(start_sim, http_get, real_notices, first):
    sim = start_sim(real_notices, clock=datetime(2026, 7, 2, tzinfo=ICT))
    sim.take_down("dgts.auction_notice", first["id"])
    assert first["id"] not in ids(sim, http_get)
    sim.advance(days=1)
    sim.restore("dgts.auction_notice", first["id"])
    sim.edit("dgts.auction_notice", first["id"], "list_item.fullname", "Chủ tài sản mới")
    item = next(i for i in http_get(sim.base_url + LIST).json()["items"] if i["id"] == first["id"])
    assert item["fullname"] == "Chủ tài sản mới"


def test_runtime_add_document(start_sim, http_get, real_notices, first):
    sim = start_sim([d for d in real_notices if d["id"] != first["id"]], clock=datetime(2026, 7, 2, tzinfo=ICT))
    assert first["id"] not in ids(sim, http_get)
    sim.add_document(first)
    assert first["id"] in ids(sim, http_get)


def test_second_publication_sets_publish_time_2_and_moves_the_notice_up(start_sim, http_get, real_notices, first):
    document = copy.deepcopy(first)
    document["_sim"] = {"second_publication_at": "2026-07-05T09:00:00+07:00"}
    others = [d for d in real_notices if d["id"] != first["id"]]
    sim = start_sim(others + [document], clock=datetime(2026, 7, 5, 8, 0, tzinfo=ICT))
    assert ids(sim, http_get)[-1] == first["id"]
    sim.advance(hours=2)
    top = http_get(sim.base_url + LIST).json()["items"][0]
    assert top["id"] == first["id"]
    assert top["publishTime2"] == int(datetime(2026, 7, 5, 9, 0, tzinfo=ICT).timestamp() * 1000)
    history = http_get(f"{sim.base_url}/portal/pageAuctionInfoPublish2?auctionInfoId={first['id']}&p=0").json()
    assert history["items"][0]["publishTime2"] == top["publishTime2"]


def test_stored_future_publish_time_2_stays_null_until_reached(start_sim, http_get, first):
    document = copy.deepcopy(first)
    later = first["list_item"]["publishTime1"] + 86_400_000
    document["list_item"]["publishTime2"] = later
    sim = start_sim([document], clock=datetime.fromtimestamp(later / 1000 - 3600, ICT))
    assert http_get(sim.base_url + LIST).json()["items"][0]["publishTime2"] is None
    sim.advance(hours=2)
    assert http_get(sim.base_url + LIST).json()["items"][0]["publishTime2"] == later


def test_selection_notice_edit_moves_last_updated(start_sim, http_get, made_up_selection_documents):
    sim = start_sim(made_up_selection_documents, clock=datetime(2026, 6, 20, 10, 0, 0, tzinfo=ICT))
    sim.edit("dgts.selection_notice", 105860, "list_item.receiveTimeEnd", 1781024400000)
    top = http_get(f"{sim.base_url}/ThongTin/getInfoSelectAuctionOrg?p=1").json()["items"][0]
    assert top["id"] == 105860
    assert top["receiveTimeEnd"] == 1781024400000
    assert top["lastUpdated"] == int(datetime(2026, 6, 20, 10, 0, tzinfo=ICT).timestamp() * 1000)


def test_thads_visibility_uses_the_date_at_midnight(start_sim, http_get, made_up_thads_documents):
    sim = start_sim(made_up_thads_documents, clock=datetime(2026, 5, 22, 23, 59, tzinfo=ICT))
    page = http_get(f"{sim.base_url}/binhdinh/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?Page=1").text
    assert "ItemID=22" in page and "ItemID=23" not in page
    sim.advance(minutes=1)
    page = http_get(f"{sim.base_url}/binhdinh/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?Page=1").text
    assert "ItemID=23" in page


def test_default_clock_is_real_time(real_notices):
    sim = PortalSimulator(real_notices)
    assert abs((sim.clock.now() - datetime.now(ICT)).total_seconds()) < 5


def test_load_documents_skips_blank_lines(tmp_path, first):
    path = tmp_path / "docs.jsonl"
    path.write_text("\n" + json.dumps(first, ensure_ascii=False) + "\n\n", encoding="utf-8")
    assert load_documents([path]) == [first]


def test_load_documents_names_file_and_line_of_bad_json(tmp_path, first):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(first) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"bad\.jsonl:2"):
        load_documents([path])


def test_duplicate_and_unknown_kind_are_rejected(first):
    with pytest.raises(DatasetError, match="duplicate"):
        PortalSimulator([first, first])
    with pytest.raises(DatasetError, match="unknown kind"):
        PortalSimulator([{"kind": "dgts.other", "id": 1}])


def test_malformed_sim_schedule_is_rejected(first):
    document = copy.deepcopy(first)
    document["_sim"] = {"edits": [{"at": "yesterday", "set": {"a": 1}}]}
    with pytest.raises(DatasetError, match="bad `_sim` time"):
        PortalSimulator([document])


def test_edit_with_an_impossible_path_is_refused_at_once(start_sim, http_get, first):
    sim = start_sim([first], clock=datetime(2026, 7, 2, tzinfo=ICT))
    with pytest.raises(DatasetError, match="property_info"):
        sim.edit("dgts.auction_notice", first["id"], "property_info.9.deposit", 1)
    assert http_get(f"{sim.base_url}/portal/propertyInfo?auctionInfoId={first['id']}").json()["items"] == first["property_info"]
