"""50,000-character names and HTML, script, header-injection and terminal-control text in EVERY text field of
the documents of every kind (dgts auction notice, selection notice and result, THADS notice): ingest stores them
as received, every detector runs, the e-mails show them inert (escaped HTML, links only to http(s), one-line
bounded subjects, no injected header), the findings and parcels exports and the analyst helpers give them back
as plain data."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
from email import message_from_bytes, policy
from html.parser import HTMLParser
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from badinput_helpers import (
    detect,
    fresh_context,
    new_folder,
    next_id,
    real_notice,
    selection_notice,
    selection_result,
    thads_notice,
)
from crawler.dataset_import import import_dataset
from storage.models import Alert, AuctionNotice, Finding, Lot, Snapshot, ThadsNotice

SETTINGS = settings(max_examples=8, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
NOW_UTC = "2026-06-10T02:00:00+00:00"

FRAGMENTS = [
    "<script>alert('x')</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>', "javascript:alert(1)",
    "\r\nBcc: attacker@example.com\r\n", "\nSubject: spoofed", "\x1b[2J\x1b[31mRED", "\x1b]0;title\x07",
    "\u202egnp.exe",
    "{{ 7*7 }}", "{% for x in y %}", "'; DROP TABLE records; --", "%s%n%x", "]]>", "<!--", "=?utf-8?b?PHNjcmlwdD4=?=",
    "Nguyễn Văn Mẫu", "Thửa đất số 12, tờ bản đồ số 5", "&lt;b&gt;", "\u2028\u2029", "😀", "\x00", "\t\v\f",
]
# Keys whose values identify a record (a hostile value there is a rejected document, tested elsewhere).
IDENTITY_KEYS = frozenset({"kind", "site", "list"})

payloads = st.builds(
    lambda parts, pad: "".join(parts) + ("Đ" * 50_000 if pad else ""),
    st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=5),
    st.booleans(),
)


def hostile(value: Any, payload: str, key: str = "") -> Any:
    """Every string leaf of ``value`` replaced by ``payload`` (numbers, times and identities kept)."""
    if isinstance(value, dict):
        return {k: hostile(v, payload, k) for k, v in value.items()}
    if isinstance(value, list):
        return [hostile(v, payload, key) for v in value]
    if isinstance(value, str) and key not in IDENTITY_KEYS:
        return payload
    return value


def documents(payload: str) -> list[dict[str, Any]]:
    auction = real_notice(3)
    sel_id, res_id, item = next_id(), next_id(), next_id() % 100_000
    thads = thads_notice(item)
    thads["attachments"] = [{"name": "tb.txt", "content_type": "text/plain",
                             "content_b64": base64.b64encode("Thông báo (dữ liệu giả lập)".encode()).decode()}]
    docs = [auction, selection_notice(sel_id), selection_result(res_id, sel_id), thads]
    out = [hostile(d, payload) for d in docs]
    out[3]["attachments"][0]["content_b64"] = thads["attachments"][0]["content_b64"]  # bytes stay bytes
    return out


def run_everything(tmp_path, payload: str, ctx=None) -> dict[str, Any]:
    """Import, detect, queue the alerts (on a fresh SQLite database unless ``ctx`` is given)."""
    from alerts.outbox import queue_alerts
    from storage.timeutil import parse_portal_time

    ctx = ctx or fresh_context(new_folder(tmp_path))
    docs = documents(payload)
    data = new_folder(tmp_path) / "hostile.jsonl"
    data.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs) + "\n", encoding="utf-8")
    summary = import_dataset(ctx.session, ctx.evidence, [data])
    assert summary["errors"] == [] and summary["counters"]["new"] == 4
    detection = detect(ctx)
    with ctx.session() as s:
        queue_alerts(s, ctx.settings, parse_portal_time(NOW_UTC))
    return {"ctx": ctx, "docs": docs, "detection": detection}


def assert_stored_as_received(ctx, docs, payload: str) -> None:
    """The snapshot is the document as received (NUL characters aside: no database column can hold them)."""
    from crawler.ingest import without_nul

    text = without_nul(payload).strip()
    with ctx.session() as s:
        for doc in docs:
            key = str(doc.get("id") or f"binhdinh/thongbao/{doc['item_id']}")
            snap = s.scalar(select(Snapshot).where(Snapshot.record_key == key))
            expected = {k: v for k, v in without_nul(doc).items() if k != "attachments"}
            assert {k: v for k, v in snap.document.items() if k != "attachments"} == expected
        notice = s.get(AuctionNotice, docs[0]["id"])
        assert notice.property_name == (text or None)
        lots = list(s.scalars(select(Lot).where(Lot.notice_key == str(docs[0]["id"]))))
        assert lots and all(lot.name == (text or None) for lot in lots)
        thads = s.scalar(select(ThadsNotice))
        assert thads.url is not None


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def assert_markup_inert(markup: str) -> None:
    """Only the template's own elements: no script or embedded object, no event handler, links only http(s)."""
    parser = _Markup()
    parser.feed(markup)
    for tag, attrs in parser.tags:
        assert tag not in ("script", "svg", "img", "iframe", "object", "embed", "form", "input", "base"), tag
        assert tag != "meta" or not any(n == "http-equiv" and (v or "").lower() == "refresh" for n, v in attrs)
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            if name in ("href", "src", "action"):
                assert (value or "").lower().startswith(("http://", "https://", "mailto:", "#")), (tag, name, value)


def assert_emails_inert(ctx) -> None:
    from alerts.smtp_sender import build_email

    with ctx.session() as s:
        alerts = list(s.scalars(select(Alert)))
    assert alerts, "no e-mail was composed"
    for alert in alerts:
        assert "\n" not in alert.subject and "\r" not in alert.subject and len(alert.subject) <= 250
        assert_markup_inert(alert.body_html)
        raw = build_email(alert, ctx.settings.alerts.from_address).as_bytes()
        msg = message_from_bytes(raw, policy=policy.default)
        assert set(k.lower() for k in msg.keys()) <= {
            "from", "to", "cc", "subject", "message-id", "date", "auto-submitted", "x-auction-monitor-kind",
            "mime-version", "content-type"}
        assert msg["Bcc"] is None and "attacker@example.com" not in (msg["To"] or "") + (msg["Cc"] or "")
        assert "\n" not in str(msg["Subject"])


def assert_exports_plain(ctx) -> None:
    from service.exports import export_findings, export_parcels

    with ctx.session() as s:
        titles = sorted(f.title for f in s.scalars(select(Finding)) if f.resolved_at is None)
        out = io.StringIO()
        export_findings(s, out, fmt="jsonl")
        rows = [json.loads(line) for line in out.getvalue().splitlines()]
        assert sorted(r["title"] for r in rows) == titles  # the same text back, as data
        out = io.StringIO()
        export_findings(s, out, fmt="csv")
        assert sorted(r["title"] for r in csv.DictReader(io.StringIO(out.getvalue()))) == titles
        out = io.StringIO()
        export_findings(s, out, fmt="table")
        table = out.getvalue()
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029\u202a-\u202e]", table.replace("\n", ""))
        assert len(table.splitlines()) == len(titles) + 1  # one line per finding, whatever the titles hold
        for fmt in ("jsonl", "csv"):
            out = io.StringIO()
            n = export_parcels(s, out, fmt=fmt, settings=ctx.settings)
            if fmt == "jsonl":
                assert [json.loads(line) for line in out.getvalue().splitlines()].__len__() == n
            else:
                assert len(list(csv.DictReader(io.StringIO(out.getvalue())))) == n


def assert_analysis_plain(ctx, docs, payload: str) -> None:
    analysis = pytest.importorskip("analysis")
    frames = [analysis.findings_frame(ctx.db_url), analysis.lot_parcels(ctx.db_url), analysis.find_owners(ctx.db_url),
              analysis.notice_records(ctx.db_url, "auction_notice", docs[0]["id"]),
              analysis.notice_attachments(ctx.db_url, "thads_notice", f"binhdinh/thongbao/{docs[3]['item_id']}")]
    seen_text = False
    for df in frames:
        for value in df.astype(object).to_numpy().ravel():
            if isinstance(value, str) and value and payload.split()[0][:20] in value:
                seen_text = True
        assert_markup_inert(df.to_html())
    assert seen_text or not payload.split(), "the hostile text never came back from the analyst helpers"


@SETTINGS
@given(payloads)
def test_hostile_text_in_every_field_stays_inert(tmp_path, payload):
    out = run_everything(tmp_path, payload)
    ctx, docs = out["ctx"], out["docs"]
    assert set(out["detection"]["counters"]) == {"premature_scoring", "parcel_details", "collusion", "data_quality"}
    assert_stored_as_received(ctx, docs, payload)
    assert_emails_inert(ctx)
    assert_exports_plain(ctx)


FIFTY_THOUSAND = ("<script>alert(document.cookie)</script>\r\nBcc: attacker@example.com \x00\x1b[31m" * 800)[:50_000]


def test_fifty_thousand_characters_of_script_everywhere(tmp_path):
    payload = FIFTY_THOUSAND
    out = run_everything(tmp_path, payload)
    ctx, docs = out["ctx"], out["docs"]
    assert_stored_as_received(ctx, docs, payload)
    with ctx.session() as s:
        assert s.scalar(select(Finding).limit(1)) is not None  # the notices still produced findings
    assert_emails_inert(ctx)
    assert_exports_plain(ctx)
    assert_analysis_plain(ctx, docs, payload)


@pytest.mark.postgres
def test_fifty_thousand_characters_of_script_everywhere_on_postgresql(tmp_path, pg_url):
    """PostgreSQL refuses NUL characters and over-long values of its sized columns, where SQLite does not."""
    from am_testing import make_app_context

    ctx = make_app_context(tmp_path, db_url=pg_url)
    out = run_everything(tmp_path, FIFTY_THOUSAND, ctx=ctx)
    assert_stored_as_received(ctx, out["docs"], FIFTY_THOUSAND)
    assert_emails_inert(ctx)
    assert_exports_plain(ctx)
