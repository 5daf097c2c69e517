"""Plain text from RTF (Word "Rich Text", often served as .doc): Unicode escapes, code-page bytes, skipped groups."""

from __future__ import annotations

import codecs
import re

_TOKEN = re.compile(
    rb"\\(?P<word>[a-zA-Z]{1,32})(?P<arg>-?\d{1,10})? ?"
    rb"|\\'(?P<hex>[0-9a-fA-F]{2})"
    rb"|\\(?P<symbol>[^a-zA-Z'])"
    rb"|(?P<brace>[{}])"
    rb"|(?P<newline>[\r\n]+)"
    rb"|(?P<text>[^\\{}\r\n]+)",
    re.DOTALL,
)
_KINDS = ("word", "hex", "symbol", "brace", "newline", "text")
_SKIPPED_DESTINATIONS = frozenset(
    b"fonttbl colortbl stylesheet info pict object objdata header headerl headerr headerf footer footerl footerr "
    b"footerf listtable listoverridetable rsidtbl generator xmlnstbl themedata colorschememapping datastore "
    b"latentstyles pgdsctbl revtbl fldinst filetbl mmathPr private nonshppict shpinst bkmkstart bkmkend "
    b"protusertbl wgrffmtfilter userprops docvar template".split()
)
_WORD_TEXT = {
    b"par": "\n", b"line": "\n", b"sect": "\n", b"page": "\n", b"row": "\n",
    b"tab": "\t", b"cell": "\t", b"emdash": "\u2014", b"endash": "\u2013", b"bullet": "\u2022",
    b"lquote": "\u2018", b"rquote": "\u2019", b"ldblquote": "\u201c", b"rdblquote": "\u201d",
    b"emspace": " ", b"enspace": " ", b"qmspace": " ",
}
_SYMBOL_TEXT = {b"~": "\u00a0", b"_": "-", b"\\": "\\", b"{": "{", b"}": "}", b"\n": "\n", b"\r": "\n", b"\t": "\t"}


def _codec(number: int) -> str:
    name = f"cp{number}"
    try:
        codecs.lookup(name)
        return name
    except LookupError:
        return "cp1252"


def rtf_to_text(data: bytes) -> str:
    """Return the visible text of an RTF document; raises ValueError if `data` is not RTF."""
    if not data.lstrip().startswith(b"{\\rtf"):
        raise ValueError("not an RTF document")
    out: list[str] = []
    stack: list[tuple[bool, int]] = []
    skip, uc, pending, codec = False, 1, 0, "cp1252"
    group_start = False
    pos = 0
    while pos < len(data):
        match = _TOKEN.match(data, pos)
        if match is None:  # a lone trailing backslash
            break
        pos = match.end()
        kind = next(name for name in _KINDS if match[name] is not None)
        starts_group, group_start = group_start, False
        if kind == "brace":
            if match["brace"] == b"{":
                stack.append((skip, uc))
                group_start = True
            elif stack:
                skip, uc = stack.pop()
            pending = 0
        elif kind == "word":
            word, arg = match["word"], match["arg"]
            if word in _SKIPPED_DESTINATIONS and starts_group:
                skip = True
            elif word == b"bin" and arg:
                pos += max(int(arg), 0)
            elif word == b"ansicpg" and arg:
                codec = _codec(int(arg))
            elif word == b"uc" and arg:
                uc = max(int(arg), 0)
            elif word == b"u" and arg:
                if not skip:
                    out.append(chr(int(arg) % 65536))
                pending = uc
            elif not skip and word in _WORD_TEXT:
                out.append(_WORD_TEXT[word])
        elif kind == "symbol":
            symbol = match["symbol"]
            if symbol == b"*" and starts_group:
                skip = True
            elif pending:
                pending -= 1
            elif not skip and symbol in _SYMBOL_TEXT:
                out.append(_SYMBOL_TEXT[symbol])
        elif kind == "hex":
            if pending:
                pending -= 1
            elif not skip:
                out.append(bytes([int(match["hex"], 16)]).decode(codec, "replace"))
        elif kind == "text":
            chunk = match["text"]
            if pending:
                dropped = min(pending, len(chunk))
                chunk, pending = chunk[dropped:], pending - dropped
            if not skip and chunk:
                out.append(chunk.decode(codec, "replace"))
    return "".join(out)
