"""The bundled demo dataset: files load, made-up records are labelled and cannot collide with real ids, the
simulator serves them at demo_clock() and replays the next day's events, the generator is deterministic, the PDF
attachments are what the scenarios need, and each scenario has the property README.md claims for it."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
import urllib.request
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from crawler.simulator import ICT, PortalSimulator, load_documents
from service.demo_data import (
    DEMO_BACKFILL_START,
    DEMO_FILES,
    DEMO_THADS_SITES,
    MADE_UP_FILES,
    REAL_AUCTION_NOTICES,
    demo_clock,
)
from service.demo_data import build_demo
from service.demo_data.build_demo import LABEL, SCENARIOS, build_documents, main, write_demo_files

MADE_UP_ID_FLOOR = {"dgts.selection_notice": 900_001, "dgts.selection_result": 990_001,
                    "dgts.auction_notice": 9_000_001}
FICTIONAL_PARTY = re.compile(r"Minh Họa|khu vực [89]\d\b")
SCHEDULED_AFTER_CLOCK = {("dgts.selection_result", 990016), ("thads.notice", 9205)}


def ms_of(day_text: str, clock: str = "00:00") -> int:
    return int(datetime.fromisoformat(f"{day_text}T{clock}").replace(tzinfo=ICT).timestamp() * 1000)


def local(millis: int) -> datetime:
    return datetime.fromtimestamp(millis / 1000, tz=ICT)


def record_ref(document: dict[str, Any]) -> str:
    if document["kind"] == "thads.notice":
        return f"thads.notice:{document['site']}/{document['item_id']}"
    return f"{document['kind']}:{document['id']}"


@pytest.fixture(scope="module")
def made_up() -> list[dict[str, Any]]:
    return load_documents(MADE_UP_FILES)


@pytest.fixture(scope="module")
def real() -> list[dict[str, Any]]:
    return load_documents([REAL_AUCTION_NOTICES])


@pytest.fixture(scope="module")
def by_ref(made_up: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {record_ref(d): d for d in made_up}


@pytest.fixture(scope="module")
def scenarios() -> dict[str, build_demo.Scenario]:
    build_documents()
    return {s.key: s for s in SCENARIOS}


@pytest.fixture
def simulator(made_up: list[dict[str, Any]], real: list[dict[str, Any]]):
    with PortalSimulator(real + made_up, clock=demo_clock()) as sim:
        yield sim


def get_json(sim: PortalSimulator, path: str) -> Any:
    with urllib.request.urlopen(sim.base_url + path, timeout=10) as response:
        return json.loads(response.read().decode("utf-8"))


def get_text(sim: PortalSimulator, path: str) -> str:
    with urllib.request.urlopen(sim.base_url + path, timeout=10) as response:
        return response.read().decode("utf-8")


# --- files, labels, ids ---------------------------------------------------------------------------------------------

def test_demo_files_load_and_hold_every_kind(made_up, real):
    assert len(load_documents(DEMO_FILES)) == len(real) + len(made_up)
    assert len(real) == 236 and {d["kind"] for d in real} == {"dgts.auction_notice"}
    assert {d["kind"] for d in made_up} == {"dgts.selection_notice", "dgts.selection_result",
                                            "dgts.auction_notice", "thads.notice"}
    assert 60 <= len(made_up) <= 150


def test_real_file_is_a_verbatim_copy():
    candidates = [Path(os.environ["AUCTION_MONITOR_DATA_DIR"]) / "dgts" if os.environ.get("AUCTION_MONITOR_DATA_DIR")
                  else None, Path("/work/shared/data/dgts")]
    source = next((c / "auction_notices_2025-05_2026-07.jsonl" for c in candidates
                   if c and (c / "auction_notices_2025-05_2026-07.jsonl").is_file()), None)
    if source is None:
        pytest.skip("shared dataset not available")
    assert REAL_AUCTION_NOTICES.read_bytes() == source.read_bytes()


def test_every_made_up_name_and_title_ends_with_the_label(made_up):
    for document in made_up:
        if document["kind"] == "thads.notice":
            assert document["title"].endswith(LABEL)
            assert "Dữ liệu giả lập" in document["body_html"]
            continue
        assert document["list_item"]["propertyName"].endswith(LABEL), document["id"]
        rows = (document.get("properties") or document.get("property_info")
                or document.get("history", {}).get("property") or [])
        assert rows and all(row["propertyName"].endswith(LABEL) for row in rows)
        if document["kind"] == "dgts.selection_result":
            assert "Dữ liệu giả lập" in document["info"]["publishInfo"]


def test_every_made_up_party_is_fictional(made_up):
    for document in made_up:
        if document["kind"] == "thads.notice":
            continue
        item = document["list_item"]
        parties = [item.get("fullname"), item.get("org_name"), item.get("ownerFullname"), item.get("orgName"),
                   (document.get("detail") or {}).get("ownerFullname")]
        for party in filter(None, parties):
            assert FICTIONAL_PARTY.search(party), party


def test_ids_are_unique_and_cannot_collide_with_real_ones(made_up, real):
    real_ids = {d["id"] for d in real}
    assert max(real_ids) < MADE_UP_ID_FLOOR["dgts.auction_notice"]
    refs = [record_ref(d) for d in made_up]
    assert len(refs) == len(set(refs))
    for document in made_up:
        if document["kind"] != "thads.notice":
            assert document["id"] >= MADE_UP_ID_FLOOR[document["kind"]]
            assert document["id"] == document["list_item"]["id"]
    real_rows = {row["auPropertyInfoId"] for d in real for row in d["property_info"]}
    real_files = {f["idFile"] for d in real for f in d["detail"]["listFile"]}
    rows = [row["auPropertyInfoId"] for d in made_up if d["kind"] == "dgts.auction_notice" for row in d["property_info"]]
    files = [f["idFile"] for d in made_up if d["kind"] == "dgts.auction_notice" for f in d["detail"]["listFile"]]
    files += [f["idFile"] for d in made_up if d["kind"] == "dgts.selection_notice"
              for f in d["edit_notice"]["listFileNotice"]]
    assert len(rows) == len(set(rows)) and not set(rows) & real_rows
    assert len(files) == len(set(files)) and not set(files) & real_files


def test_windows_are_local_midnights(made_up):
    for document in made_up:
        if document["kind"] == "dgts.selection_notice":
            for key in ("receiveTimeStart", "receiveTimeEnd"):
                moment = local(document["list_item"][key])
                assert (moment.hour, moment.minute, moment.second) == (0, 0, 0)


def test_publications_sit_before_the_clock_and_after_the_backfill_start(made_up):
    clock_ms = int(demo_clock().timestamp() * 1000)
    floor = ms_of(DEMO_BACKFILL_START.isoformat())
    for document in made_up:
        if document["kind"] == "thads.notice":
            published = ms_of(datetime.strptime(document["date"], "%d/%m/%Y").date().isoformat())
            key = (document["kind"], document["item_id"])
        else:
            item = document["list_item"]
            published = item.get("publishTime1") or item.get("lastUpdated") or item.get("publishTime")
            key = (document["kind"], document["id"])
        assert floor <= published
        assert (published > clock_ms) == (key in SCHEDULED_AFTER_CLOCK), key


def test_recent_activity_fills_the_last_two_weeks(made_up):
    start = ms_of((demo_clock().date() - timedelta(days=14)).isoformat())  # a crawl of the last 14 days, by date
    clock_ms = int(demo_clock().timestamp() * 1000)
    recent = [d for d in made_up if d["kind"] != "thads.notice" and start <= (
        d["list_item"].get("publishTime1") or d["list_item"].get("lastUpdated") or d["list_item"].get("publishTime")
    ) <= clock_ms]
    days = {local(d["list_item"].get("publishTime1") or d["list_item"].get("lastUpdated")
                  or d["list_item"]["publishTime"]).date() for d in recent}
    assert len(recent) >= 40 and len(days) >= 8


# --- simulator ------------------------------------------------------------------------------------------------------

def test_list_endpoints_serve_the_made_up_records_at_the_clock(simulator, made_up):
    clock_ms = int(demo_clock().timestamp() * 1000)
    notices = get_json(simulator, "/ThongTin/getInfoSelectAuctionOrg?p=1&numberPerPage=1000")
    assert {i["id"] for i in notices["items"]} == {d["id"] for d in made_up if d["kind"] == "dgts.selection_notice"}
    results = get_json(simulator, "/ThongTin/getResultSelectAuctionOrg?p=1&numberPerPage=1000")
    assert {i["id"] for i in results["items"]} == {
        d["id"] for d in made_up if d["kind"] == "dgts.selection_result" and d["list_item"]["publishTime"] <= clock_ms}
    auctions = get_json(simulator, "/portal/search/auction-notice?p=1&numberPerPage=1000&typeOrder=2")
    listed = {i["id"] for i in auctions["items"]}
    assert {d["id"] for d in made_up if d["kind"] == "dgts.auction_notice"} <= listed
    assert len(listed) == 236 + sum(d["kind"] == "dgts.auction_notice" for d in made_up)


def test_thads_list_pages_serve_every_demo_site(simulator, made_up):
    for site in DEMO_THADS_SITES:
        page = get_text(simulator, f"/{site}/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?Page=1")
        shown = {int(n) for n in re.findall(r"ItemID=(\d+)", page)}
        expected = {d["item_id"] for d in made_up if d["kind"] == "thads.notice" and d["site"] == site
                    and ("thads.notice", d["item_id"]) not in SCHEDULED_AFTER_CLOCK}
        assert shown == expected


def test_attachments_download_from_the_simulator(simulator):
    detail = get_json(simulator, "/portal/viewDetailAuctionInfo?auctionInfoId=9000105")
    token = urllib.request.quote(detail["listFile"][0]["linkFile"], safe="")
    with urllib.request.urlopen(f"{simulator.base_url}/portal/downloadFile?linkFile={token}", timeout=10) as r:
        assert r.read().startswith(b"%PDF")
    with urllib.request.urlopen(simulator.base_url + "/cantho/noidung/thongbao/Lists/ThongBao/Attachments/9301/"
                                + urllib.request.quote("TB ban dau gia 936.pdf"), timeout=10) as r:
        assert r.read().startswith(b"%PDF")


def test_next_day_brings_take_down_second_posting_edits_and_new_records(simulator):
    search = "/portal/search/auction-notice?p=1&numberPerPage=1000"
    before = {i["id"]: i for i in get_json(simulator, search)["items"]}
    assert 9000401 in before and before[9000402]["publishTime2"] is None
    assert get_json(simulator, "/portal/propertyInfo?auctionInfoId=9000403")["items"][0]["propertyStartPrice"] == 180_000_000
    simulator.advance(days=1)
    after = {i["id"]: i for i in get_json(simulator, search)["items"]}
    assert 9000401 not in after
    assert get_json(simulator, "/portal/propertyInfo?auctionInfoId=9000401")["items"] == []
    assert after[9000402]["publishTime2"] == ms_of("2026-07-03", "08:30")
    assert get_json(simulator, "/portal/propertyInfo?auctionInfoId=9000403")["items"][0]["propertyStartPrice"] == 162_000_000
    notice = next(i for i in get_json(simulator, "/ThongTin/getInfoSelectAuctionOrg?p=1&numberPerPage=1000")["items"]
                  if i["id"] == 900016)
    assert notice["receiveTimeEnd"] == ms_of("2026-07-06") and notice["lastUpdated"] == ms_of("2026-07-02", "16:00")
    results = get_json(simulator, "/ThongTin/getResultSelectAuctionOrg?p=1&numberPerPage=1000")["items"]
    assert 990016 in {i["id"] for i in results}
    page = get_text(simulator, "/binhdinh/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?Page=1")
    assert "ItemID=9205" in page


# --- generator ------------------------------------------------------------------------------------------------------

def _without_file_bytes(text: str) -> list[Any]:
    """Documents with attachment bytes blanked: PDF bytes depend on the installed fonts and libraries."""
    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: "<bytes>" if k == "content_b64" else strip(v) for k, v in value.items()}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value
    return [strip(json.loads(line)) for line in text.splitlines()]


def test_generator_is_deterministic(tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    assert main(["--out", str(first)]) == 0
    write_demo_files(second)
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in MADE_UP_FILES)
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes()


def test_committed_files_are_the_generator_output(tmp_path):
    write_demo_files(tmp_path)
    for committed in MADE_UP_FILES:
        fresh = (tmp_path / committed.name).read_text(encoding="utf-8")
        assert _without_file_bytes(committed.read_text(encoding="utf-8")) == _without_file_bytes(fresh), committed.name


# --- attachments ----------------------------------------------------------------------------------------------------

def _pdf(document: dict[str, Any]) -> bytes:
    files = document.get("attachments") or document["detail"]["listFile"]
    return base64.b64decode(files[0]["content_b64"], validate=True)


def test_text_pdf_has_a_text_layer_with_the_parcel_numbers(by_ref):
    reader = PdfReader(io.BytesIO(_pdf(by_ref["dgts.auction_notice:9000105"])))
    text = reader.pages[0].extract_text()
    assert "thửa đất số 311" in text and "tờ bản đồ số 9" in text


def test_selection_criteria_pdf_decodes(by_ref):
    files = by_ref["dgts.selection_notice:900012"]["edit_notice"]["listFileNotice"]
    reader = PdfReader(io.BytesIO(base64.b64decode(files[0]["content_b64"], validate=True)))
    assert "TIÊU CHÍ" in reader.pages[0].extract_text()


def test_scanned_pdf_is_one_small_grey_page_without_text(by_ref):
    data = _pdf(by_ref["thads.notice:cantho/9301"])
    assert len(data) < 60_000
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    assert reader.pages[0].extract_text().strip() == ""
    images = reader.pages[0].images
    assert len(images) == 1 and images[0].image.mode == "L" and images[0].image.size == build_demo.SCAN_SIZE


def test_scanned_pdf_is_readable_by_ocr(by_ref):
    """Through the project's own extractor (pdftoppm + tesseract vie in the sandboxed child)."""
    from crawler.attachments import extract_text

    if shutil.which("tesseract") is None or shutil.which("pdftoppm") is None:
        pytest.skip("tesseract-ocr / poppler-utils are not installed")
    result = extract_text(_pdf(by_ref["thads.notice:cantho/9301"]), "scan.pdf", timeout_s=120)
    assert result.status in ("ok", "ocr"), result
    assert "612" in result.text and "tờ bản đồ" in result.text and "180,2" in result.text


# --- scenarios ------------------------------------------------------------------------------------------------------

def test_every_made_up_record_belongs_to_a_scenario(made_up, scenarios):
    referenced = {ref for s in scenarios.values() for ref in s.records}
    assert referenced == {record_ref(d) for d in made_up}
    assert {s.expect for s in scenarios.values()} <= {"flag", "no_flag", "insufficient", "event"}
    assert all((s.rule_id is None) == (s.expect == "no_flag") for s in scenarios.values())


def test_readme_describes_every_scenario(scenarios):
    readme = (MADE_UP_FILES[0].parent / "README.md").read_text(encoding="utf-8")
    for key in scenarios:
        assert f"`{key}`" in readme, key


def _window(document: dict[str, Any]) -> tuple[date, date, date]:
    item = document["list_item"]
    return (local(item["lastUpdated"]).date(), local(item["receiveTimeStart"]).date(),
            local(item["receiveTimeEnd"]).date())


@pytest.mark.parametrize("notice_id, working_days, calendar_days", [(900004, 2, 4), (900005, 2, 11), (900006, 1, 6)])
def test_short_windows_hold_few_working_days(by_ref, notice_id, working_days, calendar_days):
    from vntext.workdays import count_working_days

    published, start, end = _window(by_ref[f"dgts.selection_notice:{notice_id}"])
    assert count_working_days(published, end) == working_days
    assert (end - start).days + 1 == calendar_days


def test_premature_results_precede_the_window_close(by_ref):
    def closes(notice_id: int) -> int:  # the end day is inclusive: the window closes at 24:00
        return by_ref[f"dgts.selection_notice:{notice_id}"]["list_item"]["receiveTimeEnd"] + 86_400_000

    def published(result_id: int) -> int:
        return by_ref[f"dgts.selection_result:{result_id}"]["list_item"]["publishTime"]

    assert published(990001) < closes(900001)
    assert published(990002) > closes(900002) and "Ngày 23/6/2026" in \
        by_ref["dgts.selection_result:990002"]["info"]["publishInfo"]
    assert by_ref["dgts.auction_notice:9000003"]["list_item"]["publishTime1"] < closes(900003) < published(990003)
    assert by_ref["dgts.auction_notice:9000003"]["list_item"]["org_name"] == \
        by_ref["dgts.selection_result:990003"]["list_item"]["orgName"]
    assert published(990007) - closes(900007) == 2 * 3_600_000 + 41_000


def test_clean_results_are_neither_early_nor_rushed(by_ref, scenarios):
    from vntext.workdays import count_working_days

    for key, scenario in scenarios.items():
        if scenario.detector != "premature_scoring" or scenario.expect != "no_flag" or not key.startswith("d1_"):
            continue
        notice_ref, result_ref = scenario.records
        notice, result = by_ref[notice_ref]["list_item"], by_ref[result_ref]
        closes = notice["receiveTimeEnd"] + 86_400_000
        assert result["list_item"]["publishTime"] - closes >= 24 * 3_600_000, key
        scored = datetime.strptime(re.search(r"Ngày (\d+/\d+/\d{4})", result["info"]["publishInfo"]).group(1),
                                   "%d/%m/%Y").date()
        assert scored > local(notice["receiveTimeEnd"]).date()
        assert count_working_days(local(notice["lastUpdated"]).date(), scored) > 3


def test_ambiguous_notices_are_identical_but_for_their_windows(by_ref):
    first, second = by_ref["dgts.selection_notice:900010"], by_ref["dgts.selection_notice:900011"]
    assert first["properties"] == second["properties"]
    assert first["detail"]["ownerFullname"] == second["detail"]["ownerFullname"]
    result_at = by_ref["dgts.selection_result:990010"]["list_item"]["publishTime"]
    assert first["list_item"]["receiveTimeEnd"] < result_at < second["list_item"]["receiveTimeEnd"]


def test_selection_history_concentrates_and_rotates(by_ref, scenarios):
    def picks(key: str) -> list[tuple[str, str]]:
        rows = [by_ref[r] for r in scenarios[key].records if r.startswith("dgts.selection_result")]
        return [(r["list_item"]["ownerFullname"], r["list_item"]["orgName"][-1])
                for r in sorted(rows, key=lambda r: r["list_item"]["publishTime"])]

    concentrated = picks("d3_owner_concentration")
    assert len({owner for owner, _ in concentrated}) == 1 and [o for _, o in concentrated].count("A") == 8
    assert len(concentrated) == 9
    assert [o for _, o in picks("d3_rotation")] == ["C", "D", "E"] * 4
    peers: dict[str, list[str]] = {}
    for ref in scenarios["d3_peer_baseline"].records:
        item = by_ref[ref]["list_item"]
        if ref.startswith("dgts.selection_result"):
            peers.setdefault(item["ownerFullname"], []).append(item["orgName"])
        elif ref.startswith("dgts.auction_notice"):
            peers.setdefault(item["fullname"], []).append(item["org_name"])
    assert len(peers) == 8
    assert all(len(set(orgs)) == len(orgs) == 4 for orgs in peers.values())


def test_relist_chain_cuts_ten_percent_then_twenty(by_ref):
    chain = [by_ref[f"dgts.auction_notice:{n}"] for n in range(9000201, 9000207)]
    prices = [d["property_info"][0]["propertyStartPrice"] for d in chain]
    cuts = [round(1 - b / a, 3) for a, b in zip(prices, prices[1:])]
    assert all(0.09 <= c <= 0.10 for c in cuts[:4]) and cuts[4] == 0.2
    assert {d["list_item"]["org_name"] for d in chain[:5]} != {chain[5]["list_item"]["org_name"]}


def test_auction_pattern_fields(by_ref):
    lot = lambda n: by_ref[f"dgts.auction_notice:{n}"]["property_info"][0]  # noqa: E731
    item = lambda n: by_ref[f"dgts.auction_notice:{n}"]["list_item"]  # noqa: E731
    assert (lot(9000301)["deposit"], lot(9000301)["depositUnit"]) == (30, 1)
    assert lot(9000302)["depositUnit"] == 0 and lot(9000302)["deposit"] / lot(9000302)["propertyStartPrice"] == 0.02
    assert (lot(9000303)["fileCost"], lot(9000303)["propertyStartPrice"]) == (1_000_000, 150_000_000)
    assert local(item(9000304)["aucRegTimeEnd"]).weekday() == 6
    assert (local(item(9000305)["aucTime"]).date() - local(item(9000305)["aucRegTimeEnd"]).date()).days == 1


def test_clean_auction_notices_respect_the_usual_limits(by_ref, scenarios):
    from vntext.workdays import is_working_day

    patterned = {r for key, s in scenarios.items() if key.startswith("d3_") for r in s.records
                 if not key.startswith("d3_relist")}
    for ref, document in by_ref.items():
        if document["kind"] != "dgts.auction_notice" or ref in patterned:
            continue
        item = document["list_item"]
        assert is_working_day(local(item["aucRegTimeEnd"]).date()), ref
        assert (local(item["aucTime"]).date() - local(item["aucRegTimeEnd"]).date()).days >= 3, ref
        for row in document["property_info"]:
            share = row["deposit"] / 100 if row["depositUnit"] == 1 else row["deposit"] / row["propertyStartPrice"]
            assert 0.05 <= share <= 0.20, ref
            price = row["propertyStartPrice"]
            assert row["fileCost"] <= (100_000 if price <= 200e6 else 200_000 if price <= 500e6 else 500_000), ref


@pytest.mark.parametrize("notice_id, missing", [(9000101, ()), (9000102, ("map_sheet",)), (9000103, ("area_m2",)),
                                                (9000104, ("location",)), (9000106, ())])
def test_parcel_scenarios_miss_exactly_their_field(by_ref, notice_id, missing):
    from vntext.parcels import extract_lot

    document = by_ref[f"dgts.auction_notice:{notice_id}"]
    assert extract_lot(document["property_info"][0]).missing == missing


def test_parcel_numbers_come_only_from_the_attachment(by_ref):
    from vntext.parcels import extract_lot

    document = by_ref["dgts.auction_notice:9000105"]
    text = PdfReader(io.BytesIO(_pdf(document))).pages[0].extract_text()
    assert extract_lot(document["property_info"][0]).missing == ("parcel_no", "map_sheet")
    details = extract_lot(document["property_info"][0], attachments={"quy che.pdf": text})
    assert details.missing == () and details.parcel_no == ("311",)


def test_thads_texts_state_window_and_scoring_date(simulator, by_ref):
    from crawler.parsers.thads_html import parse_detail_page
    from crawler.parsers.thads_text import extract_notice_fields

    def fields(site: str, item_id: int):
        url = f"{simulator.base_url}/{site}/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID={item_id}"
        with urllib.request.urlopen(url, timeout=10) as response:
            page = parse_detail_page(response.read(), url)
        return extract_notice_fields(page.title or "", page.body_text, published=page.published)

    notice, result = fields("tphochiminh", 9101), fields("tphochiminh", 9102)
    assert (notice.window_start, notice.window_end) == (date(2026, 6, 22), date(2026, 6, 26))
    assert result.scoring_date == date(2026, 6, 24) < notice.window_end
    assert result.selected_org == "Công ty Đấu giá hợp danh Minh Họa A"
    matched = fields("cantho", 9302)
    assert matched.debtor == "ông Nguyễn Văn Mẫu" and "thửa đất số 789" in matched.assets[0].text
    dgts = by_ref["dgts.selection_notice:900015"]
    assert dgts["detail"]["ownerFullname"] == matched.owner_office
    assert "thửa đất số 789, tờ bản đồ số 21" in dgts["list_item"]["propertyName"]
