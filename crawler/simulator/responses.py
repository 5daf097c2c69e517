"""The response value the simulator's route handlers return, and small constructors for it."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Any

JSON_TYPE = "application/json;charset=UTF-8"
HTML_TYPE = "text/html; charset=utf-8"


@dataclass
class Response:
    """Status, headers and either a JSON payload (`payload`, serialised late so faults can rename keys)
    or raw bytes (`body`)."""

    status: int = 200
    content_type: str = HTML_TYPE
    body: bytes = b""
    payload: Any = None
    is_json: bool = False
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> bytes:
        if self.is_json:
            return json.dumps(self.payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return self.body


def json_response(payload: Any, status: int = 200) -> Response:
    return Response(status=status, content_type=JSON_TYPE, payload=payload, is_json=True)


def html_response(text: str, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(status=status, content_type=HTML_TYPE, body=text.encode("utf-8"), headers=dict(headers or {}))


def error_page(status: int, title: str, headers: dict[str, str] | None = None) -> Response:
    safe = html.escape(title)
    page = f"<!DOCTYPE html><html><head><title>{status} {safe}</title></head><body><h1>{status} {safe}</h1></body></html>"
    return html_response(page, status=status, headers=headers)


def not_found() -> Response:
    return error_page(404, "Not Found")
