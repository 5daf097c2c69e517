"""The ``auction-monitor`` command line.

Every command takes ``--config`` (TOML file; default ./auction-monitor.toml or $AUCTION_MONITOR_CONFIG, else
built-in defaults) and ``--db`` (database URL or SQLite path, overriding ``database.url``). Errors a user can fix
(bad configuration, missing file, blocked portal) are printed as one clear message with exit code 2.
"""

from __future__ import annotations

import contextlib
import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Optional

import typer

from storage.settings import ConfigError

# rich_markup_mode=None: help texts name configuration sections such as [schedule] and [alerts.smtp], which rich
# markup would swallow as style tags.
app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Watch Vietnam's auction portals and alert the inspectorate.")
db_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Database schema.")
crawl_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Crawl a portal.")
app.add_typer(db_app, name="db")
app.add_typer(crawl_app, name="crawl")
alerts_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="The alert outbox.")
app.add_typer(alerts_app, name="alerts")
users_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Analyst accounts of the review site.")
app.add_typer(users_app, name="users")

_state: dict[str, Optional[str]] = {"config": None, "db": None}

ConfigOpt = typer.Option(None, "--config", "-c", help="Configuration file (TOML).")
DbOpt = typer.Option(None, "--db", help="Database URL or SQLite file path (overrides database.url).")


@app.callback()
def _main(config: Optional[str] = ConfigOpt, db: Optional[str] = DbOpt) -> None:
    _state["config"], _state["db"] = config, db


def fail(message: str, code: int = 2) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def info(message: str) -> None:
    typer.echo(message, err=True)


def context(migrate: bool = True, existing: bool = False):
    """The command's context. ``existing``: the command reads what is stored, so a database that does not exist
    yet (a mistyped --db) is an error instead of a new empty one."""
    from service.context import make_context
    from storage.db import sqlite_path

    try:
        ctx = make_context(_state["config"], _state["db"])
    except ConfigError as exc:
        fail(str(exc))
    path = sqlite_path(ctx.db_url)
    if existing and path is not None and not path.is_file():
        fail(f"no database at {path}: check --db / database.url, or create it with `auction-monitor db upgrade`")
    if migrate:
        ctx.ensure_schema()
    return ctx


def parse_day(value: Optional[str], name: str) -> Optional[date]:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{name}: expected a date as YYYY-MM-DD, got {value!r}")


# ------------------------------------------------------------------------------------------------- setup


@app.command()
def init(path: Path = typer.Argument(Path("auction-monitor.toml"), help="Where to write the file."),
         force: bool = typer.Option(False, help="Overwrite an existing file.")) -> None:
    """Write a fully commented default configuration file."""
    from service.config_template import render_default_config

    if path.exists() and not force:
        fail(f"{path} exists; use --force to overwrite")
    path.write_text(render_default_config(), encoding="utf-8")
    info(f"wrote {path}")


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply migrations (creates the schema from empty)."""
    from storage.db import upgrade

    from storage.db import masked_url

    ctx = context(migrate=False)
    upgrade(ctx.db_url, revision)
    info(f"database at {revision}: {masked_url(ctx.db_url)}")


# ------------------------------------------------------------------------------------------------- data in


@app.command("import-dataset")
def import_dataset_cmd(files: list[Path] = typer.Argument(..., help="Portal-dataset JSONL files.")) -> None:
    """Load portal-dataset files through the same parse path as the crawler (no HTTP)."""
    from crawler.dataset_import import import_dataset

    ctx = context()
    try:
        summary = import_dataset(ctx.session, ctx.evidence, files, progress=info,
                                 allowed_hosts=ctx.settings.allowed_hosts())
    except FileNotFoundError as exc:
        fail(str(exc))
    for err in summary["errors"][:20]:
        info(f"skipped {err}")
    typer.echo(json.dumps({"run_id": summary["run_id"], **summary["counters"]}, ensure_ascii=False))
    if summary["errors"]:
        raise typer.Exit(1)


@crawl_app.command("dgts")
def crawl_dgts(kinds: Optional[str] = typer.Option(None, help="Comma-separated: selection,result,auction."),
               since: Optional[str] = typer.Option(None, help="First publication day, YYYY-MM-DD."),
               until: Optional[str] = typer.Option(None, help="Last publication day, YYYY-MM-DD."),
               portal_url: Optional[str] = typer.Option(None, help="Portal base URL (e.g. the simulator).")) -> None:
    """Crawl dgts: selection notices, selection results and auction notices."""
    from service.jobs import dgts_specs, run_crawl

    ctx = context()
    try:
        specs = dgts_specs(ctx, kinds=[k.strip() for k in kinds.split(",")] if kinds else None,
                           since=parse_day(since, "--since"), until=parse_day(until, "--until"), portal_url=portal_url)
    except ValueError as exc:
        fail(str(exc))
    report_runs(locked(ctx, lambda: run_crawl(ctx, specs, progress=info)))


@crawl_app.command("thads")
def crawl_thads(sites: Optional[str] = typer.Option(None, help="Comma-separated sub-site slugs (default: configured)."),
                full: bool = typer.Option(False, "--full", help="Full pass: re-read every item, find edits and deletions."),
                portal_url: Optional[str] = typer.Option(None, help="Portal base URL (e.g. the simulator).")) -> None:
    """Crawl THADS provincial notice lists, detail pages and attachments."""
    from service.jobs import run_crawl, thads_specs

    ctx = context()
    specs = thads_specs(ctx, sites=[s.strip() for s in sites.split(",")] if sites else None,
                        full=True if full else None, portal_url=portal_url)
    from service.jobs import link_thads

    def crawl_and_link():
        runs = run_crawl(ctx, specs, progress=info)
        info(f"THADS ↔ dgts links: {link_thads(ctx)}")
        return runs

    report_runs(locked(ctx, crawl_and_link))


def locked(ctx, func):
    """``func()`` under the daily job's lock: a crawl never runs next to the daily job (two crawlers writing one
    database, one closing the other's runs as interrupted)."""
    from service.locks import run_locked
    from service.scheduler import LOCK_NAME

    box: dict = {}
    if not run_locked(ctx.db_url, LOCK_NAME, float(ctx.settings.schedule.lock_ttl_s),
                      lambda: box.setdefault("out", func())):
        fail("another daily run or crawl holds the lock; not starting a second one")
    return box["out"]


def report_runs(runs: list[dict]) -> None:
    """Print the crawl runs; exit 1 when one was not complete (blocked, failed, partial)."""
    typer.echo(json.dumps(runs, ensure_ascii=False, default=str))
    bad = [r for r in runs if r["status"] in ("failed", "blocked", "partial")]
    if bad:
        fail("; ".join(f"{r['kind']} {r['status']}: {(r.get('message') or '').splitlines()[0] if r.get('message') else ''}" for r in bad), code=1)


@app.command()
def simulate(data: list[Path] = typer.Option(..., "--data", help="Portal-dataset JSONL files to serve (--data A B, or --data A --data B)."),
             more: Optional[list[Path]] = typer.Argument(None, hidden=True, metavar=""),
             port: int = typer.Option(8080, help="Port on 127.0.0.1."),
             clock: Optional[str] = typer.Option(None, help="Simulated time (ISO 8601); default: now."),
             faults: Optional[str] = typer.Option(None, help="Fault plan spec, e.g. 'js_challenge' or 'http_429=3' (see crawler.simulator.faults).")) -> None:
    """Serve the dgts API and THADS pages from dataset files on 127.0.0.1 (for tests and demos)."""
    from crawler.simulator import serve

    data = [*data, *(more or [])]  # the files after the first of `--data A B` arrive as arguments
    for p in data:
        if not p.is_file():
            fail(f"dataset file not found: {p}")
    info(f"simulator on http://127.0.0.1:{port} (Ctrl-C to stop)")
    options = {"fault_spec": faults} if faults else {}
    if clock:
        options["clock"] = clock
    try:
        serve([str(p) for p in data], port=port, **options)
    except (ValueError, TypeError) as exc:
        fail(str(exc))


# ------------------------------------------------------------------------------------------------- detection


@app.command()
def detect(detectors: Optional[str] = typer.Option(None, help="Comma-separated detector names (default: all enabled)."),
           since: Optional[str] = typer.Option(None, help="Only subjects published on or after YYYY-MM-DD."),
           daily_scope: bool = typer.Option(False, "--daily-scope",
                                            help="Full pass or incremental, chosen as the daily job does "
                                                 "(schedule.full_detect_every_days).")) -> None:
    """Run detectors over what is stored and update findings."""
    from service.jobs import run_detection

    ctx = context(existing=True)
    only = [d.strip() for d in detectors.split(",") if d.strip()] if detectors else None
    if daily_scope and (since or only):
        fail("--daily-scope chooses the scope itself: give neither --since nor --detectors with it")
    try:
        if daily_scope:
            from service.daily import detect_stage

            summary = detect_stage(ctx, info)
        else:
            summary = run_detection(ctx, only=only, since=parse_day(since, "--since"), progress=info)
    except ValueError as exc:
        fail(str(exc))
    typer.echo(json.dumps(summary, ensure_ascii=False))


@app.command()
def relink() -> None:
    """Recompute every relist link from the stored asset identities (after a change of the pair scorer): the daily
    job only links new and changed notices."""
    from detectors.collusion.dataset import load_dataset
    from detectors.collusion.link_state import index_and_link
    from detectors.registry import available

    ctx = context(existing=True)
    settings = ctx.settings.detector_settings().get("collusion") or available()["collusion"].Settings()
    with ctx.session() as session:
        stats = index_and_link(session, load_dataset(session), settings.relist, datetime.now().astimezone(),
                               relink=True)
    typer.echo(json.dumps(stats, ensure_ascii=False, default=str))


@app.command()
def findings(detector: Optional[str] = typer.Option(None, help="Only this detector."),
             status: Optional[str] = typer.Option(None, help="flag | insufficient | not_applicable"),
             rule: Optional[str] = typer.Option(None, help="Only this rule."),
             include_resolved: bool = typer.Option(False, help="Also resolved findings."),
             format: str = typer.Option("table", "--format", help="jsonl | csv | table")) -> None:
    """Export findings."""
    from service.exports import export_findings

    ctx = context(existing=True)
    if format not in ("jsonl", "csv", "table"):
        fail("--format must be jsonl, csv or table")
    with ctx.session() as session:
        export_findings(session, sys.stdout, fmt=format, detector=detector, status=status, rule=rule,
                        include_resolved=include_resolved)


@app.command()
def parcels(format: str = typer.Option("jsonl", "--format", help="jsonl | csv"),
            only_land: bool = typer.Option(False, help="Only land-use-right lots.")) -> None:
    """One line per lot with the parcel details found and the required ones missing."""
    from service.exports import export_parcels

    ctx = context(existing=True)
    if format not in ("jsonl", "csv"):
        fail("--format must be jsonl or csv")
    from storage.features import ensure_current

    with ctx.session() as session:
        ensure_current(session, info)  # lots imported since the last detection are read first
        export_parcels(session, sys.stdout, fmt=format, settings=ctx.settings, only_land=only_land)


@app.command()
def review(finding: int = typer.Argument(..., help="Finding id."),
           verdict: str = typer.Option(..., help="confirmed | false_positive | needs_more_info"),
           note: Optional[str] = typer.Option(None, help="Free text."),
           reviewer: Optional[str] = typer.Option(None, help="Who reviewed (default: your login name).")) -> None:
    """Record an analyst verdict on a finding; your second verdict on a finding replaces the first."""
    import getpass

    from storage.reviews import record_review

    ctx = context(existing=True)
    if reviewer is None:
        with contextlib.suppress(Exception):  # no login name (e.g. a container without a passwd entry)
            reviewer = getpass.getuser()
    try:
        with ctx.session() as session:
            rv = record_review(session, finding, verdict, note=note, reviewer=reviewer, via="cli")
            typer.echo(json.dumps({"review_id": rv.id, "finding_id": finding, "verdict": rv.verdict}))
    except LookupError as exc:
        fail(str(exc))
    except ValueError as exc:
        fail(str(exc))


# ------------------------------------------------------------------------------------------------- daily job


@app.command()
def run(dry_run: bool = typer.Option(False, "--dry-run", help="Write .eml files to the outbox folder instead of sending."),
        skip_crawl: bool = typer.Option(False, help="Only detect and alert on what is stored."),
        thads_full: bool = typer.Option(False, "--thads-full", help="Force the THADS full pass."),
        format: str = typer.Option("text", "--format", help="text | json (the summary at the end)")) -> None:
    """The daily job: crawl all sources → detect → alert; ends with a summary (sources, findings per rule,
    e-mails). Exits 1 if a stage failed or was incomplete."""
    from service.daily import DailyOptions, daily_run
    from service.locks import run_locked
    from service.scheduler import LOCK_NAME

    if format not in ("text", "json"):
        fail("--format must be text or json")
    ctx = context()
    box: dict = {}
    ran = run_locked(ctx.db_url, LOCK_NAME, float(ctx.settings.schedule.lock_ttl_s), lambda: box.setdefault(
        "r", daily_run(ctx, DailyOptions(dry_run=dry_run, skip_crawl=skip_crawl, thads_full=thads_full or None),
                       progress=info)))
    if not ran:
        fail("another daily run holds the lock (a scheduled run may be in progress); not starting a second one")
    result = box["r"]
    if format == "json":
        stages = {name: st.get("status") for name, st in result.stages.items()}
        typer.echo(json.dumps({"job_id": result.job_id, "ok": result.ok, "stages": stages, "failures": result.failures,
                               "findings": result.findings}, ensure_ascii=False))
    else:
        from service.run_summary import render_run_summary

        typer.echo("")
        typer.echo(render_run_summary(result.job_id, result.ok, result.stages, result.failures, result.findings))
    if not result.ok:
        fail("the daily job finished with failed or incomplete stages: " + "; ".join(result.failures)[:2000], code=1)


@app.command()
def schedule(once_now: bool = typer.Option(False, "--run-now", help="Also run the job once immediately.")) -> None:
    """Run the daily job every day (cron from [schedule]), never two at once, even across processes."""
    from service.daily import scheduled_daily
    from service.locks import run_locked
    from service.scheduler import LOCK_NAME, serve

    ctx = context()
    if once_now:
        ttl = float(ctx.settings.schedule.lock_ttl_s)
        if not run_locked(ctx.db_url, LOCK_NAME, ttl, lambda: daily_with(ctx)):
            info("another daily run holds the lock; not running one now")
    info(f"scheduler: cron '{ctx.settings.schedule.cron}' ({ctx.settings.schedule.timezone}); Ctrl-C stops")
    # Only the configuration file goes into the persistent job store; the database URL (it may hold a password)
    # stays in this process.
    serve(ctx.settings, ctx.db_url, scheduled_daily, job_args=(_state["config"],))


def daily_with(ctx) -> bool:
    from service.daily import daily_run

    return daily_run(ctx, progress=info).ok


@app.command()
def demo(workdir: Path = typer.Option(Path("demo-output"), help="Folder for the demo database, evidence and outbox."),
         smtp: bool = typer.Option(False, help="Deliver through [alerts.smtp] instead of writing .eml files.")) -> None:
    """Run the daily job end to end, offline, against the bundled portal simulator and data."""
    from service.demo import run_demo

    ctx = context(migrate=False)
    result, summary = run_demo(ctx, workdir, smtp=smtp, progress=info)
    typer.echo("")
    typer.echo(f"Demo finished ({'ok' if result.ok else 'with failures'}): {summary['days']} simulated days, "
               f"{summary['requests']} requests to the simulator")
    from storage.db import masked_url

    typer.echo(f"Database: {masked_url(summary['database'])}")
    typer.echo("Findings (open) per detector.rule.status:")
    for k, n in summary["findings"].items():
        typer.echo(f"  {k}: {n}")
    typer.echo("Alerts: " + ", ".join(f"{k}={n}" for k, n in summary["alerts"].items()))
    typer.echo(f"E-mails written: {summary['eml_files']} in {summary['outbox']}")
    db = workdir / "demo.sqlite"
    typer.echo(f"Review site: auction-monitor --db {db} users add NAME, then (with {ctx.settings.web.secret_key_env} "
               f"set) auction-monitor --db {db} serve --evidence {workdir / 'evidence'}")
    if not result.ok:
        fail("; ".join(result.failures)[:2000], code=1)


@alerts_app.command("queue")
def alerts_queue() -> None:
    """Compose alerts for new and updated findings into the outbox (no sending)."""
    from alerts.outbox import queue_alerts

    ctx = context(existing=True)
    with ctx.session() as s:
        typer.echo(json.dumps(queue_alerts(s, ctx.settings), ensure_ascii=False))


@alerts_app.command("send")
def alerts_send(dry_run: bool = typer.Option(False, "--dry-run", help="Write .eml files instead of sending.")) -> None:
    """Deliver queued messages (SMTP, or .eml files in outbox mode / --dry-run), with retries and back-off."""
    from alerts.outbox import deliver
    from alerts.smtp_sender import DeliveryError
    from storage.db import session_factory

    ctx = context(existing=True)
    try:
        counts = deliver(session_factory(ctx.db_url), ctx.settings, dry_run=dry_run)
    except DeliveryError as exc:
        fail(str(exc))
    typer.echo(json.dumps(counts, ensure_ascii=False))
    if counts.get("failed"):
        fail(f"{counts['failed']} message(s) could not be delivered after {ctx.settings.alerts.max_attempts} "
             "attempts and were given up (see alerts.last_error)", code=1)


@app.command("review-report")
def review_report(detector: Optional[str] = typer.Option(None, help="Only this detector.")) -> None:
    """Precision per rule from analyst reviews, and threshold suggestions."""
    from storage.reviews import precision_by_rule

    ctx = context(existing=True)
    with ctx.session() as s:
        rows = [r for r in precision_by_rule(s) if not detector or r["detector"] == detector]
        for r in rows:
            typer.echo(json.dumps(r, ensure_ascii=False))
        try:
            from detectors.review_report import threshold_suggestions
        except ImportError:
            return
        for sug in threshold_suggestions(s, detector=detector or "collusion"):
            typer.echo(json.dumps({"suggestion": sug}, ensure_ascii=False, default=str))


@app.command()
def reparse(kinds: Optional[str] = typer.Option(None, help="Record kinds, e.g. dgts.auction_notice,thads.notice.")) -> None:
    """Rebuild parsed rows from the stored evidence (no portal access): apply a parser fix to everything."""
    from crawler.reparse import reparse_all

    ctx = context(existing=True)
    from alerts.outbox import link_hosts

    with ctx.session() as s:
        hosts = link_hosts(s, ctx.settings)  # the configured portals and the ones our crawls were pointed at
    summary = reparse_all(ctx.session, ctx.evidence, kinds=[k.strip() for k in kinds.split(",")] if kinds else None,
                          progress=info, allowed_hosts=hosts)
    typer.echo(json.dumps(summary, ensure_ascii=False))


@app.command()
def status(days: int = typer.Option(14, min=1, max=366, help="Days of crawl coverage to show."),
           format: str = typer.Option("text", "--format", help="text | json")) -> None:
    """Last runs, crawl coverage by day, findings waiting for review and the outbox."""
    from service.status import collect_status, render_status

    if format not in ("text", "json"):
        fail("--format must be text or json")
    ctx = context(existing=True)
    with ctx.session() as s:
        st = collect_status(s, days=days)
    typer.echo(json.dumps(st, ensure_ascii=False) if format == "json" else render_status(st))


# ------------------------------------------------------------------------------------------------- review site


@app.command()
def serve(host: Optional[str] = typer.Option(None, help="Listen address (default web.host, 127.0.0.1)."),
          port: Optional[int] = typer.Option(None, help="Port (default web.port)."),
          evidence: Optional[Path] = typer.Option(None, help="Evidence store folder (default evidence.path).")) -> None:
    """Serve the review site: findings, evidence and verdicts (put a TLS reverse proxy in front)."""
    from waitress import serve as waitress_serve

    from service.web import create_app
    from storage.evidence import EvidenceStore

    ctx = context(existing=True)
    if evidence is not None:
        if not evidence.is_dir():
            fail(f"--evidence: no such folder: {evidence}")
        ctx.evidence = EvidenceStore(evidence)
    web = ctx.settings.web
    try:
        wsgi = create_app(ctx)
    except ConfigError as exc:
        fail(str(exc))
    host, port = host or web.host, port or web.port
    if host not in ("127.0.0.1", "::1", "localhost"):
        info(f"warning: listening on {host}, not only on this machine; serve it through a TLS reverse proxy")
    info(f"review site on http://{host}:{port} (public address {web.public_base_url}); Ctrl-C stops")
    waitress_serve(wsgi, host=host, port=port, threads=web.threads, ident="auction-monitor")


def _read_password() -> str:
    """From a prompt (typed twice, not echoed) on a terminal, else the first line of standard input."""
    if sys.stdin.isatty():
        return typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@users_app.command("add")
def users_add(name: str = typer.Argument(..., help="Login name.")) -> None:
    """Add an analyst account; the password is read from a prompt (or the first line of stdin)."""
    from storage.users import UserError, add_user

    ctx = context(existing=True)
    password = _read_password()
    try:
        with ctx.session() as s:
            add_user(s, name, password)
    except UserError as exc:
        fail(str(exc))
    info(f"user {name} added")


@users_app.command("passwd")
def users_passwd(name: str = typer.Argument(..., help="Login name.")) -> None:
    """Set a new password (ends the account's open sessions)."""
    from storage.users import UserError, set_password

    ctx = context(existing=True)
    password = _read_password()
    try:
        with ctx.session() as s:
            set_password(s, name, password)
    except UserError as exc:
        fail(str(exc))
    info(f"password of {name} changed")


@users_app.command("disable")
def users_disable(name: str = typer.Argument(..., help="Login name.")) -> None:
    """Disable an account (it can no longer log in; open sessions end)."""
    _set_active(name, False)


@users_app.command("enable")
def users_enable(name: str = typer.Argument(..., help="Login name.")) -> None:
    """Enable a disabled account again."""
    _set_active(name, True)


def _set_active(name: str, active: bool) -> None:
    from storage.users import UserError, set_active

    ctx = context(existing=True)
    try:
        with ctx.session() as s:
            set_active(s, name, active)
    except UserError as exc:
        fail(str(exc))
    info(f"user {name} {'enabled' if active else 'disabled'}")


@users_app.command("list")
def users_list() -> None:
    """List accounts (never their password hashes)."""
    from storage.users import list_users

    ctx = context(existing=True)
    with ctx.session() as s:
        for u in list_users(s):
            typer.echo(f"{u.name}\t{'active' if u.active else 'disabled'}\tcreated {u.created_at:%Y-%m-%d}")


def main() -> None:
    from sqlalchemy.exc import OperationalError

    from storage.evidence import EvidenceError

    try:
        app()
    except ConfigError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        sys.exit(2)
    except (OperationalError, EvidenceError) as exc:  # a locked database, a full disk: one line, not a traceback
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        typer.secho(f"error: storage failed: {reason}", fg=typer.colors.RED, err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
