"""Renders the fully commented default configuration file written by ``auction-monitor init``.

The file is generated from the settings models, so it can never drift from the defaults in code; a test loads
the rendered file back and compares it with ``Settings()``.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from pydantic import BaseModel

from service.config import Settings

HEADER = """\
# auction-monitor configuration.
# Every key below is shown with its default value; delete a line to keep the default.
# Unknown keys are errors. Secrets never go here: the SMTP password is read from the environment
# variable named by alerts.smtp.password_env, the review site's secret key from the one named by
# web.secret_key_env.
"""


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        items = [toml_value(v) for v in value]
        one_line = "[" + ", ".join(items) + "]"
        if len(one_line) <= 100:
            return one_line
        return "[\n" + "".join(f"  {i},\n" for i in items) + "]"
    raise TypeError(f"cannot render {type(value).__name__} as TOML")


def _render_section(model: BaseModel, table: str, out: list[str]) -> None:
    nested: list[tuple[str, BaseModel]] = []
    out.append(f"\n[{table}]")
    for name, field in type(model).model_fields.items():
        if field.exclude:
            continue
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            nested.append((name, value))
            continue
        if isinstance(value, list) and value and isinstance(value[0], BaseModel):
            continue
        if name == "recipients":
            continue
        if field.description:
            out.append(f"# {field.description}")
        if value is None:
            out.append(f"# {name} =   (unset)")
        else:
            out.append(f"{name} = {toml_value(value)}")
    if table == "alerts":
        out.append(RECIPIENT_EXAMPLE)
    for name, sub in nested:
        _render_section(sub, f"{table}.{name}", out)


RECIPIENT_EXAMPLE = """\
# Officers, one [[alerts.recipients]] table each. A finding goes to the officer of its owner's province
# (old province and district names are mapped to the 34 post-2025 provinces); anything unmatched goes to the monitor.
# [[alerts.recipients]]
# name = "Nguyễn Văn A"
# email = "a.nguyen@example.gov.vn"
# role = "provincial_officer"
# provinces = ["TP. Hồ Chí Minh", "Tây Ninh"]
# owners = []          # optional: owner offices (substring of the normalised name)
# detectors = []       # optional: only these detectors"""


def render_default_config() -> str:
    from detectors.registry import default_settings_sections

    settings = Settings()
    out: list[str] = [HEADER]
    for name, field in Settings.model_fields.items():
        value = getattr(settings, name)
        if isinstance(value, BaseModel):
            _render_section(value, name, out)
    out.append("\n# Detectors: a [detectors.<name>] section enables that detector; remove it to disable.")
    for det_name, model in default_settings_sections().items():
        doc = (type(model).__doc__ or "").strip().splitlines()
        if doc:
            out.append(f"# {doc[0]}")
        _render_section(model, f"detectors.{det_name}", out)
    return "\n".join(out) + "\n"
