"""``auction-monitor import-dataset``: load portal-dataset JSONL files through the crawler's ingest path.

No HTTP is involved; every document is recorded under one ``import`` crawl run, with its snapshot and events,
exactly as if a spider had captured it. A bad line is reported with its file and line number and skipped; the
lines before and after it are kept (the run is then marked ``partial``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from crawler.ingest import DocumentError, ingest_document
from storage.evidence import EvidenceStore
from storage.models import CrawlRun
from storage.timeutil import utcnow

MAX_LINE_BYTES = 64_000_000
COMMIT_EVERY = 500


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
                doc = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                yield lineno, None, f"not JSON: {exc}"
                continue
            if not isinstance(doc, dict):
                yield lineno, None, "not a JSON object"
                continue
            yield lineno, doc, None


def import_dataset(session_factory: Callable, evidence: EvidenceStore, paths: Iterable[str | Path],
                   progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Import files; returns the run summary. ``session_factory`` is a context manager factory (session_scope)."""
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
    for path in paths:
        pending = 0
        session_cm = session_factory()
        session = session_cm.__enter__()
        try:
            run = session.get(CrawlRun, run_id)
            for lineno, doc, err in read_documents(path):
                if err:
                    errors.append(f"{path}:{lineno}: {err}")
                    counts["errors"] += 1
                    continue
                try:
                    with session.begin_nested():
                        res = ingest_document(session, doc, run=run, at=utcnow(), evidence=evidence, listed=False)
                except (DocumentError, ValueError, TypeError, KeyError) as exc:
                    errors.append(f"{path}:{lineno}: {exc}")
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
            session_cm.__exit__(None, None, None)
        except BaseException as exc:
            session_cm.__exit__(type(exc), exc, exc.__traceback__)
            raise
    with session_factory() as session:
        run = session.get(CrawlRun, run_id)
        run.finished_at = utcnow()
        run.status = "complete" if not errors else "partial"
        run.counters = dict(counts)
        if errors:
            run.message = ("\n".join(errors[:50]))[:10_000]
    return {"run_id": run_id, "counters": dict(counts), "errors": errors}
