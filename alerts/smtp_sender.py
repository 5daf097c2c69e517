"""Turning an outbox row into an RFC 5322 message and handing it over: an SMTP server or an .eml file.

The message is rebuilt from the stored row on every attempt with the same ``Message-ID`` and ``Date`` (the row's
``created_at``), so a retry after an ambiguous failure carries identical headers and receiving servers and mail
clients can recognise the duplicate by its Message-ID.
"""

from __future__ import annotations

import hashlib
import os
import re
import smtplib
import socket
import ssl
from email.header import Header
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime
from pathlib import Path

from alerts.compose import clean_header
from alerts.settings import SmtpSettings
from storage.evidence import atomic_write_bytes
from storage.models import Alert
from storage.timeutil import to_local

_UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9._@+-]+")
MAX_FILE_STEM = 200


class DeliveryError(RuntimeError):
    """Delivery cannot start (e.g. the SMTP password variable is not set); no message was touched."""


class TransportUnavailable(RuntimeError):
    """The server could not be reached or refused the session; later messages in the batch would fail too."""


def envelope_recipients(alert: Alert) -> list[str]:
    seen: dict[str, str] = {}
    for addr in [alert.recipient, *(alert.cc or [])]:
        seen.setdefault(addr.lower(), addr)
    return list(seen.values())


class _Policy(EmailPolicy):
    """RFC 5322 with CRLF, except that a non-ASCII Subject is folded by ``email.header.Header``: the standard
    library's folder (3.11) puts the space between two words outside the encoded words it splits them into, and
    readers drop that space ("quyền sử dụng đấtthiếu thông tin")."""

    def _fold(self, name, value, *args, **kwargs):  # noqa: ANN001, ANN202  (email.policy's private hook)
        if name.lower() == "subject" and not str(value).isascii():
            encoded = Header(str(value), "utf-8", header_name=name).encode(linesep=self.linesep)
            return f"{name}: {encoded}{self.linesep}"
        return super()._fold(name, value, *args, **kwargs)


SMTP_POLICY = _Policy(linesep="\r\n")


def build_email(alert: Alert, from_address: str) -> EmailMessage:
    """The multipart/alternative (plain + HTML) UTF-8 message of an outbox row; headers RFC 2047-encoded."""
    msg = EmailMessage(policy=SMTP_POLICY)
    msg["From"] = from_address
    msg["To"] = alert.recipient
    cc = [a for a in (alert.cc or []) if a.lower() != alert.recipient.lower()]
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Subject"] = clean_header(alert.subject)
    msg["Message-ID"] = alert.message_id
    msg["Date"] = format_datetime(to_local(alert.created_at))
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auction-Monitor-Kind"] = alert.kind
    msg.set_content(alert.body_text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(alert.body_html, subtype="html", charset="utf-8", cte="quoted-printable")
    # A fixed boundary keeps retries byte-identical; "=_" never occurs in quoted-printable bodies.
    msg.set_boundary("=_am_" + hashlib.sha256(alert.message_id.encode("utf-8")).hexdigest()[:32])
    return msg


def eml_filename(message_id: str) -> str:
    """A file name derived from the Message-ID that cannot leave the outbox folder."""
    stem = _UNSAFE_FILE_CHARS.sub("_", message_id.strip().strip("<>")).strip("._")[:MAX_FILE_STEM]
    return f"{stem or 'message'}.eml"


def write_eml(outbox_dir: str | os.PathLike[str], message_id: str, data: bytes) -> tuple[Path, bool]:
    """Write ``data`` atomically as ``<outbox>/<message-id>.eml``; returns (path, written). An existing file
    means an earlier attempt already delivered this message, so it is left as it is (written is False)."""
    folder = Path(outbox_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / eml_filename(message_id)
    if target.exists():
        return target, False
    atomic_write_bytes(target, data)
    return target, True


def _helo_name(from_address: str) -> str:
    domain = from_address.rpartition("@")[2].strip().strip(">")
    return domain if re.fullmatch(r"[A-Za-z0-9.-]{1,253}", domain or "") else "localhost"


def _greet(conn: smtplib.SMTP) -> None:
    """EHLO, else HELO (RFC 5321 4.1.4); a server that accepts neither refused the session."""
    code, reply = conn.ehlo()
    if not 200 <= code <= 299:
        code, reply = conn.helo()
        if not 200 <= code <= 299:
            raise smtplib.SMTPHeloError(code, reply)


class SmtpTransport:
    """One lazily opened SMTP session reused for a batch; reopened after any failed message."""

    def __init__(self, settings: SmtpSettings, from_address: str) -> None:
        self.settings = settings
        self.from_address = from_address
        self._conn: smtplib.SMTP | None = None
        if settings.username:
            password = settings.password()
            if not password:
                raise DeliveryError(
                    f"alerts.smtp.username is set but the environment variable {settings.password_env} "
                    "(the SMTP password) is empty or missing")
            if not (password.isascii() and settings.username.isascii()):
                raise DeliveryError(  # smtplib's AUTH only encodes ASCII credentials
                    f"alerts.smtp: the user name and the password in {settings.password_env} must be ASCII")

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context()
        helo = _helo_name(self.from_address)
        try:
            if s.security == "ssl":
                conn: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, local_hostname=helo, timeout=s.timeout_s,
                                                      context=context)
            else:
                conn = smtplib.SMTP(s.host, s.port, local_hostname=helo, timeout=s.timeout_s)
            try:
                _greet(conn)
                if s.security == "starttls":
                    conn.starttls(context=context)
                    _greet(conn)
                if s.username:
                    conn.login(s.username, s.password() or "")
            except BaseException:
                conn.close()
                raise
        except (OSError, smtplib.SMTPException) as exc:
            raise TransportUnavailable(f"{s.host}:{s.port}: {type(exc).__name__}: {exc}") from exc
        return conn

    def send(self, message_id: str, recipients: list[str], data: bytes) -> dict[str, tuple[int, bytes]]:
        """Send one message; returns the recipients the server refused while accepting the others.
        Raises ``TransportUnavailable`` when no session could be opened, smtplib errors otherwise."""
        if self._conn is None:
            self._conn = self._connect()
        try:
            return self._conn.sendmail(self.from_address, recipients, data)
        except BaseException:
            self.reset()
            raise

    def reset(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except (OSError, smtplib.SMTPException):
                pass

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.quit()
            except (OSError, smtplib.SMTPException, socket.timeout):
                conn.close()
