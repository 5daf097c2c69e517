"""Notice ids and list items as a hostile portal or dataset may send them. An id is a positive integer: ``true``,
``-5``, ``593515.5``, ``"abc"``, ``0``, ``{"$gt": 1}`` and the rest name no record. A crawl quarantines each such
list item with its reason and stores every other item of the day; a dataset line with such an id is reported and
skipped. Crawl and import run on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from am_testing import crawl_dgts, make_app_context
from badinput_helpers import real_notice
from crawler.simulator import PortalSimulator
from storage.models import Record

DAY = date(2026, 7, 1)
CLOCK = datetime.fromisoformat("2026-07-01T20:00:00+07:00")
DAY_START_MS = int(datetime.fromisoformat("2026-07-01T00:00:00+07:00").timestamp() * 1000)
MAX_ID = 2**53
NOT_IDS = [True, False, -5, 0, 593515.5, "abc", "", "1e3", " ", "-7", "593515; DROP TABLE records", None,
           [593515], {"$gt": 1}, 2**64, float("inf"), "٣٤٥"]
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                      max_size=3), max_leaves=5)


def portal_id(value):
    from crawler.parsers.dgts import portal_id as parse

    return parse(value)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_value_is_a_positive_integer_id_or_none(value):
    got = portal_id(value)
    assert got is None or (type(got) is int and 0 < got <= MAX_ID)
    if isinstance(value, bool) or (isinstance(value, (int, float)) and not 0 < value <= MAX_ID):
        assert got is None
    if isinstance(value, float) and not value.is_integer():
        assert got is None


def test_the_ids_the_portal_writes_and_the_ones_it_must_not():
    assert [portal_id(v) for v in (593515, "593515", 593515.0)] == [593515] * 3
    assert [portal_id(v) for v in NOT_IDS] == [None] * len(NOT_IDS)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_a_list_item_is_crawled_only_when_it_names_a_record(item):
    from crawler.assemble import list_item_problem

    problem = list_item_problem("dgts.auction_notice", item)
    names_a_record = isinstance(item, dict) and portal_id(item.get("id")) is not None
    assert (problem is None) == names_a_record
    assert problem is None or isinstance(problem, str) and len(problem) < 200


def hostile_items(at_ms: int) -> list[dict]:
    """MADE-UP list items whose ids name no record (the simulator keys them by their own document ids)."""
    docs = []
    for n, value in enumerate(v for v in NOT_IDS if v is not None and v != float("inf")):
        item = {"propertyName": f"Tài sản giả lập {n} (dữ liệu giả lập)", "publishTime1": at_ms + n,
                "fullname": "Chủ tài sản giả lập"}
        if n:  # the first has no id at all
            item["id"] = value
        docs.append({"kind": "dgts.auction_notice", "id": 9_300_000 + n, "list_item": item})
    return docs


def test_a_crawl_quarantines_each_item_without_a_record_id_and_stores_the_rest(any_db, tmp_path, real_notice_docs):
    day_docs = [d for d in real_notice_docs if d["list_item"]["publishTime1"] >= DAY_START_MS]
    hostile = hostile_items(max(d["list_item"]["publishTime1"] for d in day_docs) + 1000)
    ctx = make_app_context(tmp_path, db_url=any_db, **{"portals.dgts.page_size": 3, "attachments.download": False})
    with PortalSimulator(day_docs + hostile, clock=CLOCK) as sim:
        runs = crawl_dgts(ctx, sim, since=DAY, until=DAY)
        pages = sim.request_log.count("/portal/search/auction-notice")
    total = len(day_docs) + len(hostile)
    assert pages == -(-total // 3)  # every page was read
    assert runs[0]["status"] == "partial"
    with ctx.session() as s:
        assert set(s.scalars(select(Record.record_key))) == {str(d["id"]) for d in day_docs}
    from storage.models import QuarantinedItem

    with ctx.session() as s:
        quarantined = list(s.scalars(select(QuarantinedItem)))
    assert len(quarantined) == len(hostile)
    assert all(q.status == "open" and not q.retryable and q.reason for q in quarantined)
    assert sum("has no id" in q.reason for q in quarantined) == 1


def test_a_dataset_line_with_an_id_that_is_not_a_positive_integer_is_reported(any_db, tmp_path):
    from crawler.dataset_import import import_dataset

    ctx = make_app_context(tmp_path, db_url=any_db)
    good = real_notice(3)
    bad = []
    for value in (True, -5, 593515.5, "abc", 0):
        doc = real_notice(4)
        doc["id"] = doc["list_item"]["id"] = value
        bad.append(doc)
    data = tmp_path / "ids.jsonl"
    data.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in [good, *bad]) + "\n", encoding="utf-8")
    summary = import_dataset(ctx.session, ctx.evidence, [data])
    assert [e.split(":", 2)[1] for e in summary["errors"]] == ["2", "3", "4", "5", "6"]
    assert all("positive integer id" in e for e in summary["errors"])
    with ctx.session() as s:
        assert set(s.scalars(select(Record.record_key))) == {str(good["id"])}
