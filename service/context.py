"""The runtime context every command shares: validated settings, database URL and evidence store."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from service.config import Settings, load_config
from storage.db import ensure_schema, normalize_url, session_scope
from storage.evidence import EvidenceStore
from storage.settings import ConfigError, DatabaseSettings


@dataclass
class AppContext:
    settings: Settings
    db_url: str
    evidence: EvidenceStore

    def session(self):
        return session_scope(self.db_url)

    def ensure_schema(self) -> None:
        ensure_schema(self.db_url)


def make_context(config_path: str | None = None, db: str | None = None, evidence: str | None = None) -> AppContext:
    settings = load_config(config_path)
    if db:  # --db gets the same check as database.url in the file: one clear line for an unsupported URL
        try:
            DatabaseSettings(url=db)
        except ValidationError as exc:
            raise ConfigError(f"--db: {exc.errors()[0]['msg'].removeprefix('Value error, ')}") from None
    url = normalize_url(db or settings.database.url)
    ev = evidence or settings.evidence.path
    return AppContext(settings=settings, db_url=url, evidence=EvidenceStore(Path(ev)))
