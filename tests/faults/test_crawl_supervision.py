"""The crawl child cannot outlive the job, and a child that died fails the job: ``auction-monitor run`` killed
alone (kill -9 of its pid, not its group) takes its crawl child with it; the crawl child killed alone (what the
out-of-memory killer does) makes the job exit 1 with its runs closed as failed and an operator alert; a crawl
over its time limit is killed the same way; the job lock is renewed for as long as the job runs, and manual
crawls take it too. Each test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import copy
import os
import signal
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from am_testing import make_app_context
from crawler.simulator import PortalSimulator
from daily_harness import count, finish, kill_group, make_workdir, start_run, wait_for
from storage.models import Alert, CrawlRun, JobRun
from storage.timeutil import VN_TZ, utcnow

DAY_START_MS = int(datetime.fromisoformat("2026-07-01T00:00:00+07:00").timestamp() * 1000)
YESTERDAY = utcnow().astimezone(VN_TZ).date() - timedelta(days=1)


@pytest.fixture
def slow_portal(real_notice_docs):
    """The six real notices of 01/07/2026 moved to yesterday, each answer half a second late: the daily job's
    crawl (yesterday and today) lasts long enough to be killed, and no longer."""
    shift = (YESTERDAY - date(2026, 7, 1)).days * 86_400_000
    docs = []
    for d in real_notice_docs:
        if d["list_item"]["publishTime1"] >= DAY_START_MS:
            d = copy.deepcopy(d)
            d["list_item"]["publishTime1"] += shift
            d["list_item"].pop("publishTime2", None)
            docs.append(d)
    with PortalSimulator(docs, latency=0.5) as sim:
        yield sim


def workdir(tmp_path: Path, portal: PortalSimulator, db_url: str):
    return make_workdir(tmp_path, portal.base_url, database={"url": db_url},
                        portals={"dgts": {"base_url": portal.base_url, "download_delay_s": 0.0, "concurrency": 1,
                                          "timeout_s": 20.0, "max_retries": 0, "kinds": ["auction"],
                                          "backfill_start": YESTERDAY, "lookback_days": 1},
                                 "thads": {"base_url": portal.base_url, "sites": ["binhdinh"],
                                           "download_delay_s": 0.0}},
                        attachments={"download": False})


def children(pid: int) -> list[int]:
    """Pids whose parent is ``pid`` (from /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def crawl_child(pid: int) -> int | None:
    for child in children(pid):
        try:
            if b"crawler.runner" in Path(f"/proc/{child}/cmdline").read_bytes():
                return child
        except OSError:
            continue
    return None


def test_killing_only_the_run_process_takes_its_crawl_child_with_it(any_db, tmp_path, slow_portal):
    work = workdir(tmp_path, slow_portal, any_db)
    proc = start_run(work)
    try:
        assert wait_for(lambda: crawl_child(proc.pid) is not None, 60), "the crawl child never started"
        child = crawl_child(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)  # the parent alone, as `kill -9 <pid>` does
        proc.wait(timeout=20)
        assert wait_for(lambda: not alive(child), 4), "the crawl child outlived the job"
    finally:
        kill_group(proc)
    # Nothing of the job is left: the next run may take its lock at once.
    from service.locks import acquire_lock, new_holder

    assert acquire_lock(any_db, "daily", 600, new_holder())


def test_a_crawl_child_killed_alone_fails_the_job_and_tells_the_operator(any_db, tmp_path, slow_portal):
    work = workdir(tmp_path, slow_portal, any_db)
    proc = start_run(work)
    try:
        assert wait_for(lambda: count(any_db, CrawlRun) >= 1 and crawl_child(proc.pid), 60)
        os.kill(crawl_child(proc.pid), signal.SIGKILL)  # the out-of-memory killer picks the crawl
        code, out, err = finish(proc)
    finally:
        kill_group(proc)
    assert code == 1, err[-2000:]
    problems = out[out.index("Problems:"):]  # the run's summary names the failure
    assert "FAILED (exit status 1)" in out and "killed by SIGKILL" in problems, out
    from storage.db import session_scope

    with session_scope(any_db) as s:
        runs = list(s.scalars(select(CrawlRun)))
        assert runs and all(r.status != "running" for r in runs)
        assert any(r.status == "failed" and "killed by SIGKILL" in (r.message or "") for r in runs)
        assert [j.status for j in s.scalars(select(JobRun))] == ["failed"]
        subjects = [a.subject for a in s.scalars(select(Alert).where(Alert.kind == "operator"))]
    assert any("Thu thập dữ liệu thất bại" in x for x in subjects), subjects


def test_a_crawl_over_its_time_limit_is_killed_and_reported(any_db, tmp_path, monkeypatch, slow_portal):
    from service.jobs import dgts_specs, run_crawl

    ctx = make_app_context(tmp_path, db_url=any_db, **{"crawl.time_budget_s": 1, "attachments.download": False})
    monkeypatch.setattr("crawler.runner.KILL_GRACE_S", 0.5)  # the child cannot even finish starting in 1.5 s
    started = time.monotonic()
    runs = run_crawl(ctx, dgts_specs(ctx, kinds=["auction"], since=YESTERDAY, until=YESTERDAY,
                                     portal_url=slow_portal.base_url))
    assert time.monotonic() - started < 30
    assert any(r["status"] == "failed" and "overran its time limit" in (r["message"] or "") for r in runs), runs
    with ctx.session() as s:
        assert not list(s.scalars(select(CrawlRun).where(CrawlRun.status == "running")))
        assert any("Tiến trình thu thập dừng bất thường" in a.subject
                   for a in s.scalars(select(Alert).where(Alert.kind == "operator")))


def test_the_lock_is_renewed_for_as_long_as_the_job_runs(any_db):
    from service.locks import acquire_lock, run_locked
    from storage.db import ensure_schema

    ensure_schema(any_db)
    release = threading.Event()
    worker = threading.Thread(target=run_locked, args=(any_db, "daily", 1.0, lambda: release.wait(10)))
    worker.start()
    try:
        time.sleep(2.5)  # well past the 1 s TTL: only renewal keeps the lock ours
        assert not acquire_lock(any_db, "daily", 600, "another-host:4242:abcdef")
    finally:
        release.set()
        worker.join(15)
    assert acquire_lock(any_db, "daily", 600, "another-host:4242:abcdef")  # released at the end


def test_a_manual_crawl_waits_for_no_one_and_never_runs_beside_the_daily_job(any_db, tmp_path):
    from typer.testing import CliRunner

    from service.cli import app
    from service.locks import acquire_lock
    from storage.db import ensure_schema

    ensure_schema(any_db)
    assert acquire_lock(any_db, "daily", 600, "another-host:4242:abcdef")  # a daily job on another machine
    result = CliRunner().invoke(app, ["--db", any_db, "crawl", "dgts", "--kinds", "auction",
                                      "--portal-url", "http://127.0.0.1:9"])
    assert result.exit_code == 2 and "holds the lock" in result.output
    assert count(any_db, CrawlRun) == 0
