"""What was crawled, when, and where the holes are: crawl runs, records per publication day and first-seen day,
runs of days without records, and CHECK_FAILED events (an access error that must never be read as a removal)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.common import DB, frame, local_day, local_naive, session_for, short
from storage.kinds import RecordKind
from storage.models import AuctionNotice, ChangeEvent, CrawlRun, Record, SelectionNotice, SelectionResult, ThadsNotice
from vntext.workdays import is_working_day

RECORD_KINDS = RecordKind.ALL
RUN_COLUMNS = ["id", "source", "kind", "window_start", "window_end", "started_at", "finished_at", "duration_s",
               "status", "requests", "new", "changed", "removed", "check_failed", "complete_lists", "message"]
COVERAGE_COLUMNS = ["day", "record_kind", "published", "first_seen", "check_failed", "working_day"]
GAP_COLUMNS = ["record_kind", "start", "end", "days", "working_days"]
CHECK_FAILED_COLUMNS = ["at", "record_kind", "record_key", "run_id", "source", "field", "detail"]


def crawl_runs(db: DB, since: date | None = None) -> pd.DataFrame:
    """One row per crawl run (newest first): source, kind, window, local start/end, duration, status and the
    counters the run recorded (requests, new, changed, removed, check_failed)."""
    with session_for(db) as s:
        q = select(CrawlRun).order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc())
        rows = []
        for run in s.scalars(q):
            started = local_naive(run.started_at)
            if since is not None and started is not None and started.date() < since:
                continue
            finished = local_naive(run.finished_at)
            counters = run.counters or {}
            rows.append({
                "id": run.id, "source": run.source, "kind": run.kind, "window_start": run.window_start,
                "window_end": run.window_end, "started_at": started, "finished_at": finished,
                "duration_s": round((finished - started).total_seconds(), 1) if started and finished else None,
                "status": run.status, "requests": int(counters.get("requests", 0)),
                "new": int(counters.get("new", 0)), "changed": int(counters.get("changed", 0)),
                "removed": int(counters.get("removed", 0)), "check_failed": int(counters.get("check_failed", 0)),
                "complete_lists": ", ".join(run.complete_lists or []), "message": short(run.message),
            })
    return frame(rows, RUN_COLUMNS)


ACTIVITY_COLUMNS = ["day", "source", "runs", "requests", "new", "changed", "removed", "check_failed", "not_complete"]


def crawl_activity(db: DB, since: date | None = None) -> pd.DataFrame:
    """Crawl runs summed per ICT start day and source: runs, requests, new and changed records, removals,
    CHECK_FAILED counts, and how many runs did not end ``complete`` (partial, failed, blocked, still running)."""
    runs = crawl_runs(db, since=since)
    if runs.empty:
        return frame([], ACTIVITY_COLUMNS)
    runs = runs.assign(day=pd.to_datetime(runs["started_at"]).dt.normalize(),
                       not_complete=(runs["status"] != "complete").astype(int), runs=1)
    out = (runs.groupby(["day", "source"], as_index=False)[["runs", "requests", "new", "changed", "removed",
                                                             "check_failed", "not_complete"]].sum())
    return out[ACTIVITY_COLUMNS].sort_values(["day", "source"]).reset_index(drop=True)


def publication_days(session: Session) -> dict[tuple[str, str], date]:
    """(record_kind, record_key) -> ICT publication day of every parsed record (first publication for selection
    notices, whose ``lastUpdated`` moves on each edit)."""
    out: dict[tuple[str, str], date] = {}
    for rid, first, last in session.execute(select(SelectionNotice.id, SelectionNotice.first_published_at,
                                                   SelectionNotice.published_at)):
        d = local_day(first or last)
        if d:
            out[(RecordKind.DGTS_SELECTION_NOTICE, str(rid))] = d
    for rid, pub in session.execute(select(SelectionResult.id, SelectionResult.published_at)):
        if pub:
            out[(RecordKind.DGTS_SELECTION_RESULT, str(rid))] = local_day(pub)
    for rid, pub in session.execute(select(AuctionNotice.id, AuctionNotice.published_at)):
        if pub:
            out[(RecordKind.DGTS_AUCTION_NOTICE, str(rid))] = local_day(pub)
    for key, pub, issued in session.execute(select(ThadsNotice.key, ThadsNotice.published_on, ThadsNotice.notice_date)):
        if pub or issued:
            out[(RecordKind.THADS_NOTICE, key)] = pub or issued
    return out


def url_publication_days(session: Session) -> dict[str, date]:
    """Portal URL -> ICT publication day of the parsed record at that URL (the latest, when several share it)."""
    out: dict[str, date] = {}
    days = publication_days(session)
    for kind, model, key_col in ((RecordKind.DGTS_SELECTION_NOTICE, SelectionNotice, SelectionNotice.id),
                                 (RecordKind.DGTS_SELECTION_RESULT, SelectionResult, SelectionResult.id),
                                 (RecordKind.DGTS_AUCTION_NOTICE, AuctionNotice, AuctionNotice.id),
                                 (RecordKind.THADS_NOTICE, ThadsNotice, ThadsNotice.key)):
        for key, url in session.execute(select(key_col, model.url).where(model.url.is_not(None))):
            day = days.get((kind, str(key)))
            if day is not None and (url not in out or out[url] < day):
                out[url] = day
    return out


def crawl_coverage(db: DB, since: date | None = None, until: date | None = None,
                   record_kinds: tuple[str, ...] | list[str] | None = None) -> pd.DataFrame:
    """Records per record kind and ICT day, one row for every day of the range (zeros included, so holes show):
    ``published`` counts records published that day, ``first_seen`` records our crawler saw for the first time
    that day, ``check_failed`` the CHECK_FAILED events of that day; ``working_day`` tells weekends and holidays
    (expected holes) from working days. The range defaults to the first and last day any of them has."""
    kinds = list(record_kinds or RECORD_KINDS)
    published: Counter[tuple[str, date]] = Counter()
    first_seen: Counter[tuple[str, date]] = Counter()
    failed: Counter[tuple[str, date]] = Counter()
    with session_for(db) as s:
        for (kind, _key), day in publication_days(s).items():
            published[(kind, day)] += 1
        for kind, seen in s.execute(select(Record.record_kind, Record.first_seen)):
            first_seen[(kind, local_day(seen))] += 1
        failures = select(ChangeEvent.record_kind, ChangeEvent.at).where(ChangeEvent.event == "CHECK_FAILED")
        for kind, at in s.execute(failures):
            failed[(kind, local_day(at))] += 1
    days = [d for c in (published, first_seen, failed) for (k, d) in c if k in kinds and d is not None]
    if not days and (since is None or until is None):
        return frame([], COVERAGE_COLUMNS)
    start = since or min(days)
    end = until or max(days)
    rows: list[dict[str, Any]] = []
    day = start
    while day <= end:
        working = is_working_day(day)
        for kind in kinds:
            rows.append({"day": day, "record_kind": kind, "published": published[(kind, day)],
                         "first_seen": first_seen[(kind, day)], "check_failed": failed[(kind, day)],
                         "working_day": working})
        day += timedelta(days=1)
    df = frame(rows, COVERAGE_COLUMNS)
    df["day"] = pd.to_datetime(df["day"])
    return df


def coverage_gaps(db: DB, record_kind: str = RecordKind.DGTS_AUCTION_NOTICE, since: date | None = None,
                  until: date | None = None, min_days: int = 1, basis: str = "published") -> pd.DataFrame:
    """Runs of consecutive days on which no record of ``record_kind`` was published (``basis="published"``) or
    first seen (``basis="first_seen"``), between the first and last day that has one (or ``since``/``until``).
    ``working_days`` counts the working days inside each run: a run of weekend days alone is normal, a run of
    working days is a crawl or portal hole worth checking. Runs shorter than ``min_days`` are left out."""
    if basis not in ("published", "first_seen"):
        raise ValueError("basis must be 'published' or 'first_seen'")
    cov = crawl_coverage(db, record_kinds=[record_kind])
    if cov.empty:
        return frame([], GAP_COLUMNS)
    counts = {d.date(): int(n) for d, n in zip(cov["day"], cov[basis])}
    with_records = [d for d, n in counts.items() if n > 0]
    if not with_records and (since is None or until is None):
        return frame([], GAP_COLUMNS)
    start = since or min(with_records)
    end = until or max(with_records)
    rows = []
    run: list[date] = []
    day = start
    while day <= end + timedelta(days=1):
        empty = day <= end and counts.get(day, 0) == 0
        if empty:
            run.append(day)
        elif run:
            if len(run) >= min_days:
                rows.append({"record_kind": record_kind, "start": run[0], "end": run[-1], "days": len(run),
                             "working_days": sum(1 for d in run if is_working_day(d))})
            run = []
        day += timedelta(days=1)
    return frame(rows, GAP_COLUMNS)


def check_failed_events(db: DB, since: date | None = None) -> pd.DataFrame:
    """Every CHECK_FAILED event (newest first): when, which record, which run and source, and what failed."""
    with session_for(db) as s:
        sources = dict(s.execute(select(CrawlRun.id, CrawlRun.source)).all())
        q = select(ChangeEvent).where(ChangeEvent.event == "CHECK_FAILED").order_by(ChangeEvent.at.desc(),
                                                                                 ChangeEvent.id.desc())
        rows = []
        for e in s.scalars(q):
            at = local_naive(e.at)
            if since is not None and at is not None and at.date() < since:
                continue
            rows.append({"at": at, "record_kind": e.record_kind, "record_key": e.record_key, "run_id": e.run_id,
                         "source": sources.get(e.run_id), "field": e.field,
                         "detail": short(e.new_value or e.old_value)})
    return frame(rows, CHECK_FAILED_COLUMNS)
