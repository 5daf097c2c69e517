"""THADS → dgts linking on made-up records: a clear match, an ambiguous pair, and no counterpart."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from crawler.ingest import ingest_document
from crawler.thads_linking import link_thads_notices
from storage.models import RecordLink
from storage.timeutil import utcnow


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text + "+07:00").timestamp() * 1000)


def selection(nid: int, name: str, price: int, day: str) -> dict:
    return {"kind": "dgts.selection_notice", "id": nid,
            "list_item": {"id": nid, "propertyName": name, "lastUpdated": ms(f"{day}T09:00:00"),
                          "receiveTimeStart": ms(f"{day}T00:00:00"), "receiveTimeEnd": ms(f"{day}T00:00:00")},
            "detail": {"id": nid, "ownerFullname": "Phòng Thi hành án dân sự khu vực 3 - Cần Thơ"},
            "properties": [{"propertyName": name, "propertyStartPrice": price}]}


def thads(item: int, body: str, day: str) -> dict:
    return {"kind": "thads.notice", "site": "cantho", "list": "ThongBao", "item_id": item,
            "title": "Thông báo về việc lựa chọn tổ chức đấu giá tài sản (dữ liệu giả lập)", "date": day,
            "body_html": f"<p>Phòng Thi hành án dân sự khu vực 3 - Cần Thơ thông báo.</p><p>{body}</p>", "attachments": []}


def run(ctx, docs):
    with ctx.session() as s:
        for d in docs:
            ingest_document(s, d, run=None, at=utcnow(), evidence=ctx.evidence)
        counts = link_thads_notices(s)
        links = [(l.from_key, l.to_key, l.status, l.reasons) for l in s.scalars(select(RecordLink))]
    return counts, links


def test_match_by_parcel_debtor_and_price(app_ctx):
    asset = "Quyền sử dụng đất thửa đất số 45, tờ bản đồ số 12 của ông Trần Văn Mẫu (dữ liệu giả lập)"
    counts, links = run(app_ctx, [
        selection(900101, asset, 850_000_000, "2026-06-10"),
        selection(900102, "Quyền sử dụng đất thửa đất số 46, tờ bản đồ số 12 (dữ liệu giả lập)", 500_000_000, "2026-06-10"),
        thads(1, f"Tài sản: {asset}. Giá khởi điểm: 850.000.000 đồng.", "11/06/2026"),
    ])
    assert counts["matched"] == 1
    (frm, to, status, reasons), = links
    assert (frm, to, status) == ("cantho/thongbao/1", "900101", "matched")
    assert any("same parcel" in r for r in reasons) and "same start price" in reasons


def test_two_equal_candidates_are_ambiguous(app_ctx):
    asset = "Quyền sử dụng đất thửa đất số 7, tờ bản đồ số 3 (dữ liệu giả lập)"
    counts, links = run(app_ctx, [
        selection(900201, asset, 300_000_000, "2026-06-10"),
        selection(900202, asset, 300_000_000, "2026-06-10"),
        thads(2, f"Tài sản: {asset}. Giá khởi điểm: 300.000.000 đồng.", "10/06/2026"),
    ])
    assert counts["ambiguous"] == 1
    assert sorted((to, status) for _, to, status, _ in links) == [("900201", "ambiguous"), ("900202", "ambiguous")]


def test_no_counterpart_outside_the_date_window(app_ctx):
    asset = "Quyền sử dụng đất thửa đất số 9, tờ bản đồ số 4 (dữ liệu giả lập)"
    counts, links = run(app_ctx, [selection(900301, asset, 1, "2026-01-10"),
                                  thads(3, f"Tài sản: {asset}.", "10/06/2026")])
    assert counts == {"matched": 0, "ambiguous": 0, "none": 1} and links == []
