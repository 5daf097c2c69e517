"""Analyst reviews turned into tuning advice: precision per rule, and thresholds that would keep precision up.

``precision_report`` is the per-rule table of ``storage.reviews.precision_by_rule`` plus how many flags are still
open. ``threshold_suggestions`` looks, for each rule of a detector whose findings carry a numeric score in their
evidence (table ``SCORES``), at the reviewed findings (latest verdict confirmed or false positive): for every
candidate threshold (each reviewed score) it gives the precision of the findings that threshold keeps, picks the
least strict threshold whose precision reaches the target (the one losing fewest confirmed findings), and reports
what the change would do to the open flags: how many it keeps, how many it drops and how many confirmed findings
it would lose. This is Cardinal's "review results, edit settings, repeat" loop with numbers attached.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Finding
from storage.reviews import latest_verdicts, precision_by_rule

DEFAULT_TARGET = 0.8
DEFAULT_MIN_DECIDED = 5


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _max_cut(ev: dict[str, Any]) -> float | None:
    cuts = [_num(s.get("cut")) for s in ev.get("steps") or [] if isinstance(s, dict) and s.get("comparable")]
    cuts = [c for c in cuts if c is not None]
    return max(cuts) if cuts else None


def _min_premium(ev: dict[str, Any]) -> float | None:
    values = [_num(s.get("premium_pct")) for s in ev.get("signals") or [] if isinstance(s, dict)]
    values = [v for v in values if v is not None]
    return min(values) if values else None


@dataclass(frozen=True)
class ScoreSpec:
    """Where a rule's numeric score is in the evidence, which direction is suspicious, which setting moves it."""

    name: str
    extract: Callable[[dict[str, Any]], float | None]
    higher_is_suspicious: bool
    setting: str | None
    note: str = ""


SCORES: dict[tuple[str, str], ScoreSpec] = {
    ("collusion", "repeat_selection"): ScoreSpec("top_share", lambda ev: _num(ev.get("top_share")), True,
                                                 "detectors.collusion.repeat_selection.threshold"),
    ("collusion", "rotation"): ScoreSpec("alternation", lambda ev: _num(ev.get("alternation")), True,
                                         "detectors.collusion.rotation.min_alternation"),
    ("collusion", "relist_chain"): ScoreSpec("largest comparable price cut", _max_cut, True,
                                             "detectors.collusion.relist.max_cut_per_round",
                                             "only chains flagged for a cut above the legal step move with it"),
    ("collusion", "outcome_signals"): ScoreSpec("winning premium over the start price (%)", _min_premium, False,
                                                "detectors.collusion.outcome_signals.max_premium_pct",
                                                "applies to outcomes without a known bid step"),
    ("collusion", "anomaly_rank"): ScoreSpec("isolation score", lambda ev: _num(ev.get("score")), True, None,
                                             "set top_n so that about this many notices rank above the threshold"),
}


def precision_report(session: Session) -> list[dict[str, Any]]:
    """Per (detector, rule): flagged, reviewed, confirmed, false positives, open questions, precision, open flags."""
    open_counts: dict[tuple[str, str], int] = {}
    for det, rule in session.execute(select(Finding.detector, Finding.rule).where(
            Finding.status == "flag", Finding.resolved_at.is_(None))):
        open_counts[(det, rule)] = open_counts.get((det, rule), 0) + 1
    rows = precision_by_rule(session)
    for row in rows:
        row["open_flags"] = open_counts.get((row["detector"], row["rule"]), 0)
    return rows


def _beyond(score: float, threshold: float, higher: bool) -> bool:
    return score >= threshold if higher else score <= threshold


def threshold_suggestions(session: Session, detector: str = "collusion", *, target_precision: float = DEFAULT_TARGET,
                          min_decided: int = DEFAULT_MIN_DECIDED) -> list[dict[str, Any]]:
    """Candidate thresholds per scored rule of ``detector`` and the least strict one reaching ``target_precision``."""
    verdicts = latest_verdicts(session)
    by_rule: dict[str, list[tuple[Finding, float]]] = {}
    for f in session.scalars(select(Finding).where(Finding.detector == detector, Finding.status == "flag")
                             .order_by(Finding.id)):
        spec = SCORES.get((detector, f.rule))
        if spec is None:
            continue
        score = spec.extract(f.evidence or {})
        if score is not None:
            by_rule.setdefault(f.rule, []).append((f, score))
    out: list[dict[str, Any]] = []
    for rule in sorted(by_rule):
        spec = SCORES[(detector, rule)]
        scored = by_rule[rule]
        decided = [(f, s, verdicts[f.id]) for f, s in scored if verdicts.get(f.id) in ("confirmed", "false_positive")]
        if not decided:
            continue
        open_scored = [(f, s) for f, s in scored if f.resolved_at is None]
        confirmed_all = sum(1 for _, _, v in decided if v == "confirmed")
        candidates = []
        for t in sorted({s for _, s, _ in decided}, reverse=not spec.higher_is_suspicious):
            kept = [v for _, s, v in decided if _beyond(s, t, spec.higher_is_suspicious)]
            conf = sum(1 for v in kept if v == "confirmed")
            candidates.append({
                "threshold": round(t, 6), "precision": round(conf / len(kept), 3) if kept else None,
                "confirmed_kept": conf, "false_positive_kept": len(kept) - conf,
                "confirmed_lost": confirmed_all - conf,
                "would_flag": sum(1 for _, s in open_scored if _beyond(s, t, spec.higher_is_suspicious)),
            })
        row: dict[str, Any] = {
            "detector": detector, "rule": rule, "score": spec.name,
            "direction": "higher is suspicious" if spec.higher_is_suspicious else "lower is suspicious",
            "setting": spec.setting, "note": spec.note, "target_precision": target_precision,
            "decided_reviews": len(decided), "current_precision": round(confirmed_all / len(decided), 3),
            "open_flags": len(open_scored), "candidates": candidates, "suggested_threshold": None,
        }
        if len(decided) < min_decided:
            row["reason"] = f"{len(decided)} decided reviews; {min_decided} needed before suggesting a threshold"
        else:
            reaching = [c for c in candidates if c["precision"] is not None and c["precision"] >= target_precision]
            if reaching:
                best = min(reaching, key=lambda c: (c["confirmed_lost"], -c["would_flag"]))
                row.update(suggested_threshold=best["threshold"], would_flag=best["would_flag"],
                           would_unflag=len(open_scored) - best["would_flag"], confirmed_lost=best["confirmed_lost"],
                           precision_at_suggestion=best["precision"])
            else:
                row["reason"] = f"no threshold reaches precision {target_precision}"
        out.append(row)
    return out
