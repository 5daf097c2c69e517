"""Database engines, sessions and schema upgrades (Alembic) for SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

_engines: dict[str, Engine] = {}


def normalize_url(url: str) -> str:
    """Accept a bare file path as SQLite and pick the psycopg 3 driver for plain postgresql URLs."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def masked_url(url: str) -> str:
    """The URL as it may be shown: any password replaced by ``***`` (for output, logs and error messages)."""
    try:
        return make_url(normalize_url(url)).render_as_string(hide_password=True)
    except Exception:  # not a URL at all: show nothing of it that could be a secret
        return "<unparsable database URL>" if "@" in url or "://" in url else url


def get_engine(url: str) -> Engine:
    """One engine per URL per process. SQLite gets WAL, foreign keys and a busy timeout."""
    url = normalize_url(url)
    engine = _engines.get(url)
    if engine is not None:
        return engine
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # Busy timeout: 30 s unless the URL sets one (``sqlite:///file.db?timeout=2``).
        engine = create_engine(url, connect_args={} if "timeout" in parsed.query else {"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

    else:
        engine = create_engine(url, pool_pre_ping=True)
    _engines[url] = engine
    return engine


def dispose_engines() -> None:
    """Close every pooled connection (tests, forked workers)."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


def session_factory(url: str) -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(url), expire_on_commit=False, future=True)


@contextlib.contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A transaction: commit on success, roll back on any error, always close."""
    session = session_factory(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return cfg


# pg_advisory_lock key of schema changes: any fixed 64-bit number unique to this application.
SCHEMA_LOCK_KEY = 0x616D_5363_6865_6D61  # "amSchema"


@contextlib.contextmanager
def schema_lock(url: str) -> Iterator[None]:
    """On PostgreSQL, hold a database-wide advisory lock: two first runs starting at once then create the schema
    one after the other (the second finds it at head) instead of both inserting into ``alembic_version``.
    SQLite needs none: the upgrade runs in one BEGIN IMMEDIATE transaction (``migrations/env.py``)."""
    engine = get_engine(url)
    if engine.dialect.name != "postgresql":
        yield
        return
    from sqlalchemy import text

    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SCHEMA_LOCK_KEY})
            conn.commit()


def upgrade(url: str, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` (creates the schema from empty, and a SQLite file's folder), under the
    schema lock."""
    from alembic import command

    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    with schema_lock(url):
        command.upgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with get_engine(url).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def ensure_schema(url: str) -> None:
    """Upgrade to head when the database is behind; cheap when already current. The revision is read again under
    the schema lock, so of simultaneous first runs one creates the schema and the others wait and find it done."""
    head = head_revision()
    if current_revision(url) == head:
        return
    from alembic import command

    with schema_lock(url):
        if current_revision(url) != head:
            command.upgrade(alembic_config(url), "head")
