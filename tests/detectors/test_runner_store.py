"""The runner's bulk, streaming upsert of findings: new, unchanged, changed, resolved and reopened findings, and a
fingerprint repeated inside one run (also across store batches), end as if the results were applied one by one."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import select

from detectors import runner
from detectors.base import DetectionContext, Detector, DetectorSettings, Result
from storage.db import session_scope, upgrade
from storage.models import DetectorRun, Finding
from storage.timeutil import VN_TZ

T0 = datetime(2026, 7, 1, 8, 0, tzinfo=VN_TZ)


class _Settings(DetectorSettings):
    pass


class ScriptedDetector(Detector):
    """Yields the results it is given (one list per run)."""

    name = "scripted"
    Settings = _Settings

    def __init__(self, results: list[Result]) -> None:
        super().__init__(_Settings())
        self.results = results
        self.finalized_after = -1
        self._yielded = 0

    def evaluate(self, ctx: DetectionContext) -> Iterator[Result]:
        for r in self.results:
            self._yielded += 1
            yield r

    def finalize(self) -> dict:
        self.finalized_after = self._yielded
        return {"seen": self._yielded}


def flag(subject: str, title: str = "t", severity: str = "medium") -> Result:
    return Result(rule="r", subject_kind="auction_notice", subject_id=subject, status="flag", severity=severity,
                  title=title, evidence={"v": title})


def passed(subject: str) -> Result:
    return Result(rule="r", subject_kind="auction_notice", subject_id=subject, status="pass")


@pytest.fixture()
def url(tmp_path: Path) -> str:
    u = f"sqlite:///{tmp_path / 'store.sqlite'}"
    upgrade(u)
    return u


def run(url: str, results: list[Result], at: datetime) -> tuple[dict, dict[str, Finding]]:
    det = ScriptedDetector(results)
    with session_scope(url) as s:
        r = runner.run_detectors(s, [det], now=at)
        counters = dict(r.counters["scripted"])
        assert det.finalized_after == len(results)  # population statistics come after the whole pass
        rows = {f.subject_id: f for f in s.scalars(select(Finding))}
        for f in rows.values():
            s.expunge(f)
    return counters, rows


@pytest.mark.parametrize("batch", [1, 2, 2_000])
def test_store_upserts_like_applying_results_in_order(url: str, monkeypatch, batch: int) -> None:
    monkeypatch.setattr(runner, "STORE_BATCH", batch)
    counters, rows = run(url, [flag("1"), flag("2"), flag("3"), flag("3", title="later wins")], T0)
    assert counters == {"flag": 4, "new": 3}
    assert rows["3"].title == "later wins" and len(rows) == 3
    first_ids = {k: f.id for k, f in rows.items()}

    t1 = T0 + timedelta(days=1)
    counters, rows = run(url, [flag("1"), flag("2", severity="high"), passed("3"), flag("4"), passed("4")], t1)
    assert counters == {"flag": 3, "pass": 2, "new": 1, "resolved": 2}
    assert {k: f.id for k, f in rows.items() if k != "4"} == first_ids  # upserted, never duplicated
    assert rows["1"].last_seen == t1 and rows["1"].first_seen == T0 and rows["1"].resolved_at is None
    assert rows["2"].severity == "high" and rows["2"].last_seen == t1
    assert rows["3"].resolved_at == t1 and rows["3"].title == "later wins"  # resolved, kept
    assert rows["4"].resolved_at == t1  # new then passing in the same run: stored resolved

    t2 = T0 + timedelta(days=2)
    counters, rows = run(url, [flag("3", title="again")], t2)
    assert counters == {"flag": 1, "reopened": 1}
    assert rows["3"].resolved_at is None and rows["3"].title == "again" and rows["3"].first_seen == T0
    assert rows["1"].last_seen == t1  # not evaluated in this run: untouched
    with session_scope(url) as s:
        run_ids = [r.id for r in s.scalars(select(DetectorRun).order_by(DetectorRun.id))]
        assert rows["3"].detector_run_id == run_ids[-1] and rows["1"].detector_run_id == run_ids[1]
