"""Every detector over the same history on SQLite and PostgreSQL: the same findings, and a second pass over
unchanged data changes nothing (its open findings are answered ``unchanged`` from their stored digests).

The history is the demo's: the 236 real auction notices and the made-up selection notices, results, auctions and
THADS pages, imported through ``import-dataset``'s path. Time columns are read by the database
(``storage.sqlfuncs.epoch_seconds``), so this also holds the two dialects' epoch arithmetic to the same values.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, select

from crawler.dataset_import import import_dataset
from detectors.registry import available, default_settings_sections
from detectors.runner import run_detectors
from storage.db import dispose_engines, get_engine, session_scope, upgrade
from storage.evidence import EvidenceStore
from storage.models import TZ, Finding
from storage.sqlfuncs import epoch_seconds
from storage.timeutil import VN_TZ

DEMO = Path(__file__).resolve().parents[2] / "service" / "demo_data"
FILES = [DEMO / "made_up_selection_2026.jsonl", DEMO / "dgts_auction_notices_real_2025-05_2026-07.jsonl",
         DEMO / "made_up_auctions_2026.jsonl", DEMO / "made_up_thads_2026.jsonl"]
NOW = datetime(2026, 7, 20, 9, 0, tzinfo=VN_TZ)


def _findings(url: str) -> dict[tuple[str, str, str], tuple]:
    with session_scope(url) as s:
        return {(f.detector, f.rule, f.subject_id): (f.status, f.severity, f.title, f.evidence, f.urls,
                                                    f.resolved_at is None)
                for f in s.scalars(select(Finding))}


def _detect(url: str) -> dict[str, dict]:
    settings = default_settings_sections()
    with session_scope(url) as s:
        run = run_detectors(s, [cls(settings[name]) for name, cls in available().items()], now=NOW)
        return dict(run.counters)


def _history(url: str, tmp_path: Path) -> None:
    upgrade(url)
    summary = import_dataset(lambda: session_scope(url), EvidenceStore(tmp_path / "evidence"), FILES)
    assert not summary["errors"]


@pytest.mark.postgres
def test_same_findings_on_sqlite_and_postgresql_and_a_second_pass_changes_nothing(tmp_path, pg_url) -> None:
    lite = f"sqlite:///{tmp_path / 'lite.db'}"
    results = {}
    for name, url in (("sqlite", lite), ("postgresql", pg_url)):
        _history(url, tmp_path / name)
        first = _detect(url)
        after_first = _findings(url)
        second = _detect(url)
        assert _findings(url) == after_first, name
        for detector in ("parcel_details", "data_quality"):
            assert second[detector].get("new", 0) == 0 and second[detector].get("resolved", 0) == 0
            assert second[detector].get("unchanged", 0) == (first[detector].get("flag", 0)
                                                           + first[detector].get("insufficient", 0))
        results[name] = after_first
    dispose_engines()
    assert results["sqlite"] and results["sqlite"] == results["postgresql"]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_epoch_seconds_reads_the_instant_on_each_database(backend, tmp_path, request) -> None:
    url = f"sqlite:///{tmp_path / 'e.db'}" if backend == "sqlite" else request.getfixturevalue("pg_url")
    table = Table("epoch_probe", MetaData(), Column("id", Integer, primary_key=True), Column("at", TZ))
    values = [datetime(2026, 5, 3, 8, 15, 7, 123_000, tzinfo=VN_TZ),
              datetime(1999, 12, 31, 23, 59, 59, tzinfo=timezone.utc),
              datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=-5))), None]
    engine = get_engine(url)
    table.create(engine)
    try:
        with engine.begin() as conn:
            conn.execute(table.insert(), [{"id": i, "at": v} for i, v in enumerate(values)])
            got = conn.execute(select(epoch_seconds(table.c.at)).order_by(table.c.id)).scalars().all()
    finally:
        table.drop(engine)
        dispose_engines()
    assert got == [v.timestamp() if v else None for v in values]
