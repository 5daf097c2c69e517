"""Invalid configuration files built by hypothesis (wrong types at real keys, unknown keys at every depth, tables
replaced by values and values by tables, nested junk, random TOML documents): loading gives a Settings object or
a ConfigError that names the file and the key, never another exception; the command line answers with one
"error:" line and exit code 2, never a traceback."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from service.config import ConfigError, Settings, load_config

SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


# ------------------------------------------------------------------------------------------------ TOML writer


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_string(str(k))} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value).__name__)


def to_toml(data: dict[str, Any]) -> str:
    return "".join(f"{_string(str(k))} = {toml_value(v)}\n" for k, v in data.items())


# ------------------------------------------------------------------------------------------------ known keys


def _paths(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for name, info in model.model_fields.items():
        if info.exclude:
            continue
        path = (*prefix, name)
        out.append(path)
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out.extend(_paths(ann, path))
    return out


def _detector_paths() -> list[tuple[str, ...]]:
    from detectors.registry import available

    out = []
    for name, cls in available().items():
        out.append(("detectors", name))
        out.extend(_paths(cls.Settings, ("detectors", name)))
    return out


KNOWN_PATHS = _paths(Settings) + _detector_paths() + [("alerts", "recipients", "0", k) for k in
                                                      ("name", "email", "role", "provinces", "owners", "detectors")]

scalars = st.one_of(
    st.booleans(), st.integers(min_value=-(2**63), max_value=2**63 - 1), st.floats(allow_nan=True),
    st.text(max_size=30), st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
    st.sampled_from(["", "none", "null", "*/5 * * *", "61 25 * * *", "Mars/Olympus", "UTC", "a@b", "a@b\r\nBcc: x",
                     "postgresql://", "nosuch://db", "sqlite:///:memory:", "../../../etc/passwd", "starttls", "-1"]),
)
junk = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) |
                    st.dictionaries(st.text(max_size=10), inner, max_size=3), max_leaves=8)
keys = st.text(min_size=0, max_size=12)


def set_path(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    """Set ``value`` at ``path``, turning whatever is in the way into tables (or the recipients list)."""
    node: Any = data
    for part in path[:-1]:
        if isinstance(node, list):  # alerts.recipients: "0" is the first officer
            index = int(part) if part.isdigit() else 0
            while len(node) <= index:
                node.append({"name": "Cán bộ", "email": "cb@example.vn"})
            if not isinstance(node[index], dict):
                node[index] = {}
            node = node[index]
            continue
        nxt = node.get(part)
        if not isinstance(nxt, dict) and not (part == "recipients" and isinstance(nxt, list)):
            nxt = [] if part == "recipients" else {}
            node[part] = nxt
        node = nxt
    if isinstance(node, list):
        node.append({path[-1]: value})
    else:
        node[path[-1]] = value


def key_label(part: str) -> str:
    """A key as error messages write it (quoted when empty or not a bare TOML key)."""
    return part if part and all(c.isalnum() or c in "_-" for c in part) else json.dumps(part, ensure_ascii=False)


@st.composite
def broken_configs(draw) -> tuple[dict[str, Any], set[str]]:
    """A configuration with 1-3 mutations; returns it and the dotted keys an error may name."""
    data: dict[str, Any] = {}
    touched: set[str] = set()
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(KNOWN_PATHS))
        how = draw(st.sampled_from(["junk", "unknown_key", "table"]))
        if how == "unknown_key":
            path = (*path[:-1], draw(keys))
            value = draw(junk)
        elif how == "table":
            value = draw(st.dictionaries(keys, junk, min_size=1, max_size=3))
        else:
            value = draw(junk)
        set_path(data, path, value)
        touched.update(key_label(part) for part in path)
    return data, touched


def check(path: Path, touched: set[str]) -> Settings | None:
    try:
        return load_config(path)
    except ConfigError as exc:
        message = str(exc)
        assert str(path) in message, message
        assert any(key in message for key in touched) or "not valid TOML" in message, (touched, message)
        return None


@SETTINGS
@given(broken_configs())
def test_broken_configuration_is_a_config_error_naming_file_and_key(tmp_path, case):
    data, touched = case
    path = tmp_path / "auction-monitor.toml"
    path.write_text(to_toml(data), encoding="utf-8")
    loaded = check(path, touched)
    if loaded is not None:  # what loads is usable: the values that matter at run time are sound
        from zoneinfo import ZoneInfo

        ZoneInfo(loaded.schedule.timezone)
        from service.scheduler import daily_trigger

        daily_trigger(loaded)
        for address in (loaded.alerts.from_address, loaded.alerts.operator_email, loaded.alerts.monitor.email):
            assert "\n" not in address and "\r" not in address


@SETTINGS
@given(st.dictionaries(keys, junk, max_size=5))
def test_random_toml_documents_never_raise_anything_else(tmp_path, data):
    path = tmp_path / "random.toml"
    path.write_text(to_toml(data), encoding="utf-8")
    check(path, {key_label(str(k)) for k in data} | {"(top level)"})


@pytest.mark.parametrize("raw", [b"\xff\xfe not utf-8", b"[alerts\nmode = ", b"a = 1\na = 2\n", b"[[portals]]\n",
                                 b"alerts = 5\n", b"alerts = [1, 2]\n", b"[alerts]\nsmtp = \"x\"\n",
                                 b"[alerts.smtp]\npassword = \"s3cret\"\n", b"detectors = 5\n",
                                 b"[detectors]\ncollusion = 3\n", "[alerts]\nmonitor = {name = \"\u0000\"}\n".encode()])
def test_malformed_files(tmp_path, raw):
    path = tmp_path / "bad.toml"
    path.write_bytes(raw)
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    assert str(path) in str(exc.value)


@pytest.mark.parametrize(("section", "values", "key"), [
    ("schedule", {"cron": "61 25 * * *"}, "schedule.cron"),
    ("schedule", {"cron": "*/5 * * *"}, "schedule.cron"),
    ("schedule", {"cron": "0 6 * * 8"}, "schedule.cron"),
    ("schedule", {"timezone": "Mars/Olympus"}, "schedule.timezone"),
    ("schedule", {"timezone": "../../../etc/localtime"}, "schedule.timezone"),
    ("alerts", {"from_address": "canhbao@moj.gov.vn\r\nBcc: x@example.com"}, "alerts.from_address"),
    ("alerts", {"operator_email": "not an address"}, "alerts.operator_email"),
    ("alerts", {"monitor": {"email": "a@b\nSubject: x"}}, "alerts.monitor.email"),
    ("database", {"url": "nosuch://db"}, "database.url"),
    ("database", {"url": "://"}, "database.url"),
])
def test_values_that_would_fail_at_run_time_fail_at_load_time(tmp_path, section, values, key):
    """A cron line, time zone, address or database URL that cannot work is refused when the file is read, not
    at 06:00 the next morning."""
    path = tmp_path / "c.toml"
    path.write_text(to_toml({section: values}), encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    assert str(path) in str(exc.value) and key in str(exc.value)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(broken_configs())
def test_the_command_line_answers_one_error_line_never_a_traceback(tmp_path, case):
    from typer.testing import CliRunner

    from service.cli import app

    data, _touched = case
    data.setdefault("database", {})
    if isinstance(data["database"], dict):
        data["database"].setdefault("url", f"sqlite:///{tmp_path / 'db.sqlite'}")
    path = tmp_path / "auction-monitor.toml"
    path.write_text(to_toml(data), encoding="utf-8")
    result = CliRunner().invoke(app, ["--config", str(path), "findings", "--format", "jsonl"])
    if result.exit_code == 0:
        return
    assert result.exit_code == 2, (result.exit_code, result.output, repr(result.exception))
    assert "Traceback" not in result.output and "error:" in result.output
