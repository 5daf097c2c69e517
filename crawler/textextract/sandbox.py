"""Parent side of text extraction: size check, type sniffing, then one child process per file with a wall-clock timeout.

Untrusted bytes are never parsed in the calling process: the worker runs with RLIMIT_AS/CPU/FSIZE, in its own
session (so a timeout kills pdftoppm and tesseract too), with a scrubbed environment and a private temp folder.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from crawler.textextract.result import ExtractResult, failure
from crawler.textextract.sniff import sniff_kind

_PACKAGE_ROOT = Path(__file__).resolve().parents[2]
_LANG = re.compile(r"^[A-Za-z_]{2,20}(\+[A-Za-z_]{2,20}){0,4}$")
_EXTRACTABLE = {"pdf", "docx", "doc", "html", "text", "image"}
_RESULT_SLACK = 64 * 1024


def _child_env(workdir: Path) -> dict[str, str]:
    """Only what the worker needs: no service secrets (SMTP, database URLs) reach code that parses hostile files."""
    python_path = os.pathsep.join(filter(None, [str(_PACKAGE_ROOT), os.environ.get("PYTHONPATH")]))
    env = {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "PYTHONPATH": python_path,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "HOME": str(workdir),
        "TMPDIR": str(workdir),
        "OMP_THREAD_LIMIT": "1",
    }
    if "TESSDATA_PREFIX" in os.environ:
        env["TESSDATA_PREFIX"] = os.environ["TESSDATA_PREFIX"]
    return env


def _wait_unreaped(pid: int, deadline: float) -> bool:
    """Wait for exit without reaping, so the process group id cannot be reused before we kill the group."""
    delay = 0.005
    while True:
        if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
            return True
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        time.sleep(min(delay, left))
        delay = min(delay * 2, 0.05)


def _stderr_tail(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            handle.seek(max(path.stat().st_size - 600, 0))
            return handle.read().decode("utf-8", "replace").strip()
    except OSError:
        return ""


def _outcome(returncode: int, workdir: Path, job: dict) -> ExtractResult:
    result_path = workdir / "result.json"
    if result_path.exists():
        if result_path.stat().st_size > job["max_chars"] * 4 + _RESULT_SLACK:
            return failure("failed", "worker result exceeds the size bound")
        try:
            return ExtractResult.from_dict(json.loads(result_path.read_text(encoding="utf-8")))
        except (ValueError, TypeError, AttributeError) as exc:
            return failure("failed", f"unreadable worker result: {exc}"[:300])
    if returncode < 0:
        sig = signal.Signals(-returncode).name if -returncode in signal.valid_signals() else str(-returncode)
        if -returncode == signal.SIGXCPU:
            return failure("timeout", f"worker exceeded its CPU limit ({sig})")
        return failure("failed", f"worker killed by {sig} (memory limit {job['memory_mb']} MiB or crash)")
    tail = _stderr_tail(workdir / "stderr.txt")
    if "MemoryError" in tail:
        return failure("failed", f"memory limit of {job['memory_mb']} MiB exceeded while parsing")
    return failure("failed", f"worker exit {returncode}: {tail[-300:] or 'no output'}")


def extract_text(
    data: bytes,
    file_name: str,
    *,
    max_bytes: int = 25_000_000,
    max_pages: int = 200,
    max_chars: int = 2_000_000,
    timeout_s: float = 60.0,
    ocr: bool = True,
    ocr_lang: str = "vie",
    max_ocr_pages: int = 20,
    ocr_dpi: int = 200,
    max_memory_mb: int = 1024,
    max_unzipped_bytes: int = 200_000_000,
) -> ExtractResult:
    """Extract NFC, whitespace-collapsed text from an untrusted attachment in a sandboxed child process.

    Status: 'ok' (text layer / document text), 'ocr' (some text came from Tesseract), 'empty', 'too_large',
    'timeout', 'failed', 'unsupported'. `error` explains failures and notes anything cut (pages, characters, OCR).
    """
    if len(data) > max_bytes:
        return failure("too_large", f"attachment is {len(data)} bytes; limit is {max_bytes}")
    if not data:
        return failure("empty", "attachment has no bytes")
    if not _LANG.match(ocr_lang):
        raise ValueError(f"invalid Tesseract language spec {ocr_lang!r}")
    kind = sniff_kind(data, file_name)
    if kind not in _EXTRACTABLE:
        return failure("unsupported", f"no text extractor for content of kind {kind!r}")
    if kind == "image" and not ocr:
        return failure("unsupported", "image attachment and OCR is disabled")

    with tempfile.TemporaryDirectory(prefix="attx-", ignore_cleanup_errors=True) as tmp:
        workdir = Path(tmp)
        input_path = workdir / "input.bin"
        input_path.write_bytes(data)
        job = {
            "kind": kind, "input": str(input_path), "workdir": str(workdir),
            "deadline": time.time() + timeout_s - min(2.0, timeout_s / 10), "timeout_s": timeout_s,
            "max_pages": max_pages, "max_chars": max_chars, "ocr": ocr, "ocr_lang": ocr_lang,
            "max_ocr_pages": min(max_ocr_pages, max_pages), "ocr_dpi": ocr_dpi,
            "memory_mb": max_memory_mb, "max_unzipped_bytes": max_unzipped_bytes,
        }
        job_path = workdir / "job.json"
        job_path.write_text(json.dumps(job), encoding="utf-8")
        return _run_worker(job_path, workdir, job, timeout_s)


def _run_worker(job_path: Path, workdir: Path, job: dict, timeout_s: float) -> ExtractResult:
    deadline = time.monotonic() + timeout_s
    with (workdir / "stderr.txt").open("wb") as stderr:
        try:
            proc = subprocess.Popen(
                # -P: the working folder holds untrusted input, keep it off sys.path.
                [sys.executable or "python3", "-P", "-m", "crawler.textextract.worker", str(job_path)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
                cwd=workdir, env=_child_env(workdir), start_new_session=True, close_fds=True,
            )
        except OSError as exc:
            return failure("failed", f"cannot start the extraction worker: {exc}")
        try:
            finished = _wait_unreaped(proc.pid, deadline)
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # the worker's helpers (tesseract, pdftoppm) go with it
            except ProcessLookupError:
                pass
            proc.wait()
    if not finished:
        return failure("timeout", f"extraction exceeded {timeout_s:g} s and was killed")
    return _outcome(proc.returncode, workdir, job)
