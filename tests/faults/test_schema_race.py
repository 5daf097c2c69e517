"""Simultaneous first runs: three processes create the schema of one empty database at the same moment (a
systemd start and an operator's `auction-monitor run`, two machines sharing PostgreSQL). All three succeed and the
schema is at head: on PostgreSQL the upgrade takes an advisory lock, on SQLite it runs in one BEGIN IMMEDIATE
transaction. Before, one of them died with a unique violation on ``alembic_version``."""

from __future__ import annotations

import multiprocessing
import traceback

from storage.db import current_revision, dispose_engines, head_revision

CONTENDERS = 3


def _first_run(url: str, barrier, results) -> None:
    from storage.db import ensure_schema

    try:
        barrier.wait(60)
        ensure_schema(url)
        results.put("ok")
    except BaseException:  # the report is the test's evidence
        results.put(traceback.format_exc()[-3000:])


def test_simultaneous_first_runs_all_create_or_find_the_schema(any_db):
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(CONTENDERS)
    results = spawn.Queue()
    procs = [spawn.Process(target=_first_run, args=(any_db, barrier, results)) for _ in range(CONTENDERS)]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=180) for _ in procs]
    for p in procs:
        p.join(30)
    assert outcomes == ["ok"] * CONTENDERS, "\n\n".join(o for o in outcomes if o != "ok")
    assert current_revision(any_db) == head_revision()
    dispose_engines()
