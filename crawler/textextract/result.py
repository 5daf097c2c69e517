"""The outcome of one extraction and the text normalisation every extractor applies."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any, Literal

Status = Literal["ok", "empty", "partial", "too_large", "timeout", "failed", "unsupported", "ocr"]
STATUSES = frozenset({"ok", "empty", "partial", "too_large", "timeout", "failed", "unsupported", "ocr"})

_INLINE_SPACE = re.compile(r"[^\S\n]+")
_DROPPED = {cp: None for cp in (*range(0, 9), 11, *range(14, 32), 127, 0x200B, 0xFEFF, 0x00AD)}


@dataclass(frozen=True)
class ExtractResult:
    """Text pulled from an attachment; `status` says how far extraction got, `error` why it stopped or what was cut."""

    text: str
    method: str
    status: Status
    error: str | None
    pages: int | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ExtractResult:
        status = raw.get("status")
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        pages = raw.get("pages")
        error = raw.get("error")
        return cls(
            text=str(raw.get("text") or ""),
            method=str(raw.get("method") or "none"),
            status=status,
            error=None if error is None else str(error),
            pages=None if pages is None else int(pages),
        )


def failure(status: Status, error: str, *, method: str = "none", pages: int | None = None) -> ExtractResult:
    return ExtractResult(text="", method=method, status=status, error=error, pages=pages)


def normalize_text(text: str) -> str:
    """NFC, unified newlines, control characters dropped, whitespace collapsed per line, at most one blank line."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("\v", "\n")
    text = text.translate(_DROPPED)
    lines: list[str] = []
    for line in text.split("\n"):
        line = _INLINE_SPACE.sub(" ", line).strip()
        if line or (lines and lines[-1]):
            lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def content_chars(text: str) -> int:
    """Letters and digits: a scanned page's stray stamp or page number does not count as a text layer."""
    return sum(1 for ch in text if ch.isalnum())
