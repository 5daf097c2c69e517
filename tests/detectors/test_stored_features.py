"""The text layer reads a lot once: ``storage.features`` keeps a current row per lot, reads new and changed lots
again, and nothing else."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from crawler.ingest import ingest_document
from detector_db import INGEST_AT, load_case
from storage import features
from storage.db import session_scope
from storage.evidence import EvidenceStore
from storage.models import LotFeatures

CASE = Path(__file__).resolve().parents[1] / "fixtures" / "detectors" / "cases" / "building_on_leased_land.jsonl"


def _rows(url: str) -> dict[tuple[str, int], tuple[str, str]]:
    with session_scope(url) as s:
        return {(k, i): (h, v) for k, i, h, v in s.execute(select(
            LotFeatures.notice_key, LotFeatures.lot_index, LotFeatures.inputs_sha256, LotFeatures.version)
            .where(LotFeatures.notice_kind == "auction_notice"))}


def test_every_lot_is_current_after_ingest_and_nothing_is_read_again(tmp_path) -> None:
    url = load_case(CASE, tmp_path)
    before = _rows(url)
    assert before and all(v == features.VERSION for _, v in before.values())
    with session_scope(url) as s:
        assert features.stale_notices(s, "auction_notice") == []
        assert features.ensure_current(s) == {}
    assert _rows(url) == before


def test_an_older_extractor_version_is_read_again(tmp_path) -> None:
    url = load_case(CASE, tmp_path)
    before = _rows(url)
    key = sorted(before)[0][0]
    with session_scope(url) as s:
        s.execute(update(LotFeatures).where(LotFeatures.notice_key == key).values(version="old"))
    with session_scope(url) as s:
        assert features.stale_notices(s, "auction_notice") == [key]
        assert features.ensure_current(s) == {"auction_notice": sum(1 for k, _ in before if k == key)}
    assert _rows(url) == before


def test_a_changed_lot_text_is_read_again_with_a_new_digest(tmp_path) -> None:
    url = load_case(CASE, tmp_path)
    before = _rows(url)
    doc = json.loads(CASE.read_text(encoding="utf-8").splitlines()[0])
    changed = copy.deepcopy(doc)
    changed["property_info"][0]["propertyName"] += " thửa đất số 12, tờ bản đồ số 3"
    with session_scope(url) as s:
        ingest_document(s, changed, run=None, at=INGEST_AT + timedelta(days=1), evidence=EvidenceStore(tmp_path / "ev"))
    with session_scope(url) as s:
        assert features.stale_notices(s, "auction_notice") == [str(doc["id"])]
        features.ensure_current(s)
    after = _rows(url)
    key = (str(doc["id"]), 0)
    assert set(after) == set(before) and after[key][0] != before[key][0]
    with session_scope(url) as s:
        parcel = s.scalar(select(LotFeatures.parcel).where(LotFeatures.notice_key == key[0]))
    assert "12" in json.dumps(parcel)
