"""End-to-end dgts crawls against the portal simulator on 127.0.0.1 (real notices, simulated days)."""

from __future__ import annotations

import copy
from collections import Counter
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from am_testing import crawl_dgts
from crawler.simulator import PortalSimulator
from storage.models import AuctionNotice, ChangeEvent, CrawlRun, Lot, RawResponse, Record, Snapshot

DAY1 = datetime.fromisoformat("2026-06-30T20:00:00+07:00")
DAY2 = datetime.fromisoformat("2026-07-01T20:00:00+07:00")


def events(ctx, run_id=None) -> Counter:
    with ctx.session() as s:
        q = select(ChangeEvent.event, ChangeEvent.record_key)
        if run_id is not None:
            q = q.where(ChangeEvent.run_id == run_id)
        return Counter((e, k) for e, k in s.execute(q))


@pytest.fixture
def june_docs(real_notice_docs):
    return [d for d in real_notice_docs
            if d["list_item"]["publishTime1"] >= int(datetime.fromisoformat("2026-06-29T00:00:00+07:00").timestamp() * 1000)]


def test_crawl_stores_every_notice_with_every_field(app_ctx, june_docs):
    with PortalSimulator(june_docs, clock=DAY2) as sim:
        runs = crawl_dgts(app_ctx, sim, since=date(2026, 6, 29), until=date(2026, 7, 1))
    assert [r["status"] for r in runs] == ["complete"]
    assert runs[0]["counters"]["new"] == len(june_docs) == 103
    by_id = {d["id"]: d for d in june_docs}
    with app_ctx.session() as s:
        snaps = {int(sn.record_key): sn.document for sn in s.scalars(select(Snapshot))}
        assert set(snaps) == set(by_id)
        for rid, doc in snaps.items():
            src = by_id[rid]
            assert doc["list_item"] == src["list_item"]
            assert doc["property_info"] == src["property_info"]
            assert doc["publish_history"] == src["publish_history"]
            # every detail field the portal returned is kept; only the per-fetch linkFile token differs
            for key, value in src["detail"].items():
                if key != "listFile":
                    assert doc["detail"][key] == value
            assert [f["fileName"] for f in doc["detail"]["listFile"]] == [f["fileName"] for f in src["detail"]["listFile"]]
        assert s.scalar(select(func.count()).select_from(AuctionNotice)) == 103
        assert s.scalar(select(func.count()).select_from(Lot)) == sum(len(d["property_info"]) for d in june_docs)


def test_list_requests_use_the_portal_parameters(app_ctx, june_docs):
    with PortalSimulator(june_docs, clock=DAY2) as sim:
        crawl_dgts(app_ctx, sim, since=date(2026, 6, 30), until=date(2026, 6, 30))
        lists = [r for r in sim.request_log if r.path == "/portal/search/auction-notice"]
        details = Counter(r.path for r in sim.request_log if r.path != "/portal/search/auction-notice")
    q = {k: v[0] for k, v in lists[0].params.items()}
    assert q["typeOrder"] == "2"
    assert q["startPublishDate"] == q["endPublishDate"] == "30/06/2026"
    assert q["numberPerPage"] == "100" and q["p"] == "1"
    assert len(lists) == 1  # 97 notices fit one page of 100
    for path in ("/portal/propertyInfo", "/portal/viewDetailAuctionInfo", "/portal/pageAuctionInfoPublish2",
                 "/portal/pageAuctionInfoCorrections"):
        assert details[path] == 97
    # attachments by policy (pdf, doc, docx): one download per listed file of those types
    wanted = sum(1 for d in june_docs if d["list_item"]["publishTime1"] < 1782838800000
                 for f in d["detail"]["listFile"] if f["fileName"].lower().rsplit(".", 1)[-1] in ("pdf", "doc", "docx"))
    assert details["/portal/downloadFile"] == wanted


def test_every_response_is_kept_as_evidence(app_ctx, june_docs):
    with PortalSimulator(june_docs, clock=DAY2) as sim:
        crawl_dgts(app_ctx, sim, since=date(2026, 7, 1), until=date(2026, 7, 1))
        n_requests = len(sim.request_log)
    with app_ctx.session() as s:
        raws = s.scalars(select(RawResponse)).all()
        assert len(raws) == n_requests
        for r in raws:
            assert app_ctx.evidence.get(r.sha256)  # hash-checked read
            assert r.fetched_at is not None and r.url.startswith("http://127.0.0.1")
            # real notices carry no file bytes, so their downloads answer 404 - and that answer is kept too
            assert r.status == 200 or (r.endpoint == "dgts.file" and r.status == 404)
        snap = s.scalars(select(Snapshot)).first()
        assert set(snap.raw_response_ids) <= {r.id for r in raws} and len(snap.raw_response_ids) == 5


def test_second_run_fetches_no_details_for_unchanged_notices(app_ctx, june_docs):
    with PortalSimulator(june_docs, clock=DAY2) as sim:
        crawl_dgts(app_ctx, sim, since=date(2026, 6, 30), until=date(2026, 7, 1))
        sim.request_log.clear()
        runs = crawl_dgts(app_ctx, sim, since=date(2026, 6, 30), until=date(2026, 7, 1))
        paths = Counter(r.path for r in sim.request_log)
    assert paths == {"/portal/search/auction-notice": 2}  # the minimum: one list page per day
    assert runs[0]["counters"]["unchanged"] == 103 and runs[0]["counters"].get("new", 0) == 0


def test_multi_day_replay_gives_the_exact_events(app_ctx, june_docs):
    edited, taken_down, reposted = 593406, 593409, 593415
    correction = copy.deepcopy(next(d for d in june_docs if d["id"] == 593416))
    correction["id"] = correction["list_item"]["id"] = 593990
    correction["list_item"]["publishTime1"] = int(datetime.fromisoformat("2026-07-01T09:00:00+07:00").timestamp() * 1000)
    correction["publish_history"] = [{"auctionInfoId": 593990, "rootID": 593416,
                                      "strLevelCorrection": "Thông báo công khai lần 1",
                                      "publishTime1": correction["list_item"]["publishTime1"], "publishTime2": None}]
    with PortalSimulator(june_docs, clock=DAY1) as sim:
        r1 = crawl_dgts(app_ctx, sim, since=date(2026, 6, 29), until=date(2026, 6, 30))[0]
        sim.set_clock(DAY2)
        sim.edit("dgts.auction_notice", edited, "list_item.aucRegTimeEnd", 1785232800000)
        sim.take_down("dgts.auction_notice", taken_down)
        sim.publish_second(reposted)
        sim.add_document(correction)
        r2 = crawl_dgts(app_ctx, sim, since=date(2026, 6, 29), until=date(2026, 7, 1))[0]
        r3 = crawl_dgts(app_ctx, sim, since=date(2026, 6, 29), until=date(2026, 7, 1))[0]
        sim.restore("dgts.auction_notice", taken_down)
        r4 = crawl_dgts(app_ctx, sim, since=date(2026, 6, 29), until=date(2026, 7, 1))[0]
    assert (r1["status"], r2["status"], r3["status"], r4["status"]) == ("complete",) * 4
    e1 = events(app_ctx, r1["run_id"])
    assert sum(n for (e, _), n in e1.items() if e == "NEW") == 97 and set(e for e, _ in e1) == {"NEW"}
    e2 = events(app_ctx, r2["run_id"])
    assert e2[("CHANGED", str(edited))] == 1 and e2[("WINDOW_CHANGED", str(edited))] == 1
    assert e2[("DELISTED", str(taken_down))] == 1
    assert e2[("SECOND_PUBLICATION", str(reposted))] == 1
    assert e2[("NEW", "593990")] == 1 and e2[("CORRECTION", "593990")] == 1
    new_on_day2 = {k for (e, k) in e2 if e == "NEW"}
    assert new_on_day2 == {"593990", "593584", "593942", "593945", "593948", "593949", "593950"}
    assert not any(e == "REMOVED" for e, _ in e2)
    e3 = events(app_ctx, r3["run_id"])
    assert {(e, k) for (e, k) in e3} == {("REMOVED", str(taken_down))}  # second complete miss + empty detail
    e4 = events(app_ctx, r4["run_id"])
    assert ("REAPPEARED", str(taken_down)) in e4
    with app_ctx.session() as s:
        rec = s.scalar(select(Record).where(Record.record_key == str(taken_down)))
        assert rec.status == "active"
        changed = s.scalar(select(ChangeEvent).where(ChangeEvent.event == "CHANGED",
                                                     ChangeEvent.record_key == str(edited)))
        assert changed.field == "list_item.aucRegTimeEnd" and changed.new_value == "1785232800000"


@pytest.mark.parametrize("spec, counter", [
    ("429:next=3;retry_after=0", "http_429"),
    ("5xx:next=3;status=503", "http_503"),
    ("truncate:next=2", None),
])
def test_transient_faults_are_retried_and_nothing_is_lost(app_ctx, june_docs, spec, counter):
    from crawler.simulator import FaultPlan

    with PortalSimulator(june_docs, clock=DAY2, faults=FaultPlan.from_spec(spec)) as sim:
        run = crawl_dgts(app_ctx, sim, since=date(2026, 7, 1), until=date(2026, 7, 1))[0]
    assert run["status"] == "complete"
    assert run["counters"]["new"] == 6
    if counter:
        assert run["counters"][counter] >= 1


def test_timeout_is_retried(tmp_path, june_docs):
    from am_testing import make_app_context
    from crawler.simulator import FaultPlan

    ctx = make_app_context(tmp_path, **{"portals.dgts.timeout_s": 1.0})
    with PortalSimulator(june_docs, clock=DAY2, faults=FaultPlan.from_spec("timeout:next=1;seconds=3")) as sim:
        run = crawl_dgts(ctx, sim, since=date(2026, 7, 1), until=date(2026, 7, 1))[0]
    assert run["status"] == "complete" and run["counters"]["new"] == 6
    assert run["counters"]["network_errors"] >= 1


def test_challenge_page_blocks_the_source_and_stores_no_garbage(app_ctx, june_docs):
    from crawler.simulator import FaultPlan

    with PortalSimulator(june_docs, clock=DAY2, faults=FaultPlan(js_challenge=True)) as sim:
        run = crawl_dgts(app_ctx, sim, since=date(2026, 7, 1), until=date(2026, 7, 1))[0]
    assert run["status"] == "blocked"
    assert "fec" in run["message"].lower() or "html" in run["message"].lower()
    with app_ctx.session() as s:
        assert s.scalar(select(func.count()).select_from(Record)) == 0
        ev = s.scalars(select(ChangeEvent)).all()
        assert [(e.event, e.record_key) for e in ev] == [("CHECK_FAILED", "*")]
        # the challenge page itself is kept as evidence of the block
        raw = s.scalars(select(RawResponse)).first()
        assert b"_fec_sbu" in app_ctx.evidence.get(raw.sha256)


def test_renamed_fields_fail_the_run_instead_of_storing_half_records(app_ctx, june_docs):
    from crawler.simulator import FaultPlan

    with PortalSimulator(june_docs, clock=DAY2, faults=FaultPlan.from_spec("renamed")) as sim:
        run = crawl_dgts(app_ctx, sim, since=date(2026, 7, 1), until=date(2026, 7, 1))[0]
    assert run["status"] == "failed"
    assert "shape" in run["message"]
    with app_ctx.session() as s:
        assert s.scalar(select(func.count()).select_from(Record)) == 0
        assert s.scalar(select(CrawlRun.status)) == "failed"


def test_take_down_during_an_access_error_is_never_a_removal(app_ctx, june_docs):
    from crawler.simulator import FaultPlan

    with PortalSimulator(june_docs, clock=DAY2) as sim:
        crawl_dgts(app_ctx, sim, since=date(2026, 7, 1), until=date(2026, 7, 1))
        sim.faults = FaultPlan.from_spec("5xx:next=50;status=502")
        run = crawl_dgts(app_ctx, sim, since=date(2026, 7, 1), until=date(2026, 7, 1))[0]
    assert run["status"] == "partial"
    with app_ctx.session() as s:
        assert s.scalar(select(func.count()).select_from(Record).where(Record.status != "active")) == 0
        assert not s.scalars(select(ChangeEvent).where(ChangeEvent.event.in_(("DELISTED", "REMOVED")))).all()
