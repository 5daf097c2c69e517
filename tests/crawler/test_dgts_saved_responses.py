"""Parsing saved dgts responses, one small test per field (City Bureau style).

The auction-notice responses are the real notice 443427 (shared/data/dgts); the selection notice and result
responses are the shapes transcribed from Crawl-dg's hand-written fixtures (partly synthetic values)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from crawler.assemble import assemble, check_envelope, unwrap
from crawler.parsers.dgts import parse_document
from crawler.spiders.dgts_auction_notices import DgtsAuctionNoticeSpider
from crawler.spiders.dgts_selection_notices import DgtsSelectionNoticeSpider
from crawler.spiders.dgts_selection_results import DgtsSelectionResultSpider
from storage.timeutil import VN_TZ

FILES = Path(__file__).resolve().parents[1] / "files" / "dgts"


def load(name: str):
    return json.loads((FILES / name).read_text(encoding="utf-8"))


def build(spider, list_file: str, parts: dict[str, str]):
    item = check_envelope(load(list_file), list_file)["items"][0]
    by_part = {d.part: d for d in spider.details}
    doc = assemble(spider.record_kind, item["id"], item,
                   {part: unwrap(by_part[part], load(f)) for part, f in parts.items()})
    return parse_document(doc)


AUCTION = build(DgtsAuctionNoticeSpider, "auction_list_443427.json", {
    "property_info": "auction_propertyInfo_443427.json", "detail": "auction_viewDetailAuctionInfo_443427.json",
    "publish_history": "auction_publish2_443427.json", "corrections": "auction_corrections_443427.json"})
SELECTION = build(DgtsSelectionNoticeSpider, "selection_list_105862.json", {
    "detail": "selection_detail_105862.json", "properties": "selection_properties_105862.json"})
RESULT = build(DgtsSelectionResultSpider, "result_list_25941.json", {
    "owner": "result_owner_25941.json", "history": "result_history_25941.json", "info": "result_info_25941.json"})


def test_auction_id():
    assert AUCTION.id == 443427


def test_auction_title():
    assert AUCTION.fields["title"] == "Thông báo việc đấu giá đối với danh mục tài sản:"  # trimmed


def test_auction_published_at_is_local_time():
    assert AUCTION.fields["published_at"] == datetime(2025, 5, 9, 15, 52, 29, 787000, tzinfo=VN_TZ)


def test_auction_not_republished():
    assert AUCTION.fields["republished_at"] is None


def test_auction_registration_window():
    assert AUCTION.fields["reg_start"] == datetime(2025, 5, 9, 8, 0, tzinfo=VN_TZ)
    assert AUCTION.fields["reg_end"] == datetime(2025, 6, 3, 17, 0, tzinfo=VN_TZ)


def test_auction_time():
    assert AUCTION.fields["auction_at"] == datetime(2025, 6, 6, 8, 0, tzinfo=VN_TZ)


def test_auction_owner():
    assert AUCTION.owner_name == "Chi cục Thi hành án Dân sự huyện Cư M'gar, tỉnh Đắk Lắk"


def test_auction_organisation():
    assert AUCTION.org_name == "CÔNG TY ĐẤU GIÁ HỢP DANH CAO NGUYÊN"


def test_auction_related_ids_from_publish_history():
    assert AUCTION.fields["related_ids"] == [445483]


def test_auction_round_label():
    assert AUCTION.fields["round_label"] == "Thông báo công khai lần 1"


def test_auction_url_ends_with_id():
    assert AUCTION.fields["url"].startswith("https://dgts.moj.gov.vn/thong-bao-cong-khai-viec-dau-gia/quyen-su-dung-dat")
    assert AUCTION.fields["url"].endswith("-443427.html")


def test_auction_lot_prices():
    lot = AUCTION.lots[0]
    assert (lot.start_price, lot.deposit, lot.deposit_unit, lot.file_cost) == (1522143200, 304428640, 0, 400000)


def test_auction_lot_place():
    assert AUCTION.lots[0].place == "xã Ea Kiết, huyện Cư M’gar, tỉnh Đắk Lắk."


def test_auction_files_keep_names_not_tokens():
    assert [(f.file_key, f.file_name, f.role) for f in AUCTION.files] == [
        ("44342700", "TB 0101A.01.02.pdf", "notice_file"), ("44342701", "03. QC TS01.doc", "notice_file")]


def test_selection_window_is_a_local_date():
    assert (SELECTION.fields["window_start"], SELECTION.fields["window_end"]) == (date(2026, 6, 8), date(2026, 6, 10))


def test_selection_published_at_is_last_updated():
    assert SELECTION.fields["published_at"] == datetime.fromtimestamp(1780664230, tz=VN_TZ)


def test_selection_owner_and_address():
    assert SELECTION.owner_name == "Công ty TNHH MTV QLN và KTTS Ngân hàng TMCP Quốc tế Việt Nam"
    assert SELECTION.owner_address == "4 Tôn Thất Tùng, Thành phố Hà Nội"


def test_selection_reception():
    assert SELECTION.fields["address_receive"] == "Tầng 12, Tòa nhà Coninco Tower"
    assert SELECTION.fields["contact_info"] == "Ông Nguyễn Văn Huyện - SĐT 0914832245"


def test_selection_assets_from_bare_array():
    assert [(l.name, l.start_price) for l in SELECTION.lots] == [
        ("Quyền sử dụng đất thửa 122", 4050200000), ("Nhà ở gắn liền với đất", 120000000)]


def test_result_selected_organisation():
    assert RESULT.org_name == "Trung tâm dịch vụ đấu giá tài sản Quảng Ninh"
    assert RESULT.fields["org_address"] == "Tầng 5, trụ sở Trung tâm Phục vụ hành chính công tỉnh Quảng Ninh"


def test_result_owner():
    assert RESULT.owner_name == "Bệnh viện Đa khoa khu vực Cẩm Phả"
    assert RESULT.owner_address == "Tổ 1, Khu 3, phường Cẩm Thịnh, Tỉnh Quảng Ninh"


def test_result_published_at():
    assert RESULT.fields["published_at"] == datetime.fromtimestamp(1780663701, tz=VN_TZ)


def test_result_without_link_id_has_none():
    assert RESULT.fields["notice_id"] is None


def test_result_assets():
    assert [l.start_price for l in RESULT.lots] == [19880000, 5000000]


@pytest.mark.parametrize("bad", [{"items": "x", "rowCount": 1}, {"rowCount": 1}, [1, 2]])
def test_envelope_shape_changes_are_detected(bad):
    from crawler.errors import SchemaDrift

    with pytest.raises(SchemaDrift):
        check_envelope(bad, "test")
