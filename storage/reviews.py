"""Analyst reviews of findings: record a verdict (one per reviewer and finding), and precision per rule."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Finding, Review
from storage.timeutil import utcnow

VERDICTS = ("confirmed", "false_positive", "needs_more_info")
REVIEWER_MAX_CHARS = 200
NOTE_MAX_CHARS = 10_000


def record_review(session: Session, finding_id: int, verdict: str, *, note: str | None = None,
                  reviewer: str | None = None, via: str | None = None) -> Review:
    """Record ``reviewer``'s verdict on a finding; a reviewer's second verdict on the same finding replaces the
    first (verdict, note, time and channel), so a change of mind never counts twice."""
    verdict = verdict.strip().lower().replace("-", "_")
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, got {verdict!r}")
    finding = session.get(Finding, finding_id)
    if finding is None:
        raise LookupError(f"no finding with id {finding_id}")
    reviewer = (reviewer or "").strip()[:REVIEWER_MAX_CHARS] or None
    note = (note or "").strip()[:NOTE_MAX_CHARS] or None
    same = Review.reviewer.is_(None) if reviewer is None else Review.reviewer == reviewer
    review = session.scalars(select(Review).where(Review.finding_id == finding_id, same)
                             .order_by(Review.id.desc()).with_for_update()).first()
    if review is None:
        review = Review(finding_id=finding_id, reviewer=reviewer)
        session.add(review)
    review.verdict, review.note, review.via, review.created_at = verdict, note, via, utcnow()
    session.flush()
    return review


def latest_verdicts(session: Session) -> dict[int, str]:
    """The most recent verdict per finding (over all its reviewers)."""
    out: dict[int, str] = {}
    rows = session.execute(select(Review.finding_id, Review.verdict).order_by(Review.created_at, Review.id))
    for fid, verdict in rows:
        out[fid] = verdict
    return out


def precision_by_rule(session: Session) -> list[dict[str, Any]]:
    """Per (detector, rule): reviewed, confirmed, false positives, open questions, precision = confirmed / decided."""
    verdicts = latest_verdicts(session)
    table: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for f in session.scalars(select(Finding).where(Finding.status == "flag")):
        row = table[(f.detector, f.rule)]
        row["flagged"] += 1
        v = verdicts.get(f.id)
        if v:
            row["reviewed"] += 1
            row[v] += 1
    out = []
    for (det, rule), row in sorted(table.items()):
        decided = row["confirmed"] + row["false_positive"]
        out.append({
            "detector": det, "rule": rule, "flagged": row["flagged"], "reviewed": row["reviewed"],
            "confirmed": row["confirmed"], "false_positive": row["false_positive"],
            "needs_more_info": row["needs_more_info"],
            "precision": round(row["confirmed"] / decided, 3) if decided else None,
        })
    return out
