"""The daily job's detection scope: a full pass when one is due, else the records published since the earliest day
the crawl changed."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from detectors.registry import validate_detector_settings
from service.detect_scope import MAX_INCREMENTAL_DAYS, daily_detection_scope
from storage.db import session_scope, upgrade
from storage.models import AuctionNotice, ChangeEvent, CrawlRun, DetectorRun
from storage.timeutil import VN_TZ

NOW = datetime(2026, 11, 20, 6, 0, tzinfo=VN_TZ)
SETTINGS = validate_detector_settings({}, source="<test>")
SNAPSHOT = {name: s.model_dump(mode="json") for name, s in SETTINGS.items()}


@pytest.fixture()
def url(tmp_path: Path) -> str:
    u = f"sqlite:///{tmp_path / 'scope.sqlite'}"
    upgrade(u)
    return u


def detection(url: str, at: datetime, since: date | None = None, settings: dict | None = None,
              status: str = "complete") -> None:
    with session_scope(url) as s:
        s.add(DetectorRun(started_at=at, finished_at=at + timedelta(minutes=3), detectors=sorted(SETTINGS),
                          settings=settings if settings is not None else SNAPSHOT, stats={}, counters={},
                          status=status, since=since))


def crawl_changing(url: str, finished: datetime, *published: datetime | None) -> None:
    with session_scope(url) as s:
        run = CrawlRun(source="dgts", kind="auction", started_at=finished - timedelta(minutes=5),
                       finished_at=finished, status="complete")
        s.add(run)
        s.flush()
        for i, when in enumerate(published, start=1000 * run.id):
            s.add(AuctionNotice(id=i, property_name="Quyền sử dụng đất", published_at=when, status="active"))
            s.add(ChangeEvent(record_kind="dgts.auction_notice", record_key=str(i), run_id=run.id, event="NEW",
                              at=finished))


def scope(url: str, every: int = 7, now: datetime = NOW) -> tuple[date | None, str]:
    with session_scope(url) as s:
        return daily_detection_scope(s, SETTINGS, every, now)


def test_first_detection_is_a_full_pass(url: str) -> None:
    assert scope(url) == (None, "no complete full detection yet")
    detection(url, NOW - timedelta(days=1), status="failed")
    assert scope(url)[0] is None  # only a complete pass counts


def test_after_a_full_pass_only_records_published_since_the_earliest_changed_day(url: str) -> None:
    detection(url, NOW - timedelta(days=2))
    crawl_changing(url, NOW - timedelta(hours=1), NOW - timedelta(days=3), NOW - timedelta(days=1))
    since, reason = scope(url)
    assert since == (NOW - timedelta(days=4)).date()  # earliest changed publication day, minus one day
    assert reason.startswith("2 records changed")


def test_changes_before_the_last_detection_are_not_counted_again(url: str) -> None:
    crawl_changing(url, NOW - timedelta(days=3), NOW - timedelta(days=40))  # seen by the full pass below
    detection(url, NOW - timedelta(days=2))
    since, _ = scope(url)
    assert since == NOW.date() - timedelta(days=2)  # nothing changed: yesterday minus the margin


def test_a_full_pass_is_due_after_the_configured_days(url: str) -> None:
    detection(url, NOW - timedelta(days=7))
    since, reason = scope(url)
    assert since is None and "last full detection ran on" in reason
    detection(url, NOW - timedelta(days=1), since=date(2026, 11, 15))  # incremental runs do not reset it
    assert scope(url)[0] is None
    assert scope(url, every=8)[0] is not None


def test_changed_settings_an_old_or_undated_change_and_every_zero_force_a_full_pass(url: str) -> None:
    detection(url, NOW - timedelta(days=1), settings={**SNAPSHOT, "parcel_details": {"required": ["area_m2"]}})
    assert "settings changed" in scope(url)[1]
    detection(url, NOW - timedelta(hours=20))
    assert scope(url)[0] is not None
    assert scope(url, every=0) == (None, "incremental detection is off (schedule.full_detect_every_days = 0)")
    crawl_changing(url, NOW - timedelta(hours=2), NOW - timedelta(days=200))  # a replayed portal lives in the past
    assert scope(url)[0] == (NOW - timedelta(days=201)).date()
    crawl_changing(url, NOW - timedelta(hours=1), NOW - timedelta(days=MAX_INCREMENTAL_DAYS + 5), NOW)
    since, reason = scope(url)
    assert since is None and "over 90 days before the newest one" in reason
    crawl_changing(url, NOW - timedelta(minutes=30), None)
    since, reason = scope(url)
    assert since is None and "has no publication day" in reason
