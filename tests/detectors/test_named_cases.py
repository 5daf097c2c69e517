"""The real-notice traps of issue 15 as named golden cases: ``tests/fixtures/detectors/cases/<case>.jsonl``.

Each case holds made-up portal-dataset documents reproducing one class of trap seen on real notices (a price per m²,
a monthly rent, a sum of plots, a rounded deposit, a mistyped price, a skipped relist round, a deadline on a
holiday, a building on leased land, a multi-parcel lot, an unread attachment). Every built-in detector runs with its
default settings; ``<case>.expected.json`` lists, for each rule it names, that rule's flag / insufficient / pass
results (severity for the first two). A rule named with an empty list must produce no such result.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from detector_db import load_case
from detectors.base import DetectionContext
from detectors.registry import available
from storage.db import dispose_engines, session_factory
from test_golden import NOW, comparable

CASES_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "detectors" / "cases"
CASES = sorted(CASES_DIR.glob("*.jsonl"))
REQUIRED = {"per_m2_price", "monthly_rent", "sum_of_plots", "rounding", "typo", "skipped_round", "holiday_deadline",
            "building_on_leased_land", "multi_parcel_lot", "unread_attachment"}


def run_all(url: str) -> list:
    results = []
    with session_factory(url)() as session:
        for cls in available().values():
            detector = cls(cls.Settings())
            results += list(detector.evaluate(DetectionContext(session=session, now=NOW)))
            detector.finalize()
    return results


def test_every_named_case_has_a_fixture() -> None:
    assert REQUIRED <= {p.stem for p in CASES}


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_named_case(path: Path, tmp_path: Path) -> None:
    expected = json.loads((CASES_DIR / f"{path.stem}.expected.json").read_text(encoding="utf-8"))
    url = load_case(path, tmp_path)
    try:
        results = run_all(url)
    finally:
        dispose_engines()
    for rule, want in expected["rules"].items():
        assert comparable(results, rule) == sorted(want, key=lambda x: (x["subject_kind"], x["subject_id"])), rule
