"""Runs spiders for one crawl, in a child process (``python -m crawler.runner SPEC.json``).

Twisted's reactor can start only once per process, and a crawl holds a lot of transient memory, so every crawl
runs in a fresh child interpreter. The child writes its results to the database (crawl runs, raw responses,
records); the parent reads the run rows back and returns a summary. A crawl killed half-way leaves its committed
evidence and records, and the next run simply continues.

The child cannot outlive its parent: it asks Linux for SIGKILL when the parent dies (``PR_SET_PDEATHSIG``), and the
parent kills it when it overruns its time budget. The window of the next crawl of a list comes from ``crawl_plan``:
the days after the last complete one, minus the overlap, plus every earlier day no run has completed yet.
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import signal
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from storage.db import session_scope
from storage.kinds import RecordKind
from storage.models import CrawlRun
from storage.timeutil import VN_TZ, utcnow

DGTS_SPIDERS = {
    "selection": "crawler.spiders.dgts_selection_notices:DgtsSelectionNoticeSpider",
    "result": "crawler.spiders.dgts_selection_results:DgtsSelectionResultSpider",
    "auction": "crawler.spiders.dgts_auction_notices:DgtsAuctionNoticeSpider",
}
DGTS_RECORD_KINDS = {"selection": RecordKind.DGTS_SELECTION_NOTICE, "result": RecordKind.DGTS_SELECTION_RESULT,
                     "auction": RecordKind.DGTS_AUCTION_NOTICE}
THADS_SPIDER = "crawler.spiders.thads_notices:ThadsNoticeSpider"
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
PARENT_ENV = "AUCTION_MONITOR_CRAWL_PARENT"
KILL_GRACE_S = 120.0  # beyond the spiders' own time budget, before the parent kills a crawl that does not stop

log = logging.getLogger(__name__)


@dataclass
class CrawlSpec:
    spider: str  # import path
    settings: dict[str, Any]
    kwargs: dict[str, Any] = field(default_factory=dict)


def _load(path: str):
    import importlib

    module, _, attr = path.partition(":")
    return getattr(importlib.import_module(module), attr)


def use_bundled_public_suffix_list() -> None:
    """Scrapy's cookie middleware downloads the public-suffix list on first use; use tldextract's bundled copy
    instead, so a crawl talks to nothing but the portal it was pointed at."""
    import scrapy.downloadermiddlewares.cookies as cookies
    from tldextract import TLDExtract

    cookies._split_domain = TLDExtract(include_psl_private_domains=True, suffix_list_urls=(), cache_dir=None)


def _child(specs: list[CrawlSpec]) -> None:
    from scrapy.crawler import CrawlerProcess

    use_bundled_public_suffix_list()
    base = specs[0].settings
    process = CrawlerProcess(settings=base)
    for spec in specs:
        process.crawl(_load(spec.spider), **spec.kwargs)
    process.start()


def _encode(value: Any) -> Any:
    if isinstance(value, date):
        return {"__date__": value.isoformat()}
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _decode(obj: dict[str, Any]) -> Any:
    if set(obj) == {"__date__"}:
        return date.fromisoformat(obj["__date__"])
    return obj


@dataclass
class CrawlExit:
    """How the crawl child ended: its exit code (negative: killed by that signal) and, when the parent killed it
    for overrunning its time limit, that limit."""

    code: int
    timed_out_after_s: float | None = None

    @property
    def ok(self) -> bool:
        return self.code == 0 and self.timed_out_after_s is None

    def describe(self) -> str:
        if self.timed_out_after_s is not None:
            return f"the crawl process overran its time limit ({self.timed_out_after_s:.0f} s) and was killed"
        if self.code < 0:
            try:
                name = signal.Signals(-self.code).name
            except ValueError:
                name = f"signal {-self.code}"
            return f"the crawl process was killed by {name} (e.g. the out-of-memory killer)"
        return f"the crawl process exited with code {self.code}"


def die_with_parent(parent_pid: int | None) -> None:
    """Linux: have the kernel SIGKILL this process when its parent dies; if the parent is already gone (it died
    before this ran), exit at once. Elsewhere only the second check applies."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
                log.warning("prctl(PR_SET_PDEATHSIG) failed: errno %d", ctypes.get_errno())
        except (OSError, AttributeError):
            log.warning("prctl is not available: the crawl cannot follow its parent's death")
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(3)


def run_specs(specs: list[CrawlSpec], *, in_process: bool = False, time_limit_s: float | None = None,
              on_start=None) -> CrawlExit:
    """Run the crawl in a child process; returns how it ended. ``time_limit_s`` (the spiders' budget plus a grace)
    bounds the child: past it, the child is killed. ``on_start(pid)`` is called once the child runs."""
    if not specs:
        return CrawlExit(0)
    if in_process:
        _child(specs)
        return CrawlExit(0)
    # The specs go through the child's stdin: nothing is left on disk when either process is killed.
    payload = json.dumps([asdict(s) for s in specs], default=_encode).encode("utf-8")
    env = {**os.environ, PARENT_ENV: str(os.getpid())}
    proc = subprocess.Popen([sys.executable, "-m", "crawler.runner", "-"], stdin=subprocess.PIPE, env=env)
    if on_start is not None:
        on_start(proc.pid)
    try:
        proc.communicate(payload, timeout=time_limit_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return CrawlExit(proc.returncode, timed_out_after_s=time_limit_s)
    except BaseException:  # the parent is being stopped (Ctrl-C, an error): the crawl does not go on without it
        proc.kill()
        proc.wait()
        raise
    return CrawlExit(proc.returncode)


def main(argv: list[str]) -> int:
    """Child entry point: specs as JSON from a file, or from stdin when the argument is "-"."""
    parent = os.environ.get(PARENT_ENV)
    die_with_parent(int(parent) if parent and parent.isdigit() else None)
    if argv[0] == "-":
        raw = sys.stdin.read()
    else:
        with open(argv[0]) as fh:
            raw = fh.read()
    specs = [CrawlSpec(**s) for s in json.loads(raw, object_hook=_decode)]
    _child(specs)
    return 0


def _days(lo: date, hi: date) -> list[date]:
    return [lo + timedelta(days=n) for n in range((hi - lo).days + 1)] if lo <= hi else []


def run_days(run: CrawlRun, today: date) -> tuple[set[date], set[date]]:
    """(planned, completed) publication days of one finished crawl run of a record kind: a day list
    ("2026-06-30") covers its day, the "all" list covers the run's whole window."""
    lo, hi = run.window_start, min(run.window_end or today, today)
    window = set(_days(lo, hi)) if lo is not None and hi is not None else set()

    def days_of(names) -> set[date]:
        out: set[date] = set()
        for name in names or ():
            name = str(name).rsplit(":", 1)[-1]
            if name == "all":
                out |= window
            else:
                try:
                    out.add(date.fromisoformat(name))
                except ValueError:
                    continue
        return out

    planned = days_of(run.planned_lists) if run.planned_lists is not None else window
    return planned, days_of(run.complete_lists)


def crawl_plan(db_url: str, record_kind_source: str, lookback_days: int, backfill_start: date | None,
               today: date | None = None, *, record_kind: str | None = None) -> tuple[date, date, list[date]]:
    """The window of the next crawl of one record kind: (since, until, days). ``days`` are the publication days to
    read: from the newest day a run completed (minus the overlap; on a first run the backfill start) to today, plus
    every earlier day a run planned and no run completed (killed, blocked, a list page that failed, a time budget
    used up): an incomplete day stays in the window until a run completes it. Per kind, because one list completing
    says nothing about the days another list missed."""
    today = today or utcnow().astimezone(VN_TZ).date()
    query = select(CrawlRun).where(CrawlRun.source == record_kind_source, CrawlRun.status != "running")
    if record_kind is not None:
        query = query.where(CrawlRun.kind == record_kind)
    planned: set[date] = set()
    done: set[date] = set()
    with session_scope(db_url) as s:
        for run in s.scalars(query.order_by(CrawlRun.id)):
            p, d = run_days(run, today)
            planned |= p
            done |= d
    if done:
        start = min(max(done), today) - timedelta(days=lookback_days)
    elif backfill_start is not None:
        start = backfill_start
    else:
        start = today - timedelta(days=lookback_days)
    start = min(start, today)
    days = set(_days(start, today)) | {d for d in planned - done if d <= today}
    return min(days), today, sorted(days)


def runs_since(db_url: str, first_id: int) -> list[dict[str, Any]]:
    with session_scope(db_url) as s:
        rows = s.scalars(select(CrawlRun).where(CrawlRun.id > first_id).order_by(CrawlRun.id)).all()
        return [{"run_id": r.id, "source": r.source, "kind": r.kind, "status": r.status, "counters": r.counters,
                 "message": r.message, "window": [str(r.window_start), str(r.window_end)]} for r in rows]


def last_run_id(db_url: str) -> int:
    with session_scope(db_url) as s:
        return s.scalar(select(CrawlRun.id).order_by(CrawlRun.id.desc()).limit(1)) or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
