"""THADS provincial sub-site slugs and the post-2025 province each belongs to.

Slugs are province names without diacritics or spaces (``binhdinh``, ``tphochiminh``); pre-2025 provinces map
to the province they merged into, so an old sub-site's notices route to the right officer.
"""

from __future__ import annotations

from functools import lru_cache

from vntext.fold import fold_words
from vntext.provinces import PROVINCES, province_aliases


def _compact(name: str) -> str:
    return fold_words(name).replace(" ", "")


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    """Compact spellings of every province name and alias, old and new ("bariavungtau", "brvt", "tphochiminh")."""
    index = {_compact(alias): old.new_code for alias, old in province_aliases().items()}
    for p in PROVINCES:
        index[_compact(p.name)] = p.code
        index[_compact(p.code)] = p.code
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
