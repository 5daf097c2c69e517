"""The daily job: crawl every source, extract attachment text, detect, queue and deliver alerts.

Each stage runs even when an earlier one failed (a blocked portal does not stop detection on what is already
stored), the operator is told about failures, and the job ends with a non-zero status if any stage failed or was
incomplete (a crawl that was partial, blocked or died; messages that could not be delivered). The run and each
stage's outcome (ok, partial or failed) are recorded in ``job_runs``.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Callable

from sqlalchemy import select

from service.context import AppContext, make_context
from service.run_summary import findings_per_rule
from storage.db import session_factory
from storage.models import JobRun
from storage.timeutil import utcnow

log = logging.getLogger(__name__)


@dataclass
class DailyOptions:
    dgts_url: str | None = None
    thads_url: str | None = None
    since: date | None = None
    until: date | None = None
    thads_sites: list[str] | None = None
    thads_full: bool | None = None
    dry_run: bool = False
    skip_crawl: bool = False
    retry_base_delay: float = 2.0


@dataclass
class DailyResult:
    job_id: int
    ok: bool
    stages: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    findings: dict[str, dict[str, int]] = field(default_factory=dict)  # service.run_summary.findings_per_rule


def _operator(ctx: AppContext, kind: str, message: str, details: dict[str, Any], dedupe: str) -> None:
    from alerts.operator import queue_operator_alert

    with ctx.session() as s:
        queue_operator_alert(s, ctx.settings, kind, message, details, dedupe)


def daily_run(ctx: AppContext, opts: DailyOptions | None = None, *, name: str = "daily",
              progress: Callable[[str], None] | None = None) -> DailyResult:
    from service.jobs import dgts_specs, link_thads, run_crawl, run_detection, thads_specs

    opts = opts or DailyOptions()
    say = progress or (lambda m: None)
    ctx.ensure_schema()
    with ctx.session() as s:
        # Callers hold the run lock, so a run of this name still "running" was killed (kill -9, power cut).
        for stale in s.scalars(select(JobRun).where(JobRun.name == name, JobRun.status == "running")):
            stale.status, stale.finished_at = "failed", utcnow()
            stale.message = "interrupted: the process ended without finishing this run"
        started = utcnow()
        job = JobRun(name=name, started_at=started, status="running", stages={})
        s.add(job)
        s.flush()
        job_id = job.id
    result = DailyResult(job_id=job_id, ok=True)
    shortfalls: dict[str, list[str]] = {}

    def incomplete(stage_name: str, message: str) -> None:
        """The stage ran but did not do all it should have: the job fails and says why."""
        result.ok = False
        result.failures.append(message)
        shortfalls.setdefault(stage_name, []).append(message)
        say(message)

    def stage(stage_name: str, fn: Callable[[], Any]) -> Any:
        say(f"[{stage_name}]")
        try:
            out = fn()
            problems = shortfalls.get(stage_name)
            result.stages[stage_name] = {"status": "partial" if problems else "ok", "result": out,
                                         **({"problems": problems} if problems else {})}
            return out
        except Exception as exc:  # a stage failure must not stop the next stages
            log.exception("stage %s failed", stage_name)
            result.ok = False
            msg = f"{stage_name} failed: {type(exc).__name__}: {exc}"
            result.failures.append(msg)
            result.stages[stage_name] = {"status": "failed", "error": msg,
                                         "trace": traceback.format_exc(limit=5)[-4000:]}
            say(msg)
            try:
                _operator(ctx, "stage_failed", msg, {"stage": stage_name}, f"stage:{stage_name}")
            except Exception:
                log.exception("could not queue the operator alert")
            return None

    if not opts.skip_crawl:
        def crawl() -> list[dict[str, Any]]:
            specs = dgts_specs(ctx, since=opts.since, until=opts.until, portal_url=opts.dgts_url,
                               retry_base_delay=opts.retry_base_delay)
            specs += thads_specs(ctx, sites=opts.thads_sites, full=opts.thads_full, portal_url=opts.thads_url,
                                 retry_base_delay=opts.retry_base_delay)
            runs = run_crawl(ctx, specs, progress=say)  # queues operator alerts for blocked/failed/partial sources
            for r in runs:
                if r["status"] in ("blocked", "failed", "partial"):
                    incomplete("crawl", f"crawl {r['source']} {r['kind']} {r['status']}: "
                                        f"{(r.get('message') or '').strip()[:500]}")
            return runs

        stage("crawl", crawl)
        stage("attachments", lambda: _attachments(ctx, say))
        stage("link", lambda: link_thads(ctx))
        stage("freshness", lambda: _freshness(ctx))
    stage("detect", lambda: detect_stage(ctx, say))
    alerts_out = stage("alerts", lambda: _alerts(ctx, opts.dry_run, say))
    if alerts_out and alerts_out["delivered"].get("failed"):
        n = alerts_out["delivered"]["failed"]
        incomplete("alerts", f"alerts: {n} message(s) could not be delivered and were given up")
        result.stages["alerts"].update(status="partial", problems=shortfalls["alerts"])
    try:
        with ctx.session() as s:
            result.findings = findings_per_rule(s, started)
    except Exception:  # the summary must not fail a job whose stages ran
        log.exception("could not count the findings for the summary")
    with ctx.session() as s:
        job = s.get(JobRun, job_id)
        job.finished_at = utcnow()
        job.status = "ok" if result.ok else "failed"
        job.stages = _jsonable(result.stages)
        job.message = "\n".join(result.failures)[:10_000] or None
    return result


def detect_stage(ctx: AppContext, say) -> dict[str, Any]:
    """The detect stage: a full pass or an incremental one (``service.detect_scope``)."""
    from service.detect_scope import daily_detection_scope
    from service.jobs import run_detection

    with ctx.session() as s:
        since, reason = daily_detection_scope(s, ctx.settings.detector_settings(),
                                              ctx.settings.schedule.full_detect_every_days, utcnow())
    say(f"detection: {'full pass' if since is None else 'records published since ' + since.isoformat()} ({reason})")
    out = run_detection(ctx, since=since, progress=say)
    return {**out, "scope": {"since": since.isoformat() if since else None, "reason": reason}}


def _attachments(ctx: AppContext, say) -> dict[str, int]:
    from crawler.attachment_text import extract_pending

    a = ctx.settings.attachments
    if not a.download:
        return {"skipped": 1}
    return extract_pending(ctx.session, ctx.evidence, max_bytes=a.max_bytes, timeout_s=a.timeout_s, ocr=a.ocr,
                           progress=say)


def _freshness(ctx: AppContext) -> int:
    """Tell the operator when a source brought no new record for N days (a silent block looks like this)."""
    from alerts.operator import check_no_new_records

    with ctx.session() as s:
        return len(check_no_new_records(s, ctx.settings))


def _alerts(ctx: AppContext, dry_run: bool, say) -> dict[str, Any]:
    from alerts.outbox import deliver, queue_alerts

    with ctx.session() as s:
        queued = queue_alerts(s, ctx.settings, utcnow())
    delivered = deliver(session_factory(ctx.db_url), ctx.settings, utcnow(), dry_run=dry_run)
    say(f"alerts: queued {queued}, delivery {delivered}")
    return {"queued": queued, "delivered": delivered}


def _jsonable(value: Any) -> Any:
    import json

    return json.loads(json.dumps(value, default=str))


LOCK_TTL_S = 6 * 3600


def scheduled_daily(config_path: str | None = None) -> bool:
    """The scheduler's job (module level, so the persistent job store can reference it by name). Its only argument
    is the configuration file; the database is the running scheduler's (its URL is never stored with the job)."""
    from service.scheduler import runtime_db_url

    ctx = make_context(config_path, runtime_db_url())
    return daily_run(ctx, progress=log.info).ok
