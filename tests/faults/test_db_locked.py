"""The SQLite database locked by another connection for longer than the busy timeout (``?timeout=0.3`` on the URL)
in the middle of an import, of detection in the daily job, and of alert delivery: a clear "database is locked"
error, nothing half-written (every record with its snapshot and events, no findings from half a detection, no
alert marked sent that was not), and a rerun after the lock is gone ends as an undisturbed run would."""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
from collections import Counter
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "alerts"))

from alert_fixtures import add_finding  # noqa: E402
from am_testing import make_app_context, real_notices_path  # noqa: E402
from crawler.dataset_import import import_dataset  # noqa: E402
from storage.models import Alert, ChangeEvent, DetectorRun, Finding, JobRun, Record, Snapshot  # noqa: E402

NOW = dt.datetime(2026, 7, 2, 1, 0, tzinfo=dt.timezone.utc)


class ExclusiveHolder:
    """Another process's connection holding the write lock (BEGIN EXCLUSIVE) until released."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(str(path), timeout=5, isolation_level=None)
        self.held = False

    def acquire(self) -> None:
        self.conn.execute("BEGIN EXCLUSIVE")
        self.held = True

    def release(self) -> None:
        if self.held:
            self.conn.execute("ROLLBACK")
            self.held = False

    def close(self) -> None:
        self.release()
        self.conn.close()


@pytest.fixture
def locked_ctx(tmp_path):
    path = tmp_path / "db.sqlite"
    ctx = make_app_context(tmp_path, db_url=f"sqlite:///{path}?timeout=0.3")
    holder = ExclusiveHolder(path)
    yield ctx, holder
    holder.close()


def notice_lines(n: int) -> list[str]:
    return real_notices_path().read_text(encoding="utf-8").splitlines()[:n]


def history(ctx) -> dict:
    with ctx.session() as s:
        return {
            "records": sorted((r.record_kind, r.record_key, r.content_hash) for r in s.scalars(select(Record))),
            "snapshots": Counter((x.record_key, x.content_hash) for x in s.scalars(select(Snapshot))),
            "events": Counter((e.event, e.record_key, e.field) for e in s.scalars(select(ChangeEvent))),
        }


def assert_consistent(ctx) -> None:
    """No record without its snapshot and NEW event, no snapshot or event without its record."""
    h = history(ctx)
    keys = {k for _, k, _ in h["records"]}
    assert {k for k, _ in h["snapshots"]} == keys
    assert {k for (e, k, _), n in h["events"].items() if e == "NEW" and n == 1} == keys
    assert {k for (_, k, _) in h["events"]} == keys


def test_import_locked_mid_file_keeps_committed_batches_and_loses_nothing(locked_ctx, tmp_path, monkeypatch):
    import crawler.dataset_import as di

    ctx, holder = locked_ctx
    lines = notice_lines(40)
    stored = tmp_path / "stored.jsonl"
    stored.write_text("\n".join(lines[:5]) + "\n", encoding="utf-8")
    import_dataset(ctx.session, ctx.evidence, [stored])  # already in the database before the trouble

    data = tmp_path / "data.jsonl"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(di, "COMMIT_EVERY", 10)
    real_ingest, calls = di.ingest_document, {"n": 0}

    def ingest_then_lock(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 21:  # right after the second commit, another process takes the write lock
            holder.acquire()
        return real_ingest(*args, **kwargs)

    monkeypatch.setattr(di, "ingest_document", ingest_then_lock)
    with pytest.raises(OperationalError, match="database is locked"):
        import_dataset(ctx.session, ctx.evidence, [data])
    holder.release()

    assert len(history(ctx)["records"]) == 20  # the two committed batches, no part of the third
    assert_consistent(ctx)
    monkeypatch.setattr(di, "ingest_document", real_ingest)
    summary = import_dataset(ctx.session, ctx.evidence, [data])
    assert summary["errors"] == [] and summary["counters"]["new"] == 20

    clean = make_app_context(tmp_path / "clean")
    import_dataset(clean.session, clean.evidence, [stored])
    import_dataset(clean.session, clean.evidence, [data])
    assert history(ctx) == history(clean)


def test_detection_locked_fails_its_stage_only_and_writes_no_half_results(locked_ctx, tmp_path, monkeypatch):
    import service.jobs as jobs
    from service.daily import DailyOptions, daily_run

    ctx, holder = locked_ctx
    data = tmp_path / "data.jsonl"
    data.write_text("\n".join(notice_lines(60)) + "\n", encoding="utf-8")
    import_dataset(ctx.session, ctx.evidence, [data])
    real_detection = jobs.run_detection

    def detection_while_locked(*args, **kwargs):
        holder.acquire()
        try:
            return real_detection(*args, **kwargs)
        finally:
            holder.release()

    monkeypatch.setattr(jobs, "run_detection", detection_while_locked)
    result = daily_run(ctx, DailyOptions(skip_crawl=True))
    assert not result.ok
    assert result.stages["detect"]["status"] == "failed"
    assert "database is locked" in result.stages["detect"]["error"]
    assert result.stages["alerts"]["status"] == "ok"  # the next stage still ran
    with ctx.session() as s:
        assert s.scalar(select(func.count()).select_from(DetectorRun)) == 0
        assert s.scalar(select(func.count()).select_from(Finding)) == 0
        job = s.get(JobRun, result.job_id)
        assert job.status == "failed" and "database is locked" in job.message
        operator = list(s.scalars(select(Alert).where(Alert.kind == "operator")))
        assert len(operator) == 1 and "detect" in operator[0].body_text

    monkeypatch.setattr(jobs, "run_detection", real_detection)
    assert daily_run(ctx, DailyOptions(skip_crawl=True)).stages["detect"]["status"] == "ok"
    with ctx.session() as s:
        assert s.scalar(select(func.count()).select_from(Finding)) > 0


def test_delivery_locked_after_a_message_left_never_marks_it_sent(locked_ctx, monkeypatch):
    import alerts.outbox as outbox
    from alerts.outbox import deliver, queue_alerts
    from storage.db import session_factory

    ctx, holder = locked_ctx
    with ctx.session() as s:
        for _ in range(4):
            add_finding(s)
        queue_alerts(s, ctx.settings, NOW)
    with ctx.session() as s:
        ids = list(s.scalars(select(Alert.id).order_by(Alert.id)))
    assert len(ids) >= 3
    real_write, calls = outbox.write_eml, {"n": 0}

    def write_then_lock(*args, **kwargs):
        out = real_write(*args, **kwargs)
        calls["n"] += 1
        if calls["n"] == 2:  # the second message is on disk; now the database is locked
            holder.acquire()
        return out

    monkeypatch.setattr(outbox, "write_eml", write_then_lock)
    with pytest.raises(OperationalError, match="database is locked"):
        deliver(session_factory(ctx.db_url), ctx.settings, NOW)
    holder.release()
    with ctx.session() as s:
        rows = list(s.scalars(select(Alert).order_by(Alert.id)))
    assert [r.status for r in rows[:2]] == ["sent", "queued"]  # the second left but is not marked sent
    assert rows[1].attempts == 1 and rows[1].last_error.startswith("in flight")
    assert all(r.attempts == 0 for r in rows[2:])

    monkeypatch.setattr(outbox, "write_eml", real_write)
    later = NOW + dt.timedelta(days=1)
    counts = deliver(session_factory(ctx.db_url), ctx.settings, later)
    assert counts["sent"] == len(rows) - 1
    outbox_dir = Path(ctx.settings.alerts.outbox_dir)
    files = sorted(outbox_dir.glob("*.eml"))
    ids_on_disk = [message_from_bytes(p.read_bytes(), policy=policy.default)["Message-ID"] for p in files]
    with ctx.session() as s:
        sent = sorted(s.scalars(select(Alert.message_id).where(Alert.status == "sent")))
    assert sorted(ids_on_disk) == sent and len(sent) == len(rows)
    assert not list(outbox_dir.glob(".tmp-*"))
