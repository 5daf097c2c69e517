"""Premature-scoring pieces the golden files do not isolate: decision dates in text, settings, ``since``,
statistics, and the runner storing findings and links."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from detector_db import load_case
from detectors.base import DetectionContext
from detectors.premature_scoring import PrematureScoringDetector
from detectors.premature_scoring.settings import Settings
from detectors.premature_scoring.stats import distribution
from detectors.runner import run_detectors
from storage.db import dispose_engines, session_factory, session_scope
from storage.models import Finding, RecordLink
from storage.timeutil import VN_TZ

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "detectors"
NOW = datetime(2026, 8, 1, 8, 0, tzinfo=VN_TZ)


def test_settings_reject_unknown_keys() -> None:
    with pytest.raises(ValidationError):
        Settings.model_validate({"min_window_days": 3})


def test_settings_reject_a_bad_band() -> None:
    with pytest.raises(ValidationError):
        Settings.model_validate({"rushed_band_hours": [24, 0]})


def test_every_setting_is_described() -> None:
    assert all(f.description for f in Settings.model_fields.values())


def test_distribution_of_values() -> None:
    d = distribution([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100])
    assert (d["count"], d["min"], d["p10"], d["median"], d["p90"], d["max"]) == (11, 0, 10, 50, 90, 100)
    assert distribution([])["count"] == 0


@pytest.fixture
def short_window_db(tmp_path):
    url = load_case(FIXTURES / "short_window.jsonl", tmp_path)
    yield url
    dispose_engines()


def test_since_limits_the_subjects(short_window_db) -> None:
    det = PrematureScoringDetector(Settings())
    with session_factory(short_window_db)() as s:
        keys = {r.subject_id for r in det.evaluate(DetectionContext(session=s, now=NOW, since=date(2026, 6, 1)))
                if r.rule == "short_window"}
    assert "900403" not in keys  # published 12/02/2026
    assert "900401" in keys


def test_statistics_describe_window_lengths(short_window_db) -> None:
    det = PrematureScoringDetector(Settings())
    with session_factory(short_window_db)() as s:
        list(det.evaluate(DetectionContext(session=s, now=NOW)))
    stats = det.finalize()
    # 900401 (2), 900402 (3), 900403 (2), 900404 (3), 900407 (2 to its stated Saturday) and THADS 105 (2), 106 (3
    # computed from "trong 03 ngày làm việc"); 900405 ends before it was published and 900406 has no window.
    assert stats["window_length_working_days"]["count"] == 7
    assert stats["window_length_working_days"]["min"] == 2
    assert stats["window_length_working_days"]["max"] == 3


def test_runner_stores_findings_and_links_once(tmp_path) -> None:
    url = load_case(FIXTURES / "result_before_window_end.jsonl", tmp_path)
    try:
        for _ in range(2):
            with session_scope(url) as s:
                run_detectors(s, [PrematureScoringDetector(Settings())], now=NOW)
        with session_scope(url) as s:
            flags = s.scalars(select(Finding).where(Finding.rule == "result_before_window_end",
                                                    Finding.status == "flag")).all()
            assert sorted(f.subject_id for f in flags) == ["800101", "800102", "800104", "khanhhoa/thongbao/102"]
            assert all(f.urls and f.urls[0].startswith("https://") for f in flags)
            assert all("Thông tư 02/2022/TT-BTP" in f.legal_basis for f in flags)
            # dgts: 4 matched + 2 ambiguous rows; THADS: 2 matched
            assert s.scalar(select(func.count()).select_from(RecordLink)) == 8
    finally:
        dispose_engines()
