"""``auction-monitor demo``: the whole daily job, offline, on the bundled data.

Starts the portal simulator on 127.0.0.1 with the 236 real dgts notices and the clearly labelled made-up
records of ``service/demo_data``, then runs the daily job against it (crawl of both portals → attachment text →
detection → alerts) into a fresh SQLite database, writing the e-mails as ``.eml`` files to an outbox folder
(or, with ``--smtp``, through the configured SMTP server), and prints a summary per detector.
"""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable

from sqlalchemy import select

from service.context import AppContext
from service.daily import DailyOptions, DailyResult, daily_run
from storage.evidence import EvidenceStore
from storage.kinds import RecordKind
from storage.models import Alert, Finding


def prepare_context(ctx: AppContext, workdir: Path, *, smtp: bool = False) -> AppContext:
    """Point the context at a fresh work folder and make the crawl fast (the simulator is local)."""
    for sub in ("demo.sqlite", "demo.sqlite-wal", "demo.sqlite-shm"):
        (workdir / sub).unlink(missing_ok=True)
    for sub in ("evidence", "outbox"):
        shutil.rmtree(workdir / sub, ignore_errors=True)
    workdir.mkdir(parents=True, exist_ok=True)
    s = ctx.settings
    s.database.url = f"sqlite:///{(workdir / 'demo.sqlite').resolve()}"
    s.evidence.path = str((workdir / "evidence").resolve())
    s.alerts.outbox_dir = str((workdir / "outbox").resolve())
    if not smtp:
        s.alerts.mode = "outbox"
    for portal in (s.portals.dgts, s.portals.thads):
        portal.download_delay_s = 0.0  # our own simulator on loopback: no politeness delay needed
        portal.concurrency = 4
        portal.timeout_s = 20.0
    return AppContext(settings=s, db_url=s.database.url, evidence=EvidenceStore(s.evidence.path))


def demo_days(clock: datetime) -> list[tuple[datetime, date | None]]:
    """Simulated days the demo replays: (simulated time, first publication day to crawl; None = backfill).

    A first run mid-June backfills the history, the main run at ``demo_clock()`` sees the edits made since
    (a window shortened after publication), and a run one day later sees take-downs, second postings and edits
    that happen after the clock, and shows that nothing already e-mailed is sent again.
    """
    return [(datetime.fromisoformat("2026-06-18T20:00:00+07:00"), None),
            (clock, clock.date() - timedelta(days=17)),
            (clock + timedelta(days=1), clock.date() - timedelta(days=3))]


def run_demo(ctx: AppContext, workdir: Path, *, smtp: bool = False,
             progress: Callable[[str], None] | None = None) -> tuple[DailyResult, dict]:
    from crawler.simulator import PortalSimulator, load_documents
    from service.demo_data import DEMO_BACKFILL_START, DEMO_FILES, demo_clock

    say = progress or (lambda m: None)
    ctx = prepare_context(ctx, workdir, smtp=smtp)
    docs = load_documents([str(p) for p in DEMO_FILES])
    sites = sorted({d["site"] for d in docs if d.get("kind") == RecordKind.THADS_NOTICE})
    clock = demo_clock()
    days = demo_days(clock)
    say(f"simulator: {len(docs)} records ({len(sites)} THADS sites); {len(days)} simulated days")
    ok = True
    failures: list[str] = []
    with PortalSimulator(docs, clock=days[0][0]) as sim:
        for n, (when, since) in enumerate(days, 1):
            sim.set_clock(when)
            say(f"=== simulated day {n}/{len(days)}: {when.isoformat()} ===")
            opts = DailyOptions(dgts_url=sim.base_url, thads_url=sim.base_url, since=since or DEMO_BACKFILL_START,
                                until=when.date(), thads_sites=sites, thads_full=True, retry_base_delay=0.1)
            result = daily_run(ctx, opts, name="demo", progress=say)
            ok = ok and result.ok
            failures += result.failures
        summary = summarize(ctx, workdir)
        summary["requests"] = len(sim.request_log)
        summary["days"] = len(days)
    result.ok, result.failures = ok, failures
    return result, summary


def _publication_day(doc: dict) -> date | None:
    from storage.timeutil import from_epoch_ms, parse_portal_time

    item = doc.get("list_item") or {}
    for key in ("publishTime1", "lastUpdated", "publishTime"):
        t = from_epoch_ms(item.get(key))
        if t:
            return t.date()
    if doc.get("date"):
        t = parse_portal_time(str(doc["date"]))
        return t.date() if t else None
    return None


def summarize(ctx: AppContext, workdir: Path) -> dict:
    with ctx.session() as s:
        per_rule = Counter((f.detector, f.rule, f.status) for f in s.scalars(select(Finding).where(Finding.resolved_at.is_(None))))
        alerts = Counter((a.kind, a.status) for a in s.scalars(select(Alert)))
    outbox = Path(ctx.settings.alerts.outbox_dir)
    return {
        "findings": {f"{d}.{r}.{st}": n for (d, r, st), n in sorted(per_rule.items())},
        "alerts": {f"{k}.{st}": n for (k, st), n in sorted(alerts.items())},
        "eml_files": len(list(outbox.glob("*.eml"))) if outbox.exists() else 0,
        "outbox": str(outbox),
        "database": ctx.db_url,
    }
