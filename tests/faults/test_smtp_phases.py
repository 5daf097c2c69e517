"""The SMTP server failing in each phase of a session, beyond what tests/alerts covers (connection refused, RCPT
and DATA 5xx, a drop after DATA of a lone message, an untrusted certificate): greeting refused, silent or cut,
EHLO refused, STARTTLS refused or not offered, login refused, MAIL/RCPT/DATA 4xx. In every case no row is marked
sent that the server did not accept, nothing goes out in clear when TLS was asked for, the error names the
phase, a session-level failure defers the rest of the batch untouched, and the message goes out exactly once
when the server is healthy again."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "alerts"))

from alert_fixtures import add_finding, db, smtp_settings  # noqa: E402,F401  (db is a fixture)
from alerts.outbox import deliver, queue_alerts  # noqa: E402
from smtp_script import CLOSE, SILENT, ScriptedSmtp  # noqa: E402
from storage.models import Alert  # noqa: E402

NOW = dt.datetime(2026, 7, 1, 1, 0, tzinfo=dt.timezone.utc)
LATER = NOW + dt.timedelta(minutes=5)
OFFICER = {"name": "Cán bộ Vĩnh Long", "email": "vl@thads.gov.vn", "provinces": ["vinh-long"]}


def queue(db, settings, n: int = 1) -> None:
    with db.factory() as s:
        for _ in range(n):
            add_finding(s)
        queue_alerts(s, settings, NOW)
        s.commit()


def rows(db) -> list[Alert]:
    with db.factory() as s:
        return list(s.scalars(select(Alert).order_by(Alert.id)))


def settings_for(tmp_path, server: ScriptedSmtp, **smtp):
    return smtp_settings(tmp_path, server.port, recipients=[OFFICER], copy_monitor=False,
                         smtp={"timeout_s": 2.0, **smtp})


# Session-level failures: the message is not sent, the rest of the batch waits untouched.
SESSION_FAILURES = {
    "greeting-421": ({"GREETING": ["421 4.3.2 service not available"]}, {}, "421"),
    "greeting-554": ({"GREETING": ["554 5.7.1 no SMTP service here"]}, {}, "554"),
    "greeting-cut": ({"GREETING": [CLOSE]}, {}, "Disconnected"),
    "greeting-silent": ({"GREETING": [SILENT]}, {"timeout_s": 0.5}, "timed out"),
    "ehlo-and-helo-500": ({"EHLO": ["500 5.5.1 unrecognised"], "HELO": ["501 5.5.4 bad hostname"]}, {}, "501"),
    "ehlo-cut": ({"EHLO": [CLOSE]}, {}, "Disconnected"),
    "starttls-454": ({"STARTTLS": ["454 4.7.0 TLS not available"]}, {"security": "starttls"}, "454"),
    "auth-535": ({"AUTH": ["535 5.7.8 bad credentials", "535 5.7.8 bad credentials"]},
                 {"username": "canhbao", "password_env": "AM_FAULT_SMTP_PASSWORD"}, "535"),
}


@pytest.mark.parametrize("case", list(SESSION_FAILURES), ids=list(SESSION_FAILURES))
def test_session_failure_defers_the_batch_then_delivers_once(db, tmp_path, monkeypatch, case):
    replies, smtp, expected = SESSION_FAILURES[case]
    monkeypatch.setenv("AM_FAULT_SMTP_PASSWORD", "s3cret")
    extensions = ("8BITMIME", "SMTPUTF8", "AUTH PLAIN LOGIN", "STARTTLS") if "starttls" in case else \
        ("8BITMIME", "SMTPUTF8", "AUTH PLAIN LOGIN")
    with ScriptedSmtp(replies={k: list(v) for k, v in replies.items()}, extensions=extensions, timeout_s=3) as server:
        settings = settings_for(tmp_path, server, **smtp)
        queue(db, settings, n=3)
        counts = deliver(db.factory, settings, NOW)
        assert counts == {"sent": 0, "retry": 1, "failed": 0, "skipped": 0, "deferred": 2}
        assert server.accepted == []  # nothing left, and nothing in clear when STARTTLS failed
        first, *rest = rows(db)
        assert first.status == "queued" and first.attempts == 1 and first.sent_at is None
        assert expected in first.last_error, first.last_error
        assert all(r.attempts == 0 and r.last_error is None for r in rest)
        if "starttls" in case:
            return  # the scripted server cannot speak TLS; a healthy STARTTLS is tested in tests/alerts
        if "auth" in case:
            assert server.logins and server.logins[0].endswith("s3cret")
        assert deliver(db.factory, settings, LATER)["sent"] == 3
    assert len(server.accepted) == 3
    assert {r.status for r in rows(db)} == {"sent"}


def test_ehlo_refused_falls_back_to_helo(db, tmp_path):
    with ScriptedSmtp(replies={"EHLO": ["502 5.5.2 EHLO not implemented"]},
                      extensions=("8BITMIME",)) as server:
        settings = settings_for(tmp_path, server)
        queue(db, settings)
        assert deliver(db.factory, settings, NOW)["sent"] == 1
        assert server.calls.get("HELO") == 1
    assert len(server.accepted) == 1


def test_starttls_not_offered_sends_nothing_in_clear(db, tmp_path):
    with ScriptedSmtp(extensions=("8BITMIME",)) as server:
        settings = settings_for(tmp_path, server, security="starttls")
        queue(db, settings, n=2)
        counts = deliver(db.factory, settings, NOW)
        assert counts["sent"] == 0 and counts["retry"] == 1 and counts["deferred"] == 1
        assert "STARTTLS" in rows(db)[0].last_error
        assert server.accepted == [] and "MAIL" not in server.calls


# Message-level failures: that message waits for its back-off, the next one in the batch still goes.
MESSAGE_FAILURES = {
    "mail-451": ({"MAIL": ["451 4.3.0 try again later"]}, "451"),
    "mail-550": ({"MAIL": ["550 5.7.1 sender rejected"]}, "550"),
    "rcpt-450": ({"RCPT": ["450 4.2.1 mailbox busy"]}, "450"),
    "data-451": ({"DATA": ["451 4.3.0 not now"]}, "451"),
    "dot-452": ({"DOT": ["452 4.3.1 insufficient storage"]}, "452"),
    "cut-after-data": ({"DOT": [CLOSE]}, "Disconnected"),
}


@pytest.mark.parametrize("case", list(MESSAGE_FAILURES), ids=list(MESSAGE_FAILURES))
def test_message_failure_retries_that_message_only(db, tmp_path, case):
    replies, expected = MESSAGE_FAILURES[case]
    with ScriptedSmtp(replies={k: list(v) for k, v in replies.items()}) as server:
        settings = settings_for(tmp_path, server)
        queue(db, settings, n=2)
        counts = deliver(db.factory, settings, NOW)
        assert counts == {"sent": 1, "retry": 1, "failed": 0, "skipped": 0, "deferred": 0}
        first, second = rows(db)
        assert first.status == "queued" and first.sent_at is None and expected in first.last_error
        assert first.next_attempt_at.replace(tzinfo=dt.timezone.utc) == NOW + dt.timedelta(seconds=60)
        assert second.status == "sent" and second.attempts == 1
        assert len(server.accepted) == 1
        assert deliver(db.factory, settings, NOW + dt.timedelta(seconds=30))["sent"] == 0  # still backing off
        assert deliver(db.factory, settings, LATER)["sent"] == 1
    ids = [line for raw in server.accepted for line in raw.split(b"\r\n") if line.lower().startswith(b"message-id:")]
    assert len(ids) == 2 and len(set(ids)) == 2  # each message accepted exactly once
    assert {r.status for r in rows(db)} == {"sent"}
