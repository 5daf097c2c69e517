"""THADS crawls against the simulator's SharePoint-like pages (all notices MADE UP, following thads-portal.md)."""

from __future__ import annotations

import base64
from collections import Counter
from datetime import date, datetime

from sqlalchemy import select

from am_testing import crawl_thads, make_app_context
from crawler.simulator import PortalSimulator
from storage.models import Attachment, ChangeEvent, Record, ThadsNotice

CLOCK = datetime.fromisoformat("2026-06-01T12:00:00+07:00")

SELECTION_BODY = """
<p>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</p>
<p>Số: 45/TB-THADS</p><p>Bình Định, ngày 05 tháng 5 năm 2026</p>
<p>THÔNG BÁO Về việc lựa chọn tổ chức đấu giá tài sản</p>
<p>Thi hành án dân sự tỉnh Gia Lai thông báo lựa chọn tổ chức đấu giá tài sản của ông Nguyễn Văn Mẫu (dữ liệu giả lập):</p>
<p>1. Tên tài sản: Quyền sử dụng đất thửa đất số 12, tờ bản đồ số 5, diện tích 120,5 m2 tại phường Quy Nhơn.</p>
<p>Giá khởi điểm: 1.250.000.000 đồng.</p>
<p>2. Thời gian nộp hồ sơ: từ ngày 06/5/2026 đến hết ngày 12/5/2026.</p>
"""


def thads_docs():
    docs = []
    for item_id in range(1, 24):
        docs.append({
            "kind": "thads.notice", "site": "binhdinh", "list": "ThongBao", "item_id": item_id,
            "title": f"Thông báo về việc bán đấu giá tài sản số {item_id} (dữ liệu giả lập)",
            "date": f"{item_id:02d}/05/2026",
            "body_html": f"<p>Thông báo bán đấu giá tài sản thi hành án số {item_id} (dữ liệu giả lập).</p>",
            "attachments": [],
        })
    docs[4] = {**docs[4], "title": "Thông báo về việc lựa chọn tổ chức đấu giá tài sản (dữ liệu giả lập)",
               "body_html": SELECTION_BODY,
               "attachments": [{"name": "Thông báo lựa chọn.pdf", "content_type": "application/pdf",
                                "content_b64": base64.b64encode(b"%PDF-1.4 made up").decode()},
                               {"name": "../../etc/passwd%00.doc", "content_type": "application/msword",
                                "content_b64": base64.b64encode(b"made up").decode()}]}
    return docs


def test_incremental_then_full_pass_with_deletions(tmp_path):
    ctx = make_app_context(tmp_path, **{"portals.thads.stop_after_known": 5})
    with PortalSimulator(thads_docs(), clock=CLOCK) as sim:
        r1 = crawl_thads(ctx, sim, ["binhdinh", "khongcotrang"])[0]
        assert r1["status"] == "complete", r1
        assert r1["counters"]["new"] == 23 and r1["counters"]["sites_unavailable"] == 1
        sim.request_log.clear()
        sim.add_document({"kind": "thads.notice", "site": "binhdinh", "list": "ThongBao", "item_id": 24,
                          "title": "Thông báo mới (dữ liệu giả lập)", "date": "31/05/2026",
                          "body_html": "<p>Mới</p>", "attachments": []})
        r2 = crawl_thads(ctx, sim, ["binhdinh"])[0]
        list_pages = [r for r in sim.request_log if "Page=" in r.query or "page=" in r.query.lower()]
        assert r2["counters"]["new"] == 1
        assert len(list_pages) == 1  # stopped after 5 known items on page 1
        sim.take_down("thads.notice", "binhdinh/3")
        r3 = crawl_thads(ctx, sim, ["binhdinh"], full=True)[0]
        r4 = crawl_thads(ctx, sim, ["binhdinh"], full=True)[0]
    assert (r3["status"], r4["status"]) == ("complete", "complete")
    with ctx.session() as s:
        ev = Counter((e.event, e.record_key, e.run_id) for e in s.scalars(select(ChangeEvent)))
        assert ev[("DELISTED", "binhdinh/thongbao/3", r3["run_id"])] == 1
        assert ev[("REMOVED", "binhdinh/thongbao/3", r4["run_id"])] == 1
        assert ev[("CHECK_FAILED", "khongcotrang/*", r1["run_id"])] == 1  # a missing site is recorded, not fatal
        assert s.scalar(select(Record.status).where(Record.record_key == "binhdinh/thongbao/3")) == "removed"


def test_selection_notice_is_classified_and_its_fields_extracted(tmp_path):
    ctx = make_app_context(tmp_path)
    with PortalSimulator(thads_docs(), clock=CLOCK) as sim:
        crawl_thads(ctx, sim, ["binhdinh"])
    with ctx.session() as s:
        n = s.get(ThadsNotice, "binhdinh/thongbao/5")
        assert n.category == "selection_auction_org"
        assert n.notice_number == "45/TB-THADS"
        assert (n.window_start, n.window_end) == (date(2026, 5, 6), date(2026, 5, 12))
        assert n.published_on == date(2026, 5, 5)
        assert n.province == "gia-lai"
        assert n.url.lower().endswith("view_detail.aspx?itemid=5")
        atts = {a.original_name: a for a in s.scalars(select(Attachment).where(Attachment.notice_key == n.key))}
        assert set(atts) == {"Thông báo lựa chọn.pdf", "../../etc/passwd%00.doc"} or len(atts) == 2
        for a in atts.values():
            assert "/" not in a.file_name and "\\x00" not in a.file_name and ".." not in a.file_name
            assert a.sha256 and ctx.evidence.get(a.sha256)
        other = s.get(ThadsNotice, "binhdinh/thongbao/7")
        assert other.category == "auction_notice"


def test_oversized_attachment_is_recorded_not_downloaded(tmp_path):
    ctx = make_app_context(tmp_path, **{"attachments.max_bytes": 2_000})
    docs = [{"kind": "thads.notice", "site": "binhdinh", "list": "ThongBao", "item_id": 1,
             "title": "Thông báo bán đấu giá tài sản (dữ liệu giả lập)", "date": "02/05/2026",
             "body_html": "<p>Bán đấu giá (dữ liệu giả lập)</p>",
             "attachments": [{"name": "lon.pdf", "content_type": "application/pdf",
                              "content_b64": base64.b64encode(b"%PDF-1.4 " + b"x" * 50_000).decode()},
                             {"name": "nho.pdf", "content_type": "application/pdf",
                              "content_b64": base64.b64encode(b"%PDF-1.4 small").decode()}]}]
    with PortalSimulator(docs, clock=CLOCK) as sim:
        run = crawl_thads(ctx, sim, ["binhdinh"])[0]
    assert run["status"] == "complete"
    with ctx.session() as s:
        atts = {a.original_name: a for a in s.scalars(select(Attachment))}
    assert atts["lon.pdf"].sha256 is None and atts["lon.pdf"].text_status == "too_large"
    assert atts["nho.pdf"].sha256 and atts["nho.pdf"].size == len(b"%PDF-1.4 small")
