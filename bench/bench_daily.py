"""Daily-run benchmark: crawl + detect + alert of one simulated day on top of the full history.

1. The history database (every record as visible one day before the dataset's daily clock, imported with
   `auction-monitor import-dataset`) is brought to steady state by the previous day's run against the simulator
   at that time: crawl, detect, alerts. That "warm" database is cached in --workdir and copied for each run.
2. The simulator clock moves one day (to the daily clock, 06:00 the day after the last publication day) and the
   measured run does what `auction-monitor run` does for dgts: `crawl dgts` (window = the default lookback of 3
   days before today, to today), `detect --daily-scope` (what the daily job runs: a full pass on the first day,
   since no full pass exists yet; on the measured day an incremental pass over the records published since the
   earliest day the crawl changed, the full history still read for population statistics), `alerts queue`,
   `alerts send` (outbox mode: .eml files). THADS is not in the generated dataset and is not crawled.

Figures: wall and CPU time and peak RSS per stage (wait4 on each CLI process), totals, and the HTTP requests from
the simulator's request log compared with the minimum a crawler needs: the list pages of the window (auction
notices per day, selection notices newest first down to the window start, every result page) plus one detail set
per record that is new or whose list entry changed (4 requests per auction notice, 3 per selection notice or
result). Attachment downloads are off (generated files have no bytes) and counted in neither.

    python bench/bench_daily.py --dataset /tmp/am-bench/national [--db sqlite|postgresql://…] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (  # noqa: E402
    Databases, Measured, SimulatorProcess, build_history, cli, dataset_stamp, figure, iter_documents, local_day,
    machine_load, manifest, note, parse_clock, published_ms, to_ms, view_at, write_config,
)
from storage.kinds import RecordKind  # noqa: E402

LOOKBACK_DAYS = 3  # service.config DgtsSettings.lookback_days default
DETAIL_REQUESTS = {RecordKind.DGTS_AUCTION_NOTICE: 4, RecordKind.DGTS_SELECTION_NOTICE: 3,
                   RecordKind.DGTS_SELECTION_RESULT: 3}
LIST_PATHS = {"/portal/search/auction-notice": RecordKind.DGTS_AUCTION_NOTICE,
              "/ThongTin/getInfoSelectAuctionOrg": RecordKind.DGTS_SELECTION_NOTICE,
              "/ThongTin/getResultSelectAuctionOrg": RecordKind.DGTS_SELECTION_RESULT}


def day_run(config: Path, dataset: Path, clock: datetime, since, until
            ) -> tuple[dict[str, Measured], list[tuple[str, int | None]], float, float]:
    """The daily job's dgts stages as CLI commands: the crawl against the simulator (in its own process, stopped
    before detection so its memory is not counted against the machine), then detect and alerts. Each command's
    output is kept next to the config. Returns (stages, request log, simulator CPU s, simulator load s)."""
    with SimulatorProcess(dataset, clock) as sim:
        note(f"simulator loaded {sim.documents} documents in {sim.load_s:.0f} s; clock {clock.isoformat()}; "
             f"{machine_load()}")
        cpu0 = sim.cpu_s()
        stages = {"crawl": cli(config, "crawl", "dgts", "--since", since.isoformat(), "--until", until.isoformat(),
                               "--portal-url", sim.base_url)}
        sim_cpu = sim.cpu_s() - cpu0
        log = sim.request_log()
        load_s = sim.load_s
    stages["detect"] = cli(config, "detect", "--daily-scope")  # full or incremental, as `auction-monitor run` does
    stages["alerts_queue"] = cli(config, "alerts", "queue")
    stages["alerts_send"] = cli(config, "alerts", "send")
    for name, m in stages.items():
        config.with_name(f"{config.stem}_{name}.log").write_text(m.output, encoding="utf-8")
        m.check()
    return stages, log, sim_cpu, load_s


def _state(doc: dict[str, Any], at_ms: int) -> tuple[dict[str, Any], int] | None:
    """(list item, time the list shows) of a dataset record at `at_ms`, None when not visible."""
    if "_sim" in doc:
        view = view_at(doc, at_ms)
        if view is None:
            return None
        item = view.get("list_item") or {}
    else:
        if published_ms(doc) > at_ms:
            return None
        item = doc.get("list_item") or {}
    shown = {RecordKind.DGTS_AUCTION_NOTICE: item.get("publishTime2") or item.get("publishTime1"),
             RecordKind.DGTS_SELECTION_NOTICE: item.get("lastUpdated"),
             RecordKind.DGTS_SELECTION_RESULT: item.get("publishTime")}[doc["kind"]]
    return item, shown if isinstance(shown, int) else 0


def minimum_requests(dataset: Path, t0: datetime, t1: datetime, since, until, page_size: int = 100
                     ) -> dict[str, int]:
    """List pages of the window and detail sets of records new or changed (list entry) between t0 and t1,
    computed from the dataset itself (the same `_sim` schedule the simulator applies)."""
    from crawler.spiders.base import list_hash

    a, b = to_ms(t0), to_ms(t1)
    out: Counter[str] = Counter()
    per_day: Counter = Counter()
    selection_in_window = 0
    results_visible = 0
    for doc in iter_documents(dataset):
        kind = doc["kind"]
        new = _state(doc, b)
        if new is None:
            continue
        item_new, shown = new
        if kind == RecordKind.DGTS_AUCTION_NOTICE:
            day = local_day(shown)
            if not (since <= day <= until):
                continue
            per_day[day] += 1
        elif kind == RecordKind.DGTS_SELECTION_NOTICE:
            if local_day(shown) < since:
                continue
            selection_in_window += 1
        else:
            results_visible += 1
        old = _state(doc, a)
        if old is None:
            out[f"new_{kind}"] += 1
        elif list_hash(old[0]) != list_hash(item_new):
            out[f"changed_{kind}"] += 1
        else:
            continue
        out["detail"] += DETAIL_REQUESTS[kind]
    out["list"] = sum(max(1, math.ceil(per_day.get(since + timedelta(days=i), 0) / page_size))
                      for i in range((until - since).days + 1))
    out["list"] += selection_in_window // page_size + 1
    out["list"] += max(1, math.ceil(results_visible / page_size))
    out["total"] = out["list"] + out["detail"]
    return dict(out)


def actual_requests(log: list[tuple[str, int | None]]) -> Counter[str]:
    c: Counter[str] = Counter()
    for path, _status in log:
        if path in LIST_PATHS:
            c["list"] += 1
        elif "download" in path.lower():
            c["file"] += 1
        else:
            c["detail"] += 1
    c["total"] = len(log)
    return c


def warm_database(dbs: Databases, dataset: Path, t0: datetime, workdir: Path, rebuild: bool) -> str:
    """History at t0 plus the previous day's run (crawl, detect, alerts), cached as a template database."""
    hist, built = build_history(dbs, dataset, t0, workdir, rebuild=rebuild)
    if built:
        figure("history_documents", built["documents"], "documents")
        figure("history_import_wall", built["import"].wall_s, "s")
        figure("history_import_cpu", built["import"].cpu_s, "s")
        figure("history_import_rate", built["docs_per_s"], "documents/s")
    name = f"warm_{dataset_stamp(dataset, t0)}"
    marker = workdir / f"{name}.done"
    if marker.is_file() and dbs.exists(name) and not rebuild:
        return name
    url = dbs.create(name, template=hist)
    evidence = workdir / f"{name}_evidence"
    shutil.rmtree(evidence, ignore_errors=True)
    config = write_config(workdir / f"{name}.toml", db_url=url, evidence=evidence, outbox=workdir / f"{name}_outbox")
    cli(config, "db", "upgrade").check()  # a history imported by an older version
    stages, log, _cpu, _load = day_run(config, dataset, t0, t0.date() - timedelta(days=LOOKBACK_DAYS), t0.date())
    for stage, m in stages.items():
        figure(f"previous_day_{stage}_wall", m.wall_s, "s")
        figure(f"previous_day_{stage}_cpu", m.cpu_s, "s")
        figure(f"previous_day_{stage}_peak_rss", m.max_rss_mb, "MB")
    figure("previous_day_requests", len(log), "requests")
    note("previous_day_* = the run that brings the imported history to steady state (list hashes, findings, "
         "alerts already sent); not the measured day")
    marker.write_text(json.dumps({"t0": t0.isoformat()}), encoding="utf-8")
    return name


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dataset", type=Path, required=True, help="a folder written by bench/generate_dataset.py")
    ap.add_argument("--db", default="sqlite", help="sqlite (default) or a PostgreSQL server URL")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/am-bench"))
    ap.add_argument("--rebuild", action="store_true", help="rebuild the cached history and warm databases")
    args = ap.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    m = manifest(args.dataset)
    t1 = parse_clock(m["daily_clock"])
    t0 = t1 - timedelta(days=1)
    dbs = Databases(args.db, args.workdir)
    note(f"dataset {args.dataset}: {m['counts']['auction_notices']} auction notices, "
         f"{m['counts']['selection_notices']} selection notices, {m['counts']['selection_results']} results; "
         f"backend {dbs.backend()}; {machine_load()}")
    warm = warm_database(dbs, args.dataset, t0, args.workdir, args.rebuild)
    url = dbs.create("daily", template=warm)
    evidence = args.workdir / "daily_evidence"
    shutil.rmtree(evidence, ignore_errors=True)
    shutil.copytree(args.workdir / f"{warm}_evidence", evidence)
    outbox = args.workdir / "daily_outbox"
    shutil.rmtree(outbox, ignore_errors=True)
    config = write_config(args.workdir / "daily.toml", db_url=url, evidence=evidence, outbox=outbox)

    since, until = t1.date() - timedelta(days=LOOKBACK_DAYS), t1.date()
    stages, log, sim_cpu, _load = day_run(config, args.dataset, t1, since, until)
    note(f"done: {machine_load()}")
    minimum = minimum_requests(args.dataset, t0, t1, since, until)
    for stage, ms in stages.items():
        figure(f"daily_{stage}_wall", ms.wall_s, "s")
        figure(f"daily_{stage}_cpu", ms.cpu_s, "s")
        figure(f"daily_{stage}_peak_rss", ms.max_rss_mb, "MB")
    figure("daily_total_wall", sum(s.wall_s for s in stages.values()), "s")
    figure("daily_total_cpu", sum(s.cpu_s for s in stages.values()), "s")
    figure("daily_simulator_cpu", sim_cpu, "s")
    runs = stages["crawl"].last_json() or []
    for r in runs:
        c = r.get("counters") or {}
        kind = r["kind"].split(".")[-1]
        figure(f"daily_crawl_{kind}_new", c.get("new", 0), "records")
        figure(f"daily_crawl_{kind}_changed", c.get("changed", 0), "records")
        note(f"crawl run {r['kind']}: {r['status']}" + (f" ({(r.get('message') or '').splitlines()[0][:200]})"
                                                         if r.get("message") else ""))
    detect = stages["detect"].last_json() or {}
    note(f"detection scope: {json.dumps(detect.get('scope'), ensure_ascii=False)}")
    for det, wall in sorted((detect.get("wall_s") or {}).items()):
        figure(f"daily_detect_{det}_wall", wall or 0.0, "s")
    for det, c in sorted((detect.get("counters") or {}).items()):
        figure(f"daily_detect_{det}_new_findings", c.get("new", 0), "findings")
    queued = stages["alerts_queue"].last_json() or {}
    queued = queued if isinstance(queued, dict) else {}
    figure("daily_alerts_queued", queued.get("finding", 0) + queued.get("digest", 0), "messages")
    figure("daily_alerts_immediate_overflow", queued.get("immediate_overflow", 0), "findings")
    figure("daily_alerts_digest_entries_waiting", queued.get("deferred_items", 0), "findings")
    figure("daily_alerts_digests_already_sent_today", queued.get("skipped_digests", 0), "digests")
    figure("daily_eml_files", len(list(outbox.glob("*.eml"))) if outbox.exists() else 0, "files")
    actual = actual_requests(log)
    for k in ("list", "detail", "file", "total"):
        figure(f"daily_requests_{k}", actual.get(k, 0), "requests")
    for k in sorted(minimum):
        figure(f"minimum_{k}", minimum[k], "requests" if k in ("list", "detail", "total") else "records")
    figure("daily_requests_over_minimum", 100.0 * (actual["total"] - minimum["total"]) / max(minimum["total"], 1), "%")
    (args.workdir / "daily_result.json").write_text(json.dumps({
        "stages": {k: {"wall_s": v.wall_s, "cpu_s": v.cpu_s, "max_rss_mb": v.max_rss_mb} for k, v in stages.items()},
        "runs": runs, "detect": detect, "alerts_queue": queued, "actual": actual, "minimum": minimum,
        "paths": Counter(path for path, _ in log)}, default=str, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
