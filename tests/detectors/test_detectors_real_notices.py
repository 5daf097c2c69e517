"""Both D1 and D2 detectors over the 236 real dgts auction notices, imported through ``import-dataset``'s path.

The real data hold auction notices only (no selection notice or result is public), so premature_scoring must run
cleanly and find nothing, while parcel_details sees every lot: about half are land-use rights, and since no
attachment was downloaded a land lot missing a field is insufficient, not flagged, unless attachments are not
required.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from crawler.dataset_import import import_dataset
from detectors.parcel_details import ParcelDetailsDetector, iter_lot_parcels
from detectors.parcel_details import Settings as ParcelSettings
from detectors.premature_scoring import PrematureScoringDetector
from detectors.premature_scoring.settings import Settings as ScoringSettings
from detectors.runner import run_detectors
from storage.db import dispose_engines, session_scope, upgrade
from storage.evidence import EvidenceStore
from storage.models import Finding, Lot

REPO = Path(__file__).resolve().parents[2]
CANDIDATES = (REPO / "service" / "demo_data" / "dgts_auction_notices_real_2025-05_2026-07.jsonl",
              Path("/work/shared/data/dgts/auction_notices_2025-05_2026-07.jsonl"))


@pytest.fixture(scope="module")
def real_db(tmp_path_factory):
    path = next((p for p in CANDIDATES if p.is_file()), None)
    if path is None:
        pytest.fail("the real dgts notices are missing")
    tmp = tmp_path_factory.mktemp("real")
    url = f"sqlite:///{tmp / 'real.db'}"
    upgrade(url)
    summary = import_dataset(lambda: session_scope(url), EvidenceStore(tmp / "evidence"), [path])
    assert summary["counters"]["documents"] == 236 and not summary["errors"]
    yield url
    dispose_engines()


def run(url: str, **parcel_settings) -> dict:
    with session_scope(url) as s:
        detectors = [PrematureScoringDetector(ScoringSettings()),
                     ParcelDetailsDetector(ParcelSettings.model_validate(parcel_settings))]
        detector_run = run_detectors(s, detectors)
        return {"counters": detector_run.counters, "stats": detector_run.stats}


def test_premature_scoring_finds_nothing_without_selection_records(real_db) -> None:
    out = run(real_db)
    assert out["counters"]["premature_scoring"] == {}
    assert out["stats"]["premature_scoring"]["window_length_working_days"]["count"] == 0


def test_parcel_details_sees_every_lot_with_plausible_counts(real_db) -> None:
    out = run(real_db)
    c = out["counters"]["parcel_details"]
    stats = out["stats"]["parcel_details"]
    with session_scope(real_db) as s:
        lots = s.scalar(select(func.count()).select_from(Lot))
    # every lot is counted; only the lots that miss a field (or had an open finding) produce a result, and a lot
    # whose open finding was computed from the same inputs is answered "unchanged" (the module's runs share a DB)
    assert sum(stats["status_counts"].values()) == lots == 287
    kept = c.get("flag", 0) + c.get("insufficient", 0) + c.get("unchanged", 0)
    assert kept == stats["status_counts"].get("insufficient", 0) + stats["status_counts"].get("unchanged", 0)
    assert 100 <= stats["land_lots"] <= 200
    assert c.get("flag", 0) == 0  # every missing field might be in an attachment we never downloaded
    assert 30 <= kept <= stats["land_lots"] - 30
    assert stats["missing_share"]["location"] < stats["missing_share"]["area_m2"]


def test_without_required_attachments_the_same_lots_are_flagged(real_db) -> None:
    first = run(real_db)["counters"]["parcel_details"]
    before = first.get("insufficient", 0) + first.get("unchanged", 0)
    after = run(real_db, attachments_required=False)["counters"]["parcel_details"]
    assert after["flag"] == before and after.get("insufficient", 0) == 0
    with session_scope(real_db) as s:
        open_flags = s.scalars(select(Finding).where(Finding.detector == "parcel_details",
                                                     Finding.resolved_at.is_(None))).all()
    assert len(open_flags) == before
    assert all(f.subject_kind == "lot" and f.subject_id.startswith("auction_notice:") for f in open_flags)
    assert {f.severity for f in open_flags} <= {"high", "medium"}


def test_iter_lot_parcels_gives_one_row_per_lot(real_db) -> None:
    with session_scope(real_db) as s:
        rows = list(iter_lot_parcels(s, ParcelSettings()))
    assert len(rows) == 287
    keys = {"notice_kind", "notice_id", "lot_index", "is_land", "parcel_no", "map_sheet", "area_m2", "location",
            "certificate", "land_use_purpose", "use_term", "missing"}
    assert all(set(r) == keys for r in rows)
    assert all(r["missing"] == [] for r in rows if not r["is_land"])
    assert sum(r["is_land"] for r in rows) >= 100
