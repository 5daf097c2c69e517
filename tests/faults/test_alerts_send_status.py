"""Deliveries that fail for good are not a success: with an SMTP server on 127.0.0.1 that refuses every recipient
for good (550), ``alerts send`` gives the messages up after ``alerts.max_attempts`` and exits 1 saying so, and the
daily job marks its alerts stage partial and fails. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "alerts"))

from alert_fixtures import add_finding  # noqa: E402
from am_testing import make_app_context  # noqa: E402
from smtp_script import ScriptedSmtp  # noqa: E402
from storage.models import Alert  # noqa: E402

REFUSED = "550 5.1.1 mailbox unavailable"


def configured(tmp_path: Path, db_url: str, server: ScriptedSmtp) -> tuple[Path, object]:
    from alerts.outbox import queue_alerts

    config = tmp_path / "auction-monitor.toml"
    config.write_text(
        f'[database]\nurl = "{db_url}"\n[evidence]\npath = "{tmp_path / "evidence"}"\n'
        f'[alerts]\nmode = "smtp"\nmax_attempts = 1\nretry_base_s = 0.0\n'
        f'[alerts.smtp]\nhost = "127.0.0.1"\nport = {server.port}\ntimeout_s = 5.0\n', encoding="utf-8")
    ctx = make_app_context(tmp_path, db_url=db_url, **{"alerts.mode": "smtp", "alerts.smtp.port": server.port,
                                                       "alerts.smtp.host": "127.0.0.1", "alerts.max_attempts": 1,
                                                       "alerts.retry_base_s": 0.0})
    with ctx.session() as s:
        add_finding(s, first_seen=dt.datetime.now(dt.timezone.utc), last_seen=dt.datetime.now(dt.timezone.utc))
        queued = queue_alerts(s, ctx.settings)
        assert queued["finding"] + queued["digest"] >= 1
    return config, ctx


def test_alerts_send_exits_1_when_messages_are_given_up(any_db, tmp_path):
    from service.cli import app

    server = ScriptedSmtp(replies={"RCPT": [REFUSED] * 50})
    config, ctx = configured(tmp_path, any_db, server)
    result = CliRunner().invoke(app, ["--config", str(config), "alerts", "send"])
    assert result.exit_code == 1, result.output
    counts = json.loads(result.output.strip().splitlines()[0])
    assert counts["failed"] >= 1 and counts["sent"] == 0
    assert "given up" in result.output
    with ctx.session() as s:
        assert {a.status for a in s.scalars(select(Alert).where(Alert.kind != "operator"))} == {"failed"}
    server_ok = ScriptedSmtp()  # a healthy server and nothing left to send: exit 0
    config.write_text(config.read_text().replace(f"port = {server.port}", f"port = {server_ok.port}"))
    with ctx.session() as s:
        for a in s.scalars(select(Alert).where(Alert.status == "queued")):
            a.status = "sent"
    assert CliRunner().invoke(app, ["--config", str(config), "alerts", "send"]).exit_code == 0


def test_the_daily_job_fails_when_deliveries_are_given_up(any_db, tmp_path):
    from service.daily import DailyOptions, daily_run

    server = ScriptedSmtp(replies={"RCPT": [REFUSED] * 50})
    _config, ctx = configured(tmp_path, any_db, server)
    result = daily_run(ctx, DailyOptions(skip_crawl=True))
    assert not result.ok
    assert result.stages["alerts"]["status"] == "partial"
    assert any("could not be delivered" in f for f in result.failures), result.failures
