"""Turn untrusted attachment names (dgts `fileName`, THADS URL-encoded SharePoint paths) into safe local file names."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote

FALLBACK_STEM = "attachment"
MIN_MAX_LEN = 16

_SEPARATORS = re.compile(r"[/\\]")
_FORBIDDEN = str.maketrans({ch: "_" for ch in '<>:"|?*'})
_DOT_RUNS = re.compile(r"\.{2,}")
_SPACE_RUNS = re.compile(r"\s+")
_EXTENSION = re.compile(r"^(?P<stem>.*?)(?P<ext>\.[A-Za-z0-9]{1,10})$", re.DOTALL)
# Invisible characters that are not Unicode "C*" categories but still let a name look unlike what it is.
_INVISIBLE = {"\u00ad", "\u034f", "\u115f", "\u1160", "\u3164", "\uffa0"}

_WINDOWS_RESERVED = (
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{dev}{n}" for dev in ("COM", "LPT") for n in "0123456789¹²³"}
)


def _drop_invisible(text: str) -> str:
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if category.startswith("C") or ch in _INVISIBLE:
            # Cc controls and NUL, Cf format characters (RTL override used to fake extensions), Cs/Co/Cn.
            continue
        kept.append(" " if category in ("Zl", "Zp") else ch)
    return "".join(kept)


def _is_reserved(stem: str) -> bool:
    first = stem.split(".", 1)[0].strip(" ").upper()
    return first in _WINDOWS_RESERVED


def _trim_utf8(text: str, max_bytes: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    return encoded[:max_bytes].decode("utf-8", errors="ignore")


def safe_attachment_name(raw: str, *, max_len: int = 150) -> str:
    """Return a single safe path component for an untrusted attachment name.

    Percent-decodes once, NFC-normalises, keeps the last component for either separator, removes
    control/format characters, `..`, leading dots and dashes, Windows-reserved device names and
    `<>:"|?*`, and trims to `max_len` UTF-8 bytes while keeping the extension. Never empty.
    """
    if max_len < MIN_MAX_LEN:
        raise ValueError(f"max_len must be at least {MIN_MAX_LEN} bytes")
    name = unquote(raw or "", encoding="utf-8", errors="replace").replace("\ufffd", "_")
    name = unicodedata.normalize("NFC", name)
    name = _SEPARATORS.split(name)[-1]
    name = _drop_invisible(name).translate(_FORBIDDEN)
    name = _SPACE_RUNS.sub(" ", name)
    name = _DOT_RUNS.sub(".", name).strip(" ")

    match = _EXTENSION.match(name)
    stem, ext = (match["stem"], match["ext"]) if match else (name, "")
    stem = stem.lstrip(" .-").rstrip(" .")
    if _is_reserved(stem):
        stem = ""

    budget = max_len - len(ext.encode("utf-8"))
    stem = _trim_utf8(stem, budget).rstrip(" .")
    if not stem:
        stem = FALLBACK_STEM
    return unicodedata.normalize("NFC", stem + ext)


def safe_join(folder: Path, name: str) -> Path:
    """Join `name` under `folder`; raise ValueError if the resolved path is not strictly inside `folder`."""
    base = Path(folder).resolve()
    if not name or "\x00" in name:
        raise ValueError("empty or NUL-containing file name")
    candidate = (base / name).resolve()
    if candidate == base or not candidate.is_relative_to(base):
        raise ValueError(f"{name!r} would leave {base}")
    return candidate
