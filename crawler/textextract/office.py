"""Word files inside the extraction worker: DOCX via python-docx (after the zip-bomb check), DOC via antiword, RTF."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from crawler.textextract.ocr import BudgetExhausted, Deadline
from crawler.textextract.result import ExtractResult, failure
from crawler.textextract.rtf import rtf_to_text
from crawler.textextract.zipguard import ZipLimits, check_zip

# argv builders for the .doc converters, in order of preference.
_DOC_TOOLS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("antiword", ("antiword", "-m", "UTF-8.txt", "-w", "0")),
    ("catdoc", ("catdoc", "-d", "utf-8", "-w")),
)


def _cells_text(row) -> list[str]:
    cells: list[str] = []
    seen = set()
    for cell in row.cells:
        if id(cell._tc) in seen:  # a merged cell is returned once per grid column it spans
            continue
        seen.add(id(cell._tc))
        cells.append(" ".join(_block_lines(cell)))
    return cells


def _block_lines(container) -> list[str]:
    from docx.table import Table

    lines: list[str] = []
    for block in container.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(" | ".join(_cells_text(row)) for row in block.rows)
        else:
            lines.append(block.text)
    return lines


def extract_docx(path: Path, limits: ZipLimits) -> ExtractResult:
    check_zip(path, limits)
    import docx

    document = docx.Document(str(path))
    lines = _block_lines(document)
    for section in document.sections:
        for part in (section.header, section.footer):
            if not part.is_linked_to_previous:
                lines.extend(_block_lines(part))
    return ExtractResult(text="\n".join(lines), method="python-docx", status="ok", error=None, pages=None)


def extract_doc(path: Path, deadline: Deadline) -> ExtractResult:
    with path.open("rb") as handle:
        head = handle.read(64).lstrip()
    if head.startswith(b"{\\rtf"):
        return ExtractResult(text=rtf_to_text(path.read_bytes()), method="rtf", status="ok", error=None, pages=None)
    tools = [(name, argv) for name, argv in _DOC_TOOLS if shutil.which(argv[0])]
    if not tools:
        return failure("unsupported", "no .doc converter installed: install antiword (Debian) or catdoc", method="none")
    errors: list[str] = []
    for name, argv in tools:
        try:
            proc = subprocess.run([*argv, str(path)], capture_output=True, timeout=deadline.require())
        except subprocess.TimeoutExpired as exc:
            raise BudgetExhausted(f"{name} exceeded the time budget") from exc
        text = proc.stdout.decode("utf-8", "replace")
        if proc.returncode == 0 and text.strip():
            return ExtractResult(text=text, method=name, status="ok", error=None, pages=None)
        detail = proc.stderr.decode("utf-8", "replace").strip()[-300:] or "no output"
        errors.append(f"{name} exit {proc.returncode}: {detail}")
    return failure("failed", "; ".join(errors), method=tools[0][0])
