"""Secrets never appear in output or database rows: a password in the database URL is masked by ``db upgrade`` and
in configuration errors, and the scheduler's persistent job (pickled into ``apscheduler_jobs``, a table analysts
read) holds no database URL at all; the running scheduler keeps it in memory. On SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.db import dispose_engines, get_engine, normalize_url

PASSWORD = "S3cr3t-Pw-4711"
REPO = Path(__file__).resolve().parents[2]


def with_password(url: str) -> str:
    """The URL with a password (the test server trusts loopback, so it is accepted and ignored)."""
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() == "sqlite":
        return url
    return parsed.set(password=PASSWORD).render_as_string(hide_password=False)


def cli(*args: str, cwd: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    return subprocess.Popen([sys.executable, "-c", "from service.cli import main; main()", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.postgres
def test_db_upgrade_never_prints_the_password(pg_url, tmp_path):
    url = with_password(pg_url)
    proc = cli("--db", url, "db", "upgrade", cwd=tmp_path)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()[-2000:]
    shown = (out + err).decode()
    assert PASSWORD not in shown
    assert "***" in shown and "127.0.0.1" in shown  # it still says which database
    dispose_engines()


def test_configuration_errors_never_show_the_password():
    from service.config import ConfigError, settings_from_dict

    with pytest.raises(ConfigError) as caught:
        settings_from_dict({"database": {"url": f"postgresql://monitor:{PASSWORD}@db.example.vn:notaport/am"}})
    assert "database.url" in str(caught.value) and PASSWORD not in str(caught.value)


def test_the_scheduler_job_store_holds_no_database_url(any_db, tmp_path):
    url = with_password(any_db)
    config = tmp_path / "auction-monitor.toml"
    config.write_text('[alerts]\nmode = "outbox"\n', encoding="utf-8")
    proc = cli("--config", str(config), "--db", url, "schedule", cwd=tmp_path)
    engine = get_engine(any_db)
    state = None
    try:
        deadline = time.monotonic() + 120
        while state is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                with engine.connect() as conn:
                    state = conn.execute(text("SELECT job_state FROM apscheduler_jobs WHERE id = 'daily'")).scalar()
            except Exception:  # the table is not there yet
                pass
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert state is not None, err.decode()[-2000:]
    state = bytes(state)
    parsed = make_url(normalize_url(any_db))
    assert PASSWORD.encode() not in state
    assert (parsed.database or "").encode() not in state  # no URL at all: the file path or the database name
    assert b"service.daily:scheduled_daily" in state and str(config).encode() in state
    assert PASSWORD not in (out + err).decode()
    dispose_engines()
