"""Vietnamese e-mail content: subjects, escaping of portal text, evidence table, links, digest grouping."""

from __future__ import annotations

import datetime as dt
import re

from alerts.compose import (
    DigestEntry,
    clean_header,
    compose_digest,
    compose_finding,
    compose_operator,
    evidence_links,
    evidence_rows,
    format_value,
)
from alerts.settings import AlertSettings
from vntext.provinces import province_by_code
from storage.models import Finding

NOW = dt.datetime(2026, 7, 1, 1, 0, tzinfo=dt.timezone.utc)
SHA = "ab" * 32


def finding(**kw) -> Finding:
    values = dict(id=42, detector="premature_scoring", rule="scored_before_deadline", subject_kind="selection_result",
                  subject_id="7", status="flag", severity="high", title="Chấm điểm trước hạn",
                  evidence={"window_end": "2026-06-20", "decision_date": "2026-06-18", "working_days": 2},
                  evidence_hash="h", urls=["https://dgts.moj.gov.vn/portal/x/7"], legal_basis="TT 02/2022 Điều 5",
                  owner_name="Cục THADS tỉnh Trà Vinh", province="vinh-long", first_seen=NOW, last_seen=NOW)
    values.update(kw)
    return Finding(**values)


SETTINGS = AlertSettings()


def test_clean_header_strips_line_breaks_and_caps_length():
    assert clean_header("A\r\nBcc: victim@example.com") == "A Bcc: victim@example.com"
    long = clean_header("x" * 500)
    assert len(long) == 180 and long.endswith("…")


def test_subject_of_injected_title_is_one_line():
    msg = compose_finding(finding(title="Tiêu đề\r\nBcc: x@example.com"), "new", SETTINGS)
    assert "\n" not in msg.subject and "\r" not in msg.subject
    assert msg.subject.startswith("[Cảnh báo đấu giá – mức cao]")


def test_html_escapes_untrusted_portal_text():
    evil = "<script>alert(1)</script>"
    msg = compose_finding(finding(title=f"Tài sản {evil}", owner_name=f"Chủ {evil}",
                                  evidence={"note": evil}), "new", SETTINGS)
    assert "<script>" not in msg.body_html
    # <title>, heading, owner and evidence row
    assert msg.body_html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 4
    assert evil in msg.body_text  # plain text is not HTML: shown as written


def test_non_http_urls_are_not_linked():
    msg = compose_finding(finding(urls=["javascript:alert(1)", "https://dgts.moj.gov.vn/a?b=1&c=2"]), "new", SETTINGS)
    assert 'href="javascript' not in msg.body_html
    assert 'href="https://dgts.moj.gov.vn/a?b=1&amp;c=2"' in msg.body_html


def test_evidence_values_are_formatted_for_people():
    rows = dict(evidence_rows({"window_end": "2026-06-20", "start_price": 1500000000, "price_cut_pct": 12.5,
                               "missing_fields": ["area", "parcel_number"], "ok": True, "nested": {"days": 3}}))
    assert rows["Hết hạn nhận hồ sơ"] == "20/06/2026"
    assert rows["Giá khởi điểm"] == "1.500.000.000"
    assert rows["Tỷ lệ giảm giá (%)"] == "12,5"
    assert rows["Thông tin còn thiếu"] == "area; parcel_number"
    assert rows["ok"] == "có"
    assert rows["nested › Số ngày"] == "3"


def test_datetime_values_are_shown_in_vietnam_time():
    assert format_value("2026-06-30T23:30:00+00:00") == "01/07/2026 06:30"


def test_evidence_table_is_bounded():
    rows = evidence_rows({f"k{i}": "v" * 5000 for i in range(500)})
    assert len(rows) == 60 and all(len(v) <= 500 for _, v in rows)


def test_evidence_link_uses_base_url_and_sha256():
    settings = AlertSettings(evidence_base_url="https://evidence.example.vn/blobs/")
    links = evidence_links({"raw_sha256": SHA, "attachments": [{"sha256": "cd" * 32}, {"sha256": "not-a-hash"}]},
                           settings, None)
    assert [link.href for link in links] == [f"https://evidence.example.vn/blobs/{SHA}",
                                             f"https://evidence.example.vn/blobs/{'cd' * 32}"]


def test_evidence_link_without_base_url_is_a_store_path(tmp_path):
    links = evidence_links({"raw_sha256s": [SHA]}, SETTINGS, str(tmp_path))
    assert links[0].href is None and links[0].target == str(tmp_path / "ab" / "ab" / SHA)


def test_finding_mail_explains_why_and_how_to_review():
    msg = compose_finding(finding(), "new", SETTINGS, province=province_by_code("vinh-long"))
    for text in ("Vì sao cần chú ý", "03 ngày làm việc", "Căn cứ pháp lý", "TT 02/2022 Điều 5", "Bằng chứng",
                 "20/06/2026", "https://dgts.moj.gov.vn/portal/x/7", "auction-monitor review 42", "Vĩnh Long"):
        assert text in msg.body_html, text
    assert "auction-monitor review 42 --verdict" in msg.body_text


def test_html_is_phone_friendly_and_self_contained():
    html = compose_finding(finding(), "new", SETTINGS).body_html
    assert "max-width:640px" in html and 'name="viewport"' in html
    assert not re.search(r"<(img|link|script)\b", html) and "@import" not in html


def test_severity_rise_says_so():
    msg = compose_finding(finding(), "severity_up", SETTINGS, previous_severity="medium")
    assert "Cập nhật: mức độ tăng từ trung bình lên cao" in msg.body_text
    assert "Cập nhật: mức độ tăng từ trung bình lên cao" in msg.body_html
    assert msg.subject.startswith("[Cập nhật")


def test_new_evidence_says_so():
    msg = compose_finding(finding(), "new_evidence", SETTINGS)
    assert "Có bằng chứng mới" in msg.body_text and "Có bằng chứng mới" in msg.subject


def test_digest_groups_by_detector_then_province_with_separate_sections():
    entries = [
        DigestEntry(finding(id=1, detector="parcel_details", severity="low", title="Thiếu diện tích A"), "new",
                    province=province_by_code("ha-noi")),
        DigestEntry(finding(id=2, detector="premature_scoring", severity="medium", title="Sớm B"), "new",
                    province=province_by_code("ca-mau")),
        DigestEntry(finding(id=3, detector="parcel_details", severity="low", title="Thiếu số thửa C"), "new",
                    province=province_by_code("an-giang")),
        DigestEntry(finding(id=4, detector="parcel_details", status="insufficient", title="Không đọc được D"), "new",
                    province=province_by_code("ha-noi")),
        DigestEntry(finding(id=5, resolved_at=NOW, title="Đã hết E"), "resolved", province=province_by_code("ha-noi")),
    ]
    msg = compose_digest("Cán bộ X", entries, dt.date(2026, 7, 1), SETTINGS)
    text = msg.body_text
    order = [text.index(s) for s in ("PHÁT HIỆN CẦN XEM XÉT", "## Chấm điểm", "Cà Mau", "Sớm B", "## Thiếu thông tin",
                                     "An Giang", "Thiếu số thửa C", "Hà Nội", "Thiếu diện tích A",
                                     "CẦN THÊM DỮ LIỆU", "Không đọc được D", "KHÔNG CÒN VI PHẠM", "Đã hết E")]
    assert order == sorted(order)
    assert msg.subject == "[Bản tin ngày 01/07/2026] 3 phát hiện, 1 cần thêm dữ liệu, 1 không còn vi phạm"
    assert "Cần thêm dữ liệu</h2>" in msg.body_html and "Kính gửi Cán bộ X" in msg.body_html


def test_operator_mail_lists_details():
    msg = compose_operator("portal_blocked", "Cổng dgts chặn truy cập", {"run_id": 7, "message": "<b>403</b>"}, NOW)
    assert msg.subject == "[Vận hành – Cổng thông tin chặn truy cập] Cổng dgts chặn truy cập"
    assert "&lt;b&gt;403&lt;/b&gt;" in msg.body_html and "run_id: 7" in msg.body_text
