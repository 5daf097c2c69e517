"""Delivery through a real SMTP server on 127.0.0.1 (aiosmtpd): content, refusals and retries with back-off,
dropped connections, STARTTLS with a self-signed certificate and login, crash recovery by Message-ID."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import subprocess

import pytest
from aiosmtpd.smtp import AuthResult
from sqlalchemy import select

from alert_fixtures import (  # noqa: F401  (fixtures)
    closed_port, db, finding_factory, now, smtp_server, smtp_settings_for)
from alerts.outbox import deliver, queue_alerts
from alerts.smtp_sender import DeliveryError
from storage.models import Alert

OFFICER = {"name": "Cán bộ Vĩnh Long", "email": "vl@thads.gov.vn", "provinces": ["vinh-long"]}
EVIL = "<script>alert(1)</script>"


def queue_one(db, settings, finding_factory, now, **finding):
    with db.factory() as s:
        f = finding_factory(s, **finding)
        queue_alerts(s, settings, now)
        s.commit()
        return f.id


def rows(db) -> list[Alert]:
    with db.factory() as s:
        return list(s.scalars(select(Alert).order_by(Alert.id)))


def test_delivers_multipart_vietnamese_mail(db, smtp_server, smtp_settings_for, finding_factory, now):
    handler, port = smtp_server()
    settings = smtp_settings_for(port, recipients=[OFFICER], from_address="canhbao@moj.gov.vn")
    queue_one(db, settings, finding_factory, now, title=f"Đấu giá đất {EVIL}", evidence={"ghi chú": EVIL})
    assert deliver(db.factory, settings, now)["sent"] == 1

    (mail_from, rcpts, _), = handler.messages
    assert mail_from == "canhbao@moj.gov.vn" and rcpts == ["vl@thads.gov.vn", "monitor@localhost"]
    (msg,) = handler.parsed()
    (alert,) = rows(db)
    assert msg["Subject"] == f"[Cảnh báo đấu giá – mức cao] Đấu giá đất {EVIL}"
    assert msg["Message-ID"] == alert.message_id and msg["Cc"] == "monitor@localhost"
    plain = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "VÌ SAO CẦN CHÚ Ý" in plain and EVIL in plain
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert alert.status == "sent" and alert.attempts == 1 and alert.last_error is None
    assert alert.sent_at.replace(tzinfo=dt.timezone.utc) == now


@pytest.mark.parametrize("failure", ["refuse_rcpt", "refuse_data"])
def test_refused_then_accepted_later_with_backoff(db, smtp_server, smtp_settings_for, finding_factory, now, failure):
    handler, port = smtp_server()
    setattr(handler, failure, 1)
    settings = smtp_settings_for(port, recipients=[OFFICER], copy_monitor=False)
    queue_one(db, settings, finding_factory, now)

    assert deliver(db.factory, settings, now)["retry"] == 1
    (alert,) = rows(db)
    assert alert.status == "queued" and alert.attempts == 1 and "5" in alert.last_error
    assert alert.next_attempt_at.replace(tzinfo=dt.timezone.utc) == now + dt.timedelta(seconds=60)

    assert deliver(db.factory, settings, now + dt.timedelta(seconds=30))["sent"] == 0  # not due yet
    assert deliver(db.factory, settings, now + dt.timedelta(seconds=60))["sent"] == 1
    assert deliver(db.factory, settings, now + dt.timedelta(seconds=600)) == {
        "sent": 0, "retry": 0, "failed": 0, "skipped": 0, "deferred": 0}
    assert len(handler.messages) == 1 and rows(db)[0].attempts == 2


def test_backoff_doubles(db, smtp_server, smtp_settings_for, finding_factory, now):
    handler, port = smtp_server()
    handler.refuse_data = 2
    settings = smtp_settings_for(port, recipients=[OFFICER])
    queue_one(db, settings, finding_factory, now)
    deliver(db.factory, settings, now)
    t1 = now + dt.timedelta(seconds=60)
    deliver(db.factory, settings, t1)
    assert rows(db)[0].next_attempt_at.replace(tzinfo=dt.timezone.utc) == t1 + dt.timedelta(seconds=120)


def test_connection_dropped_mid_message_then_server_back(db, smtp_server, smtp_settings_for, finding_factory, now):
    handler, port = smtp_server()
    handler.drop_data = 1
    settings = smtp_settings_for(port, recipients=[OFFICER])
    queue_one(db, settings, finding_factory, now)
    assert deliver(db.factory, settings, now)["retry"] == 1
    assert "Disconnected" in rows(db)[0].last_error or "Connection" in rows(db)[0].last_error
    assert deliver(db.factory, settings, now + dt.timedelta(minutes=1))["sent"] == 1
    assert len(handler.messages) == 1


def test_server_down_defers_the_rest_of_the_batch(db, closed_port, smtp_settings_for, finding_factory, now):
    settings = smtp_settings_for(closed_port, recipients=[OFFICER])
    with db.factory() as s:
        finding_factory(s)
        finding_factory(s)
        queue_alerts(s, settings, now)
        s.commit()
    counts = deliver(db.factory, settings, now)
    assert counts["retry"] == 1 and counts["deferred"] == 1 and counts["sent"] == 0
    first, second = rows(db)
    assert first.attempts == 1 and "Connection refused" in first.last_error
    assert second.attempts == 0 and second.last_error is None


def test_failed_after_max_attempts_tells_the_operator(db, smtp_server, smtp_settings_for, finding_factory, now):
    handler, port = smtp_server()
    handler.refuse_rcpt = 100
    settings = smtp_settings_for(port, recipients=[OFFICER], max_attempts=2, operator_email="ops@example.vn")
    queue_one(db, settings, finding_factory, now)
    deliver(db.factory, settings, now)
    handler.refuse_addresses = {"vl@thads.gov.vn", "monitor@localhost"}
    handler.refuse_rcpt = 0
    counts = deliver(db.factory, settings, now + dt.timedelta(minutes=5))
    finding_alert, operator_alert = rows(db)
    assert counts["failed"] == 1 and finding_alert.status == "failed" and finding_alert.attempts == 2
    assert operator_alert.kind == "operator" and operator_alert.recipient == "ops@example.vn"
    assert finding_alert.message_id in operator_alert.body_text
    deliver(db.factory, settings, now + dt.timedelta(minutes=6))
    assert [m[1] for m in handler.messages] == [["ops@example.vn"]]


def test_partly_refused_recipients_still_count_as_sent(db, smtp_server, smtp_settings_for, finding_factory, now):
    handler, port = smtp_server()
    handler.refuse_addresses = {"monitor@localhost"}
    settings = smtp_settings_for(port, recipients=[OFFICER])
    queue_one(db, settings, finding_factory, now)
    assert deliver(db.factory, settings, now)["sent"] == 1
    (alert,) = rows(db)
    assert alert.status == "sent" and "monitor@localhost" in alert.last_error
    assert handler.messages[0][1] == ["vl@thads.gov.vn"]


def test_crash_after_acceptance_resends_with_same_message_id(db, smtp_server, smtp_settings_for, finding_factory,
                                                             now, monkeypatch):
    handler, port = smtp_server()
    settings = smtp_settings_for(port, recipients=[OFFICER])
    queue_one(db, settings, finding_factory, now)

    class Crash(BaseException):
        pass

    real_factory = db.factory
    calls = {"n": 0}

    def crashing_factory():
        calls["n"] += 1
        if calls["n"] == 3:  # 1: list due rows, 2: claim, 3: mark sent -> the process dies here
            raise Crash()
        return real_factory()

    with pytest.raises(Crash):
        deliver(crashing_factory, settings, now)
    (alert,) = rows(db)
    assert alert.status == "queued" and alert.attempts == 1 and alert.last_error.startswith("in flight")
    assert deliver(db.factory, settings, now)["sent"] == 0  # not due before the back-off
    assert deliver(db.factory, settings, now + dt.timedelta(minutes=1))["sent"] == 1
    first, second = handler.parsed()
    assert first["Message-ID"] == second["Message-ID"] == alert.message_id
    assert first["Date"] == second["Date"]
    assert len({m["Message-ID"] for m in handler.parsed()}) == 1  # what a Message-ID-deduping MUA keeps


def test_missing_password_env_fails_before_touching_messages(db, smtp_server, smtp_settings_for, finding_factory,
                                                              now, monkeypatch):
    handler, port = smtp_server()
    monkeypatch.delenv("AM_TEST_SMTP_PASSWORD", raising=False)
    settings = smtp_settings_for(port, recipients=[OFFICER],
                                 smtp={"username": "canhbao", "password_env": "AM_TEST_SMTP_PASSWORD"})
    queue_one(db, settings, finding_factory, now)
    with pytest.raises(DeliveryError, match="AM_TEST_SMTP_PASSWORD"):
        deliver(db.factory, settings, now)
    assert rows(db)[0].attempts == 0


def test_non_ascii_password_is_a_clear_error(db, smtp_settings_for, closed_port, monkeypatch):
    monkeypatch.setenv("AM_TEST_SMTP_PASSWORD", "mật-khẩu")
    settings = smtp_settings_for(closed_port, smtp={"username": "u", "password_env": "AM_TEST_SMTP_PASSWORD"})
    with pytest.raises(DeliveryError, match="ASCII"):
        deliver(db.factory, settings)


# ------------------------------------------------------------------------------------------------ TLS + login


def _self_signed(tmp_path):
    """A self-signed certificate for 127.0.0.1 (cryptography, else the openssl CLI)."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    except ImportError:
        try:
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                            "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True, timeout=60)
        except (OSError, subprocess.CalledProcessError):
            pytest.skip("neither cryptography nor the openssl CLI is available")
        return cert, key
    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    start = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
    ski = x509.SubjectKeyIdentifier.from_public_key(private.public_key())
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(private.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=False, content_commitment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=False, encipher_only=False, decipher_only=False), True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(ski, False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), False)
        .sign(private, hashes.SHA256())
    )
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return cert, key


def test_starttls_and_login_with_password_from_env(db, smtp_server, smtp_settings_for, finding_factory, now,
                                                   tmp_path, monkeypatch):
    cert, key = _self_signed(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(str(cert), str(key))
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret-Pa55")

    handler, port = smtp_server(tls_context=server_tls, require_starttls=True, authenticator=authenticator,
                                auth_required=True, auth_require_tls=True)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts our self-signed server certificate
    monkeypatch.setenv("AM_TEST_SMTP_PASSWORD", "s3cret-Pa55")
    settings = smtp_settings_for(port, recipients=[OFFICER], smtp={
        "security": "starttls", "username": "canhbao", "password_env": "AM_TEST_SMTP_PASSWORD"})
    queue_one(db, settings, finding_factory, now)
    assert deliver(db.factory, settings, now)["sent"] == 1
    assert logins == [(b"canhbao", b"s3cret-Pa55")]
    assert handler.sessions_tls == [True]


def test_starttls_rejects_untrusted_certificate(db, smtp_server, smtp_settings_for, finding_factory, now, tmp_path,
                                                monkeypatch):
    cert, key = _self_signed(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(str(cert), str(key))
    handler, port = smtp_server(tls_context=server_tls, require_starttls=True)
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-ca.pem"))
    settings = smtp_settings_for(port, recipients=[OFFICER], smtp={"security": "starttls"})
    queue_one(db, settings, finding_factory, now)
    counts = deliver(db.factory, settings, now)
    assert counts["retry"] == 1 and handler.messages == []
    assert "CERTIFICATE_VERIFY_FAILED" in rows(db)[0].last_error
