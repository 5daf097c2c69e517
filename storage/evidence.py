"""Content-addressed evidence store: raw response bodies and attachments, on disk, keyed by SHA-256.

Layout: ``<root>/<aa>/<bb>/<sha256>``. Writes go to a temporary file in the same folder and are renamed into
place, so a crash never leaves a half-written blob under a valid name, and storing the same bytes twice is free.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


class EvidenceError(RuntimeError):
    """The evidence store could not write or read a blob (disk full, permissions, corrupted blob)."""


def atomic_write_bytes(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` so it appears whole or not at all (temp file, fsync, rename)."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class EvidenceStore:
    """Immutable blobs addressed by their SHA-256."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def path_for(self, digest: str) -> Path:
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise EvidenceError(f"not a SHA-256 hex digest: {digest!r}")
        return self.root / digest[:2] / digest[2:4] / digest

    def put(self, data: bytes) -> str:
        """Store ``data`` and return its SHA-256; idempotent."""
        digest = sha256_hex(data)
        target = self.path_for(digest)
        if target.exists():
            return digest
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(target, data)
        except OSError as exc:
            raise EvidenceError(f"cannot store evidence blob {digest} under {self.root}: {exc}") from exc
        return digest

    def get(self, digest: str) -> bytes:
        """Read a blob back and verify it still hashes to its name."""
        path = self.path_for(digest)
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise EvidenceError(f"evidence blob {digest} is missing from {self.root}") from exc
        if sha256_hex(data) != digest:
            raise EvidenceError(f"evidence blob {digest} is corrupted (hash mismatch)")
        return data

    def exists(self, digest: str) -> bool:
        return self.path_for(digest).exists()
