"""Precision per rule and threshold suggestions from analyst reviews (made-up findings)."""

from __future__ import annotations

from datetime import datetime, timezone

from collusion_samples import empty_session
from detectors.base import fingerprint
from detectors.review_report import precision_report, threshold_suggestions
from storage.models import Finding
from storage.reviews import record_review

AT = datetime(2026, 7, 1, tzinfo=timezone.utc)


def add(session, rule: str, subject: str, evidence: dict, *, status: str = "flag", resolved: bool = False,
        detector: str = "collusion") -> Finding:
    f = Finding(fingerprint=fingerprint(detector, rule, "owner", subject), detector=detector, rule=rule,
                subject_kind="owner", subject_id=subject, status=status, severity="medium", title="t",
                evidence=evidence, evidence_hash="0" * 64, urls=[], first_seen=AT, last_seen=AT,
                resolved_at=AT if resolved else None)
    session.add(f)
    session.flush()
    return f


def shares(session, verdicts: dict[float, str | None]) -> None:
    for i, (share, verdict) in enumerate(sorted(verdicts.items())):
        f = add(session, "repeat_selection", str(i), {"top_share": share})
        if verdict:
            record_review(session, f.id, verdict, reviewer="tester")


def test_precision_report_counts_open_flags() -> None:
    with empty_session() as session:
        shares(session, {0.9: "confirmed", 0.95: "false_positive", 1.0: None})
        add(session, "repeat_selection", "old", {"top_share": 1.0}, resolved=True)
        rows = precision_report(session)
    assert rows == [{"detector": "collusion", "rule": "repeat_selection", "flagged": 4, "reviewed": 2,
                     "confirmed": 1, "false_positive": 1, "needs_more_info": 0, "precision": 0.5, "open_flags": 3}]


def test_suggests_the_least_strict_threshold_reaching_the_target() -> None:
    with empty_session() as session:
        shares(session, {0.80: "false_positive", 0.82: "false_positive", 0.85: "confirmed", 0.90: "confirmed",
                         0.95: "confirmed", 0.97: "confirmed", 1.0: None})
        [row] = threshold_suggestions(session, target_precision=0.9)
    assert row["rule"] == "repeat_selection" and row["setting"].endswith("repeat_selection.threshold")
    assert row["current_precision"] == round(4 / 6, 3)
    assert row["suggested_threshold"] == 0.85 and row["precision_at_suggestion"] == 1.0
    assert (row["would_flag"], row["would_unflag"], row["confirmed_lost"]) == (5, 2, 0)
    first = row["candidates"][0]
    assert first == {"threshold": 0.8, "precision": 0.667, "confirmed_kept": 4, "false_positive_kept": 2,
                     "confirmed_lost": 0, "would_flag": 7}


def test_lower_is_suspicious_scores_run_the_other_way() -> None:
    with empty_session() as session:
        for i, (premium, verdict) in enumerate([(0.0, "confirmed"), (0.5, "confirmed"), (0.9, "confirmed"),
                                                (3.0, "false_positive"), (5.0, "false_positive")]):
            f = add(session, "outcome_signals", str(i), {"signals": [{"code": "price_at_start", "premium_pct": premium}]})
            record_review(session, f.id, verdict)
        [row] = threshold_suggestions(session)
    assert row["direction"] == "lower is suspicious" and row["suggested_threshold"] == 0.9


def test_too_few_reviews_gives_candidates_but_no_suggestion() -> None:
    with empty_session() as session:
        shares(session, {0.9: "confirmed", 0.95: "false_positive"})
        [row] = threshold_suggestions(session)
    assert row["suggested_threshold"] is None and "decided reviews" in row["reason"] and len(row["candidates"]) == 2


def test_rules_without_reviews_or_scores_are_left_out() -> None:
    with empty_session() as session:
        add(session, "repeat_selection", "1", {"top_share": 1.0})
        add(session, "exclusionary_terms", "2", {"problems": []})
        f = add(session, "rotation", "3", {"alternation": 1.0})
        record_review(session, f.id, "needs_more_info")
        assert threshold_suggestions(session) == []
