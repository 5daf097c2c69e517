"""Golden detector tests: one case per ``tests/fixtures/detectors/<rule>[-<setting>-<value>].jsonl``.

Each case builds a fresh SQLite database, ingests the (made-up) portal-dataset documents in file order through the
crawler's own ingest path, extracts the text of attachments given inline, runs the detector that owns the rule
with the setting named in the file name, and compares that rule's results (flag, insufficient and pass; severity
for the first two) with ``<same name>.expected.json``. Values in file names are TOML scalars; a list setting takes
``+``-separated items (``required-area_m2+location``), as in Cardinal's fixtures.
"""

from __future__ import annotations

import json
import tomllib
import typing
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from detector_db import load_case
from detectors.base import DetectionContext, Detector
from detectors.data_quality import DataQualityDetector
from detectors.parcel_details import ParcelDetailsDetector
from detectors.premature_scoring import PrematureScoringDetector
from storage.db import dispose_engines, session_factory
from storage.timeutil import VN_TZ

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "detectors"
DETECTORS: dict[str, type[Detector]] = {
    rule: cls for cls in (PrematureScoringDetector, ParcelDetailsDetector, DataQualityDetector) for rule in cls.rules
}
NOW = datetime(2026, 8, 1, 8, 0, tzinfo=VN_TZ)


def toml_scalar(raw: str) -> Any:
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def parse_case_name(stem: str) -> tuple[str, str | None, str | None]:
    rule, _, rest = stem.partition("-")
    if not rest:
        return rule, None, None
    setting, sep, value = rest.partition("-")
    if not sep:
        raise ValueError(f"{stem}: expected <rule>-<setting>-<value>")
    return rule, setting, value


def setting_value(settings_cls: type, setting: str, raw: str) -> Any:
    field = settings_cls.model_fields.get(setting)
    if field is None:
        raise ValueError(f"{settings_cls.__module__}: no setting {setting!r}")
    if typing.get_origin(field.annotation) is list:
        return [toml_scalar(part) for part in raw.split("+")]
    return toml_scalar(raw)


def comparable(results, rule: str) -> list[dict[str, Any]]:
    out = []
    for r in results:
        if r.rule != rule or r.status == "not_applicable":
            continue
        item = {"rule": r.rule, "subject_kind": r.subject_kind, "subject_id": r.subject_id, "status": r.status}
        if r.status in ("flag", "insufficient"):
            item["severity"] = r.severity
        out.append(item)
    return sorted(out, key=lambda x: (x["subject_kind"], x["subject_id"]))


CASES = sorted(FIXTURES.glob("*.jsonl"))


def test_every_rule_has_a_golden_case() -> None:
    covered = {parse_case_name(p.stem)[0] for p in CASES}
    assert set(DETECTORS) <= covered, f"rules without a fixture: {set(DETECTORS) - covered}"


def test_every_setting_has_a_golden_case() -> None:
    named = {(DETECTORS[rule], setting) for rule, setting, _ in map(parse_case_name, (p.stem for p in CASES))
             if setting}
    wanted = {(cls, name) for cls in (PrematureScoringDetector, ParcelDetailsDetector, DataQualityDetector)
              for name in cls.Settings.model_fields}
    assert wanted <= named, f"settings without a fixture: {sorted(n for _, n in wanted - named)}"


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_golden(path: Path, tmp_path: Path) -> None:
    rule, setting, raw = parse_case_name(path.stem)
    cls = DETECTORS[rule]
    overrides = {setting: setting_value(cls.Settings, setting, raw)} if setting else {}
    detector = cls(cls.Settings.model_validate(overrides))
    url = load_case(path, tmp_path)
    try:
        with session_factory(url)() as session:
            results = list(detector.evaluate(DetectionContext(session=session, now=NOW)))
            detector.finalize()
    finally:
        dispose_engines()
    expected = json.loads((path.parent / f"{path.stem}.expected.json").read_text(encoding="utf-8"))
    want = sorted(expected["findings"], key=lambda x: (x["subject_kind"], x["subject_id"]))
    assert comparable(results, rule) == want
