"""THADS provincial sub-site slugs and the post-2025 province each belongs to.

Slugs are province names without diacritics or spaces (``binhdinh``, ``tphochiminh``); pre-2025 provinces map
to the province they merged into, so an old sub-site's notices route to the right officer.
"""

from __future__ import annotations

from functools import lru_cache

from storage.admin_units import OLD_PROVINCES, PROVINCES
from storage.names import fold

ALIASES = {"tphochiminh": "tp-ho-chi-minh", "hochiminh": "tp-ho-chi-minh", "hcm": "tp-ho-chi-minh",
           "thuathienhue": "hue", "brvt": "tp-ho-chi-minh", "daklac": "dak-lak"}


def _compact(name: str) -> str:
    return "".join(ch for ch in fold(name) if ch.isalnum())


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for old in OLD_PROVINCES:
        index[_compact(old.name)] = old.new_code
    for p in PROVINCES:
        index[_compact(p.name)] = p.code
        index[_compact(p.code)] = p.code
    for alias, code in ALIASES.items():
        index[alias] = code
    return index


def site_province(slug: str) -> str | None:
    """Post-2025 province code of a sub-site slug, or None for the central site and unknown slugs."""
    if not slug:
        return None
    key = _compact(slug)
    idx = _index()
    if key in idx:
        return idx[key]
    if key.startswith("tp") and key[2:] in idx:
        return idx[key[2:]]
    return None
