"""Full disks for the fault tests: a real tiny tmpfs when the tests run as root (mounted and unmounted by the
test), otherwise a module's file writes made to fail with ENOSPC after a byte quota, half-way through a write
like a real full disk. Also a launcher: ``python full_disk.py QUOTA SPEC.json`` runs a crawl child
(``crawler.runner``) whose evidence store fills up after QUOTA bytes."""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path


class SmallFs:
    """A mounted tmpfs of a given size; ``resize`` grows it in place (contents kept)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def resize(self, size: str) -> None:
        subprocess.run(["mount", "-o", f"remount,size={size}", str(self.path)], check=True, capture_output=True,
                       timeout=30)


@contextlib.contextmanager
def small_tmpfs(path: Path, size: str = "1m") -> Iterator[SmallFs | None]:
    """Mount a tmpfs of ``size`` at ``path``; yields None when that is not possible (not root, no capability)."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = False
    if os.geteuid() == 0:
        try:
            mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)],
                                     capture_output=True, timeout=30).returncode == 0
        except (OSError, subprocess.SubprocessError):
            mounted = False
    try:
        yield SmallFs(path) if mounted else None
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(path)], capture_output=True, timeout=30)


class _QuotaFile:
    """A file object whose writes fail with ENOSPC once the shared quota is used up (after a partial write)."""

    def __init__(self, fh, quota: dict[str, int]) -> None:
        self._fh, self._quota = fh, quota

    def write(self, data) -> int:
        room = max(self._quota["left"], 0)
        if len(data) > room:
            self._fh.write(data[:room])
            self._fh.flush()
            self._quota["left"] = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._quota["left"] -= len(data)
        return self._fh.write(data)

    def __getattr__(self, name):
        return getattr(self._fh, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._fh.close()


def quota_os(quota_bytes: int) -> tuple[types.SimpleNamespace, dict[str, int]]:
    """A stand-in for the ``os`` module whose ``fdopen`` files share a byte quota; patch it into a module
    (``storage.evidence.os``, ``alerts.smtp_sender.os``) to fill that module's disk only."""
    quota = {"left": quota_bytes}
    real_fdopen = os.fdopen

    def fdopen(fd, *args, **kwargs):
        return _QuotaFile(real_fdopen(fd, *args, **kwargs), quota)

    return types.SimpleNamespace(**{**vars(os), "fdopen": fdopen}), quota


if __name__ == "__main__":
    import storage.evidence

    storage.evidence.os = quota_os(int(sys.argv[1]))[0]
    from crawler.runner import main

    sys.exit(main(sys.argv[2:]))
