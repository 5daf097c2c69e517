"""Shared fixtures: the bundled real dgts notices, an application context on a temporary SQLite database (or the
PostgreSQL server named by AUCTION_MONITOR_TEST_PG_URL), and a crawl helper that runs the real spiders against
the portal simulator on 127.0.0.1."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
REAL_NOTICES = REPO / "service" / "demo_data" / "dgts_auction_notices_real_2025-05_2026-07.jsonl"
SHARED_NOTICES = Path("/work/shared/data/dgts/auction_notices_2025-05_2026-07.jsonl")


def real_notices_path() -> Path:
    for p in (REAL_NOTICES, SHARED_NOTICES):
        if p.is_file():
            return p
    pytest.fail(f"the bundled real notices are missing: {REAL_NOTICES}")


@pytest.fixture(scope="session")
def real_notice_docs() -> list[dict[str, Any]]:
    from crawler.simulator import load_documents

    return load_documents([real_notices_path()])


def _pg_url() -> str | None:
    return os.environ.get("AUCTION_MONITOR_TEST_PG_URL")


def make_app_context(tmp_path: Path, db_url: str | None = None, **overrides: Any):
    from service.config import Settings
    from service.context import AppContext
    from storage.db import ensure_schema, normalize_url
    from storage.evidence import EvidenceStore

    settings = Settings()
    settings.alerts.outbox_dir = str(tmp_path / "outbox")
    for portal in (settings.portals.dgts, settings.portals.thads):
        portal.download_delay_s = 0.0
        portal.concurrency = 4
        portal.timeout_s = 10.0
        portal.max_retries = 3
    for key, value in overrides.items():
        obj = settings
        *path, last = key.split(".")
        for p in path:
            obj = getattr(obj, p)
        setattr(obj, last, value)
    url = normalize_url(db_url or str(tmp_path / "db.sqlite"))
    ctx = AppContext(settings=settings, db_url=url, evidence=EvidenceStore(tmp_path / "evidence"))
    ensure_schema(url)
    return ctx


@pytest.fixture
def app_ctx(tmp_path):
    return make_app_context(tmp_path)


@pytest.fixture
def pg_url():
    """A clean PostgreSQL database (schema dropped) or skip when no server is configured."""
    url = _pg_url()
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


def crawl_dgts(ctx, sim, kinds=("auction",), since: date | None = None, until: date | None = None):
    from service.jobs import dgts_specs, run_crawl

    specs = dgts_specs(ctx, kinds=list(kinds), since=since, until=until, portal_url=sim.base_url,
                       retry_base_delay=0.02)
    return run_crawl(ctx, specs)


def crawl_thads(ctx, sim, sites, full=False):
    from service.jobs import run_crawl, thads_specs

    return run_crawl(ctx, thads_specs(ctx, sites=list(sites), full=full, portal_url=sim.base_url, retry_base_delay=0.02))
