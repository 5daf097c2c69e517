"""Extracts text from downloaded attachments (PDF, DOCX, DOC, scans through OCR) for the detectors.

Runs after ingest, over attachments whose bytes are in the evidence store and whose text is still pending. Each
file is parsed in a sandboxed child process with time and memory limits (``crawler.attachments``), so a bomb or a
malformed file costs one 'failed' row, never the run. THADS notices whose text came from attachments are
re-classified afterwards, because a scanned notice often says what it is only in its attachment.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable

from sqlalchemy import select

from crawler.attachments import extract_text
from storage import features
from storage.evidence import EvidenceError, EvidenceStore
from storage.kinds import NoticeKind, RecordKind
from storage.models import Attachment

log = logging.getLogger(__name__)


def extract_pending(session_factory: Callable, evidence: EvidenceStore, *, max_bytes: int, timeout_s: float,
                    ocr: bool, progress: Callable[[str], None] | None = None, limit: int | None = None) -> dict[str, int]:
    counts: Counter[str] = Counter()
    refresh: set[str] = set()
    with session_factory() as session:
        ids = list(session.scalars(select(Attachment.id).where(Attachment.text_status == "pending",
                                                               Attachment.sha256.is_not(None))
                                   .order_by(Attachment.id).limit(limit)))
    for n, att_id in enumerate(ids, 1):
        with session_factory() as session:
            att = session.get(Attachment, att_id)
            try:
                data = evidence.get(att.sha256)
            except EvidenceError as exc:
                att.text_status, att.error = "failed", str(exc)
                counts["failed"] += 1
                features.drop(session, att.notice_kind, [att.notice_key])
                continue
            result = extract_text(data, att.original_name or att.file_name, max_bytes=max_bytes,
                                  timeout_s=timeout_s, ocr=ocr)
            att.text = result.text or None
            att.text_status = result.status
            att.text_method = result.method
            att.error = result.error
            counts[result.status] += 1
            features.drop(session, att.notice_kind, [att.notice_key])  # its lots are read again with this text
            if att.notice_kind == NoticeKind.THADS_NOTICE and result.text:
                # In the same transaction as the text: a run killed after this commit must not leave the
                # notice classified without it (the attachment is no longer pending, nothing would redo it).
                session.flush()
                _reapply_thads_in(session, [att.notice_key])
                refresh.add(att.notice_key)
        if progress and (n % 20 == 0 or n == len(ids)):
            progress(f"attachments: {n}/{len(ids)} extracted")
    if refresh:
        counts["thads_reclassified"] = len(refresh)
    return dict(counts)


def reapply_thads(session_factory: Callable, keys: list[str]) -> None:
    """Rebuild THADS rows from their latest snapshot, now that attachment text is known."""
    with session_factory() as session:
        _reapply_thads_in(session, keys)


def _reapply_thads_in(session, keys: list[str]) -> None:
    from crawler.ingest import apply_document
    from storage.models import Snapshot
    from storage.timeutil import utcnow

    for key in keys:
        snap = session.scalar(select(Snapshot).where(Snapshot.record_kind == RecordKind.THADS_NOTICE,
                                                     Snapshot.record_key == key)
                              .order_by(Snapshot.id.desc()).limit(1))
        if snap is not None:
            apply_document(session, snap.document, at=utcnow())
