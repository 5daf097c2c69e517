"""A full disk under the evidence store (during an import and during a crawl), the outbox folder and the SQLite
database: a clear "no space" error, no blob or .eml under its final name that is not whole, no temporary files
left, no raw-response row without its bytes, no snapshot without its record, no alert marked sent that was not;
once there is room again, the rerun ends as an undisturbed run would. Real tiny tmpfs mounts when the tests run
as root; otherwise writes of the module under test fail with ENOSPC after a byte quota."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import random
import sqlite3
import subprocess
import sys
from collections import Counter
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "alerts"))

from alert_fixtures import add_finding  # noqa: E402
from am_testing import crawl_dgts, make_app_context, real_notices_path  # noqa: E402
from crawler.dataset_import import import_dataset  # noqa: E402
from crawler.simulator import PortalSimulator, load_documents  # noqa: E402
from full_disk import quota_os, small_tmpfs  # noqa: E402
from storage.evidence import EvidenceError, EvidenceStore, sha256_hex  # noqa: E402
from storage.models import Alert, ChangeEvent, CrawlRun, RawResponse, Record, Snapshot  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 7, 2, 1, 0, tzinfo=dt.timezone.utc)
DAY2 = datetime.fromisoformat("2026-07-01T20:00:00+07:00")


@pytest.fixture
def small_fs(tmp_path):
    with small_tmpfs(tmp_path / "small", "1m") as fs:
        yield fs


def fill_store(root: Path, monkeypatch, small_fs, quota: int = 1_000_000) -> None:
    """Without a real tmpfs, the evidence store's writes fail after ``quota`` bytes."""
    if small_fs is None:
        import storage.evidence

        monkeypatch.setattr(storage.evidence, "os", quota_os(quota)[0])


def assert_store_whole(root: Path) -> None:
    """Every file under its final name is a whole blob; no temporary file is left."""
    files = [p for p in root.rglob("*") if p.is_file()]
    assert not [p for p in files if p.name.startswith(".tmp")], "temporary files left behind"
    for p in files:
        assert sha256_hex(p.read_bytes()) == p.name, f"{p} is not the blob its name says"


def assert_history_consistent(ctx) -> None:
    with ctx.session() as s:
        keys = set(s.scalars(select(Record.record_key)))
        assert set(s.scalars(select(Snapshot.record_key))) == keys
        assert {k for k, e in s.execute(select(ChangeEvent.record_key, ChangeEvent.event)) if e == "NEW"} == keys


def state(ctx) -> dict:
    with ctx.session() as s:
        return {
            "records": sorted((r.record_kind, r.record_key, r.content_hash, r.status)
                              for r in s.scalars(select(Record))),
            "snapshots": Counter((x.record_key, x.content_hash) for x in s.scalars(select(Snapshot))),
            "events": Counter((e.event, e.record_key, e.field) for e in s.scalars(select(ChangeEvent))),
        }


def test_evidence_put_on_a_full_disk_leaves_no_partial_blob(tmp_path, small_fs, monkeypatch):
    root = small_fs.path / "evidence" if small_fs else tmp_path / "evidence"
    fill_store(root, monkeypatch, small_fs)
    store = EvidenceStore(root)
    rng = random.Random(1)
    with pytest.raises(EvidenceError) as failure:
        for _ in range(10):
            store.put(rng.randbytes(300_000))
    message = str(failure.value)
    assert "No space left on device" in message and str(root) in message
    assert_store_whole(root)
    assert 1 <= len([p for p in root.rglob("*") if p.is_file()]) <= 3


def thads_docs_with_attachments(n: int, size: int) -> list[dict]:
    rng = random.Random(n)
    return [{"kind": "thads.notice", "site": "binhdinh", "list": "ThongBao", "item_id": 700 + i,
             "title": f"Thông báo bán đấu giá tài sản số {i} (dữ liệu giả lập)", "date": "05/06/2026",
             "body_html": f"<p>Thông báo số {i} (dữ liệu giả lập)</p>",
             "attachments": [{"name": f"tb-{i}.pdf", "content_type": "application/pdf",
                              "content_b64": base64.b64encode(rng.randbytes(size)).decode()}]}
            for i in range(n)]


def test_import_into_a_full_evidence_store_fails_clearly_then_completes(tmp_path, small_fs, monkeypatch):
    root = small_fs.path / "evidence" if small_fs else tmp_path / "evidence"
    fill_store(root, monkeypatch, small_fs)
    ctx = make_app_context(tmp_path)
    ctx.evidence = EvidenceStore(root)
    data = tmp_path / "thads.jsonl"
    data.write_text("\n".join(json.dumps(d) for d in thads_docs_with_attachments(6, 300_000)) + "\n")

    with pytest.raises(EvidenceError, match="No space left on device"):
        import_dataset(ctx.session, ctx.evidence, [data])
    assert_store_whole(root)
    assert_history_consistent(ctx)
    with ctx.session() as s:
        run = s.scalar(select(CrawlRun).order_by(CrawlRun.id.desc()))
    assert run.status == "failed" and "No space left on device" in run.message  # the run says why

    if small_fs:
        small_fs.resize("8m")
    else:
        import storage.evidence

        monkeypatch.setattr(storage.evidence, "os", os)
    summary = import_dataset(ctx.session, ctx.evidence, [data])
    assert summary["errors"] == [] and summary["counters"]["documents"] == 6
    assert len(state(ctx)["records"]) == 6
    assert_history_consistent(ctx)
    assert_store_whole(root)


@pytest.fixture
def june30():
    lo = int(datetime.fromisoformat("2026-06-30T00:00:00+07:00").timestamp() * 1000)
    return [d for d in load_documents([real_notices_path()]) if d["list_item"]["publishTime1"] >= lo]


def test_crawl_with_a_full_evidence_store_keeps_no_record_without_its_evidence(tmp_path, june30):
    from crawler.runner import _encode
    from service.jobs import dgts_specs

    full = make_app_context(tmp_path / "full")
    clean = make_app_context(tmp_path / "clean")
    with PortalSimulator(june30, clock=DAY2) as sim:
        crawl_dgts(clean, sim, since=date(2026, 6, 30), until=date(2026, 7, 1))
        specs = dgts_specs(full, kinds=["auction"], since=date(2026, 6, 30), until=date(2026, 7, 1),
                           portal_url=sim.base_url, retry_base_delay=0.02)
        spec_file = tmp_path / "spec.json"
        spec_file.write_text(json.dumps([asdict(s) for s in specs], default=_encode))
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
        child = subprocess.run([sys.executable, str(Path(__file__).with_name("full_disk.py")), "250000",
                                str(spec_file)], env=env, cwd=tmp_path, capture_output=True, timeout=180)
        assert child.returncode == 0, child.stderr.decode()[-3000:]
        with full.session() as s:
            (run,) = s.scalars(select(CrawlRun))
            assert run.status in ("failed", "partial"), run.status  # never "complete" with evidence missing
            assert "dgts.auction_notice" not in (run.complete_lists or [])
            assert "No space left on device" in (run.message or ""), run.message
            raw = list(s.scalars(select(RawResponse)))
            for r in raw:  # every raw-response row has its whole blob
                assert full.evidence.get(r.sha256) is not None
            known = {r.id for r in raw}
            for snap in s.scalars(select(Snapshot)):  # every snapshot's evidence exists
                assert set(snap.raw_response_ids or []) <= known
        assert_history_consistent(full)
        assert_store_whole(full.evidence.root)
        assert len(state(full)["records"]) < 103

        runs = crawl_dgts(full, sim, since=date(2026, 6, 30), until=date(2026, 7, 1))
    assert runs[-1]["status"] == "complete"
    assert state(full) == state(clean)


def test_full_outbox_disk_never_marks_a_message_sent(tmp_path, small_fs, monkeypatch):
    from alerts.outbox import deliver, queue_alerts
    from alerts.smtp_sender import build_email, eml_filename
    from storage.db import session_factory

    outbox = small_fs.path / "outbox" if small_fs else tmp_path / "outbox"
    ctx = make_app_context(tmp_path, **{"alerts.outbox_dir": str(outbox)})
    with ctx.session() as s:
        for _ in range(3):
            add_finding(s)
        queue_alerts(s, ctx.settings, NOW)
    with ctx.session() as s:
        first = s.scalar(select(Alert).order_by(Alert.id))
        room = len(build_email(first, ctx.settings.alerts.from_address).as_bytes()) + 200  # one message fits
    if small_fs:
        outbox.mkdir()
        free = os.statvfs(outbox).f_bavail * os.statvfs(outbox).f_frsize
        filler = small_fs.path / "filler"
        filler.write_bytes(b"\0" * max(free - 4096 * (room // 4096 + 1), 0))
    else:
        import storage.evidence  # the one atomic-write helper, shared by the outbox

        monkeypatch.setattr(storage.evidence, "os", quota_os(room)[0])
    counts = deliver(session_factory(ctx.db_url), ctx.settings, NOW)
    assert counts["retry"] >= 1 and counts["sent"] + counts["retry"] == 3
    with ctx.session() as s:
        rows = list(s.scalars(select(Alert).order_by(Alert.id)))
    on_disk = {p.name for p in outbox.glob("*.eml")}
    assert not list(outbox.glob(".tmp*"))
    for r in rows:
        assert (r.status == "sent") == (eml_filename(r.message_id) in on_disk)  # sent exactly when its file is
        if r.status != "sent":
            assert "No space left on device" in r.last_error
    for p in outbox.glob("*.eml"):  # and every file there is a whole message
        assert p.read_bytes().rstrip().endswith(b"--")

    if small_fs:
        filler.unlink()
    else:
        import storage.evidence

        monkeypatch.setattr(storage.evidence, "os", os)
    assert deliver(session_factory(ctx.db_url), ctx.settings, NOW + dt.timedelta(days=1))["sent"] == counts["retry"]
    assert len(list(outbox.glob("*.eml"))) == 3


def test_sqlite_database_on_a_full_disk_stays_intact(tmp_path):
    with small_tmpfs(tmp_path / "dbfs", "3m") as fs:  # the schema fits, the 236 real notices do not
        if fs is None:
            pytest.skip("needs root to mount a tiny tmpfs for the database file (the other tests simulate ENOSPC)")
        check_database_on_full_disk(tmp_path, fs)


def check_database_on_full_disk(tmp_path, fs) -> None:
    import crawler.dataset_import as di
    from storage.db import dispose_engines

    db_path = fs.path / "db.sqlite"
    ctx = make_app_context(tmp_path, db_url=str(db_path))
    lines = real_notices_path().read_text(encoding="utf-8").splitlines()
    small, data = tmp_path / "small.jsonl", tmp_path / "data.jsonl"
    small.write_text("\n".join(lines[:3]) + "\n")
    data.write_text("\n".join(lines) + "\n")
    import_dataset(ctx.session, ctx.evidence, [small])
    before = state(ctx)
    original, di.COMMIT_EVERY = di.COMMIT_EVERY, 20
    try:
        with pytest.raises(OperationalError, match="database or disk is full"):
            import_dataset(ctx.session, ctx.evidence, [data])
    finally:
        di.COMMIT_EVERY = original
    dispose_engines()
    with sqlite3.connect(str(db_path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    after = state(ctx)
    assert set(before["records"]) <= set(after["records"]) and len(after["records"]) < len(lines)
    assert_history_consistent(ctx)
    fs.resize("64m")
    summary = import_dataset(ctx.session, ctx.evidence, [data])
    assert summary["errors"] == []
    assert len(state(ctx)["records"]) == len(lines)
    assert_history_consistent(ctx)
    dispose_engines()
