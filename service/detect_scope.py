"""Which part of the history the daily job's detection re-evaluates: a full pass, or the records published since a
day.

A full pass over a national history (~600,000 notices) takes minutes; the daily crawl only adds or changes records
of the last few publication days. So the daily job runs a full pass when one is due and an incremental one
otherwise (``detect --since``):

* full when incremental detection is off (``schedule.full_detect_every_days = 0``), when no complete full pass
  exists, when the last one is ``full_detect_every_days`` old or older, when the detectors or their settings
  changed since it, or when a record changed since the last detection has no publication day or one more than
  ``MAX_INCREMENTAL_DAYS`` before the newest changed one (an import of old data, a late correction: a full pass
  is the safe answer);
* otherwise incremental from the earliest publication day among the records that changed (a change event from a
  crawl or import that ended after the last detection started), minus one day, and never later than yesterday.

Rules that need the population (fences, rotation, anomaly ranking) still read the whole history in an incremental
run; only the per-record evaluation is limited.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from detectors.base import jsonable
from storage.kinds import RecordKind
from storage.models import (
    AuctionNotice, ChangeEvent, CrawlRun, DetectorRun, SelectionNotice, SelectionResult, ThadsNotice,
)
from storage.timeutil import to_local

MAX_INCREMENTAL_DAYS = 90
CHUNK = 500


def _publication_days(session: Session, kind: str, keys: list[str]) -> dict[str, date | None]:
    out: dict[str, date | None] = {k: None for k in keys}
    for i in range(0, len(keys), CHUNK):
        chunk = keys[i:i + CHUNK]
        if kind == RecordKind.THADS_NOTICE:
            for key, on, noted in session.execute(select(ThadsNotice.key, ThadsNotice.published_on,
                                                         ThadsNotice.notice_date).where(ThadsNotice.key.in_(chunk))):
                out[key] = on or noted
            continue
        ids = [int(k) for k in chunk if k.isdigit()]
        if kind == RecordKind.DGTS_AUCTION_NOTICE:
            query = select(AuctionNotice.id, AuctionNotice.published_at).where(AuctionNotice.id.in_(ids))
        elif kind == RecordKind.DGTS_SELECTION_NOTICE:
            query = select(SelectionNotice.id, func.coalesce(SelectionNotice.first_published_at,
                                                             SelectionNotice.published_at)
                           ).where(SelectionNotice.id.in_(ids))
        elif kind == RecordKind.DGTS_SELECTION_RESULT:
            query = select(SelectionResult.id, SelectionResult.published_at).where(SelectionResult.id.in_(ids))
        else:
            continue
        for rid, published in session.execute(query):
            local = to_local(published) if isinstance(published, datetime) else None
            out[str(rid)] = local.date() if local else None
    return out


def daily_detection_scope(session: Session, detector_settings: dict[str, Any], full_every_days: int,
                          now: datetime) -> tuple[date | None, str]:
    """(since, reason): ``since`` None means a full pass."""
    if full_every_days <= 0:
        return None, "incremental detection is off (schedule.full_detect_every_days = 0)"
    complete = select(DetectorRun).where(DetectorRun.status == "complete")
    last_full = session.scalar(complete.where(DetectorRun.since.is_(None)).order_by(DetectorRun.started_at.desc())
                               .limit(1))
    if last_full is None:
        return None, "no complete full detection yet"
    last_full_at = to_local(last_full.started_at)
    today = to_local(now).date()
    if (to_local(now) - last_full_at) >= timedelta(days=full_every_days):
        return None, f"the last full detection ran on {last_full_at.date().isoformat()}"
    current = {name: jsonable(s.model_dump()) for name, s in detector_settings.items()}
    if sorted(last_full.detectors or []) != sorted(current) or {k: (last_full.settings or {}).get(k)
                                                                for k in current} != current:
        return None, "detectors or their settings changed since the last full detection"
    last_any = session.scalar(complete.order_by(DetectorRun.started_at.desc()).limit(1))
    runs = select(CrawlRun.id).where(or_(CrawlRun.finished_at.is_(None), CrawlRun.finished_at >= last_any.started_at))
    changed: dict[str, set[str]] = defaultdict(set)
    for kind, key in session.execute(select(ChangeEvent.record_kind, ChangeEvent.record_key)
                                     .where(ChangeEvent.run_id.in_(runs)).distinct()):
        changed[kind].add(key)
    days: list[date] = []
    for kind, keys in sorted(changed.items()):
        for key, day in _publication_days(session, kind, sorted(keys)).items():
            if day is None:
                return None, f"changed record {kind} {key} has no publication day"
            days.append(day)
    since = min([*days, today - timedelta(days=1)]) - timedelta(days=1)
    newest = max(days, default=today)  # the crawl's "today" (a replayed or simulated portal lives in the past)
    if days and min(days) < newest - timedelta(days=MAX_INCREMENTAL_DAYS):
        return None, (f"a changed record was published on {min(days).isoformat()}, over {MAX_INCREMENTAL_DAYS} "
                      f"days before the newest one ({newest.isoformat()})")
    n = sum(len(v) for v in changed.values())
    return since, f"{n} records changed since the last detection; full pass last on {last_full_at.date().isoformat()}"
