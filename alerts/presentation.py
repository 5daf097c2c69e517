"""The one place a finding's evidence becomes Vietnamese label/value rows for people (review site, e-mails).

``finding_evidence_rows(finding)`` is the entry point. Today it is a generic reading of the evidence dictionary:
known keys get Vietnamese labels, values are typed by their key (ids verbatim, money with dot thousands and
" đ", percentages, dd/mm/yyyy dates), nested lists of objects become one row per item, and internal bookkeeping
(hashes, model seeds, normalised keys) is left out. Per-detector evidence declarations are meant to plug in
through ``DECLARED_FIELDS``: a detector that declares its fields gets exactly those rows, in that order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from alerts.compose import EVIDENCE_LABELS, is_id_key
from storage.labels import RULE_LABELS_VI, rule_label  # noqa: F401  (rule_label is re-exported)
from storage.timeutil import fmt_dmy

Kind = Literal["text", "date", "money", "area", "id", "percent", "number", "list"]

MAX_ROWS = 60
MAX_ITEMS = 20
VALUE_MAX_CHARS = 600


@dataclass(frozen=True)
class EvidenceRow:
    """One line of evidence as a person reads it."""

    label: str
    value: str
    kind: Kind = "text"


@dataclass(frozen=True)
class DeclaredField:
    """A detector's declaration of one evidence key: its Vietnamese label and how to show the value."""

    key: str
    label: str
    kind: Kind = "text"


# detector -> rule (or "*") -> declared fields; empty until the detectors declare theirs.
DECLARED_FIELDS: dict[str, dict[str, list[DeclaredField]]] = {}

# Labels for keys the generic reading meets that the e-mail table does not name yet.
EXTRA_LABELS = {
    "allowed_pct": "Mức cho phép (%)", "alternation": "Hệ số luân phiên", "asset_class": "Loại tài sản",
    "band_hours": "Khoảng thời gian (giờ)", "bounds_vnd": "Giới hạn (đồng)", "by_source": "Theo nguồn",
    "cap": "Mức trần", "cap_table": "Bảng mức trần", "caps_vnd": "Mức trần (đồng)",
    "chain_notice_ids": "Các thông báo trong chuỗi", "code": "Dấu hiệu", "comparable": "So sánh được",
    "confidence": "Độ tin cậy ghép nối", "count": "Số lần", "coverage": "Tỷ lệ bao phủ",
    "created_at": "Ngày tạo", "date_only": "Chỉ có ngày (không có giờ)", "decision_source": "Nguồn của ngày quyết định",
    "delay_hours": "Số giờ", "deposit_unit": "Đơn vị tiền đặt trước", "expected_alternation": "Hệ số luân phiên kỳ vọng",
    "feature": "Đặc điểm", "fence": "Ngưỡng bất thường", "file_cost": "Tiền mua hồ sơ", "found": "Thông tin đã có",
    "from": "Từ", "from_notice": "Từ thông báo", "from_price": "Giá trước", "herfindahl": "Chỉ số tập trung (HHI)",
    "holiday": "Ngày lễ", "iqr": "Khoảng tứ phân vị", "judgment_enforcement_asset": "Tài sản thi hành án",
    "land_reason": "Căn cứ xác định là đất", "links": "Liên kết giữa các thông báo", "median": "Trung vị",
    "min_alternation": "Hệ số luân phiên tối thiểu", "min_coverage": "Tỷ lệ bao phủ tối thiểu",
    "min_failed_rounds": "Số lần không thành tối thiểu", "min_selections": "Số lần lựa chọn tối thiểu",
    "max_p_value": "Giá trị p tối đa", "n": "Số lượng", "notice_ids": "Thông báo", "notice_kind": "Loại thông báo",
    "notice_published": "Ngày đăng thông báo", "notices_held_from": "Có dữ liệu thông báo từ",
    "owner_kind": "Loại người có tài sản", "owner_similarity": "Độ giống tên người có tài sản (%)",
    "period_days": "Khoảng thời gian (ngày)", "population_median": "Trung vị toàn bộ", "problems": "Vấn đề",
    "q1": "Tứ phân vị 1", "q3": "Tứ phân vị 3", "rank": "Hạng", "ranked_among": "Trong số", "ratio": "Tỷ lệ",
    "reasons": "Lý do", "required": "Thông tin bắt buộc", "robust_z": "Độ lệch (z)", "rotating_set": "Nhóm luân phiên",
    "selection_result": "Kết quả lựa chọn", "selections": "Số lần lựa chọn", "sequence": "Thứ tự được chọn",
    "severity": "Mức độ", "shortened": "Bị rút ngắn", "sources_read": "Đã đọc", "status": "Trạng thái",
    "steps": "Các lần giảm giá", "to": "Sang", "to_notice": "Đến thông báo", "to_price": "Giá sau",
    "top_count": "Số lần của tổ chức nhiều nhất", "top_features": "Đặc điểm bất thường nhất",
    "top_organisation": "Tổ chức được chọn nhiều nhất", "top_selections": "Số lần tổ chức đó được chọn",
    "unread_attachments": "Tệp đính kèm chưa đọc được", "upper_fence": "Ngưỡng trên", "url": "Đường dẫn",
    "value": "Giá trị", "weekday": "Thứ", "which": "Thông tin", "a": "Thông báo A", "b": "Thông báo B",
    "notice_name": "Tên thông báo", "name": "Tên tài sản", "place": "Nơi có tài sản", "amount": "Số lượng",
    "quality": "Chất lượng", "detail": "Chi tiết", "text": "Nội dung", "attachment": "Tệp đính kèm",
    "id": "Mã", "land_use_purpose": "Mục đích sử dụng đất", "relist_rounds_before": "Số lần đấu giá lại trước đó",
    "price_cut_prev": "Mức giảm so với lần trước", "pair_notices": "Số thông báo của cùng cặp người có tài sản – tổ chức",
    "pair_share": "Tỷ lệ của cặp người có tài sản – tổ chức", "fee_over_cap": "Tiền hồ sơ vượt mức trần",
    "short_registration_window": "Thời gian đăng ký ngắn", "cut_above_legal_step": "Giảm giá vượt mức cho phép",
    "restart_other_organisation": "Đấu giá lại với tổ chức khác", "auction_notice": "Thông báo đấu giá",
    "selection_notice": "Thông báo lựa chọn", "thads_notice": "Thông báo THADS", "lot": "Lô tài sản",
}
# Where the e-mail table's wording reads wrong for a list of items.
OVERRIDE_LABELS = {"rounds": "Các lần đấu giá", "top_selections": "Các lần tổ chức đó được chọn",
                   "lot_index": "Lô số (đếm từ 0)"}
LABELS = {**EXTRA_LABELS, **EVIDENCE_LABELS, **OVERRIDE_LABELS}

RULE_LABELS = RULE_LABELS_VI

# Bookkeeping a reader has no use for: hashes (shown by the evidence viewer), seeds, normalised keys, tuning.
HIDDEN_KEYS = frozenset({
    "raw_sha256", "raw_sha256s", "sha256", "sha256s", "model_version", "random_state", "seed", "permutations",
    "statistic", "key", "top_organisation_key", "features", "candidates", "cut_tolerance", "link_threshold",
    "checks_evaluated", "imputed",
})

_MONEY_RE = re.compile(r"(^|_)(price|prices|deposit|amount_vnd|file_cost|fee|vnd|caps_vnd|bounds_vnd)($|_)")
_PERCENT_RE = re.compile(r"(_pct|_percent)$")
_FRACTION_KEYS = frozenset({"cut", "max_cut_per_round", "share", "top_share", "coverage", "min_coverage",
                            "pair_share", "price_cut_prev"})
_AREA_RE = re.compile(r"(^|_)(area|area_m2|m2)$")
_SNAKE_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_SEVERITY_WORDS = {"low": "thấp", "medium": "trung bình", "high": "cao"}
_STATUS_WORDS = {"matched": "đã ghép được", "ambiguous": "chưa chắc chắn", "none": "không tìm thấy",
                 "review": "cần xem lại", "rejected": "bị loại"}
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")


def label_for(key: str) -> str:
    """The Vietnamese label of an evidence key; unknown keys read as words ("land_reason" -> "land reason")."""
    return LABELS.get(key) or key.replace("_", " ").strip() or "—"


def _bounded(text: str, limit: int = VALUE_MAX_CHARS) -> str:
    text = _CONTROL_RE.sub(" ", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _vn_number(value: float, decimals: int = 2) -> str:
    """1234567.5 -> "1.234.567,5" (dot thousands, comma decimals, no trailing zeros)."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    text = f"{value:,.{decimals}f}".rstrip("0").rstrip(".")
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_money(value: Any) -> str:
    """An amount in đồng: "1.800.000.000 đ"."""
    return f"{_vn_number(round(float(value)))} đ"


def kind_of(key: str, value: Any) -> Kind:
    """How a value is shown, from its key (and its type where the key says nothing)."""
    k = key.lower()
    if isinstance(value, bool):
        return "text"
    if is_id_key(k) or k in {"notice", "result", "from_notice", "to_notice", "a", "b", "chain_notice_ids",
                             "notice_ids"}:
        return "id"
    if isinstance(value, (int, float)):
        if _PERCENT_RE.search(k):
            return "percent"
        if k in _FRACTION_KEYS:
            return "percent"
        if _MONEY_RE.search(k):
            return "money"
        if _AREA_RE.search(k):
            return "area"
        return "number"
    if isinstance(value, str) and (_ISO_DATE_RE.match(value.strip()) or _ISO_DATETIME_RE.match(value.strip())):
        return "date"
    return "text"


def format_scalar(value: Any, key: str = "", kind: Kind | None = None) -> str:
    """One value for people: ids verbatim, money "1.000 đ", "12,5 %", "23.031,2 m²", dd/mm/yyyy, có/không."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "có" if value else "không"
    kind = kind or kind_of(key, value)
    if kind == "id":
        return _bounded(str(value))
    if isinstance(value, (int, float)) and value == value:  # not NaN
        if kind == "money":
            return format_money(value)
        if kind == "percent":
            pct = value * 100 if key.lower() in _FRACTION_KEYS and abs(value) <= 1 else value
            return f"{_vn_number(round(pct, 2))} %"
        if kind == "area":
            return f"{_vn_number(value)} m²"
        return _vn_number(value)
    if isinstance(value, (datetime, date)):
        return fmt_dmy(value)
    if isinstance(value, str):
        s = value.strip()
        if _ISO_DATE_RE.match(s):
            try:
                return fmt_dmy(date.fromisoformat(s))
            except ValueError:
                return _bounded(s)
        if _ISO_DATETIME_RE.match(s) and len(s) <= 40:
            try:
                return fmt_dmy(datetime.fromisoformat(s.replace("Z", "+00:00")))
            except ValueError:
                return _bounded(s)
        if key == "severity" and s in _SEVERITY_WORDS:
            return _SEVERITY_WORDS[s]
        if key == "status" and s in _STATUS_WORDS:
            return _STATUS_WORDS[s]
        if _SNAKE_RE.match(s) and s in LABELS:  # a field name or code the detector wrote: say it in words
            return LABELS[s]
        return _bounded(s)
    return _bounded(str(value))


def _inline(obj: dict[str, Any]) -> str:
    """A small object on one line: "Sự kiện: …; Thời điểm: 23/06/2026 14:05"."""
    parts = []
    for key, value in obj.items():
        key = str(key)
        if key in HIDDEN_KEYS or value is None or value == "" or value == []:
            continue
        if isinstance(value, dict):
            text = _inline(value)
        elif isinstance(value, list):
            text = _join(key, value)
        else:
            text = format_scalar(value, key)
        parts.append(f"{label_for(key)}: {text}")
    return _bounded("; ".join(parts))


def _join(key: str, values: list[Any]) -> str:
    items = [(_inline(v) if isinstance(v, dict) else format_scalar(v, key)) for v in values[:MAX_ITEMS]]
    more = f" (và {len(values) - MAX_ITEMS} mục khác)" if len(values) > MAX_ITEMS else ""
    return _bounded("; ".join(items) + more)


def generic_rows(evidence: dict[str, Any] | None) -> list[EvidenceRow]:
    """The generic reading of an evidence dictionary (no declaration)."""
    rows: list[EvidenceRow] = []

    def walk(obj: dict[str, Any], prefix: str, depth: int) -> None:
        for key, value in obj.items():
            key = str(key)
            if len(rows) >= MAX_ROWS or key in HIDDEN_KEYS or key.endswith(("_sha256", "_sha256s")):
                continue
            label = f"{prefix} › {label_for(key)}" if prefix else label_for(key)
            if isinstance(value, dict):
                if depth < 1 and len(value) > 1:
                    walk(value, label, depth + 1)
                else:
                    rows.append(EvidenceRow(label, _inline(value) or "—"))
            elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                for i, item in enumerate(value[:MAX_ITEMS], start=1):
                    if len(rows) < MAX_ROWS:
                        rows.append(EvidenceRow(f"{label} ({i})" if len(value) > 1 else label, _inline(item) or "—"))
            elif isinstance(value, list):
                rows.append(EvidenceRow(label, _join(key, value) if value else "—",
                                        "id" if kind_of(key, 0) == "id" else "list"))
            else:
                kind = kind_of(key, value)
                rows.append(EvidenceRow(label, format_scalar(value, key, kind), kind))

    if isinstance(evidence, dict):
        walk(evidence, "", 0)
    return rows


def declared_rows(evidence: dict[str, Any], fields: list[DeclaredField]) -> list[EvidenceRow]:
    """Rows for exactly the declared fields, in declaration order (absent ones are skipped)."""
    rows = []
    for f in fields:
        if f.key in evidence and evidence[f.key] not in (None, "", []):
            value = evidence[f.key]
            if isinstance(value, list):
                text = _join(f.key, value)
            elif isinstance(value, dict):
                text = _inline(value)
            else:
                text = format_scalar(value, f.key, f.kind)
            rows.append(EvidenceRow(f.label, text, f.kind))
    return rows


def finding_evidence_rows(finding: Any) -> list[EvidenceRow]:
    """THE entry point: a finding's evidence as Vietnamese label/value rows (declared fields when its detector
    declares them, else the generic reading). ``finding`` needs ``detector``, ``rule`` and ``evidence``."""
    evidence = finding.evidence if isinstance(getattr(finding, "evidence", None), dict) else {}
    by_rule = DECLARED_FIELDS.get(getattr(finding, "detector", "") or "", {})
    fields = by_rule.get(getattr(finding, "rule", "") or "") or by_rule.get("*")
    return declared_rows(evidence, fields) if fields else generic_rows(evidence)
