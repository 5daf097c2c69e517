"""dgts file links: `linkFile` tokens regenerated on every fetch, and downloads by token.

A token is base64(base64("<server path>;<Java Date string of the response time, ICT>")). The server path
is taken from the token stored in the document when it decodes to one, otherwise made up from the
record id and upload day (`/u01/btpdgts/files_upload/<yyyymmdd>/CTR_<18 digits>.dat`).

File entries (`detail.listFile` of auction notices; `edit_notice.listFileNotice` and
`edit_notice.property[].listFile` of selection notices) may carry the simulator-only keys
`content_b64` (the bytes) and `content_type`; they are never served in JSON, and only files that carry
`content_b64` can be downloaded (others answer 404).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import mimetypes
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import quote

from .clock import from_ms, java_date_string
from .dataset import AUCTION_NOTICE, SELECTION_NOTICE, DocumentStore, RecordKey
from .responses import Response, not_found

CONTENT_KEYS = ("content_b64", "content_type")
_PATH_PATTERN = re.compile(r"^/[\w./-]{1,300}\.dat$")


def encode_link(path: str, moment: datetime) -> str:
    inner = base64.b64encode(f"{path};{java_date_string(moment)}".encode()).decode()
    return base64.b64encode(inner.encode()).decode()


def decode_link(token: str) -> str | None:
    """Server path inside a token, or None when it is not a well-formed token."""
    cleaned = token.strip().replace(" ", "+")  # a '+' sent unencoded arrives as a space
    try:
        inner = base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True)
        text = base64.b64decode(inner + b"=" * (-len(inner) % 4), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    path = text.split(";", 1)[0]
    return path if _PATH_PATTERN.match(path) else None


def _file_sections(kind: str, document: dict[str, Any]) -> Iterator[tuple[str, list[Any]]]:
    if kind == AUCTION_NOTICE:
        files = (document.get("detail") or {}).get("listFile")
        if isinstance(files, list):
            yield "detail", files
    elif kind == SELECTION_NOTICE:
        edit_notice = document.get("edit_notice") or {}
        if isinstance(edit_notice.get("listFileNotice"), list):
            yield "notice", edit_notice["listFileNotice"]
        for position, prop in enumerate(edit_notice.get("property") or []):
            if isinstance(prop, dict) and isinstance(prop.get("listFile"), list):
                yield f"property{position}", prop["listFile"]


def _upload_day(kind: str, document: dict[str, Any]) -> str:
    item = document.get("list_item") or {}
    millis = item.get("publishTime1") if kind == AUCTION_NOTICE else item.get("lastUpdated")
    if not isinstance(millis, (int, float)) or isinstance(millis, bool):
        millis = (document.get("detail") or {}).get("genDate")
    if not isinstance(millis, (int, float)) or isinstance(millis, bool):
        return "20260101"
    return from_ms(millis).strftime("%Y%m%d")


def server_path(kind: str, key: RecordKey, document: dict[str, Any], section: str, position: int,
                entry: dict[str, Any]) -> str:
    """The stable server path of a file entry."""
    stored = entry.get("linkFile")
    if isinstance(stored, str):
        decoded = decode_link(stored)
        if decoded:
            return decoded
    seed = f"{kind}:{key}:{section}:{entry.get('idFile', position)}"
    digits = str(int(hashlib.sha256(seed.encode()).hexdigest(), 16))[:18]
    return f"/u01/btpdgts/files_upload/{_upload_day(kind, document)}/CTR_{digits}.dat"


def public_files(kind: str, key: RecordKey, document: dict[str, Any], section: str, files: list[Any],
                 moment: datetime) -> list[Any]:
    """File entries as served: content keys dropped, `linkFile` regenerated for `moment`."""
    served = []
    for position, entry in enumerate(files):
        if not isinstance(entry, dict):
            served.append(entry)
            continue
        copy = {k: v for k, v in entry.items() if k not in CONTENT_KEYS}
        copy["linkFile"] = encode_link(server_path(kind, key, document, section, position, entry), moment)
        served.append(copy)
    return served


def find_file(store: DocumentStore, kind: str, token: str, now_ms: int) -> dict[str, Any] | None:
    """The visible file entry a token points to (linear scan of visible records of a kind)."""
    wanted = decode_link(token)
    if wanted is None:
        return None
    for record, view in store.visible(kind, now_ms):
        for section, files in _file_sections(kind, view.document):
            for position, entry in enumerate(files):
                if isinstance(entry, dict) and server_path(kind, record.key, view.document, section,
                                                          position, entry) == wanted:
                    return entry
    return None


def download(store: DocumentStore, kind: str, token: str, now_ms: int) -> Response:
    entry = find_file(store, kind, token, now_ms)
    if entry is None or not isinstance(entry.get("content_b64"), str):
        return not_found()
    try:
        data = base64.b64decode(entry["content_b64"], validate=True)
    except (binascii.Error, ValueError):
        return not_found()
    name = str(entry.get("fileName") or "file.dat")
    content_type = entry.get("content_type") or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return Response(
        status=200,
        content_type=str(content_type),
        body=data,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name, safe='')}"},
    )
