"""The review site through Flask's test client: access control (login, signed links, CSRF), the list's filters
and paging, the finding page, verdicts that replace, and the evidence viewer's hash check without server paths."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from alerts.links import make_finding_link, make_finding_token
from site_db import ANALYST, OFFICER, PASSWORD, SECRET, build, client, login
from storage.models import Review
from storage.users import set_active, set_password


@pytest.fixture
def site(tmp_path):
    return build(tmp_path, extra_findings=30)


def _link_path(site, finding_id: int, recipient: str = OFFICER) -> str:
    url = make_finding_link(site.ctx.settings.web, finding_id, recipient, secret=SECRET)
    assert url.startswith("http://127.0.0.1:8765/l/")
    return url.removeprefix("http://127.0.0.1:8765")


def test_without_session_or_link_every_page_gives_nothing(site):
    _, c = client(site)
    f = site.result_finding
    for path in ("/", "/findings", f"/findings/{f}", f"/findings/{f}/evidence/{site.response_sha}",
                 f"/findings/{f}/evidence/{site.response_sha}/download"):
        r = c.get(path)
        assert r.status_code == 302 and r.headers["Location"].startswith("/login"), path
        assert b"Minh H" not in r.data and b"990001" not in r.data
    r = c.post(f"/findings/{f}/verdict", data={"verdict": "confirmed"})
    assert r.status_code == 403 and "Minh Họa".encode() not in r.data
    for bad in ("garbage", make_finding_token("another secret" * 4, f, OFFICER)):
        r = c.get(f"/l/{bad}")
        assert r.status_code == 403 and "không hợp lệ".encode() in r.data
    assert c.get(f"/findings/{f}").status_code == 302  # a refused link grants nothing


def test_a_link_opens_its_finding_only_and_records_the_recipients_verdict(site):
    app, c = client(site)
    r = c.get(_link_path(site, site.result_finding))
    assert r.status_code == 302 and r.headers["Location"] == f"/findings/{site.result_finding}"
    page = c.get(f"/findings/{site.result_finding}").get_data(as_text=True)
    assert "Kết quả lựa chọn công bố trước khi hết hạn nhận hồ sơ" in page and OFFICER in page
    assert "1.800.000.000 đ" in page and "26/06/2026" in page and "900001" in page  # money, date, id verbatim
    assert c.get(f"/findings/{site.lot_finding}").status_code == 302  # another finding: not with this link
    assert c.get("/findings").status_code == 302  # nor the list
    c.post(f"/findings/{site.result_finding}/verdict", data={"verdict": "false_positive", "note": "đã kiểm tra"})
    with site.ctx.session() as s:
        rows = s.scalars(select(Review)).all()
        assert [(r.reviewer, r.verdict, r.via) for r in rows] == [(OFFICER, "false_positive", "link")]


def test_expired_links_and_removed_recipients_are_refused(site, monkeypatch):
    app, c = client(site)
    path = _link_path(site, site.result_finding)
    app.config["AM_LINK_MAX_AGE"] = -1
    assert c.get(path).status_code == 403
    app.config["AM_LINK_MAX_AGE"] = 86400
    site.ctx.settings.alerts.recipients = []
    assert c.get(path).status_code == 403
    assert c.get(_link_path(site, site.result_finding, "monitor@localhost")).status_code == 302


def test_login_logout_disabled_accounts_and_password_changes(site):
    _, c = client(site)
    assert login(c, ANALYST, "wrong password!").status_code == 401
    assert login(c, "nobody", PASSWORD).status_code == 401
    r = login(c)
    assert r.status_code == 302 and r.headers["Location"] == "/findings"
    assert c.get("/findings").status_code == 200
    with site.ctx.session() as s:
        set_password(s, ANALYST, "một mật khẩu mới 456")
    assert c.get("/findings").status_code == 302  # the old session ended with the password change
    login(c, ANALYST, "một mật khẩu mới 456")
    assert c.get("/findings").status_code == 200
    c.post("/logout")
    assert c.get("/findings").status_code == 302
    with site.ctx.session() as s:
        set_active(s, ANALYST, False)
    assert login(c, ANALYST, "một mật khẩu mới 456").status_code == 401
    r = c.post("/login", data={"name": ANALYST, "password": "x", "next": "https://evil.example/"})
    assert "evil.example" not in r.headers.get("Location", "")


def test_forms_need_a_csrf_token(site):
    _, c = client(site, csrf=True)
    assert c.post("/login", data={"name": ANALYST, "password": PASSWORD}).status_code == 400
    page = c.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert c.post("/login", data={"name": ANALYST, "password": PASSWORD, "csrf_token": token}).status_code == 302
    assert c.post(f"/findings/{site.result_finding}/verdict", data={"verdict": "confirmed"}).status_code == 400
    page = c.get(f"/findings/{site.result_finding}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = c.post(f"/findings/{site.result_finding}/verdict", data={"verdict": "confirmed", "csrf_token": token})
    assert r.status_code == 302


def test_a_second_verdict_of_the_same_reviewer_replaces_the_first(site):
    _, c = client(site)
    login(c)
    url = f"/findings/{site.result_finding}/verdict"
    c.post(url, data={"verdict": "needs_more_info", "note": "xem tệp"})
    c.post(url, data={"verdict": "confirmed", "note": "đã đối chiếu"})
    c.post(url, data={"verdict": "bogus"})
    with site.ctx.session() as s:
        rows = s.scalars(select(Review)).all()
        assert [(r.reviewer, r.verdict, r.note, r.via) for r in rows] == [(ANALYST, "confirmed", "đã đối chiếu", "web")]
    page = c.get(f"/findings/{site.result_finding}").get_data(as_text=True)
    assert "Xác nhận vi phạm" in page and "đã đối chiếu" in page


def _ids(page: str) -> set[int]:
    return {int(x) for x in re.findall(r'href="/findings/(\d+)"', page)}


def test_list_filters_and_paging(site):
    check_filters_and_paging(site)


@pytest.mark.postgres
def test_list_filters_and_paging_on_postgresql(tmp_path, pg_url):
    check_filters_and_paging(build(tmp_path, extra_findings=30, db_url=pg_url))


def check_filters_and_paging(site):
    _, c = client(site)
    login(c)
    first = c.get("/findings").get_data(as_text=True)
    assert "33 phát hiện" in first and "trang 1/2" in first and "Trang sau" in first
    assert c.get("/findings?page=2").get_data(as_text=True).count('class="title"') == 8
    get = (lambda q: _ids(c.get("/findings?" + q).get_data(as_text=True)))
    assert get("rule=premature_scoring") == {site.result_finding}
    assert get("rule=parcel_details.missing_parcel_fields") == {site.lot_finding}
    assert get("province=lam-dong") == {site.result_finding, site.lot_finding}
    assert get("owner=Khác") == {site.chain_finding}
    assert get("organisation=Minh Họa A") == {site.result_finding}
    assert get("organisation=Minh Họa D") == {site.lot_finding}
    assert get("status=insufficient") == {site.lot_finding}
    assert get("severity=high") == {site.result_finding, site.chain_finding}
    assert get("from=20/06/2026&to=23/06/2026&rule=collusion") == {site.chain_finding} | {
        i for i in get("rule=collusion.exclusionary_terms") if i <= site.chain_finding + 4}
    page = c.get("/findings?from=31/02/2026").get_data(as_text=True)
    assert "dd/mm/yyyy" in page and "Từ ngày" in page
    c.post(f"/findings/{site.lot_finding}/verdict", data={"verdict": "confirmed"})
    assert get("verdict=confirmed") == {site.lot_finding}
    assert site.lot_finding not in get("verdict=none")


def test_finding_page_shows_history_related_findings_and_only_portal_links(site):
    _, c = client(site)
    login(c)
    page = c.get(f"/findings/{site.lot_finding}").get_data(as_text=True)
    assert "Thay đổi" in page and "Nội dung thay đổi" in page and "30/06/2026" in page
    assert "Cùng chuỗi đấu giá lại" in page and f'href="/findings/{site.chain_finding}"' in page
    assert "Cùng người có tài sản" in page and f'href="/findings/{site.result_finding}"' in page
    assert "Công ty Đấu giá hợp danh Minh Họa D" in page  # the organisation of the lot's notice
    page = c.get(f"/findings/{site.result_finding}").get_data(as_text=True)
    hrefs = re.findall(r'href="([^"]+)"', page)
    external = [h for h in hrefs if not h.startswith("/")]
    assert external and all(h.startswith("https://dgts.moj.gov.vn/") for h in external)
    assert "Kết quả lựa chọn" in page and "Thông báo lựa chọn" in page


def test_evidence_viewer_rehashes_and_never_shows_a_server_path(site):
    _, c = client(site)
    login(c)
    f, sha = site.result_finding, site.response_sha
    page = c.get(f"/findings/{f}/evidence/{sha}").get_data(as_text=True)
    assert "Khớp" in page and "Minh Họa A" in page and sha in page
    assert str(site.tmp) not in page and f"{sha[:2]}/{sha[2:4]}/{sha}" not in page
    attachment = c.get(f"/findings/{site.lot_finding}/evidence/{site.attachment_sha}").get_data(as_text=True)
    assert "tờ bản đồ số 15" in attachment and "Khớp" in attachment
    download = c.get(f"/findings/{site.lot_finding}/evidence/{site.attachment_sha}/download")
    assert download.data.startswith(b"%PDF") and download.mimetype == "application/octet-stream"
    # a blob that is not this finding's is not served, even when it exists
    assert c.get(f"/findings/{site.chain_finding}/evidence/{sha}").status_code == 404
    blob = site.ctx.evidence.path_for(sha)
    blob.write_bytes(blob.read_bytes() + b" tampered")
    page = c.get(f"/findings/{f}/evidence/{sha}").get_data(as_text=True)
    assert "KHÔNG KHỚP" in page and "tampered" not in page and str(site.tmp) not in page
    blob.unlink()
    page = c.get(f"/findings/{f}/evidence/{sha}").get_data(as_text=True)
    assert "Không tìm thấy bản lưu" in page and str(site.tmp) not in page


def test_pages_carry_security_headers_and_no_script(site):
    _, c = client(site)
    login(c)
    r = c.get(f"/findings/{site.result_finding}")
    assert "script-src" not in r.headers["Content-Security-Policy"]  # default-src 'none': no script at all
    assert r.headers["X-Frame-Options"] == "DENY" and r.headers["Referrer-Policy"] == "no-referrer"
    assert "<script" not in r.get_data(as_text=True)
    assert c.get("/static/site.css").status_code == 200
