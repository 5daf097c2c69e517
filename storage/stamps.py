"""Content stamps: the first 64 bits of each stored record's content hash, read for a whole record kind at once.

A detection pass over the national history mixes these into the digests of its findings (``detectors.digests``)
instead of hashing every notice again: a record's content hash changes with any field of its portal document.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Record


def from_hex(values: Iterable[str | None]) -> np.ndarray:
    """The first 64 bits of hex digests (SHA-256 strings) as ``uint64``; an empty or malformed digest is 0."""
    values = list(values)
    joined = "".join((v[:16] if v and len(v) >= 16 else "0" * 16) for v in values)
    try:
        return np.frombuffer(bytes.fromhex(joined), dtype=">u8").astype(np.uint64)
    except ValueError:  # a value that is not hex: read one at a time
        return np.array([_hex64(v) for v in values], dtype=np.uint64)


def _hex64(value: str | None) -> int:
    try:
        return int(value[:16], 16) if value and len(value) >= 16 else 0
    except ValueError:
        return 0


def content_stamps(session: Session, record_kind: str) -> dict[str, int]:
    """Record key -> content stamp of every record of this kind."""
    rows = session.execute(select(Record.record_key, func.substr(Record.content_hash, 1, 16))
                           .where(Record.record_kind == record_kind)).all()
    stamps = from_hex(r[1] for r in rows).tolist()
    return {r[0]: s for r, s in zip(rows, stamps)}


def content_stamps_by_id(session: Session, record_kind: str, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Content stamps of records whose keys are the integers ``ids`` (sorted): (stamps, known) aligned with ids;
    ``known`` is False where no record is stored (the row was written without its portal document)."""
    rows = session.execute(select(Record.record_key, func.substr(Record.content_hash, 1, 16))
                           .where(Record.record_kind == record_kind)).all()
    keys = np.fromiter((int(k) if k.isdigit() else -1 for k, _ in rows), dtype=np.int64, count=len(rows))
    stamps = from_hex(h for _, h in rows)
    stamps_out = np.zeros(len(ids), dtype=np.uint64)
    known = np.zeros(len(ids), dtype=bool)
    if len(ids) and len(keys):
        pos = np.searchsorted(ids, keys)
        ok = (keys >= 0) & (pos < len(ids))
        ok[ok] = ids[pos[ok]] == keys[ok]
        stamps_out[pos[ok]] = stamps[ok]
        known[pos[ok]] = True
    return stamps_out, known
