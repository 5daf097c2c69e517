"""Child-process entry point: set resource limits, parse one untrusted attachment, write result.json for the parent.

Run as `python -m crawler.textextract.worker JOB.json` by `crawler.textextract.sandbox`; never imported by the service.
"""

from __future__ import annotations

import json
import math
import os
import resource
import sys
from dataclasses import replace
from pathlib import Path

from crawler.textextract.ocr import BudgetExhausted, Deadline, OcrUnavailable, TooLargeError, require_ocr
from crawler.textextract.result import ExtractResult, content_chars, failure, normalize_text
from crawler.textextract.zipguard import ZipBombError, ZipLimits

RESULT_FILE = "result.json"
MAX_FILE_WRITE = 256 * 1024 * 1024
# Exceptions that third-party parsers raise when their own decompression limits trip.
_TOO_LARGE_NAMES = {"LimitReachedError", "DecompressionBombError"}


def apply_limits(memory_mb: int, timeout_s: float) -> None:
    """Limits are inherited by pdftoppm, tesseract and antiword started from here."""
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = math.ceil(timeout_s) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE_WRITE, MAX_FILE_WRITE))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_job(job: dict) -> ExtractResult:
    kind = job["kind"]
    path = Path(job["input"])
    workdir = Path(job["workdir"])
    deadline = Deadline(job["deadline"])
    if kind == "pdf":
        from crawler.textextract.pdf import PdfJob, extract_pdf

        pdf_job = PdfJob(job["max_pages"], job["max_chars"], job["ocr"], job["ocr_lang"], job["max_ocr_pages"],
                         job["ocr_dpi"])
        return extract_pdf(path, pdf_job, workdir, deadline)
    if kind == "docx":
        from crawler.textextract.office import extract_docx

        return extract_docx(path, ZipLimits(max_total_uncompressed=job["max_unzipped_bytes"]))
    if kind == "doc":
        from crawler.textextract.office import extract_doc

        return extract_doc(path, deadline)
    if kind == "html":
        from crawler.textextract.markup import extract_html

        return extract_html(path.read_bytes())
    if kind == "text":
        from crawler.textextract.markup import extract_plain

        return extract_plain(path.read_bytes())
    if kind == "image":
        from crawler.textextract.ocr import ocr_image_file

        try:
            require_ocr(job["ocr_lang"], for_pdf=False)
        except OcrUnavailable as exc:
            return failure("unsupported", f"image needs OCR: {exc}")
        text, frames = ocr_image_file(path, job["ocr_lang"], job["max_ocr_pages"], workdir, deadline)
        return ExtractResult(text=text, method="tesseract", status="ocr", error=None, pages=frames)
    return failure("unsupported", f"no extractor for kind {kind!r}")


def finish(result: ExtractResult, max_chars: int) -> ExtractResult:
    """Normalise, bound the size, and call a result with no letters or digits 'empty'."""
    text = normalize_text(result.text)
    error = result.error
    if len(text) > max_chars:
        text = text[:max_chars]
        error = "; ".join(filter(None, [error, f"text truncated to {max_chars} characters"]))
    status = result.status
    if status in ("ok", "ocr") and content_chars(text) == 0:
        status = "empty"
    return replace(result, text=text, error=error, status=status)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


def extract(job: dict) -> ExtractResult:
    try:
        return finish(run_job(job), job["max_chars"])
    except (ZipBombError, TooLargeError) as exc:
        return failure("too_large", str(exc)[:500])
    except BudgetExhausted as exc:
        return failure("timeout", str(exc))
    except MemoryError:
        return failure("failed", f"memory limit of {job['memory_mb']} MiB exceeded while parsing")
    except RecursionError as exc:
        return failure("failed", _describe(exc))
    except Exception as exc:
        if type(exc).__name__ in _TOO_LARGE_NAMES:
            return failure("too_large", _describe(exc))
        return failure("failed", _describe(exc))


def main(argv: list[str]) -> int:
    job_path = Path(argv[1])
    job = json.loads(job_path.read_text(encoding="utf-8"))
    apply_limits(job["memory_mb"], job["timeout_s"])
    result = extract(job)
    target = job_path.parent / RESULT_FILE
    partial = target.with_suffix(".tmp")
    partial.write_text(json.dumps(result.to_dict(), ensure_ascii=False), encoding="utf-8")
    os.replace(partial, target)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
