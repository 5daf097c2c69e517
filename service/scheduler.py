"""The daily schedule (``[schedule]``): APScheduler 3 with a cron trigger, a persistent job store and a
cross-process lock.

The job lives in ``apscheduler_jobs`` in the project database (``SQLAlchemyJobStore``), so a run missed while
the service was down is known after a restart: missed runs are coalesced into one (``coalesce=True``), which
still runs when it is less than ``misfire_grace_s`` late. ``max_instances=1`` stops overlap inside one process and
the ``job_locks`` row (``service.locks``) stops it across processes, e.g. a manual ``run`` while the service runs.

The stored job is referenced by text ("module:function"), so ``job_func`` must be an importable module-level
function and its arguments picklable. APScheduler pickles the arguments into ``apscheduler_jobs``, a table analysts
can read: they never include the database URL (it may hold a password). The running scheduler keeps the URL in
memory (``runtime_db_url``) and the job finds it there at run time.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.util import obj_to_ref, ref_to_obj
from pydantic import Field, field_validator
from sqlalchemy import inspect, select

from service.locks import run_locked
from storage.db import get_engine, normalize_url
from storage.settings import Section

log = logging.getLogger(__name__)

JOB_ID = "daily"
LOCK_NAME = "daily"
JOBS_TABLE = "apscheduler_jobs"

_runtime: dict[str, str] = {}  # the database URL of this process's scheduler; never written to the job store


class ScheduleSettings(Section):
    cron: str = Field("0 6 * * *", description="When the daily job runs (crontab fields: minute hour day month weekday).")
    timezone: str = Field("Asia/Ho_Chi_Minh", description="Time zone of the cron expression.")
    misfire_grace_s: int = Field(3600, ge=1, le=86_400, description="A run missed by less than this still runs.")
    lock_ttl_s: int = Field(6 * 3600, ge=60, le=86_400, description="A run lock older than this is considered abandoned.")
    full_detect_every_days: int = Field(
        7, ge=0, le=366,
        description="The daily job runs a full detection pass when the last one is this many days old (or the "
                    "detector settings changed), and otherwise re-evaluates only the records published since the "
                    "earliest day the crawl changed; 0 = a full pass every day.")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(f"unknown time zone {v!r} (an IANA name such as Asia/Ho_Chi_Minh)") from None
        return v

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, v: str) -> str:
        try:
            daily_trigger(ScheduleSettings.model_construct(cron=v, timezone="UTC"))
        except (ValueError, TypeError, KeyError) as exc:
            raise ValueError(f"not a crontab expression (minute hour day month weekday): {v!r}: {exc}") from None
        return v


def runtime_db_url() -> str:
    """The database URL the running scheduler was started with."""
    try:
        return _runtime["db_url"]
    except KeyError:
        raise RuntimeError("no scheduler is running in this process: the job does not know its database") from None


class HasSchedule(Protocol):
    """The composed configuration (``service.config.Settings``), which holds ``[schedule]``."""

    schedule: ScheduleSettings


def schedule_settings(settings: HasSchedule | ScheduleSettings) -> ScheduleSettings:
    """Accept the whole configuration or just its ``[schedule]`` section."""
    return settings if isinstance(settings, ScheduleSettings) else settings.schedule


_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # crontab numbering: 0 (or 7) = Sunday


def _crontab_day(token: str) -> int:
    token = token.strip().lower()
    if token[:3] in _DAY_NAMES and not token.isdigit():
        return _DAY_NAMES.index(token[:3])
    day = int(token)
    if not 0 <= day <= 7:
        raise ValueError(f"weekday {token!r} out of range 0-7")
    return day % 7


def crontab_weekdays(field: str) -> str:
    """A crontab weekday field ("1-5", "0,6", "*/2", "mon-fri") as APScheduler day names.

    APScheduler 3 numbers weekdays from Monday = 0, so "1-5" passed through unchanged would mean Tuesday to
    Saturday; crontab (and the configuration's documentation) means Monday to Friday."""
    if field.strip() == "*":
        return "*"
    days: set[int] = set()
    for part in field.split(","):
        rng, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError(f"bad step in weekday field {field!r}")
        if rng.strip() == "*":
            first, last = 0, 6
        elif "-" in rng:
            a, b = rng.split("-", 1)
            first, last = _crontab_day(a), _crontab_day(b)
            if b.strip() == "7":
                last = 7
            if last < first:
                raise ValueError(f"bad weekday range {rng!r}")
        else:
            first = last = _crontab_day(rng)
        days.update(d % 7 for d in range(first, last + 1, step))
    return ",".join(_DAY_NAMES[d] for d in sorted(days))


def daily_trigger(settings: HasSchedule | ScheduleSettings) -> CronTrigger:
    """The cron trigger of ``schedule.cron`` (minute hour day month weekday, crontab meaning) in
    ``schedule.timezone``."""
    s = schedule_settings(settings)
    fields = s.cron.split()
    if len(fields) != 5:
        raise ValueError(f"schedule.cron: expected 5 fields (minute hour day month weekday), got {s.cron!r}")
    minute, hour, day, month, weekday = fields
    return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=crontab_weekdays(weekday),
                       timezone=ZoneInfo(s.timezone))


def run_scheduled_job(lock_name: str, ttl_s: float, func_ref: str, args: tuple = (),
                      kwargs: dict[str, Any] | None = None) -> bool:
    """What the job store calls: resolve ``func_ref`` and run it under the cross-process lock, on the database of
    the running scheduler."""
    func = ref_to_obj(func_ref)
    ran = run_locked(runtime_db_url(), lock_name, ttl_s, lambda: func(*args, **(kwargs or {})))
    if not ran:
        log.warning("scheduled job %s skipped: lock %r is held by another run", func_ref, lock_name)
    return ran


def _stored_next_run(db_url: str) -> datetime | None:
    """``next_run_time`` of the stored daily job, read before the scheduler starts (None if absent)."""
    engine = get_engine(db_url)
    if not inspect(engine).has_table(JOBS_TABLE):
        return None
    table = SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE).jobs_t
    with engine.connect() as conn:
        value = conn.execute(select(table.c.next_run_time).where(table.c.id == JOB_ID)).scalar()
    return datetime.fromtimestamp(value, timezone.utc) if value is not None else None


def build_scheduler(settings: HasSchedule | ScheduleSettings, db_url: str, job_func: Callable[..., Any], *,
                    job_args: tuple = (), job_kwargs: dict[str, Any] | None = None,
                    scheduler_cls: type[BaseScheduler] = BackgroundScheduler, executor: Any = None,
                    now: datetime | None = None) -> BaseScheduler:
    """A (not yet started) scheduler with the daily job installed in the persistent job store.

    A stored job whose next run lies in the past keeps that time, so the missed run is coalesced and run on
    start if within the grace time; otherwise the next run is computed from the (possibly changed) cron."""
    s = schedule_settings(settings)
    url = normalize_url(db_url)
    _runtime["db_url"] = url
    tz = ZoneInfo(s.timezone)
    trigger = daily_trigger(s)
    options: dict[str, Any] = {
        "jobstores": {"default": SQLAlchemyJobStore(engine=get_engine(url), tablename=JOBS_TABLE)},
        "job_defaults": {"coalesce": True, "misfire_grace_time": s.misfire_grace_s, "max_instances": 1},
        "timezone": tz,
    }
    if executor is not None:
        options["executors"] = {"default": executor}
    scheduler = scheduler_cls(**options)
    now = (now or datetime.now(timezone.utc)).astimezone(tz)
    stored = _stored_next_run(url)
    extra: dict[str, Any] = {}
    if stored is not None and stored <= now:
        extra["next_run_time"] = stored.astimezone(tz)
    scheduler.add_job(
        run_scheduled_job, trigger=trigger, id=JOB_ID, name="auction-monitor daily run", replace_existing=True,
        args=(LOCK_NAME, float(s.lock_ttl_s), obj_to_ref(job_func), tuple(job_args), dict(job_kwargs or {})),
        coalesce=True, misfire_grace_time=s.misfire_grace_s, max_instances=1, **extra,
    )
    return scheduler


def serve(settings: HasSchedule | ScheduleSettings, db_url: str, job_func: Callable[..., Any], *, job_args: tuple = (),
          job_kwargs: dict[str, Any] | None = None, stop: threading.Event | None = None) -> None:
    """Run the schedule in the foreground until SIGINT/SIGTERM (or ``stop`` is set)."""
    stop = stop or threading.Event()
    scheduler = build_scheduler(settings, db_url, job_func, job_args=job_args, job_kwargs=job_kwargs)
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
    scheduler.start()
    job = scheduler.get_job(JOB_ID)
    log.info("scheduler started; next run at %s", job.next_run_time if job else None)
    try:
        stop.wait()
    finally:
        scheduler.shutdown(wait=True)
