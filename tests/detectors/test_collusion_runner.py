"""The collusion detector under the runner: stored findings carry their explanation, a rerun does not duplicate,
a fixed notice resolves, and the run records the population statistics. Uses the made-up golden fixtures."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update

from detector_db import load_case
from detectors.collusion import CollusionDetector
from detectors.runner import run_detectors
from storage.db import dispose_engines, session_scope
from storage.models import Finding, Lot, RecordLink
from test_golden import NOW

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "detectors" / "collusion"


def run(url: str):
    with session_scope(url) as session:
        r = run_detectors(session, [CollusionDetector(CollusionDetector.Settings())], now=NOW)
        return r.counters["collusion"], r.stats["collusion"]


def test_relist_findings_are_stored_with_evidence_and_links(tmp_path: Path) -> None:
    url = load_case(FIXTURES / "collusion-relist.jsonl", tmp_path)
    try:
        counters, stats = run(url)
        with session_scope(url) as session:
            chain = session.scalar(select(Finding).where(Finding.rule == "relist_chain", Finding.subject_id == "710101"))
            links = session.scalars(select(RecordLink).where(RecordLink.link_type == "relist")).all()
    finally:
        dispose_engines()
    assert chain.status == "flag" and chain.severity == "high"
    assert "27,8%" in chain.title and "Điều 104" in chain.legal_basis and "Điều 9" in chain.legal_basis
    assert chain.urls[0].endswith("-710101.html") and chain.owner_name.startswith("Chi cục Thi hành án")
    assert chain.evidence["failed_rounds"] == 2 and chain.evidence["reasons"][0]["code"] == "cut_above_legal_step"
    assert {("710901", "710902")} == {(l.from_key, l.to_key) for l in links if l.status == "review"}
    assert stats["relist_linking"]["chains"] == 7 and "timings_s" in stats
    assert counters["flag"] >= 3 and counters["insufficient"] >= 2


def test_rerun_updates_instead_of_duplicating(tmp_path: Path) -> None:
    url = load_case(FIXTURES / "collusion-exclusionary_terms.jsonl", tmp_path)
    try:
        run(url)
        with session_scope(url) as session:
            before = {f.id: f.fingerprint for f in session.scalars(select(Finding))}
        second, _ = run(url)
        with session_scope(url) as session:
            after = {f.id: f.fingerprint for f in session.scalars(select(Finding))}
    finally:
        dispose_engines()
    assert before == after and len(before) >= 6 and second.get("new", 0) == 0


def test_a_corrected_deposit_resolves_the_finding(tmp_path: Path) -> None:
    url = load_case(FIXTURES / "collusion-exclusionary_terms.jsonl", tmp_path)
    try:
        run(url)
        with session_scope(url) as session:
            session.execute(update(Lot).where(Lot.notice_kind == "auction_notice", Lot.notice_key == "713002")
                            .values(deposit=40_000_000))
        counters, _ = run(url)
        with session_scope(url) as session:
            f = session.scalar(select(Finding).where(Finding.rule == "exclusionary_terms", Finding.subject_id == "713002"))
    finally:
        dispose_engines()
    assert f.resolved_at is not None and counters["resolved"] >= 1


def test_outcome_coverage_is_recorded(tmp_path: Path) -> None:
    url = load_case(FIXTURES / "collusion-outcome_signals.jsonl", tmp_path)
    try:
        _, stats = run(url)
    finally:
        dispose_engines()
    cov = stats["outcome_coverage"]
    assert cov["notices"] == 8 and cov["notices_with_outcome"] == 6 and cov["with_registered"] == 5
