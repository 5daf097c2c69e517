"""Outbox (.eml) mode and dry runs: atomic files named after the Message-ID, crash recovery, safe names."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes, policy

from sqlalchemy import select

from alert_fixtures import closed_port, db, finding_factory, now, settings_for  # noqa: F401  (fixtures)
from alerts.outbox import deliver, queue_alerts
from alerts.smtp_sender import eml_filename, write_eml
from storage.models import Alert

OFFICER = {"name": "Cán bộ Vĩnh Long", "email": "vl@thads.gov.vn", "provinces": ["vinh-long"]}


def queue(db, settings, finding_factory, now, n=1):
    with db.factory() as s:
        for _ in range(n):
            finding_factory(s)
        queue_alerts(s, settings, now)
        s.commit()
        return list(s.scalars(select(Alert).order_by(Alert.id)))


def test_outbox_mode_writes_one_parseable_eml_per_message(db, settings_for, finding_factory, now, tmp_path):
    settings = settings_for(recipients=[OFFICER])
    (alert,) = queue(db, settings, finding_factory, now)
    assert deliver(db.factory, settings, now)["sent"] == 1
    files = list((tmp_path / "outbox").iterdir())
    assert [f.name for f in files] == [eml_filename(alert.message_id)]
    msg = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert msg["Message-ID"] == alert.message_id and msg["To"] == "vl@thads.gov.vn"
    assert msg["Subject"].startswith("[Cảnh báo đấu giá – mức cao]")
    assert msg.get_content_type() == "multipart/alternative"
    assert {p.get_content_type() for p in msg.iter_parts()} == {"text/plain", "text/html"}
    with db.factory() as s:
        assert s.get(Alert, alert.id).status == "sent"


def test_dry_run_writes_files_even_in_smtp_mode(db, settings_for, finding_factory, now, tmp_path, closed_port):
    settings = settings_for(recipients=[OFFICER], mode="smtp", smtp={"host": "127.0.0.1", "port": closed_port})
    queue(db, settings, finding_factory, now)
    assert deliver(db.factory, settings, now, dry_run=True)["sent"] == 1
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1


def test_existing_file_means_already_delivered(db, settings_for, finding_factory, now, tmp_path):
    settings = settings_for(recipients=[OFFICER])
    (alert,) = queue(db, settings, finding_factory, now)
    path, written = write_eml(tmp_path / "outbox", alert.message_id, b"written before a crash")
    assert written
    assert deliver(db.factory, settings, now)["sent"] == 1
    assert path.read_bytes() == b"written before a crash"  # not written twice


def test_no_temporary_files_left_behind(db, settings_for, finding_factory, now, tmp_path):
    settings = settings_for(recipients=[OFFICER])
    queue(db, settings, finding_factory, now, n=3)
    deliver(db.factory, settings, now)
    names = [p.name for p in (tmp_path / "outbox").iterdir()]
    assert len(names) == 3 and not any(n.startswith(".tmp") for n in names)


def test_messages_are_identical_on_every_attempt(db, settings_for, finding_factory, now, tmp_path):
    from alerts.smtp_sender import build_email

    settings = settings_for(recipients=[OFFICER])
    (alert,) = queue(db, settings, finding_factory, now)
    first = build_email(alert, "a@b.vn").as_bytes()
    assert build_email(alert, "a@b.vn").as_bytes() == first


def test_eml_filename_cannot_escape_the_folder():
    assert eml_filename("<am-1@auction-monitor>") == "am-1@auction-monitor.eml"
    for evil in ("<../../etc/passwd>", "/abs/path", "..", "<a/b\\c\x00d>", "<>"):
        name = eml_filename(evil)
        assert "/" not in name and "\\" not in name and not name.startswith(".") and name.endswith(".eml")
    assert len(eml_filename("<" + "x" * 5000 + ">")) <= 204


def test_operator_messages_are_delivered_first(db, settings_for, finding_factory, now, tmp_path):
    from alerts.operator import queue_operator_alert

    settings = settings_for(recipients=[OFFICER])
    queue(db, settings, finding_factory, now)
    with db.factory() as s:
        queue_operator_alert(s, settings, "crawl_failed", "Thu thập thất bại", now=now)
        s.commit()
    deliver(db.factory, settings, now, limit=1)
    with db.factory() as s:
        sent = s.scalars(select(Alert.kind).where(Alert.status == "sent")).all()
    assert sent == ["operator"]


def test_future_next_attempt_is_not_delivered(db, settings_for, finding_factory, now):
    settings = settings_for(recipients=[OFFICER])
    (alert,) = queue(db, settings, finding_factory, now)
    assert deliver(db.factory, settings, now - dt.timedelta(seconds=1))["sent"] == 0
    assert deliver(db.factory, settings, now)["sent"] == 1
