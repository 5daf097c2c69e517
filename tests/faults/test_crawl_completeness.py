"""A hostile dgts portal (the simulator on 127.0.0.1 with fault plans) that answers one notice's detail with errors
run after run, sends malformed list items and counts that are not numbers or absurd, and answers slowly: no
notice is lost in silence. Every listed item is stored or quarantined with its reason, a day stays in the crawl
window until that holds, a notice that stays unreadable is retried every run and named to the operator after
``crawl.unreadable_alert_after_runs`` runs, lists are bounded by ``crawl.max_list_pages`` and crawls by
``crawl.time_budget_s``, and the daily job's exit status and summary say when a crawl was partial.
Each test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import copy
import time
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from am_testing import crawl_dgts, make_app_context
from crawler.simulator import FaultPlan, PortalSimulator
from crawler.simulator.faults import Trigger
from service.daily import DailyOptions, daily_run
from storage.models import Alert, ChangeEvent, CrawlRun, Record

DAY = date(2026, 7, 1)
CLOCK = datetime.fromisoformat("2026-07-01T20:00:00+07:00")
DAY_START_MS = int(datetime.fromisoformat("2026-07-01T00:00:00+07:00").timestamp() * 1000)
LIST = "/portal/search/auction-notice"


@pytest.fixture
def day_docs(real_notice_docs):
    """The six real notices first published on 01/07/2026."""
    docs = [d for d in real_notice_docs if d["list_item"]["publishTime1"] >= DAY_START_MS]
    assert len(docs) == 6
    return docs


def today_is(monkeypatch, day: date) -> None:
    """The crawl window is planned from "today" (Vietnam time): pin it."""
    moment = datetime(day.year, day.month, day.day, 13, 0, tzinfo=timezone.utc)
    monkeypatch.setattr("crawler.runner.utcnow", lambda: moment)


def context(tmp_path, db_url, **overrides):
    return make_app_context(tmp_path, db_url=db_url, **{
        "portals.dgts.kinds": ["auction"], "portals.dgts.backfill_start": DAY, "portals.dgts.lookback_days": 1,
        "portals.dgts.max_retries": 1, "attachments.download": False, **overrides})


def malformed(n: int, list_id, at_ms: int) -> dict:
    """A MADE-UP list item whose id is not a record id (the simulator keys it by its own document id)."""
    return {"kind": "dgts.auction_notice", "id": 9_200_000 + n,
            "list_item": {"id": list_id, "propertyName": f"Tài sản giả lập {n} (dữ liệu giả lập)",
                          "publishTime1": at_ms, "fullname": "Chủ tài sản giả lập"},
            "detail": {}, "property_info": [], "publish_history": [], "corrections": []}


def crawl_plan(*args, **kwargs):
    from crawler.runner import crawl_plan

    return crawl_plan(*args, **kwargs)


def quarantined(ctx) -> dict:
    from storage.models import QuarantinedItem

    with ctx.session() as s:
        return {q.item_key: q for q in s.scalars(select(QuarantinedItem))}


def record_keys(ctx) -> set[str]:
    with ctx.session() as s:
        return set(s.scalars(select(Record.record_key)))


def last_run(ctx) -> CrawlRun:
    with ctx.session() as s:
        return s.scalars(select(CrawlRun).where(CrawlRun.source == "dgts").order_by(CrawlRun.id.desc())).first()


def operator_alerts(ctx, kind_label: str) -> list[Alert]:
    with ctx.session() as s:
        return [a for a in s.scalars(select(Alert).where(Alert.kind == "operator")) if kind_label in a.subject]


def test_a_notice_whose_detail_keeps_failing_is_quarantined_retried_every_run_and_named(
        any_db, tmp_path, monkeypatch, day_docs):
    ctx = context(tmp_path, any_db)  # crawl.unreadable_alert_after_runs: 3 by default
    victim = str(day_docs[0]["id"])
    broken = FaultPlan(server_error=Trigger(every=1, endpoints=("/portal/viewDetailAuctionInfo",),
                                            queries=(f"auctionInfoId={victim}",)),
                       server_error_status=500, server_error_retry_after=None)
    with PortalSimulator(day_docs, clock=CLOCK, faults=broken) as sim:
        today_is(monkeypatch, DAY)
        first = daily_run(ctx, DailyOptions(dgts_url=sim.base_url, thads_url=sim.base_url, thads_sites=["binhdinh"],
                                            retry_base_delay=0.02))
        # The job says the crawl was partial, exits with failure, and the operator is told.
        assert not first.ok
        assert first.stages["crawl"]["status"] == "partial"
        assert any("partial" in f and victim in f for f in first.failures), first.failures
        assert operator_alerts(ctx, "chưa đầy đủ")
        q = quarantined(ctx)[victim]
        assert q.status == "open" and q.retryable and "HTTP 500" in q.reason and q.failed_runs == 1
        assert victim not in record_keys(ctx) and len(record_keys(ctx)) == 5
        run = last_run(ctx)
        assert run.status == "partial" and f"dgts.auction_notice:{DAY.isoformat()}" in run.complete_lists

        # Later runs: by the third one the day has left the look-back window after the last complete day, yet
        # the notice is fetched again on every run.
        for n, later in enumerate((DAY + timedelta(days=2), DAY + timedelta(days=4)), start=2):
            today_is(monkeypatch, later)
            planned = crawl_plan(ctx.db_url, "dgts", 1, DAY, record_kind="dgts.auction_notice")[2]
            assert (DAY in planned) == (n == 2)
            before = sim.request_log.count("/portal/viewDetailAuctionInfo")
            runs = crawl_dgts(ctx, sim)
            assert runs[0]["status"] == "partial" and victim in runs[0]["message"]
            assert sim.request_log.count("/portal/viewDetailAuctionInfo") > before
            assert quarantined(ctx)[victim].failed_runs == n
        assert runs[0]["counters"]["retried"] == 1
        named = operator_alerts(ctx, "không đọc được")
        assert len(named) == 1 and victim in named[0].subject and "3 lần" in named[0].subject

        sim.faults = FaultPlan()  # the portal answers again: the notice is stored and leaves quarantine
        today_is(monkeypatch, DAY + timedelta(days=6))
        runs = crawl_dgts(ctx, sim)
    assert runs[0]["status"] == "complete", runs
    assert victim in record_keys(ctx)
    assert quarantined(ctx)[victim].status == "resolved"
    with ctx.session() as s:
        assert s.scalar(select(func.count()).select_from(ChangeEvent).where(
            ChangeEvent.event == "CHECK_FAILED", ChangeEvent.record_key == victim)) == 3


def test_malformed_list_items_are_quarantined_one_by_one_and_the_rest_of_the_day_is_stored(
        any_db, tmp_path, monkeypatch, day_docs):
    bad_ids = ["abc", True, -5, 593515.5]
    late = max(d["list_item"]["publishTime1"] for d in day_docs) + 60_000
    docs = day_docs + [malformed(n, list_id, late + n) for n, list_id in enumerate(bad_ids)]
    ctx = context(tmp_path, any_db, **{"portals.dgts.page_size": 2})  # 10 items on 5 pages, bad ones first
    with PortalSimulator(docs, clock=CLOCK) as sim:
        runs = crawl_dgts(ctx, sim, since=DAY, until=DAY)
        pages = sim.request_log.count(LIST)
        assert runs[0]["status"] == "partial" and "quarantined" in runs[0]["message"]
        assert pages == 5  # the pages after the malformed items were all read
        assert record_keys(ctx) == {str(d["id"]) for d in day_docs}  # no "1", "-5" or "593515"
        q = quarantined(ctx)
        assert len(q) == 4 and all(not r.retryable and r.list_name == DAY.isoformat() for r in q.values())
        reasons = sorted(r.reason for r in q.values())
        assert all("id is not a positive integer" in r for r in reasons), reasons
        assert any('"abc"' in r for r in reasons) and any("593515.5" in r for r in reasons)
        assert f"dgts.auction_notice:{DAY.isoformat()}" in last_run(ctx).complete_lists  # every item accounted
        # Seen again, they are known quarantined items: the rerun is complete and adds nothing.
        runs = crawl_dgts(ctx, sim, since=DAY, until=DAY)
    assert runs[0]["status"] == "complete", runs
    assert len(quarantined(ctx)) == 4


def test_a_row_count_that_is_not_a_number_keeps_the_day_in_the_window(any_db, tmp_path, monkeypatch, day_docs):
    ctx = context(tmp_path, any_db, **{"portals.dgts.page_size": 4})
    junk = FaultPlan(envelope={"rowCount": "nhiều", "pageCount": None})
    with PortalSimulator(day_docs, clock=CLOCK, faults=junk) as sim:
        runs = crawl_dgts(ctx, sim, since=DAY, until=DAY)
        assert sim.request_log.count(LIST) == 2  # read on to the short page
        assert runs[0]["status"] == "partial" and "rowCount is not a count" in runs[0]["message"]
        assert record_keys(ctx) == {str(d["id"]) for d in day_docs}
        assert not last_run(ctx).complete_lists
        sim.faults = FaultPlan()
        later = crawl_dgts(ctx, sim, since=DAY + timedelta(days=2), until=DAY + timedelta(days=3))
    assert later[0]["status"] == "complete"
    # Days later the day is far outside the look-back window after the last complete day, and still planned.
    today_is(monkeypatch, DAY + timedelta(days=7))
    since, until, days = crawl_plan(ctx.db_url, "dgts", 1, DAY, record_kind="dgts.auction_notice")
    assert since == DAY and DAY in days
    assert days == [DAY] + [DAY + timedelta(days=n) for n in range(2, 8)]  # the day after was never planned


def test_an_absurd_row_count_reads_at_most_max_list_pages(any_db, tmp_path, day_docs):
    ctx = context(tmp_path, any_db, **{"crawl.max_list_pages": 4, "portals.dgts.page_size": 2})
    huge = FaultPlan(envelope={"rowCount": 10**9, "pageCount": 5 * 10**8})
    started = time.monotonic()
    with PortalSimulator(day_docs, clock=CLOCK, faults=huge) as sim:
        runs = crawl_dgts(ctx, sim, since=DAY, until=DAY)
        pages = sim.request_log.count(LIST)
    assert time.monotonic() - started < 90
    assert pages == 4
    assert runs[0]["status"] == "partial" and "crawl.max_list_pages" in runs[0]["message"]
    assert not last_run(ctx).complete_lists


def test_the_time_budget_stops_a_slow_crawl_and_its_unread_days_stay_in_the_window(
        any_db, tmp_path, monkeypatch, day_docs):
    ctx = context(tmp_path, any_db, **{"crawl.time_budget_s": 4, "portals.dgts.concurrency": 1})
    slow = FaultPlan(slow=Trigger(every=1), slow_seconds=1.0)
    first_day = DAY - timedelta(days=29)
    started = time.monotonic()
    with PortalSimulator(day_docs, clock=CLOCK, faults=slow) as sim:
        runs = crawl_dgts(ctx, sim, since=first_day, until=DAY)
    assert time.monotonic() - started < 45  # 30 days at a second a page would take well over 30 s
    assert runs[0]["status"] == "partial" and "time budget" in runs[0]["message"]
    done = {n.rsplit(":", 1)[-1] for n in last_run(ctx).complete_lists}
    assert len(done) < 30
    today_is(monkeypatch, DAY)
    days = crawl_plan(ctx.db_url, "dgts", 1, None, record_kind="dgts.auction_notice")[2]
    assert {first_day + timedelta(days=n) for n in range(30)} - {date.fromisoformat(d) for d in done} <= set(days)


def test_the_time_budget_must_be_shorter_than_the_lock(tmp_path):
    from service.config import ConfigError, settings_from_dict

    assert settings_from_dict({"crawl": {"time_budget_s": 1800}, "schedule": {"lock_ttl_s": 3600}})
    with pytest.raises(ConfigError, match="crawl.time_budget_s .* must be shorter than schedule.lock_ttl_s"):
        settings_from_dict({"crawl": {"time_budget_s": 3600}, "schedule": {"lock_ttl_s": 3600}})
    with pytest.raises(ConfigError, match="crawl.max_list_pages"):
        settings_from_dict({"crawl": {"max_list_pages": 0}})


def thads_notices(ids: range) -> list[dict]:
    """MADE-UP THADS notices of one site, one a day (newest = highest id)."""
    return [{"kind": "thads.notice", "site": "binhdinh", "list": "ThongBao", "item_id": n,
             "date": (CLOCK - timedelta(days=20 - (n - ids.start))).strftime("%d/%m/%Y"),
             "title": f"Thông báo bán đấu giá tài sản {n} (dữ liệu giả lập)",
             "body_html": f"<p>Tài sản thi hành án số {n} (dữ liệu giả lập).</p>", "attachments": []} for n in ids]


def thads_keys(ctx) -> set[str]:
    with ctx.session() as s:
        return set(s.scalars(select(Record.record_key).where(Record.record_kind == "thads.notice")))


def test_a_thads_notice_that_cannot_be_read_is_quarantined_and_fetched_again(any_db, tmp_path):
    from am_testing import crawl_thads

    ctx = make_app_context(tmp_path, db_url=any_db)
    broken = FaultPlan(server_error=Trigger(every=1, endpoints=("/binhdinh/noidung/thongbao/Lists/ThongBao/",),
                                            queries=("ItemID=702",)), server_error_retry_after=None)
    with PortalSimulator(thads_notices(range(701, 704)), clock=CLOCK, faults=broken) as sim:
        first = crawl_thads(ctx, sim, ["binhdinh"])
        assert first[0]["status"] == "partial" and "binhdinh/thongbao/702" in first[0]["message"]
        assert thads_keys(ctx) == {"binhdinh/thongbao/701", "binhdinh/thongbao/703"}
        q = quarantined(ctx)["binhdinh/thongbao/702"]
        assert q.retryable and q.url.endswith("ItemID=702") and "HTTP 503" in q.reason
        sim.faults = FaultPlan()
        second = crawl_thads(ctx, sim, ["binhdinh"])
    assert second[0]["status"] == "complete", second
    assert "binhdinh/thongbao/702" in thads_keys(ctx)
    assert quarantined(ctx)["binhdinh/thongbao/702"].status == "resolved"


def test_a_thads_site_pass_cut_short_is_read_past_the_known_items_next_time(any_db, tmp_path):
    from am_testing import crawl_thads

    ctx = make_app_context(tmp_path, db_url=any_db, **{"portals.thads.stop_after_known": 1})
    broken = FaultPlan(server_error=Trigger(every=1, endpoints=("/binhdinh/noidung/thongbao/Lists/ThongBao/",),
                                            queries=("Page=2",)), server_error_retry_after=None)
    with PortalSimulator(thads_notices(range(801, 806)), clock=CLOCK, faults=broken, page_size_thads=2) as sim:
        first = crawl_thads(ctx, sim, ["binhdinh"])
        assert first[0]["status"] == "partial"
        assert thads_keys(ctx) == {"binhdinh/thongbao/805", "binhdinh/thongbao/804"}
        sim.faults = FaultPlan()
        second = crawl_thads(ctx, sim, ["binhdinh"])  # incremental: would stop at the first known item
    assert second[0]["status"] == "complete", second
    assert thads_keys(ctx) == {f"binhdinh/thongbao/{n}" for n in range(801, 806)}


def test_a_thads_site_longer_than_max_pages_is_reported_every_pass(any_db, tmp_path):
    from am_testing import crawl_thads

    ctx = make_app_context(tmp_path, db_url=any_db, **{"portals.thads.max_pages": 2})
    with PortalSimulator(thads_notices(range(901, 906)), clock=CLOCK, page_size_thads=2) as sim:
        runs = crawl_thads(ctx, sim, ["binhdinh"], full=True)
        pages = sim.request_log.count("/binhdinh/noidung/thongbao/Lists/ThongBao/View_Detail.aspx", status=200)
    assert runs[0]["status"] == "partial" and "portals.thads.max_pages (2)" in runs[0]["message"]
    assert len(thads_keys(ctx)) == 4 and pages == 2 + 4  # two list pages and the four items they listed
