"""Public API for attachments: safe local names, real type sniffing and sandboxed, bounded text extraction.

The implementation lives in `crawler.textextract`; import from here.
"""

from crawler.textextract.names import safe_attachment_name, safe_join
from crawler.textextract.result import ExtractResult, Status, normalize_text
from crawler.textextract.sandbox import extract_text
from crawler.textextract.sniff import KINDS, sniff_kind

__all__ = [
    "KINDS",
    "ExtractResult",
    "Status",
    "extract_text",
    "normalize_text",
    "safe_attachment_name",
    "safe_join",
    "sniff_kind",
]
