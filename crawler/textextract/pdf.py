"""PDF text inside the extraction worker: the pypdf text layer, OCR for pages whose layer is empty or negligible."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from crawler.textextract.ocr import BudgetExhausted, Deadline, OcrUnavailable, ocr_pdf_page, page_dpi, require_ocr
from crawler.textextract.result import ExtractResult, content_chars, failure

# A page with fewer letters/digits than this is treated as scanned (a signature stamp or a page number is not a layer).
SCANNED_PAGE_CHARS = 40


@dataclass(frozen=True)
class PdfJob:
    max_pages: int
    max_chars: int
    ocr: bool
    ocr_lang: str
    max_ocr_pages: int
    ocr_dpi: int


def _read_layer(
    reader, limit: int, max_chars: int, deadline: Deadline, notes: list[str]
) -> tuple[list[str], list[str]]:
    texts: list[str] = []
    errors: list[str] = []
    total_chars = 0
    for index in range(limit):
        if deadline.remaining() < 0.1:
            if index == 0:
                raise BudgetExhausted("time budget exhausted before the first page was read")
            notes.append(f"text layer read for {index} pages before the time budget ran out")
            break
        try:
            text = reader.pages[index].extract_text() or ""
        except Exception as exc:  # one broken page must not lose the others
            if type(exc).__name__ == "LimitReachedError":
                raise
            errors.append(f"page {index + 1}: {type(exc).__name__}: {exc}"[:200])
            text = ""
        texts.append(text)
        total_chars += len(text)
        if total_chars > max_chars:
            notes.append(f"stopped after page {index + 1}: {max_chars} characters reached")
            break
    return texts, errors


def _page_size(reader, index: int) -> tuple[float, float]:
    try:
        box = reader.pages[index].mediabox
        return float(box.width), float(box.height)
    except Exception:
        return 0.0, 0.0


def _ocr_pages(path: Path, reader, pages: list[int], job: PdfJob, workdir: Path, deadline: Deadline,
               notes: list[str]) -> tuple[dict[int, str], bool]:
    """OCR the given pages; returns the texts and whether the time budget cut the run short."""
    results: dict[int, str] = {}
    slowest = 0.0
    for done, index in enumerate(pages):
        if deadline.remaining() < slowest * 1.2 + 0.5:
            notes.append(f"OCR stopped after {done} of {len(pages)} pages: time budget")
            return results, True
        started = time.time()
        dpi = page_dpi(*_page_size(reader, index), job.ocr_dpi)
        try:
            results[index] = ocr_pdf_page(path, index, dpi, job.ocr_lang, workdir, deadline)
        except BudgetExhausted:
            notes.append(f"OCR stopped after {done} of {len(pages)} pages: time budget")
            return results, True
        except RuntimeError as exc:
            notes.append(f"OCR of page {index + 1} failed: {exc}"[:300])
        slowest = max(slowest, time.time() - started)
    return results, False


def extract_pdf(path: Path, job: PdfJob, workdir: Path, deadline: Deadline) -> ExtractResult:
    from pypdf import PdfReader

    reader = PdfReader(str(path), strict=False)
    if reader.is_encrypted:
        try:
            unlocked = reader.decrypt("")
        except Exception as exc:
            return failure("failed", f"encrypted PDF: {type(exc).__name__}: {exc}", method="pypdf")
        if not unlocked:
            return failure("failed", "PDF needs a user password", method="pypdf")
    total = len(reader.pages)
    if total == 0:
        return failure("failed", "PDF has no pages", method="pypdf", pages=0)

    notes: list[str] = []
    limit = min(total, job.max_pages)
    if limit < total:
        notes.append(f"only the first {limit} of {total} pages were read")
    texts, page_errors = _read_layer(reader, limit, job.max_chars, deadline, notes)
    notes.extend(page_errors[:3])

    method, status, out_of_time = "pypdf", "ok", False
    scanned = [i for i, text in enumerate(texts) if content_chars(text) < SCANNED_PAGE_CHARS]
    ocr_read: set[int] = set()
    if scanned and job.ocr:
        try:
            require_ocr(job.ocr_lang, for_pdf=True)
        except OcrUnavailable as exc:
            notes.append(f"OCR unavailable: {exc}")
        else:
            if len(scanned) > job.max_ocr_pages:
                notes.append(f"OCR limited to {job.max_ocr_pages} of {len(scanned)} scanned pages")
            chosen = scanned[: job.max_ocr_pages]
            ocr_texts, out_of_time = _ocr_pages(path, reader, chosen, job, workdir, deadline, notes)
            ocr_read = set(ocr_texts)
            for index, text in ocr_texts.items():
                if content_chars(text) > content_chars(texts[index]):
                    texts[index] = text
                    method, status = "pypdf+tesseract", "ocr"
    elif scanned:
        notes.append("OCR is disabled")

    if len(page_errors) == len(texts) and status != "ocr":
        return failure("failed", "; ".join(page_errors[:3]) or "no page could be read", method="pypdf", pages=total)
    text = "\n\n".join(texts)
    unread_scans = [i for i in scanned if i not in ocr_read]
    if unread_scans or len(texts) < total or page_errors:
        # Part of the file was not read: what its text does not say may be on the unread pages.
        if unread_scans:
            notes.insert(0, f"{len(unread_scans)} scanned page(s) without text were not read by OCR")
        if out_of_time and content_chars(text) == 0:
            return ExtractResult(text=text, method=method, status="timeout", error="; ".join(notes), pages=total)
        return ExtractResult(text=text, method=method, status="partial", error="; ".join(notes), pages=total)
    if status == "ok" and content_chars(text) < SCANNED_PAGE_CHARS * max(len(texts), 1):
        status = "empty"
        notes.insert(0, "text layer and OCR found no text")
    return ExtractResult(text=text, method=method, status=status, error="; ".join(notes) or None, pages=total)
