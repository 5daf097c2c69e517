"""Quarantined list items: what the crawler could not store, and why (``quarantined_items``).

A listed item is either stored or quarantined here with its reason; a day or site pass counts as complete only
then. Items with a valid key are retried on every run until stored (``resolve``); ``due_for_alert`` names those
that stayed unreadable for N runs, so the operator hears about each once.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import QuarantinedItem

MAX_ITEM_CHARS = 200_000  # a list item bigger than this is kept as an excerpt, not as a retryable item
MAX_REASON_CHARS = 2_000


def malformed_key(list_name: str, item: Any) -> str:
    """A stable key for a list item that names no valid record: its list and a hash of its content."""
    text = json.dumps(item, sort_keys=True, ensure_ascii=False, default=repr)
    return f"malformed:{list_name[:60]}:{hashlib.sha256(text.encode()).hexdigest()[:32]}"


def excerpt(item: Any, limit: int = 500) -> str:
    text = json.dumps(item, ensure_ascii=False, default=repr)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quarantine(session: Session, *, source: str, record_kind: str, item_key: str, list_name: str, reason: str,
               run_id: int | None, at: datetime, retryable: bool, item: Any = None,
               url: str | None = None) -> tuple[QuarantinedItem, bool]:
    """Record (or update) one quarantined item; returns it and whether it is new or was resolved before.
    ``failed_runs`` counts each crawl run once."""
    row = session.scalar(select(QuarantinedItem).where(QuarantinedItem.record_kind == record_kind,
                                                       QuarantinedItem.item_key == item_key[:200]))
    stored_item = item if isinstance(item, dict) and len(json.dumps(item, default=repr)) <= MAX_ITEM_CHARS else None
    fresh = row is None or row.status != "open"
    if row is None:
        row = QuarantinedItem(source=source, record_kind=record_kind, item_key=item_key[:200], first_run_id=run_id,
                              first_seen=at, failed_runs=0)
        session.add(row)
    if row.status != "open":
        row.failed_runs, row.alerted_at, row.resolved_at = 0, None, None
    if row.last_run_id != run_id or fresh:
        row.failed_runs = (row.failed_runs or 0) + 1
    row.list_name = list_name[:100]
    row.retryable = retryable and (stored_item is not None or url is not None)
    row.reason = reason[:MAX_REASON_CHARS]
    row.item = stored_item if stored_item is not None else ({"excerpt": excerpt(item)} if item is not None else None)
    row.url = url if url is not None else row.url
    row.status = "open"
    row.last_run_id = run_id
    row.last_seen = at
    session.flush()
    return row, fresh


def resolve(session: Session, record_kind: str, item_key: str, at: datetime) -> bool:
    """The item was stored: close its quarantine row (if any)."""
    row = session.scalar(select(QuarantinedItem).where(QuarantinedItem.record_kind == record_kind,
                                                       QuarantinedItem.item_key == item_key,
                                                       QuarantinedItem.status == "open"))
    if row is None:
        return False
    row.status, row.resolved_at = "resolved", at
    return True


def open_retryable(session: Session, record_kind: str) -> list[QuarantinedItem]:
    """Open items of this kind the next run must fetch again."""
    return list(session.scalars(select(QuarantinedItem).where(
        QuarantinedItem.record_kind == record_kind, QuarantinedItem.status == "open",
        QuarantinedItem.retryable.is_(True)).order_by(QuarantinedItem.id)))


def open_keys(session: Session, record_kind: str) -> set[str]:
    return set(session.scalars(select(QuarantinedItem.item_key).where(
        QuarantinedItem.record_kind == record_kind, QuarantinedItem.status == "open")))


def due_for_alert(session: Session, after_runs: int) -> list[QuarantinedItem]:
    """Open items unreadable for at least ``after_runs`` runs that the operator was not told about yet."""
    return list(session.scalars(select(QuarantinedItem).where(
        QuarantinedItem.status == "open", QuarantinedItem.failed_runs >= after_runs,
        QuarantinedItem.alerted_at.is_(None)).order_by(QuarantinedItem.id)))
