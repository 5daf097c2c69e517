"""The same ingest and crawl paths on a real PostgreSQL server (CI starts one; see .ci/run)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from am_testing import crawl_dgts, make_app_context, real_notices_path
from crawler.dataset_import import import_dataset
from crawler.simulator import PortalSimulator
from storage.models import AuctionNotice, ChangeEvent, Lot, Owner

pytestmark = pytest.mark.postgres


def test_import_dataset_on_postgresql(tmp_path, pg_url):
    ctx = make_app_context(tmp_path, db_url=pg_url)
    summary = import_dataset(ctx.session, ctx.evidence, [real_notices_path()])
    assert summary["counters"]["new"] == 236 and not summary["errors"]
    again = import_dataset(ctx.session, ctx.evidence, [real_notices_path()])
    assert again["counters"]["unchanged"] == 236  # idempotent: no duplicate records or events
    with ctx.session() as s:
        assert s.scalar(select(func.count()).select_from(AuctionNotice)) == 236
        assert s.scalar(select(func.count()).select_from(Lot)) == 287
        assert s.scalar(select(func.count()).select_from(ChangeEvent).where(ChangeEvent.event == "NEW")) == 236
        assert s.scalar(select(func.count()).select_from(Owner).where(Owner.is_thads)) > 20


def test_crawl_on_postgresql(tmp_path, pg_url, real_notice_docs):
    ctx = make_app_context(tmp_path, db_url=pg_url)
    docs = [d for d in real_notice_docs if d["list_item"]["publishTime1"] >= 1782838800000]
    with PortalSimulator(docs, clock=datetime.fromisoformat("2026-07-01T20:00:00+07:00")) as sim:
        run = crawl_dgts(ctx, sim, since=date(2026, 7, 1), until=date(2026, 7, 1))[0]
        again = crawl_dgts(ctx, sim, since=date(2026, 7, 1), until=date(2026, 7, 1))[0]
    assert run["status"] == "complete" and run["counters"]["new"] == 6
    assert again["counters"]["unchanged"] == 6
