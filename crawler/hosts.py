"""The host allow-list: which hosts' answers and links count as the portals'.

Only the hosts of the configured portal base URLs (and ``crawl.allowed_hosts``) are trusted; an answer from any
other host is never stored as the portal's, and a link to any other host is never stored or e-mailed as one.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

PORTAL_HOSTS = frozenset({"dgts.moj.gov.vn", "thads.moj.gov.vn"})


def host_of(url: object) -> str | None:
    """The lower-case host name of an absolute http(s) URL, or None."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    return host.lower().rstrip(".")


def allowed_hosts(portal_urls: Iterable[object] = (), extra: Iterable[str] = ()) -> frozenset[str]:
    """The allow-list: the hosts of these portal base URLs plus ``extra`` host names."""
    hosts = {h for h in (host_of(u) for u in portal_urls) if h}
    return frozenset(hosts | {h.lower() for h in extra})


def is_allowed(url: object, hosts: Iterable[str]) -> bool:
    """True when ``url`` is an absolute http(s) URL on one of ``hosts``."""
    host = host_of(url)
    return host is not None and host in set(hosts)
