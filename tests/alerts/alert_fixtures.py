"""Fixtures for the alert tests (imported by name, not a conftest, so "from am_testing import" elsewhere keeps
working): a SQLite database per test, findings, settings, and a real SMTP server (aiosmtpd on 127.0.0.1) whose
handler stores accepted messages and can refuse or drop the connection on demand."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.orm import Session, sessionmaker

from service.config import Settings
from storage.db import dispose_engines, get_engine, session_factory
from storage.models import Base, Finding

NOW = dt.datetime(2026, 7, 1, 1, 0, tzinfo=dt.timezone.utc)  # 08:00 in Vietnam


@dataclass
class Db:
    url: str
    factory: sessionmaker[Session]


@pytest.fixture()
def db(tmp_path) -> Iterator[Db]:
    url = f"sqlite:///{tmp_path / 'alerts.sqlite'}"
    Base.metadata.create_all(get_engine(url))
    yield Db(url, session_factory(url))
    dispose_engines()


def make_settings(tmp_path, **alerts: Any) -> Settings:
    section = {"outbox_dir": str(tmp_path / "outbox"), **alerts}
    return Settings.model_validate({"alerts": section, "evidence": {"path": str(tmp_path / "evidence")}})


_counter = {"n": 0}


def add_finding(session: Session, **overrides: Any) -> Finding:
    _counter["n"] += 1
    n = _counter["n"]
    values: dict[str, Any] = dict(
        fingerprint=f"{n:064x}", detector="premature_scoring", rule="scored_before_deadline",
        subject_kind="selection_result", subject_id=str(1000 + n), status="flag", severity="high",
        title=f"Chấm điểm trước khi hết hạn nhận hồ sơ #{n}",
        evidence={"window_end": "2026-06-20", "decision_date": "2026-06-18"}, evidence_hash=f"e{n}",
        urls=[f"https://dgts.moj.gov.vn/portal/searchResults/{n}"], legal_basis="Thông tư 02/2022/TT-BTP, Điều 5",
        owner_name="Cục Thi hành án dân sự tỉnh Trà Vinh", province=None, first_seen=NOW, last_seen=NOW,
    )
    values.update(overrides)
    finding = Finding(**values)
    session.add(finding)
    session.flush()
    return finding


# ------------------------------------------------------------------------------------------------ SMTP server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class StoringHandler:
    """Stores every accepted message; ``refuse_rcpt``/``refuse_data``/``drop_data`` fail that many times first."""

    refuse_rcpt: int = 0
    refuse_data: int = 0
    drop_data: int = 0
    refuse_addresses: set[str] = field(default_factory=set)
    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    sessions_tls: list[bool] = field(default_factory=list)
    logins: list[tuple[bytes, bytes]] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse_addresses:
            return "550 5.1.1 mailbox unavailable"
        if self.refuse_rcpt > 0:
            self.refuse_rcpt -= 1
            return "550 5.7.1 relaying temporarily refused"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.drop_data > 0:
            self.drop_data -= 1
            server.transport.close()  # connection lost before the server said it accepted the message
            return "421 4.4.2 connection dropped"
        if self.refuse_data > 0:
            self.refuse_data -= 1
            return "554 5.6.0 message refused"
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content
                                                                                 or envelope.content)))
        self.sessions_tls.append(session.ssl is not None)
        return "250 2.0.0 accepted"

    def parsed(self) -> list[EmailMessage]:
        return [message_from_bytes(raw, policy=policy.default) for _, _, raw in self.messages]


@pytest.fixture()
def smtp_server() -> Iterator[Callable[..., tuple[StoringHandler, int]]]:
    controllers: list[Controller] = []

    def start(handler: StoringHandler | None = None, **kwargs: Any) -> tuple[StoringHandler, int]:
        handler = handler or StoringHandler()
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        controllers.append(controller)
        return handler, port

    yield start
    for c in controllers:
        c.stop()


def smtp_settings(tmp_path, port: int, **alerts: Any) -> Settings:
    smtp = {"host": "127.0.0.1", "port": port, "timeout_s": 10.0, **alerts.pop("smtp", {})}
    return make_settings(tmp_path, mode="smtp", smtp=smtp, retry_base_s=60.0, **alerts)


@pytest.fixture()
def now() -> dt.datetime:
    return NOW


@pytest.fixture()
def finding_factory() -> Callable[..., Finding]:
    return add_finding


@pytest.fixture()
def settings_for(tmp_path) -> Callable[..., Settings]:
    return lambda **alerts: make_settings(tmp_path, **alerts)


@pytest.fixture()
def smtp_settings_for(tmp_path) -> Callable[..., Settings]:
    return lambda port, **alerts: smtp_settings(tmp_path, port, **alerts)


@pytest.fixture()
def closed_port() -> int:
    """A loopback port nobody listens on (the SMTP server is down)."""
    return free_port()


@pytest.fixture()
def pg_db(pg_url) -> Iterator[Db]:
    """The same as ``db`` on the PostgreSQL server of AUCTION_MONITOR_TEST_PG_URL (skipped without one)."""
    Base.metadata.create_all(get_engine(pg_url))
    yield Db(pg_url, session_factory(pg_url))
    dispose_engines()
