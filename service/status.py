"""`auction-monitor status`: the last runs, crawl coverage by day, findings waiting for review and the outbox."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from storage.kinds import RecordKind
from storage.models import Alert, CrawlRun, Finding, JobRun, Record, Review
from storage.timeutil import day_start, to_local, utcnow

RECORD_KINDS = RecordKind.ALL
SHORT_KINDS = {RecordKind.DGTS_SELECTION_NOTICE: "sel", RecordKind.DGTS_SELECTION_RESULT: "res",
               RecordKind.DGTS_AUCTION_NOTICE: "auc", RecordKind.THADS_NOTICE: "thads"}


def _when(dt: datetime | None) -> str:
    return to_local(dt).strftime("%Y-%m-%d %H:%M") if dt else "-"


def _first_line(text: str | None, limit: int = 90) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def collect_status(session: Session, days: int = 14, now: datetime | None = None) -> dict[str, Any]:
    """Everything `status` prints, as plain data (also the --format json output)."""
    now = now or utcnow()
    today = to_local(now).date()
    first_day = today - timedelta(days=days - 1)
    jobs = [{"id": j.id, "name": j.name, "started": _when(j.started_at), "finished": _when(j.finished_at),
             "status": j.status, "failed_stages": sorted(k for k, v in (j.stages or {}).items()
                                                         if isinstance(v, dict) and v.get("status") == "failed"),
             "message": _first_line(j.message)}
            for j in session.scalars(select(JobRun).order_by(JobRun.id.desc()).limit(5))]
    crawls = [{"id": r.id, "source": r.source, "kind": r.kind, "started": _when(r.started_at), "status": r.status,
               "new": (r.counters or {}).get("new", 0), "changed": (r.counters or {}).get("changed", 0),
               "message": _first_line(r.message)}
              for r in session.scalars(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(8))]

    runs_by_day: dict[date, Counter[str]] = defaultdict(Counter)
    for source, status, started in session.execute(
            select(CrawlRun.source, CrawlRun.status, CrawlRun.started_at)
            .where(CrawlRun.started_at >= day_start(first_day))):
        runs_by_day[to_local(started).date()][f"{source}:{status}"] += 1
    seen_by_day: dict[date, Counter[str]] = defaultdict(Counter)
    for kind, seen in session.execute(select(Record.record_kind, Record.first_seen)
                                      .where(Record.first_seen >= day_start(first_day))):
        seen_by_day[to_local(seen).date()][kind] += 1
    coverage = []
    for i in range(days):
        d = first_day + timedelta(days=i)
        coverage.append({"day": d.isoformat(), "runs": dict(sorted(runs_by_day[d].items())),
                         "new_records": {k: seen_by_day[d][k] for k in RECORD_KINDS}})

    unreviewed = ~exists().where(Review.finding_id == Finding.id)
    waiting = [{"detector": d, "rule": r, "count": n} for d, r, n in session.execute(
        select(Finding.detector, Finding.rule, func.count()).where(
            Finding.status == "flag", Finding.resolved_at.is_(None), unreviewed)
        .group_by(Finding.detector, Finding.rule).order_by(Finding.detector, Finding.rule))]
    outbox = {status: n for status, n in session.execute(select(Alert.status, func.count()).group_by(Alert.status))}
    oldest_queued = session.scalar(select(func.min(Alert.created_at)).where(Alert.status == "queued"))
    last_sent = session.scalar(select(func.max(Alert.sent_at)))
    last_error = session.scalar(select(Alert.last_error).where(Alert.status == "failed")
                                .order_by(Alert.id.desc()).limit(1))
    return {
        "jobs": jobs, "crawls": crawls, "coverage": coverage, "waiting_for_review": waiting,
        "outbox": {"queued": outbox.get("queued", 0), "sent": outbox.get("sent", 0), "failed": outbox.get("failed", 0),
                   "oldest_queued": _when(oldest_queued), "last_sent": _when(last_sent),
                   "last_error": _first_line(last_error)},
    }


def render_status(st: dict[str, Any]) -> str:
    """The status as a few plain-text tables for a terminal."""
    out: list[str] = ["Last daily jobs"]
    if not st["jobs"]:
        out.append("  none yet (auction-monitor run, or schedule)")
    for j in st["jobs"]:
        failed = f"  failed stages: {', '.join(j['failed_stages'])}" if j["failed_stages"] else ""
        out.append(f"  #{j['id']:<5} {j['name']:<6} {j['started']} → {j['finished']}  {j['status']}{failed}")
    out += ["", "Last crawl runs"]
    if not st["crawls"]:
        out.append("  none yet")
    for r in st["crawls"]:
        msg = f"  {r['message']}" if r["message"] and r["status"] != "complete" else ""
        out.append(f"  #{r['id']:<5} {r['source']:<6} {r['started']}  {r['status']:<9} "
                   f"new {r['new']:<6} changed {r['changed']:<6} {r['kind'][:40]}{msg}")
    out += ["", "Crawl coverage by day (runs by source:status; records first seen)",
            "  day          runs                                  " +
            " ".join(f"{SHORT_KINDS[k]:>6}" for k in RECORD_KINDS)]
    for c in st["coverage"]:
        runs = ", ".join(f"{k}×{n}" for k, n in c["runs"].items()) or "no crawl"
        counts = " ".join(f"{c['new_records'][k]:>6}" for k in RECORD_KINDS)
        out.append(f"  {c['day']}   {runs[:37]:<37} {counts}")
    total = sum(w["count"] for w in st["waiting_for_review"])
    out += ["", f"Findings waiting for review (open flags without a verdict): {total}"]
    for w in st["waiting_for_review"]:
        out.append(f"  {w['count']:>6}  {w['detector']}.{w['rule']}")
    o = st["outbox"]
    out += ["", f"Outbox: {o['queued']} queued (oldest {o['oldest_queued']}), {o['sent']} sent (last "
                f"{o['last_sent']}), {o['failed']} failed"]
    if o["last_error"]:
        out.append(f"  last failure: {o['last_error']}")
    return "\n".join(out)
