"""`auction-monitor demo` end to end: every made-up scenario gets the verdict its README promises."""

from __future__ import annotations

import email
import json
from email import policy

import pytest
from sqlalchemy import select

from service.demo_data import build_demo
from storage.db import session_scope
from storage.models import AuctionNotice, Finding, Owner, RecordLink, SelectionNotice, SelectionResult

SUBJECT_KIND = {"dgts.selection_notice": "selection_notice", "dgts.selection_result": "selection_result",
                "dgts.auction_notice": "auction_notice", "thads.notice": "thads_notice"}


def _scenarios():
    build_demo.build_documents()
    return build_demo.SCENARIOS


def _subjects(records):
    out = set()
    for rec in records:
        kind, _, key = rec.partition(":")
        if kind == "thads.notice":
            site, _, item = key.partition("/")
            key = f"{site}/thongbao/{item}"
        out.add((SUBJECT_KIND[kind], key))
    return out


OWNERS: dict[tuple[str, str], str] = {}


def _touches(f: Finding, subjects) -> bool:
    ids = {k for _, k in subjects}
    if (f.subject_kind, f.subject_id) in subjects:
        return True
    if f.subject_kind == "owner" and f.subject_id in {OWNERS.get(s) for s in subjects}:
        return True
    if f.subject_kind == "lot" and f.subject_id.split(":")[1] in ids:
        return True
    text = json.dumps(f.evidence, ensure_ascii=False)
    return any(f'"{i}"' in text or f": {i}," in text or f": {i}}}" in text or f"[{i}" in text for i in ids)


@pytest.fixture(scope="module")
def findings(demo_run):
    with session_scope(demo_run["db_url"]) as s:
        rows = s.scalars(select(Finding).where(Finding.resolved_at.is_(None))).all()
        links = [(l.from_key, l.to_key, l.status) for l in s.scalars(select(RecordLink)
                                                                    .where(RecordLink.link_type == "thads_dgts"))]
        for kind, model in (("selection_notice", SelectionNotice), ("selection_result", SelectionResult),
                            ("auction_notice", AuctionNotice)):
            for rid, owner_key in s.execute(select(model.id, Owner.key).join(Owner, Owner.id == model.owner_id)):
                OWNERS[(kind, str(rid))] = owner_key
    return rows, links


@pytest.mark.parametrize("scenario", [s for s in _scenarios() if s.expect in ("flag", "insufficient")],
                         ids=lambda s: s.key)
def test_flag_scenarios_are_found(findings, scenario):
    rows, _ = findings
    subjects = _subjects(scenario.records)
    hits = [f for f in rows if f.detector == scenario.detector and f.rule == scenario.rule_id
            and f.status == ("flag" if scenario.expect == "flag" else "insufficient") and _touches(f, subjects)]
    assert hits, f"{scenario.key}: no {scenario.expect} of {scenario.rule_id} on {sorted(subjects)}"


@pytest.mark.parametrize("scenario", [s for s in _scenarios() if s.expect == "no_flag"
                                      and s.detector in ("premature_scoring", "parcel_details")],
                         ids=lambda s: s.key)
def test_clean_controls_stay_clean(findings, scenario):
    rows, _ = findings
    subjects = _subjects(scenario.records)
    bad = [(f.rule, f.subject_id) for f in rows if f.detector == scenario.detector and f.status == "flag"
           and ((f.subject_kind, f.subject_id) in subjects
                or (f.subject_kind == "lot" and f.subject_id.split(":")[1] in {k for _, k in subjects}))]
    assert not bad, f"{scenario.key}: unexpected flags {bad}"


def test_thads_notice_is_linked_to_its_dgts_copy(findings):
    _, links = findings
    assert ("cantho/thongbao/9302", "900015", "matched") in links


def test_emails_are_written_and_in_vietnamese(demo_run):
    emls = list((demo_run["workdir"] / "outbox").glob("*.eml"))
    assert len(emls) >= 5
    for eml in emls:
        msg = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
        body = msg.get_body(("plain",)).get_content()
        if msg["X-Auction-Monitor-Kind"] == "operator":
            continue
        # every e-mail links to the findings' pages on the review site, never to a command or a server path
        assert "http://127.0.0.1:8765/" in body and "auction-monitor review" not in body, msg["Subject"]
        assert "/evidence/" not in body and "Xem" in body
        assert msg.get_body(("html",)) is not None
    assert "Findings (open) per detector.rule.status" in demo_run["stdout"]
