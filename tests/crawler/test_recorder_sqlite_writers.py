"""Several spiders of one crawl write to one SQLite file from one thread: none may hold a write open across calls.

Found by the 200,000-notice daily benchmark: the auction spider left its "seen unchanged" updates uncommitted
between callbacks while the result spider ingested; the result spider waited out the busy timeout on a lock only
the blocked thread could release, every later write of its session failed, and its run stayed "running".
"""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from scrapy import Request
from scrapy.http import TextResponse
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from am_testing import make_app_context
from crawler.recorder import CrawlRecorder
from storage.db import dispose_engines, session_factory
from storage.models import CrawlRun, Record


@pytest.fixture
def ctx(tmp_path):
    context = make_app_context(tmp_path)
    # a one-second busy timeout: the old behaviour fails in a second instead of thirty
    context.db_url = context.db_url + "?timeout=1"
    yield context
    dispose_engines()


def _recorder(ctx, kind: str) -> CrawlRecorder:
    return CrawlRecorder(ctx.db_url, str(ctx.evidence.root), source="dgts", kind=kind,
                         portal_url="http://127.0.0.1:1", window_start=date(2026, 7, 1), window_end=date(2026, 7, 1))


def test_interleaved_spiders_do_not_lock_each_other(ctx, real_notice_docs):
    auctions = _recorder(ctx, "dgts.auction_notice")
    results = _recorder(ctx, "dgts.selection_result")
    docs = [d for d in real_notice_docs if d["kind"] == "dgts.auction_notice"][:4]
    for doc in docs[:2]:
        auctions.ingest(doc, [])
    record = next(iter(auctions.known("dgts.auction_notice", [str(docs[0]["id"])]).values()))
    auctions.seen_unchanged(record, "hash-1")  # an update of the auction spider's session, flushed by ...
    auctions.known("dgts.auction_notice", [str(docs[1]["id"])])  # ... its lookup of the next list page ...
    results.ingest(docs[2], [])  # ... then another spider writes before the auction spider's next call
    auctions.ingest(docs[3], [])
    assert results.errors == [] and auctions.errors == []
    auctions.finish("complete")
    results.finish("complete")
    with session_factory(ctx.db_url)() as s:
        assert sorted(s.scalars(select(CrawlRun.status))) == ["complete", "complete"]
        stored = dict(s.execute(select(Record.record_key, Record.list_hash)).all())
        assert set(stored) == {str(d["id"]) for d in docs}
        assert stored[str(docs[0]["id"])] == "hash-1"


def test_run_end_refused_by_the_database_is_recorded_as_failed(ctx, real_notice_docs, monkeypatch):
    rec = _recorder(ctx, "dgts.auction_notice")
    doc = next(d for d in real_notice_docs if d["kind"] == "dgts.auction_notice")
    rec.ingest(doc, [])
    calls = {"n": 0}
    real_commit = rec.session.commit

    def commit_once_locked():
        calls["n"] += 1
        if calls["n"] == 1:
            rec.session.flush()
            raise OperationalError("COMMIT", {}, Exception("database is locked"))
        return real_commit()

    monkeypatch.setattr(rec.session, "commit", commit_once_locked)
    rec.finish("complete")
    with session_factory(ctx.db_url)() as s:
        run = s.scalar(select(CrawlRun))
        assert run.status == "failed"
        assert "database refused the run's end" in run.message and "database is locked" in run.message
        assert run.finished_at is not None



@pytest.mark.parametrize("write", ["ingest", "record_response"])
def test_a_write_refused_by_a_locked_database_leaves_the_recorder_usable(ctx, real_notice_docs, write):
    """Another process holds the write lock: the write fails with a clear error after the busy timeout, and once
    the lock is gone the same recorder writes again (no "transaction has been rolled back" for the rest of the run)."""
    rec = _recorder(ctx, "dgts.auction_notice")
    first, second = [d for d in real_notice_docs if d["kind"] == "dgts.auction_notice"][:2]
    blocker = sqlite3.connect(ctx.db_url.split("///", 1)[1].split("?", 1)[0], timeout=0)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(OperationalError, match="database is locked"):
            if write == "ingest":
                rec.ingest(first, [])
            else:
                rec.record_response(Request("http://127.0.0.1:1/a"), TextResponse("http://127.0.0.1:1/a", body=b"{}"))
    finally:
        blocker.rollback()
        blocker.close()
    rec.ingest(second, [])
    rec.finish("complete")
    with session_factory(ctx.db_url)() as s:
        assert set(s.scalars(select(Record.record_key))) == {str(second["id"])}
        assert s.scalar(select(CrawlRun.status)) == "complete"
