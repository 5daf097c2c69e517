"""Guess an attachment's real type from its first bytes, then its extension (portals serve challenge pages as .pdf)."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

KINDS = frozenset({"pdf", "docx", "doc", "zip", "html", "image", "text", "unknown"})

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGE_MAGIC = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF87a",
    b"GIF89a",
    b"II*\x00",
    b"MM\x00*",
)
_HTML_START = re.compile(
    rb"^(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|script|meta|title|iframe|style|div|table|p|form|noscript)\b",
    re.IGNORECASE | re.DOTALL,
)
_HTML_ANYWHERE = re.compile(rb"<(?:html|body|head|script)\b", re.IGNORECASE)
_BY_EXTENSION = {
    "pdf": "pdf",
    "docx": "docx", "docm": "docx", "dotx": "docx",
    "doc": "doc", "dot": "doc", "rtf": "doc",
    "zip": "zip",
    "htm": "html", "html": "html", "xhtml": "html", "aspx": "html",
    "png": "image", "jpg": "image", "jpeg": "image", "gif": "image", "tif": "image", "tiff": "image",
    "bmp": "image", "webp": "image",
    "txt": "text", "csv": "text", "tsv": "text", "xml": "text", "json": "text", "md": "text",
}


def _extension(file_name: str) -> str:
    last = re.split(r"[/\\]", file_name or "")[-1]
    return PurePosixPath(last).suffix.lower().lstrip(".")


def _looks_like_html(head: bytes) -> bool:
    stripped = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if _HTML_START.match(stripped):
        return True
    return stripped.startswith(b"<") and _HTML_ANYWHERE.search(stripped) is not None


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4:  # a multi-byte character cut by the sniff window
            return True
    printable = sum(1 for b in head if b >= 0x20 or b in (9, 10, 13))
    return printable / len(head) > 0.97


def _zip_kind(data: bytes, ext: str) -> str:
    # Byte search, not zipfile: sniffing must not parse an untrusted archive in the calling process.
    if b"word/document.xml" in data or ext == "docx":
        return "docx"
    return "zip"


def sniff_kind(data: bytes, file_name: str) -> str:
    """Return one of KINDS: magic bytes first, then the extension, then a text heuristic."""
    head = data[:4096]
    ext = _extension(file_name)
    stripped = head.lstrip()
    pdf_at = head[:1024].find(b"%PDF-")
    if stripped.startswith(b"%PDF-") or (pdf_at >= 0 and b"<" not in head[:pdf_at]):
        return "pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(data, ext)
    if head.startswith(_OLE2) or stripped.startswith(b"{\\rtf"):
        return "doc"
    if (
        head.startswith(_IMAGE_MAGIC)
        or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
        or (head[:2] == b"BM" and head[6:10] == b"\x00\x00\x00\x00")
    ):
        return "image"
    if _looks_like_html(head):
        return "html"
    if ext in _BY_EXTENSION:
        return _BY_EXTENSION[ext]
    if _looks_like_text(head):
        return "text"
    return "unknown"
