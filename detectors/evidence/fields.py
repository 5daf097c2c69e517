"""The vocabulary of evidence declarations: each key's Vietnamese label and kind, code words, headline facts.

A detector declares, per rule, the fields its evidence holds (``Field``: key, label, kind, nested fields of a group,
``Phrases`` for codes and generated sentences), the headline facts of its findings (``Fact`` templates over field
paths) and where an *insufficient* finding says why (``RuleEvidence.reasons``). ``alerts.presentation`` renders
e-mails and the review site from these; ``RuleEvidence.problems`` lists what a piece of evidence holds that is not
declared (the test runs every detector over the golden fixtures and fails on any).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

Kind = Literal["text", "code", "date", "datetime", "money", "area", "id", "percent", "fraction", "count", "number",
               "ordinal", "yesno", "link", "group"]

_PLACEHOLDER = re.compile(r"\{(\w+)(?::(\w+))?\}")
_FACT_PLACEHOLDER = re.compile(r"\{\??([\w.]+)\}")
_NUMBER = r"-?\d+(?:[.,]\d+)*"
_ISO_DATE = r"\d{4}-\d{2}-\d{2}"


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    specs: Mapping[str, str | None]
    vietnamese: str


class Phrases:
    """Vietnamese words for the codes and generated English sentences a detector writes into its evidence.

    ``entries`` maps each pattern to its Vietnamese. In a pattern, ``{name}`` matches any text (inserted as
    written), ``{name:num}`` a number and ``{name:date}`` an ISO date (both inserted in Vietnamese notation by the
    renderer), ``{name:table}`` a text translated by ``tables[table]``. A pattern without placeholders is a code.
    """

    def __init__(self, entries: Mapping[str, str], tables: Mapping[str, Phrases] | None = None) -> None:
        self.entries = MappingProxyType(dict(entries))
        self.tables = MappingProxyType(dict(tables or {}))
        self._exact = {k: v for k, v in self.entries.items() if not _PLACEHOLDER.search(k)}
        self._patterns = [self._compile(k, v) for k, v in self.entries.items() if _PLACEHOLDER.search(k)]

    def _compile(self, pattern: str, vietnamese: str) -> _Pattern:
        specs: dict[str, str | None] = {}
        parts, pos = [], 0
        for m in _PLACEHOLDER.finditer(pattern):
            parts.append(re.escape(pattern[pos:m.start()]))
            name, spec = m.group(1), m.group(2)
            specs[name] = spec
            if spec is not None and spec not in ("num", "date") and spec not in self.tables:
                raise ValueError(f"{pattern!r}: no table {spec!r}")
            parts.append(f"(?P<{name}>{_NUMBER})" if spec == "num" else f"(?P<{name}>{_ISO_DATE})" if spec == "date"
                         else f"(?P<{name}>.+?)")
            pos = m.end()
        parts.append(re.escape(pattern[pos:]))
        return _Pattern(re.compile("".join(parts), re.S), specs, vietnamese)

    def render(self, text: str, fmt: Callable[[str, str], str] = lambda spec, raw: raw) -> str | None:
        """The Vietnamese of ``text`` (``fmt(spec, raw)`` writes numbers and dates), or None when no entry fits."""
        if text in self._exact:
            return self._exact[text]
        for p in self._patterns:
            m = p.regex.fullmatch(text)
            if m is None:
                continue
            values: dict[str, str] = {}
            for name, spec in p.specs.items():
                raw = m.group(name)
                if spec in ("num", "date"):
                    values[name] = fmt(spec, raw)
                elif spec is not None:
                    inner = self.tables[spec].render(raw, fmt)
                    if inner is None:
                        break
                    values[name] = inner
                else:
                    values[name] = raw
            else:
                return p.vietnamese.format(**values)
        return None

    def knows(self, text: str) -> bool:
        return self.render(text) is not None


@dataclass(frozen=True)
class Field:
    """One evidence key: its Vietnamese label and how its value is shown.

    ``many``: the value is a list of such values (or, for a group, of such objects). ``unit`` follows numbers
    ("giờ"). ``hidden``: bookkeeping kept in the finding but never shown (its inner keys are not declared).
    ``email=False``: shown on the review site, left out of e-mails. ``kind_by``: a sibling key whose value picks
    another kind (a deposit written in % next to ``deposit_unit = "%"``).
    """

    key: str
    label: str = ""
    kind: Kind = "text"
    many: bool = False
    codes: Phrases | None = None
    fields: tuple[Field, ...] = ()
    unit: str = ""
    hidden: bool = False
    email: bool = True
    kind_by: tuple[str, Mapping[str, Kind]] | None = None

    def __post_init__(self) -> None:
        if self.kind == "code" and self.codes is None:
            raise ValueError(f"{self.key}: a code field needs its Phrases")
        if (self.kind == "group") != bool(self.fields) and not self.hidden:
            raise ValueError(f"{self.key}: a group, and only a group, has fields")
        if not self.hidden and not self.label:
            raise ValueError(f"{self.key}: a shown field needs a Vietnamese label")

    def child(self, key: str) -> Field | None:
        return next((f for f in self.fields if f.key == key), None)


@dataclass(frozen=True)
class Fact:
    """One headline line, e.g. "Hết hạn nhận hồ sơ {window_end} — kết quả công bố {at}, sớm {hours_before_close}
    giờ". The first template whose placeholders (field paths, "a.b", "a.0") all have values is used; "{?key}" is
    required but not written (it tells the kinds of item apart). With ``each`` (the path of a list of objects),
    one line per item, its keys looked up first in the item, then in the evidence. ``fallback``: used only when no
    earlier fact gave a line."""

    templates: tuple[str, ...]
    each: str | None = None
    fallback: bool = False

    def placeholders(self) -> Iterator[str]:
        for t in self.templates:
            for m in _FACT_PLACEHOLDER.finditer(t):
                yield m.group(1)


def fact(*templates: str, each: str | None = None, fallback: bool = False) -> Fact:
    return Fact(tuple(templates), each, fallback)


# The detector runner adds the digests of the raw responses a finding was judged on; the review site's evidence
# viewer opens them.
RUNNER_FIELDS = (Field("raw_sha256s", hidden=True),)


@dataclass(frozen=True)
class RuleEvidence:
    """The evidence of one rule: its fields in display order, headline facts, the short form of them for a
    digest's one line (``summary``), and the paths saying why an insufficient finding could not be decided."""

    fields: tuple[Field, ...]
    facts: tuple[Fact, ...] = ()
    summary: tuple[Fact, ...] = ()
    reasons: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        all_fields = self.fields + RUNNER_FIELDS
        object.__setattr__(self, "fields", all_fields)
        keys = [f.key for f in all_fields]
        if len(keys) != len(set(keys)):
            raise ValueError(f"fields declared twice: {sorted(k for k in keys if keys.count(k) > 1)}")
        facts = self.facts + self.summary
        for path in [*self.reasons, *(p for f in facts for p in f.placeholders())]:
            if self.field_at(path) is None and not any(self.field_at(f"{x.each}.{path}") for x in facts if x.each):
                raise ValueError(f"fact or reason names an undeclared field: {path}")

    def field_at(self, path: str) -> Field | None:
        """The declared field at a dotted path ("link.notice", "problems.code"; list indexes are skipped)."""
        node: Field | None = None
        fields = self.fields
        for part in path.split("."):
            if part.isdigit():
                continue
            node = next((f for f in fields if f.key == part), None)
            if node is None:
                return None
            fields = node.fields
        return node

    def problems(self, evidence: dict[str, Any]) -> list[str]:
        """What ``evidence`` holds that this declaration does not cover: undeclared keys (at every depth that is
        shown), objects where a plain value is declared, and codes without Vietnamese words."""
        out: list[str] = []
        _check(evidence, self.fields, "", out)
        return out


def _check(obj: dict[str, Any], fields: tuple[Field, ...], prefix: str, out: list[str]) -> None:
    by_key = {f.key: f for f in fields}
    for key, value in obj.items():
        path = f"{prefix}{key}"
        f = by_key.get(str(key))
        if f is None:
            out.append(f"undeclared key {path}")
            continue
        if f.hidden or value is None:
            continue
        items = value if isinstance(value, list) else [value]
        if isinstance(value, list) and not f.many:
            out.append(f"{path}: a list, declared as one value")
        for item in items:
            if f.kind == "group":
                if isinstance(item, dict):
                    _check(item, f.fields, f"{path}.", out)
                elif item is not None:
                    out.append(f"{path}: {type(item).__name__}, declared as a group")
            elif isinstance(item, (dict, list)):
                out.append(f"{path}: {type(item).__name__}, declared as {f.kind}")
            elif f.kind == "code" and isinstance(item, str) and not f.codes.knows(item):  # type: ignore[union-attr]
                out.append(f"{path}: no Vietnamese for {item!r}")


@dataclass(frozen=True)
class Declaration:
    """A detector's evidence declaration: one ``RuleEvidence`` per rule."""

    rules: Mapping[str, RuleEvidence]

    def for_rule(self, rule: str) -> RuleEvidence | None:
        return self.rules.get(rule)


# ---------------------------------------------------------------------------------------------- constructors


def text(key: str, label: str, **kw: Any) -> Field:
    return Field(key, label, "text", **kw)


def code(key: str, label: str, codes: Phrases | Mapping[str, str], **kw: Any) -> Field:
    return Field(key, label, "code", codes=codes if isinstance(codes, Phrases) else Phrases(codes), **kw)


def day(key: str, label: str, **kw: Any) -> Field:
    return Field(key, label, "date", **kw)


def moment(key: str, label: str, **kw: Any) -> Field:
    return Field(key, label, "datetime", **kw)


def money(key: str, label: str, **kw: Any) -> Field:
    return Field(key, label, "money", **kw)


def area(key: str, label: str, **kw: Any) -> Field:
    return Field(key, label, "area", **kw)


def ident(key: str, label: str, **kw: Any) -> Field:
    return Field(key, label, "id", **kw)


def percent(key: str, label: str, **kw: Any) -> Field:
    return Field(key, label, "percent", **kw)


def fraction(key: str, label: str, **kw: Any) -> Field:
    """A share between 0 and 1, shown as a percentage."""
    return Field(key, label, "fraction", **kw)


def count(key: str, label: str, **kw: Any) -> Field:
    return Field(key, label, "count", **kw)


def number(key: str, label: str, **kw: Any) -> Field:
    return Field(key, label, "number", **kw)


def ordinal(key: str, label: str, **kw: Any) -> Field:
    """A position counted from 0 in the data, shown counted from 1."""
    return Field(key, label, "ordinal", **kw)


def yesno(key: str, label: str, **kw: Any) -> Field:
    return Field(key, label, "yesno", **kw)


def link(key: str, label: str, **kw: Any) -> Field:
    """A URL; shown as a link labelled ``label`` when it is one of the portals' own pages."""
    return Field(key, label, "link", **kw)


def group(key: str, label: str, *fields: Field, many: bool = False, **kw: Any) -> Field:
    return Field(key, label, "group", many=many, fields=tuple(fields), **kw)


def hidden(*keys: str) -> tuple[Field, ...]:
    return tuple(Field(k, hidden=True) for k in keys)


__all__ = ["Declaration", "Fact", "Field", "Kind", "Phrases", "RuleEvidence", "RUNNER_FIELDS", "area", "code",
           "count", "day", "fact", "fraction", "group", "hidden", "ident", "link", "money", "moment", "number",
           "ordinal", "percent", "text", "yesno"]
