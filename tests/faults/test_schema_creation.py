"""Creating or upgrading the schema is all or nothing: a run killed while the first run of the daily job was
creating the tables used to leave half a schema, and every rerun then failed with "table alerts already exists"
(found by the seeded kill -9 test on a loaded machine)."""

from __future__ import annotations

import sqlite3

import pytest
from alembic.ddl import impl

from storage.db import current_revision, dispose_engines, head_revision, upgrade


def _tables(path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_a_migration_that_dies_halfway_leaves_no_table_and_the_rerun_completes(tmp_path, monkeypatch):
    path = tmp_path / "db.sqlite"
    url = f"sqlite:///{path}"
    real = impl.DefaultImpl.create_table
    calls = {"n": 0}

    def dies_at_the_sixth_table(self, table, **kw):
        calls["n"] += 1
        if calls["n"] == 6:
            raise RuntimeError("killed while creating the schema")
        return real(self, table, **kw)

    monkeypatch.setattr(impl.DefaultImpl, "create_table", dies_at_the_sixth_table)
    with pytest.raises(RuntimeError, match="killed while creating the schema"):
        upgrade(url)
    assert calls["n"] == 6
    assert _tables(path) == set()  # the five tables created before the failure were rolled back with it

    monkeypatch.setattr(impl.DefaultImpl, "create_table", real)
    upgrade(url)
    assert current_revision(url) == head_revision()
    assert {"alerts", "findings", "records", "alembic_version"} <= _tables(path)
    dispose_engines()
