"""A small review-site database for the web tests: findings of three detectors over stored portal records with
raw responses and an attachment in the evidence store, an analyst account, and (optionally) hostile portal text in
every field a page shows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from am_testing import make_app_context
from storage.models import (
    Attachment,
    AuctionNotice,
    ChangeEvent,
    Finding,
    Lot,
    RawResponse,
    Record,
    SelectionResult,
    Snapshot,
)
from storage.users import add_user

SECRET = "test-secret-" + "k" * 40
ANALYST, PASSWORD = "analyst1", "mật khẩu đủ dài 123"
OFFICER = "officer@example.gov.vn"
EVIL = ("<script>document.title='PWNED'</script><img src=x onerror=\"document.title='PWNED'\">"
        "<a href=\"javascript:alert(1)\">x</a>\r\nSet-Cookie: pwned=1 javascript:alert(1)")
T0 = datetime(2026, 6, 23, 7, 5, tzinfo=timezone.utc)


@dataclass
class SiteDb:
    ctx: object
    result_finding: int
    lot_finding: int
    chain_finding: int
    response_sha: str
    attachment_sha: str
    tmp: Path


def _text(plain: str, hostile: bool) -> str:
    return f"{plain} {EVIL}" if hostile else plain


def build(tmp: Path, *, hostile: bool = False, extra_findings: int = 0, db_url: str | None = None) -> SiteDb:
    """The database under ``tmp`` (or at ``db_url``), with the settings' recipients holding ``OFFICER``."""
    from alerts.settings import Recipient

    ctx = make_app_context(tmp, db_url=db_url)
    ctx.settings.alerts.recipients = [Recipient(name="Cán bộ A", email=OFFICER, provinces=["Lâm Đồng"])]
    ctx.settings.evidence.path = str(tmp / "evidence")
    t = (lambda s: _text(s, hostile))
    raw = json.dumps({"id": 990001, "orgName": t("Công ty Đấu giá hợp danh Minh Họa A"),
                      "propertyName": t("Quyền sử dụng đất thửa số 101")}, ensure_ascii=False).encode()
    response_sha = ctx.evidence.put(raw)
    pdf_bytes = b"%PDF-1.4 fake pdf bytes for the evidence store " + (EVIL.encode() if hostile else b"")
    attachment_sha = ctx.evidence.put(pdf_bytes)
    with ctx.session() as s:
        add_user(s, ANALYST, PASSWORD)
        s.add(SelectionResult(id=990001, property_name=t("Quyền sử dụng đất thửa số 101, tờ bản đồ số 6"),
                              owner_name=t("Ủy ban nhân dân xã Minh Họa"), org_name=t("Công ty Đấu giá hợp danh Minh Họa A"),
                              published_at=T0, province="lam-dong",
                              url="https://dgts.moj.gov.vn/thong-bao-ket-qua-lua-chon-to-chuc-dau-gia/x-990001.html"))
        s.add(AuctionNotice(id=9000201, title=t("Thông báo đấu giá"), property_name=t("Thửa đất số 402"),
                            owner_name=t("Ủy ban nhân dân xã Minh Họa"), org_name=t("Công ty Đấu giá hợp danh Minh Họa D"),
                            published_at=T0, province="lam-dong"))
        s.add(Lot(notice_kind="auction_notice", notice_key="9000201", lot_index=0, name=t("Thửa đất số 402"),
                  start_price=2e9))
        for kind, key in (("dgts.selection_result", "990001"), ("dgts.auction_notice", "9000201")):
            s.add(Record(record_kind=kind, record_key=key, content_hash="c" * 64, first_seen=T0, last_seen=T0,
                         status="active"))
            s.add(Snapshot(record_kind=kind, record_key=key, captured_at=T0, content_hash="c" * 64,
                           document={"id": key}, raw_response_ids=[]))
            s.add(ChangeEvent(record_kind=kind, record_key=key, event="CHANGED", field=t("detail.toDate"),
                              old_value=t("30/06/2026"), new_value=t("22/06/2026"), at=T0))
        s.add(RawResponse(url=t("http://127.0.0.1:1/ThongTin/getInfoResult?resultID=990001"), status=200,
                          fetched_at=T0, content_type="application/json", sha256=response_sha, size=len(raw),
                          endpoint="dgts.result_info", record_kind="dgts.selection_result", record_key="990001"))
        s.add(Attachment(notice_kind="auction_notice", notice_key="9000201", file_key="f1", role="notice_file",
                         file_name=t("THONG BAO 223.pdf"), sha256=attachment_sha, size=len(pdf_bytes),
                         content_type="application/pdf", text_status="ok",
                         text=t("Thửa đất số 402, tờ bản đồ số 15, diện tích 1.250 m2"), fetched_at=T0))
        evil_urls = ["javascript:alert(1)", "https://evil.example/phish", "https://dgts.moj.gov.vn@evil.example/x",
                     "http://127.0.0.1:9/local"] if hostile else []
        common = dict(first_seen=T0, last_seen=T0, evidence_hash="h", legal_basis=t("Thông tư 02/2022/TT-BTP Điều 5"),
                      owner_name=t("Ủy ban nhân dân xã Minh Họa"), province="lam-dong")
        result = Finding(fingerprint="f-result", detector="premature_scoring", rule="result_before_window_end",
                         subject_kind="selection_result", subject_id="990001", status="flag", severity="high",
                         title=t("Kết quả lựa chọn công bố trước khi hết hạn nhận hồ sơ"),
                         evidence={"result": "990001", "window_end": "2026-06-26",
                                   "result_published_at": "2026-06-23T14:05:33+07:00", "notice_id": 900001,
                                   "start_price": 1800000000.0, "note": t("ghi chú của bộ kiểm tra"),
                                   t("khóa lạ"): t("giá trị lạ"), "raw_sha256s": [response_sha]},
                         urls=["https://dgts.moj.gov.vn/thong-bao-ket-qua-lua-chon-to-chuc-dau-gia/x-990001.html",
                               "https://dgts.moj.gov.vn/thong-bao-lua-chon-to-chuc-dau-gia/x-900001.html", *evil_urls],
                         **common)
        lot = Finding(fingerprint="f-lot", detector="parcel_details", rule="missing_parcel_fields",
                      subject_kind="lot", subject_id="auction_notice:9000201:0", status="insufficient",
                      severity="medium", title=t("Thiếu số thửa, số tờ bản đồ"),
                      evidence={"notice": "9000201", "notice_kind": "auction_notice", "missing": ["parcel_no"],
                                "sha256s": [attachment_sha]}, urls=evil_urls, **common)
        chain = Finding(fingerprint="f-chain", detector="collusion", rule="relist_chain", subject_kind="chain",
                        subject_id="9000201", status="flag", severity="high", title=t("Đấu giá lại 5 lần, giá giảm"),
                        evidence={"chain_notice_ids": [9000201, 9000202],
                                  "steps": [{"from_notice": 9000201, "to_notice": 9000202, "from_price": 2e9,
                                             "to_price": 1.6e9, "cut": 0.2}]},
                        urls=[], **{**common, "owner_name": t("Chi cục Thi hành án dân sự huyện Khác"),
                                    "province": "ha-noi"})
        s.add_all([result, lot, chain])
        for i in range(extra_findings):
            s.add(Finding(fingerprint=f"f-extra-{i}", detector="collusion", rule="exclusionary_terms",
                          subject_kind="auction_notice", subject_id=str(7000000 + i), status="flag", severity="low",
                          title=f"Điều kiện hạn chế số {i}", evidence={"days": 4}, urls=[], evidence_hash="h",
                          first_seen=T0 - timedelta(days=i), last_seen=T0, province="ha-noi",
                          owner_name=f"Người có tài sản {i}"))
        s.flush()
        ids = result.id, lot.id, chain.id
    return SiteDb(ctx, *ids, response_sha, attachment_sha, tmp)


def client(site: SiteDb, *, csrf: bool = False):
    from service.web import create_app

    app = create_app(site.ctx, secret_key=SECRET)
    app.config.update(TESTING=True, WTF_CSRF_ENABLED=csrf)
    return app, app.test_client()


def login(c, name: str = ANALYST, password: str = PASSWORD):
    return c.post("/login", data={"name": name, "password": password, "next": "/findings"})


def day(d: date) -> str:
    return d.strftime("%d/%m/%Y")
