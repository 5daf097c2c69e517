"""queue_alerts: immediate vs digest, the never-twice ledger, re-sends on severity rise and new evidence,
resolved and insufficient findings, one digest per day, atomicity; operator alerts."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from alert_fixtures import db, finding_factory, now, settings_for  # noqa: F401  (fixtures)
import alerts.outbox as outbox
from alerts.operator import alert_for_crawl_run, check_no_new_records, queue_operator_alert
from alerts.outbox import due_reason, queue_alerts
from storage.models import Alert, AlertItem, CrawlRun, Record

OFFICER = {"name": "Cán bộ Vĩnh Long", "email": "vl@thads.gov.vn", "provinces": ["vinh-long"]}


def alerts_of(session, kind=None):
    q = select(Alert).order_by(Alert.id)
    if kind:
        q = q.where(Alert.kind == kind)
    return list(session.scalars(q))


def test_high_finding_gets_its_own_mail_with_monitor_in_cc(db, settings_for, finding_factory, now):
    settings = settings_for(recipients=[OFFICER])
    with db.factory() as s:
        f = finding_factory(s)
        counts = queue_alerts(s, settings, now)
        s.commit()
        (alert,) = alerts_of(s)
        assert counts["finding"] == 1 and counts["digest"] == 0
        assert (alert.kind, alert.recipient, alert.cc) == ("finding", "vl@thads.gov.vn", ["monitor@localhost"])
        assert alert.status == "queued" and alert.attempts == 0
        assert alert.message_id.startswith("<am-") and alert.message_id.endswith("@auction-monitor>")
        items = {(i.finding_id, i.recipient, i.reason) for i in s.scalars(select(AlertItem))}
        assert items == {(f.id, "vl@thads.gov.vn", "new"), (f.id, "monitor@localhost", "new")}


def test_never_sent_twice_across_two_runs(db, settings_for, finding_factory, now):
    settings = settings_for(recipients=[OFFICER])
    with db.factory() as s:
        finding_factory(s)
        finding_factory(s, severity="low")
        first = queue_alerts(s, settings, now)
        s.commit()
        second = queue_alerts(s, settings, now + dt.timedelta(days=1))
        s.commit()
        assert (first["finding"], first["digest"]) == (1, 1)
        assert second == {"finding": 0, "digest": 0, "items": 0, "skipped_digests": 0, "deferred_items": 0,
                          "immediate_overflow": 0}
        assert len(alerts_of(s)) == 2


def test_resent_once_when_severity_rises(db, settings_for, finding_factory, now):
    settings = settings_for(recipients=[OFFICER], copy_monitor=False)
    with db.factory() as s:
        f = finding_factory(s, severity="medium")
        queue_alerts(s, settings, now)
        f.severity = "high"
        queue_alerts(s, settings, now + dt.timedelta(days=1))
        queue_alerts(s, settings, now + dt.timedelta(days=2))
        s.commit()
        digest, update = alerts_of(s)
        assert digest.kind == "digest" and update.kind == "finding"
        assert "Cập nhật: mức độ tăng từ trung bình lên cao" in update.body_text
        reasons = [i.reason for i in s.scalars(select(AlertItem).order_by(AlertItem.id))]
        assert reasons == ["new", "severity_up"]


def test_resent_once_on_new_evidence(db, settings_for, finding_factory, now):
    settings = settings_for(recipients=[OFFICER], copy_monitor=False)
    with db.factory() as s:
        f = finding_factory(s)
        queue_alerts(s, settings, now)
        f.evidence = {**f.evidence, "decision_date": "2026-06-17"}
        f.evidence_hash = "changed"
        queue_alerts(s, settings, now)
        queue_alerts(s, settings, now)
        s.commit()
        first, again = alerts_of(s)
        assert "Có bằng chứng mới" in again.body_text and "17/06/2026" in again.body_text
        assert first.dedupe_key != again.dedupe_key


def test_evidence_flip_back_is_resent_without_key_collision(db, settings_for, finding_factory, now):
    settings = settings_for(recipients=[OFFICER], copy_monitor=False)
    with db.factory() as s:
        f = finding_factory(s, evidence_hash="A")
        for h in ("B", "A", "B"):
            queue_alerts(s, settings, now)
            f.evidence_hash = h
        queue_alerts(s, settings, now)
        s.commit()
        assert len(alerts_of(s)) == 4


def test_severity_drop_alone_sends_nothing(db, settings_for, finding_factory, now):
    settings = settings_for(recipients=[OFFICER])
    with db.factory() as s:
        f = finding_factory(s)
        queue_alerts(s, settings, now)
        f.severity = "medium"
        assert queue_alerts(s, settings, now + dt.timedelta(days=1))["items"] == 0


def test_lower_severities_go_to_one_digest_per_recipient(db, settings_for, finding_factory, now):
    settings = settings_for(recipients=[OFFICER])
    with db.factory() as s:
        finding_factory(s, severity="medium")
        finding_factory(s, severity="low", detector="parcel_details", rule="missing_area")
        finding_factory(s, severity="low", province="ca-mau")  # unmatched -> monitor's own digest
        counts = queue_alerts(s, settings, now)
        s.commit()
        digests = alerts_of(s, "digest")
        assert counts["digest"] == 2 and counts["finding"] == 0
        officer = next(d for d in digests if d.recipient == "vl@thads.gov.vn")
        monitor = next(d for d in digests if d.recipient == "monitor@localhost")
        assert officer.cc == ["monitor@localhost"] and monitor.cc == []
        assert "2 phát hiện" in officer.subject and "1 phát hiện" in monitor.subject
        assert "Thiếu thông tin thửa đất" in officer.body_text and "Cà Mau" in monitor.body_text


def test_immediate_severities_are_configurable(db, settings_for, finding_factory, now):
    settings = settings_for(recipients=[OFFICER], immediate_severities=["medium", "high"])
    with db.factory() as s:
        finding_factory(s, severity="medium")
        assert queue_alerts(s, settings, now)["finding"] == 1


def test_insufficient_goes_only_to_the_digest_section(db, settings_for, finding_factory, now):
    settings = settings_for(recipients=[OFFICER])
    with db.factory() as s:
        finding_factory(s, status="insufficient", severity="high", title="Không đọc được tệp đính kèm")
        counts = queue_alerts(s, settings, now)
        s.commit()
        (digest,) = alerts_of(s)
        assert counts["finding"] == 0 and digest.kind == "digest"
        section = digest.body_text.index("CHƯA ĐỦ DỮ LIỆU ĐỂ KẾT LUẬN")
        assert digest.body_text.index("Không đọc được tệp đính kèm") > section


def test_resolved_finding_reported_once_in_digest_to_those_told(db, settings_for, finding_factory, now):
    settings = settings_for(recipients=[OFFICER], copy_monitor=False)
    with db.factory() as s:
        told = finding_factory(s)
        finding_factory(s, resolved_at=now, title="Chưa từng gửi")  # resolved before anyone was told
        queue_alerts(s, settings, now)
        told.resolved_at = now
        counts = queue_alerts(s, settings, now + dt.timedelta(days=1))
        again = queue_alerts(s, settings, now + dt.timedelta(days=2))
        s.commit()
        digest = alerts_of(s, "digest")[0]
        assert counts["digest"] == 1 and again["items"] == 0
        assert "KHÔNG CÒN VI PHẠM" in digest.body_text and told.title in digest.body_text
        assert "Chưa từng gửi" not in digest.body_text


def test_reopened_finding_is_sent_again(db, settings_for, finding_factory, now):
    settings = settings_for(recipients=[OFFICER], copy_monitor=False)
    with db.factory() as s:
        f = finding_factory(s)
        queue_alerts(s, settings, now)
        f.resolved_at = now
        queue_alerts(s, settings, now + dt.timedelta(days=1))
        f.resolved_at = None
        queue_alerts(s, settings, now + dt.timedelta(days=2))
        s.commit()
        assert [a.kind for a in alerts_of(s)] == ["finding", "digest", "finding"]
        assert "Phát hiện lại" in alerts_of(s)[-1].subject


def test_one_digest_per_day_rest_waits_for_tomorrow(db, settings_for, finding_factory, now):
    settings = settings_for(recipients=[OFFICER])
    with db.factory() as s:
        finding_factory(s, severity="low")
        queue_alerts(s, settings, now)
        late = finding_factory(s, severity="low", title="Đến muộn")
        same_day = queue_alerts(s, settings, now + dt.timedelta(hours=3))
        next_day = queue_alerts(s, settings, now + dt.timedelta(days=1))
        s.commit()
        assert same_day["skipped_digests"] == 1 and same_day["digest"] == 0
        assert next_day["digest"] == 1 and late.title in alerts_of(s, "digest")[-1].body_text


def test_oversized_digest_defers_the_rest_to_the_next_day(db, settings_for, finding_factory, now, monkeypatch):
    monkeypatch.setattr(outbox, "MAX_DIGEST_ENTRIES", 2)
    settings = settings_for(recipients=[OFFICER], copy_monitor=False)
    with db.factory() as s:
        low = finding_factory(s, severity="low", title="Mức thấp")
        finding_factory(s, severity="medium", title="Mức trung bình 1")
        finding_factory(s, severity="medium", title="Mức trung bình 2")
        first = queue_alerts(s, settings, now)
        second = queue_alerts(s, settings, now + dt.timedelta(days=1))
        s.commit()
        day1, day2 = alerts_of(s, "digest")
        assert first["deferred_items"] == 1 and "Còn 1 mục" in day1.body_text
        assert "Mức trung bình 1" in day1.body_text and low.title not in day1.body_text  # most severe first
        assert second["digest"] == 1 and low.title in day2.body_text


def test_several_officers_share_one_message(db, settings_for, finding_factory, now):
    second = {"name": "Phó phòng", "email": "vl2@thads.gov.vn", "provinces": ["Trà Vinh"]}
    settings = settings_for(recipients=[OFFICER, second])
    with db.factory() as s:
        f = finding_factory(s)
        queue_alerts(s, settings, now)
        s.commit()
        (alert,) = alerts_of(s)
        assert alert.recipient == "vl@thads.gov.vn" and alert.cc == ["vl2@thads.gov.vn", "monitor@localhost"]
        recipients = set(s.scalars(select(AlertItem.recipient).where(AlertItem.finding_id == f.id)))
        assert recipients == {"vl@thads.gov.vn", "vl2@thads.gov.vn", "monitor@localhost"}


def test_queueing_is_atomic(db, settings_for, finding_factory, now, monkeypatch):
    settings = settings_for(recipients=[OFFICER])
    with db.factory() as s:
        finding_factory(s)
        finding_factory(s, severity="low")
        s.commit()

    def broken(*args, **kwargs):
        raise RuntimeError("template failure")

    monkeypatch.setattr(outbox, "compose_digest", broken)
    with db.factory() as s, pytest.raises(RuntimeError):
        try:
            queue_alerts(s, settings, now)
            s.commit()
        except BaseException:
            s.rollback()
            raise
    with db.factory() as s:
        assert s.scalar(select(func.count(Alert.id))) == 0
        assert s.scalar(select(func.count(AlertItem.id))) == 0


def test_two_concurrent_runs_cannot_both_commit(db, settings_for, finding_factory, now, monkeypatch):
    settings = settings_for(recipients=[OFFICER])
    with db.factory() as s:
        finding_factory(s)
        queue_alerts(s, settings, now)
        s.commit()
    # A second run that read the ledger before the first committed composes the same messages ...
    monkeypatch.setattr(outbox, "_latest_ledger", lambda session, ids: ({}, {i: 0 for i in ids}))
    with db.factory() as s:
        with pytest.raises(IntegrityError):  # ... and the unique dedupe_key refuses them
            queue_alerts(s, settings, now)
            s.commit()
        s.rollback()
    with db.factory() as s:
        assert s.scalar(select(func.count(Alert.id))) == 1


def test_due_reason_rules():
    from storage.models import AlertItem as Item, Finding

    f = Finding(severity="high", evidence_hash="x", resolved_at=None)
    assert due_reason(f, None) == "new"
    assert due_reason(f, Item(severity="high", evidence_hash="x", reason="new")) is None
    assert due_reason(f, Item(severity="low", evidence_hash="x", reason="new")) == "severity_up"
    assert due_reason(f, Item(severity="high", evidence_hash="y", reason="new")) == "new_evidence"
    assert due_reason(f, Item(severity="high", evidence_hash="x", reason="resolved")) == "reopened"


# ------------------------------------------------------------------------------------------------ operator


def test_operator_alert_once_per_key_per_day(db, settings_for, now):
    settings = settings_for(operator_email="ops@example.vn")
    with db.factory() as s:
        a = queue_operator_alert(s, settings, "crawl_failed", "Thu thập thất bại", {"run_id": 1}, "crawl:dgts", now=now)
        b = queue_operator_alert(s, settings, "crawl_failed", "Thu thập thất bại", {"run_id": 2}, "crawl:dgts",
                                 now=now + dt.timedelta(hours=5))
        c = queue_operator_alert(s, settings, "crawl_failed", "Thu thập thất bại", {"run_id": 3}, "crawl:dgts",
                                 now=now + dt.timedelta(days=1))
        assert a is not None and b is None and c is not None
        assert a.recipient == "ops@example.vn" and a.kind == "operator"


def test_blocked_crawl_run_alerts_operator(db, settings_for, now):
    settings = settings_for()
    with db.factory() as s:
        run = CrawlRun(source="dgts", kind="incremental", started_at=now, status="blocked", message="HTTP 403")
        ok = CrawlRun(source="dgts", kind="incremental", started_at=now, status="complete")
        s.add_all([run, ok])
        s.flush()
        alert = alert_for_crawl_run(s, settings, run, now=now)
        assert alert is not None and "chặn truy cập" in alert.subject and "HTTP 403" in alert.body_text
        assert alert_for_crawl_run(s, settings, ok, now=now) is None


def test_no_new_records_alert(db, settings_for, now):
    settings = settings_for(no_new_records_days=2)
    with db.factory() as s:
        s.add(CrawlRun(source="dgts", kind="incremental", started_at=now, status="complete"))
        s.add(CrawlRun(source="thads", kind="incremental", started_at=now, status="complete"))
        s.add(Record(record_kind="dgts.auction_notice", record_key="1", content_hash="h",
                     first_seen=now - dt.timedelta(days=3), last_seen=now))
        s.add(Record(record_kind="thads.notice", record_key="a/b/1", content_hash="h",
                     first_seen=now - dt.timedelta(hours=5), last_seen=now))
        s.flush()
        queued = check_no_new_records(s, settings, now=now)
        assert len(queued) == 1 and "dgts" in queued[0].subject
        assert check_no_new_records(s, settings, now=now) == []


def test_a_flood_of_immediate_findings_is_capped_and_the_rest_join_the_digest(db, settings_for, finding_factory, now):
    settings = settings_for(recipients=[OFFICER], copy_monitor=False, max_immediate_per_run=2)
    with db.factory() as s:
        found = [finding_factory(s) for _ in range(5)]
        counts = queue_alerts(s, settings, now)
        s.commit()
        assert (counts["finding"], counts["digest"], counts["immediate_overflow"]) == (2, 1, 3)
        singles = alerts_of(s, "finding")
        carried = {i.finding_id for i in s.scalars(select(AlertItem).where(AlertItem.alert_id == singles[0].id))}
        carried |= {i.finding_id for i in s.scalars(select(AlertItem).where(AlertItem.alert_id == singles[1].id))}
        assert carried == {found[-1].id, found[-2].id}  # the newest get their own e-mail
        (digest,) = alerts_of(s, "digest")
        in_digest = {i.finding_id for i in s.scalars(select(AlertItem).where(AlertItem.alert_id == digest.id))}
        assert in_digest == {f.id for f in found[:3]}
        assert queue_alerts(s, settings, now + dt.timedelta(days=1))["finding"] == 0  # none is sent twice


def _full_rows_loaded(monkeypatch) -> list[int]:
    loaded: list[int] = []
    real = outbox._full_findings

    def spy(session, ids):
        loaded.extend(sorted(ids))
        return real(session, ids)

    monkeypatch.setattr(outbox, "_full_findings", spy)
    return loaded


def test_full_rows_are_loaded_only_for_the_messages_composed(db, settings_for, finding_factory, now, monkeypatch):
    """Every open finding is checked on every run; its evidence is read only when a message shows it."""
    loaded = _full_rows_loaded(monkeypatch)
    settings = settings_for(recipients=[OFFICER])
    with db.factory() as s:
        high = finding_factory(s)
        low = finding_factory(s, severity="low")
        queue_alerts(s, settings, now)
        s.commit()
        assert sorted(loaded) == sorted([high.id, low.id])
        loaded.clear()
        late = finding_factory(s, severity="low", title="Đến muộn")
        same_day = queue_alerts(s, settings, now + dt.timedelta(hours=3))  # today's digest went out already
        nothing_new = queue_alerts(s, settings, now + dt.timedelta(hours=4))
        s.commit()
        assert same_day["skipped_digests"] == 1 and nothing_new["skipped_digests"] == 1
        assert loaded == []  # neither the two findings already sent nor the one waiting for tomorrow's digest
        queue_alerts(s, settings, now + dt.timedelta(days=1))
        s.commit()
        assert loaded == [late.id]
