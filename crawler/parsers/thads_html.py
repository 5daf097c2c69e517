"""THADS portal (thads.moj.gov.vn, a SharePoint site) pages: URL canonicalisation, list pages, notice detail pages.

No real THADS notice page has been captured yet (thads-portal.md §6, §12), so the parser is defensive: it anchors on
link patterns (`…/Lists/<List>/View_Detail.aspx?ItemID=<n>`, `…/Lists/<List>/Attachments/<ItemID>/<file>`) and on
text (a dd/mm/yyyy line under the title), never on SharePoint web-part ids or CSS classes. Every page convention it
relies on is in the tables right below; correct them there when the first live page is captured.
"""

from __future__ import annotations

import html as html_lib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup, NavigableString, PageElement, Tag
from bs4.element import PreformattedString

from vntext.core import find_dates, normalize_vn
from vntext.fold import fold_lower, fold_vn

# ---------------------------------------------------------------------------------------------------------------
# Page conventions. Sources: thads-portal.md §2–§6 ([verified] URL patterns, [inferred] layout).
# ---------------------------------------------------------------------------------------------------------------
THADS_HOSTS = ("thads.moj.gov.vn",)  # links to these hosts (or to the page's own host) are portal links
ITEM_PAGES = {"view_detail.aspx": "itemid", "dispform.aspx": "id"}  # item page name → query key holding the id
LISTS_SEGMENT = "lists"  # …/Lists/<ListName>/…
ATTACHMENTS_SEGMENT = "attachments"  # …/Lists/<ListName>/Attachments/<ItemID>/<file>
PAGE_QUERY_KEY = "page"  # list paging: …/View_Detail.aspx?Page=<n> or Pages/*.aspx?Date=&Page=<n>
# First path segments that mean "central site" rather than a provincial sub-site slug.
CENTRAL_SITE_SEGMENTS = frozenset({"noidung", "lists", "pages", "sitepages", "_layouts", "_catalogs", "_vti_bin"})
# Link texts (compared without diacritics, lower case) of a "next page" control.
NEXT_PAGE_LABELS = frozenset({"trang sau", "trang tiep", "tiep", "tiep theo", "sau", "next", "»", "›", ">", ">>",
                              "tiep »", "sau »", "trang sau »", "next »"})
# Link texts that are not a title ("read more" links next to the real title link).
READ_MORE_LABELS = frozenset({"xem tiep", "xem them", "chi tiet", "xem chi tiet", "doc tiep", "xem", "...", "…",
                              "more", "read more"})
# Page chrome lines never taken as a title and dropped from body text.
CHROME_LINES = frozenset({"sign in", "dang nhap", "turn on more accessible mode", "turn off more accessible mode",
                          "skip to main content", "trang chu", "in trang", "in bai viet", "gui email", "quay lai",
                          "chia se", "share", "print", "top"})
# Words allowed on a "date line" next to the date itself ("Ngày đăng: 05/06/2026 | Lượt xem: 12").
DATE_LINE_WORDS = re.compile(
    r"ngay\s+dang|ngay\s+cap\s+nhat|ngay\s+ban\s+hanh|cap\s+nhat|dang\s+ngay|ngay|luot\s+xem|posted|created|"
    r"modified|views?|gio|luc", re.I)
DATE_LINE_MAX_CHARS = 80
# Links to files in the body that count as attachments even outside the SharePoint attachment folder.
DOCUMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".rar", ".zip", ".7z", ".xls", ".xlsx", ".jpg", ".jpeg", ".png",
                       ".tif", ".tiff")
# Elements whose content is never page text.
DROP_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "frame", "frameset", "object", "embed",
                       "svg", "math", "canvas", "input", "select", "option", "button", "textarea", "head", "link",
                       "meta", "base", "audio", "video", "source", "map", "area"})
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# ---------------------------------------------------------------------------------------------------------------

MAX_HTML_CHARS = 3_000_000
MAX_DEPTH = 200  # container tags nested deeper are dropped (text kept) before BeautifulSoup sees them
MAX_URL_CHARS = 4_096
MAX_TITLE_CHARS = 1_000
MAX_BODY_CHARS = 300_000
MAX_LIST_ITEMS = 1_000
MAX_ATTACHMENTS = 200
MAX_DATE_LINES = 50
MAX_ATTACHMENT_NAME_CHARS = 255
_ROW_CLIMB_LIMIT = 6  # every walk up the tree stops after a few levels: hostile pages nest thousands deep
_LINK_CLIMB_LIMIT = 8
_ROW_SCAN_STRINGS = 200
_FLAT_SCAN_ELEMENTS = 2_000
_RELATED_ROW_MAX_CHARS = 400
_FLAT_ROW_SCAN_CHARS = 400

BLOCK_TAGS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "tr", "table", "tbody",
                        "thead", "tfoot", "section", "article", "header", "footer", "main", "aside", "blockquote",
                        "pre", "dl", "dt", "dd", "hr", "figure", "figcaption", "caption", "center", "address",
                        "nav", "form", "fieldset", "legend", "body", "html"})
INLINE_TAGS = frozenset({"a", "span", "b", "strong", "i", "em", "u", "font", "small", "big", "sup", "sub", "label",
                         "abbr", "cite", "code", "mark", "s", "strike", "time", "nobr"})
SAFE_HTML_TAGS = frozenset({"p", "br", "div", "span", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table",
                            "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "b", "strong", "i", "em", "u",
                            "sup", "sub", "blockquote", "pre", "a", "hr"})
_CELL_TAGS = frozenset({"td", "th"})
_ROW_TAGS = frozenset({"li", "tr", "td", "dd", "dt"})

ItemKey = tuple[str, str, int]


@dataclass(slots=True)
class ListItem:
    """One row of a list page. `url` is the absolute link as found (fetch it); `canonical_url` is for identity."""

    url: str
    item_key: ItemKey
    title: str | None
    date: date | None
    canonical_url: str


@dataclass(slots=True)
class ListPage:
    items: list[ListItem]
    next_page_url: str | None


@dataclass(slots=True)
class AttachmentLink:
    """A file linked from a detail page. `name_decoded` is a display name (URL-decoded, NFC, no path separators
    or control characters); still pass it through a safe-file-name function before writing to disk."""

    url: str
    name_decoded: str
    item_id: int | None
    link_text: str | None
    in_attachments_folder: bool


@dataclass(slots=True)
class DetailPage:
    title: str | None
    dates: list[date]
    body_text: str
    body_html: str
    attachments: list[AttachmentLink] = field(default_factory=list)
    item_key: ItemKey | None = None

    @property
    def published(self) -> date | None:
        """The publication date: the first date line under the title."""
        return self.dates[0] if self.dates else None


# --------------------------------------------------------------------------------------------------- URLs


def _path_segments(path: str) -> list[str]:
    return [unquote(segment).lower() for segment in path.split("/") if segment]


def canonical_thads_url(url: str) -> str:
    """Identity form of a portal URL: https, no :443, lower-case host, path and query keys, no fragment;
    an item URL keeps only its item id (`?itemid=<n>`). Raises ValueError for a non-absolute URL."""
    parts = urlsplit(url.strip()[:MAX_URL_CHARS])
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise ValueError(f"not an absolute http(s) URL: {url[:200]!r}")
    port = parts.port
    default_port = 443 if parts.scheme.lower() == "https" else 80
    netloc = host if port in (None, 443, default_port) else f"{host}:{port}"
    segments = [quote(unquote(s).lower(), safe="-._~!$&'()*+,;=:@") for s in parts.path.split("/")]
    path = "/".join(segments) or "/"
    pairs = [(key.lower(), value) for key, value in parse_qsl(parts.query, keep_blank_values=True)]
    item_id = _item_id_from_query(parts.path, pairs)
    if item_id is not None:
        query = urlencode([(ITEM_PAGES[_path_segments(parts.path)[-1]], str(item_id))])
    else:
        query = urlencode(sorted(pairs))
    return urlunsplit(("https", netloc, path, query, ""))


def _item_id_from_query(path: str, lowered_pairs: list[tuple[str, str]]) -> int | None:
    segments = _path_segments(path)
    if not segments or segments[-1] not in ITEM_PAGES:
        return None
    wanted = ITEM_PAGES[segments[-1]]
    for key, value in lowered_pairs:
        if key == wanted and value.strip().isdigit() and len(value.strip()) <= 9:
            return int(value.strip())
    return None


def thads_item_key(url: str) -> ItemKey | None:
    """(site slug, list name, item id) of an item page or item attachment URL, lower case; site "" = central.

    Host-independent (the portal simulator serves the same paths on 127.0.0.1). None when the URL is not a
    SharePoint list item URL.
    """
    try:
        parts = urlsplit(url.strip()[:MAX_URL_CHARS])
    except ValueError:
        return None
    segments = _path_segments(parts.path)
    if LISTS_SEGMENT not in segments:
        return None
    index = segments.index(LISTS_SEGMENT)
    rest = segments[index + 1:]
    if len(rest) < 2:
        return None
    list_name = rest[0]
    item_id: int | None = None
    if rest[1] in ITEM_PAGES and len(rest) == 2:
        lowered = [(k.lower(), v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
        item_id = _item_id_from_query(parts.path, lowered)
    elif rest[1] == ATTACHMENTS_SEGMENT and len(rest) >= 3 and rest[2].isdigit() and len(rest[2]) <= 9:
        item_id = int(rest[2])
    if item_id is None:
        return None
    site = segments[0] if index > 0 and segments[0] not in CENTRAL_SITE_SEGMENTS else ""
    return site, list_name, item_id


def _site_and_list(url: str) -> tuple[str, str] | None:
    segments = _path_segments(urlsplit(url).path)
    if LISTS_SEGMENT not in segments:
        return None
    index = segments.index(LISTS_SEGMENT)
    if index + 1 >= len(segments):
        return None
    site = segments[0] if index > 0 and segments[0] not in CENTRAL_SITE_SEGMENTS else ""
    return site, segments[index + 1]


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _is_portal_host(host: str, page_host: str) -> bool:
    if not host:
        return False
    return host == page_host or any(host == h or host.endswith("." + h) for h in THADS_HOSTS)


def _resolve(href: str, page_url: str) -> str | None:
    href = href.strip()
    if not href or len(href) > MAX_URL_CHARS:
        return None
    if href.lower().startswith(("javascript:", "mailto:", "tel:", "data:", "#")):
        return None
    try:
        absolute = urljoin(page_url, href)
        scheme = urlsplit(absolute).scheme.lower()
    except ValueError:
        return None
    return absolute if scheme in ("http", "https") else None


# --------------------------------------------------------------------------------------------------- HTML helpers


# Elements with no or an optional end tag, and links: they never nest without bound, so they are not counted.
_SELF_CLOSING_OR_OPTIONAL_END = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
    "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead", "tbody", "tfoot", "colgroup", "caption",
    "rp", "rt", "html", "head", "body", "a"})  # "a" cannot nest: parsers close the previous link
_TOKEN_PATTERN = r"<!--.*?-->|<(script|style)\b.*?</\1\s*>|<(/?)([a-zA-Z][a-zA-Z0-9:-]{0,30})\b[^>]*?(/?)>"
_TOKEN_STR = re.compile(_TOKEN_PATTERN, re.S | re.I)
_TOKEN_BYTES = re.compile(_TOKEN_PATTERN.encode(), re.S | re.I)


def _limit_nesting(html: str | bytes) -> str | bytes:
    """The markup with container tags deeper than MAX_DEPTH removed (their text stays).

    BeautifulSoup's tree building costs about depth × elements, so a page of thousands of nested divs could stall
    the crawler. lxml cannot measure it either (libxml2 silently drops content below depth 256 or 2048).
    """
    pattern = _TOKEN_BYTES if isinstance(html, bytes) else _TOKEN_STR
    depth = 0
    cuts: list[tuple[int, int]] = []
    for token in pattern.finditer(html):  # type: ignore[arg-type]
        name = token.group(3)
        if not name:
            continue  # comment, script or style block
        name = name.decode("ascii", "replace").lower() if isinstance(name, bytes) else name.lower()
        if name in _SELF_CLOSING_OR_OPTIONAL_END or token.group(4):
            continue
        if token.group(2):  # end tag
            if depth > MAX_DEPTH:
                cuts.append(token.span())
            depth = max(0, depth - 1)
        else:
            depth += 1
            if depth > MAX_DEPTH:
                cuts.append(token.span())
    if not cuts:
        return html
    pieces = []
    position = 0
    for start, end in cuts:
        pieces.append(html[position:start])
        position = end
    pieces.append(html[position:])
    return html[:0].join(pieces)  # type: ignore[arg-type]


def _load(html: str | bytes) -> BeautifulSoup:
    return BeautifulSoup(_limit_nesting(html[:MAX_HTML_CHARS]), "lxml")


def _strip_invisible(soup: BeautifulSoup) -> BeautifulSoup:
    """Remove everything that is never visible page text (comments, scripts, styles, form controls, hidden nodes)
    in one pass that does not descend into removed subtrees."""
    doomed: list[PageElement] = []
    stack: list[Tag] = [soup]
    while stack:
        node = stack.pop()
        for child in node.contents:
            if isinstance(child, NavigableString):
                if isinstance(child, PreformattedString):  # comments, CDATA, doctype, processing instructions
                    doomed.append(child)
                continue
            if not isinstance(child, Tag):
                continue
            style = child.get("style")
            if ((child.name or "").lower() in DROP_TAGS or child.has_attr("hidden")
                    or (isinstance(style, str) and HIDDEN_STYLE.search(style))):
                doomed.append(child)
            else:
                stack.append(child)
    for element in doomed:
        if isinstance(element, Tag):
            element.decompose()
        else:
            element.extract()
    return soup


def _contains(ancestor: PageElement, node: PageElement) -> bool:
    """Identity containment (bs4's `==` compares markup, so two equal-looking rows would be confused)."""
    return any(parent is ancestor for parent in node.parents)


def _key_text(text: str) -> str:
    """Comparison form of a short label: folded, lower case, single spaces."""
    return " ".join(fold_lower(normalize_vn(text)).split())


def _clean_line(text: str) -> str:
    return " ".join(normalize_vn(text).split())


@dataclass(slots=True)
class _Close:
    name: str
    emit_html: bool
    block: bool


def _open_tag(tag: Tag, name: str, base_url: str) -> str:
    attrs = ""
    if name == "a":
        href = tag.get("href")
        resolved = _resolve(href, base_url) if isinstance(href, str) else None
        if resolved:
            attrs = f' href="{html_lib.escape(resolved, quote=True)}"'
    elif name in _CELL_TAGS:
        for attr in ("colspan", "rowspan"):
            value = tag.get(attr)
            if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 3:
                attrs += f' {attr}="{int(value.strip())}"'
    return f"<{name}{attrs}>"


def _render(nodes: Iterable[PageElement], base_url: str, limit: int = MAX_BODY_CHARS) -> tuple[str, str]:
    """(plain text with one line per block, whitelisted HTML) of `nodes`; iterative, so deep nesting is safe."""
    text_parts: list[str] = []
    html_parts: list[str] = []
    budget = limit
    stack: list[PageElement | _Close] = list(reversed(list(nodes)))
    while stack:
        node = stack.pop()
        if isinstance(node, _Close):
            if node.emit_html:
                html_parts.append(f"</{node.name}>")
            if node.name in _CELL_TAGS:
                text_parts.append(" | ")
            elif node.block:
                text_parts.append("\n")
            continue
        if budget <= 0:
            continue  # keep popping only to close the tags already opened
        if isinstance(node, NavigableString):
            if type(node) is not NavigableString:
                continue  # comments, CDATA, doctype, processing instructions
            piece = re.sub(r"\s+", " ", str(node))[:budget]
            budget -= len(piece)
            text_parts.append(piece)
            html_parts.append(html_lib.escape(piece, quote=False))
            continue
        if not isinstance(node, Tag):
            continue
        name = (node.name or "").lower()
        if name in DROP_TAGS:
            continue
        if name == "br":
            text_parts.append("\n")
            html_parts.append("<br>")
            continue
        block = name in BLOCK_TAGS
        emit_html = name in SAFE_HTML_TAGS
        if block:
            text_parts.append("\n")
        if emit_html:
            html_parts.append(_open_tag(node, name, base_url))
        stack.append(_Close(name, emit_html, block))
        stack.extend(reversed(node.contents))
    lines = []
    for raw_line in "".join(text_parts).split("\n"):
        line = _clean_line(raw_line).strip(" |")
        if line and _key_text(line) not in CHROME_LINES:
            lines.append(line)
    return "\n".join(lines), "".join(html_parts)


def _inline_text(node: PageElement, base_url: str) -> str:
    text, _ = _render([node], base_url, limit=MAX_TITLE_CHARS * 4)
    return _clean_line(text.replace("\n", " "))[:MAX_TITLE_CHARS]


def _short_text(node: PageElement, max_chars: int) -> str | None:
    """Collapsed text of `node`, or None as soon as it is longer than `max_chars` (cheap on big subtrees)."""
    if isinstance(node, NavigableString):
        text = _clean_line(str(node))
        return text if len(text) <= max_chars else None
    if not isinstance(node, Tag):
        return None
    pieces: list[str] = []
    size = 0
    for string in node.strings:
        if type(string) is not NavigableString:
            continue
        pieces.append(str(string))
        size += len(string.strip())
        if size > max_chars:
            return None
    text = _clean_line(" ".join(pieces))
    return text if len(text) <= max_chars else None


# --------------------------------------------------------------------------------------------------- list pages


def _item_anchor(tag: Tag, page_url: str, page_host: str) -> tuple[str, ItemKey] | None:
    href = tag.get("href")
    if not isinstance(href, str):
        return None
    absolute = _resolve(href, page_url)
    if absolute is None or not _is_portal_host(_host(absolute), page_host):
        return None
    key = thads_item_key(absolute)
    if key is None:
        return None
    segments = _path_segments(urlsplit(absolute).path)
    if segments[-1] not in ITEM_PAGES:
        return None  # attachment links are not rows
    return absolute, key


def _in_item_link(string: PageElement, keys_below: dict[int, set[ItemKey] | None]) -> bool:
    node = string.parent
    for _ in range(_LINK_CLIMB_LIMIT):
        if not isinstance(node, Tag):
            return False
        if node.name == "a" and id(node) in keys_below:
            return True
        node = node.parent
    return False


def _row_date(anchor: Tag, key: ItemKey, keys_below: dict[int, set[ItemKey] | None]) -> date | None:
    """Date of the row holding `anchor`: the smallest ancestor that holds no other item's link, else the text
    between this link and the next item's link. Dates inside link texts (a notice date in a title) are skipped."""
    row: Tag | None = None
    node = anchor
    for _ in range(_ROW_CLIMB_LIMIT):
        parent = node.parent
        if not isinstance(parent, Tag) or keys_below.get(id(parent)) != {key}:
            break
        row = node = parent
    if row is not None:
        used = 0
        for count, string in enumerate(row.strings):
            if count >= _ROW_SCAN_STRINGS or used > _FLAT_ROW_SCAN_CHARS * 4:
                return None
            if type(string) is not NavigableString or _in_item_link(string, keys_below):
                continue
            used += len(string)
            dates = find_dates(normalize_vn(str(string)))
            if dates:
                return dates[0].value
        return None
    collected = 0
    for count, element in enumerate(anchor.next_elements):
        if count >= _FLAT_SCAN_ELEMENTS or collected > _FLAT_ROW_SCAN_CHARS:
            break
        if (isinstance(element, Tag) and element.name == "a" and id(element) in keys_below
                and keys_below[id(element)] != {key}):
            break  # the next row starts
        if type(element) is NavigableString and not _in_item_link(element, keys_below):
            dates = find_dates(normalize_vn(str(element)))
            if dates:
                return dates[0].value
            collected += len(element)
    return None


def _next_page_url(soup: BeautifulSoup, page_url: str) -> str | None:
    try:
        current_canonical = canonical_thads_url(page_url)
    except ValueError:
        current_canonical = page_url
    page_parts = urlsplit(page_url)
    current_page = 1
    for key, value in parse_qsl(page_parts.query):
        if key.lower() == PAGE_QUERY_KEY and value.strip().isdigit():
            current_page = int(value.strip())
    page_path = page_parts.path.lower()
    by_rel: str | None = None
    by_number: str | None = None
    by_label: str | None = None
    for anchor in soup.find_all("a", href=True):
        href = anchor.get("href")
        target = _resolve(href, page_url) if isinstance(href, str) else None
        if target is None:
            continue
        try:
            if canonical_thads_url(target) == current_canonical:
                continue
        except ValueError:
            continue
        rel = anchor.get("rel") or []
        if by_rel is None and "next" in [r.lower() for r in rel]:
            by_rel = target
        target_parts = urlsplit(target)
        if by_number is None and target_parts.path.lower() == page_path:
            for key, value in parse_qsl(target_parts.query):
                if key.lower() == PAGE_QUERY_KEY and value.strip() == str(current_page + 1):
                    by_number = target
        label = _key_text(anchor.get_text(" ")[:60])
        title_attr = anchor.get("title")
        title_label = _key_text(title_attr[:60]) if isinstance(title_attr, str) else ""
        if by_label is None and (label in NEXT_PAGE_LABELS or title_label in NEXT_PAGE_LABELS):
            by_label = target
    return by_rel or by_number or by_label


def parse_list_page(html: str | bytes, page_url: str) -> ListPage:
    """Rows of a THADS list page: every link to `…/View_Detail.aspx?ItemID=<n>` on the portal, deduplicated by
    item key, with the dd/mm/yyyy date of its row when there is one, plus the next page's URL.

    When `page_url` names a list (`…/Lists/<List>/…`) and some rows belong to that list, rows of other lists
    (side bars, "latest news" boxes) are dropped.
    """
    soup = _strip_invisible(_load(html))
    page_host = _host(page_url)
    anchors: list[tuple[Tag, str, ItemKey]] = []
    for tag in soup.find_all("a", href=True):
        found = _item_anchor(tag, page_url, page_host)
        if found:
            anchors.append((tag, found[0], found[1]))
            if len(anchors) >= MAX_LIST_ITEMS * 3:
                break
    # For every element, the set of item keys linked below it (None once it holds two or more distinct keys).
    keys_below: dict[int, set[ItemKey] | None] = {}
    for tag, _, key in anchors:
        keys_below[id(tag)] = {key}
        for parent in tag.parents:
            current = keys_below.get(id(parent), set())
            if current is None or current == {key}:
                break  # ancestors above were already updated by an earlier link
            keys_below[id(parent)] = {key} if not current else None
    rows: dict[ItemKey, ListItem] = {}
    date_attempts: dict[ItemKey, int] = {}
    for tag, url, key in anchors:
        title = _inline_text(tag, page_url) or None
        if title and _key_text(title) in READ_MORE_LABELS:
            title = None
        if title is None and isinstance(tag.get("title"), str):
            title = _clean_line(tag["title"])[:MAX_TITLE_CHARS] or None
        existing = rows.get(key)
        if existing is None:
            if len(rows) >= MAX_LIST_ITEMS:
                continue
            rows[key] = ListItem(url, key, title, _row_date(tag, key, keys_below), canonical_thads_url(url))
            date_attempts[key] = 1
            continue
        if existing.title is None and title:
            existing.title = title
        if existing.date is None and date_attempts[key] < 3:  # a "read more" link in the same row, not a flood
            date_attempts[key] += 1
            existing.date = _row_date(tag, key, keys_below)
    items = list(rows.values())
    page_list = _site_and_list(page_url)
    if page_list is not None:
        same_list = [item for item in items if item.item_key[:2] == page_list]
        if same_list:
            items = same_list
    return ListPage(items=items, next_page_url=_next_page_url(soup, page_url))


# --------------------------------------------------------------------------------------------------- detail pages


_CLOCK_IN_LINE = re.compile(r"(?<!\d)\d{1,2}\s*(?::|h|gio)\s*\d{0,2}(?:\s*phut)?", re.I)


def _is_date_line(text: str) -> bool:
    """True for a short line that is a date plus at most labels, a time and counters ("Ngày đăng: 05/06/2026")."""
    if not text or len(text) > DATE_LINE_MAX_CHARS:
        return False
    normalized = normalize_vn(text)
    dates = find_dates(normalized)
    if not dates:
        return False
    rest = fold_vn(normalized)
    for match in reversed(dates):
        rest = rest[:match.start] + " " + rest[match.end:]
    rest = DATE_LINE_WORDS.sub(" ", _CLOCK_IN_LINE.sub(" ", rest))
    return re.fullmatch(r"[\s\d:|,.\-–/()\[\]]*", rest) is not None


def _date_line_element(string: NavigableString) -> PageElement:
    """The highest node around `string` whose whole text is still a date line."""
    node: PageElement = string
    for _ in range(_ROW_CLIMB_LIMIT):
        if not isinstance(node.parent, Tag) or node.parent.name in ("body", "html", "[document]"):
            break
        parent_text = _short_text(node.parent, DATE_LINE_MAX_CHARS)
        if parent_text is None or not _is_date_line(parent_text):
            break
        node = node.parent
    return node


def _neighbour_string(element: PageElement, *, backwards: bool) -> NavigableString | None:
    """The nearest string with letters or digits before (or after) `element`, outside `element` itself."""
    steps = element.previous_elements if backwards else element.next_elements
    for count, node in enumerate(steps):
        if count > 60:
            return None
        if type(node) is not NavigableString or (not backwards and _contains(element, node)):
            continue
        if re.search(r"\w", node):
            return node
    return None


def _links_other_item(string: PageElement, page_key: ItemKey | None, page_url: str, page_host: str) -> bool:
    node = string.parent
    for _ in range(_LINK_CLIMB_LIMIT):
        if not isinstance(node, Tag):
            return False
        if node.name == "a":
            found = _item_anchor(node, page_url, page_host)
            return found is not None and found[1] != page_key
        node = node.parent
    return False


def _is_related_row(element: PageElement, page_key: ItemKey | None, page_url: str, page_host: str) -> bool:
    """True when the date line belongs to another item ("Các thông báo khác" boxes): the text right before or
    after it is a link to another item, or its list/table row is short and holds such a link."""
    for backwards in (True, False):
        neighbour = _neighbour_string(element, backwards=backwards)
        if neighbour is not None and _links_other_item(neighbour, page_key, page_url, page_host):
            return True
    row = element.parent
    if (not isinstance(row, Tag) or row.name not in _ROW_TAGS
            or _short_text(row, _RELATED_ROW_MAX_CHARS) is None):
        return False
    for anchor in row.find_all("a", href=True, limit=20):
        found = _item_anchor(anchor, page_url, page_host)
        if found and found[1] != page_key:
            return True
    return False


def _date_lines(root: Tag, page_key: ItemKey | None, page_url: str) -> list[tuple[PageElement, date]]:
    page_host = _host(page_url)
    found: list[tuple[PageElement, date]] = []
    for string in root.find_all(string=True):
        if type(string) is not NavigableString:
            continue
        text = _clean_line(str(string))
        if not text or len(text) > DATE_LINE_MAX_CHARS or not any(ch.isdigit() for ch in text):
            continue
        if not _is_date_line(text):
            continue
        element = _date_line_element(string)
        if any(element is seen for seen, _ in found) or _is_related_row(element, page_key, page_url, page_host):
            continue
        found.append((element, find_dates(normalize_vn(text))[0].value))
        if len(found) >= MAX_DATE_LINES:
            break
    return found


def _title_before(anchor: PageElement, page_url: str) -> str | None:
    """Text of the nearest non-chrome text block before `anchor` (the title sits right above the date line)."""
    for checked, string in enumerate(anchor.find_all_previous(string=True)):
        if checked > 200:
            return None
        if type(string) is not NavigableString:
            continue
        text = _clean_line(str(string))
        if not text or _key_text(text) in CHROME_LINES or re.fullmatch(r"[\W_]+", text):
            continue
        # Widen from the string to its whole block (inline markup inside a title), never past the date line.
        block: PageElement = string
        for _ in range(_ROW_CLIMB_LIMIT):
            if not isinstance(block.parent, Tag) or block.parent.name in ("body", "html", "[document]"):
                break
            if _contains(block.parent, anchor):
                break
            block = block.parent
            if block.name not in INLINE_TAGS:
                break
        return _inline_text(block, page_url) or None
    return None


def _following_nodes(anchor: PageElement) -> list[PageElement]:
    node = anchor
    while True:
        siblings = [s for s in node.next_siblings if not (isinstance(s, NavigableString) and not s.strip())]
        if any((isinstance(s, Tag) and s.get_text(strip=True)) or isinstance(s, NavigableString) for s in siblings):
            return siblings
        parent = node.parent
        if not isinstance(parent, Tag) or parent.name in ("html", "[document]"):
            return []
        node = parent


def _first_heading(root: Tag) -> Tag | None:
    for name in ("h1", "h2", "h3"):
        for heading in root.find_all(name):
            if heading.get_text(strip=True) and _key_text(heading.get_text(" ")[:100]) not in CHROME_LINES:
                return heading
    return None


def _attachment(url: str, link_text: str | None, page_host: str) -> AttachmentLink | None:
    """An attachment when `url` is in a SharePoint attachment folder (…/Attachments/<ItemID>/<file>) or is a
    document file (DOCUMENT_EXTENSIONS) on the portal; None otherwise."""
    raw_segments = [s for s in urlsplit(url).path.split("/") if s]
    if not raw_segments:
        return None
    lowered = [unquote(s).lower() for s in raw_segments]
    item_id: int | None = None
    if ATTACHMENTS_SEGMENT in lowered:
        index = lowered.index(ATTACHMENTS_SEGMENT)
        if index + 2 < len(lowered) and lowered[index + 1].isdigit() and len(lowered[index + 1]) <= 9:
            item_id = int(lowered[index + 1])
    if item_id is None and (not lowered[-1].endswith(DOCUMENT_EXTENSIONS)
                            or not _is_portal_host(_host(url), page_host)):
        return None
    return AttachmentLink(url=url, name_decoded=_decoded_name(raw_segments[-1]), item_id=item_id,
                          link_text=link_text or None, in_attachments_folder=item_id is not None)


def _decoded_name(segment: str) -> str:
    """Display name of a URL path segment: percent-decoded, NFC, no path separators or control characters."""
    name = unicodedata.normalize("NFC", unquote(segment, errors="replace"))
    name = "".join("_" if ch in "/\\" else ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = " ".join(name.split()).lstrip(". ")
    return name[:MAX_ATTACHMENT_NAME_CHARS] or "attachment"


def _attachments(soup: BeautifulSoup, page_url: str, page_key: ItemKey | None) -> list[AttachmentLink]:
    page_host = _host(page_url)
    found: dict[str, AttachmentLink] = {}
    for anchor in soup.find_all("a", href=True):
        href = anchor.get("href")
        target = _resolve(href, page_url) if isinstance(href, str) else None
        if target is None:
            continue
        link = _attachment(target, _inline_text(anchor, page_url), page_host)
        if link is None:
            continue
        key = canonical_thads_url(target)
        if key not in found:
            found[key] = link
            if len(found) >= MAX_ATTACHMENTS:
                break
    links = list(found.values())
    if page_key is not None:
        own = [link for link in links if link.in_attachments_folder and link.item_id == page_key[2]]
        if own:
            links = own + [link for link in links if not link.in_attachments_folder]
    return links


def html_to_text(html: str | bytes, base_url: str = "") -> str:
    """Visible text of an HTML fragment or page, one line per block, table cells joined by " | ", the same
    rendering as DetailPage.body_text (so html_to_text(page.body_html) == page.body_text)."""
    soup = _strip_invisible(_load(html))
    root = soup.body or soup
    text, _ = _render(list(root.contents), base_url)
    return text


def parse_detail_page(html: str | bytes, page_url: str) -> DetailPage:
    """Title, date lines, body (text and whitelisted HTML) and attachments of a THADS item page.

    Layout assumed (thads-portal.md §6): optional "Sign In", title, a dd/mm/yyyy line, body. All date lines are
    kept in page order (the longan sample has two); the first is the publication date. Without any date line the
    first h1–h3 is the title and what follows it the body.
    """
    soup = _load(html)
    document_title = _clean_line(soup.title.get_text(" "))[:MAX_TITLE_CHARS] if soup.title else ""
    embedded = [value for tag in soup.find_all(["iframe", "embed", "object"])
                if isinstance(value := tag.get("src") or tag.get("data"), str)]
    _strip_invisible(soup)
    root = soup.body or soup
    page_key = thads_item_key(page_url)
    date_lines = _date_lines(root, page_key, page_url)
    title: str | None = None
    body_nodes: list[PageElement]
    if date_lines:
        first = date_lines[0][0]
        title = _title_before(first, page_url)
        body_nodes = _following_nodes(first)
    else:
        heading = _first_heading(root)
        if heading is not None:
            title = _inline_text(heading, page_url) or None
            body_nodes = _following_nodes(heading)
        else:
            body_nodes = list(root.contents)
    body_text, body_html = _render(body_nodes, page_url)
    attachments = _attachments(soup, page_url, page_key)
    known = {canonical_thads_url(link.url) for link in attachments}
    for src in embedded:  # PDF viewers (iframe/embed/object) pointing at an attachment
        target = _resolve(src, page_url)
        link = _attachment(target, None, _host(page_url)) if target else None
        if link and canonical_thads_url(link.url) not in known and len(attachments) < MAX_ATTACHMENTS:
            attachments.append(link)
            known.add(canonical_thads_url(link.url))
    return DetailPage(title=title or document_title or None, dates=[value for _, value in date_lines],
                      body_text=body_text, body_html=body_html, attachments=attachments, item_key=page_key)
