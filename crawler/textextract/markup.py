"""HTML and plain-text attachments inside the extraction worker (challenge pages, notices saved as .htm/.txt)."""

from __future__ import annotations

from crawler.textextract.result import ExtractResult

_BLOCK_TAGS = (
    "p", "div", "br", "li", "tr", "table", "section", "article", "header", "footer", "h1", "h2", "h3", "h4", "h5",
    "h6", "ul", "ol", "blockquote", "pre", "hr", "title", "dt", "dd",
)
_CELL_TAGS = ("td", "th")
_INVISIBLE_TAGS = ("script", "style", "noscript", "template", "svg", "object", "iframe")


def extract_html(data: bytes) -> ExtractResult:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data, "lxml")
    for tag in soup(_INVISIBLE_TAGS):
        tag.decompose()
    for tag in soup(_CELL_TAGS):
        tag.insert_after("\t")
    for tag in soup(_BLOCK_TAGS):
        tag.insert_after("\n")
    return ExtractResult(text=soup.get_text(""), method="html", status="ok", error=None, pages=None)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1258 (Vietnamese Windows code page)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1258", "replace")


def extract_plain(data: bytes) -> ExtractResult:
    return ExtractResult(text=decode_text(data), method="text", status="ok", error=None, pages=None)
