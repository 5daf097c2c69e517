"""anomaly_rank: rank unusual auction notices with an IsolationForest over explainable features.

It ranks and never decides: only the top ``top_n`` (or ``top_percentile`` %) notices of the last ``window_days``
are reported, as ``flag`` with severity ``low``, each with its score, rank, the model version and the features
that made it unusual (robust z-scores against the whole population, largest three first). Same data, settings and
scikit-learn version give the same ranking: the forest is seeded (``random_state``) and ties break on the notice id.
Fewer than ``min_samples`` notices: nothing is ranked and the run statistics say so.

Only what keeps bidders out or signals collusion counts (``DIRECTION``): a short registration window or a short
time to the auction, a high deposit or fee, a deep price cut, many earlier rounds, a pair of owner and organisation
that keeps coming back. Every feature is clipped at its population median on the harmless side before the forest
sees it, so a legal 10 % deposit, a fee below the cap or a rare pair is never "unusual". A value another rule
already flagged on the notice (the deposit, fee or window of ``exclusionary_terms``, the cuts of a flagged relist
chain) does not lift it again: it is set to the median. A value whose basis is not proven (a deposit against a
price per m²) is missing and takes the median. A notice is reported only when at least one of its own values is
``min_feature_z`` robust deviations to the suspicious side (``pair_share`` only for owners with
``min_owner_notices`` notices).

Features (per notice): registration window (days), publication to auction (days), deposit (% of the start price),
dossier fee / fee cap, price cut against the previous round of its relist chain, rounds before it in its chain,
notices of the same owner–organisation pair, and that pair's share of the owner's notices.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import datetime, timedelta
from importlib.metadata import version as package_version
from typing import Any, Callable, Iterator

import numpy as np

from detectors.base import Result
from detectors.collusion import legal
from detectors.collusion.columns import Columns
from detectors.collusion.dataset import Dataset, LotDetail
from detectors.collusion.settings import AnomalyRankSettings, ExclusionaryTermsSettings
from detectors.collusion.stats import robust_scale
from detectors.collusion.terms import check_fee
from detectors.collusion.terms_scan import DAY, GENERAL, HOUSEHOLDS, LOT_BASIS, STATE_LAND, band_caps

RULE = "anomaly_rank"
FEATURES = ("reg_window_days", "pub_to_auction_days", "deposit_pct", "fee_over_cap", "price_cut_prev",
            "relist_rounds_before", "pair_notices", "pair_share")
SKLEARN_VERSION = package_version("scikit-learn")
DIRECTION = {"reg_window_days": -1, "pub_to_auction_days": -1, "deposit_pct": 1, "fee_over_cap": 1,
             "price_cut_prev": 1, "relist_rounds_before": 1, "pair_notices": 1, "pair_share": 1}
# The smallest deviation that means anything, per feature: one day, one percentage point, one selection... A
# population where nearly every value is equal (one selection per pair) must not make the next value "unusual".
MIN_SCALE = {"reg_window_days": 1.0, "pub_to_auction_days": 1.0, "deposit_pct": 1.0, "fee_over_cap": 0.1,
             "price_cut_prev": 0.02, "relist_rounds_before": 1.0, "pair_notices": 1.0, "pair_share": 0.1}
FLAGGED_BY_TERMS = {"deposit_out_of_range": ("deposit_pct",), "fee_above_cap": ("fee_over_cap",),
                    "short_registration_window": ("reg_window_days", "pub_to_auction_days"),
                    "auction_too_soon_after_registration": ("pub_to_auction_days",)}
FEATURE_VI = {
    "reg_window_days": "thời gian nhận hồ sơ", "pub_to_auction_days": "thời gian từ khi công khai đến ngày đấu giá",
    "deposit_pct": "tiền đặt trước", "fee_over_cap": "tiền hồ sơ so với mức tối đa",
    "price_cut_prev": "mức giảm giá so với lần trước", "relist_rounds_before": "số lần đấu giá lại trước đó",
    "pair_notices": "số thông báo của cùng người có tài sản và tổ chức đấu giá",
    "pair_share": "tỷ lệ thông báo của người có tài sản giao cho tổ chức này",
}


def model_version(settings: AnomalyRankSettings) -> str:
    blob = json.dumps({"features": FEATURES, "direction": DIRECTION, "settings": settings.model_dump(),
                       "sklearn": SKLEARN_VERSION},
                      sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def feature_matrix(c: Columns, terms: ExclusionaryTermsSettings, chain_info: dict[int, tuple[int, float | None]],
                   batch_days: int, min_owner_notices: int = 1,
                   checked: Callable[[list[int]], dict[int, float | None]] = lambda lots: {}) -> np.ndarray:
    """One row of ``FEATURES`` per notice (the columns' order), NaN where a value is unknown or not comparable."""
    n = len(c)
    X = np.full((n, len(FEATURES)), np.nan)
    X[:, 0] = (c.reg_end - c.reg_start) / DAY
    X[:, 1] = (c.auction_at - c.published) / DAY
    X[:, 2] = _first_per_notice(c, _deposit_pct(c))
    ratio = _fee_ratio(c, terms, checked)
    ratio[c.notice_has_type(list(terms.fee_exempt_property_types))[c.lot_notice]] = np.nan
    fee = np.full(n, -np.inf)
    np.maximum.at(fee, c.lot_notice, np.nan_to_num(ratio, nan=-np.inf))
    X[:, 3] = np.where(np.isneginf(fee), np.nan, fee)
    X[:, 4], X[:, 5] = 0.0, 0.0
    if chain_info:
        ids = np.fromiter(chain_info, dtype=np.int64, count=len(chain_info))
        rows = c.row_of(ids)
        ok = (rows < n) & (c.ids[np.minimum(rows, n - 1)] == ids)
        rounds = np.array([chain_info[int(i)][0] for i in ids], dtype=float)
        cuts = np.array([np.nan if chain_info[int(i)][1] is None else chain_info[int(i)][1] for i in ids], dtype=float)
        X[rows[ok], 4], X[rows[ok], 5] = cuts[ok], rounds[ok]
    pair, share = _pair_counts(c, batch_days, min_owner_notices)
    X[:, 6], X[:, 7] = pair, share
    X[~np.isfinite(X)] = np.nan
    return X


def _deposit_pct(c: Columns) -> np.ndarray:
    """``terms.deposit_pct`` per lot."""
    deposit, price = c.deposit, np.nan_to_num(c.price, nan=0.0)
    known = ~np.isnan(deposit) & (np.nan_to_num(deposit, nan=-1.0) >= 0)
    comparable = np.isin(c.deposit_unit, (0, -1)) & (price > 0) & c.comparable
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(c.deposit_unit == 1, deposit, 100.0 * deposit / np.where(price > 0, price, 1.0))
    return np.where(known & ((c.deposit_unit == 1) | comparable), pct, np.nan)


def _fee_ratio(c: Columns, terms: ExclusionaryTermsSettings,
               checked: Callable[[list[int]], dict[int, float | None]]) -> np.ndarray:
    """Per lot, the ratio ``terms.check_fee`` states: fee / cap of a lot whose price is proven to be the whole
    lot's, or fee / the table's largest cap when the fee is above every cap whatever the price; rounded as the
    check rounds it. ``checked`` runs the check itself on the lots the arrays cannot decide (a table whose price
    caps may exceed the largest cap it is compared with)."""
    price, fee = np.nan_to_num(c.price, nan=0.0), np.nan_to_num(c.fee, nan=0.0)
    limit = 1 + terms.rounding_tolerance
    priced = (fee > 0) & (price > 0)
    decisive = priced & c.proven & (c.basis == LOT_BASIS) & (c.fee_table != STATE_LAND)
    cap = np.where(c.fee_table == GENERAL, band_caps(terms.fee_cap_bounds_vnd, terms.fee_caps_vnd, c.price),
                   band_caps(terms.land_fee_cap_bounds_vnd, terms.land_fee_caps_vnd, c.price))
    table_max = np.select([c.fee_table == GENERAL, c.fee_table == HOUSEHOLDS],
                          [max(terms.fee_caps_vnd), max(terms.land_fee_caps_vnd)], max(terms.other_land_fee_caps_vnd))
    above_all = priced & ~decisive & (fee > table_max * limit)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(decisive, np.round(fee / cap, 4), np.where(above_all, np.round(fee / table_max, 4), np.nan))
    # the largest cap of the State-land table is the area table's: a price cap above it makes the check's smallest
    # cap, not the table's largest, decide whether the fee is above every cap
    if max(terms.land_fee_caps_vnd) > max(terms.other_land_fee_caps_vnd):
        unsure = np.flatnonzero(above_all & (c.fee_table == STATE_LAND))
        for j, ratio in checked(unsure.tolist()).items():
            out[j] = np.nan if ratio is None else ratio
    return out


def _checked_fee(ds: Dataset, lots: list[int], terms: ExclusionaryTermsSettings) -> dict[int, float | None]:
    """``terms.check_fee``'s ratio of these lots (column positions), run on the notices themselves."""
    c = ds.cols
    ds.prefetch(int(c.ids[c.lot_notice[j]]) for j in lots)
    out: dict[int, float | None] = {}
    for j in lots:
        n = ds.notices[int(c.ids[c.lot_notice[j]])]
        lot = next(l for l in n.lots if l.index == int(c.lot_index[j]))
        check = check_fee(n, lot, terms, lambda n_, l_: LotDetail(None, ""))
        out[j] = check.facts.get("ratio") if check is not None else None
    return out


def _first_per_notice(c: Columns, values: np.ndarray) -> np.ndarray:
    """Per notice: the value of its first lot (by index) that has one."""
    out = np.full(len(c), np.nan)
    have = np.flatnonzero(~np.isnan(values))
    if len(have):
        rows = c.lot_notice[have]
        first = np.ones(len(have), dtype=bool)
        first[1:] = rows[1:] != rows[:-1]  # lots are sorted by notice row, then index
        out[rows[first]] = values[have[first]]
    return out


def _pair_counts(c: Columns, batch_days: int, min_owner_notices: int) -> tuple[np.ndarray, np.ndarray]:
    """Per notice: selections of its (owner, organisation) pair and that pair's share of the owner's selections.
    Notices of one pair published within ``batch_days`` of the previous one are one batch (one owner putting several
    lots out at once), not several selections; an undated notice is a selection of its own."""
    n = len(c)
    pair_out, share_out = np.full(n, np.nan), np.full(n, np.nan)
    rows = np.flatnonzero((c.owner >= 0) & (c.org >= 0))
    if not len(rows):
        return pair_out, share_out
    t = c.published[rows]
    undated = np.isnan(t)
    order = np.lexsort((np.where(undated, -np.inf, t), c.org[rows], c.owner[rows]))
    rows, t, undated = rows[order], t[order], undated[order]
    owner, org = c.owner[rows], c.org[rows]
    start = np.ones(len(rows), dtype=bool)
    start[1:] = (owner[1:] != owner[:-1]) | (org[1:] != org[:-1])
    prev_dated = np.zeros(len(rows), dtype=bool)
    prev_dated[1:] = ~undated[:-1] & ~start[1:]
    gap = np.zeros(len(rows))
    gap[1:] = np.floor((t[1:] - t[:-1]) / DAY)
    new_batch = undated | ~prev_dated | (gap > batch_days)
    group = np.cumsum(start) - 1
    batches = np.bincount(group, weights=new_batch.astype(float))
    group_owner = owner[start]
    owner_ids, owner_of_group = np.unique(group_owner, return_inverse=True)
    owner_total = np.bincount(owner_of_group, weights=batches)
    pair = batches[group]
    total = owner_total[owner_of_group[group]]
    pair_out[rows] = pair
    share_out[rows] = np.where(total >= min_owner_notices, pair / total, np.nan)
    return pair_out, share_out


def evaluate_anomaly(ds: Dataset, s: AnomalyRankSettings, terms: ExclusionaryTermsSettings,
                     chain_info: dict[int, tuple[int, float | None]], end: datetime, open_ids: set[str],
                     stats: dict[str, Any], already_flagged: dict[int, set[str]] | None = None) -> Iterator[Result]:
    """``already_flagged``: notice id -> features another rule flagged on it this run (they do not count again)."""
    already_flagged = already_flagged or {}
    version = model_version(s)
    c = ds.cols
    info: dict[str, Any] = {"model_version": version, "samples": len(c), "min_samples": s.min_samples,
                            "features": list(FEATURES), "sklearn": SKLEARN_VERSION}
    stats["anomaly_rank"] = info
    if len(c) < s.min_samples:
        info["status"] = "insufficient"
        info["reason"] = f"{len(c)} notices, {s.min_samples} needed"
        for subject in sorted(open_ids):
            yield Result(rule=RULE, subject_kind="auction_notice", subject_id=subject, status="not_applicable")
        return
    raw = feature_matrix(c, terms, chain_info, s.batch_days, s.min_owner_notices, lambda lots: _checked_fee(ds, lots,
                                                                                                    terms))
    X = raw.copy()
    medians = np.array([0.0 if np.isnan(col).all() else float(np.nanmedian(col)) for col in X.T])
    missing = np.isnan(X)
    X = np.where(missing, medians, X)
    neutral = np.zeros_like(missing)
    flagged_ids = np.array(sorted(already_flagged), dtype=np.int64)
    for r in c.rows_present(flagged_ids).tolist():
        for f in already_flagged[int(c.ids[r])]:
            neutral[r, FEATURES.index(f)] = True
    X = np.where(neutral, medians, X)
    signs = np.array([DIRECTION[f] for f in FEATURES], dtype=float)
    # one-sided: the harmless side of every feature is clipped at the median, or at the legal limit when a value
    # up to it is lawful (a 20 % deposit, a fee at the cap)
    limits = {"deposit_pct": terms.deposit_max_pct, "fee_over_cap": 1.0}
    clip = np.array([max(medians[j], limits[f]) if f in limits else medians[j] for j, f in enumerate(FEATURES)])
    X = clip + signs * np.maximum(0.0, signs * (X - clip))
    # a time the law allows is never short: the registration window and the posting period count only below the
    # legal minimum of the notice's asset class
    real_estate = c.notice_asset_class() == 1
    for j, f in enumerate(FEATURES):
        if f in ("reg_window_days", "pub_to_auction_days"):
            lawful = X[:, j] >= np.where(real_estate, _legal_minimum(f, True, s, terms),
                                         _legal_minimum(f, False, s, terms))
            X[lawful, j] = np.maximum(X[lawful, j], medians[j])
    scales = [robust_scale(X[:, j], MIN_SCALE[f]) for j, f in enumerate(FEATURES)]
    from sklearn.ensemble import IsolationForest  # heavy import, only when ranking

    forest = IsolationForest(n_estimators=s.n_estimators, random_state=s.random_state)
    forest.fit(X)
    window_start = end - timedelta(days=s.window_days)
    candidates = np.flatnonzero(np.isnan(c.published) | (c.published >= window_start.timestamp())).tolist()
    # Only the window is ranked: scoring the whole history (600,000 rows at national scale) would be wasted work.
    scores = np.zeros(len(c))
    if candidates:
        scores[candidates] = -forest.score_samples(X[candidates])  # higher = more unusual

    def deviations(i: int) -> list[dict[str, Any]]:
        out = []
        for j, f in enumerate(FEATURES):
            z = DIRECTION[f] * scales[j].z(float(X[i, j]))
            out.append({"feature": f, "label": FEATURE_VI[f], "value": None if np.isnan(raw[i, j])
                        else round(float(raw[i, j]), 6),
                        "suspicious_z": round(max(z, 0.0), 4), "imputed": bool(missing[i, j]),
                        "already_flagged": bool(neutral[i, j]), "population_median": round(float(medians[j]), 6)})
        return out

    # a candidate qualifies when one of its own values (not imputed, not flagged by another rule) lies far enough
    # to the suspicious side
    if candidates:
        centre = np.array([sc.median for sc in scales])
        spread = np.array([sc.scale for sc in scales])
        z = signs * (X[candidates] - centre) / spread
        counted = (z >= s.min_feature_z) & ~missing[candidates] & ~neutral[candidates]
        qualified = [i for i, ok in zip(candidates, counted.any(axis=1)) if ok]
    else:
        qualified = []
    qualified.sort(key=lambda i: (-round(float(scores[i]), 12), int(c.ids[i])))
    top = s.top_n if s.top_percentile is None else max(1, math.ceil(len(candidates) * s.top_percentile / 100))
    chosen = qualified[:top]
    info.update(status="ranked", candidates=len(candidates), qualified=len(qualified), window_start=window_start,
                flagged=len(chosen), min_feature_z=s.min_feature_z,
                feature_medians={f: round(float(scales[j].median), 6) for j, f in enumerate(FEATURES)},
                feature_scales={f: round(float(scales[j].scale), 6) for j, f in enumerate(FEATURES)},
                score_cutoff=round(float(scores[chosen[-1]]), 6) if chosen else None)
    chosen_ids = set()
    ds.prefetch(int(c.ids[i]) for i in chosen)
    for rank, i in enumerate(chosen, 1):
        n = ds.notices[int(c.ids[i])]
        chosen_ids.add(str(n.id))
        contributions = deviations(i)
        reasons = sorted((c for c in contributions
                          if c["suspicious_z"] >= s.min_feature_z and not c["imputed"] and not c["already_flagged"]),
                         key=lambda c: (-c["suspicious_z"], c["feature"]))[:3]
        evidence = {"score": round(float(scores[i]), 6), "rank": rank, "ranked_among": len(candidates),
                    "model_version": version, "random_state": s.random_state, "top_features": reasons,
                    "features": contributions, "imputed": [c["feature"] for c in contributions if c["imputed"]],
                    "not_counted_already_flagged": sorted(already_flagged.get(n.id, ()))}
        explained = "; ".join(_explain(c) for c in reasons)
        yield Result(rule=RULE, subject_kind="auction_notice", subject_id=str(n.id), status="flag", severity="low",
                     title=f"Thông báo có đặc điểm bất thường (hạng {rank}/{len(candidates)}): {explained}.",
                     evidence=evidence, urls=[n.url] if n.url else [], owner_name=n.owner_name,
                     province=n.province, legal_basis=legal.COLLUSION)
    for subject in sorted(open_ids - chosen_ids):
        yield Result(rule=RULE, subject_kind="auction_notice", subject_id=subject, status="pass")


def _legal_minimum(feature: str, real_estate: bool, s: AnomalyRankSettings, terms: ExclusionaryTermsSettings
                   ) -> float:
    if feature == "reg_window_days":
        return terms.min_reg_window_days_real_estate if real_estate else terms.min_reg_window_days_other
    return s.min_posting_days_real_estate if real_estate else s.min_posting_days_other


def _explain(c: dict[str, Any]) -> str:
    """One feature in Vietnamese: its value against the usual value, and which way is unusual."""
    f, value, median = c["feature"], c["value"], c["population_median"]
    if f in ("reg_window_days", "pub_to_auction_days"):
        return f"{c['label']} chỉ {legal.num(value, 1)} ngày (thông thường {legal.num(median, 1)} ngày)"
    if f == "deposit_pct":
        return f"{c['label']} {legal.num(value, 1)}% (thông thường {legal.num(median, 1)}%)"
    if f in ("price_cut_prev", "pair_share"):
        return f"{c['label']} {legal.pct(value)} (thông thường {legal.pct(median)})"
    if f == "fee_over_cap":
        return f"{c['label']} {legal.num(value, 2)} lần (thông thường {legal.num(median, 2)})"
    return f"{c['label']} {legal.num(value, 0)} (thông thường {legal.num(median, 0)})"
