"""Test helpers shared across folders (imported as `am_testing`; conftest.py files cannot be imported by name
reliably when several folders have one): the bundled real notices, an application context on a temporary
database, and crawl helpers that run the real spiders against the simulator on 127.0.0.1."""

from __future__ import annotations

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


def crawl_dgts(ctx, sim, kinds=("auction",), since: date | None = None, until: date | None = None):
    from service.jobs import dgts_specs, run_crawl

    specs = dgts_specs(ctx, kinds=list(kinds), since=since, until=until, portal_url=sim.base_url,
                       retry_base_delay=0.02)
    return run_crawl(ctx, specs)


def crawl_thads(ctx, sim, sites, full=False):
    from service.jobs import run_crawl, thads_specs

    return run_crawl(ctx, thads_specs(ctx, sites=list(sites), full=full, portal_url=sim.base_url, retry_base_delay=0.02))
