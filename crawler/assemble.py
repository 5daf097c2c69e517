"""Pure assembly of portal-dataset documents from the JSON payloads of a record's endpoints.

The spiders call it with the bodies they just fetched; ``reparse`` calls it with the bodies read back from the
evidence store, so a parser fix can be applied to everything ever captured without touching the portal.
Shape checks live here too: a payload that lost a field we rely on raises ``SchemaDrift``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from crawler.errors import SchemaDrift
from storage.kinds import RecordKind

ENVELOPE_KEYS = ("items", "rowCount")
REQUIRED_ITEM_KEYS = {
    RecordKind.DGTS_AUCTION_NOTICE: ("id", "propertyName", "publishTime1"),
    RecordKind.DGTS_SELECTION_NOTICE: ("id", "propertyName", "lastUpdated"),
    RecordKind.DGTS_SELECTION_RESULT: ("id", "propertyName", "publishTime"),
}


@dataclass(frozen=True)
class DetailPart:
    """One detail endpoint of a record kind: where it goes in the document and how to unwrap it."""

    part: str  # document key
    endpoint: str  # evidence label
    path: str
    id_param: str
    shape: str  # envelope_items | envelope_first | object | array
    extra: tuple[tuple[str, str], ...] = ()

    def params(self, record_id: int | str) -> dict[str, str]:
        return {self.id_param: str(record_id), **dict(self.extra)}


def decode_json(body: bytes, what: str) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SchemaDrift(f"{what}: body is not JSON ({exc})") from None


def check_envelope(payload: Any, what: str) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise SchemaDrift(f"{what}: expected a paging envelope object, got {type(payload).__name__}")
    missing = [k for k in ENVELOPE_KEYS if k not in payload]
    if missing:
        raise SchemaDrift(f"{what}: paging envelope lacks {', '.join(missing)} (has {', '.join(sorted(payload)[:12])})")
    if not isinstance(payload["items"], list):
        raise SchemaDrift(f"{what}: 'items' is not a list")
    return payload


def count_value(value: Any) -> int | None:
    """A count the portal sends (``rowCount``, ``pageCount``): a non-negative integer, or None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return None


def list_item_problem(kind: str, item: Any) -> str | None:
    """Why one list item cannot be crawled (it is then quarantined), or None. Only an item that names no record
    is refused here; a missing field in one item is kept as the portal sent it (``missing_item_keys`` tells drift,
    when every item of a page lacks it, from one odd item)."""
    from crawler.parsers.dgts import portal_id

    if not isinstance(item, dict):
        return f"list item is not an object ({type(item).__name__})"
    if "id" not in item:
        return "list item has no id"
    if portal_id(item["id"]) is None:
        return f"id is not a positive integer: {json.dumps(item['id'], ensure_ascii=False, default=repr)[:60]}"
    return None


def missing_item_keys(kind: str, item: Any) -> tuple[str, ...]:
    if not isinstance(item, dict):
        return ()
    return tuple(k for k in REQUIRED_ITEM_KEYS.get(kind, ("id",)) if k not in item)


def check_list_item(kind: str, item: Any, what: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise SchemaDrift(f"{what}: list item is not an object")
    missing = [k for k in REQUIRED_ITEM_KEYS.get(kind, ("id",)) if k not in item]
    if missing:
        raise SchemaDrift(f"{what}: list item lacks {', '.join(missing)} (has {', '.join(sorted(item)[:15])})")
    return item


def unwrap(part: DetailPart, payload: Any) -> Any:
    what = f"{part.path}"
    if part.shape == "envelope_items":
        if payload in (None, ""):
            return []
        return check_envelope(payload, what)["items"]
    if part.shape == "envelope_first":
        # Only `items` is relied on here: clients read items[0] and no evidence shows rowCount on this endpoint.
        if payload in (None, ""):
            return {}
        if not isinstance(payload, dict) or not isinstance(payload.get("items"), list):
            raise SchemaDrift(f"{what}: expected an object with an 'items' list")
        items = payload["items"]
        return items[0] if items else {}
    if part.shape == "array":
        if payload in (None, ""):
            return []
        if not isinstance(payload, list):
            raise SchemaDrift(f"{what}: expected a bare JSON array")
        return payload
    if payload in (None, ""):
        return {}
    if not isinstance(payload, dict):
        raise SchemaDrift(f"{what}: expected a JSON object")
    return payload


def assemble(kind: str, record_id: int, list_item: dict[str, Any], parts: dict[str, Any],
             files: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A portal-dataset document (``shared/data/README.md`` format) plus the ``files`` we downloaded."""
    doc: dict[str, Any] = {"kind": kind, "id": record_id, "list_item": list_item}
    doc.update(parts)
    if files:
        doc["files"] = files
    return doc
