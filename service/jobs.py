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


def _allowed_hosts(ctx: AppContext) -> list[str]:
    return sorted(ctx.settings.allowed_hosts())


def dgts_specs(ctx: AppContext, *, kinds: list[str] | None = None, since: date | None = None,
               until: date | None = None, portal_url: str | None = None, retry_base_delay: float = 2.0) -> list:
    """Crawl specs for the dgts spiders: windows from ``crawler.runner.crawl_plan`` (the days after the last
    complete one minus the overlap, plus earlier days still incomplete) unless ``since``/``until`` are given."""
    from crawler.runner import DGTS_RECORD_KINDS, DGTS_SPIDERS, CrawlSpec, crawl_plan
    from crawler.settings import scrapy_settings

    d = ctx.settings.portals.dgts
    kinds = kinds or list(d.kinds)
    unknown = [k for k in kinds if k not in DGTS_SPIDERS]
    if unknown:
        raise ValueError(f"unknown dgts kind(s): {', '.join(unknown)} (known: {', '.join(DGTS_SPIDERS)})")
    windows: dict[str, tuple[date, date, list[date] | None]] = {}
    for k in kinds:  # each list from its own history: one list finishing does not cover another's gap
        lo, hi, days = crawl_plan(ctx.db_url, "dgts", d.lookback_days, d.backfill_start,
                                  record_kind=DGTS_RECORD_KINDS[k])
        if since or until:
            windows[k] = (since or lo, until or hi, None)
        else:
            windows[k] = (lo, hi, days)
        if windows[k][0] > windows[k][1]:
            raise ValueError(f"--since {windows[k][0]} is after --until {windows[k][1]}")
    a = ctx.settings.attachments
    settings = scrapy_settings(concurrency=d.concurrency, delay_s=d.download_delay_s, timeout_s=d.timeout_s,
                               max_retries=d.max_retries, user_agent=d.user_agent, browser=d.browser,
                               chromium_path=d.chromium_path, max_bytes=a.max_bytes, retry_base_delay=retry_base_delay,
                               time_budget_s=ctx.settings.crawl.time_budget_s)
    common = dict(db_url=ctx.db_url, evidence_root=str(ctx.evidence.root), portal_url=portal_url or d.base_url,
                  page_size=d.page_size, browser=d.browser, allowed_hosts=_allowed_hosts(ctx),
                  max_list_pages=ctx.settings.crawl.max_list_pages,
                  attachments={"download": a.download, "roles": list(a.roles), "extensions": list(a.extensions),
                               "max_bytes": a.max_bytes})
    specs = []
    for k in ("selection", "result", "auction"):
        if k in kinds:
            lo, hi, days = windows[k]
            kwargs = dict(common, since=lo, until=hi)
            if days is not None and k == "auction":  # read day by day: only the days still to read
                kwargs["days"] = days
            specs.append(CrawlSpec(DGTS_SPIDERS[k], settings, kwargs))
    return specs


def run_crawl(ctx: AppContext, specs: list, progress: Callable[[str], None] | None = None) -> list[dict[str, Any]]:
    """Run crawl specs in a child process; returns the crawl-run summaries it wrote. A child that died (killed,
    out of memory, over its time limit) fails every run it left open, and the operator is told."""
    from crawler.runner import KILL_GRACE_S, last_run_id, run_specs, runs_since

    close_interrupted_runs(ctx)
    first = last_run_id(ctx.db_url)
    if progress:
        progress(f"crawling: {', '.join(s.spider.rsplit(':', 1)[-1] for s in specs)}")
    ended = run_specs(specs, time_limit_s=ctx.settings.crawl.time_budget_s + KILL_GRACE_S)
    if not ended.ok:
        close_interrupted_runs(ctx, f"interrupted: {ended.describe()}")
    runs = runs_since(ctx.db_url, first)
    if not ended.ok:
        runs.append({"run_id": None, "source": "crawl", "kind": "process", "status": "failed", "counters": {},
                     "message": ended.describe()})
    notify_operator(ctx, runs, ended.code)
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
                               max_bytes=a.max_bytes, retry_base_delay=retry_base_delay,
                               time_budget_s=ctx.settings.crawl.time_budget_s)
    today = utcnow().astimezone(VN_TZ).date()
    sites = sites or list(t.sites)
    kwargs = dict(db_url=ctx.db_url, evidence_root=str(ctx.evidence.root), portal_url=portal_url or t.base_url,
                  since=today, until=today, sites=sites, list_name=t.list_name,
                  stop_after_known=t.stop_after_known, max_pages=t.max_pages, full=full,
                  allowed_hosts=_allowed_hosts(ctx), thorough_sites=incomplete_thads_sites(ctx, sites),
                  attachments={"download": a.download, "roles": list(a.roles), "extensions": list(a.extensions),
                               "max_bytes": a.max_bytes})
    return [CrawlSpec(THADS_SPIDER, settings, kwargs)]


def incomplete_thads_sites(ctx: AppContext, sites: list[str]) -> list[str]:
    """Sites whose latest pass did not account for every listed item: read them without the stop-after-known
    shortcut, so the items behind the gap are reached."""
    from sqlalchemy import select

    from storage.models import CrawlRun

    latest: dict[str, bool] = {}
    with ctx.session() as s:
        for run in s.scalars(select(CrawlRun).where(CrawlRun.source == "thads", CrawlRun.status != "running")
                             .order_by(CrawlRun.id)):
            done = {str(n).rsplit(":", 1)[-1] for n in run.complete_lists or ()}
            for site in run.planned_lists or ():
                latest[site] = site in done
    return [site for site in sites if latest.get(site) is False]


def close_interrupted_runs(ctx: AppContext,
                           message: str = "interrupted: the crawl process ended without finishing this run") -> int:
    """Crawl runs left 'running' by a killed process are closed as failed (their evidence stays)."""
    from sqlalchemy import select

    from storage.models import CrawlRun

    n = 0
    with ctx.session() as s:
        for run in s.scalars(select(CrawlRun).where(CrawlRun.status == "running")):
            run.status = "failed"
            run.finished_at = utcnow()
            run.message = message[:10_000]
            n += 1
    return n


def notify_operator(ctx: AppContext, runs: list[dict[str, Any]], exit_code: int = 0) -> None:
    """A blocked, failed or incomplete source is the operator's business: one operator alert per source and day;
    and one, naming it, for each notice that stayed unreadable for ``crawl.unreadable_alert_after_runs`` runs."""
    from alerts.operator import alert_for_crawl_run, alert_unreadable_items, queue_operator_alert
    from storage.models import CrawlRun

    with ctx.session() as s:
        for r in runs:
            if r.get("run_id"):
                alert_for_crawl_run(s, ctx.settings, s.get(CrawlRun, r["run_id"]))
            elif r["status"] == "failed":
                queue_operator_alert(s, ctx.settings, "crawl_failed", "Tiến trình thu thập dừng bất thường",
                                     {"exit_code": exit_code, "message": r.get("message")}, "crawl_failed:process")
        alert_unreadable_items(s, ctx.settings)


def link_thads(ctx: AppContext) -> dict[str, int]:
    """Match THADS notices to their dgts counterparts (stored in record_links with confidence and reasons)."""
    from crawler.thads_linking import link_thads_notices

    with ctx.session() as s:
        return link_thads_notices(s)
