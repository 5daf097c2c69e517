"""The collusion detector over the 236 REAL dgts notices (2025-05 … 2026-07). Each expectation was checked by reading
the notice in the data file."""

from __future__ import annotations

from pathlib import Path

import pytest

from detector_db import load_case
from detectors.base import DetectionContext
from detectors.collusion import CollusionDetector
from storage.db import dispose_engines, session_factory
from test_golden import NOW


@pytest.fixture(scope="module")
def results(real_notice_docs, tmp_path_factory):
    url = load_case(real_notice_docs, tmp_path_factory.mktemp("real"))
    detector = CollusionDetector(CollusionDetector.Settings())
    try:
        with session_factory(url)() as session:
            out = list(detector.evaluate(DetectionContext(session=session, now=NOW)))
            stats = detector.finalize()
            rerun = CollusionDetector(CollusionDetector.Settings())
            again = list(rerun.evaluate(DetectionContext(session=session, now=NOW)))
    finally:
        dispose_engines()
    return out, stats, again


def by(results, rule):
    return {r.subject_id: r for r in results if r.rule == rule and r.status != "not_applicable"}


def test_double_posting_488703_488704_is_the_one_chain(results) -> None:
    _, stats, _ = results
    # same parcel "Lô 09" on map sheet 01, same 957,846,708 đ price, same publication time (and both name root 487904)
    assert stats["relist_linking"]["chains"] == 1 and stats["relist_linking"]["largest_chain"] == 2


def test_two_debts_of_different_companies_are_not_a_relist(results) -> None:
    _, stats, _ = results
    # 593647 (Công ty ... Thành Phát) and 593651 (Công ty ... Tâm Đức): same bank branch, different debtors
    assert stats["relist_linking"]["links_review"] == 0


def test_deposit_larger_than_the_start_price_is_flagged(results) -> None:
    out, _, _ = results
    terms = by(out, "exclusionary_terms")
    problem = terms["444265"].evidence["problems"][0]  # deposit 633,000,000 đ on a start price of 3,167,518 đ
    assert problem["code"] == "deposit_out_of_range" and problem["deposit_pct"] > 10_000
    assert "443427" not in terms  # 20 % deposit, 400,000 đ fee on 1.52 bn, 25-day window closing on a Tuesday


def test_anomaly_ranking_is_reproducible(results) -> None:
    out, stats, again = results
    first = [(r.subject_id, r.evidence["rank"]) for r in out if r.rule == "anomaly_rank"]
    second = [(r.subject_id, r.evidence["rank"]) for r in again if r.rule == "anomaly_rank"]
    assert first == second and len(first) == 20 and stats["anomaly_rank"]["status"] == "ranked"


def test_no_outcome_data_means_no_outcome_results(results) -> None:
    out, stats, _ = results
    assert by(out, "outcome_signals") == {} and stats["outcome_coverage"]["notices_with_outcome"] == 0
