"""Refuse zip bombs (a DOCX is a zip) by reading only the central directory, before any member is inflated."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path


class ZipBombError(ValueError):
    """The archive's directory promises more data, members or compression than we accept."""


@dataclass(frozen=True)
class ZipLimits:
    max_entries: int = 5_000
    max_total_uncompressed: int = 200_000_000
    max_member_uncompressed: int = 100_000_000
    # Office XML compresses 5-30x; bombs reach 1000x. Small members are exempt (tiny files compress oddly).
    max_ratio: float = 100.0
    ratio_applies_above: int = 1_000_000


def check_zip(path: Path, limits: ZipLimits = ZipLimits()) -> int:
    """Return the total uncompressed size; raise ZipBombError or zipfile.BadZipFile.

    zipfile's readers stop at each member's declared `file_size`, so bounding the declared sizes bounds
    what python-docx can inflate later.
    """
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise ZipBombError(f"zip has {len(infos)} entries, limit {limits.max_entries}")
    total = 0
    for info in infos:
        if info.file_size > limits.max_member_uncompressed:
            raise ZipBombError(f"member {info.filename!r} inflates to {info.file_size} bytes")
        total += info.file_size
        if total > limits.max_total_uncompressed:
            raise ZipBombError(f"zip inflates to more than {limits.max_total_uncompressed} bytes")
        if info.file_size > limits.ratio_applies_above:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                raise ZipBombError(f"member {info.filename!r} has compression ratio {ratio:.0f}:1")
    return total
