"""Runs detectors over storage and upserts their findings by fingerprint.

A finding seen again updates ``last_seen`` (and its status, severity and evidence) instead of duplicating; an
open finding whose (rule, subject) was evaluated again and no longer holds is marked resolved, never deleted.
Population statistics from each detector's ``finalize`` are recorded on the ``detector_runs`` row.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable, Iterator

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from detectors.base import DetectionContext, Detector, Result, Unchanged, evidence_hash, fingerprint, jsonable
from storage import features
from storage.kinds import RECORD_KIND_OF_NOTICE
from storage.models import DetectorRun, Finding, RawResponse, Snapshot
from storage.timeutil import utcnow

log = logging.getLogger(__name__)

STORED = {"flag", "insufficient"}


def run_detectors(
    session: Session,
    detectors: list[Detector],
    *,
    since: date | None = None,
    now: datetime | None = None,
    evidence_root: str | None = None,
    progress=None,
) -> DetectorRun:
    now = now or utcnow()
    run = DetectorRun(
        started_at=now,
        detectors=[d.name for d in detectors],
        settings={d.name: jsonable(d.settings.model_dump()) for d in detectors},
        stats={},
        counters={},
        since=since,
    )
    session.add(run)
    session.flush()
    started = time.monotonic()
    feature_counts = features.ensure_current(session, progress)  # the text layer reads new and changed lots once
    stats: dict[str, Any] = {"features": {"lots_read": feature_counts, "wall_s": round(time.monotonic() - started, 3)}}
    counters: dict[str, Any] = {}
    shared: dict[str, Any] = {}
    for det in detectors:
        ctx = DetectionContext(session=session, now=now, since=since, evidence_root=evidence_root, shared=shared)
        if progress:
            progress(f"detector {det.name}: evaluating")
        started = time.monotonic()
        counters[det.name] = _store(session, det.name, det.evaluate(ctx), run, now)
        det_stats = det.finalize()  # after the pass: _store consumed the results as they came
        stats[det.name] = {"version": det.version, "wall_s": round(time.monotonic() - started, 3),
                           **jsonable(det_stats)}
        _release_memory()  # the next detector loads the history again: give this one's memory back first
        if progress:
            c = counters[det.name]
            progress(f"detector {det.name}: {c.get('flag', 0)} flag, {c.get('insufficient', 0)} insufficient, "
                     f"{c.get('resolved', 0)} resolved")
    run.stats = stats
    run.counters = counters
    run.finished_at = utcnow()
    run.status = "complete"
    session.flush()
    return run


def _release_memory() -> None:
    """Collect garbage and return freed heap pages to the OS (glibc), so peak RSS is the largest detector's, not
    the sum of what every detector once held."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: the memory stays reusable by this process
        pass


RECORD_KIND_OF_SUBJECT = RECORD_KIND_OF_NOTICE
MAX_SOURCE_BLOBS = 8
CHUNK = 500  # bound parameters per IN (...) query
STORE_BATCH = 2_000  # results held in memory at a time


def _record_of(subject_kind: str, subject_id: str) -> tuple[str, str] | None:
    if subject_kind == "lot":  # "<notice_kind>:<notice_id>:<lot_index>"
        parts = str(subject_id).split(":")
        if len(parts) >= 3 and parts[0] in RECORD_KIND_OF_SUBJECT:
            return RECORD_KIND_OF_SUBJECT[parts[0]], ":".join(parts[1:-1])
        return None
    kind = RECORD_KIND_OF_SUBJECT.get(subject_kind)
    return (kind, str(subject_id)) if kind else None


def source_blobs_many(session: Session, subjects: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[str]]:
    """SHA-256 of the raw responses behind each subject's latest snapshot (the proof an alert links to), for many
    subjects in a few chunked queries; subjects without a record or a snapshot map to []."""
    wanted: dict[tuple[str, str], tuple[str, str]] = {}
    for subject in subjects:
        rec = _record_of(*subject)
        if rec is not None:
            wanted[subject] = rec
    by_kind: dict[str, set[str]] = defaultdict(set)
    for kind, key in wanted.values():
        by_kind[kind].add(key)
    latest: dict[tuple[str, str], tuple[int, list[int]]] = {}
    for kind, keys in by_kind.items():
        ordered = sorted(keys)
        for i in range(0, len(ordered), CHUNK):
            rows = session.execute(select(Snapshot.record_key, Snapshot.id, Snapshot.raw_response_ids)
                                   .where(Snapshot.record_kind == kind, Snapshot.record_key.in_(ordered[i:i + CHUNK])))
            for key, snap_id, raw_ids in rows:
                known = latest.get((kind, key))
                if known is None or snap_id > known[0]:
                    latest[(kind, key)] = (snap_id, list(raw_ids or [])[:MAX_SOURCE_BLOBS])
    raw_ids = sorted({i for _, ids in latest.values() for i in ids})
    sha_of: dict[int, str] = {}
    for i in range(0, len(raw_ids), CHUNK):
        for rid, sha in session.execute(select(RawResponse.id, RawResponse.sha256)
                                        .where(RawResponse.id.in_(raw_ids[i:i + CHUNK]))):
            sha_of[rid] = sha
    out: dict[tuple[str, str], list[str]] = {}
    for subject in subjects:
        rec = wanted.get(subject)
        ids = latest.get(rec, (0, []))[1] if rec else []
        out[subject] = [sha_of[i] for i in sorted(ids) if i in sha_of]
    return out


_COMPARED = ("status", "severity", "title", "evidence_hash", "urls", "legal_basis", "owner_name", "province")


@dataclass(slots=True)
class _Known:
    """A stored finding as far as the upsert needs it."""

    id: int
    resolved_at: datetime | None
    values: tuple  # the _COMPARED columns


def _store(session: Session, detector: str, results: Iterable[Result | Unchanged], run: DetectorRun, now: datetime
           ) -> dict[str, int]:
    """Upsert the results of one detector in bulk, streaming (a batch of results in memory at a time): new findings
    inserted, changed ones updated, unchanged open ones only get ``last_seen``, open ones whose subject now passes
    are resolved. Same outcome as applying the results one by one in order (a later result for the same
    fingerprint wins). Stored findings are looked up only for the fingerprints a batch names."""
    counts: Counter[str] = Counter()
    existing: dict[str, _Known | None] = {}
    for batch in _batches(results, STORE_BATCH):
        if isinstance(batch, Unchanged):
            _touch_unchanged(session, detector, batch, run, now, counts)
        else:
            _store_batch(session, detector, batch, run, now, existing, counts)
    session.flush()
    return dict(counts)


def _touch_unchanged(session: Session, detector: str, item: Unchanged, run: DetectorRun, now: datetime,
                     counts: Counter[str]) -> None:
    """Open findings confirmed from the same inputs: ``last_seen`` and the run move, nothing else."""
    ids = list(dict.fromkeys(str(s) for s in item.subject_ids))
    counts["unchanged"] += len(ids)
    for i in range(0, len(ids), CHUNK):
        session.execute(update(Finding).where(
            Finding.detector == detector, Finding.rule == item.rule, Finding.resolved_at.is_(None),
            Finding.subject_id.in_(ids[i:i + CHUNK])).values(last_seen=now, detector_run_id=run.id)
            .execution_options(synchronize_session=False))


def _batches(items: Iterable[Result | Unchanged], size: int) -> Iterator[list[Result] | Unchanged]:
    batch: list[Result] = []
    for item in items:
        if isinstance(item, Unchanged):
            if batch:
                yield batch
                batch = []
            yield item
            continue
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _known(session: Session, detector: str, fps: Iterable[str], existing: dict[str, _Known | None]) -> None:
    """Fill ``existing`` with the stored findings of these fingerprints (None: not stored)."""
    missing = sorted({fp for fp in fps if fp not in existing})
    for fp in missing:
        existing[fp] = None
    for i in range(0, len(missing), CHUNK):
        for fid, fp, resolved_at, *rest in session.execute(
                select(Finding.id, Finding.fingerprint, Finding.resolved_at, *(getattr(Finding, c) for c in _COMPARED))
                .where(Finding.detector == detector, Finding.fingerprint.in_(missing[i:i + CHUNK]))):
            existing[fp] = _Known(fid, resolved_at, tuple(rest))


def _store_batch(session: Session, detector: str, results: list[Result], run: DetectorRun, now: datetime,
                 existing: dict[str, _Known | None], counts: Counter[str]) -> None:
    fps = [fingerprint(detector, r.rule, r.subject_kind, r.subject_id) for r in results]
    _known(session, detector, fps, existing)
    kept = [r for r in results if r.status in STORED or (r.status == "not_applicable" and r.keep)]
    blobs = source_blobs_many(session, list(dict.fromkeys((r.subject_kind, str(r.subject_id)) for r in kept)))
    pending: dict[str, dict[str, Any]] = {}  # fingerprint -> the row's values after this batch
    unchanged: list[int] = []
    for r, fp in zip(results, fps):
        counts[r.status] += 1
        known = existing.get(fp)
        state = pending.get(fp)
        resolved_at = state["resolved_at"] if state is not None else (known.resolved_at if known else None)
        if r.status == "unchanged":  # the open finding was computed from the same inputs: it stays as it is
            if known is not None and state is None and resolved_at is None and known.id:
                unchanged.append(known.id)
            continue
        if r.status in STORED or (r.status == "not_applicable" and r.keep):
            ev = jsonable(r.evidence)
            found = blobs.get((r.subject_kind, str(r.subject_id)))
            if found and "raw_sha256s" not in ev:
                ev["raw_sha256s"] = found
            if known is None and state is None:
                counts["new"] += 1
            elif resolved_at is not None:
                counts["reopened"] += 1
            pending[fp] = {
                "status": r.status, "severity": r.severity, "title": r.title, "evidence": ev,
                "evidence_hash": evidence_hash(ev), "urls": list(r.urls), "legal_basis": r.legal_basis,
                "owner_name": r.owner_name, "province": r.province, "resolved_at": None,
                "inputs_digest": r.digest, "_result": r,
            }
        elif (known is not None or state is not None) and resolved_at is None:
            if state is None:
                pending[fp] = {"resolved_at": now}
            else:
                state["resolved_at"] = now
            counts["resolved"] += 1

    inserts, updates, touched, resolved, digests = [], [], list(unchanged), [], []
    for fp, values in pending.items():
        known = existing.get(fp)
        r = values.pop("_result", None)
        if r is None:  # only resolved
            resolved.append(known.id)
            known.resolved_at = now
            continue
        compared = tuple(values[c] for c in _COMPARED)
        if known is None:
            inserts.append({"fingerprint": fp, "detector": detector, "rule": r.rule, "subject_kind": r.subject_kind,
                            "subject_id": str(r.subject_id), "first_seen": now, "last_seen": now, **values,
                            "detector_run_id": run.id})
            existing[fp] = _Known(0, values["resolved_at"], compared)  # id filled in after the insert
        elif values["resolved_at"] is None and known.resolved_at is None and known.values == compared:
            touched.append(known.id)
            if values.get("inputs_digest") is not None:
                digests.append({"id": known.id, "inputs_digest": values["inputs_digest"]})
        else:
            updates.append({"id": known.id, "last_seen": now, **values, "detector_run_id": run.id})
            known.resolved_at, known.values = values["resolved_at"], compared
    if inserts:
        for fid, fp in session.execute(insert(Finding).returning(Finding.id, Finding.fingerprint), inserts):
            existing[fp].id = fid
    if updates:
        session.execute(update(Finding), updates)
    if digests:
        session.execute(update(Finding), digests)
    for ids, values in ((touched, {"last_seen": now}), (resolved, {"resolved_at": now})):
        for i in range(0, len(ids), CHUNK):
            session.execute(update(Finding).where(Finding.id.in_(ids[i:i + CHUNK]))
                            .values(**values, detector_run_id=run.id).execution_options(synchronize_session=False))
