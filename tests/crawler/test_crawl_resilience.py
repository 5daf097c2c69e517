"""Crawls that are killed half-way, driven through a JavaScript challenge by a real browser, and the other two
dgts lists (selection notices and results, made up: no real payload of those kinds is public)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import asdict
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from am_testing import crawl_dgts, make_app_context
from crawler.simulator import FaultPlan, PortalSimulator
from storage.models import ChangeEvent, RawResponse, Record, SelectionNotice, SelectionResult, Snapshot

DAY2 = datetime.fromisoformat("2026-07-01T20:00:00+07:00")


def state(ctx):
    """What must be identical after a killed-and-rerun crawl and an uninterrupted one."""
    with ctx.session() as s:
        records = sorted((r.record_kind, r.record_key, r.content_hash, r.status) for r in s.scalars(select(Record)))
        snaps = Counter((sn.record_kind, sn.record_key, sn.content_hash) for sn in s.scalars(select(Snapshot)))
        events = Counter((e.event, e.record_key, e.field) for e in s.scalars(select(ChangeEvent)))
    return records, snaps, events


@pytest.fixture
def june30(real_notice_docs):
    lo = int(datetime.fromisoformat("2026-06-30T00:00:00+07:00").timestamp() * 1000)
    return [d for d in real_notice_docs if d["list_item"]["publishTime1"] >= lo]


def test_kill_9_mid_crawl_then_rerun_ends_identical(tmp_path, june30):
    from crawler.runner import _encode
    from service.jobs import dgts_specs

    killed = make_app_context(tmp_path / "killed")
    clean = make_app_context(tmp_path / "clean")
    with PortalSimulator(june30, clock=DAY2, latency=0.01) as sim:
        crawl_dgts(clean, sim, since=date(2026, 6, 30), until=date(2026, 7, 1))
        specs = dgts_specs(killed, kinds=["auction"], since=date(2026, 6, 30), until=date(2026, 7, 1),
                           portal_url=sim.base_url, retry_base_delay=0.02)
        spec_file = tmp_path / "spec.json"
        spec_file.write_text(json.dumps([asdict(s) for s in specs], default=_encode))
        proc = subprocess.Popen([sys.executable, "-m", "crawler.runner", str(spec_file)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline:  # bounded wait until the crawl is well under way
            with killed.session() as s:
                if s.scalar(select(func.count()).select_from(RawResponse)) >= 120:
                    break
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        with killed.session() as s:
            partial_records = s.scalar(select(func.count()).select_from(Record))
        assert partial_records < 103  # it really was cut short
        runs = crawl_dgts(killed, sim, since=date(2026, 6, 30), until=date(2026, 7, 1))
    assert runs[-1]["status"] == "complete"
    assert state(killed) == state(clean)
    with killed.session() as s:
        assert s.scalar(select(func.count()).select_from(Record)) == 103
        # the killed run was closed as failed, not left running
        from storage.models import CrawlRun

        assert [r.status for r in s.scalars(select(CrawlRun).order_by(CrawlRun.id))] == ["failed", "complete"]


@pytest.mark.browser
def test_browser_bootstrap_passes_the_javascript_challenge(tmp_path, june30):
    if not shutil.which("chromium") and not os.path.exists("/usr/bin/chromium"):
        pytest.skip("Debian chromium is not installed")
    ctx = make_app_context(tmp_path, **{"portals.dgts.browser": True})
    with PortalSimulator(june30, clock=DAY2, faults=FaultPlan(js_challenge=True)) as sim:
        run = crawl_dgts(ctx, sim, since=date(2026, 7, 1), until=date(2026, 7, 1))[0]
        # without the browser, the same portal blocks the crawl
        plain = make_app_context(tmp_path / "plain")
        blocked = crawl_dgts(plain, sim, since=date(2026, 7, 1), until=date(2026, 7, 1))[0]
    assert run["status"] == "complete" and run["counters"]["new"] == 6
    assert blocked["status"] == "blocked"


def test_selection_notices_and_results_are_crawled(tmp_path):
    docs = made_up_selection_docs()
    ctx = make_app_context(tmp_path)
    with PortalSimulator(docs, clock=datetime.fromisoformat("2026-06-20T12:00:00+07:00")) as sim:
        runs = crawl_dgts(ctx, sim, kinds=("selection", "result"), since=date(2026, 6, 3), until=date(2026, 6, 20))
        paths = Counter(r.path for r in sim.request_log)
    assert [r["status"] for r in runs] == ["complete", "complete"]
    with ctx.session() as s:
        notices = {n.id: n for n in s.scalars(select(SelectionNotice))}
        results = {r.id: r for r in s.scalars(select(SelectionResult))}
    # the list is newest first by lastUpdated: paging stops at the first notice older than the window
    assert set(notices) == {900003, 900004, 900005}
    assert notices[900004].window_start == date(2026, 6, 10) and notices[900004].window_end == date(2026, 6, 12)
    assert notices[900004].owner_name == "Thi hành án dân sự tỉnh Minh Họa (dữ liệu giả lập)"
    assert notices[900004].address_receive == "Số 1 phố Minh Họa"
    # results: no date filter, every page read, all kept
    assert set(results) == {990001, 990002, 990003}
    assert results[990002].org_name == "Công ty Đấu giá hợp danh Minh Họa A"
    assert results[990002].notice_id == 900004  # a link id, when the portal gives one, is kept
    assert paths["/ThongTin/getDetailSelectOrgAuction"] == 3 and paths["/ThongTin/getDetailPropertyInfo"] == 3
    assert paths["/ThongTin/getInfoOwner"] == 3 and paths["/ThongTin/getDetaiResultHistory"] == 3


def made_up_selection_docs():
    """MADE-UP selection notices and results (labelled in their names)."""

    def ms(text):
        return int(datetime.fromisoformat(text + "+07:00").timestamp() * 1000)

    docs = []
    for n in range(1, 6):
        nid = 900000 + n
        docs.append({
            "kind": "dgts.selection_notice", "id": nid,
            "list_item": {"id": nid, "propertyName": f"Quyền sử dụng đất thửa {n} (dữ liệu giả lập)",
                          "lastUpdated": ms(f"2026-06-0{n}T09:00:00"), "receiveTimeStart": ms(f"2026-06-{6 + n:02d}T00:00:00"),
                          "receiveTimeEnd": ms(f"2026-06-{8 + n:02d}T00:00:00")},
            "detail": {"id": nid, "ownerFullname": "Thi hành án dân sự tỉnh Minh Họa (dữ liệu giả lập)",
                       "addressReceive": "Số 1 phố Minh Họa", "fromDate": ms(f"2026-06-{6 + n:02d}T00:00:00"),
                       "toDate": ms(f"2026-06-{8 + n:02d}T00:00:00"), "genDate": ms(f"2026-06-0{n}T08:00:00")},
            "properties": [{"propertyName": f"Thửa đất số {n}, tờ bản đồ số 7", "propertyAmount": "01",
                            "propertyStartPrice": 100_000_000 * n}],
            "edit_notice": {"listFileNotice": [], "property": [], "notice": {"id": nid, "title": "Thông báo", "content": ""}},
        })
    for n in range(1, 4):
        rid = 990000 + n
        docs.append({
            "kind": "dgts.selection_result", "id": rid,
            "list_item": {"id": rid, "propertyName": f"Quyền sử dụng đất thửa {n + 2} (dữ liệu giả lập)",
                          "orgName": "Công ty Đấu giá hợp danh Minh Họa A", "publishTime": ms(f"2026-06-1{n}T10:00:00"),
                          "ownerFullname": "Thi hành án dân sự tỉnh Minh Họa (dữ liệu giả lập)"},
            "owner": {"fullname": "Thi hành án dân sự tỉnh Minh Họa (dữ liệu giả lập)", "addrOwner": "Phường Minh Họa"},
            "history": {"orgInfo": {"orgName": "Công ty Đấu giá hợp danh Minh Họa A", "addrFull": "Số 2"},
                        "property": [{"propertyName": f"Thửa đất số {n + 2}", "propertyStartPrice": 100_000_000 * (n + 2)}]},
            "info": {"publishTime": ms(f"2026-06-1{n}T10:00:00"), "choiceOrgID": 900002 + n},
        })
    return docs
