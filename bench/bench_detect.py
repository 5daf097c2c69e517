"""Detection benchmark: every detector over the full simulated history, then incremental detection one day later.

1. A history database holds every generated record as visible the day before the dataset's daily clock (imported
   with `auction-monitor import-dataset`, the crawler's ingest path; built once and reused from --workdir).
2. `auction-monitor detect` over it (all detectors, default settings): wall time, CPU time, peak RSS (wait4).
3. The records new or changed during the last simulated day are imported, then `detect --since <day>` (the
   incremental run) and a second full `detect` (what the daily job runs, with the findings already stored).

    python bench/bench_detect.py --dataset /tmp/am-bench/national [--db sqlite|postgresql://…] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (  # noqa: E402
    Databases, Measured, build_history, cli, figure, hotspots, inclusive, iter_documents, machine_load, manifest,
    note, parse_clock, published_ms, to_ms, view_at, write_config,
)


def changed_between(dataset: Path, t0, t1, out: Path) -> int:
    """Write the records new or changed between t0 and t1 (as visible at t1); returns how many."""
    from storage.history import content_hash

    a, b = to_ms(t0), to_ms(t1)
    n = 0
    with out.open("w", encoding="utf-8") as fh:
        for doc in iter_documents(dataset):
            if "_sim" not in doc and published_ms(doc) <= a:  # cannot have changed since t0
                continue
            new = view_at(doc, b)
            if new is None:
                continue
            old = view_at(doc, a)
            if old is None or content_hash(old) != content_hash(new):
                fh.write(json.dumps(new, ensure_ascii=False) + "\n")
                n += 1
    return n


DETECT_STAGES = {
    "premature_scoring": "evaluate (detectors/premature_scoring/detector.py",
    "parcel_details": "evaluate (detectors/parcel_details.py",
    "collusion": "evaluate (detectors/collusion/detector.py",
    "storing findings (runner._store)": "_store (detectors/runner.py",
    "result-notice linking (detectors/linking.py)": "detectors/linking.py",
    "rapidfuzz": "rapidfuzz",
    "SQLAlchemy ORM loading": "sqlalchemy/orm/loading.py",
    "SQLAlchemy flush/commit": "_flush (sqlalchemy/orm/session.py",
}


def print_hotspots(raw: Path) -> None:
    note(f"profile {raw} (py-spy, one full detection):")
    for label, share in inclusive(raw, list(DETECT_STAGES.values())).items():
        name = next(k for k, v in DETECT_STAGES.items() if v == label)
        note(f"  {share:5.1f} % inclusive  {name}")
    note("  top functions by own time (self %, inclusive %):")
    for fn, self_pct, incl_pct in hotspots(raw, 20):
        note(f"  {self_pct:5.1f} % {incl_pct:5.1f} %  {fn[:150]}")


def report(prefix: str, m: Measured) -> None:
    figure(f"{prefix}_wall", m.wall_s, "s")
    figure(f"{prefix}_cpu", m.cpu_s, "s")
    figure(f"{prefix}_peak_rss", m.max_rss_mb, "MB")
    summary = m.last_json() or {}
    for det, wall in sorted((summary.get("wall_s") or {}).items()):
        figure(f"{prefix}_{det}_wall", wall or 0.0, "s")
    for det, counters in sorted((summary.get("counters") or {}).items()):
        flags = counters.get("flag", 0)
        figure(f"{prefix}_{det}_flags", flags, "findings")
        figure(f"{prefix}_{det}_evaluated", sum(v for k, v in counters.items()
                                                 if k in ("flag", "pass", "insufficient", "not_applicable")), "results")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dataset", type=Path, required=True, help="a folder written by bench/generate_dataset.py")
    ap.add_argument("--db", default="sqlite", help="sqlite (default) or a PostgreSQL server URL")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/am-bench"))
    ap.add_argument("--rebuild", action="store_true", help="rebuild the history database even if cached")
    ap.add_argument("--detectors", default=None, help="comma-separated detector names (default: all)")
    ap.add_argument("--profile", type=Path, help="after the measured runs, one more full detection under py-spy; "
                                                 "collapsed stacks go to this file and the hotspots are printed")
    args = ap.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    m = manifest(args.dataset)
    t1 = parse_clock(m["daily_clock"])
    t0 = t1 - timedelta(days=1)
    dbs = Databases(args.db, args.workdir)
    note(f"dataset {args.dataset}: {m['counts']['auction_notices']} auction notices, "
         f"{m['counts']['selection_notices']} selection notices, {m['counts']['selection_results']} results; "
         f"backend {dbs.backend()}; {machine_load()}")
    hist, built = build_history(dbs, args.dataset, t0, args.workdir, rebuild=args.rebuild)
    if built:
        figure("history_documents", built["documents"], "documents")
        figure("history_import_wall", built["import"].wall_s, "s")
        figure("history_import_cpu", built["import"].cpu_s, "s")
        figure("history_import_rate", built["docs_per_s"], "documents/s")
        figure("history_import_peak_rss", built["import"].max_rss_mb, "MB")
    figure("history_db_size", dbs.size_mb(hist), "MB")
    url = dbs.create("detect", template=hist)
    config = write_config(args.workdir / "detect.toml", db_url=url, evidence=args.workdir / "detect_evidence",
                          outbox=args.workdir / "detect_outbox")
    only = ["--detectors", args.detectors] if args.detectors else []
    cli(config, "db", "upgrade").check()  # a history imported by an older version

    note(f"full detection starting: {machine_load()}")
    full = cli(config, "detect", *only).check()
    report("detect_full", full)

    day_file = args.workdir / "detect_day.jsonl"
    n = changed_between(args.dataset, t0, t1, day_file)
    figure("day_new_or_changed_records", n, "records")
    cli(config, "import-dataset", str(day_file)).check()

    note(f"incremental detection starting: {machine_load()}")
    inc = cli(config, "detect", "--since", t0.date().isoformat(), *only).check()
    report("detect_incremental", inc)
    full2 = cli(config, "detect", *only).check()
    report("detect_full_next_day", full2)
    if args.profile:
        cli(config, "detect", *only, profile=args.profile).check()
        print_hotspots(args.profile)
    note(f"done: {machine_load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
