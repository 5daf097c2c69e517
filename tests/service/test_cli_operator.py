"""The operator's terminal: `status`, `db upgrade` right after `init`, a mistyped --db for a read command, an
unsupported database URL, `simulate --data A B`, and help texts that keep "[schedule]" and "[alerts.smtp]"."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from typer.testing import CliRunner

from service.cli import app
from storage.db import session_scope
from storage.models import Alert, CrawlRun, Finding, JobRun, Record, Review

runner = CliRunner()


def invoke(*args, **kw):
    return runner.invoke(app, list(args), catch_exceptions=False, **kw)


def test_db_upgrade_right_after_init_creates_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert invoke("init").exit_code == 0
    res = invoke("db", "upgrade")
    assert res.exit_code == 0, res.output
    assert (tmp_path / "data" / "auction-monitor.sqlite").is_file()
    assert invoke("status").exit_code == 0


def test_a_mistyped_db_for_a_read_command_is_an_error_not_a_new_database(tmp_path):
    missing = tmp_path / "typo.sqlite"
    for cmd in (["findings"], ["parcels"], ["review-report"], ["status"], ["review", "1", "--verdict", "confirmed"],
                ["users", "list"], ["alerts", "send"], ["serve"]):
        res = invoke("--db", str(missing), *cmd)
        assert res.exit_code == 2 and "no database at" in res.output, cmd
        assert not missing.exists(), cmd


def test_an_unsupported_database_url_is_one_line(tmp_path):
    for url in ("mysql://u@localhost/db", "postgresql+asyncpg://u@localhost/db", "oracle://u@h/x"):
        res = invoke("--db", url, "findings")
        lines = [line for line in res.output.splitlines() if line.strip()]
        assert res.exit_code == 2 and len(lines) == 1 and lines[0].startswith("error: --db:"), (url, res.output)
        assert "Traceback" not in res.output


def test_help_texts_keep_section_names():
    assert "[schedule]" in invoke("schedule", "--help").output
    assert "[alerts.smtp]" in invoke("demo", "--help").output


def test_simulate_takes_several_files_after_one_data_option(tmp_path, monkeypatch):
    import crawler.simulator as simulator

    served = {}
    monkeypatch.setattr(simulator, "serve", lambda paths, port, **kw: served.update(paths=paths, port=port))
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text("", encoding="utf-8")
    b.write_text("", encoding="utf-8")
    assert invoke("simulate", "--data", str(a), str(b), "--port", "9999").exit_code == 0
    assert served == {"paths": [str(a), str(b)], "port": 9999}
    assert invoke("simulate", "--data", str(a), "--data", str(b)).exit_code == 0
    assert served["paths"] == [str(a), str(b)]
    res = invoke("simulate", "--data", str(a), str(tmp_path / "missing.jsonl"))
    assert res.exit_code == 2 and "missing.jsonl" in res.output


def test_status_shows_runs_coverage_waiting_findings_and_outbox(tmp_path):
    db = str(tmp_path / "st.sqlite")
    assert invoke("--db", db, "db", "upgrade").exit_code == 0
    now = datetime.now(timezone.utc)
    with session_scope(db) as s:
        s.add(JobRun(name="daily", started_at=now - timedelta(hours=1), finished_at=now, status="failed",
                     stages={"crawl": {"status": "ok"}, "alerts": {"status": "failed", "error": "x"}}))
        s.add(CrawlRun(source="dgts", kind="auction", started_at=now - timedelta(days=1), status="complete",
                       counters={"new": 5, "changed": 1}))
        s.add(CrawlRun(source="thads", kind="incremental", started_at=now, status="blocked",
                       message="FEC challenge\nmore", counters={}))
        for i in range(3):
            s.add(Record(record_kind="dgts.auction_notice", record_key=str(i), content_hash="h", first_seen=now,
                         last_seen=now))
        findings = [Finding(fingerprint=f"f{i}", detector="collusion", rule="rotation", subject_kind="owner",
                            subject_id=str(i), status="flag", severity="low", evidence={}, evidence_hash="h",
                            urls=[], first_seen=now, last_seen=now) for i in range(3)]
        s.add_all(findings)
        s.flush()
        s.add(Review(finding_id=findings[0].id, verdict="confirmed", reviewer="an", created_at=now))
        s.add(Alert(kind="finding", recipient="a@b", subject="s", message_id="m1", dedupe_key="d1", body_text="",
                    body_html="", status="queued", created_at=now))
        s.add(Alert(kind="finding", recipient="a@b", subject="s", message_id="m2", dedupe_key="d2", body_text="",
                    body_html="", status="failed", last_error="550 mailbox unavailable", created_at=now))
    out = invoke("--db", db, "status").output
    assert "failed stages: alerts" in out and "blocked" in out and "FEC challenge" in out
    assert "dgts:complete×1" in out and "thads:blocked×1" in out
    assert "waiting for review (open flags without a verdict): 2" in out and "2  collusion.rotation" in out
    assert "Outbox: 1 queued" in out and "1 failed" in out and "550 mailbox unavailable" in out
    data = json.loads(invoke("--db", db, "status", "--format", "json", "--days", "3").output)
    assert len(data["coverage"]) == 3 and data["coverage"][-1]["new_records"]["dgts.auction_notice"] == 3


def test_serve_needs_the_secret_from_the_environment_never_from_the_file(tmp_path, monkeypatch):
    db = str(tmp_path / "w.sqlite")
    assert invoke("--db", db, "db", "upgrade").exit_code == 0
    monkeypatch.delenv("AUCTION_MONITOR_WEB_SECRET", raising=False)
    res = invoke("--db", db, "serve")
    assert res.exit_code == 2 and "AUCTION_MONITOR_WEB_SECRET" in res.output
    monkeypatch.setenv("AUCTION_MONITOR_WEB_SECRET", "short-secret-value")
    res = invoke("--db", db, "serve")
    assert res.exit_code == 2 and "at least 32" in res.output and "short-secret-value" not in res.output
    cfg = tmp_path / "am.toml"
    cfg.write_text('[web]\nsecret_key = "in the file"\n', encoding="utf-8")
    res = invoke("--config", str(cfg), "--db", db, "status")
    assert res.exit_code == 2 and "secrets must not be in the file" in res.output and "in the file\"" not in res.output
