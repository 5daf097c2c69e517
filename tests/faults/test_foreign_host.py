"""Answers and links from a host that is not the portal: the portal simulator on 127.0.0.1 redirects to a forger,
a second simulator on 127.0.0.2 serving the same ids with forged text (or nothing at all). The redirect is never
followed: the source stops as it does on a challenge, the operator is told, nothing of the forger is stored,
no notice is marked DELISTED or REMOVED on its word, and no link to it is stored or e-mailed, whether it came
from a redirect, a THADS page or a dataset's ``url`` field. Each test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from am_testing import crawl_dgts, crawl_thads, make_app_context
from crawler.simulator import FaultPlan, PortalSimulator
from crawler.simulator.faults import Trigger
from storage.models import (Alert, Attachment, ChangeEvent, CrawlRun, Finding, RawResponse, Record, Snapshot,
                            ThadsNotice)
from storage.timeutil import utcnow

DAY = date(2026, 7, 1)
CLOCK = datetime.fromisoformat("2026-07-01T20:00:00+07:00")
DAY_START_MS = int(datetime.fromisoformat("2026-07-01T00:00:00+07:00").timestamp() * 1000)
FORGED = "GIẢ MẠO (máy chủ khác)"
SITE = "binhdinh"
THADS_LIST = f"/{SITE}/noidung/thongbao/Lists/ThongBao/View_Detail.aspx"


@pytest.fixture
def day_docs(real_notice_docs):
    docs = [d for d in real_notice_docs if d["list_item"]["publishTime1"] >= DAY_START_MS]
    assert len(docs) == 6
    return docs


def forged(docs: list[dict]) -> list[dict]:
    """The same records with forged names: what a foreign host would like to be stored as the portal's."""
    out = copy.deepcopy(docs)
    for d in out:
        if d["kind"] == "thads.notice":
            d["title"], d["body_html"] = FORGED, f"<p>{FORGED}</p>"
            continue
        d["list_item"]["propertyName"] = FORGED
        if isinstance(d.get("detail"), dict):
            d["detail"]["propertyName"] = FORGED
        for lot in d.get("property_info") or []:
            lot["propertyName"] = FORGED
    return out


def redirect(to: PortalSimulator, *endpoints: str, queries: tuple[str, ...] = ()) -> FaultPlan:
    return FaultPlan(redirect=Trigger(every=1, endpoints=endpoints, queries=queries), redirect_to=to.base_url)


def nothing_of_the_forger(ctx) -> None:
    with ctx.session() as s:
        assert not [r.url for r in s.scalars(select(RawResponse)) if "127.0.0.2" in r.url]
        assert not [x.id for x in s.scalars(select(Snapshot)) if FORGED in str(x.document)]
        assert not [t.key for t in s.scalars(select(ThadsNotice)) if FORGED in (t.title or "") or "127.0.0.2" in t.url]
        assert not [a.id for a in s.scalars(select(Attachment)) if "127.0.0.2" in (a.source_url or "")]


def operator_subjects(ctx) -> list[str]:
    with ctx.session() as s:
        return [a.subject for a in s.scalars(select(Alert).where(Alert.kind == "operator"))]


def test_a_detail_redirected_to_another_host_stops_the_source_and_stores_nothing_of_it(any_db, tmp_path, day_docs):
    ctx = make_app_context(tmp_path, db_url=any_db, **{"attachments.download": False})
    with PortalSimulator(forged(day_docs), clock=CLOCK, host="127.0.0.2") as forger, \
            PortalSimulator(day_docs, clock=CLOCK, faults=redirect(forger, "/portal/viewDetailAuctionInfo")) as sim:
        runs = crawl_dgts(ctx, sim, since=DAY, until=DAY)
        assert len(forger.request_log) == 0  # never even asked
    assert runs[0]["status"] == "blocked"
    assert "another host (127.0.0.2)" in runs[0]["message"]
    nothing_of_the_forger(ctx)
    assert any("chặn truy cập" in s for s in operator_subjects(ctx))


def test_list_and_probes_redirected_to_an_empty_host_mark_nothing_delisted_or_removed(any_db, tmp_path, day_docs):
    ctx = make_app_context(tmp_path, db_url=any_db, **{"attachments.download": False})
    with PortalSimulator([], clock=CLOCK, host="127.0.0.2") as forger, \
            PortalSimulator(day_docs, clock=CLOCK) as sim:
        assert crawl_dgts(ctx, sim, since=DAY, until=DAY)[0]["status"] == "complete"
        sim.faults = redirect(forger, "/portal/search/auction-notice", "/portal/propertyInfo")
        second = crawl_dgts(ctx, sim, since=DAY, until=DAY)
        third = crawl_dgts(ctx, sim, since=DAY, until=DAY)
        assert len(forger.request_log) == 0
    assert second[0]["status"] == third[0]["status"] == "blocked"
    with ctx.session() as s:
        assert {r.status for r in s.scalars(select(Record))} == {"active"}
        assert not list(s.scalars(select(ChangeEvent).where(ChangeEvent.event.in_(("DELISTED", "REMOVED")))))
    nothing_of_the_forger(ctx)


def thads_docs(forger_url: str) -> list[dict]:
    """MADE-UP THADS notices; the second one's page links an "attachment" on the forger's host."""
    day = (CLOCK - timedelta(days=2)).strftime("%d/%m/%Y")
    foreign_pdf = f"{forger_url}/{SITE}/noidung/thongbao/Lists/ThongBao/Attachments/602/Quyet%20dinh.pdf"
    return [
        {"kind": "thads.notice", "site": SITE, "list": "ThongBao", "item_id": 601, "date": day,
         "title": "Thông báo bán đấu giá tài sản số 1 (dữ liệu giả lập)",
         "body_html": "<p>Thông báo bán đấu giá tài sản thi hành án (dữ liệu giả lập).</p>", "attachments": []},
        {"kind": "thads.notice", "site": SITE, "list": "ThongBao", "item_id": 602, "date": day,
         "title": "Thông báo bán đấu giá tài sản số 2 (dữ liệu giả lập)",
         "body_html": f'<p>Xem <a href="{foreign_pdf}">Quyết định.pdf</a> (dữ liệu giả lập).</p>', "attachments": []},
    ]


def test_thads_links_to_another_host_are_neither_fetched_nor_stored(any_db, tmp_path):
    ctx = make_app_context(tmp_path, db_url=any_db, **{"attachments.roles": ["thads"]})
    with PortalSimulator([], clock=CLOCK, host="127.0.0.2") as forger:
        with PortalSimulator(thads_docs(forger.base_url), clock=CLOCK) as sim:
            runs = crawl_thads(ctx, sim, [SITE])
        assert len(forger.request_log) == 0
    assert runs[0]["status"] == "complete", runs
    with ctx.session() as s:
        notices = {t.item_id: t for t in s.scalars(select(ThadsNotice))}
        assert set(notices) == {601, 602} and all(t.url.startswith(sim.base_url) for t in notices.values())
        atts = list(s.scalars(select(Attachment).where(Attachment.notice_key == f"{SITE}/thongbao/602")))
    assert [(a.original_name, a.source_url, a.sha256) for a in atts] == [("Quyet dinh.pdf", None, None)]
    nothing_of_the_forger(ctx)


def test_a_thads_detail_redirected_to_another_host_stops_the_source(any_db, tmp_path):
    ctx = make_app_context(tmp_path, db_url=any_db)
    with PortalSimulator([], clock=CLOCK, host="127.0.0.2") as forger:
        docs = thads_docs(forger.base_url)[:1]
        forger.add_document(forged(docs)[0])
        with PortalSimulator(docs, clock=CLOCK, faults=redirect(forger, THADS_LIST, queries=("ItemID=601",))) as sim:
            runs = crawl_thads(ctx, sim, [SITE], full=True)
        assert len(forger.request_log) == 0
    assert runs[0]["status"] == "blocked" and "another host" in runs[0]["message"]
    nothing_of_the_forger(ctx)
    assert any("chặn truy cập" in s for s in operator_subjects(ctx))


def test_a_dataset_url_on_another_host_is_never_stored_or_emailed(any_db, tmp_path):
    import json

    from alerts.outbox import queue_alerts
    from crawler.dataset_import import import_dataset

    ctx = make_app_context(tmp_path, db_url=any_db)
    doc = thads_docs("http://127.0.0.2:8081")[0]
    doc["url"] = "http://127.0.0.2:8081/binhdinh/gia-mao.html"
    doc["attachments"] = [{"name": "Quyết định.pdf", "url": "http://127.0.0.2:8081/x.pdf", "fetch_status": "skipped"}]
    data = tmp_path / "dataset.jsonl"
    data.write_text(json.dumps(doc, ensure_ascii=False) + "\n", encoding="utf-8")
    assert import_dataset(ctx.session, ctx.evidence, [data])["errors"] == []
    with ctx.session() as s:
        notice = s.scalars(select(ThadsNotice)).one()
        assert notice.url == ("https://thads.moj.gov.vn/binhdinh/noidung/thongbao/Lists/ThongBao/"
                              "View_Detail.aspx?ItemID=601")
        assert [a.source_url for a in s.scalars(select(Attachment))] == [None]
        # A finding carrying a link elsewhere (stored before this check existed) is e-mailed without it.
        now = utcnow()
        s.add(Finding(fingerprint="f" * 64, detector="parcel_details", rule="missing_parcel_number",
                      subject_kind="thads_notice", subject_id=notice.key, status="flag", severity="high",
                      title="Thiếu số thửa (dữ liệu giả lập)", evidence={}, evidence_hash="e" * 64,
                      urls=["http://127.0.0.2:8081/binhdinh/gia-mao.html", notice.url], first_seen=now,
                      last_seen=now))
        s.flush()
        queue_alerts(s, ctx.settings, now)
        mails = list(s.scalars(select(Alert).where(Alert.kind != "operator")))
    assert mails
    for mail in mails:
        assert "127.0.0.2" not in mail.body_html and "127.0.0.2" not in mail.body_text
        assert notice.url.replace("&", "&amp;") in mail.body_html
