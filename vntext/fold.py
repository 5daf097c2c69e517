"""Accent folding of Vietnamese text: one character rule, and the named variants every layer matches text with.

The rule: a character becomes the first character of its canonical decomposition (NFD), so a letter loses its
tone and vowel marks ("ế" → "e", "Ư" → "U"), and "đ"/"Đ" become "d"/"D". Every variant applies that rule (lower
case first where the variant folds case), so they agree with each other letter by letter:

* ``fold_vn``      marks removed, case kept, same length (parsers slice values from the original at match offsets);
* ``fold_lower``   marks removed and lower case, same length;
* ``fold_index``   ``fold_lower`` with every dash, quote and space-like character unified, same length (alias
                   tables of provinces and districts, and the matching keys stored in ``owners.key`` and
                   ``organisations.key``: changing it changes stored keys);
* ``fold_name``    ``fold_index`` of the NFC text with single spaces, stripped (names compared as wholes);
* ``fold_words``   ``fold_name`` reduced to its words, ``[0-9a-z]`` runs joined by single spaces;
* ``fold_case``    NFC and case folding only, marks kept (the portal's own search, which the simulator imitates);
* ``lower_keep_length``  lower case only, marks kept, same length (matching words whose marks matter: "tờ" vs "tổ").

Pass NFC text to the same-length variants (``vntext.core.normalize_vn``), so that each letter is one code point.
"""

from __future__ import annotations

import re
import unicodedata

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
_QUOTES = "\u2018\u2019\u201a\u201b\u02bc\u00b4\u0060\u2032"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033"


def _base(char: str) -> str:
    if char == "đ":
        return "d"
    if char == "Đ":
        return "D"
    return unicodedata.normalize("NFD", char)[0] if ord(char) >= 128 else char


def _lower(char: str) -> str:
    low = char.lower()
    return low if len(low) == 1 else char  # "İ".lower() is two characters: keep the length


def _index_char(char: str) -> str:
    if char in _DASHES:
        return "-"
    if char in _QUOTES:
        return "'"
    if char in _DOUBLE_QUOTES:
        return '"'
    if char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zs"):
        return " "
    return _base(_lower(char))


class _Table(dict[int, str]):
    """A str.translate table filled on first use of each character; one output character per input character."""

    def __init__(self, fold_char) -> None:
        super().__init__()
        self._fold_char = fold_char

    def __missing__(self, codepoint: int) -> str:
        folded = self[codepoint] = self._fold_char(chr(codepoint))
        return folded


_MARKS = _Table(_base)
_CASE = _Table(_lower)
_LOWER = _Table(lambda char: _base(_lower(char)))
_INDEX = _Table(_index_char)
_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold_vn(text: str) -> str:
    """Remove Vietnamese diacritics (đ→d) keeping case and length, so match offsets index the input text."""
    return text.translate(_MARKS)


def fold_lower(text: str) -> str:
    """``fold_vn`` in lower case; same length as ``text``."""
    return text.translate(_LOWER)


def fold_index(text: str) -> str:
    """Lower case, no diacritics, dashes/quotes/spaces unified; same length as ``text`` (pass NFC text)."""
    return text.translate(_INDEX)


def _nfc_single_spaced(text: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def fold_name(text: str) -> str:
    """Matching form of a name: NFC, lower case, no diacritics (đ→d), one kind of dash and quote, single spaces.
    Other punctuation is kept."""
    return _SPACES.sub(" ", fold_index(_nfc_single_spaced(text))).strip()


def fold_words(text: str) -> str:
    """The folded words of ``text``: ``[0-9a-z]`` runs separated by single spaces ("Cư M'gar" → "cu m gar")."""
    return _NON_WORD.sub(" ", fold_index(unicodedata.normalize("NFC", text))).strip()


def lower_keep_length(text: str) -> str:
    """Lower case with diacritics kept, one output character per input character."""
    return text.translate(_CASE)


def fold_case(text: str) -> str:
    """NFC and case folding, diacritics kept ("Đồng" and "ĐỒNG" match, "Dong" does not)."""
    return unicodedata.normalize("NFC", text).casefold()
