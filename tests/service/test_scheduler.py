"""The daily schedule with a fake clock: cron fire times in Asia/Ho_Chi_Minh, coalescing of missed runs from the
persistent job store, misfire grace, and the cross-process lock (a second process is refused while one runs)."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import apscheduler.executors.base as executors_base
import apscheduler.schedulers.base as schedulers_base
import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED
from apscheduler.executors.debug import DebugExecutor
from sqlalchemy import select

from service.scheduler import ScheduleSettings
from service.locks import acquire_lock, release_lock, run_locked
from service.scheduler import JOB_ID, build_scheduler, daily_trigger
from storage.db import dispose_engines, get_engine
from storage.models import Base, JobLock

VN = ZoneInfo("Asia/Ho_Chi_Minh")
RUNS: list[str] = []


def record_run(tag: str) -> None:
    """The scheduled job: module level, so the persistent job store can reference it by name."""
    RUNS.append(tag)


@pytest.fixture()
def db_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'schedule.sqlite'}"
    Base.metadata.create_all(get_engine(url))
    RUNS.clear()
    yield url
    dispose_engines()


@pytest.fixture()
def fake_clock(monkeypatch):
    """Freeze APScheduler's notion of "now" (the scheduler loop and the misfire check) at a settable instant."""
    state = {"now": dt.datetime(2026, 7, 1, tzinfo=dt.timezone.utc)}

    class FakeDatetime(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            value = state["now"]
            return value.astimezone(tz) if tz else value.replace(tzinfo=None)

    monkeypatch.setattr(schedulers_base, "datetime", FakeDatetime)
    monkeypatch.setattr(executors_base, "datetime", FakeDatetime)
    return state


def start_and_process(scheduler) -> list[int]:
    """Start the scheduler, wait until its first pass over due jobs is over, shut it down; returns event codes."""
    events: list[int] = []
    done = threading.Event()

    def listener(event):
        events.append(event.code)
        done.set()

    scheduler.add_listener(listener, EVENT_JOB_EXECUTED | EVENT_JOB_MISSED | EVENT_JOB_ERROR)
    scheduler.start()
    done.wait(5)
    scheduler.shutdown(wait=True)
    return events


def test_next_fire_times_are_six_in_the_morning_vietnam_time():
    trigger = daily_trigger(ScheduleSettings())
    now = dt.datetime(2026, 7, 1, 5, 0, tzinfo=VN)
    fire = trigger.get_next_fire_time(None, now)
    fires = []
    for _ in range(3):
        fires.append(fire)
        fire = trigger.get_next_fire_time(fire, fire + dt.timedelta(seconds=1))
    assert [f.isoformat() for f in fires] == [
        "2026-07-01T06:00:00+07:00", "2026-07-02T06:00:00+07:00", "2026-07-03T06:00:00+07:00"]
    assert fires[0].astimezone(dt.timezone.utc).hour == 23  # the previous UTC day


def test_after_six_the_next_run_is_tomorrow():
    trigger = daily_trigger(ScheduleSettings())
    fire = trigger.get_next_fire_time(None, dt.datetime(2026, 7, 1, 6, 0, 1, tzinfo=VN))
    assert fire == dt.datetime(2026, 7, 2, 6, 0, tzinfo=VN)


def test_crontab_weekday_numbers_keep_their_crontab_meaning():
    from service.scheduler import crontab_weekdays

    assert crontab_weekdays("1-5") == "mon,tue,wed,thu,fri"
    assert crontab_weekdays("0,6") == crontab_weekdays("6-7") == "sun,sat"
    assert crontab_weekdays("*/2") == "sun,tue,thu,sat"
    assert crontab_weekdays("mon-wed") == "mon,tue,wed"
    assert crontab_weekdays("*") == "*"
    with pytest.raises(ValueError):
        crontab_weekdays("8")


def test_custom_cron_and_timezone():
    trigger = daily_trigger(ScheduleSettings(cron="30 21 * * 1-5", timezone="UTC"))
    fire = trigger.get_next_fire_time(None, dt.datetime(2026, 7, 4, 0, 0, tzinfo=dt.timezone.utc))  # Saturday
    assert fire == dt.datetime(2026, 7, 6, 21, 30, tzinfo=dt.timezone.utc)


def _install(db_url, settings, now):
    """First start of the service at ``now``: the job is stored with its next run time, then the process stops."""
    scheduler = build_scheduler(settings, db_url, record_run, job_args=("install",), now=now)
    scheduler.start(paused=True)
    next_run = scheduler.get_job(JOB_ID).next_run_time
    scheduler.shutdown(wait=False)
    return next_run


def test_missed_runs_over_several_days_coalesce_into_one(db_url, fake_clock):
    settings = ScheduleSettings(misfire_grace_s=3600)
    installed_at = dt.datetime(2026, 7, 1, 5, 0, tzinfo=VN)
    fake_clock["now"] = installed_at
    assert _install(db_url, settings, installed_at) == dt.datetime(2026, 7, 1, 6, 0, tzinfo=VN)

    back = dt.datetime(2026, 7, 5, 6, 20, tzinfo=VN)  # down for four scheduled runs, back 20 minutes late
    fake_clock["now"] = back
    scheduler = build_scheduler(settings, db_url, record_run, job_args=("run",), executor=DebugExecutor(), now=back)
    events = start_and_process(scheduler)
    assert events == [EVENT_JOB_EXECUTED] and RUNS == ["run"]

    scheduler = build_scheduler(settings, db_url, record_run, now=back)
    scheduler.start(paused=True)
    assert scheduler.get_job(JOB_ID).next_run_time == dt.datetime(2026, 7, 6, 6, 0, tzinfo=VN)
    scheduler.shutdown(wait=False)


def test_run_later_than_the_grace_time_is_skipped(db_url, fake_clock):
    settings = ScheduleSettings(misfire_grace_s=3600)
    fake_clock["now"] = dt.datetime(2026, 7, 1, 5, 0, tzinfo=VN)
    _install(db_url, settings, fake_clock["now"])

    back = dt.datetime(2026, 7, 3, 9, 0, tzinfo=VN)  # three hours after today's 06:00 run
    fake_clock["now"] = back
    scheduler = build_scheduler(settings, db_url, record_run, job_args=("late",), executor=DebugExecutor(), now=back)
    events = start_and_process(scheduler)
    assert events == [EVENT_JOB_MISSED] and RUNS == []


def test_run_within_the_grace_time_still_runs(db_url, fake_clock):
    settings = ScheduleSettings(misfire_grace_s=3 * 3600)
    fake_clock["now"] = dt.datetime(2026, 7, 1, 5, 0, tzinfo=VN)
    _install(db_url, settings, fake_clock["now"])
    back = dt.datetime(2026, 7, 1, 8, 59, tzinfo=VN)
    fake_clock["now"] = back
    scheduler = build_scheduler(settings, db_url, record_run, job_args=("graced",), executor=DebugExecutor(), now=back)
    assert start_and_process(scheduler) == [EVENT_JOB_EXECUTED] and RUNS == ["graced"]


def test_changed_cron_replaces_a_future_stored_run(db_url, fake_clock):
    fake_clock["now"] = dt.datetime(2026, 7, 1, 5, 0, tzinfo=VN)
    _install(db_url, ScheduleSettings(), fake_clock["now"])
    scheduler = build_scheduler(ScheduleSettings(cron="15 5 * * *"), db_url, record_run, now=fake_clock["now"])
    scheduler.start(paused=True)
    assert scheduler.get_job(JOB_ID).next_run_time == dt.datetime(2026, 7, 1, 5, 15, tzinfo=VN)
    scheduler.shutdown(wait=False)


def test_job_defaults_prevent_overlap_and_coalesce(db_url):
    scheduler = build_scheduler(ScheduleSettings(misfire_grace_s=900), db_url, record_run)
    scheduler.start(paused=True)
    job = scheduler.get_job(JOB_ID)
    assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 900)
    assert job.args[:2] == ("daily", float(ScheduleSettings().lock_ttl_s))
    assert db_url not in repr(job.args)  # the job store is readable by analysts: no database URL in it
    scheduler.shutdown(wait=False)


# ------------------------------------------------------------------------------------------------ locks


T0 = dt.datetime(2026, 7, 1, 0, 0, tzinfo=dt.timezone.utc)


def test_lock_is_exclusive_until_released(db_url):
    assert acquire_lock(db_url, "daily", 600, "a", now=T0)
    assert not acquire_lock(db_url, "daily", 600, "b", now=T0 + dt.timedelta(seconds=599))
    assert not release_lock(db_url, "daily", "b")  # only the holder can release
    assert release_lock(db_url, "daily", "a")
    assert acquire_lock(db_url, "daily", 600, "b", now=T0 + dt.timedelta(seconds=1))


def test_expired_lock_can_be_taken_over(db_url):
    assert acquire_lock(db_url, "daily", 600, "crashed", now=T0)
    assert acquire_lock(db_url, "daily", 600, "new", now=T0 + dt.timedelta(seconds=601))
    with get_engine(db_url).connect() as conn:
        assert conn.execute(select(JobLock.holder)).scalars().all() == ["new"]
    assert not release_lock(db_url, "daily", "crashed")


def test_locks_with_different_names_are_independent(db_url):
    assert acquire_lock(db_url, "daily", 600, "a", now=T0)
    assert acquire_lock(db_url, "deliver", 600, "b", now=T0)


def test_run_locked_releases_on_error(db_url):
    def boom():
        raise ValueError("job failed")

    with pytest.raises(ValueError):
        run_locked(db_url, "daily", 600, boom)
    assert run_locked(db_url, "daily", 600, lambda: RUNS.append("after"))
    assert RUNS == ["after"]


def _hold_lock(db_url: str, started: str, release: str) -> None:
    """Child process: run a job under the lock that lasts until the parent creates the ``release`` file."""
    import time

    def job():
        Path(started).touch()
        deadline = time.monotonic() + 30
        while not Path(release).exists() and time.monotonic() < deadline:
            time.sleep(0.02)

    run_locked(db_url, "daily", 600, job)


def test_second_process_is_refused_while_a_run_is_in_progress(db_url, tmp_path):
    started, release = tmp_path / "started", tmp_path / "release"
    child = multiprocessing.get_context("spawn").Process(target=_hold_lock, args=(db_url, str(started), str(release)))
    child.start()
    try:
        for _ in range(1500):
            if started.exists() or not child.is_alive():
                break
            threading.Event().wait(0.02)
        assert started.exists(), "the child process never took the lock"
        assert run_locked(db_url, "daily", 600, lambda: RUNS.append("overlap")) is False
        assert RUNS == []
    finally:
        release.touch()
        child.join(30)
    assert child.exitcode == 0
    assert run_locked(db_url, "daily", 600, lambda: RUNS.append("next")) is True
    assert RUNS == ["next"]


@pytest.mark.postgres
def test_lock_and_job_store_on_postgres(pg_url, fake_clock):
    Base.metadata.create_all(get_engine(pg_url))
    assert acquire_lock(pg_url, "daily", 600, "a", now=T0)
    assert not acquire_lock(pg_url, "daily", 600, "b", now=T0)
    assert acquire_lock(pg_url, "daily", 600, "b", now=T0 + dt.timedelta(seconds=601))
    assert release_lock(pg_url, "daily", "b")

    settings = ScheduleSettings()
    fake_clock["now"] = dt.datetime(2026, 7, 1, 5, 0, tzinfo=VN)
    _install(pg_url, settings, fake_clock["now"])
    fake_clock["now"] = back = dt.datetime(2026, 7, 4, 6, 5, tzinfo=VN)
    RUNS.clear()
    scheduler = build_scheduler(settings, pg_url, record_run, job_args=("pg",), executor=DebugExecutor(), now=back)
    assert start_and_process(scheduler) == [EVENT_JOB_EXECUTED] and RUNS == ["pg"]
    dispose_engines()


def test_serve_stores_the_job_and_stops_on_request(db_url):
    from service.config import Settings
    from service.scheduler import serve

    stop = threading.Event()
    worker = threading.Thread(target=serve, args=(Settings(), db_url, record_run), kwargs={"stop": stop})
    worker.start()
    stop.set()
    worker.join(10)
    assert not worker.is_alive()
    with get_engine(db_url).connect() as conn:
        from sqlalchemy import text

        assert conn.execute(text("SELECT id FROM apscheduler_jobs")).scalars().all() == [JOB_ID]
