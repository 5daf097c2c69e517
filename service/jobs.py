"""Job steps shared by the CLI, the daily run, the scheduler and the demo."""

from __future__ import annotations

from datetime import date
from typing import Any, Callable

from detectors.registry import build
from detectors.runner import run_detectors
from service.context import AppContext
from storage.timeutil import VN_TZ, utcnow


def run_detection(ctx: AppContext, *, only: list[str] | None = None, since: date | None = None,
                  progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    detectors = build(ctx.settings.detector_settings(), only)
    with ctx.session() as session:
        run = run_detectors(session, detectors, since=since, evidence_root=str(ctx.evidence.root), progress=progress)
        return {"detector_run_id": run.id, "counters": run.counters,
                "wall_s": {name: st.get("wall_s") for name, st in (run.stats or {}).items()}}


def dgts_specs(ctx: AppContext, *, kinds: list[str] | None = None, since: date | None = None,
               until: date | None = None, portal_url: str | None = None, retry_base_delay: float = 2.0) -> list:
    """Crawl specs for the dgts spiders, windows defaulting to the last crawl minus the overlap."""
    from crawler.runner import DGTS_RECORD_KINDS, DGTS_SPIDERS, CrawlSpec, default_window
    from crawler.settings import scrapy_settings

    d = ctx.settings.portals.dgts
    kinds = kinds or list(d.kinds)
    unknown = [k for k in kinds if k not in DGTS_SPIDERS]
    if unknown:
        raise ValueError(f"unknown dgts kind(s): {', '.join(unknown)} (known: {', '.join(DGTS_SPIDERS)})")
    windows = {}
    for k in kinds:  # each list from its own last complete crawl: one list finishing does not cover another's gap
        lo, hi = default_window(ctx.db_url, "dgts", d.lookback_days, d.backfill_start,
                                record_kind=DGTS_RECORD_KINDS[k])
        windows[k] = (since or lo, until or hi)
        if windows[k][0] > windows[k][1]:
            raise ValueError(f"--since {windows[k][0]} is after --until {windows[k][1]}")
    a = ctx.settings.attachments
    settings = scrapy_settings(concurrency=d.concurrency, delay_s=d.download_delay_s, timeout_s=d.timeout_s,
                               max_retries=d.max_retries, user_agent=d.user_agent, browser=d.browser,
                               chromium_path=d.chromium_path, max_bytes=a.max_bytes, retry_base_delay=retry_base_delay)
    common = dict(db_url=ctx.db_url, evidence_root=str(ctx.evidence.root), portal_url=portal_url or d.base_url,
                  page_size=d.page_size, browser=d.browser,
                  attachments={"download": a.download, "roles": list(a.roles), "extensions": list(a.extensions),
                               "max_bytes": a.max_bytes})
    return [CrawlSpec(DGTS_SPIDERS[k], settings, dict(common, since=windows[k][0], until=windows[k][1]))
            for k in ("selection", "result", "auction") if k in kinds]


def run_crawl(ctx: AppContext, specs: list, progress: Callable[[str], None] | None = None) -> list[dict[str, Any]]:
    """Run crawl specs in a child process; returns the crawl-run summaries it wrote."""
    from crawler.runner import last_run_id, run_specs, runs_since

    close_interrupted_runs(ctx)
    first = last_run_id(ctx.db_url)
    if progress:
        progress(f"crawling: {', '.join(s.spider.rsplit(':', 1)[-1] for s in specs)}")
    code = run_specs(specs)
    runs = runs_since(ctx.db_url, first)
    if code != 0 and not runs:
        runs = [{"run_id": None, "source": "crawl", "kind": "crawl", "status": "failed", "counters": {},
                 "message": f"crawl process exited with code {code}"}]
    notify_operator(ctx, runs, code)
    if progress:
        for r in runs:
            c = r["counters"] or {}
            progress(f"  {r['kind']}: {r['status']} — requests {c.get('requests', 0)}, new {c.get('new', 0)}, "
                     f"changed {c.get('changed', 0)}, unchanged {c.get('unchanged', 0)}, removed {c.get('removed', 0)}, "
                     f"errors {c.get('errors', 0)}" + (f" ({r['message'].splitlines()[0]})" if r.get("message") else ""))
    return runs


def thads_specs(ctx: AppContext, *, sites: list[str] | None = None, full: bool | None = None,
                portal_url: str | None = None, retry_base_delay: float = 2.0) -> list:
    """Crawl spec for the THADS spider; the full pass runs on the configured weekday unless forced."""
    from crawler.runner import THADS_SPIDER, CrawlSpec
    from crawler.settings import scrapy_settings

    t = ctx.settings.portals.thads
    a = ctx.settings.attachments
    if full is None:
        full = utcnow().astimezone(VN_TZ).weekday() == t.full_pass_weekday
    settings = scrapy_settings(concurrency=t.concurrency, delay_s=t.download_delay_s, timeout_s=t.timeout_s,
                               max_retries=t.max_retries, user_agent=ctx.settings.portals.dgts.user_agent,
                               max_bytes=a.max_bytes, retry_base_delay=retry_base_delay)
    today = utcnow().astimezone(VN_TZ).date()
    kwargs = dict(db_url=ctx.db_url, evidence_root=str(ctx.evidence.root), portal_url=portal_url or t.base_url,
                  since=today, until=today, sites=sites or list(t.sites), list_name=t.list_name,
                  stop_after_known=t.stop_after_known, max_pages=t.max_pages, full=full,
                  attachments={"download": a.download, "roles": list(a.roles), "extensions": list(a.extensions),
                               "max_bytes": a.max_bytes})
    return [CrawlSpec(THADS_SPIDER, settings, kwargs)]


def close_interrupted_runs(ctx: AppContext) -> int:
    """Crawl runs left 'running' by a killed process are closed as failed (their evidence stays)."""
    from sqlalchemy import select

    from storage.models import CrawlRun

    n = 0
    with ctx.session() as s:
        for run in s.scalars(select(CrawlRun).where(CrawlRun.status == "running")):
            run.status = "failed"
            run.finished_at = utcnow()
            run.message = "interrupted: the crawl process ended without finishing this run"
            n += 1
    return n


def notify_operator(ctx: AppContext, runs: list[dict[str, Any]], exit_code: int = 0) -> None:
    """A blocked or failed source is the operator's business: queue one operator alert per source and day."""
    from alerts.operator import alert_for_crawl_run, queue_operator_alert
    from storage.models import CrawlRun

    with ctx.session() as s:
        for r in runs:
            if r.get("run_id"):
                alert_for_crawl_run(s, ctx.settings, s.get(CrawlRun, r["run_id"]))
            elif r["status"] == "failed":
                queue_operator_alert(s, ctx.settings, "crawl_failed", "Tiến trình thu thập dừng bất thường",
                                     {"exit_code": exit_code, "message": r.get("message")}, "crawl_failed:process")


def link_thads(ctx: AppContext) -> dict[str, int]:
    """Match THADS notices to their dgts counterparts (stored in record_links with confidence and reasons)."""
    from crawler.thads_linking import link_thads_notices

    with ctx.session() as s:
        return link_thads_notices(s)
