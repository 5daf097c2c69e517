"""exclusionary_terms over the columns: which notices may fail a check, which open findings are unchanged.

``may_fail`` is a conservative mask over every auction notice: it is False only where every check of
``terms.check_notice`` passes for certain (a deposit in the legal band on a proven basis, a fee under the cap of its
table, a window and a gap at least the minimum counted without rolling the deadline). Tests hold it to that over the
real notices and generated ones: every notice ``check_notice`` does not pass is in the mask. Only the notices in the
mask are built as objects and checked one by one, and of those only the ones whose digest differs from their open
finding's.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np
from sqlalchemy.orm import Session

from detectors.base import Result, Unchanged
from detectors.collusion.columns import BASES, FEE_TABLES, Columns
from detectors.collusion.settings import ExclusionaryTermsSettings
from detectors.collusion.terms import RULE, DetailsOf, evaluate_terms
from detectors.digests import combine, stamp_of, sum_by, to_hex
from storage.kinds import RecordKind
from storage.stamps import content_stamps_by_id
from vntext.features import VERSION as FEATURES_VERSION

DAY = 86_400.0
VN_OFFSET = 7 * 3_600.0  # Asia/Ho_Chi_Minh has no daylight saving time
LOT_BASIS = BASES.index("lot")
GENERAL, HOUSEHOLDS, STATE_LAND = (FEE_TABLES.index(t) for t in ("general", "state_land_households", "state_land"))
BUILD_CHUNK = 2_000  # notices built as objects at a time


def local_day(epoch: np.ndarray) -> np.ndarray:
    """Day number of a time in Vietnam (NaN stays NaN)."""
    return np.floor((epoch + VN_OFFSET) / DAY)


def may_fail(c: Columns, s: ExclusionaryTermsSettings) -> np.ndarray:
    """Per notice: some check of ``check_notice`` may be insufficient or flag (see the module docstring)."""
    n = len(c)
    out = np.zeros(n, dtype=bool)
    price, deposit, fee = c.price, c.deposit, c.fee
    priced = np.nan_to_num(price, nan=0.0) > 0

    # deposit: decided on one basis (or given in %) and inside the band passes; anything else may not
    dep_exempt = c.notice_has_type(list(s.deposit_exempt_property_types))[c.lot_notice]
    unit = c.deposit_unit
    has_dep = ~np.isnan(deposit) & (np.nan_to_num(deposit, nan=-1.0) >= 0) & priced & np.isin(unit, (0, 1, -1))
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(unit == 1, deposit, 100.0 * deposit / np.where(priced, price, 1.0))
    tol = s.rounding_tolerance
    inside = (s.deposit_min_pct * (1 - tol) <= pct) & (pct <= s.deposit_max_pct * (1 + tol))
    decided = (unit == 1) | c.comparable
    lot_may = has_dep & ~dep_exempt & ~(decided & inside)

    # fee: a decisive lot compares with its cap; any other passes when under the smallest cap of its table
    fee_exempt = c.notice_has_type(list(s.fee_exempt_property_types))[c.lot_notice]
    has_fee = (np.nan_to_num(fee, nan=0.0) > 0) & priced & ~fee_exempt
    limit = 1 + s.rounding_tolerance
    general_cap = band_caps(s.fee_cap_bounds_vnd, s.fee_caps_vnd, price)
    land_cap = band_caps(s.land_fee_cap_bounds_vnd, s.land_fee_caps_vnd, price)
    cap = np.where(c.fee_table == GENERAL, general_cap, land_cap)
    decisive = c.proven & (c.basis == LOT_BASIS) & (c.fee_table != STATE_LAND)
    table_min = np.select([c.fee_table == GENERAL, c.fee_table == HOUSEHOLDS],
                          [min(s.fee_caps_vnd), min(s.land_fee_caps_vnd)],
                          min(min(s.land_fee_caps_vnd), min(s.other_land_fee_caps_vnd)))
    lot_may |= has_fee & np.where(decisive, fee > cap * limit, fee > table_min * limit)
    np.logical_or.at(out, c.lot_notice, lot_may)

    # windows: rolling a deadline only lengthens a window, so the stated one at the minimum passes
    start, end, auction = local_day(c.reg_start), local_day(c.reg_end), local_day(c.auction_at)
    real_estate = c.notice_asset_class() == 1
    minimum = np.where(real_estate, s.min_reg_window_days_real_estate, s.min_reg_window_days_other)
    with np.errstate(invalid="ignore"):
        out |= ~np.isnan(start) & ~np.isnan(end) & (end - start < minimum)
        out |= ~np.isnan(end) & ~np.isnan(auction) & (auction - end < s.min_days_reg_to_auction)
    return out


def band_caps(bounds: list[float], caps: list[float], price: np.ndarray) -> np.ndarray:
    """``terms._cap`` over an array: the cap of the band whose inclusive upper bound is the first >= the price."""
    table = np.asarray(caps, dtype=float)
    pos = np.searchsorted(np.asarray(bounds, dtype=float), np.nan_to_num(price, nan=0.0), side="left")
    return table[np.minimum(pos, len(table) - 1)]


def notice_digests(session: Session, c: Columns, s: ExclusionaryTermsSettings) -> tuple[np.ndarray, np.ndarray]:
    """Per notice: the digest of what its verdict is computed from (the portal document, the text layer's reading
    of each lot, the settings) and whether it is known (False for a notice stored without its document)."""
    content, known = content_stamps_by_id(session, RecordKind.DGTS_AUCTION_NOTICE, c.ids)
    lots = sum_by(c.lot_notice, combine(c.lot_index.astype(np.uint64), c.inputs_stamp), len(c))
    return combine(stamp_of(RULE, s.model_dump(), FEATURES_VERSION), content, lots), known


def scan_terms(session: Session, c: Columns, s: ExclusionaryTermsSettings, scope: np.ndarray,
               open_digests: dict[str, str | None], details_of: DetailsOf) -> Iterator[Result | Unchanged]:
    """Results of the notices in ``scope`` (a mask) that may fail a check or have an open finding."""
    mask = may_fail(c, s) & scope
    digests, known = notice_digests(session, c, s)
    hex_digests = to_hex(digests)
    rows_open: list[int] = []
    open_rows = c.row_of(np.array(sorted(int(k) for k in open_digests if k.isdigit()), dtype=np.int64))
    for r in open_rows.tolist():
        if r < len(c) and str(int(c.ids[r])) in open_digests:
            rows_open.append(r)
    unchanged: list[str] = []
    todo = set(np.flatnonzero(mask).tolist())
    for r in rows_open:
        if not scope[r]:
            continue
        subject = str(int(c.ids[r]))
        if mask[r] and known[r] and open_digests[subject] == hex_digests[r]:
            unchanged.append(subject)
            todo.discard(r)
        elif not mask[r]:
            yield Result(rule=RULE, subject_kind="auction_notice", subject_id=subject, status="pass")
        else:
            todo.add(r)
    if unchanged:
        yield Unchanged(RULE, unchanged)
    order = sorted(todo)
    for i in range(0, len(order), BUILD_CHUNK):
        part = order[i:i + BUILD_CHUNK]
        notices = c.notices(part)
        digest_of = {int(c.ids[r]): hex_digests[r] for r in part}
        yield from evaluate_terms([notices[int(c.ids[r])] for r in part], s, open_digests, details_of,
                                  lambda n: digest_of[n.id])
        c.forget(part)
