"""Runs detectors over storage and upserts their findings by fingerprint.

A finding seen again updates ``last_seen`` (and its status, severity and evidence) instead of duplicating; an
open finding whose (rule, subject) was evaluated again and no longer holds is marked resolved, never deleted.
Population statistics from each detector's ``finalize`` are recorded on the ``detector_runs`` row.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from detectors.base import DetectionContext, Detector, Result, evidence_hash, fingerprint, jsonable
from storage.models import DetectorRun, Finding
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
    )
    session.add(run)
    session.flush()
    stats: dict[str, Any] = {}
    counters: dict[str, Any] = {}
    for det in detectors:
        ctx = DetectionContext(session=session, now=now, since=since, evidence_root=evidence_root)
        if progress:
            progress(f"detector {det.name}: evaluating")
        results = list(det.evaluate(ctx))
        det_stats = det.finalize()
        stats[det.name] = {"version": det.version, **jsonable(det_stats)}
        counters[det.name] = _store(session, det.name, results, run, now)
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


RECORD_KIND_OF_SUBJECT = {
    "selection_notice": "dgts.selection_notice",
    "selection_result": "dgts.selection_result",
    "auction_notice": "dgts.auction_notice",
    "thads_notice": "thads.notice",
}
MAX_SOURCE_BLOBS = 8


def _record_of(subject_kind: str, subject_id: str) -> tuple[str, str] | None:
    if subject_kind == "lot":  # "<notice_kind>:<notice_id>:<lot_index>"
        parts = str(subject_id).split(":")
        if len(parts) >= 3 and parts[0] in RECORD_KIND_OF_SUBJECT:
            return RECORD_KIND_OF_SUBJECT[parts[0]], ":".join(parts[1:-1])
        return None
    kind = RECORD_KIND_OF_SUBJECT.get(subject_kind)
    return (kind, str(subject_id)) if kind else None


def source_blobs(session: Session, subject_kind: str, subject_id: str, cache: dict) -> list[str]:
    """SHA-256 of the raw responses behind the subject's latest snapshot: the proof an alert links to."""
    rec = _record_of(subject_kind, subject_id)
    if rec is None:
        return []
    if rec not in cache:
        from storage.models import RawResponse, Snapshot

        snap = session.scalar(select(Snapshot).where(Snapshot.record_kind == rec[0], Snapshot.record_key == rec[1])
                              .order_by(Snapshot.id.desc()).limit(1))
        ids = list(snap.raw_response_ids or [])[:MAX_SOURCE_BLOBS] if snap else []
        cache[rec] = list(session.scalars(select(RawResponse.sha256).where(RawResponse.id.in_(ids))
                                          .order_by(RawResponse.id))) if ids else []
    return cache[rec]


def _store(session: Session, detector: str, results: list[Result], run: DetectorRun, now: datetime) -> dict[str, int]:
    counts: Counter[str] = Counter()
    blob_cache: dict = {}
    existing = {
        f.fingerprint: f for f in session.scalars(select(Finding).where(Finding.detector == detector))
    }
    for r in results:
        counts[r.status] += 1
        fp = fingerprint(detector, r.rule, r.subject_kind, r.subject_id)
        finding = existing.get(fp)
        if r.status in STORED or (r.status == "not_applicable" and r.keep):
            ev = jsonable(r.evidence)
            blobs = source_blobs(session, r.subject_kind, r.subject_id, blob_cache)
            if blobs and "raw_sha256s" not in ev:
                ev["raw_sha256s"] = blobs
            ev_hash = evidence_hash(ev)
            if finding is None:
                finding = Finding(
                    fingerprint=fp, detector=detector, rule=r.rule, subject_kind=r.subject_kind,
                    subject_id=str(r.subject_id), first_seen=now,
                )
                session.add(finding)
                existing[fp] = finding
                counts["new"] += 1
            elif finding.resolved_at is not None:
                counts["reopened"] += 1
            finding.status = r.status
            finding.severity = r.severity
            finding.title = r.title
            finding.evidence = ev
            finding.evidence_hash = ev_hash
            finding.urls = list(r.urls)
            finding.legal_basis = r.legal_basis
            finding.owner_name = r.owner_name
            finding.province = r.province
            finding.last_seen = now
            finding.resolved_at = None
            finding.detector_run_id = run.id
        elif finding is not None and finding.resolved_at is None:
            finding.resolved_at = now
            finding.detector_run_id = run.id
            counts["resolved"] += 1
    session.flush()
    return dict(counts)
