"""The outbox on PostgreSQL: the ledger, the unique dedupe key under a race, the delivery claim, operator alerts."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from alert_fixtures import finding_factory, now, pg_db, settings_for  # noqa: F401  (fixtures)
import alerts.outbox as outbox
from alerts.operator import queue_operator_alert
from alerts.outbox import deliver, queue_alerts
from storage.models import Alert, AlertItem

pytestmark = pytest.mark.postgres

OFFICER = {"name": "Cán bộ Vĩnh Long", "email": "vl@thads.gov.vn", "provinces": ["vinh-long"]}


def test_queue_and_deliver_once(pg_db, settings_for, finding_factory, now, tmp_path):
    settings = settings_for(recipients=[OFFICER])
    with pg_db.factory() as s:
        f = finding_factory(s)
        finding_factory(s, severity="low")
        assert queue_alerts(s, settings, now)["finding"] == 1
        s.commit()
        assert queue_alerts(s, settings, now + dt.timedelta(days=1))["items"] == 0
        f.severity, f.evidence_hash = "high", "changed"
        assert queue_alerts(s, settings, now + dt.timedelta(days=1))["finding"] == 1
        s.commit()
    assert deliver(pg_db.factory, settings, now + dt.timedelta(days=1))["sent"] == 3
    assert deliver(pg_db.factory, settings, now + dt.timedelta(days=2))["sent"] == 0
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 3
    with pg_db.factory() as s:
        assert s.scalar(select(func.count(AlertItem.id))) == 6  # 3 findings-to-people x officer + monitor cc
        assert set(s.scalars(select(Alert.status))) == {"sent"}


def test_racing_run_is_refused_by_the_unique_key(pg_db, settings_for, finding_factory, now, monkeypatch):
    settings = settings_for(recipients=[OFFICER])
    with pg_db.factory() as s:
        finding_factory(s)
        queue_alerts(s, settings, now)
        s.commit()
    monkeypatch.setattr(outbox, "_latest_ledger", lambda session, ids: ({}, {i: 0 for i in ids}))
    with pg_db.factory() as s:
        with pytest.raises(IntegrityError):
            queue_alerts(s, settings, now)
            s.commit()
        s.rollback()
    with pg_db.factory() as s:
        assert s.scalar(select(func.count(Alert.id))) == 1


def test_operator_alert_once_a_day(pg_db, settings_for, now):
    settings = settings_for()
    with pg_db.factory() as s:
        assert queue_operator_alert(s, settings, "crawl_failed", "x", dedupe_key="k", now=now) is not None
        assert queue_operator_alert(s, settings, "crawl_failed", "x", dedupe_key="k", now=now) is None
