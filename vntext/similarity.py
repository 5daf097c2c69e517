"""How alike two asset names, two owner names or two price lists are (the text side of linking records).

Asset names are compared with rapidfuzz ``token_set_ratio`` on their folded words with the notice boilerplate
removed ("thông báo", "lựa chọn tổ chức đấu giá", …), minus a penalty when each name carries numbers the other
lacks ("thửa 12" is not "thửa 13"). Owner names are compared on their distinctive words: the words every office of
its kind carries ("Ủy ban nhân dân xã", "Chi cục Thi hành án dân sự huyện", "TMCP") and province qualifiers are
removed. Deciding what matches what (thresholds, candidates, stored links) is the detectors' job.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz import fuzz

from vntext.fold import fold_words
from vntext.provinces import PROVINCE_ALIAS_RE

MAX_TEXT_CHARS = 4_000

_NUMBER = re.compile(r"\d+")
# Words every selection notice/result title carries; they say nothing about which asset it is.
_BOILERPLATE = re.compile(
    r"\b(?:thong bao(?: cong khai)?|ket qua|(?:viec )?lua chon|to chuc(?: hanh nghe)?|dau gia|tai san|ve viec|"
    r"doi voi|danh muc|cua|va|so|tb|la)\b"
)
_OWNER_BOILERPLATE = re.compile(
    r"\b(?:uy ban nhan dan|ubnd|hoi dong nhan dan|phong(?= (?:thi|tha) hanh an| thads)|chi cuc|cuc|tong cuc|"
    r"(?:thi|tha) hanh an(?: dan su)?|thads|cthads|ccthads|pthads|thuong mai co phan|tmcp|"
    r"chi nhanh|cn|tnhh|mot thanh vien|mtv|co phan|cp|trach nhiem huu han|"
    r"xa|phuong|thi tran|huyen|quan|thi xa|thanh pho|tp|tinh|khu vuc|kv|viet nam|cua|va|tai)\b"
)
_PROVINCE_QUALIFIER = re.compile(rf"\b(?:tinh|thanh pho|tp)\s+(?:{PROVINCE_ALIAS_RE})\b")
_ABBREVIATIONS = ((re.compile(r"\bqsdd\b"), "quyen su dung dat"), (re.compile(r"\bqsd\b"), "quyen su dung"),
                  (re.compile(r"\bbks\b"), "bien kiem soat"), (re.compile(r"\bgcn\b"), "giay chung nhan"))


@lru_cache(maxsize=65_536)
def words_of(text: str | None) -> str:
    """The folded words of a name or title (its first MAX_TEXT_CHARS characters); "" for None."""
    return fold_words((text or "")[:MAX_TEXT_CHARS])


@lru_cache(maxsize=400_000)  # every notice of a national history stays folded during one pass
def fold_asset(text: str | None) -> str:
    """Folded asset name for matching: no diacritics, no punctuation, no notice boilerplate."""
    s = fold_words((text or "")[:MAX_TEXT_CHARS])
    for pattern, repl in _ABBREVIATIONS:
        s = pattern.sub(repl, s)
    return " ".join(_BOILERPLATE.sub(" ", s).split())


@lru_cache(maxsize=65_536)
def fold_owner(name: str | None) -> str:
    """The distinctive part of an owner name: folded, without the words every office of its kind carries
    ("Ủy ban nhân dân xã", "Chi cục Thi hành án dân sự huyện", "TMCP", "Chi nhánh"); words that tell kinds
    apart (bệnh viện, công ty, ngân hàng) stay."""
    words = _PROVINCE_QUALIFIER.sub(" ", words_of(name))
    return " ".join(_OWNER_BOILERPLATE.sub(" ", words).split())


@lru_cache(maxsize=262_144)  # a few thousand owner names, compared pairwise over and over in one pass
def owner_similarity(a: str | None, b: str | None) -> float:
    """0–100 similarity of two owner names on their distinctive words (province qualifiers such as "tỉnh Khánh
    Hòa" removed); 0 when both carry numbers the other lacks ("khu vực 3" is not "khu vực 5")."""
    fa, fb = fold_owner(a), fold_owner(b)
    if not fa or not fb:
        return 100.0 if words_of(a) == words_of(b) and words_of(a) else 0.0
    na, nb = set(_NUMBER.findall(fa)), set(_NUMBER.findall(fb))
    if (na - nb) and (nb - na):
        return 0.0
    # token_set_ratio alone says 100 whenever one name's words are a subset of the other's ("Tân Phú" in
    # "Bệnh viện Tân Phú"); averaging with token_sort_ratio keeps word-order freedom without that shortcut.
    return (fuzz.token_set_ratio(fa, fb) + fuzz.token_sort_ratio(fa, fb)) / 2.0


@lru_cache(maxsize=400_000)
def _numbers(folded: str) -> frozenset[str]:
    return frozenset(_NUMBER.findall(folded))


def asset_similarity(a: str | None, b: str | None, *, base: float | None = None) -> tuple[float, list[str]]:
    """0–100 similarity of two asset names, with the reasons (number conflict) that lowered it. ``base`` is the
    token-set ratio of the two folded names when the caller computed it already."""
    fa, fb = fold_asset(a), fold_asset(b)
    if not fa or not fb:
        return 0.0, ["asset name missing"]
    score = float(fuzz.token_set_ratio(fa, fb) if base is None else base)
    notes: list[str] = []
    na, nb = _numbers(fa), _numbers(fb)
    if (na - nb) and (nb - na):
        score = max(0.0, score - 25.0)
        notes.append(f"numbers differ ({', '.join(sorted(na - nb))} vs {', '.join(sorted(nb - na))})")
    return score, notes


def prices_match(a: Sequence[float], b: Sequence[float], tolerance: float) -> bool | None:
    """True when some start price of ``a`` equals one of ``b`` within ``tolerance`` (relative); None if unknown."""
    pa = [p for p in a if p and p > 0]
    pb = [p for p in b if p and p > 0]
    if not pa or not pb:
        return None
    return any(abs(x - y) <= tolerance * max(x, y) for x in pa for y in pb)
