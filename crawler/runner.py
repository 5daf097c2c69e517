"""Runs spiders for one crawl, in a child process (``python -m crawler.runner SPEC.json``).

Twisted's reactor can start only once per process, and a crawl holds a lot of transient memory, so every crawl
runs in a fresh child interpreter. The child writes its results to the database (crawl runs, raw responses,
records); the parent reads the run rows back and returns a summary. A crawl killed half-way leaves its committed
evidence and records, and the next run simply continues.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from storage.db import session_scope
from storage.models import CrawlRun
from storage.timeutil import VN_TZ, utcnow

DGTS_SPIDERS = {
    "selection": "crawler.spiders.dgts_selection_notices:DgtsSelectionNoticeSpider",
    "result": "crawler.spiders.dgts_selection_results:DgtsSelectionResultSpider",
    "auction": "crawler.spiders.dgts_auction_notices:DgtsAuctionNoticeSpider",
}
DGTS_RECORD_KINDS = {"selection": "dgts.selection_notice", "result": "dgts.selection_result",
                     "auction": "dgts.auction_notice"}
THADS_SPIDER = "crawler.spiders.thads_notices:ThadsNoticeSpider"


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


def run_specs(specs: list[CrawlSpec], *, in_process: bool = False) -> int:
    """Run the crawl; returns the child's exit code (0 when the reactor stopped normally)."""
    if not specs:
        return 0
    if in_process:
        _child(specs)
        return 0
    # The specs go through the child's stdin: nothing is left on disk when either process is killed.
    payload = json.dumps([asdict(s) for s in specs], default=_encode).encode("utf-8")
    return subprocess.run([sys.executable, "-m", "crawler.runner", "-"], input=payload, check=False).returncode


def main(argv: list[str]) -> int:
    """Child entry point: specs as JSON from a file, or from stdin when the argument is "-"."""
    if argv[0] == "-":
        raw = sys.stdin.read()
    else:
        with open(argv[0]) as fh:
            raw = fh.read()
    specs = [CrawlSpec(**s) for s in json.loads(raw, object_hook=_decode)]
    _child(specs)
    return 0


def default_window(db_url: str, record_kind_source: str, lookback_days: int, backfill_start: date | None,
                   today: date | None = None, *, record_kind: str | None = None) -> tuple[date, date]:
    """From the last successful crawl of the source (of that record kind, when given) minus the overlap, or the
    backfill start, to today. Per kind, because one list completing says nothing about the days another list
    missed (a killed or blocked auction-notice crawl next to a finished selection crawl)."""
    today = today or utcnow().astimezone(VN_TZ).date()
    query = select(CrawlRun.window_end).where(CrawlRun.source == record_kind_source,
                                              CrawlRun.status.in_(("complete", "partial")))
    if record_kind is not None:
        query = query.where(CrawlRun.kind == record_kind)
    with session_scope(db_url) as s:
        last = s.scalar(query.order_by(CrawlRun.id.desc()).limit(1))
    if last is not None:
        return min(last, today) - timedelta(days=lookback_days), today
    if backfill_start is not None:
        return backfill_start, today
    return today - timedelta(days=lookback_days), today


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
