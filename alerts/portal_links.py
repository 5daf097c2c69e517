"""Links to the portals' own pages, labelled by what they are ("Thông báo lựa chọn", "Kết quả lựa chọn", ...).

Only an http(s) URL on one of the given hosts (by default the two real portals), without credentials, an odd port
or characters that could break out of an attribute, is ever shown as a link: nothing elsewhere passes for the
portal's page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from crawler.hosts import PORTAL_HOSTS

MAX_LINKS = 20
URL_MAX_CHARS = 2000
_DGTS_ID_RE = re.compile(r"-(\d{3,12})\.html?$")


@dataclass(frozen=True)
class PortalLink:
    label: str
    href: str


def is_portal_url(url: object, hosts: Iterable[str] = PORTAL_HOSTS) -> bool:
    """An http(s) URL on one of ``hosts``, with no credentials, odd port or control/quote characters."""
    if not isinstance(url, str) or len(url) > URL_MAX_CHARS or any(ord(c) < 33 or c in "\"'<>\\`" for c in url):
        return False
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    return (parts.scheme in ("http", "https") and (parts.hostname or "").lower().rstrip(".") in set(hosts)
            and parts.username is None and parts.password is None and port in (None, 80, 443))


def portal_link_label(url: str) -> str:
    """What the page is, from its address: a selection notice, a selection result, an auction notice."""
    parts = urlsplit(url)
    path = parts.path.lower()
    if (parts.hostname or "").startswith("thads."):
        return "Thông báo trên trang thi hành án"
    if "ket-qua-lua-chon" in path:
        return "Kết quả lựa chọn"
    if "lua-chon-to-chuc" in path:
        return "Thông báo lựa chọn"
    if "dau-gia" in path:
        return "Thông báo đấu giá"
    return "Trang trên cổng thông tin"


def portal_links(urls: object, hosts: Iterable[str] = PORTAL_HOSTS) -> list[PortalLink]:
    """The finding's links that go to the portals' own pages, each labelled; several pages of one kind carry
    their portal id ("Thông báo đấu giá 444321")."""
    hosts = frozenset(hosts)
    found: list[str] = []
    for url in urls if isinstance(urls, list) else []:
        if is_portal_url(url, hosts) and url not in found:
            found.append(url)
    found = found[:MAX_LINKS]
    labels = [portal_link_label(u) for u in found]
    out = []
    for url, label in zip(found, labels):
        m = _DGTS_ID_RE.search(urlsplit(url).path)
        if labels.count(label) > 1 and m:
            label = f"{label} {m.group(1)}"
        out.append(PortalLink(label, url))
    return out
