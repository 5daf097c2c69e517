"""Schema from empty (SQLite and a real PostgreSQL), migration/model drift, evidence store, history events."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import inspect, select

from storage.db import current_revision, get_engine, head_revision, session_scope, upgrade
from storage.evidence import EvidenceError, EvidenceStore, sha256_hex
from storage.history import content_hash, diff_documents, mark_unlisted, observe
from storage.models import Base, ChangeEvent, CrawlRun, Record, Snapshot

T0 = datetime(2026, 7, 1, 8, 0, tzinfo=timezone.utc)


def _check_schema(url: str) -> None:
    upgrade(url)
    assert current_revision(url) == head_revision()
    tables = set(inspect(get_engine(url)).get_table_names())
    assert set(Base.metadata.tables) <= tables


def _check_no_drift(url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with get_engine(url).connect() as conn:
        mc = MigrationContext.configure(conn, opts={"include_object": lambda o, n, t, r, c: n != "apscheduler_jobs"})
        diff = compare_metadata(mc, Base.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_sqlite_schema_from_empty(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.sqlite'}"
    _check_schema(url)
    _check_no_drift(url)


@pytest.mark.postgres
def test_postgresql_schema_from_empty(pg_url):
    _check_schema(pg_url)
    _check_no_drift(pg_url)


@pytest.mark.postgres
def test_history_on_postgresql(pg_url):
    upgrade(pg_url)
    _history_scenario(pg_url)


def test_history_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'h.sqlite'}"
    upgrade(url)
    _history_scenario(url)


def _history_scenario(url: str) -> None:
    doc = {"kind": "dgts.auction_notice", "id": 1, "list_item": {"id": 1, "aucRegTimeEnd": 10, "publishTime2": None},
           "detail": {"listFile": [{"idFile": 5, "fileName": "a.pdf", "linkFile": "token-1"}]}}
    with session_scope(url) as s:
        run = CrawlRun(source="dgts", kind="auction", started_at=T0, status="running", counters={}, complete_lists=[])
        s.add(run)
        s.flush()
        assert observe(s, doc, record_kind="dgts.auction_notice", record_key="1", run=run, at=T0).is_new
        # a new linkFile token only: not a change
        same = {**doc, "detail": {"listFile": [{"idFile": 5, "fileName": "a.pdf", "linkFile": "token-2"}]}}
        obs = observe(s, same, record_kind="dgts.auction_notice", record_key="1", run=run, at=T0)
        assert obs.events == []
        edited = {**same, "list_item": {"id": 1, "aucRegTimeEnd": 20, "publishTime2": 99}}
        obs = observe(s, edited, record_kind="dgts.auction_notice", record_key="1", run=run, at=T0)
        assert sorted(obs.events) == ["CHANGED", "CHANGED", "SECOND_PUBLICATION", "WINDOW_CHANGED"]
        counts = mark_unlisted(s, record_kind="dgts.auction_notice", run=run, seen_keys=set(), in_scope=["1"], at=T0)
        assert counts["delisted"] == 1
        counts = mark_unlisted(s, record_kind="dgts.auction_notice", run=run, seen_keys=set(), in_scope=["1"], at=T0,
                               confirm_gone=lambda k: None)
        assert counts == {"delisted": 0, "removed": 0, "check_failed": 1}  # an access error is never a removal
        counts = mark_unlisted(s, record_kind="dgts.auction_notice", run=run, seen_keys=set(), in_scope=["1"], at=T0,
                               confirm_gone=lambda k: True)
        assert counts["removed"] == 1
        assert s.scalar(select(Record.status)) == "removed"
        assert len(s.scalars(select(Snapshot)).all()) == 2  # append-only: one per distinct version
        events = [e.event for e in s.scalars(select(ChangeEvent).order_by(ChangeEvent.id))]
        assert events[0] == "NEW" and events[-1] == "REMOVED" and "CHECK_FAILED" in events


def test_diff_reports_field_paths():
    a = {"list_item": {"x": 1}, "property_info": [{"p": 1}]}
    b = {"list_item": {"x": 2}, "property_info": [{"p": 1}, {"p": 2}]}
    assert diff_documents(a, b) == [("list_item.x", 1, 2), ("property_info.1.p", None, 2)]
    assert content_hash({"publish_history": [{"a": 1}, {"a": 2}]}) == content_hash({"publish_history": [{"a": 2}, {"a": 1}]})


def test_evidence_store_is_content_addressed_and_verified(tmp_path):
    store = EvidenceStore(tmp_path)
    digest = store.put(b"raw bytes")
    assert digest == sha256_hex(b"raw bytes") and store.put(b"raw bytes") == digest
    assert store.get(digest) == b"raw bytes"
    store.path_for(digest).write_bytes(b"tampered")
    with pytest.raises(EvidenceError, match="corrupted"):
        store.get(digest)
    with pytest.raises(EvidenceError):
        store.path_for("../../etc/passwd")
    assert not list(tmp_path.rglob(".tmp-*"))
