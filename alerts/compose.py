"""Vietnamese e-mails (plain text + HTML) for findings, daily digests and operator alerts.

A finding's e-mail leads with what is wrong and its facts side by side (``alerts.presentation``, from the
detector's evidence declaration), then who (owner, organisation, province) and what (the asset; a parcel
finding's lot text with the facts found marked), the link to its page on the review site (signed for the
recipient), the portals' own pages labelled by what they are, the evidence rows, and why it matters. A finding
that could not be decided says so ("Chưa đủ dữ liệu để kết luận", with the reason) and carries no severity.

The digest shows the few most serious findings in full and every other one on one line with its link, grouped by
rule and province, undecided ones in their own section. Templates live in ``alerts/templates``; HTML templates
are autoescaped (titles, names and evidence come from the portals), untrusted strings are bounded, subjects lose
control characters. One column, at most 640 px wide, inline styles, nothing loaded from elsewhere.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from alerts.portal_links import PortalLink, portal_links
from alerts.presentation import (
    EvidenceRow,
    finding_evidence_rows,
    finding_facts,
    finding_reasons,
    finding_summary,
    generic_rows,
)
from alerts.subject import MarkedText, Subject
from vntext.provinces import Province
from storage.labels import RULE_LABELS_VI, SEVERITY_LABELS_VI
from storage.models import Finding
from storage.timeutil import fmt_dmy, to_local

TEMPLATES_DIR = Path(__file__).with_name("templates")

SUBJECT_MAX_CHARS = 180
TITLE_MAX_CHARS = 500
LINE_MAX_CHARS = 160
DIGEST_IN_FULL = 3  # the most serious findings a digest shows in full; every other one takes one line

SEVERITY_LABELS = SEVERITY_LABELS_VI
SEVERITY_COLORS = {"low": "#5f6b7a", "medium": "#b26a00", "high": "#b3261e"}
INSUFFICIENT = "Chưa đủ dữ liệu để kết luận"

DETECTOR_LABELS = {
    "premature_scoring": "Chấm điểm lựa chọn tổ chức đấu giá sớm",
    "parcel_details": "Thiếu thông tin thửa đất",
    "collusion": "Dấu hiệu thông đồng, dìm giá",
    "data_quality": "Dữ liệu trên Cổng có thể bị nhập sai",
}

# Why each detector's findings matter, with the legal basis in plain words (legal-rules.md D1-D3).
DETECTOR_EXPLANATIONS = {
    "premature_scoring": (
        "Người có tài sản phải thông báo công khai việc lựa chọn tổ chức đấu giá ít nhất 03 ngày làm việc trước "
        "ngày quyết định lựa chọn (Thông tư 02/2022/TT-BTP, Điều 4 khoản 2) và chỉ chấm điểm hồ sơ sau khi hết "
        "thời hạn nộp hồ sơ (Điều 5). Chương trình hành động năm 2024 của ngành THADS nghiêm cấm chấm điểm khi "
        "chưa hết thời gian thông báo công khai. Chấm điểm hoặc công bố kết quả sớm loại bỏ các tổ chức khác và "
        "là dấu hiệu tổ chức đấu giá đã được chọn trước."
    ),
    "parcel_details": (
        "Thông báo đấu giá quyền sử dụng đất phải nêu rõ ràng, cụ thể diện tích, vị trí thửa đất và giấy tờ về "
        "quyền sử dụng (Luật Đấu giá tài sản 2016, Điều 34 và Điều 57; Chương trình hành động THADS năm 2024). "
        "Thiếu số thửa, số tờ bản đồ, diện tích hoặc giấy chứng nhận khiến người mua không đánh giá được tài "
        "sản, làm giảm số người tham gia và có nguy cơ bán dưới giá trị."
    ),
    "collusion": (
        "Luật Đấu giá tài sản (Điều 9) cấm thông đồng, móc nối để dìm giá; Bộ luật Hình sự (Điều 218) xử lý hình "
        "sự hành vi vi phạm quy định về đấu giá. Các dấu hiệu như chỉ một người tham gia, đấu giá không thành "
        "lặp lại với giá khởi điểm giảm dần, hoặc cùng một nhóm tổ chức, người tham gia xuất hiện nhiều lần cần "
        "được kiểm tra vì có thể gây thất thoát tài sản."
    ),
    "data_quality": (
        "Đây không phải kết luận vi phạm. Giá trị đăng trên Cổng không thể cùng đúng (ví dụ tiền đặt trước lớn hơn "
        "giá khởi điểm, hoặc giá mỗi m² đất bất hợp lý), nên các quy tắc khác không đánh giá được thông báo này. "
        "Cần đối chiếu tệp đính kèm hoặc hỏi tổ chức đấu giá để biết giá trị đúng."
    ),
}

STATUS_LABELS = {"flag": "Có dấu hiệu vi phạm", "insufficient": INSUFFICIENT, "not_applicable": "Không áp dụng"}
# what a digest line adds when the recipient had the finding before
REASON_TAGS = {"severity_up": "mức độ tăng", "new_evidence": "có bằng chứng mới", "reopened": "phát hiện lại"}

OPERATOR_KIND_LABELS = {
    "portal_blocked": "Cổng thông tin chặn truy cập",
    "crawl_failed": "Thu thập dữ liệu thất bại",
    "no_new_records": "Không có bản ghi mới",
    "delivery_failed": "Không gửi được thư cảnh báo",
    "crawl_incomplete": "Thu thập dữ liệu chưa đầy đủ",
    "notice_unreadable": "Thông báo không đọc được",
    "stage_failed": "Một bước của công việc hằng ngày thất bại",
    "stage_incomplete": "Một bước của công việc hằng ngày chưa hoàn tất",
}

_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_WS_RE = re.compile(r"\s+")


def clean_header(text: str | None, limit: int = SUBJECT_MAX_CHARS) -> str:
    """One line of header text: control characters (CR, LF, ...) become spaces, length capped with an ellipsis."""
    one_line = _WS_RE.sub(" ", _CONTROL_RE.sub(" ", text or "")).strip()
    return one_line if len(one_line) <= limit else one_line[: limit - 1].rstrip() + "…"


def bounded(text: Any, limit: int = 500) -> str:
    s = "" if text is None else str(text)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def one_line(text: Any, limit: int = LINE_MAX_CHARS) -> str:
    return clean_header(str(text or ""), limit)


def detector_label(detector: str) -> str:
    return DETECTOR_LABELS.get(detector, detector)


def rule_label(finding: Finding) -> str:
    """The Vietnamese name of the finding's rule (its detector's for a rule without one)."""
    return RULE_LABELS_VI.get(finding.rule) or detector_label(finding.detector)


def explanation(detector: str) -> str:
    return DETECTOR_EXPLANATIONS.get(
        detector, f"Phát hiện tự động của bộ kiểm tra «{detector}». Xem căn cứ pháp lý và bằng chứng bên dưới.")


def update_line(reason: str, previous_severity: str | None, severity: str) -> str | None:
    """The sentence telling a recipient why a finding they already had comes again."""
    if reason == "severity_up":
        old = SEVERITY_LABELS.get(previous_severity or "", previous_severity or "?")
        return f"Cập nhật: mức độ tăng từ {old} lên {SEVERITY_LABELS.get(severity, severity)}."
    if reason == "new_evidence":
        return "Có bằng chứng mới cho phát hiện đã gửi trước đây."
    if reason == "reopened":
        return "Phát hiện lại: vấn đề đã được ghi nhận là hết, nay xuất hiện trở lại."
    if reason == "resolved":
        return "Không còn vi phạm: lần kiểm tra gần nhất không còn thấy dấu hiệu này."
    return None


@dataclass
class ComposedMessage:
    subject: str
    body_text: str
    body_html: str


@dataclass
class DigestEntry:
    """One finding in a digest: why it is (re)sent, the severity the recipient last saw, who and what it is
    about, and the link to its page signed for the recipient."""

    finding: Finding
    reason: str
    previous_severity: str | None = None
    province: Province | None = None
    subject: Subject | None = None
    link: str | None = None


@dataclass
class _Item:
    id: int
    title: str
    rule_label: str
    detector_label: str
    severity: str
    severity_label: str
    severity_color: str
    insufficient: bool
    province: str
    owner: str
    organisation_label: str
    organisation: str | None
    asset: str | None
    lot_texts: tuple[MarkedText, ...]
    facts: list[str]
    reasons: list[str]
    update: str | None
    tag: str | None
    link: str | None
    portal_links: list[PortalLink]
    rows: list[EvidenceRow]
    explanation: str
    legal_basis: str
    first_seen: str
    last_seen: str
    summary: str


_env = Environment(
    loader=FileSystemLoader(str(TEMPLATES_DIR)),
    autoescape=select_autoescape(enabled_extensions=("html.j2", "html"), disabled_extensions=("txt.j2",),
                                  default_for_string=True, default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def _render(name: str, **context: Any) -> str:
    return _env.get_template(name).render(**context)


def _item(finding: Finding, reason: str, previous_severity: str | None, province: Province | None,
          subject: Subject | None, link: str | None, allowed_hosts: frozenset[str] | None) -> _Item:
    severity = finding.severity or "low"
    subject = subject or Subject()
    insufficient = finding.status == "insufficient"
    reasons = finding_reasons(finding) if insufficient else []
    return _Item(
        id=finding.id,
        title=bounded(finding.title or rule_label(finding), TITLE_MAX_CHARS),
        rule_label=rule_label(finding),
        detector_label=detector_label(finding.detector),
        severity=severity,
        severity_label=SEVERITY_LABELS.get(severity, severity),
        severity_color=SEVERITY_COLORS.get(severity, "#5f6b7a"),
        insufficient=insufficient,
        province=province.name if province else (bounded(finding.province, 100) if finding.province else
                                                 "Chưa xác định tỉnh"),
        owner=bounded(finding.owner_name or "—", 300),
        organisation_label="Tổ chức được chọn" if finding.detector == "premature_scoring" else "Tổ chức đấu giá",
        organisation=bounded(subject.organisation, 300) if subject.organisation else None,
        asset=subject.asset,
        lot_texts=subject.lot_texts,
        facts=finding_facts(finding),
        reasons=reasons,
        update=update_line(reason, previous_severity, severity),
        tag=REASON_TAGS.get(reason),
        link=link,
        portal_links=portal_links(finding.urls, allowed_hosts) if allowed_hosts is not None
        else portal_links(finding.urls),
        rows=finding_evidence_rows(finding, email=True),
        explanation=explanation(finding.detector),
        legal_basis=bounded(finding.legal_basis or "", 1000),
        first_seen=fmt_dmy(to_local(finding.first_seen)),
        last_seen=fmt_dmy(to_local(finding.last_seen)),
        summary=one_line(finding_summary(finding) or next(iter(reasons), None) or finding.title
                         or rule_label(finding)),
    )


def finding_subject_line(item: _Item, reason: str) -> str:
    if item.insufficient:
        prefix = INSUFFICIENT
    else:
        prefix = {
            "severity_up": f"Cập nhật – mức độ tăng lên {item.severity_label}",
            "new_evidence": f"Có bằng chứng mới – mức {item.severity_label}",
            "reopened": f"Phát hiện lại – mức {item.severity_label}",
        }.get(reason, f"Cảnh báo đấu giá – mức {item.severity_label}")
    return clean_header(f"[{prefix}] {item.title}")


def compose_finding(finding: Finding, reason: str, *, previous_severity: str | None = None,
                    province: Province | None = None, subject: Subject | None = None, link: str | None = None,
                    allowed_hosts: frozenset[str] | None = None) -> ComposedMessage:
    """One e-mail about one finding (new, or re-sent because its severity rose or its evidence changed).
    ``link``: its page on the review site, signed for the recipient. Portal links only to ``allowed_hosts``
    (default: the real portals)."""
    item = _item(finding, reason, previous_severity, province, subject, link, allowed_hosts)
    subject_line = finding_subject_line(item, reason)
    context = {"subject": subject_line, "item": item}
    return ComposedMessage(subject_line, _render("finding.txt.j2", **context), _render("finding.html.j2", **context))


@dataclass
class _Group:
    """The findings of one rule, by province."""

    label: str
    count: int
    provinces: list[tuple[str, list[_Item]]]


def _grouped(items: list[_Item]) -> list[_Group]:
    by_rule: dict[str, dict[str, list[_Item]]] = defaultdict(lambda: defaultdict(list))
    for it in items:
        by_rule[it.rule_label][it.province].append(it)
    order = {"high": 0, "medium": 1, "low": 2}

    def worst(rule: str) -> int:
        return min(order.get(i.severity, 3) for items in by_rule[rule].values() for i in items)

    groups = []
    for rule in sorted(by_rule, key=lambda r: (worst(r), r)):
        provinces = sorted(by_rule[rule].items(), key=lambda kv: (kv[0].startswith("Chưa xác định"), kv[0]))
        groups.append(_Group(rule, sum(len(v) for v in by_rule[rule].values()),
                             [(p, sorted(v, key=lambda i: (order.get(i.severity, 3), -i.id))) for p, v in provinces]))
    return groups


def compose_digest(recipient_name: str, entries: list[DigestEntry], day: date, *, deferred: int = 0,
                   allowed_hosts: frozenset[str] | None = None, link_days: int | None = None) -> ComposedMessage:
    """The daily digest of one recipient: the most serious findings in full, then every other one on one line
    (by rule and province), the undecided ones, and those no longer found."""
    flags, insufficient, resolved = [], [], []
    for e in entries:
        it = _item(e.finding, e.reason, e.previous_severity, e.province, e.subject, e.link, allowed_hosts)
        if e.reason == "resolved":
            resolved.append(it)
        elif it.insufficient:
            insufficient.append(it)
        else:
            flags.append(it)
    order = {"high": 0, "medium": 1, "low": 2}
    flags.sort(key=lambda i: (order.get(i.severity, 3), -i.id))
    in_full, rest = flags[:DIGEST_IN_FULL], flags[DIGEST_IN_FULL:]
    subject = clean_header(
        f"[Bản tin ngày {fmt_dmy(day)}] {len(flags)} phát hiện, {len(insufficient)} chưa đủ dữ liệu, "
        f"{len(resolved)} không còn vi phạm")
    context = {
        "subject": subject,
        "recipient": bounded(recipient_name, 200),
        "day": fmt_dmy(day),
        "in_full": in_full,
        "sections": [s for s in (("flag", "Các phát hiện khác" if in_full else "Phát hiện cần xem xét",
                                  _grouped(rest)),
                                 ("insufficient", INSUFFICIENT, _grouped(insufficient)),
                                 ("resolved", "Không còn vi phạm", _grouped(resolved))) if s[2]],
        "counts": {"flags": len(flags), "insufficient": len(insufficient), "resolved": len(resolved)},
        "deferred": deferred,
        "link_days": link_days,
    }
    return ComposedMessage(subject, _render("digest.txt.j2", **context), _render("digest.html.j2", **context))


def compose_operator(kind: str, message: str, details: dict[str, Any] | None, now: datetime) -> ComposedMessage:
    """A message to the operator: portal blocked, crawl failed, no new records, delivery failed."""
    label = OPERATOR_KIND_LABELS.get(kind, kind)
    subject = clean_header(f"[Vận hành – {label}] {message}")
    context = {
        "subject": subject,
        "label": label,
        "message": bounded(message, 2000),
        "at": fmt_dmy(to_local(now)),
        "rows": generic_rows(details or {}),
    }
    return ComposedMessage(subject, _render("operator.txt.j2", **context), _render("operator.html.j2", **context))
