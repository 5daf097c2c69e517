"""The one place a finding's evidence becomes Vietnamese for people: rows, headline facts, why it is undecided.

``finding_evidence_rows``, ``finding_facts`` and ``finding_reasons`` read the evidence through the declaration its
detector carries (``Detector.evidence_fields``, see ``detectors.evidence``): exactly the declared fields, in their
order, each value shown by its kind (ids verbatim, money "1.800.000.000 đ", "12,5 %", "1.250 m²", dd/mm/yyyy,
codes in Vietnamese words). E-mails leave out the fields declared ``email=False``. Keys a stored finding holds
that its declaration does not name (an older detector version) are shown after the declared ones on the review
site only, by the generic reading, which is also how detectors without a declaration are shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from alerts.portal_links import is_portal_url
from detectors.evidence.fields import Fact, Field, RuleEvidence
from storage.labels import rule_label  # noqa: F401  (re-exported for the review site)
from storage.timeutil import fmt_dmy, to_local

MAX_ROWS = 60
MAX_ITEMS = 20
MAX_FACTS = 6
VALUE_MAX_CHARS = 600


@dataclass(frozen=True)
class EvidenceRow:
    """One line of evidence as a person reads it; ``links`` are (label, href) of portal pages it names."""

    label: str
    value: str
    kind: str = "text"
    links: tuple[tuple[str, str], ...] = ()


# ------------------------------------------------------------------------------------------ values

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")
_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_FACT_RE = re.compile(r"\{(\??[\w.]+)\}")


def _bounded(text: str, limit: int = VALUE_MAX_CHARS) -> str:
    text = _CONTROL_RE.sub(" ", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def vn_number(value: float, decimals: int = 2) -> str:
    """1234567.5 -> "1.234.567,5" (dot thousands, comma decimals, no trailing zeros)."""
    value = round(float(value), decimals)
    if value.is_integer():
        return f"{int(value):,}".replace(",", ".")
    text = f"{value:,.{decimals}f}".rstrip("0").rstrip(".")
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_money(value: Any) -> str:
    """An amount in đồng: "1.800.000.000 đ"."""
    return f"{vn_number(round(float(value)))} đ"


def _parse_moment(value: Any) -> date | datetime | None:
    if isinstance(value, (datetime, date)):
        return value
    if not isinstance(value, str):
        return None
    s = value.strip()
    try:
        if _ISO_DATE_RE.match(s):
            return date.fromisoformat(s)
        if _ISO_DATETIME_RE.match(s) and len(s) <= 40:
            return datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        return None
    return None


def format_day(value: Any) -> str | None:
    """dd/mm/yyyy of a date, or of a moment's Vietnamese calendar day."""
    d = _parse_moment(value)
    if isinstance(d, datetime):
        return to_local(d).strftime("%d/%m/%Y")
    return fmt_dmy(d) if d else None


def format_moment(value: Any) -> str | None:
    """dd/mm/yyyy HH:MM in Vietnam time (dd/mm/yyyy when only the day is known)."""
    d = _parse_moment(value)
    return fmt_dmy(d) if d else None


def _spec(spec: str, raw: str) -> str:
    """How a number or date captured inside a code phrase is written."""
    if spec == "date":
        return format_day(raw) or raw
    try:
        return vn_number(float(raw.replace(",", "")))
    except ValueError:
        return raw


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _kind(f: Field, siblings: dict[str, Any] | None) -> str:
    if f.kind_by and siblings:
        key, kinds = f.kind_by
        return kinds.get(str(siblings.get(key)), f.kind)
    return f.kind


def format_one(f: Field, value: Any, siblings: dict[str, Any] | None = None, *, unit: bool = True) -> str:
    """One value of a declared field for people."""
    if is_empty(value):
        return "—"
    kind = _kind(f, siblings)
    if isinstance(value, bool) or kind == "yesno":
        return "có" if value else "không"
    text: str | None = None
    numeric = isinstance(value, (int, float)) and value == value  # not NaN
    if kind == "code" and isinstance(value, str):
        text = f.codes.render(value.strip(), _spec) if f.codes else None  # type: ignore[union-attr]
    elif kind == "date":
        text = format_day(value)
    elif kind == "datetime":
        text = format_moment(value)
    elif kind == "id":
        text = str(value)
    elif numeric and kind == "money":
        return format_money(value)
    elif numeric and kind == "area":
        return f"{vn_number(value)} m²"
    elif numeric and kind == "percent":
        text = f"{vn_number(value)}%"
    elif numeric and kind == "fraction":
        text = f"{vn_number(value * 100, 1)}%"
    elif numeric and kind in ("count", "number"):
        text = vn_number(value)
    elif numeric and kind == "ordinal":
        text = vn_number(int(value) + 1)
    elif kind == "link":
        text = f.label
    if text is None:
        text = str(value)
    if unit and f.unit and kind in ("count", "number", "ordinal"):
        text = f"{text}{'' if f.unit.startswith('/') else ' '}{f.unit}"
    return _bounded(text)


def format_field(f: Field, value: Any, siblings: dict[str, Any] | None = None, *, unit: bool = True,
                 sep: str = "; ") -> str:
    """A declared field's value: one value, or a list of them joined."""
    if isinstance(value, list):
        items = [format_one(f, v, siblings, unit=unit) for v in value[:MAX_ITEMS] if not is_empty(v)]
        more = f" (và {len(value) - MAX_ITEMS} mục khác)" if len(value) > MAX_ITEMS else ""
        return _bounded(sep.join(items) + more) if items else "—"
    return format_one(f, value, siblings, unit=unit)


def _links(f: Field, value: Any) -> tuple[tuple[str, str], ...]:
    values = value if isinstance(value, list) else [value]
    return tuple((f.label, v) for v in values if is_portal_url(v))


# ------------------------------------------------------------------------------------------ declared rows


def _shown(f: Field, email: bool) -> bool:
    return not f.hidden and (f.email or not email)


def _inline(fields: tuple[Field, ...], obj: dict[str, Any], email: bool) -> tuple[str, tuple[tuple[str, str], ...]]:
    """A small object on one line: "Sự việc: kết quả được công bố; Lúc: 23/06/2026 14:05"."""
    parts, links = [], ()
    for f in fields:
        value = obj.get(f.key)
        if not _shown(f, email) or is_empty(value):
            continue
        if f.kind == "link":
            links += _links(f, value)
            continue
        if f.kind == "group":
            inner = [_inline(f.fields, v, email)[0] for v in (value if isinstance(value, list) else [value])
                     if isinstance(v, dict)]
            text = " | ".join(t for t in inner if t)
        else:
            text = format_field(f, value, obj)
        if text and text != "—":
            parts.append(f"{f.label}: {text}")
    return _bounded("; ".join(parts)), links


def _field_rows(f: Field, value: Any, parent: dict[str, Any], label: str, email: bool,
                expand: bool) -> list[EvidenceRow]:
    """The rows of one declared field: an object expanded into "Nhóm › Mục" rows (at the top), a list of objects
    one row per item, anything else one row."""
    if f.kind == "group" and isinstance(value, dict) and expand:
        rows = []
        for sub in f.fields:
            if _shown(sub, email) and not is_empty(value.get(sub.key)):
                rows += _field_rows(sub, value[sub.key], value, f"{label} › {sub.label}", email, False)
        return rows
    if f.kind == "group":
        items = [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, dict)]
        rows = []
        for i, item in enumerate(items[:MAX_ITEMS], start=1):
            text, links = _inline(f.fields, item, email)
            rows.append(EvidenceRow(f"{label} ({i})" if len(items) > 1 else label, text or "—", "group", links))
        return rows
    return [EvidenceRow(label, format_field(f, value, parent), f.kind, _links(f, value))]


def declared_rows(evidence: dict[str, Any], rule: RuleEvidence, *, email: bool = False) -> list[EvidenceRow]:
    """Rows for the declared fields, in declaration order (absent and empty ones skipped)."""
    rows: list[EvidenceRow] = []
    for f in rule.fields:
        if _shown(f, email) and not is_empty(evidence.get(f.key)):
            rows += _field_rows(f, evidence[f.key], evidence, f.label, email, True)
    return rows[:MAX_ROWS]


def _resolve(rule: RuleEvidence, path: str, evidence: dict[str, Any], item: dict[str, Any] | None,
             each: str | None) -> str | None:
    """A placeholder's text: the item's key first, then the evidence's; None when it has no value."""
    candidates = []
    if item is not None and each:
        candidates.append((item, f"{each}.{path}"))
    candidates.append((evidence, path))
    for root, decl_path in candidates:
        f = rule.field_at(decl_path)
        if f is None:
            continue
        value: Any = root
        parent: dict[str, Any] | None = None
        for part in path.split("."):
            if isinstance(value, list) and part.isdigit():
                value = value[int(part)] if int(part) < len(value) else None
            elif isinstance(value, list):  # a key of every object of a list: the list of their values
                value = [v.get(part) for v in value if isinstance(v, dict) and not is_empty(v.get(part))]
            elif isinstance(value, dict):
                parent, value = value, value.get(part)
            else:
                value = None
        if not is_empty(value):
            return format_field(f, value, parent, unit=False, sep=", ")
    return None


def _fact_lines(rule: RuleEvidence, fact: Fact, evidence: dict[str, Any]) -> list[str]:
    items: list[dict[str, Any] | None] = [None]
    if fact.each:
        listed = evidence.get(fact.each)
        items = [v for v in listed if isinstance(v, dict)] if isinstance(listed, list) else []
    lines = []
    for item in items[:MAX_FACTS]:
        for template in fact.templates:
            values: dict[str, str] = {}
            for name in dict.fromkeys(_FACT_RE.findall(template)):
                text = _resolve(rule, name.lstrip("?"), evidence, item, fact.each)
                if text is None:
                    break
                values[name] = "" if name.startswith("?") else text
            else:
                lines.append(_FACT_RE.sub(lambda m: values[m.group(1)], template))
                break
    return lines


def facts_for(evidence: dict[str, Any], rule: RuleEvidence, facts: tuple[Fact, ...] | None = None) -> list[str]:
    """The headline facts, side by side in plain Vietnamese."""
    lines: list[str] = []
    for fact in rule.facts if facts is None else facts:
        if fact.fallback and lines:
            continue
        for line in _fact_lines(rule, fact, evidence):
            if line not in lines:
                lines.append(_bounded(line))
    return lines[:MAX_FACTS]


def reasons_for(evidence: dict[str, Any], rule: RuleEvidence) -> list[str]:
    """Why a finding could not be decided, in the detector's declared words."""
    out: list[str] = []
    for path in rule.reasons:
        head, _, tail = path.partition(".")
        f = rule.field_at(path)
        if f is None:
            continue
        value = evidence.get(head)
        values = [value] if not tail else [v.get(tail) for v in value if isinstance(v, dict)] \
            if isinstance(value, list) else [value.get(tail)] if isinstance(value, dict) else []
        for v in values:
            for one in (v if isinstance(v, list) else [v]):
                if not is_empty(one):
                    text = format_one(f, one)
                    if text not in out:
                        out.append(text)
    return out


# ------------------------------------------------------------------------------------------ entry points


@lru_cache(maxsize=64)
def declaration_for(detector: str, rule: str) -> RuleEvidence | None:
    """The declaration of ``detector``'s ``rule``, from the detector class (None when it declares none)."""
    from detectors.registry import available

    try:
        cls = available().get(detector)
    except Exception:  # a broken third-party plugin must not stop the e-mails of the others
        return None
    declaration = getattr(cls, "evidence_fields", None)
    return declaration.for_rule(rule) if declaration is not None else None


def _evidence(finding: Any) -> dict[str, Any]:
    evidence = getattr(finding, "evidence", None)
    return evidence if isinstance(evidence, dict) else {}


def _declared(finding: Any) -> RuleEvidence | None:
    return declaration_for(getattr(finding, "detector", "") or "", getattr(finding, "rule", "") or "")


def finding_evidence_rows(finding: Any, *, email: bool = False) -> list[EvidenceRow]:
    """THE entry point: a finding's evidence as Vietnamese rows (``finding`` has ``detector``, ``rule`` and
    ``evidence``). ``email=True``: the fields an e-mail shows."""
    evidence = _evidence(finding)
    rule = _declared(finding)
    if rule is None:
        return generic_rows(evidence)
    rows = declared_rows(evidence, rule, email=email)
    if not email:
        declared = {f.key for f in rule.fields}
        rows += generic_rows({k: v for k, v in evidence.items() if k not in declared})
    return rows[:MAX_ROWS]


def finding_facts(finding: Any) -> list[str]:
    """The finding's headline facts ("Hết hạn nhận hồ sơ 26/06/2026 — kết quả công bố 23/06/2026 14:05, sớm
    82,9 giờ"); none for a detector without a declaration."""
    rule = _declared(finding)
    return facts_for(_evidence(finding), rule) if rule else []


def finding_summary(finding: Any) -> str | None:
    """What is wrong, short enough for one line of a digest ("Sớm 38 giờ: kết quả công bố 09/06/2026 10:00")."""
    rule = _declared(finding)
    if rule is None:
        return None
    lines = facts_for(_evidence(finding), rule, rule.summary) if rule.summary else []
    return "; ".join(lines) if lines else next(iter(facts_for(_evidence(finding), rule)), None)


def finding_reasons(finding: Any) -> list[str]:
    """Why an insufficient finding could not be decided, in Vietnamese."""
    rule = _declared(finding)
    return reasons_for(_evidence(finding), rule) if rule else []


# ------------------------------------------------------------------------------------------ generic reading

# Labels the generic reading gives to keys of undeclared evidence (and of operator messages).
GENERIC_LABELS = {
    "published_at": "Ngày đăng thông báo", "window_start": "Bắt đầu nhận hồ sơ", "window_end": "Hết hạn nhận hồ sơ",
    "decision_date": "Ngày quyết định lựa chọn / chấm điểm", "working_days": "Số ngày làm việc",
    "days": "Số ngày", "start_price": "Giá khởi điểm", "deposit": "Tiền đặt trước", "file_cost": "Tiền hồ sơ",
    "area_m2": "Diện tích (m²)", "missing": "Còn thiếu", "owner_name": "Người có tài sản",
    "org_name": "Tổ chức đấu giá", "notice": "Thông báo", "notice_id": "Mã thông báo", "result": "Kết quả lựa chọn",
    "result_id": "Mã kết quả", "result_published_at": "Kết quả công bố lúc", "reason": "Lý do", "note": "Ghi chú",
    "steps": "Các lần giảm giá", "from_notice": "Từ thông báo", "to_notice": "Đến thông báo",
    "from_price": "Giá trước", "to_price": "Giá sau", "cut": "Mức giảm", "chain_notice_ids": "Các thông báo trong chuỗi",
    "run_id": "Lần thu thập", "source": "Nguồn", "kind": "Loại", "status": "Trạng thái", "message": "Nội dung",
    "stage": "Bước", "exit_code": "Mã kết thúc", "message_id": "Mã thư", "subject": "Tiêu đề",
    "recipient": "Người nhận", "attempts": "Số lần thử", "last_error": "Lỗi gần nhất", "url": "Đường dẫn",
    "counters": "Số liệu", "new": "Mới", "changed": "Thay đổi", "errors": "Lỗi", "requests": "Số yêu cầu",
    "record_kind": "Loại hồ sơ", "record_key": "Mã hồ sơ", "runs": "Số lần chạy", "days_without_new": "Số ngày",
    "last_new": "Bản ghi mới gần nhất", "site": "Trang", "title": "Tiêu đề",
}
HIDDEN_KEYS = frozenset({"raw_sha256", "raw_sha256s", "sha256", "sha256s"})
_MONEY_RE = re.compile(r"(^|_)(price|deposit|file_cost|fee|vnd)($|_)")
_FRACTION_KEYS = frozenset({"cut", "share", "coverage"})
_ID_RE = re.compile(r"(^|_)(id|ids|notice|result|key)$")


def label_for(key: str) -> str:
    """The Vietnamese label of a key; an unknown key reads as its words ("land_reason" -> "land reason")."""
    return GENERIC_LABELS.get(key) or key.replace("_", " ").strip() or "—"


def _generic_field(key: str, value: Any) -> Field:
    k = key.lower()
    kind = "text"
    if _ID_RE.search(k) or k in ("chain_notice_ids", "from_notice", "to_notice"):
        kind = "id"
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        kind = ("fraction" if k in _FRACTION_KEYS else "percent" if k.endswith("_pct") else
                "money" if _MONEY_RE.search(k) else "area" if k.endswith(("area", "area_m2")) else "number")
    elif _parse_moment(value) is not None:
        kind = "datetime"
    return Field(key, label_for(key), kind)  # type: ignore[arg-type]


def _generic_value(key: str, value: Any) -> str:
    if isinstance(value, dict):
        return _bounded("; ".join(f"{label_for(str(k))}: {_generic_value(str(k), v)}" for k, v in value.items()
                                  if str(k) not in HIDDEN_KEYS and not is_empty(v))) or "—"
    if isinstance(value, list):
        items = [_generic_value(key, v) for v in value[:MAX_ITEMS]]
        return _bounded("; ".join(items)) if items else "—"
    return format_one(_generic_field(key, value), value)


def generic_rows(evidence: dict[str, Any] | None) -> list[EvidenceRow]:
    """The generic reading of an evidence dictionary (no declaration): one row per key, objects on one line."""
    rows: list[EvidenceRow] = []
    for key, value in (evidence or {}).items():
        key = str(key)
        if len(rows) >= MAX_ROWS or key in HIDDEN_KEYS or key.endswith(("_sha256", "_sha256s")) or is_empty(value):
            continue
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for i, item in enumerate(value[:MAX_ITEMS], start=1):
                rows.append(EvidenceRow(f"{label_for(key)} ({i})" if len(value) > 1 else label_for(key),
                                        _generic_value(key, item)))
        else:
            rows.append(EvidenceRow(_bounded(label_for(key), 120), _generic_value(key, value)))
    return rows[:MAX_ROWS]

