"""``auction-monitor import-dataset``: load portal-dataset JSONL files through the crawler's ingest path.

No HTTP is involved; every document is recorded under one ``import`` crawl run, with its snapshot and events,
exactly as if a spider had captured it. A bad line is reported with its file and line number and skipped; the
lines before and after it are kept (the run is then marked ``partial``).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from crawler.ingest import ENVIRONMENT_ERRORS, document_problem, ingest_document
from storage.evidence import EvidenceStore
from storage.models import CrawlRun
from storage.timeutil import utcnow

log = logging.getLogger(__name__)

MAX_LINE_BYTES = 64_000_000
COMMIT_EVERY = 500


def _no_constant(name: str) -> Any:
    """NaN and Infinity are not JSON (Python's reader accepts them; no portal sends them; PostgreSQL refuses them)."""
    raise ValueError(f"{name} is not a JSON value")


def read_documents(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """Yield (line number, document or None, error or None); a bad line never stops the file."""
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            if len(raw) > MAX_LINE_BYTES:
                yield lineno, None, f"line longer than {MAX_LINE_BYTES} bytes"
                continue
            line = raw.strip()
            if not line:
                continue
            if lineno == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            try:
                doc = json.loads(line, parse_constant=_no_constant)
            except (json.JSONDecodeError, UnicodeDecodeError, ValueError) as exc:
                yield lineno, None, f"not JSON: {exc}"
                continue
            if not isinstance(doc, dict):
                yield lineno, None, "not a JSON object"
                continue
            yield lineno, doc, None


def import_dataset(session_factory: Callable, evidence: EvidenceStore, paths: Iterable[str | Path],
                   progress: Callable[[str], None] | None = None,
                   allowed_hosts: frozenset[str] | None = None) -> dict[str, Any]:
    """Import files; returns the run summary. ``session_factory`` is a context manager factory (session_scope).
    A document's links (``url`` fields) are kept only on ``allowed_hosts`` (default: the real portals)."""
    paths = [Path(p) for p in paths]
    for p in paths:
        if not p.is_file():
            raise FileNotFoundError(f"dataset file not found: {p}")
    counts: Counter[str] = Counter()
    errors: list[str] = []
    started = utcnow()
    with session_factory() as session:
        run = CrawlRun(source="import", kind="dataset", started_at=started, status="running",
                       counters={}, complete_lists=[], message=", ".join(str(p) for p in paths)[:2000])
        session.add(run)
        session.flush()
        run_id = run.id
    try:
        for path in paths:
            _import_file(session_factory, evidence, path, run_id, counts, errors, progress, allowed_hosts)
    except Exception as exc:  # disk full, database locked: the run says why, then the caller hears it
        _record_failure(session_factory, run_id, counts, errors, exc)
        raise
    with session_factory() as session:
        run = session.get(CrawlRun, run_id)
        run.finished_at = utcnow()
        run.status = "complete" if not errors else "partial"
        run.counters = dict(counts)
        if errors:
            run.message = ("\n".join(errors[:50]))[:10_000]
    return {"run_id": run_id, "counters": dict(counts), "errors": errors}


def _import_file(session_factory: Callable, evidence: EvidenceStore, path: Path, run_id: int,
                 counts: Counter[str], errors: list[str], progress: Callable[[str], None] | None,
                 allowed_hosts: frozenset[str] | None = None) -> None:
    """One file in batches of ``COMMIT_EVERY`` documents, each document in its own savepoint."""
    pending = 0
    with session_factory() as session:
        run = session.get(CrawlRun, run_id)
        for lineno, doc, err in read_documents(path):
            if err:
                errors.append(f"{path}:{lineno}: {err}")
                counts["errors"] += 1
                continue
            try:
                with session.begin_nested():
                    res = ingest_document(session, doc, run=run, at=utcnow(), evidence=evidence, listed=False,
                                          allowed_hosts=allowed_hosts)
            except ENVIRONMENT_ERRORS:
                raise
            except Exception as exc:  # whatever is wrong with one document, the file goes on
                errors.append(f"{path}:{lineno}: {document_problem(exc)}")
                counts["errors"] += 1
                continue
            counts["documents"] += 1
            counts["new" if res.observation.is_new else "changed" if res.observation.is_changed else "unchanged"] += 1
            pending += 1
            if pending >= COMMIT_EVERY:
                session.commit()
                pending = 0
                if progress:
                    progress(f"{path.name}: {counts['documents']} documents")


def _record_failure(session_factory: Callable, run_id: int, counts: Counter[str], errors: list[str],
                    exc: Exception) -> None:
    """Mark the import run failed with the reason; the batches committed before it stay (they are whole)."""
    try:
        with session_factory() as session:
            run = session.get(CrawlRun, run_id)
            run.finished_at = utcnow()
            run.status = "failed"
            run.counters = dict(counts)
            run.message = "\n".join([f"import stopped: {type(exc).__name__}: {exc}", *errors[:50]])[:10_000]
    except Exception:  # the same trouble (a locked database) may stop this too; the next crawl closes the run
        log.exception("could not record the failure of import run %s", run_id)
