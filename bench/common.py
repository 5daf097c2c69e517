"""Shared plumbing of the benchmarks: figure lines, measured child processes, dataset views at a simulated time,
throw-away databases (SQLite files or PostgreSQL databases), cached history databases and the simulator.

Every measured stage is a real `auction-monitor` command run as a child process and reaped with ``os.wait4``,
which returns that child's own resource usage (CPU time and peak RSS, its reaped descendants included, e.g. the
crawl process the CLI starts). No extra dependency is needed for that and nothing is sampled: the peak is the
kernel's high-water mark, not a poll.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from storage.kinds import RecordKind  # noqa: E402

ICT = ZoneInfo("Asia/Ho_Chi_Minh")
KIND_FILES = {RecordKind.DGTS_AUCTION_NOTICE: "auction_notices.jsonl",
              RecordKind.DGTS_SELECTION_NOTICE: "selection_notices.jsonl",
              RecordKind.DGTS_SELECTION_RESULT: "selection_results.jsonl"}
PG_PREFIX = "am_bench_"
CLI = [sys.executable, "-c", "import sys; from service.cli import main; sys.argv[0] = 'auction-monitor'; main()"]


# ----------------------------------------------------------------------------------------------- output

def figure(name: str, value: Any, unit: str = "") -> None:
    """One figure per line: ``name: value unit``."""
    if isinstance(value, float):
        value = f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"
    print(f"{name}: {value} {unit}".rstrip(), flush=True)


def note(text: str) -> None:
    """A comment line (not a figure)."""
    print(f"# {text}", flush=True)


def machine_load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


# ----------------------------------------------------------------------------------------------- measured children

@dataclass
class Measured:
    argv: list[str]
    wall_s: float
    user_s: float
    sys_s: float
    max_rss_mb: float
    code: int
    output: str

    @property
    def cpu_s(self) -> float:
        return self.user_s + self.sys_s

    def check(self) -> Measured:
        if self.code != 0:
            raise SystemExit(f"command failed ({self.code}): {' '.join(self.argv)}\n{self.output[-4000:]}")
        return self

    def last_json(self) -> Any:
        for line in reversed(self.output.splitlines()):
            line = line.strip()
            if line.startswith(("{", "[")):
                try:
                    return json.loads(line)
                except json.JSONDecodeError:
                    continue
        return None


def run_measured(argv: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None,
                 timeout_s: float = 6 * 3600) -> Measured:
    """Run a child to completion; CPU and peak RSS come from wait4 (the child and its reaped descendants)."""
    with tempfile.TemporaryFile("w+b") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, cwd=cwd,
                                env={**os.environ, **(env or {})})
        deadline = t0 + timeout_s
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    return Measured(argv, wall, usage.ru_utime, usage.ru_stime, usage.ru_maxrss / 1024.0, proc.returncode, text)


def cli(config: Path, *args: str, profile: Path | None = None, **kw: Any) -> Measured:
    """An `auction-monitor` command; with `profile`, under py-spy (sampling, child processes included) writing
    collapsed stacks to that file (py-spy must be installed; the timings of a profiled run are not figures)."""
    prefix: list[str] = []
    if profile is not None:
        exe = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        prefix = [exe, "record", "--subprocesses", "--format", "raw", "--rate", "200", "-o", str(profile), "--"]
    return run_measured([*prefix, *CLI, "--config", str(config), *args], cwd=REPO, **kw)


def hotspots(raw: Path, top: int = 15, within: str | None = None) -> list[tuple[str, float, float]]:
    """(function, self %, inclusive %) of the hottest functions in a py-spy raw (collapsed stacks) file, over the
    samples whose stack contains `within` (e.g. "crawler/runner.py") when given."""
    from collections import Counter

    self_c: Counter[str] = Counter()
    incl: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit() or (within and within not in stack):
            continue
        n = int(count)
        frames = [f.strip() for f in stack.split(";") if f.strip()]
        frames = [f for f in frames if not f.startswith("process ")]
        if not frames:
            continue
        total += n
        self_c[frames[-1]] += n
        for f in set(frames):
            incl[f] += n
    if not total:
        return []
    names = sorted(self_c, key=lambda f: -self_c[f])[:top]
    return [(f, 100.0 * self_c[f] / total, 100.0 * incl[f] / total) for f in names]


def inclusive(raw: Path, needles: list[str], within: str | None = None) -> dict[str, float]:
    """Share of samples (%) whose stack passes through a frame containing each needle."""
    hits = {n: 0 for n in needles}
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit() or (within and within not in stack):
            continue
        total += int(count)
        for n in needles:
            if n in stack:
                hits[n] += int(count)
    return {n: 100.0 * h / max(total, 1) for n, h in hits.items()}


# ----------------------------------------------------------------------------------------------- datasets

def manifest(dataset: Path) -> dict[str, Any]:
    path = dataset / "manifest.json"
    if not path.is_file():
        raise SystemExit(f"{dataset}: no manifest.json; generate it with bench/generate_dataset.py --out {dataset}")
    return json.loads(path.read_text(encoding="utf-8"))


def iter_documents(dataset: Path, kinds: tuple[str, ...] = tuple(KIND_FILES)) -> Iterator[dict[str, Any]]:
    for kind in kinds:
        with (dataset / KIND_FILES[kind]).open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield json.loads(line)


def to_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def view_at(doc: dict[str, Any], at_ms: int) -> dict[str, Any] | None:
    """The document as the portal shows it at `at_ms` (its `_sim` events applied), None when not visible."""
    from crawler.simulator.dataset import DocumentStore, record_key

    store = DocumentStore([doc])
    view = store.visible_view(doc["kind"], record_key(doc["kind"], doc), at_ms)
    return None if view is None else view.document


def published_ms(doc: dict[str, Any]) -> int:
    """First publication time of a dataset document (epoch ms; 0 when unknown)."""
    item = doc.get("list_item") or {}
    value = {RecordKind.DGTS_AUCTION_NOTICE: item.get("publishTime1") or item.get("publishTime2"),
             RecordKind.DGTS_SELECTION_NOTICE: item.get("lastUpdated"),
             RecordKind.DGTS_SELECTION_RESULT: item.get("publishTime")}.get(doc.get("kind"))
    return value if isinstance(value, int) else 0


def write_views(dataset: Path, at: datetime, out_dir: Path) -> dict[str, int]:
    """Write every record as visible at `at` (one file per kind); returns counts per kind."""
    out_dir.mkdir(parents=True, exist_ok=True)
    at_ms = to_ms(at)
    counts = {}
    for kind, name in KIND_FILES.items():
        n = 0
        tmp = out_dir / (name + ".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            for doc in iter_documents(dataset, (kind,)):
                v = view_at(doc, at_ms)
                if v is not None:
                    fh.write(json.dumps(v, ensure_ascii=False) + "\n")
                    n += 1
        tmp.replace(out_dir / name)
        counts[kind] = n
    return counts


# ----------------------------------------------------------------------------------------------- databases

def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql", "postgres://"))


def _pg_admin(url: str):
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url.replace("postgresql+psycopg://", "postgresql://"))
    return psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, password=u.password,
                           dbname="postgres", autocommit=True)


def _pg_url(url: str, dbname: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=dbname).render_as_string(hide_password=False)


class Databases:
    """Throw-away databases for one benchmark: files under `workdir` (SQLite, `--db sqlite`) or databases named
    am_bench_* on the PostgreSQL server of `--db URL` (created and dropped here; nothing else is touched)."""

    def __init__(self, db: str, workdir: Path) -> None:
        self.db, self.workdir = db, workdir
        self.pg = is_postgres(db)

    def backend(self) -> str:
        return "postgresql" if self.pg else "sqlite"

    def url(self, name: str) -> str:
        if self.pg:
            return _pg_url(self.db, PG_PREFIX + name)
        return f"sqlite:///{(self.workdir / (name + '.sqlite')).resolve()}"

    def exists(self, name: str) -> bool:
        if self.pg:
            with _pg_admin(self.db) as conn:
                return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (PG_PREFIX + name,)).fetchone() is not None
        return (self.workdir / (name + ".sqlite")).is_file()

    def drop(self, name: str) -> None:
        if self.pg:
            with _pg_admin(self.db) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{PG_PREFIX + name}" WITH (FORCE)')
        else:
            for suffix in ("", "-wal", "-shm"):
                (self.workdir / f"{name}.sqlite{suffix}").unlink(missing_ok=True)

    def create(self, name: str, template: str | None = None) -> str:
        """A fresh database (a copy of `template` when given); returns its URL."""
        self.drop(name)
        if self.pg:
            with _pg_admin(self.db) as conn:
                tpl = f' TEMPLATE "{PG_PREFIX + template}"' if template else ""
                conn.execute(f'CREATE DATABASE "{PG_PREFIX + name}"{tpl}')
        elif template:
            shutil.copyfile(self.workdir / f"{template}.sqlite", self.workdir / f"{name}.sqlite")
        return self.url(name)

    def size_mb(self, name: str) -> float:
        if self.pg:
            with _pg_admin(self.db) as conn:
                return conn.execute("SELECT pg_database_size(%s)", (PG_PREFIX + name,)).fetchone()[0] / 1e6
        return sum(p.stat().st_size for p in self.workdir.glob(f"{name}.sqlite*")) / 1e6


def write_config(path: Path, *, db_url: str, evidence: Path, outbox: Path, concurrency: int = 8,
                 delay_s: float = 0.0, attachments: bool = False, backfill_start: date | None = None) -> Path:
    """A configuration file for the benchmark commands (everything else at its default)."""
    lines = [
        "[database]", f"url = {json.dumps(db_url)}",
        "[evidence]", f"path = {json.dumps(str(evidence))}",
        "[portals.dgts]", f"concurrency = {concurrency}", f"download_delay_s = {delay_s}", "timeout_s = 120.0",
        *([f"backfill_start = {backfill_start.isoformat()}"] if backfill_start else []),
        "[attachments]", f"download = {'true' if attachments else 'false'}",
        "[alerts]", 'mode = "outbox"', f"outbox_dir = {json.dumps(str(outbox))}",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def dataset_stamp(dataset: Path, at: datetime) -> str:
    """Cache key of a dataset at a time: its parameters, counts and data files (size and modification time, so a
    regenerated dataset never reuses a stale history database)."""
    m = manifest(dataset)
    files = {name: [(dataset / name).stat().st_size, (dataset / name).stat().st_mtime_ns] for name in KIND_FILES.values()}
    key = json.dumps({"parameters": m["parameters"], "counts": m["counts"], "files": files, "at": at.isoformat()},
                     sort_keys=True)
    return hashlib.sha256(key.encode()).hexdigest()[:10]


def build_history(dbs: Databases, dataset: Path, at: datetime, workdir: Path, *, rebuild: bool = False
                  ) -> tuple[str, dict[str, Any]]:
    """A database holding every record as visible at `at`, imported with `auction-monitor import-dataset` (the
    crawler's ingest path without HTTP). Built once per dataset and time, then reused; returns (name, figures of
    the build, empty when reused)."""
    name = f"hist_{dataset_stamp(dataset, at)}"
    if dbs.exists(name) and not rebuild and (workdir / f"{name}.done").is_file():
        return name, {}
    views = workdir / f"{name}_views"
    t0 = time.perf_counter()
    counts = write_views(dataset, at, views)
    view_s = time.perf_counter() - t0
    url = dbs.create(name)
    config = write_config(workdir / f"{name}.toml", db_url=url, evidence=workdir / f"{name}_evidence",
                          outbox=workdir / f"{name}_outbox")
    cli(config, "db", "upgrade").check()
    m = cli(config, "import-dataset", *(str(views / f) for f in KIND_FILES.values())).check()
    (workdir / f"{name}.done").write_text(json.dumps({"at": at.isoformat(), "counts": counts}), encoding="utf-8")
    shutil.rmtree(views, ignore_errors=True)
    docs = sum(counts.values())
    return name, {"documents": docs, "view_s": view_s, "import": m, "docs_per_s": docs / m.wall_s,
                  "docs_per_cpu_s": docs / max(m.cpu_s, 1e-9), "size_mb": dbs.size_mb(name)}


# ----------------------------------------------------------------------------------------------- simulator

class SimulatorProcess:
    """The project's portal simulator (127.0.0.1, no delays) in a child process serving a generated dataset, so
    its memory (~11 KB per document) leaves with it and its CPU time is its own. The request log comes back as
    (path, status) pairs."""

    def __init__(self, dataset: Path, clock: datetime) -> None:
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_simulator_main, args=(child, dataset, clock), daemon=True)
        t0 = time.perf_counter()
        self._proc.start()
        if not self._conn.poll(3600):
            self._proc.kill()
            raise SystemExit("the simulator did not start within an hour")
        self.base_url, self.documents = self._conn.recv()
        self.load_s = time.perf_counter() - t0

    def _call(self, *msg: Any) -> Any:
        self._conn.send(msg)
        return self._conn.recv()

    def set_clock(self, moment: datetime) -> None:
        self._call("clock", moment)

    def request_log(self) -> list[tuple[str, int | None]]:
        return self._call("log")

    def clear_log(self) -> None:
        self._call("clear")

    def cpu_s(self) -> float:
        return self._call("cpu")

    def stop(self) -> None:
        if self._proc.is_alive():
            try:
                self._call("stop")
            except (EOFError, OSError):
                pass
            self._proc.join(30)
            if self._proc.is_alive():
                self._proc.kill()

    def __enter__(self) -> "SimulatorProcess":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _simulator_main(conn, dataset: Path, clock: datetime) -> None:
    from crawler.simulator import PortalSimulator

    sim = PortalSimulator(iter_documents(dataset), clock=clock, latency=0.0).start()
    conn.send((sim.base_url, sum(len(sim.store.records(k)) for k in KIND_FILES)))
    try:
        while True:
            cmd, *args = conn.recv()
            if cmd == "clock":
                sim.set_clock(args[0])
                conn.send(None)
            elif cmd == "log":
                conn.send([(r.path, r.status) for r in sim.request_log.snapshot()])
            elif cmd == "clear":
                sim.request_log.clear()
                conn.send(None)
            elif cmd == "cpu":
                t = os.times()
                conn.send(t.user + t.system)
            elif cmd == "stop":
                conn.send(None)
                break
    finally:
        sim.stop()


def day_start(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=ICT)


def parse_clock(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=ICT)


def local_day(ms: int) -> date:
    return datetime.fromtimestamp(ms / 1000, ICT).date()


def days_between(a: date, b: date) -> list[date]:
    return [a + timedelta(days=i) for i in range((b - a).days + 1)]
