"""Backfill benchmark: crawl a whole simulated dgts history into an empty database, as fast as the crawler can.

The project's portal simulator (127.0.0.1, no delays, clock after the last day) serves a generated dataset;
`auction-monitor crawl dgts --since FIRST --until LAST` runs with the politeness delay at 0 and concurrency 8
(settings as a backfill would raise them). Measured with wait4 on the CLI process (which starts the crawl
child): wall time, CPU time, peak RSS. Requests come from the simulator's request log.

A full 600,000-notice backfill takes hours on a 2-core machine, so `--notices` may be smaller (the dataset keeps
the real ~500 notices a day, so a smaller run covers fewer days); the full-scale figures are then EXTRAPOLATED
linearly from the measured rate and printed as such, next to the time politeness alone would need at the
default settings (2 parallel requests, 1 s delay) and the real portal's latency (median 2.5 s per request).

    python bench/bench_backfill.py --notices 20000 [--dataset DIR] [--db sqlite|postgresql://…] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (  # noqa: E402
    Databases, cli, figure, hotspots, inclusive, machine_load, manifest, note, parse_clock, SimulatorProcess,
    write_config,
)

# Where crawl time can go, by the frame that marks it (inclusive share of the crawl process's samples).
CRAWL_STAGES = {
    "evidence store (hash, write, fsync)": "put (storage/evidence.py",
    "raw-response row + commit": "record_response (crawler/recorder.py",
    "ingest (history + typed rows)": "ingest_document (crawler/ingest.py",
    "  history snapshot/events": "observe (storage/history.py",
    "  typed rows (lots, attachments, owner)": "apply_document (crawler/ingest.py",
    "known-record lookup": "known (crawler/recorder.py",
    "JSON decode": "decode_json (crawler/assemble.py",
    "Scrapy/Twisted HTTP": "twisted/web/_newclient.py",
    "SQLAlchemy commit": "commit (sqlalchemy/orm/session.py",
}

FULL_NOTICES = 600_000
FULL_DAYS = 1_200
SELECTION_PER_DAY = 65
RESULT_SHARE = 0.25
DEFAULT_CONCURRENCY, DEFAULT_DELAY_S, REAL_LATENCY_S = 2, 1.0, 2.5  # crawler/settings.py; dgts-api.md §3


def ensure_dataset(args: argparse.Namespace) -> Path:
    if args.dataset:
        return args.dataset
    out = args.workdir / f"dataset_{args.notices}_{args.seed}"
    if not (out / "manifest.json").is_file():
        from bench import generate_dataset

        note(f"generating {args.notices} notices into {out}")
        generate_dataset.main(["--notices", str(args.notices), "--seed", str(args.seed), "--out", str(out)])
    return out


def endpoint_group(path: str) -> str:
    if path in ("/portal/search/auction-notice", "/ThongTin/getInfoSelectAuctionOrg",
                "/ThongTin/getResultSelectAuctionOrg"):
        return "list"
    if "download" in path.lower():
        return "file"
    return "detail"


def politeness_rate(concurrency: int = DEFAULT_CONCURRENCY, delay_s: float = DEFAULT_DELAY_S,
                    latency_s: float = REAL_LATENCY_S) -> float:
    """Requests per second the default politeness allows: one start per delay per domain, at most `concurrency`
    in flight for `latency_s` each."""
    return min(1.0 / delay_s if delay_s > 0 else float("inf"), concurrency / latency_s)


def print_hotspots(raw: Path) -> None:
    note(f"profile {raw} (py-spy, crawl child only):")
    for label, share in inclusive(raw, list(CRAWL_STAGES.values()), within="crawler/runner.py").items():
        name = next(k for k, v in CRAWL_STAGES.items() if v == label)
        note(f"  {share:5.1f} % inclusive  {name}")
    note("  top functions by own time (self %, inclusive %):")
    for fn, self_pct, incl_pct in hotspots(raw, 15, within="crawler/runner.py"):
        note(f"  {self_pct:5.1f} % {incl_pct:5.1f} %  {fn[:150]}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--notices", type=int, default=20_000, help="auction notices of the generated dataset")
    ap.add_argument("--seed", type=int, default=20260801)
    ap.add_argument("--dataset", type=Path, help="an existing generated dataset folder (overrides --notices)")
    ap.add_argument("--db", default="sqlite", help="sqlite (default) or a PostgreSQL server URL")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/am-bench"))
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--delay", type=float, default=0.0, help="our politeness delay, seconds")
    ap.add_argument("--profile", type=Path, help="run the crawl under py-spy, write collapsed stacks here and print "
                                                 "the hotspots (the timings of a profiled run include its overhead)")
    args = ap.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    dataset = ensure_dataset(args)
    m = manifest(dataset)
    first, last = date.fromisoformat(m["first_day"]), date.fromisoformat(m["last_day"])
    clock = parse_clock(m["daily_clock"])
    dbs = Databases(args.db, args.workdir)
    url = dbs.create("backfill")
    evidence = args.workdir / "backfill_evidence"
    if evidence.exists():
        import shutil

        shutil.rmtree(evidence)
    config = write_config(args.workdir / "backfill.toml", db_url=url, evidence=evidence,
                          outbox=args.workdir / "backfill_outbox", concurrency=args.concurrency, delay_s=args.delay,
                          backfill_start=first)
    cli(config, "db", "upgrade").check()

    sim = SimulatorProcess(dataset, clock)
    try:
        note(f"dataset {dataset}: {m['counts']['auction_notices']} auction notices, {m['counts']['selection_notices']} "
             f"selection notices, {m['counts']['selection_results']} results, {first} … {last}; simulator (own "
             f"process) loaded {sim.documents} documents in {sim.load_s:.0f} s; backend {dbs.backend()}; "
             f"{machine_load()}")
        sim_cpu0 = sim.cpu_s()
        run = cli(config, "crawl", "dgts", "--since", first.isoformat(), "--until", last.isoformat(),
                  "--portal-url", sim.base_url, profile=args.profile).check()
        sim_cpu = sim.cpu_s() - sim_cpu0
        log = sim.request_log()
    finally:
        sim.stop()
    note(f"after the crawl: {machine_load()}")
    runs = run.last_json() or []
    new = sum((r.get("counters") or {}).get("new", 0) for r in runs)
    statuses = {r["kind"]: r["status"] for r in runs}
    groups = Counter(endpoint_group(path) for path, _ in log)
    records = sum(m["counts"][k] for k in ("auction_notices", "selection_notices", "selection_results"))
    figure("backfill_records_in_dataset", records, "records")
    figure("backfill_records_ingested", new, "records")
    for kind, status in sorted(statuses.items()):
        note(f"crawl run {kind}: {status}")
    figure("backfill_requests", len(log), "requests")
    for g in ("list", "detail", "file"):
        figure(f"backfill_requests_{g}", groups.get(g, 0), "requests")
    figure("backfill_http_errors", sum(1 for _, status in log if status is None or status >= 400), "requests")
    figure("backfill_wall", run.wall_s, "s")
    figure("backfill_cpu", run.cpu_s, "s")
    figure("backfill_peak_rss_crawl", run.max_rss_mb, "MB")
    figure("backfill_rate", new / run.wall_s, "records/s")
    figure("backfill_request_rate", len(log) / run.wall_s, "requests/s")
    figure("backfill_cpu_per_record", 1000 * run.cpu_s / max(new, 1), "ms/record")
    figure("backfill_simulator_cpu", sim_cpu, "s")
    figure("backfill_db_size", dbs.size_mb("backfill"), "MB")
    ev_bytes = sum(p.stat().st_size for p in evidence.rglob("*") if p.is_file())
    figure("backfill_evidence_size", ev_bytes / 1e6, "MB")

    # Linear extrapolation to the national history (the measured run is smaller; say so on every line).
    full_records = FULL_NOTICES + SELECTION_PER_DAY * FULL_DAYS * (1 + RESULT_SHARE)
    scale = full_records / max(new, 1)
    full_requests = len(log) * scale
    cpu_bound_h = run.wall_s * scale / 3600
    polite_h = full_requests / politeness_rate() / 3600
    figure("extrapolated_full_backfill_records", int(full_records), "records")
    figure("extrapolated_full_backfill_requests", int(full_requests), "requests")
    figure("extrapolated_full_backfill_wall_without_delays", cpu_bound_h, "h")
    figure("extrapolated_full_backfill_cpu", run.cpu_s * scale / 3600, "h")
    figure("extrapolated_full_backfill_evidence_size", ev_bytes * scale / 1e9, "GB")
    figure("extrapolated_full_backfill_db_size", dbs.size_mb("backfill") * scale / 1e3, "GB")
    figure("politeness_rate_default", politeness_rate(), "requests/s")
    figure("extrapolated_full_backfill_wall_at_default_politeness", polite_h, "h")
    figure("crawler_capacity_over_politeness", (len(log) / run.wall_s) / politeness_rate(), "x")
    note("extrapolated_* figures scale the measured run linearly to 600,000 notices + 78,000 selection notices + "
         "19,500 results; they are not measurements")
    if args.profile:
        print_hotspots(args.profile)
    (args.workdir / "backfill_result.json").write_text(json.dumps({
        "runs": runs, "wall_s": run.wall_s, "cpu_s": run.cpu_s, "max_rss_mb": run.max_rss_mb,
        "requests": len(log), "groups": dict(groups)}, default=str, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
