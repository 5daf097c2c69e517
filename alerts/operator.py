"""Alerts for the operator (not the inspectorate): portal blocked, crawl failed or incomplete, a notice that stays
unreadable, no new records, delivery failed.

Each goes to ``alerts.operator_email`` through the same outbox, at most once per dedupe key per Vietnamese
calendar day.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.compose import compose_operator
from alerts.settings import AlertSettings, AppSettings, alert_settings
from storage.models import Alert, CrawlRun, Record
from storage.quarantine import due_for_alert
from storage.timeutil import local_date, to_local, utcnow

SOURCES = ("dgts", "thads")


def as_utc(now: datetime | None) -> datetime:
    now = now or utcnow()
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return now.astimezone(timezone.utc)


def new_message_id() -> str:
    return f"<am-{uuid.uuid4()}@auction-monitor>"


def short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def queue_operator_alert(session: Session, settings: AppSettings | AlertSettings, kind: str, message: str,
                         details: dict[str, Any] | None = None, dedupe_key: str | None = None, *,
                         now: datetime | None = None) -> Alert | None:
    """Queue one operator message; returns None when one with this dedupe key was already queued today.

    Added to ``session`` and flushed; the caller's transaction commits it."""
    a = alert_settings(settings)
    now = as_utc(now)
    day = local_date(now)
    key = f"operator:{kind[:40]}:{day.isoformat()}:{short_hash(dedupe_key or f'{kind}|{message}')}"
    if session.scalar(select(Alert.id).where(Alert.dedupe_key == key)) is not None:
        return None
    composed = compose_operator(kind, message, details, now)
    alert = Alert(
        kind="operator", recipient=a.operator_email, recipient_role="operator", cc=[], subject=composed.subject,
        message_id=new_message_id(), dedupe_key=key, body_text=composed.body_text, body_html=composed.body_html,
        status="queued", attempts=0, next_attempt_at=now, created_at=now,
    )
    session.add(alert)
    session.flush()
    return alert


def alert_for_crawl_run(session: Session, settings: AppSettings | AlertSettings, run: CrawlRun, *,
                        now: datetime | None = None) -> Alert | None:
    """Tell the operator about a crawl run that ended blocked, failed or partial (nothing for a complete one)."""
    if run.status not in ("blocked", "failed", "partial"):
        return None
    kind = {"blocked": "portal_blocked", "failed": "crawl_failed", "partial": "crawl_incomplete"}[run.status]
    text = {"blocked": f"Cổng {run.source} chặn truy cập trong lần thu thập #{run.id}",
            "failed": f"Lần thu thập #{run.id} từ nguồn {run.source} thất bại",
            "partial": f"Lần thu thập #{run.id} từ nguồn {run.source} ({run.kind}) chưa đầy đủ: "
                       f"phần còn thiếu sẽ được thu thập lại ở lần sau"}[run.status]
    details = {"run_id": run.id, "source": run.source, "kind": run.kind, "started_at": run.started_at,
               "finished_at": run.finished_at, "message": (run.message or "")[:1000],
               "counters": run.counters or {}}
    return queue_operator_alert(session, settings, kind, text, details, f"{kind}:{run.source}", now=now)


def alert_unreadable_items(session: Session, settings: AppSettings, *, now: datetime | None = None) -> list[Alert]:
    """One alert per quarantined item that stayed unreadable for ``crawl.unreadable_alert_after_runs`` runs,
    naming it; each item is reported once (``alerted_at``)."""
    now = as_utc(now)
    queued: list[Alert] = []
    for item in due_for_alert(session, settings.crawl.unreadable_alert_after_runs):
        message = (f"Thông báo {item.record_kind} {item.item_key} không đọc được sau {item.failed_runs} lần thu thập"
                   if item.retryable else
                   f"Mục danh sách {item.record_kind} không hợp lệ, bị cách ly sau {item.failed_runs} lần thu thập")
        details = {"record_kind": item.record_kind, "item_key": item.item_key, "list": item.list_name,
                   "reason": item.reason, "failed_runs": item.failed_runs, "first_seen": to_local(item.first_seen),
                   "last_seen": to_local(item.last_seen), "retried_every_run": item.retryable}
        alert = queue_operator_alert(session, settings, "notice_unreadable", message, details,
                                     f"notice_unreadable:{item.record_kind}:{item.item_key}", now=now)
        item.alerted_at = now
        if alert is not None:
            queued.append(alert)
    return queued


def check_no_new_records(session: Session, settings: AppSettings | AlertSettings, *,
                         now: datetime | None = None) -> list[Alert]:
    """Queue a ``no_new_records`` alert for each crawled source whose newest record is older than
    ``alerts.no_new_records_days`` days (a portal that silently returns nothing looks like a quiet day)."""
    a = alert_settings(settings)
    now = as_utc(now)
    limit = now - timedelta(days=a.no_new_records_days)
    queued: list[Alert] = []
    for source in SOURCES:
        crawled = session.scalar(select(func.max(CrawlRun.started_at)).where(CrawlRun.source == source))
        if crawled is None:
            continue
        newest = session.scalar(select(func.max(Record.first_seen)).where(Record.record_kind.like(f"{source}.%")))
        if newest is not None and as_utc(newest) >= limit:
            continue
        message = f"Nguồn {source} không có bản ghi mới trong {a.no_new_records_days} ngày"
        details = {"source": source, "newest_record_first_seen": to_local(newest) if newest else None,
                   "last_crawl_started_at": to_local(crawled), "days": a.no_new_records_days}
        alert = queue_operator_alert(session, settings, "no_new_records", message, details,
                                     f"no_new_records:{source}", now=now)
        if alert is not None:
            queued.append(alert)
    return queued
