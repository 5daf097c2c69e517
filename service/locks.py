"""Cross-process run locks: one row per lock name in ``job_locks``, with an expiry.

Acquiring is an atomic INSERT (the primary key makes a second holder fail); a lock whose ``expires_at`` has
passed is taken over with a conditional UPDATE, so exactly one contender wins either way. Release deletes the row
only when we still hold it. ``ttl_s`` must exceed the longest run: a holder that outlives its lock can be
overtaken (that is what makes a crashed holder recoverable). A holder on this same host whose process no longer
exists (killed with -9, power cut of a container) is taken over at once, without waiting for the expiry; a live
process with that pid, or a holder on another host, is always respected until the expiry.

``run_locked`` renews the lock while its function runs (every third of the TTL), so the lock covers the whole job
however long detection takes; only a holder that stopped renewing (killed, or on a dead machine) loses it.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from storage.db import get_engine
from storage.models import JobLock

log = logging.getLogger(__name__)


def new_holder() -> str:
    """An identity unique to this process and call: host, pid and a random part."""
    return f"{socket.gethostname()[:100]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _holder_is_dead(holder: str) -> bool:
    """True only when ``holder`` names a process of this host that is certainly gone."""
    parts = holder.rsplit(":", 2)  # new_holder(): host:pid:random
    if len(parts) != 3 or parts[0] != socket.gethostname()[:100] or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    if pid <= 1 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OSError):
        return False
    return False


def _utc(now: datetime | None) -> datetime:
    now = now or datetime.now(timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return now.astimezone(timezone.utc)


def acquire_lock(db_url: str, name: str, ttl_s: float, holder: str, *, now: datetime | None = None) -> bool:
    """Take the lock ``name`` for ``ttl_s`` seconds; False when someone else holds an unexpired lock."""
    now = _utc(now)
    expires = now + timedelta(seconds=ttl_s)
    engine = get_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(insert(JobLock).values(name=name, holder=holder, acquired_at=now, expires_at=expires))
        return True
    except IntegrityError:
        pass
    with engine.begin() as conn:
        taken = conn.execute(
            update(JobLock)
            .where(JobLock.name == name, JobLock.expires_at < now)
            .values(holder=holder, acquired_at=now, expires_at=expires)
        ).rowcount
        if taken != 1:
            current = conn.execute(select(JobLock.holder).where(JobLock.name == name)).scalar()
            if current is not None and _holder_is_dead(current):
                taken = conn.execute(
                    update(JobLock)
                    .where(JobLock.name == name, JobLock.holder == current)
                    .values(holder=holder, acquired_at=now, expires_at=expires)
                ).rowcount
    return taken == 1


def renew_lock(db_url: str, name: str, holder: str, ttl_s: float, *, now: datetime | None = None) -> bool:
    """Push the expiry of a lock we hold ``ttl_s`` into the future; False when it is no longer ours."""
    expires = _utc(now) + timedelta(seconds=ttl_s)
    with get_engine(db_url).begin() as conn:
        return conn.execute(update(JobLock).where(JobLock.name == name, JobLock.holder == holder)
                            .values(expires_at=expires)).rowcount == 1


def release_lock(db_url: str, name: str, holder: str) -> bool:
    """Drop the lock if ``holder`` still has it; False when it had expired and been taken over."""
    with get_engine(db_url).begin() as conn:
        return conn.execute(delete(JobLock).where(JobLock.name == name, JobLock.holder == holder)).rowcount == 1


def run_locked(db_url: str, name: str, ttl_s: float, func: Callable[[], object], *,
               now: Callable[[], datetime] | None = None) -> bool:
    """Run ``func()`` under the lock ``name``. Returns False, without running it, when the lock is held.
    The lock is released even when ``func`` raises (the exception propagates)."""
    holder = new_holder()
    if not acquire_lock(db_url, name, ttl_s, holder, now=now() if now else None):
        return False
    stop = threading.Event()

    def keep_renewing() -> None:
        while not stop.wait(max(ttl_s / 3, 0.2)):
            try:
                if not renew_lock(db_url, name, holder, ttl_s, now=now() if now else None):
                    log.error("lock %r was taken over while this run held it", name)
                    return
            except Exception:  # a database hiccup: try again at the next beat, the lock has time left
                log.exception("could not renew lock %r", name)

    renewer = threading.Thread(target=keep_renewing, name=f"lock-renewal-{name}", daemon=True)
    renewer.start()
    try:
        func()
    finally:
        stop.set()
        renewer.join(timeout=30)
        release_lock(db_url, name, holder)
    return True
