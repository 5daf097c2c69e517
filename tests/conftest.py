"""Shared fixtures: the bundled real dgts notices, an application context on a temporary SQLite database, and a
clean PostgreSQL database when AUCTION_MONITOR_TEST_PG_URL names a server (CI starts one)."""

from __future__ import annotations

import os
from typing import Any

import pytest

from am_testing import make_app_context, real_notices_path


@pytest.fixture(scope="session")
def real_notice_docs() -> list[dict[str, Any]]:
    from crawler.simulator import load_documents

    return load_documents([real_notices_path()])


@pytest.fixture
def app_ctx(tmp_path):
    return make_app_context(tmp_path)


@pytest.fixture
def pg_url():
    """A clean PostgreSQL database (schema dropped) or skip when no server is configured."""
    url = os.environ.get("AUCTION_MONITOR_TEST_PG_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("AUCTION_MONITOR_TEST_PG_URL is not set in CI")
        pytest.skip("AUCTION_MONITOR_TEST_PG_URL not set: no PostgreSQL server for this run")
    from sqlalchemy import text

    from storage.db import dispose_engines, get_engine

    engine = get_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    dispose_engines()
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_db(request, tmp_path):
    """The test once on a fresh SQLite file and once on a clean PostgreSQL database (skipped without a server)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db.sqlite'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """`auction-monitor demo` exactly as the README runs it (a subprocess), once per test session."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    workdir = tmp_path_factory.mktemp("demo") / "out"
    exe = shutil.which("auction-monitor") or str(Path(sys.executable).with_name("auction-monitor"))
    proc = subprocess.run([exe, "demo", "--workdir", str(workdir)], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return {"workdir": workdir, "db_url": f"sqlite:///{workdir / 'demo.sqlite'}", "stdout": proc.stdout,
            "stderr": proc.stderr}
