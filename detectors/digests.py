"""Inputs digests over columns: 64-bit stamps mixed from what a result is computed from.

A finding stores the digest of its inputs (``findings.inputs_digest``). Over a national history a rule cannot hash a
document per subject on every pass, so the digest of a subject is mixed from 64-bit stamps that are already stored:
the record's content hash (``records.content_hash``, which changes with any field of the portal document), the text
layer's reading of each lot (``lot_features.inputs_sha256``, which changes with the lot's text, its attachments or the
extractor version) and the settings. Mixing is splitmix64 over numpy ``uint64`` arrays (wrapping arithmetic), so a
pass compares hundreds of thousands of digests in milliseconds.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np

from storage.stamps import from_hex  # noqa: F401  (the stored digests' 64-bit form)

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a well-spread 64-bit value for each input (``uint64`` in, ``uint64`` out)."""
    x = np.asarray(x, dtype=np.uint64)
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * _M1
        x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


def combine(*parts: np.ndarray | int) -> np.ndarray:
    """One stamp from several (order matters): arrays broadcast, integers are constants."""
    out = np.zeros((), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for p in parts:
            out = mix((out * _GOLDEN) ^ np.asarray(p, dtype=np.uint64))
    return out


def sum_by(groups: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Order-free stamp of each group's values (``groups`` are row numbers ``0 <= g < size``): the wrapping sum of
    their mixes."""
    out = np.zeros(size, dtype=np.uint64)
    with np.errstate(over="ignore"):
        np.add.at(out, groups, mix(values))
    return out


def stamp_of(*values: Any) -> int:
    """A constant's stamp (settings, versions): the first 8 bytes of the SHA-256 of its JSON."""
    blob = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str).encode()
    return int.from_bytes(hashlib.sha256(blob).digest()[:8], "big")


def to_hex(stamps: np.ndarray) -> list[str]:
    """Stamps as the 16-character strings stored in ``findings.inputs_digest``."""
    return [f"{v:016x}" for v in np.asarray(stamps, dtype=np.uint64).tolist()]
