"""Vietnamese e-mail content: what is wrong first, who and what, the finding's link, labelled portal links, the
undecided wording, escaping of portal text, digest layout and subjects."""

from __future__ import annotations

import datetime as dt
import email
import re
from email import policy

from alerts.compose import DIGEST_IN_FULL, DigestEntry, clean_header, compose_digest, compose_finding, compose_operator
from alerts.smtp_sender import build_email
from alerts.subject import MarkedText, Subject, mark_found
from vntext.provinces import province_by_code
from storage.models import Alert, Finding

NOW = dt.datetime(2026, 7, 1, 1, 0, tzinfo=dt.timezone.utc)
LINK = "https://giamsat.example.gov.vn/l/token-for-officer"
RESULT_URL = "https://dgts.moj.gov.vn/thong-bao-ket-qua-lua-chon-to-chuc-dau-gia/x-990001.html"
NOTICE_URL = "https://dgts.moj.gov.vn/thong-bao-lua-chon-to-chuc-dau-gia/x-900001.html"
EARLY = {"result": "990001", "notice": "900001", "window_end": "2026-09-09",
         "window_closes_at": "2026-09-10T00:00:00+07:00", "result_published_at": "2026-09-07T10:05:00+07:00",
         "before_window_close": [{"what": "result published", "at": "2026-09-07T10:05:00+07:00",
                                  "hours_before_close": 61.9}],
         "link": {"status": "matched", "notice": "900001", "confidence": 1.0, "reasons": ["same owner"]},
         "raw_sha256s": ["ab" * 32]}


def finding(**kw) -> Finding:
    values = dict(id=42, detector="premature_scoring", rule="result_before_window_end",
                  subject_kind="selection_result", subject_id="990001", status="flag", severity="high",
                  title="Kết quả lựa chọn tổ chức đấu giá được công bố trước khi hết thời hạn nhận hồ sơ",
                  evidence=EARLY, evidence_hash="h", urls=[RESULT_URL, NOTICE_URL],
                  legal_basis="Thông tư 02/2022/TT-BTP Điều 5", owner_name="Ủy ban nhân dân xã Minh Họa",
                  province="lam-dong", first_seen=NOW, last_seen=NOW)
    values.update(kw)
    return Finding(**values)


CHOSEN = Subject(organisation="Công ty Đấu giá hợp danh Minh Họa A", asset="Quyền sử dụng đất thửa số 101")


def test_finding_mail_leads_with_the_facts_and_names_who_and_what():
    msg = compose_finding(finding(), "new", province=province_by_code("lam-dong"), subject=CHOSEN, link=LINK)
    fact = "Hết hạn nhận hồ sơ 09/09/2026 — kết quả công bố 07/09/2026 10:05, sớm 61,9 giờ"
    for body in (msg.body_text, msg.body_html):
        assert fact in body
        assert body.index(fact) < body.index("Ủy ban nhân dân xã Minh Họa") < body.index("Chi tiết".upper()
                                                                                          if body is msg.body_text
                                                                                          else "Chi tiết")
        for text in ("Tổ chức được chọn", "Công ty Đấu giá hợp danh Minh Họa A", "Lâm Đồng",
                     "Quyền sử dụng đất thửa số 101", "Căn cứ pháp lý", "03 ngày làm việc"):
            assert text in body, text
    assert f'href="{LINK}"' in msg.body_html and LINK in msg.body_text
    assert "Mức cao" in msg.body_html


def test_portal_links_are_labelled_and_only_to_the_portals():
    urls = [RESULT_URL, NOTICE_URL, "javascript:alert(1)", "https://evil.example/x-1.html",
            "https://dgts.moj.gov.vn/thong-bao-cong-khai-viec-dau-gia/a?b=1&c=2"]
    html = compose_finding(finding(urls=urls), "new", link=LINK).body_html
    assert f'<a href="{RESULT_URL}" style="color:#0b57d0;">Kết quả lựa chọn</a>' in html
    assert f'<a href="{NOTICE_URL}" style="color:#0b57d0;">Thông báo lựa chọn</a>' in html
    assert 'href="https://dgts.moj.gov.vn/thong-bao-cong-khai-viec-dau-gia/a?b=1&amp;c=2"' in html
    assert ">Thông báo đấu giá</a>" in html
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert set(hrefs) <= {LINK, RESULT_URL, NOTICE_URL, "https://dgts.moj.gov.vn/thong-bao-cong-khai-viec-dau-gia/a"
                                                          "?b=1&amp;c=2"}


def test_no_server_path_no_command_line_no_english_no_hash():
    msg = compose_finding(finding(), "new", subject=CHOSEN, link=LINK)
    for body in (msg.body_text, msg.body_html):
        assert "auction-monitor review" not in body and "/evidence/" not in body and "ab" * 32 not in body
        assert "result published" not in body and "same owner" not in body and "matched" not in body
        assert "cùng người có tài sản" in body  # the link's reason, in Vietnamese
        assert "990001" in body and "990.001" not in body  # an id is not an amount


def test_undecided_finding_says_so_with_the_reason_and_no_severity():
    undecided = finding(status="insufficient", severity="high",
                        title="Chưa đủ dữ liệu để kiểm tra: kết quả lựa chọn được công bố trước khi hết hạn",
                        evidence={"result": "990001", "reason": "the linked selection notice is not in the database"})
    msg = compose_finding(undecided, "new", link=LINK)
    assert msg.subject.startswith("[Chưa đủ dữ liệu để kết luận]")
    reason = "Chưa đủ dữ liệu để kết luận: hệ thống chưa lưu thông báo lựa chọn được liên kết"
    assert reason in msg.body_text and reason in msg.body_html
    assert "Mức cao" not in msg.body_html and "mức cao" not in msg.subject and "[Mức" not in msg.body_text


def test_parcel_mail_shows_the_lot_text_with_found_facts_marked_and_missing_named():
    text = "Quyền sử dụng đất thửa đất số 301, tờ bản đồ số 14, diện tích 1.250 m2, đất trồng lúa"
    found = {"parcel_no": {"value": ["301"], "source": "name"}, "map_sheet": {"value": ["14"], "source": "name"},
             "area_m2": {"value": 1250.0, "source": "name"}}
    lot = finding(detector="parcel_details", rule="missing_parcel_fields", subject_kind="lot",
                  subject_id="auction_notice:9000104:0", title="Thiếu thông tin thửa đất: vị trí/địa chỉ",
                  evidence={"notice_kind": "auction_notice", "notice": "9000104", "lot_index": 0,
                            "found": found, "missing": ["location"], "required": ["parcel_no", "location"]})
    subject = Subject(asset=text, lot_texts=(MarkedText("Tên tài sản", mark_found(text, found)),))
    msg = compose_finding(lot, "new", subject=subject, link=LINK)
    assert "Lô đất không nêu vị trí/địa chỉ" in msg.body_text
    assert "thửa đất số [301], tờ bản đồ số [14], diện tích [1.250 m2]" in msg.body_text
    assert '<mark style="background:#fff0a6;color:#1b1b1b;" title="số thửa">301</mark>' in msg.body_html
    assert "Còn thiếu" in msg.body_html and "vị trí/địa chỉ" in msg.body_html


def test_html_escapes_untrusted_portal_text():
    evil = "<script>alert(1)</script>"
    msg = compose_finding(finding(title=f"Tài sản {evil}", owner_name=f"Chủ {evil}",
                                  evidence={**EARLY, "notice": evil}), "new",
                          subject=Subject(organisation=f"Tổ chức {evil}"), link=LINK)
    assert "<script>" not in msg.body_html
    assert msg.body_html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 5  # <title>, heading, owner, org, row
    assert evil in msg.body_text  # plain text is not HTML: shown as written


def test_subject_is_one_line_and_survives_header_folding():
    msg = compose_finding(finding(title="Tiêu đề\r\nBcc: x@example.com"), "new")
    assert "\n" not in msg.subject and msg.subject.startswith("[Cảnh báo đấu giá – mức cao]")
    assert clean_header("x" * 500).endswith("…") and len(clean_header("x" * 500)) == 180
    long = ("[Cảnh báo đấu giá – mức cao] Thông báo đấu giá quyền sử dụng đất thiếu thông tin thửa đất: số thửa, "
            "số tờ bản đồ, diện tích")
    alert = Alert(recipient="a@example.vn", cc=[], subject=long, message_id="<m@x>", created_at=NOW,
                  kind="finding", body_text="x", body_html="<p>x</p>")
    parsed = email.message_from_bytes(build_email(alert, "from@example.vn").as_bytes(), policy=policy.default)
    assert parsed["Subject"] == long  # "đất thiếu", "thửa, số" keep their spaces


def test_update_lines():
    assert "Cập nhật: mức độ tăng từ trung bình lên cao" in compose_finding(
        finding(), "severity_up", previous_severity="medium").body_text
    msg = compose_finding(finding(), "new_evidence")
    assert "Có bằng chứng mới" in msg.body_text and "Có bằng chứng mới" in msg.subject


def test_html_is_phone_friendly_and_self_contained():
    html = compose_finding(finding(), "new", link=LINK).body_html
    assert "max-width:640px" in html and 'name="viewport"' in html
    assert not re.search(r"<(img|link|script)\b", html) and "@import" not in html


def _entries() -> list[DigestEntry]:
    out = []
    for i in range(1, 9):
        out.append(DigestEntry(finding(id=i, severity="high" if i <= 2 else "medium" if i <= 5 else "low",
                                       title=f"Sớm {i}"), "new", province=province_by_code("ca-mau" if i % 2 else
                                                                                             "ha-noi"),
                               link=f"{LINK}/{i}"))
    out.append(DigestEntry(finding(id=20, detector="parcel_details", rule="missing_parcel_fields",
                                   status="insufficient", severity="high", title="Không đọc được tệp",
                                   evidence={"missing": ["area_m2"], "reason": "attachments not downloaded or not "
                                             "extracted may state the missing fields"}),
                           "new", province=province_by_code("ha-noi"), link=f"{LINK}/20"))
    out.append(DigestEntry(finding(id=30, resolved_at=NOW, title="Đã hết"), "resolved",
                           province=province_by_code("ha-noi"), link=f"{LINK}/30"))
    return out


def test_digest_shows_the_most_serious_in_full_then_one_line_each_by_rule_and_province():
    msg = compose_digest("Cán bộ X", _entries(), dt.date(2026, 7, 1))
    assert msg.subject == "[Bản tin ngày 01/07/2026] 8 phát hiện, 1 chưa đủ dữ liệu, 1 không còn vi phạm"
    text, html = msg.body_text, msg.body_html
    order = [text.index(s) for s in ("NGHIÊM TRỌNG NHẤT", "#2 [mức cao", "#1 [mức cao", "#5 [mức trung bình",
                                     "CÁC PHÁT HIỆN KHÁC", "## Kết quả / chấm điểm", "-- Cà Mau --", "#3 [trung bình]",
                                     "-- Hà Nội --", "#4 [trung bình]", "CHƯA ĐỦ DỮ LIỆU ĐỂ KẾT LUẬN",
                                     "Không nêu diện tích", "KHÔNG CÒN VI PHẠM", "#30")]
    assert order == sorted(order)
    assert html.count("Xem bằng chứng và ghi kết luận") == DIGEST_IN_FULL
    for i in (1, 2, 3, 4, 5, 6, 7, 8, 20, 30):
        assert f'href="{LINK}/{i}"' in html and f"{LINK}/{i}" in text
    lines = re.findall(r'<div style="[^"]*white-space:nowrap[^"]*">(.*?)</div>', html, re.S)
    assert len(lines) == 10 - DIGEST_IN_FULL  # every finding not in full takes one line
    assert "Sớm 61,9 giờ: kết quả công bố 07/09/2026 10:05, hết hạn 09/09/2026" in html


def test_digest_undecided_section_has_no_severity():
    html = compose_digest("Cán bộ X", _entries(), dt.date(2026, 7, 1)).body_html
    undecided = html[html.index("Chưa đủ dữ liệu để kết luận</h2>"):html.index("Không còn vi phạm</h2>")]
    assert "#20" in undecided and "Mức" not in undecided and "●" not in undecided


def test_operator_mail_lists_details_in_vietnamese():
    msg = compose_operator("portal_blocked", "Cổng dgts chặn truy cập", {"run_id": 7, "message": "<b>403</b>"}, NOW)
    assert msg.subject == "[Vận hành – Cổng thông tin chặn truy cập] Cổng dgts chặn truy cập"
    assert "&lt;b&gt;403&lt;/b&gt;" in msg.body_html and "Lần thu thập: 7" in msg.body_text
