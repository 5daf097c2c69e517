"""Append-only snapshots and field-level change events for every portal record.

``observe`` records one captured document: a NEW record gets a snapshot and a NEW event; a changed content hash
gets a snapshot and one CHANGED event per field (plus SECOND_PUBLICATION, CORRECTION and WINDOW_CHANGED where they
apply); an unchanged document only moves ``last_seen``. ``mark_unlisted`` runs after a *complete* list pass and
turns absences into DELISTED, then REMOVED once a second complete pass misses the record and the detail confirms
it; ``check_failed`` records an access error, which is never counted as a removal.

The content hash ignores volatile fields: ``linkFile`` tokens (new on every fetch), URL slugs, simulator
bookkeeping, and the order of list-valued parts whose order the portal does not keep stable.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import ChangeEvent, CrawlRun, Record, Snapshot

VOLATILE_KEYS = frozenset({"linkFile", "slug", "_sim", "_fetched_at", "_urls"})
# Top-level document parts whose item order is not meaningful.
UNORDERED_PARTS = frozenset({"publish_history", "corrections", "attachments"})
# Fields whose change after publication matters to the premature-scoring detector.
WINDOW_FIELDS = frozenset({
    "list_item.receiveTimeStart", "list_item.receiveTimeEnd", "detail.fromDate", "detail.toDate",
    "list_item.aucRegTimeStart", "list_item.aucRegTimeEnd", "list_item.aucTime", "fields.window_start",
    "fields.window_end",
})
MAX_VALUE_CHARS = 20_000


def _strip_volatile(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_volatile(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [_strip_volatile(v) for v in value]
    return value


def stable_document(doc: dict[str, Any]) -> dict[str, Any]:
    """The document as hashed and diffed: volatile keys removed, unordered parts sorted."""
    out = _strip_volatile(doc)
    for part in UNORDERED_PARTS:
        if isinstance(out.get(part), list):
            out[part] = sorted(out[part], key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return out


def content_hash(doc: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(stable_document(doc), sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted paths to leaf values; list items are addressed by index (``property_info.0.propertyName``)."""
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(value, list):
        if not value:
            out[prefix] = []
        for i, v in enumerate(value):
            out.update(flatten(v, f"{prefix}.{i}" if prefix else str(i)))
    else:
        out[prefix] = value
    return out


def diff_documents(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    a, b = flatten(stable_document(old)), flatten(stable_document(new))
    return [(k, a.get(k), b.get(k)) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    s = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return s[:MAX_VALUE_CHARS]


@dataclass
class Observation:
    record: Record
    events: list[str] = field(default_factory=list)
    changed_fields: list[str] = field(default_factory=list)

    @property
    def is_new(self) -> bool:
        return "NEW" in self.events

    @property
    def is_changed(self) -> bool:
        return "CHANGED" in self.events


def observe(
    session: Session,
    doc: dict[str, Any],
    *,
    record_kind: str,
    record_key: str,
    run: CrawlRun | None,
    at: datetime,
    raw_response_ids: Iterable[int] = (),
    root_key: str | None = None,
    listed: bool = True,
) -> Observation:
    """Record one captured version of a record and emit its events."""
    digest = content_hash(doc)
    run_id = run.id if run else None
    record = session.scalar(
        select(Record).where(Record.record_kind == record_kind, Record.record_key == record_key)
    )

    def event(name: str, fld: str | None = None, old: Any = None, new: Any = None) -> None:
        session.add(ChangeEvent(record_kind=record_kind, record_key=record_key, run_id=run_id, event=name,
                                field=fld, old_value=_text(old), new_value=_text(new), at=at))
        obs.events.append(name)

    def snapshot() -> None:
        session.add(Snapshot(record_kind=record_kind, record_key=record_key, run_id=run_id, captured_at=at,
                             content_hash=digest, document=doc, raw_response_ids=list(raw_response_ids)))

    if record is None:
        record = Record(record_kind=record_kind, record_key=record_key, content_hash=digest, first_seen=at,
                        last_seen=at, last_listed_run=run_id if listed else None, status="active", missing_runs=0)
        session.add(record)
        obs = Observation(record)
        snapshot()
        event("NEW")
        if root_key and root_key != record_key:
            event("CORRECTION", "rootID", None, root_key)
        session.flush()
        return obs

    obs = Observation(record)
    if record.status in ("delisted", "removal_pending", "removed") and listed:
        event("REAPPEARED", "status", record.status, "active")
        record.status = "active"
        record.missing_runs = 0
    if record.content_hash != digest:
        previous = session.scalar(
            select(Snapshot).where(Snapshot.record_kind == record_kind, Snapshot.record_key == record_key)
            .order_by(Snapshot.id.desc()).limit(1)
        )
        changes = diff_documents(previous.document if previous else {}, doc)
        snapshot()
        for path, old, new in changes:
            event("CHANGED", path, old, new)
            obs.changed_fields.append(path)
            if (path.endswith("publishTime2") and old in (None, "") and new not in (None, "")
                    and "SECOND_PUBLICATION" not in obs.events):
                event("SECOND_PUBLICATION", path, old, new)
            if path in WINDOW_FIELDS:
                event("WINDOW_CHANGED", path, old, new)
        record.content_hash = digest
    record.last_seen = at
    if listed:
        record.last_listed_run = run_id
        record.missing_runs = 0
    session.flush()
    return obs


def check_failed(session: Session, *, record_kind: str, record_key: str, run: CrawlRun | None, at: datetime,
                 reason: str) -> None:
    """An access error on a record: logged, never treated as a removal."""
    session.add(ChangeEvent(record_kind=record_kind, record_key=record_key, run_id=run.id if run else None,
                            event="CHECK_FAILED", field=None, old_value=None, new_value=_text(reason), at=at))


def mark_unlisted(
    session: Session,
    *,
    record_kind: str,
    run: CrawlRun,
    seen_keys: set[str],
    in_scope: Iterable[str],
    at: datetime,
    confirm_gone=None,
) -> dict[str, int]:
    """After a complete list pass: DELISTED on the first miss, REMOVED on the second if the detail confirms.

    ``in_scope`` are the keys the pass could have listed (for a date-window pass, the records published in the
    window). ``confirm_gone(key)`` returns True (gone), False (still there) or None (could not check).
    """
    counts = {"delisted": 0, "removed": 0, "check_failed": 0}
    scope = set(in_scope) - seen_keys
    if not scope:
        return counts
    records = session.scalars(
        select(Record).where(Record.record_kind == record_kind, Record.record_key.in_(scope))
    ).all()
    for rec in records:
        if rec.status == "removed":
            continue
        if rec.status == "active":
            rec.status = "delisted"
            rec.missing_runs = 1
            session.add(ChangeEvent(record_kind=record_kind, record_key=rec.record_key, run_id=run.id,
                                    event="DELISTED", field="status", old_value="active", new_value="delisted", at=at))
            counts["delisted"] += 1
            continue
        rec.missing_runs += 1
        verdict = confirm_gone(rec.record_key) if confirm_gone else None
        if verdict is None:
            check_failed(session, record_kind=record_kind, record_key=rec.record_key, run=run, at=at,
                         reason="could not confirm removal (detail not checked or access error)")
            counts["check_failed"] += 1
        elif verdict:
            old = rec.status
            rec.status = "removed"
            session.add(ChangeEvent(record_kind=record_kind, record_key=rec.record_key, run_id=run.id,
                                    event="REMOVED", field="status", old_value=old, new_value="removed", at=at))
            counts["removed"] += 1
    session.flush()
    return counts
