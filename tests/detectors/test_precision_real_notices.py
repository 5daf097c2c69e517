"""Every flag the detectors raise on the 236 REAL dgts notices, checked against the hand labels
(``bench/labels/real_notices.jsonl``: a person read each notice and wrote a verdict per notice, lot and problem).

A flag labelled ``no_violation`` or ``undecidable`` is a false alarm: the test fails and names it with the
labeller's reason. A flag with no label fails too (label it by reading the notice, never by what the code says).
Precision must stay at or above 0.95 for every rule that flags; ``bench/precision.py`` prints the same figures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from detector_db import load_case
from detectors.base import DetectionContext
from detectors.label_eval import evaluate, load_labels
from detectors.registry import available
from storage.db import dispose_engines, session_factory
from test_golden import NOW

LABELS = Path(__file__).resolve().parents[2] / "bench" / "labels" / "real_notices.jsonl"
MIN_PRECISION = 0.95


@pytest.fixture(scope="module")
def scores(real_notice_docs, tmp_path_factory):
    url = load_case(real_notice_docs, tmp_path_factory.mktemp("precision"))
    findings = []
    try:
        with session_factory(url)() as session:
            for cls in available().values():
                detector = cls(cls.Settings())
                for r in detector.evaluate(DetectionContext(session=session, now=NOW)):
                    findings.append({"rule": r.rule, "subject_kind": r.subject_kind, "subject_id": r.subject_id,
                                     "status": r.status, "evidence": r.evidence})
    finally:
        dispose_engines()
    return evaluate(findings, load_labels(LABELS))


def test_no_flag_is_labelled_wrong(scores) -> None:
    wrong = {name: s.wrong for name, s in scores.items() if s.wrong}
    assert wrong == {}


def test_every_flag_is_labelled(scores) -> None:
    unlabelled = {name: s.unlabelled for name, s in scores.items() if s.unlabelled}
    assert unlabelled == {}


def test_precision_of_every_rule_that_flags(scores) -> None:
    low = {name: s.precision for name, s in scores.items() if s.precision is not None and s.precision < MIN_PRECISION}
    assert low == {}


def test_labelled_violations_are_not_left_insufficient(scores) -> None:
    missed = {name: s.insufficient_on_violation for name, s in scores.items() if s.insufficient_on_violation}
    assert missed == {}
