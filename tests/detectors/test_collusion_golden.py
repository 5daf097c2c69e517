"""Golden tests of the collusion detector: one case per ``tests/fixtures/detectors/collusion/collusion-<section>
[-<setting>-<value>].jsonl``.

Same conventions as ``test_golden.py`` (made-up portal-dataset documents ingested through the crawler's ingest path
with ``detector_db.load_case``, inline attachments extracted, the rule's flag / insufficient / pass results
compared with ``<same name>.expected.json``), except that the collusion settings are nested: the part after
``collusion-`` names the section (``relist`` is the section of rule ``relist_chain``), and the setting belongs to
that section, so ``collusion-relist-link_threshold-90`` means ``[detectors.collusion.relist] link_threshold = 90``.
The cases live in their own folder because ``test_golden.py`` reads every ``*.jsonl`` of its folder as a
``<rule>`` case of a flat settings model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from detector_db import load_case
from detectors.base import DetectionContext
from detectors.collusion import CollusionDetector
from storage.db import dispose_engines, session_factory
from test_golden import NOW, comparable, setting_value

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "detectors" / "collusion"
RULE_OF_SECTION = {"relist": "relist_chain"}
SECTIONS = tuple(CollusionDetector.Settings.model_fields)
CASES = sorted(FIXTURES.glob("collusion-*.jsonl"))


def parse_case(stem: str) -> tuple[str, str | None, str | None]:
    detector, _, rest = stem.partition("-")
    assert detector == "collusion", stem
    section, _, rest = rest.partition("-")
    if not rest:
        return section, None, None
    setting, sep, value = rest.partition("-")
    if not sep:
        raise ValueError(f"{stem}: expected collusion-<section>-<setting>-<value>")
    return section, setting, value


def case_settings(section: str, setting: str | None, raw: str | None) -> dict[str, Any]:
    if setting is None:
        return {}
    model = CollusionDetector.Settings.model_fields[section].annotation
    return {section: {setting: setting_value(model, setting, raw)}}


def test_every_rule_has_a_golden_case() -> None:
    covered = {parse_case(p.stem)[0] for p in CASES}
    assert set(SECTIONS) <= covered, f"sections without a fixture: {set(SECTIONS) - covered}"


def test_case_names_use_known_sections_and_settings() -> None:
    for p in CASES:
        section, setting, raw = parse_case(p.stem)
        assert section in SECTIONS, p.name
        CollusionDetector.Settings.model_validate(case_settings(section, setting, raw))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_golden(path: Path, tmp_path: Path) -> None:
    section, setting, raw = parse_case(path.stem)
    detector = CollusionDetector(CollusionDetector.Settings.model_validate(case_settings(section, setting, raw)))
    url = load_case(path, tmp_path)
    try:
        with session_factory(url)() as session:
            results = list(detector.evaluate(DetectionContext(session=session, now=NOW)))
            detector.finalize()
    finally:
        dispose_engines()
    expected = json.loads((path.parent / f"{path.stem}.expected.json").read_text(encoding="utf-8"))
    want = sorted(expected["findings"], key=lambda x: (x["subject_kind"], x["subject_id"]))
    assert comparable(results, RULE_OF_SECTION.get(section, section)) == want
