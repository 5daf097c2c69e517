"""The readable end of `auction-monitor run`: each source's crawl outcome and counts, findings per rule, e-mails."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Finding

# what a crawl's counters hold, in the order shown
CRAWL_COUNTS = ("new", "changed", "unchanged", "delisted", "removed", "errors", "check_failed", "quarantined",
                "requests")


def findings_per_rule(session: Session, since: datetime) -> dict[str, dict[str, int]]:
    """"detector.rule" -> open flags and undecided findings, how many of them first appeared since ``since``, and
    how many were resolved since then."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: {"flag": 0, "insufficient": 0, "new": 0, "resolved": 0})
    for detector, rule, status, new, n in session.execute(
            select(Finding.detector, Finding.rule, Finding.status, Finding.first_seen >= since, func.count())
            .where(Finding.resolved_at.is_(None), Finding.status.in_(("flag", "insufficient")))
            .group_by(Finding.detector, Finding.rule, Finding.status, Finding.first_seen >= since)):
        row = out[f"{detector}.{rule}"]
        row[status] += n
        row["new"] += n if new else 0
    for detector, rule, n in session.execute(
            select(Finding.detector, Finding.rule, func.count()).where(Finding.resolved_at >= since)
            .group_by(Finding.detector, Finding.rule)):
        out[f"{detector}.{rule}"]["resolved"] += n
    return dict(sorted(out.items()))


def _crawl_lines(stage: dict[str, Any] | None) -> list[str]:
    if stage is None:
        return ["  (not crawled: --skip-crawl)"]
    if stage.get("status") == "failed":
        return [f"  failed: {stage.get('error', '')}"]
    lines = []
    for r in stage.get("result") or []:
        counters = r.get("counters") or {}
        counts = ", ".join(f"{k} {counters[k]}" for k in CRAWL_COUNTS if counters.get(k))
        message = (r.get("message") or "").strip().splitlines()
        lines.append(f"  {r['source']:<6} {r['kind'][:28]:<28} {r['status']:<9} {counts or 'nothing read'}"
                     + (f"\n      {message[0][:200]}" if message and r["status"] != "complete" else ""))
    return lines or ["  no crawl ran"]


def render_run_summary(job_id: int, ok: bool, stages: dict[str, Any], failures: list[str],
                       per_rule: dict[str, dict[str, int]]) -> str:
    """Plain text for the terminal; ``stages`` and ``failures`` as ``service.daily.DailyResult`` holds them."""
    out = [f"Daily job #{job_id}: {'ok' if ok else 'FAILED (exit status 1)'}",
           "Stages: " + ", ".join(f"{name} {st.get('status')}" for name, st in stages.items()),
           "", "Sources (crawl outcome: complete / partial / failed / blocked)"]
    out += _crawl_lines(stages.get("crawl"))
    detect = stages.get("detect") or {}
    scope = ((detect.get("result") or {}).get("scope") or {})
    since = scope.get("since")
    out += ["", "Findings per rule (open; new today; resolved today)"
                + (f" — detection: {'full pass' if not since else 'records published since ' + since}" if scope
                   else "")]
    if detect.get("status") == "failed":
        out.append(f"  detection failed: {detect.get('error', '')}")
    for rule, c in per_rule.items():
        out.append(f"  {rule:<52} {c['flag']:>5} flag  {c['insufficient']:>5} undecided  {c['new']:>4} new"
                   f"  {c['resolved']:>4} resolved")
    if not per_rule:
        out.append("  none open")
    alerts = stages.get("alerts") or {}
    result = alerts.get("result") or {}
    queued, delivered = result.get("queued") or {}, result.get("delivered") or {}
    out.append("")
    if alerts.get("status") == "failed":
        out.append(f"E-mails: the alerts stage failed: {alerts.get('error', '')}")
    else:
        out.append(f"E-mails: {queued.get('finding', 0)} finding e-mail(s) and {queued.get('digest', 0)} digest(s) "
                   f"queued; {delivered.get('sent', 0)} sent, {delivered.get('retry', 0)} to retry, "
                   f"{delivered.get('failed', 0)} given up")
    if failures:
        out += ["", "Problems:"] + [f"  - {f[:500]}" for f in failures]
    return "\n".join(out)
