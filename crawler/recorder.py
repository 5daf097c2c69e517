"""The crawl-side writer: raw responses to the evidence store, crawl-run bookkeeping, documents to ingest.

One ``CrawlRecorder`` per spider. It owns a database session for the run. Raw responses are committed as they
arrive (evidence first: even a crawl killed a moment later has its bytes), documents are ingested in their own
savepoints and committed in small batches (on PostgreSQL; on SQLite at once, see ``_tick``), and ``finish`` writes
the run's final status and counters, or "failed" with the reason when the database refuses them. An item that
cannot be stored is quarantined with its reason (``storage.quarantine``), and leaves quarantine once stored.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date, datetime
from typing import Any

from scrapy import Request
from scrapy.http import Response
from sqlalchemy import select

from crawler.ingest import ENVIRONMENT_ERRORS, document_problem, ingest_document
from storage.db import session_factory
from storage.evidence import EvidenceStore
from storage.history import check_failed, mark_unlisted
from storage import quarantine as quarantine_store
from storage.models import CrawlRun, QuarantinedItem, RawResponse, Record
from storage.timeutil import utcnow

log = logging.getLogger(__name__)

COMMIT_EVERY = 50


class CrawlRecorder:
    def __init__(self, db_url: str, evidence_root: str, *, source: str, kind: str, portal_url: str,
                 window_start: date | None = None, window_end: date | None = None, run_id: int | None = None,
                 allowed_hosts: frozenset[str] | None = None) -> None:
        self.source = source
        self.allowed_hosts = allowed_hosts
        self.evidence = EvidenceStore(evidence_root)
        self.session = session_factory(db_url)()
        # The spiders of one crawl share a process and its single reactor thread, each with its own connection.
        # SQLite lets one connection write at a time: a write transaction left open across callbacks makes the next
        # spider that writes wait for a commit that can only come from the thread it is blocking, and after the
        # busy timeout fail with "database is locked". So on SQLite no write outlives the call that made it.
        self._commit_every = 1 if self.session.get_bind().dialect.name == "sqlite" else COMMIT_EVERY
        self.counters: Counter[str] = Counter()
        self.errors: list[str] = []
        self.quarantined: list[str] = []  # items quarantined (or still unreadable) in this run, with their reason
        self._open_quarantine: dict[str, set[str]] = {}
        self._pending = 0
        if run_id is not None:
            self.run = self.session.get(CrawlRun, run_id)
        else:
            self.run = CrawlRun(source=source, kind=kind, window_start=window_start, window_end=window_end,
                                started_at=utcnow(), status="running", counters={}, complete_lists=[],
                                portal_url=portal_url)
            self.session.add(self.run)
        self.session.commit()
        self.run_id = self.run.id

    # ------------------------------------------------------------------ raw evidence

    def record_response(self, request: Request, response: Response) -> int:
        self.counters["requests"] += 1
        if response.status >= 400:
            self.counters[f"http_{response.status}"] += 1
        digest = self.evidence.put(response.body)
        ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1")[:200] or None
        row = RawResponse(run_id=self.run_id, url=response.url, method=request.method, status=response.status,
                          fetched_at=utcnow(), content_type=ctype, sha256=digest, size=len(response.body),
                          endpoint=request.meta.get("endpoint"), record_kind=request.meta.get("record_kind"),
                          record_key=request.meta.get("record_key"))
        self.session.add(row)
        self._commit()
        return row.id

    def record_failure(self, request: Request, exc: Exception) -> None:
        self.counters["network_errors"] += 1
        self.session.add(RawResponse(run_id=self.run_id, url=request.url, method=request.method, status=0,
                                     fetched_at=utcnow(), content_type=None, sha256=self.evidence.put(b""), size=0,
                                     endpoint=request.meta.get("endpoint"), record_kind=request.meta.get("record_kind"),
                                     record_key=request.meta.get("record_key"), error=f"{type(exc).__name__}: {exc}"[:2000]))
        self._commit()

    def store_blob(self, data: bytes) -> str:
        return self.evidence.put(data)

    # ------------------------------------------------------------------ records

    def known(self, record_kind: str, keys: list[str]) -> dict[str, Record]:
        if not keys:
            return {}
        rows = self.session.scalars(select(Record).where(Record.record_kind == record_kind,
                                                         Record.record_key.in_(keys)))
        return {r.record_key: r for r in rows}

    def seen_unchanged(self, record: Record, list_hash: str) -> None:
        record.last_seen = utcnow()
        record.last_listed_run = self.run_id
        record.missing_runs = 0
        record.list_hash = list_hash
        self.counters["unchanged"] += 1
        self._tick()

    def ingest(self, doc: dict[str, Any], raw_ids: list[int], list_hash: str | None = None) -> str | None:
        """Store one assembled document; returns None, or why the document could not be stored (the caller
        quarantines it). Failures of the machine (disk, database) propagate."""
        try:
            with self.session.begin_nested():
                res = ingest_document(self.session, doc, run=self.run, at=utcnow(), evidence=self.evidence,
                                      raw_response_ids=raw_ids, allowed_hosts=self.allowed_hosts)
                if list_hash is not None:
                    res.observation.record.list_hash = list_hash
                if res.record_key in self.open_quarantine(res.record_kind):
                    quarantine_store.resolve(self.session, res.record_kind, res.record_key, utcnow())
                    self._open_quarantine[res.record_kind].discard(res.record_key)
                    self.counters["quarantine_resolved"] += 1
        except ENVIRONMENT_ERRORS:  # the savepoint is rolled back; the session stays usable for the next one
            raise
        except Exception as exc:  # one document the parsers cannot take is quarantined, not the end of the run
            return f"cannot ingest: {document_problem(exc)}"
        obs = res.observation
        self.counters["new" if obs.is_new else "changed" if obs.is_changed else "unchanged"] += 1
        if "REAPPEARED" in obs.events:
            self.counters["reappeared"] += 1
        self._tick()
        return None

    def check_failed(self, record_kind: str, record_key: str, reason: str) -> None:
        check_failed(self.session, record_kind=record_kind, record_key=record_key, run=self.run, at=utcnow(),
                     reason=reason)
        self.counters["check_failed"] += 1
        self._tick()

    # ------------------------------------------------------------------ quarantine

    def open_quarantine(self, record_kind: str) -> set[str]:
        if record_kind not in self._open_quarantine:
            self._open_quarantine[record_kind] = quarantine_store.open_keys(self.session, record_kind)
        return self._open_quarantine[record_kind]

    def retry_queue(self, record_kind: str) -> list[QuarantinedItem]:
        """Items of earlier runs still unreadable: this run fetches them again."""
        return quarantine_store.open_retryable(self.session, record_kind)

    def quarantine(self, record_kind: str, item_key: str, list_name: str, reason: str, *, retryable: bool,
                   item: Any = None, url: str | None = None) -> None:
        """An item that is not stored in this run, recorded with its reason (a retryable one is fetched again on
        every later run until stored)."""
        if retryable:
            check_failed(self.session, record_kind=record_kind, record_key=item_key, run=self.run, at=utcnow(),
                         reason=reason)
        row, fresh = quarantine_store.quarantine(
            self.session, source=self.source, record_kind=record_kind, item_key=item_key, list_name=list_name,
            reason=reason, run_id=self.run_id, at=utcnow(), retryable=retryable, item=item, url=url)
        self.open_quarantine(record_kind).add(row.item_key)
        self.counters["quarantined"] += 1
        if retryable or fresh:  # a malformed item seen again was already reported with its reason
            self.quarantined.append(f"{record_kind} {item_key}: {reason}"[:600])
        log.warning("quarantined %s %s: %s", record_kind, item_key, reason)
        self._tick()

    def mark_unlisted(self, record_kind: str, seen: set[str], scope: list[str], verdicts: dict[str, bool | None]):
        counts = mark_unlisted(self.session, record_kind=record_kind, run=self.run, seen_keys=seen, in_scope=scope,
                               at=utcnow(), confirm_gone=lambda key: verdicts.get(key))
        self.counters["delisted"] += counts["delisted"]
        self.counters["removed"] += counts["removed"]
        self.counters["check_failed"] += counts["check_failed"]
        self._commit()

    def list_complete(self, list_name: str) -> None:
        self.run.complete_lists = sorted(set(self.run.complete_lists or []) | {list_name})
        self._tick()

    def error(self, message: str) -> None:
        log.warning(message)
        self.errors.append(message)
        self.counters["errors"] += 1

    def _tick(self) -> None:
        self._pending += 1
        if self._pending >= self._commit_every:
            self._commit()
            self._pending = 0

    def _commit(self) -> None:
        try:
            self.session.commit()
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        try:
            self.session.rollback()
        except Exception:  # the connection itself is gone: the next call reconnects
            log.exception("rollback failed")

    # ------------------------------------------------------------------ end of run

    def plan_lists(self, names: list[str]) -> None:
        self.run.planned_lists = sorted(set(names))
        self._commit()

    def finish(self, status: str, message: str | None = None) -> None:
        quarantined = [f"quarantined: {q}" for q in self.quarantined[:30]]
        msgs = [m for m in [message, *self.errors[:30], *quarantined] if m]
        try:
            self._write_end(status, "\n".join(msgs)[:10_000] if msgs else None)
        except ENVIRONMENT_ERRORS as exc:
            # Never leave the run "running": say it failed and why (its raw responses are stored; the next run's
            # window re-reads what this one could not record).
            log.error("crawl run %s: cannot record its end (%s): marking it failed", self.run_id, exc)
            why = f"the database refused the run's end: {document_problem(exc)}"
            try:
                self._write_end("failed", "\n".join([why, *msgs])[:10_000])
            except ENVIRONMENT_ERRORS:
                log.exception("crawl run %s: cannot mark it failed either", self.run_id)
                raise exc from None
        finally:
            self.session.close()

    def _write_end(self, status: str, message: str | None) -> None:
        if not self.session.is_active:  # a failed flush (e.g. in a spider's own query) left it unusable
            self._rollback()
        self.run = self.session.get(CrawlRun, self.run_id)
        self.run.status = status
        self.run.finished_at = utcnow()
        self.run.counters = dict(self.counters)
        self.run.message = message
        self._commit()

