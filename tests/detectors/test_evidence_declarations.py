"""Every detector declares its evidence: run each one over every golden fixture (``tests/fixtures/detectors``,
``cases/`` and ``collusion/``) and fail on a stored finding whose evidence holds a key its rule does not declare (at
any depth that is shown), a code without Vietnamese words, or a rendered row or headline fact that still reads as
English or as an internal code.

A fixture named for a setting runs its detector with that setting (the others at their defaults), as the golden
tests do.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from alerts.presentation import finding_evidence_rows, finding_facts, finding_reasons
from detector_db import load_case
from detectors.base import DetectionContext, jsonable
from detectors.registry import available
from storage.db import dispose_engines, session_factory
from storage.models import Finding
from test_collusion_golden import case_settings, parse_case
from test_golden import DETECTORS, NOW, parse_case_name, setting_value

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "detectors"
CASES = sorted(FIXTURES.glob("*.jsonl")) + sorted((FIXTURES / "cases").glob("*.jsonl")) + \
    sorted((FIXTURES / "collusion").glob("*.jsonl"))
STORED = ("flag", "insufficient")
# words of the detectors' English notes and codes; none belongs in what an officer reads
ENGLISH = re.compile(r"\b(the|of|and|with|notice|result|published|before|after|same|owner|price|days?|"
                     r"window|unknown|attachment|name|place|text|land|asset|selection)\b", re.I)
CODE = re.compile(r"\b[a-z]+_[a-z_]+\b")


def _settings(path: Path) -> dict[str, object]:
    """detector name -> the settings the fixture's name asks for (others at their defaults)."""
    out = {name: cls.Settings() for name, cls in available().items()}
    if path.parent.name == "collusion":
        section, setting, raw = parse_case(path.stem)
        out["collusion"] = available()["collusion"].Settings.model_validate(case_settings(section, setting, raw))
    elif path.parent.name == "detectors":
        rule, setting, raw = parse_case_name(path.stem)
        cls = DETECTORS[rule]
        if setting:
            out[cls.name] = cls.Settings.model_validate({setting: setting_value(cls.Settings, setting, raw)})
    return out


def test_every_detector_carries_a_declaration_of_every_rule() -> None:
    for name, cls in available().items():
        declaration = getattr(cls, "evidence_fields", None)
        assert declaration is not None, f"{name} declares no evidence"
        assert set(cls.rules) <= set(declaration.rules), f"{name}: rules without a declaration"


def test_the_fixtures_store_a_finding_of_every_rule() -> None:
    """So the check below reads the evidence of every rule, not only of some."""
    stored: set[str] = set()
    for expected in FIXTURES.rglob("*.expected.json"):
        data = json.loads(expected.read_text(encoding="utf-8"))
        found = data.get("findings") or [x for xs in data.get("rules", {}).values() for x in xs]
        stored |= {x["rule"] for x in found if x["status"] in STORED}
    rules = {rule for cls in available().values() for rule in cls.rules}
    assert rules <= stored, f"rules no fixture stores a finding of: {sorted(rules - stored)}"


@pytest.mark.parametrize("path", CASES, ids=[f"{p.parent.name}/{p.stem}" for p in CASES])
def test_stored_evidence_is_declared_and_reads_in_vietnamese(path: Path, tmp_path: Path) -> None:
    url = load_case(path, tmp_path)
    problems: list[str] = []
    try:
        with session_factory(url)() as session:
            for name, settings in _settings(path).items():
                cls = available()[name]
                detector = cls(settings)
                for r in detector.evaluate(DetectionContext(session=session, now=NOW)):
                    if r.status not in STORED and not r.keep:
                        continue
                    evidence = jsonable(r.evidence)
                    declared = cls.evidence_fields.for_rule(r.rule)
                    problems += [f"{name}.{r.rule} {r.subject_id}: {p}" for p in declared.problems(evidence)]
                    finding = Finding(detector=name, rule=r.rule, status=r.status, evidence=evidence)
                    shown = [f"{row.label}: {row.value}" for row in finding_evidence_rows(finding)]
                    shown += finding_facts(finding) + finding_reasons(finding)
                    for line in shown:
                        if ENGLISH.search(line) or CODE.search(line):
                            problems.append(f"{name}.{r.rule} {r.subject_id}: reads as English or a code: {line}")
                detector.finalize()
    finally:
        dispose_engines()
    assert not problems, "\n".join(problems[:40])
