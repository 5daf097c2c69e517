"""Vietnamese e-mails (plain text + HTML) for findings, daily digests and operator alerts.

Templates live in ``alerts/templates``; HTML templates (``*.html.j2``) are rendered with autoescaping because
titles, owner names and evidence come from the portals and are untrusted. Every untrusted string is also cut to
a bounded length, links are only emitted for http(s) URLs, and subjects lose control characters (no header
injection). The layout is one column, at most 640 px wide, with inline styles and no external resources, so it
reads on a phone.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from alerts.settings import AlertSettings
from vntext.provinces import Province
from storage.evidence import EvidenceStore
from storage.models import Finding
from storage.timeutil import fmt_dmy, to_local

TEMPLATES_DIR = Path(__file__).with_name("templates")

SUBJECT_MAX_CHARS = 180
TITLE_MAX_CHARS = 500
VALUE_MAX_CHARS = 500
KEY_MAX_CHARS = 120
MAX_EVIDENCE_ROWS = 60
MAX_LIST_ITEMS = 20
MAX_LINKS = 10
URL_MAX_CHARS = 2000

SEVERITY_LABELS = {"low": "thấp", "medium": "trung bình", "high": "cao"}
SEVERITY_COLORS = {"low": "#5f6b7a", "medium": "#b26a00", "high": "#b3261e"}

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

REASON_LABELS = {
    "new": "Phát hiện mới",
    "severity_up": "Cập nhật: mức độ tăng",
    "new_evidence": "Có bằng chứng mới",
    "reopened": "Phát hiện lại",
    "resolved": "Không còn vi phạm",
}

STATUS_LABELS = {"flag": "Có dấu hiệu vi phạm", "insufficient": "Cần thêm dữ liệu", "not_applicable": "Không áp dụng"}

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

# Vietnamese labels of evidence keys the detectors commonly use; other keys are shown as written.
EVIDENCE_LABELS = {
    "published_at": "Ngày đăng thông báo",
    "first_published_at": "Ngày đăng lần đầu",
    "notice_published_at": "Ngày đăng thông báo lựa chọn",
    "result_published_at": "Ngày đăng kết quả",
    "window_start": "Bắt đầu nhận hồ sơ",
    "window_end": "Hết hạn nhận hồ sơ",
    "receive_time_end": "Hết hạn nhận hồ sơ",
    "decision_date": "Ngày quyết định lựa chọn / chấm điểm",
    "decision_date_source": "Nguồn của ngày quyết định",
    "working_days": "Số ngày làm việc",
    "min_working_days": "Số ngày làm việc tối thiểu",
    "required_working_days": "Số ngày làm việc tối thiểu",
    "days": "Số ngày",
    "min_days": "Số ngày tối thiểu",
    "threshold": "Ngưỡng",
    "auction_at": "Thời điểm đấu giá",
    "reg_start": "Bắt đầu đăng ký",
    "reg_end": "Hết hạn đăng ký",
    "start_price": "Giá khởi điểm",
    "previous_start_price": "Giá khởi điểm lần trước",
    "price_cut_pct": "Tỷ lệ giảm giá (%)",
    "deposit": "Tiền đặt trước",
    "missing_fields": "Thông tin còn thiếu",
    "missing_required": "Thông tin bắt buộc còn thiếu",
    "missing_expected": "Thông tin nên có còn thiếu",
    "present_fields": "Thông tin đã có",
    "area": "Diện tích",
    "parcel_number": "Số thửa",
    "map_sheet": "Số tờ bản đồ",
    "certificate": "Giấy chứng nhận",
    "land_use_purpose": "Mục đích sử dụng",
    "owner_name": "Người có tài sản",
    "org_name": "Tổ chức đấu giá",
    "notice_id": "Mã thông báo",
    "result_id": "Mã kết quả",
    "bidders": "Số người tham gia",
    "rounds": "Số lần đấu giá",
    "lot_name": "Tài sản",
    "property_name": "Tài sản",
    "reason": "Lý do",
    "basis": "Căn cứ tính",
    "result": "Kết quả lựa chọn",
    "result_published": "Ngày đăng kết quả",
    "result_published_on": "Ngày đăng kết quả",
    "result_delay_hours": "Số giờ từ hết hạn đến khi đăng kết quả",
    "notice": "Thông báo",
    "notices": "Các thông báo",
    "auction_notice": "Thông báo đấu giá",
    "auction_notices": "Các thông báo đấu giá",
    "published": "Ngày đăng",
    "window_closes_at": "Thời điểm hết hạn nhận hồ sơ",
    "window_working_days": "Số ngày làm việc của thời hạn nhận hồ sơ",
    "window_length_working_days": "Số ngày làm việc của thời hạn nhận hồ sơ",
    "window_source": "Nguồn của thời hạn nhận hồ sơ",
    "window_end_inclusive": "Tính cả ngày hết hạn",
    "before_window_close": "Trước khi hết hạn nhận hồ sơ",
    "hours_before_close": "Số giờ trước khi hết hạn",
    "decision_dates": "Ngày chấm điểm / quyết định tìm thấy",
    "minimum": "Mức tối thiểu",
    "minimum_days": "Số ngày tối thiểu",
    "unit": "Đơn vị",
    "interpretation": "Cách hiểu quy định",
    "selected": "Tổ chức được chọn",
    "organisation": "Tổ chức đấu giá",
    "organisations": "Các tổ chức đấu giá",
    "winner": "Người / tổ chức trúng",
    "wins": "Số lần được chọn",
    "winning_price": "Giá trúng",
    "owner": "Người có tài sản",
    "asset": "Tài sản",
    "lot": "Tài sản (lô)",
    "lot_index": "Số thứ tự lô",
    "parcel_no": "Số thửa",
    "area_m2": "Diện tích (m²)",
    "location": "Vị trí / địa chỉ",
    "use_term": "Thời hạn sử dụng",
    "missing": "Còn thiếu",
    "registered": "Số người đăng ký",
    "participants": "Số người tham gia",
    "failed_rounds": "Số lần đấu giá không thành",
    "round": "Lần đấu giá",
    "cut": "Mức giảm giá",
    "max_cut_per_round": "Mức giảm tối đa mỗi lần",
    "deposit_pct": "Tiền đặt trước (% giá khởi điểm)",
    "start_price_in_text": "Giá khởi điểm ghi trong văn bản",
    "premium_pct": "Chênh lệch so với giá khởi điểm (%)",
    "pub_to_auction_days": "Số ngày từ khi đăng đến khi đấu giá",
    "reg_window_days": "Số ngày nhận đăng ký",
    "asset_similarity": "Độ giống tài sản (%)",
    "price_match": "Giá khởi điểm trùng khớp",
    "period_start": "Từ ngày",
    "period_end": "Đến ngày",
    "share": "Tỷ lệ",
    "top_share": "Tỷ lệ của tổ chức được chọn nhiều nhất",
    "p_value": "Giá trị p",
    "score": "Điểm",
    "threshold_source": "Nguồn ngưỡng",
    "changes": "Các thay đổi",
    "field": "Trường thông tin",
    "old": "Giá trị cũ",
    "new": "Giá trị mới",
    "what": "Sự kiện",
    "on": "Ngày",
    "at": "Thời điểm",
    "source": "Nguồn",
    "cue": "Dấu hiệu trong văn bản",
    "excerpt": "Trích đoạn",
    "link": "Liên kết hồ sơ",
    "note": "Ghi chú",
    "raw_sha256": "Bản gốc trang/phản hồi của cổng",
    "raw_sha256s": "Bản gốc trang/phản hồi của cổng",
    "sha256": "Tệp đính kèm",
    "sha256s": "Tệp đính kèm",
}

_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_WS_RE = re.compile(r"\s+")
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")
_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_SHA_KEYS = ("raw_sha256", "sha256", "raw_sha256s", "sha256s")


def clean_header(text: str | None, limit: int = SUBJECT_MAX_CHARS) -> str:
    """One line of header text: control characters (CR, LF, ...) become spaces, length capped with an ellipsis."""
    one_line = _WS_RE.sub(" ", _CONTROL_RE.sub(" ", text or "")).strip()
    return one_line if len(one_line) <= limit else one_line[: limit - 1].rstrip() + "…"


def bounded(text: Any, limit: int = VALUE_MAX_CHARS) -> str:
    s = "" if text is None else str(text)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def safe_url(url: Any) -> str | None:
    """The URL when it is a plain http(s) link of sane length; anything else is not linked."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if len(url) > URL_MAX_CHARS or _CONTROL_RE.search(url) or " " in url:
        return None
    return url if url.lower().startswith(("http://", "https://")) else None


_ID_KEYS = frozenset({"notice", "result", "auction_notice", "selection_notice", "selection_result", "thads_notice",
                      "chain", "root", "subject"})


def is_id_key(key: str) -> bool:
    """Portal ids are shown as written (593406), not as amounts (593.406)."""
    k = key.lower()
    return k in _ID_KEYS or k.endswith(("_id", "_ids", "id", "ids", "_key", "_keys"))


def format_value(value: Any, key: str = "") -> str:
    """Evidence values for people: dd/mm/yyyy dates, 1.234.567 numbers, có/không, lists joined; ids verbatim."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "có" if value else "không"
    if key and is_id_key(key) and isinstance(value, (int, str)):
        return bounded(str(value))
    if key and is_id_key(key) and isinstance(value, (list, tuple)):
        return bounded(", ".join(str(v) for v in value[:MAX_LIST_ITEMS]))
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, float):
        if value.is_integer():
            return format_value(int(value))
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
        return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    if isinstance(value, (datetime, date)):
        return fmt_dmy(value)
    if isinstance(value, str):
        s = value.strip()
        if _ISO_DATE_RE.match(s):
            try:
                return fmt_dmy(date.fromisoformat(s))
            except ValueError:
                return bounded(s)
        if _ISO_DATETIME_RE.match(s) and len(s) <= 40:
            try:
                return fmt_dmy(datetime.fromisoformat(s.replace("Z", "+00:00")))
            except ValueError:
                return bounded(s)
        return bounded(s)
    if isinstance(value, (list, tuple)):
        items = [format_value(v) for v in value[:MAX_LIST_ITEMS]]
        more = f" (và {len(value) - MAX_LIST_ITEMS} mục khác)" if len(value) > MAX_LIST_ITEMS else ""
        return bounded("; ".join(items) + more)
    return bounded(value)


def _is_sha_key(key: str) -> bool:
    return key in _SHA_KEYS or key.endswith("_sha256") or key.endswith("_sha256s")


def evidence_rows(evidence: dict[str, Any] | None) -> list[tuple[str, str]]:
    """Flatten the evidence into (label, value) rows; SHA-256 keys are left to ``evidence_links``."""
    rows: list[tuple[str, str]] = []

    def walk(obj: dict[str, Any], prefix: str, depth: int) -> None:
        for key, value in obj.items():
            if len(rows) >= MAX_EVIDENCE_ROWS:
                return
            key = str(key)
            if _is_sha_key(key):
                continue
            label = EVIDENCE_LABELS.get(key, key)
            label = bounded(f"{prefix} › {label}" if prefix else label, KEY_MAX_CHARS)
            if isinstance(value, dict) and depth < 3:
                walk(value, label, depth + 1)
            elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value) and depth < 3:
                for i, item in enumerate(value[:MAX_LIST_ITEMS], start=1):
                    walk(item, f"{label} [{i}]", depth + 1)
            else:
                rows.append((label, format_value(value, key)))

    if isinstance(evidence, dict):
        walk(evidence, "", 0)
    return rows


@dataclass(frozen=True)
class Link:
    """A labelled link; ``href`` is None when the target is a local file path shown as text."""

    label: str
    target: str
    href: str | None


def evidence_links(evidence: dict[str, Any] | None, settings: AlertSettings, evidence_root: str | None) -> list[Link]:
    """Links to stored raw responses and attachments named by SHA-256 anywhere in the evidence."""
    found: dict[str, str] = {}

    def add(key: str, value: Any) -> None:
        if isinstance(value, str) and _SHA_RE.match(value.strip().lower()):
            found.setdefault(value.strip().lower(), key)

    def walk(obj: Any, depth: int) -> None:
        if depth > 4 or len(found) >= MAX_LINKS:
            return
        if isinstance(obj, dict):
            for key, value in obj.items():
                if _is_sha_key(str(key)):
                    for v in value if isinstance(value, list) else [value]:
                        add(str(key), v)
                else:
                    walk(value, depth + 1)
        elif isinstance(obj, list):
            for v in obj[: MAX_LIST_ITEMS * 5]:
                walk(v, depth + 1)

    walk(evidence, 0)
    links: list[Link] = []
    base = (settings.evidence_base_url or "").rstrip("/")
    store = EvidenceStore(evidence_root or "data/evidence")
    for digest, key in list(found.items())[:MAX_LINKS]:
        label = bounded(f"{EVIDENCE_LABELS.get(key, key)}: {digest[:12]}…", KEY_MAX_CHARS)
        if base:
            url = f"{base}/{digest}"
            links.append(Link(label, url, safe_url(url)))
        else:
            links.append(Link(label, str(store.path_for(digest)), None))
    return links


def portal_links(urls: list[Any] | None, allowed_hosts: frozenset[str] | None = None) -> list[Link]:
    """Links to the notices on the portals; a URL on any other host (``crawler.hosts``; default: the real portals)
    is not shown at all, so nothing elsewhere passes for the portal's page."""
    from crawler.hosts import PORTAL_HOSTS, is_allowed

    hosts = PORTAL_HOSTS if allowed_hosts is None else allowed_hosts
    links = []
    for url in [u for u in (urls or []) if is_allowed(u, hosts)][:MAX_LINKS]:
        href = safe_url(url)
        links.append(Link(bounded(url, 200), bounded(url, URL_MAX_CHARS), href))
    return links


def detector_label(detector: str) -> str:
    return DETECTOR_LABELS.get(detector, detector)


def explanation(detector: str) -> str:
    return DETECTOR_EXPLANATIONS.get(
        detector, f"Phát hiện tự động của bộ kiểm tra «{detector}». Xem căn cứ pháp lý và bằng chứng bên dưới.")


def review_command(settings: AlertSettings, finding_id: int) -> str:
    return bounded(settings.review_hint.replace("{id}", str(finding_id)), 500)


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
    """One finding in a digest, with why it is (re)sent and the severity the recipient last saw."""

    finding: Finding
    reason: str
    previous_severity: str | None = None
    province: Province | None = None


@dataclass
class _Item:
    id: int
    title: str
    detector: str
    detector_label: str
    rule: str
    severity: str
    severity_label: str
    severity_color: str
    status_label: str
    province: str
    owner: str
    update: str | None
    portal_links: list[Link]
    evidence_links: list[Link]
    evidence_rows: list[tuple[str, str]]
    review: str
    explanation: str
    legal_basis: str
    first_seen: str
    last_seen: str


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
          settings: AlertSettings, evidence_root: str | None, allowed_hosts: frozenset[str] | None = None) -> _Item:
    severity = finding.severity or "low"
    return _Item(
        id=finding.id,
        title=bounded(finding.title or f"{detector_label(finding.detector)}: {finding.subject_id}", TITLE_MAX_CHARS),
        detector=finding.detector,
        detector_label=detector_label(finding.detector),
        rule=bounded(finding.rule, 100),
        severity=severity,
        severity_label=SEVERITY_LABELS.get(severity, severity),
        severity_color=SEVERITY_COLORS.get(severity, "#5f6b7a"),
        status_label=STATUS_LABELS.get(finding.status, finding.status),
        province=province.name if province else (bounded(finding.province, 100) if finding.province else "Chưa xác định"),
        owner=bounded(finding.owner_name or "—", 300),
        update=update_line(reason, previous_severity, severity),
        portal_links=portal_links(finding.urls, allowed_hosts),
        evidence_links=evidence_links(finding.evidence, settings, evidence_root),
        evidence_rows=evidence_rows(finding.evidence),
        review=review_command(settings, finding.id),
        explanation=explanation(finding.detector),
        legal_basis=bounded(finding.legal_basis or "", 1000),
        first_seen=fmt_dmy(to_local(finding.first_seen)),
        last_seen=fmt_dmy(to_local(finding.last_seen)),
    )


def compose_finding(finding: Finding, reason: str, settings: AlertSettings, *, previous_severity: str | None = None,
                    province: Province | None = None, evidence_root: str | None = None,
                    allowed_hosts: frozenset[str] | None = None) -> ComposedMessage:
    """One e-mail about one finding (new, or re-sent because its severity rose or its evidence changed). Portal
    links only to ``allowed_hosts`` (default: the real portals)."""
    item = _item(finding, reason, previous_severity, province, settings, evidence_root, allowed_hosts)
    prefix = {
        "new": f"Cảnh báo đấu giá – mức {item.severity_label}",
        "severity_up": f"Cập nhật – mức độ tăng lên {item.severity_label}",
        "new_evidence": f"Có bằng chứng mới – mức {item.severity_label}",
        "reopened": f"Phát hiện lại – mức {item.severity_label}",
    }.get(reason, f"Cảnh báo đấu giá – mức {item.severity_label}")
    subject = clean_header(f"[{prefix}] {item.title}")
    context = {"subject": subject, "item": item}
    return ComposedMessage(subject, _render("finding.txt.j2", **context), _render("finding.html.j2", **context))


@dataclass
class _Group:
    detector_label: str
    provinces: list[tuple[str, list[_Item]]]


def _grouped(items: list[_Item]) -> list[_Group]:
    by_detector: dict[str, dict[str, list[_Item]]] = defaultdict(lambda: defaultdict(list))
    for it in items:
        by_detector[it.detector][it.province].append(it)
    groups = []
    for detector in sorted(by_detector, key=lambda d: detector_label(d)):
        provinces = sorted(by_detector[detector].items(), key=lambda kv: (kv[0] == "Chưa xác định", kv[0]))
        groups.append(_Group(detector_label(detector), [(p, sorted(v, key=lambda i: i.id)) for p, v in provinces]))
    return groups


def compose_digest(recipient_name: str, entries: list[DigestEntry], day: date, settings: AlertSettings, *,
                   evidence_root: str | None = None, deferred: int = 0,
                   allowed_hosts: frozenset[str] | None = None) -> ComposedMessage:
    """The daily digest of one recipient: flags, then "cần thêm dữ liệu", then resolved, by detector and province."""
    flags, insufficient, resolved = [], [], []
    for e in entries:
        it = _item(e.finding, e.reason, e.previous_severity, e.province, settings, evidence_root, allowed_hosts)
        if e.reason == "resolved":
            resolved.append(it)
        elif e.finding.status == "insufficient":
            insufficient.append(it)
        else:
            flags.append(it)
    subject = clean_header(
        f"[Bản tin ngày {fmt_dmy(day)}] {len(flags)} phát hiện, {len(insufficient)} cần thêm dữ liệu, "
        f"{len(resolved)} không còn vi phạm")
    context = {
        "subject": subject,
        "recipient": bounded(recipient_name, 200),
        "day": fmt_dmy(day),
        "sections": [
            ("Phát hiện cần xem xét", _grouped(flags)),
            ("Cần thêm dữ liệu", _grouped(insufficient)),
            ("Không còn vi phạm", _grouped(resolved)),
        ],
        "counts": {"flags": len(flags), "insufficient": len(insufficient), "resolved": len(resolved)},
        "deferred": deferred,
        "review_hint": bounded(settings.review_hint, 500),
        "explanations": {detector_label(d): explanation(d) for d in sorted({e.finding.detector for e in entries})},
    }
    return ComposedMessage(subject, _render("digest.txt.j2", **context), _render("digest.html.j2", **context))


def compose_operator(kind: str, message: str, details: dict[str, Any] | None, now: datetime) -> ComposedMessage:
    """A message to the operator: portal blocked, crawl failed, no new records, delivery failed."""
    label = OPERATOR_KIND_LABELS.get(kind, kind)
    subject = clean_header(f"[Vận hành – {label}] {message}")
    context = {
        "subject": subject,
        "label": label,
        "kind": bounded(kind, 100),
        "message": bounded(message, 2000),
        "at": fmt_dmy(to_local(now)),
        "rows": evidence_rows(details or {}),
    }
    return ComposedMessage(subject, _render("operator.txt.j2", **context), _render("operator.html.j2", **context))
