"""The persistent outbox: deciding what each recipient must be told, queueing it, and delivering it.

``queue_alerts`` reads open findings (and resolved ones a recipient was told about), routes them, compares each
with the ``alert_items`` ledger of what that recipient already received, and inserts ``alerts`` rows plus their
ledger rows in the caller's single transaction. A finding goes to a recipient again only when its severity rose,
its evidence hash changed, it came back after being resolved, or it was resolved (digest only). ``dedupe_key`` is
unique, so two concurrent queueing runs cannot both commit the same message.

``deliver`` drains due rows. Each attempt is first *claimed* with a conditional update that increments
``attempts`` (the row's version) and pushes ``next_attempt_at`` forward by the back-off, committed before the
message leaves; so two deliverers never send the same attempt, and a crash mid-send makes the row due again
after the back-off. A row is marked sent only after the server accepted the message (or its .eml file exists).
The one window left is a crash after the server's "250 OK" and before that commit: the message is then sent
again with the same Message-ID and Date, which receiving servers and mail clients use to drop duplicates.
"""

from __future__ import annotations

import logging
import smtplib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from alerts.compose import ComposedMessage, DigestEntry, compose_digest, compose_finding
from alerts.links import recipient_link
from alerts.operator import as_utc, new_message_id, queue_operator_alert, short_hash
from alerts.routing import Addressee, Route, Router
from alerts.settings import AlertSettings, AppSettings, alert_settings
from alerts.smtp_sender import SmtpTransport, TransportUnavailable, build_email, envelope_recipients, write_eml
from alerts.subject import Subject, describe
from detectors.base import SEVERITY_ORDER
from storage.models import Alert, AlertItem, CrawlRun, Finding
from storage.timeutil import local_date
from vntext.provinces import Province

log = logging.getLogger(__name__)

OPEN_STATUSES = ("flag", "insufficient")
IN_FLIGHT_PREFIX = "in flight:"
MAX_ERROR_CHARS = 2000
MAX_BACKOFF_S = 86_400.0
MAX_DIGEST_ENTRIES = 300  # a bigger backlog (first run on old data) drains over the following days


# ------------------------------------------------------------------------------------------------ queueing


def due_reason(finding: Finding | _FindingHead, last: AlertItem | _LedgerHead | None) -> str | None:
    """Why ``finding`` must be (re)sent to a recipient whose latest ledger row is ``last``; None = nothing new."""
    if finding.resolved_at is not None:
        return "resolved" if last is not None and last.reason != "resolved" else None
    if last is None:
        return "new"
    if last.reason == "resolved":
        return "reopened"
    if SEVERITY_ORDER.get(finding.severity, 0) > SEVERITY_ORDER.get(last.severity, 0):
        return "severity_up"
    if finding.evidence_hash != last.evidence_hash:
        return "new_evidence"
    return None


def is_immediate(finding: Finding | _FindingHead, reason: str, settings: AlertSettings) -> bool:
    return (reason != "resolved" and finding.status == "flag" and finding.resolved_at is None
            and finding.severity in settings.immediate_severities)


@dataclass
class _Digest:
    addressee: Addressee
    entries: list[DigestEntry] = field(default_factory=list)


@dataclass
class _Immediate:
    finding: Finding | _FindingHead  # the full row once the message is composed
    reason: str
    previous_severity: str | None
    province: Province | None
    to: list[Addressee] = field(default_factory=list)


def _digest_priority(entry: DigestEntry) -> tuple:
    f = entry.finding
    return (entry.reason == "resolved", f.status != "flag", -SEVERITY_ORDER.get(f.severity, 0), f.id)


@dataclass(slots=True)
class _LedgerHead:
    """What ``due_reason`` reads of a recipient's latest ledger row."""

    reason: str
    severity: str | None
    evidence_hash: str | None


@dataclass(slots=True)
class _FindingHead:
    """The columns routing and ``due_reason`` read. Every open finding is checked on every run (hundreds of
    thousands at national scale); the full row, evidence included, is loaded only for the messages composed."""

    id: int
    detector: str
    status: str
    severity: str
    evidence_hash: str | None
    resolved_at: datetime | None
    province: str | None
    owner_name: str | None


def _latest_ledger(session: Session, finding_ids: list[int]) -> tuple[dict[tuple[int, str], _LedgerHead],
                                                                        dict[int, int]]:
    latest: dict[tuple[int, str], _LedgerHead] = {}
    counts: dict[int, int] = defaultdict(int)
    for chunk_start in range(0, len(finding_ids), 500):
        chunk = finding_ids[chunk_start:chunk_start + 500]
        for finding_id, recipient, reason, severity, evidence_hash in session.execute(
                select(AlertItem.finding_id, AlertItem.recipient, AlertItem.reason, AlertItem.severity,
                       AlertItem.evidence_hash).where(AlertItem.finding_id.in_(chunk)).order_by(AlertItem.id)):
            latest[(finding_id, recipient.lower())] = _LedgerHead(reason, severity, evidence_hash)
            counts[finding_id] += 1
    return latest, counts


def _candidates(session: Session) -> list[_FindingHead]:
    alerted = select(AlertItem.finding_id)
    return [_FindingHead(*row) for row in session.execute(
        select(Finding.id, Finding.detector, Finding.status, Finding.severity, Finding.evidence_hash,
               Finding.resolved_at, Finding.province, Finding.owner_name).where(or_(
                   (Finding.resolved_at.is_(None)) & Finding.status.in_(OPEN_STATUSES),
                   (Finding.resolved_at.is_not(None)) & Finding.id.in_(alerted),
               )).order_by(Finding.id))]


def _full_findings(session: Session, ids: set[int]) -> dict[int, Finding]:
    out: dict[int, Finding] = {}
    ordered = sorted(ids)
    for i in range(0, len(ordered), 500):
        for f in session.scalars(select(Finding).where(Finding.id.in_(ordered[i:i + 500]))):
            out[f.id] = f
    return out


def _insert(session: Session, *, kind: str, to: Addressee, cc: list[str], composed: ComposedMessage,
            dedupe_key: str, now: datetime) -> Alert:
    alert = Alert(
        kind=kind, recipient=to.email, recipient_role=to.role, cc=cc, subject=composed.subject,
        message_id=new_message_id(), dedupe_key=dedupe_key, body_text=composed.body_text,
        body_html=composed.body_html, status="queued", attempts=0, next_attempt_at=now, created_at=now,
    )
    session.add(alert)
    session.flush()
    return alert


def _ledger(session: Session, alert: Alert, finding: Finding, reason: str, recipients: list[str]) -> int:
    for email in dict.fromkeys(r.lower() for r in recipients):
        session.add(AlertItem(alert_id=alert.id, finding_id=finding.id, recipient=email, severity=finding.severity,
                              evidence_hash=finding.evidence_hash, reason=reason))
    return len(set(r.lower() for r in recipients))


def link_hosts(session: Session, settings: AppSettings | AlertSettings) -> frozenset[str]:
    """Hosts whose links an e-mail may show as the portals': the configured portals and allowed hosts (the real
    portals when only ``[alerts]`` is given) plus the portal URLs our own crawls were pointed at (set by the
    operator, never by a portal)."""
    from crawler.hosts import PORTAL_HOSTS, allowed_hosts

    base = PORTAL_HOSTS if isinstance(settings, AlertSettings) else settings.allowed_hosts()
    crawled = session.scalars(select(CrawlRun.portal_url).where(CrawlRun.portal_url.is_not(None)).distinct())
    return base | allowed_hosts(crawled)


def queue_alerts(session: Session, settings: AppSettings | AlertSettings, now: datetime | None = None
                 ) -> dict[str, int]:
    """Compose and insert every message that is due: one per immediate finding (all its officers on one
    message: the first in To, the others and the monitor in Cc) and one digest per recipient and day.

    Each message links every finding to its page on the review site, signed for the message's recipient
    (``alerts.links``), and says who and what it concerns (``alerts.subject``).

    Everything is added to ``session`` and flushed; the caller commits (one transaction: the messages and the
    ledger rows land together or not at all). Returns counts: finding, digest, items, skipped_digests,
    deferred_items (digest entries beyond ``MAX_DIGEST_ENTRIES``, left for the next day) and immediate_overflow
    (findings past ``max_immediate_per_run`` that went to the digests instead)."""
    a = alert_settings(settings)
    web = WebSettings() if isinstance(settings, AlertSettings) else settings.web
    now = as_utc(now)
    today = local_date(now)
    router = Router(a)
    findings = _candidates(session)
    latest, ledger_counts = _latest_ledger(session, [f.id for f in findings])
    hosts = link_hosts(session, settings)

    immediate: dict[tuple[int, str, str | None], _Immediate] = {}
    digests: dict[str, _Digest] = {}
    routes: dict[tuple[str, str | None, str | None], Route] = {}
    for finding in findings:
        route_key = (finding.detector, finding.province, finding.owner_name)
        route = routes.get(route_key)
        if route is None:
            route = routes[route_key] = router.route(finding)
        for person in route.to:
            last = latest.get((finding.id, person.key))
            reason = due_reason(finding, last)
            if reason is None:
                continue
            previous = last.severity if last is not None else None
            if is_immediate(finding, reason, a):
                group = immediate.setdefault((finding.id, reason, previous),
                                             _Immediate(finding, reason, previous, route.province))
                group.to.append(person)
            else:
                digests.setdefault(person.key, _Digest(person)).entries.append(
                    DigestEntry(finding, reason, previous, route.province))

    counts = {"finding": 0, "digest": 0, "items": 0, "skipped_digests": 0, "deferred_items": 0,
              "immediate_overflow": 0}
    groups = sorted(immediate.values(), key=lambda g: (-SEVERITY_ORDER.get(g.finding.severity, 0), -g.finding.id))
    for group in groups[a.max_immediate_per_run:]:  # a flood (first run on old data): to the digests
        counts["immediate_overflow"] += 1
        for person in group.to:
            digests.setdefault(person.key, _Digest(person)).entries.append(
                DigestEntry(group.finding, group.reason, group.previous_severity, group.province))
    sent = groups[:a.max_immediate_per_run]
    digest_keys = {person: f"digest:{today.isoformat()}:{short_hash(person)}" for person in digests}
    already_sent = {person for person, key in digest_keys.items()
                    if session.scalar(select(Alert.id).where(Alert.dedupe_key == key)) is not None}
    shown_of = {person: sorted(d.entries, key=_digest_priority)[:MAX_DIGEST_ENTRIES]
                for person, d in digests.items() if person not in already_sent}
    full = _full_findings(session, {g.finding.id for g in sent} | {e.finding.id for es in shown_of.values() for e in es})
    subjects: dict[int, Subject] = {}

    def subject_of(f: Finding) -> Subject:
        if f.id not in subjects:
            subjects[f.id] = describe(session, f)
        return subjects[f.id]
    for group in sorted(sent, key=lambda g: g.finding.id):
        f = group.finding = full[group.finding.id]
        first, others = group.to[0], group.to[1:]
        cc = [p.email for p in others] + list(router.cc_for(group.to))
        seq = ledger_counts[f.id]
        key = "finding:%d:%s" % (f.id, short_hash(
            "|".join([group.reason, f.severity, f.evidence_hash, str(seq), *sorted(p.key for p in group.to)])))
        composed = compose_finding(f, group.reason, previous_severity=group.previous_severity,
                                   province=group.province, subject=subject_of(f),
                                   link=recipient_link(web, f.id, first.email), allowed_hosts=hosts)
        alert = _insert(session, kind="finding", to=first, cc=cc, composed=composed, dedupe_key=key, now=now)
        counts["items"] += _ledger(session, alert, f, group.reason, [first.email, *cc])
        ledger_counts[f.id] += 1
        counts["finding"] += 1

    for digest in digests.values():
        person = digest.addressee
        key = digest_keys[person.key]
        if person.key in already_sent:
            counts["skipped_digests"] += 1  # today's digest went out already; these entries wait for tomorrow
            continue
        cc = list(router.cc_for([person]))
        shown = [DigestEntry(full[e.finding.id], e.reason, e.previous_severity, e.province,
                             subject_of(full[e.finding.id]), recipient_link(web, e.finding.id, person.email))
                 for e in shown_of[person.key]]
        later = len(digest.entries) - MAX_DIGEST_ENTRIES
        composed = compose_digest(person.name, shown, today, deferred=max(later, 0), allowed_hosts=hosts,
                                  link_days=web.link_lifetime_days)
        alert = _insert(session, kind="digest", to=person, cc=cc, composed=composed, dedupe_key=key, now=now)
        counts["deferred_items"] += max(later, 0)
        for entry in shown:
            counts["items"] += _ledger(session, alert, entry.finding, entry.reason, [person.email, *cc])
        counts["digest"] += 1
    session.flush()
    return counts


# ------------------------------------------------------------------------------------------------ delivery


def backoff(settings: AlertSettings, attempt: int) -> timedelta:
    """Delay after the ``attempt``-th attempt: retry_base_s, doubling each time, at most a day."""
    return timedelta(seconds=min(settings.retry_base_s * (2 ** max(attempt - 1, 0)), MAX_BACKOFF_S))


class _FileTransport:
    """Outbox / dry-run mode: each message becomes ``<outbox_dir>/<message-id>.eml``."""

    def __init__(self, outbox_dir: str) -> None:
        self.outbox_dir = outbox_dir

    def send(self, message_id: str, recipients: list[str], data: bytes) -> dict:
        write_eml(self.outbox_dir, message_id, data)
        return {}

    def reset(self) -> None:
        pass

    def close(self) -> None:
        pass


def _fail(session: Session, settings: AppSettings | AlertSettings, alert: Alert, error: str, now: datetime) -> str:
    a = alert_settings(settings)
    alert.last_error = error[:MAX_ERROR_CHARS]
    if alert.attempts < a.max_attempts:
        alert.next_attempt_at = now + backoff(a, alert.attempts)
        return "retry"
    alert.status = "failed"
    alert.next_attempt_at = None
    if alert.kind == "operator":
        log.error("operator alert %s failed after %d attempts: %s", alert.message_id, alert.attempts, error)
    else:
        queue_operator_alert(
            session, settings, "delivery_failed",
            f"Thư gửi {alert.recipient} không gửi được sau {alert.attempts} lần thử",
            {"message_id": alert.message_id, "subject": alert.subject, "recipient": alert.recipient,
             "attempts": alert.attempts, "last_error": error[:500]},
            f"delivery_failed:{alert.message_id}", now=now)
    return "failed"


def _deliver_one(session_factory: Callable[[], Session], settings: AppSettings | AlertSettings, alert_id: int,
                 now: datetime, transport) -> str:
    a = alert_settings(settings)
    with session_factory() as session:
        alert = session.get(Alert, alert_id)
        if alert is None or alert.status != "queued":
            return "skipped"
        if alert.attempts >= a.max_attempts:  # the last attempt was interrupted; its outcome is unknown
            outcome = _fail(session, settings, alert, alert.last_error or "interrupted", now)
            session.commit()
            return outcome
        data = build_email(alert, a.from_address).as_bytes()
        message_id, recipients, seen = alert.message_id, envelope_recipients(alert), alert.attempts
        claimed = session.execute(
            update(Alert)
            .where(Alert.id == alert_id, Alert.status == "queued", Alert.attempts == seen)
            .values(attempts=seen + 1, next_attempt_at=now + backoff(a, seen + 1),
                    last_error=f"{IN_FLIGHT_PREFIX} attempt {seen + 1} started {now.isoformat()}")
            .execution_options(synchronize_session=False)
        ).rowcount
        session.commit()
        if claimed != 1:
            return "skipped"  # another deliverer took this attempt

    try:
        refused = transport.send(message_id, recipients, data)
    except TransportUnavailable as exc:
        error, unavailable = str(exc), True
    except (smtplib.SMTPException, OSError) as exc:
        error, unavailable = f"{type(exc).__name__}: {exc}", False
    else:
        with session_factory() as session:
            alert = session.get(Alert, alert_id)
            alert.status = "sent"
            alert.sent_at = now
            alert.next_attempt_at = None
            alert.last_error = (f"refused by the server for: {', '.join(sorted(refused))}"[:MAX_ERROR_CHARS]
                                if refused else None)
            session.commit()
        return "sent"

    with session_factory() as session:
        alert = session.get(Alert, alert_id)
        outcome = _fail(session, settings, alert, error, now)
        session.commit()
    return "unavailable" if unavailable and outcome == "retry" else outcome


def deliver(session_factory: Callable[[], Session], settings: AppSettings | AlertSettings, now: datetime | None = None,
            *, dry_run: bool = False, limit: int | None = None) -> dict[str, int]:
    """Send every queued message whose ``next_attempt_at`` has come (operator messages first).

    ``alerts.mode = "smtp"`` sends through ``[alerts.smtp]``; ``"outbox"`` or ``dry_run=True`` writes .eml files
    to ``alerts.outbox_dir`` instead and marks them sent. When the server cannot be reached the batch stops
    (the rest stay queued, untouched). Returns counts: sent, retry, failed, skipped, deferred."""
    a = alert_settings(settings)
    now = as_utc(now)
    transport = (_FileTransport(a.outbox_dir) if dry_run or a.mode == "outbox"
                 else SmtpTransport(a.smtp, a.from_address))
    with session_factory() as session:
        query = (select(Alert.id)
                 .where(Alert.status == "queued", or_(Alert.next_attempt_at.is_(None), Alert.next_attempt_at <= now))
                 .order_by((Alert.kind != "operator"), Alert.id))
        if limit is not None:
            query = query.limit(limit)
        ids = list(session.scalars(query))
    counts = {"sent": 0, "retry": 0, "failed": 0, "skipped": 0, "deferred": 0}
    try:
        for index, alert_id in enumerate(ids):
            outcome = _deliver_one(session_factory, settings, alert_id, now, transport)
            if outcome == "unavailable":
                counts["retry"] += 1
                counts["deferred"] += len(ids) - index - 1
                break
            counts[outcome] += 1
    finally:
        transport.close()
    return counts
