"""The storage layer's settings sections (``[database]``, ``[evidence]``) and what every layer's sections share: the
strict ``Section`` base model and ``ConfigError``.

Each layer owns its sections (crawler: ``crawler.config``, detectors: their own models, alerts: ``alerts.settings``);
``service.config`` only composes them into one file.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message names file, key and reason."""


class Section(BaseModel):
    """A settings section: unknown keys and wrong types are errors, defaults are validated too."""

    model_config = ConfigDict(extra="forbid", strict=True, validate_default=True)


class DatabaseSettings(Section):
    url: str = Field("sqlite:///data/auction-monitor.sqlite", description="SQLAlchemy URL or a file path (SQLite). PostgreSQL: postgresql://user@host/db (password from PGPASSWORD or a .pgpass file).")

    @field_validator("url")
    @classmethod
    def _supported_database(cls, v: str) -> str:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        from storage.db import masked_url, normalize_url

        try:
            parsed = make_url(normalize_url(v))
        except (ArgumentError, ValueError):
            raise ValueError(f"not a database URL or file path: {masked_url(v)!r}") from None
        backend = parsed.get_backend_name()
        if backend not in ("sqlite", "postgresql"):
            raise ValueError(f"unsupported database {backend!r}: use a SQLite file path or a postgresql:// URL")
        driver = parsed.get_driver_name()
        if driver not in ("pysqlite", "psycopg"):
            raise ValueError(f"unsupported database driver {driver!r}: write postgresql://… (psycopg is used) or a "
                             "SQLite file path")
        return v


class EvidenceSettings(Section):
    path: str = Field("data/evidence", description="Folder of the content-addressed evidence store (raw responses and attachments).")
