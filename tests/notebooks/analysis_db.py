"""Test helper: a small made-up database for the analyst helpers.

Documents are built with the demo data builders and go through the crawler's ingest path; the detectors
``premature_scoring`` and ``parcel_details`` run through ``detectors.runner``. Crawl runs, a CHECK_FAILED event, a
relist link, two THADS notices and their result → notice link are inserted with the models, so every helper has
something exact to find.

Who is who (all fictional):

* owner P "Ủy ban nhân dân xã Thử Nghiệm, tỉnh Lâm Đồng": selection notice 910001 (window 03/03–09/03/2026, edited
  on 04/03 to end 06/03) whose result 990501 (organisation X) is published on 05/03, before the window closes;
  selection notice 910002 with a clean result 990502 (organisation Y); auction notices 9100001 (X, a land lot with
  no map sheet) and its relist 9100002 (X, price cut 10 %).
* owner Q "Bệnh viện Thử Nghiệm, tỉnh Lâm Đồng": result 990503 (X) with no selection notice.
* THADS: office "Phòng Thi hành án dân sự khu vực 99 - Lâm Đồng" (owner T) selection notice and result (organisation X).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from crawler.ingest import ingest_document, organisation_for, owner_for
from detectors.registry import available
from detectors.runner import run_detectors
from service.demo_data.build_demo import (
    AuctionLot,
    Lot,
    Party,
    auction_notice,
    auction_schedule,
    selection_notice,
    selection_result,
)
from storage.db import session_scope, upgrade
from storage.evidence import EvidenceStore
from storage.models import ChangeEvent, CrawlRun, RecordLink, ThadsNotice
from storage.timeutil import VN_TZ

OWNER_P = Party("Ủy ban nhân dân xã Thử Nghiệm, tỉnh Lâm Đồng", "Số 1 đường Thử Nghiệm, xã Thử Nghiệm, tỉnh Lâm Đồng",
                "000.000.0901")
OWNER_Q = Party("Bệnh viện Thử Nghiệm, tỉnh Lâm Đồng", "Số 2 đường Thử Nghiệm, xã Thử Nghiệm, tỉnh Lâm Đồng",
                "000.000.0902")
OWNER_T = "Phòng Thi hành án dân sự khu vực 99 - Lâm Đồng"
ORG_X = Party("Công ty Đấu giá hợp danh Thử Nghiệm X", "Số 3 đường Thử Nghiệm, tỉnh Lâm Đồng", "000.000.0903")
ORG_Y = Party("Công ty Đấu giá hợp danh Thử Nghiệm Y", "Số 4 đường Thử Nghiệm, tỉnh Lâm Đồng", "000.000.0904")

LAND = "Quyền sử dụng đất thửa đất số 11, tờ bản đồ số 2, diện tích 100 m2, đất ở tại nông thôn, xã Thử Nghiệm"
LAND_LOT = Lot(LAND, 500_000_000)
TRUCK_LOT = Lot("Xe ô tô tải biển kiểm soát 49C-000.01, sản xuất năm 2012", 200_000_000)
PUMP_LOT = Lot("Máy bơm nước đã qua sử dụng", 50_000_000)
RELIST_LAND = "Quyền sử dụng đất thửa đất số 11, diện tích 100 m2, đất ở tại nông thôn"
DETECTED_AT = datetime(2026, 5, 10, 9, 0, tzinfo=VN_TZ)


def ict(day_text: str, clock: str = "08:00") -> datetime:
    return datetime.fromisoformat(f"{day_text}T{clock}").replace(tzinfo=VN_TZ)


@dataclass
class AnalysisDb:
    url: str
    evidence: Path
    runs: dict[str, int]


def _auction(notice_id: int, price: int, day_text: str) -> dict:
    lot = AuctionLot(name=RELIST_LAND, place="xã Thử Nghiệm, tỉnh Lâm Đồng", start_price=price,
                     deposit=price // 10, file_cost=200_000, type_id=173)
    return auction_notice(notice_id, OWNER_P, ORG_X, [lot], auction_schedule(day_text, "09:30:00"))


def build(tmp: Path) -> AnalysisDb:
    url = f"sqlite:///{tmp / 'analysis.sqlite'}"
    upgrade(url)
    evidence = EvidenceStore(tmp / "evidence")
    evidence.root.mkdir(parents=True, exist_ok=True)
    n1 = selection_notice(910001, OWNER_P, [LAND_LOT], ("2026-03-02", "09:00:00"), ("2026-03-03", "2026-03-09"))
    n1_edited = selection_notice(910001, OWNER_P, [LAND_LOT], ("2026-03-04", "10:00:00"), ("2026-03-03", "2026-03-06"))
    r1 = selection_result(990501, OWNER_P, ORG_X, [LAND_LOT], ("2026-03-05", "10:00:00"), "2026-03-05")
    n2 = selection_notice(910002, OWNER_P, [TRUCK_LOT], ("2026-04-01", "09:00:00"), ("2026-04-02", "2026-04-10"))
    r2 = selection_result(990502, OWNER_P, ORG_Y, [TRUCK_LOT], ("2026-04-14", "10:00:00"), "2026-04-13")
    r3 = selection_result(990503, OWNER_Q, ORG_X, [PUMP_LOT], ("2026-04-20", "10:00:00"), "2026-04-17")
    a1 = _auction(9100001, 500_000_000, "2026-03-20")
    a2 = _auction(9100002, 450_000_000, "2026-04-22")
    runs: dict[str, int] = {}
    with session_scope(url) as s:
        first = CrawlRun(source="dgts", kind="dgts.selection_notice,dgts.selection_result",
                         started_at=ict("2026-03-05", "12:00"),
                         finished_at=ict("2026-03-05", "12:02"), status="complete", window_start=date(2026, 3, 1),
                         window_end=date(2026, 3, 5), complete_lists=["dgts.selection_notice:all"],
                         counters={"requests": 12, "new": 3, "changed": 0})
        second = CrawlRun(source="dgts", kind="dgts.auction_notice", started_at=ict("2026-04-23", "12:00"),
                          finished_at=ict("2026-04-23", "12:05"), status="partial", window_start=date(2026, 3, 1),
                          window_end=date(2026, 4, 23), counters={"requests": 30, "new": 5, "changed": 1,
                                                                  "check_failed": 1})
        third = CrawlRun(source="thads", kind="incremental", started_at=ict("2026-04-23", "13:00"),
                         finished_at=ict("2026-04-23", "13:01"), status="complete", counters={"requests": 4, "new": 2})
        s.add_all([first, second, third])
        s.flush()
        runs = {"first": first.id, "second": second.id, "thads": third.id}
        batches = ((n1, first, "2026-03-05", "12:01"), (r1, first, "2026-03-05", "12:01"),
                   (n1_edited, second, "2026-04-23", "12:01"), (n2, second, "2026-04-23", "12:01"),
                   (r2, second, "2026-04-23", "12:02"), (r3, second, "2026-04-23", "12:02"),
                   (a1, second, "2026-04-23", "12:03"), (a2, second, "2026-04-23", "12:03"))
        for doc, run, day_text, clock in batches:
            when = ict(day_text, clock)
            ingest_document(s, doc, run=run, at=when, evidence=evidence)
        s.add(ChangeEvent(record_kind="dgts.auction_notice", record_key="9100002", run_id=second.id,
                          event="CHECK_FAILED", field="detail", new_value="HTTP 503", at=ict("2026-04-23", "12:04")))
        s.add(RecordLink(link_type="relist", from_kind="auction_notice", from_key="9100001", to_kind="auction_notice",
                         to_key="9100002", confidence=1.0, status="matched", reasons=["same parcel"],
                         updated_at=DETECTED_AT))
        office = owner_for(s, OWNER_T)
        org_x = organisation_for(s, ORG_X.name)
        s.add(ThadsNotice(key="lamdong/thongbao/9901", site="lamdong", list_name="ThongBao", item_id=9901,
                          title="Thông báo lựa chọn tổ chức đấu giá tài sản", published_on=date(2026, 4, 6),
                          category="selection_auction_org", owner_id=office.id, owner_name=OWNER_T,
                          window_start=date(2026, 4, 7), window_end=date(2026, 4, 13), province="lam-dong",
                          url="https://thads.moj.gov.vn/lamdong/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=9901"))
        s.add(ThadsNotice(key="lamdong/thongbao/9902", site="lamdong", list_name="ThongBao", item_id=9902,
                          title="Thông báo kết quả lựa chọn tổ chức đấu giá tài sản", published_on=date(2026, 4, 20),
                          category="selection_result", owner_id=office.id, owner_name=OWNER_T,
                          selected_org=ORG_X.name, organisation_id=org_x.id, decision_date=date(2026, 4, 16),
                          province="lam-dong",
                          url="https://thads.moj.gov.vn/lamdong/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=9902"))
    detect(url, ["premature_scoring", "parcel_details"])
    with session_scope(url) as s:  # after detection: the detector keeps only the THADS links it finds itself
        s.add(RecordLink(link_type="result_notice", from_kind="thads_notice", from_key="lamdong/thongbao/9902",
                         to_kind="thads_notice", to_key="lamdong/thongbao/9901", confidence=1.0, status="matched",
                         reasons=["cites the notice"], updated_at=DETECTED_AT))
    return AnalysisDb(url=url, evidence=tmp / "evidence", runs=runs)


def detect(url: str, names: list[str], now: datetime = DETECTED_AT) -> None:
    classes = available()
    with session_scope(url) as s:
        run_detectors(s, [classes[n](classes[n].Settings()) for n in names], now=now)


