"""Test helper: a fresh SQLite database loaded with portal-dataset documents through the crawler's ingest path."""

from __future__ import annotations

import atexit
import base64
import json
import shutil
import tempfile
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from crawler.attachment_text import extract_pending
from crawler.ingest import ingest_document
from storage.db import get_engine, session_scope, upgrade
from storage.evidence import EvidenceStore
from storage.features import ensure_current
from storage.timeutil import VN_TZ

INGEST_AT = datetime(2026, 7, 1, 8, 0, tzinfo=VN_TZ)


def with_inline_files(doc: dict[str, Any], evidence: EvidenceStore) -> dict[str, Any]:
    """Files given inline (``files[].content_b64``) go to the evidence store, as the spiders do after a download."""
    files = doc.get("files")
    if not isinstance(files, list):
        return doc
    out = []
    for f in files:
        f = dict(f)
        raw = f.pop("content_b64", None)
        if raw is not None:
            data = base64.b64decode(raw)
            f.update(sha256=evidence.put(data), size=len(data), fetch_status="ok")
        out.append(f)
    return {**doc, "files": out}


@lru_cache(maxsize=1)
def _schema_template() -> Path:
    """An empty database at the head revision, migrated once per test process and copied for each case."""
    folder = Path(tempfile.mkdtemp(prefix="detector-schema-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    url = f"sqlite:///{folder / 'schema.db'}"
    upgrade(url)
    get_engine(url).dispose()  # closes the connection, so the WAL is checkpointed into the file
    return folder / "schema.db"


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_case(path: Path | list[dict[str, Any]], tmp_path: Path) -> str:
    """A new database under ``tmp_path`` holding the documents (a JSONL file or a list), ingested in order one
    minute apart, with the text of inline attachments extracted. Returns its URL."""
    shutil.copyfile(_schema_template(), tmp_path / "detectors.db")
    url = f"sqlite:///{tmp_path / 'detectors.db'}"
    evidence = EvidenceStore(tmp_path / "evidence")
    lines = read_jsonl(path) if isinstance(path, Path) else path
    with session_scope(url) as session:
        for i, doc in enumerate(lines):
            ingest_document(session, with_inline_files(doc, evidence), run=None,
                            at=INGEST_AT + timedelta(minutes=i), evidence=evidence)
    extract_pending(lambda: session_scope(url), evidence, max_bytes=1_000_000, timeout_s=30, ocr=False)
    with session_scope(url) as session:
        ensure_current(session)  # the text layer reads the lots once, as the daily job does after ingest
    return url
