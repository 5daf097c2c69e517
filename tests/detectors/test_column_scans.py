"""Rules over columns: the conservative masks hold every subject the subject-by-subject checks do not pass, and the
scans give the results the subject-by-subject rules give (exclusionary terms, data quality).

The mask is tested three ways: on the 236 real notices as the text layer read them, on many random lots built
around every boundary the checks use (band edges with the rounding tolerance, fee-table bounds, window minimums,
deposit units, bases and tables), and through the detector on stored data (results equal to ``evaluate_terms``).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from crawler.dataset_import import import_dataset
from detectors.base import Result, Unchanged
from detectors.collusion.columns import BASES, FEE_TABLES, columns_of, load_columns
from detectors.collusion.dataset import LotDetail, load_notices, stored_detail, stored_details
from detectors.collusion.notice import LotTerms, Notice
from detectors.collusion.settings import ExclusionaryTermsSettings
from detectors.collusion.terms import check_notice, evaluate_terms
from detectors.collusion.terms_scan import may_fail, scan_terms
from detectors.data_quality import Settings as DataQualitySettings
from detectors.data_quality import _problems, may_hold_problem
from storage.db import dispose_engines, session_scope, upgrade
from storage.evidence import EvidenceStore
from storage.features import ensure_current
from storage.timeutil import VN_TZ

REPO = Path(__file__).resolve().parents[2]
REAL = REPO / "service" / "demo_data" / "dgts_auction_notices_real_2025-05_2026-07.jsonl"


def _failing(notices: list[Notice], s: ExclusionaryTermsSettings) -> set[int]:
    return {n.id for n in notices
            if any(c.status != "pass" for c in check_notice(n, s, lambda n_, lot: _NO))}


class _NoDetail:
    amounts = None
    asset_class_reason = ""


_NO = _NoDetail()


@pytest.fixture(scope="module")
def real_url(tmp_path_factory):
    if not REAL.is_file():
        pytest.fail("the real dgts notices are missing")
    tmp = tmp_path_factory.mktemp("terms_scan")
    url = f"sqlite:///{tmp / 'real.db'}"
    upgrade(url)
    summary = import_dataset(lambda: session_scope(url), EvidenceStore(tmp / "evidence"), [REAL])
    assert summary["counters"]["documents"] == 236
    with session_scope(url) as session:
        ensure_current(session)
    yield url
    dispose_engines()


def test_mask_holds_every_real_notice_a_check_does_not_pass(real_url) -> None:
    s = ExclusionaryTermsSettings()
    with session_scope(real_url) as session:
        notices = load_notices(session)
        cols = load_columns(session)
    failing = _failing(list(notices.values()), s)
    mask = may_fail(cols, s)
    masked = {int(i) for i in cols.ids[mask]}
    assert failing, "the real notices hold deposit, fee and window problems"
    assert failing <= masked
    assert len(masked) < len(cols)  # the mask leaves out the notices that pass for certain


def test_scan_gives_the_notice_by_notice_results_on_real_notices(real_url) -> None:
    s = ExclusionaryTermsSettings()
    with session_scope(real_url) as session:
        notices = load_notices(session)
        details = lambda keys: stored_details(session, keys)  # noqa: E731
        expected = {r.subject_id: r for r in evaluate_terms(sorted(notices.values(), key=lambda n: n.id), s, {},
                                                             details)}
        cols = load_columns(session)
        got = {r.subject_id: r for r in scan_terms(session, cols, s, np.ones(len(cols), dtype=bool), {}, details)
               if isinstance(r, Result)}
    assert set(got) == set(expected)
    for subject, r in expected.items():
        assert (got[subject].status, got[subject].title, got[subject].evidence) == (r.status, r.title, r.evidence)


def test_scan_answers_unchanged_and_resolves_by_digest(real_url) -> None:
    s = ExclusionaryTermsSettings()
    with session_scope(real_url) as session:
        cols = load_columns(session)
        details = lambda keys: stored_details(session, keys)  # noqa: E731
        scope = np.ones(len(cols), dtype=bool)
        first = [r for r in scan_terms(session, cols, s, scope, {}, details) if isinstance(r, Result)]
        flagged = [r for r in first if r.status in ("flag", "insufficient")]
        passing = next(str(int(i)) for i in cols.ids if str(int(i)) not in {r.subject_id for r in first})
        open_digests = {r.subject_id: r.digest for r in flagged}
        stale = flagged[0].subject_id
        open_digests[stale] = "0" * 16
        open_digests[passing] = "1" * 16  # an open finding on a notice that now passes
        again = list(scan_terms(session, cols, s, scope, open_digests, details))
    unchanged = {x for r in again if isinstance(r, Unchanged) for x in r.subject_ids}
    results = {r.subject_id: r for r in again if isinstance(r, Result)}
    assert unchanged == {r.subject_id for r in flagged} - {stale}
    assert results[stale].status == flagged[0].status and results[stale].digest == flagged[0].digest
    assert results[passing].status == "pass"
    assert set(results) == {stale, passing}


def _random_notice(rng: random.Random, nid: int, s: ExclusionaryTermsSettings) -> Notice:
    start = datetime(2026, 3, 2, 8, 0, tzinfo=VN_TZ) + timedelta(days=rng.randrange(300), hours=rng.choice((0, 9, 15)))
    window = rng.choice((s.min_reg_window_days_other, s.min_reg_window_days_real_estate)) + rng.randrange(-3, 3)
    reg_end = start + timedelta(days=window, hours=rng.choice((-8, 0, 9)))
    auction = reg_end + timedelta(days=s.min_days_reg_to_auction + rng.randrange(-2, 3), hours=rng.choice((-9, 0, 9)))
    n = Notice(id=nid, name="t", owner_id=1, owner_name="o", org_id=2, org_name="g", published=start,
               auction_at=auction if rng.random() > 0.05 else None, reg_start=start if rng.random() > 0.05 else None,
               reg_end=reg_end, property_type_id=rng.choice((None, 1, 2, 3, 10, 11, 24)), root_id=None,
               related_ids=(), province=None, url=None, status="active")
    bounds = s.fee_cap_bounds_vnd + s.land_fee_cap_bounds_vnd
    caps = s.fee_caps_vnd + s.land_fee_caps_vnd + s.other_land_fee_caps_vnd
    for idx in range(rng.choice((1, 1, 2, 3))):
        price = rng.choice((None, 0.0, rng.choice(bounds) * rng.choice((0.999, 1.0, 1.001)),
                            10 ** rng.uniform(5, 11)))
        pct = rng.choice((s.deposit_min_pct, s.deposit_max_pct)) * rng.choice((
            1 - s.rounding_tolerance * 2, 1 - s.rounding_tolerance, 1.0, 1 + s.rounding_tolerance,
            1 + s.rounding_tolerance * 2)) if rng.random() < 0.6 else rng.uniform(0, 150)
        unit = rng.choice((None, 0, 0, 1, 2))
        deposit = (pct if unit == 1 else (price or 1e6) * pct / 100) if rng.random() > 0.1 else None
        fee = rng.choice((None, 0.0, rng.choice(caps) * rng.choice((0.99, 1.0, 1.0 + s.rounding_tolerance, 1.01, 3.0))))
        basis = rng.choice(BASES[:8])
        lot = LotTerms(idx, "t", None, price, deposit, unit, fee, rng.choice((None, 1, 10, 24)),
                       asset_class=rng.choice(("other", "real_estate", "debt")), price_basis=basis,
                       price_basis_proven=rng.random() < 0.7, deposit_comparable=rng.random() < 0.7,
                       units=rng.choice((None, 1, 2, 5)), shared_by_lots=rng.choice((1, 1, 3)),
                       term_months=rng.choice((None, 12.0, 60.0)), periodic=rng.random() < 0.2,
                       land_area_m2=rng.choice((None, 80.0, 500.0, 20_000.0)), fee_table=rng.choice(FEE_TABLES),
                       inputs=f"{idx:064x}")
        n.lots.append(lot)
    return n


@pytest.mark.parametrize("seed", range(4))
def test_mask_holds_every_random_notice_a_check_does_not_pass(seed: int) -> None:
    s = ExclusionaryTermsSettings()
    rng = random.Random(seed)
    notices = [_random_notice(rng, i + 1, s) for i in range(3_000)]
    failing = _failing(notices, s)
    cols = columns_of(notices)
    masked = {int(i) for i in cols.ids[may_fail(cols, s)]}
    assert failing <= masked
    assert 0 < len(failing) < len(notices)  # both sides of every boundary were drawn


@pytest.mark.parametrize("seed", range(4))
def test_data_quality_mask_holds_every_random_lot_with_a_problem(seed: int) -> None:
    s = DataQualitySettings()
    rng = random.Random(100 + seed)
    notices = [_random_notice(rng, i + 1, ExclusionaryTermsSettings()) for i in range(3_000)]
    for n in notices:  # deposits above the price, and land lots priced far from the plausible band
        for lot in n.lots:
            if rng.random() < 0.3 and lot.start_price:
                lot.deposit = lot.start_price * rng.choice((0.5, 1.0, 1.01, 3.0, 100.0))
                lot.deposit_unit = rng.choice((None, 0))
            if rng.random() < 0.3:
                lot.land_area_m2 = rng.choice((1.0, 50.0, 26_281.0))
    cols = columns_of(notices)
    mask = may_hold_problem(cols, s)
    flagged = {(n.id, lot.index) for n in notices for lot in n.lots if _problems(n, lot, s, lambda n_, l_: LotDetail(None, ""))}
    masked = {(int(cols.ids[cols.lot_notice[j]]), int(cols.lot_index[j])) for j in np.flatnonzero(mask)}
    assert flagged <= masked
    assert 0 < len(flagged) < sum(len(n.lots) for n in notices)


def test_data_quality_scan_finds_what_it_found_lot_by_lot_on_real_notices(real_url) -> None:
    s = DataQualitySettings()
    with session_scope(real_url) as session:
        notices = load_notices(session)
        expected = {f"auction_notice:{n.id}:{lot.index}" for n in notices.values() for lot in n.lots
                    if _problems(n, lot, s, lambda n_, l_: stored_detail(session, n_.id, l_.index))}
        cols = load_columns(session)
        masked = {f"auction_notice:{int(cols.ids[cols.lot_notice[j]])}:{int(cols.lot_index[j])}"
                  for j in np.flatnonzero(may_hold_problem(cols, s))}
    assert expected and expected <= masked
