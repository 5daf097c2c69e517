"""anomaly_rank: rank unusual auction notices with an IsolationForest over explainable features.

It ranks and never decides: only the top ``top_n`` (or ``top_percentile`` %) notices of the last ``window_days``
are reported, as ``flag`` with severity ``low``, each with its score, rank, the model version and the features
that made it unusual (robust z-scores against the whole population, largest three first). The model is fitted on
every notice; missing feature values take the population median (the evidence names them). Same data, settings
and scikit-learn version give the same ranking: the forest is seeded (``random_state``) and ties break on the
notice id. Fewer than ``min_samples`` notices: nothing is ranked and the run statistics say so.

Features (per notice): registration window (days), publication to auction (days), deposit (% of the start price),
dossier fee / fee cap, price cut against the previous round of its relist chain, rounds before it in its chain,
notices of the same owner–organisation pair, and that pair's share of the owner's notices.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from datetime import datetime, timedelta
from typing import Any, Iterator

from importlib.metadata import version as package_version

import numpy as np

from detectors.base import Result
from detectors.collusion import legal
from detectors.collusion.dataset import Dataset, Notice
from detectors.collusion.settings import AnomalyRankSettings, ExclusionaryTermsSettings
from detectors.collusion.stats import robust_scale
from detectors.collusion.terms import check_fee, deposit_pct

RULE = "anomaly_rank"
FEATURES = ("reg_window_days", "pub_to_auction_days", "deposit_pct", "fee_over_cap", "price_cut_prev",
            "relist_rounds_before", "pair_notices", "pair_share")
SKLEARN_VERSION = package_version("scikit-learn")
FEATURE_VI = {
    "reg_window_days": "số ngày nhận hồ sơ", "pub_to_auction_days": "số ngày từ khi công khai đến ngày đấu giá",
    "deposit_pct": "tiền đặt trước (% giá khởi điểm)", "fee_over_cap": "tiền hồ sơ / mức tối đa",
    "price_cut_prev": "mức giảm giá so với lần trước", "relist_rounds_before": "số lần đấu giá lại trước đó",
    "pair_notices": "số thông báo của cùng cặp người có tài sản – tổ chức đấu giá",
    "pair_share": "tỷ lệ thông báo người có tài sản giao cho tổ chức này",
}


def model_version(settings: AnomalyRankSettings) -> str:
    blob = json.dumps({"features": FEATURES, "settings": settings.model_dump(), "sklearn": SKLEARN_VERSION},
                      sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _days(a: datetime | None, b: datetime | None) -> float | None:
    if a is None or b is None:
        return None
    return (b - a).total_seconds() / 86400


def notice_features(n: Notice, terms: ExclusionaryTermsSettings, chain_info: dict[int, tuple[int, float | None]],
                    pair_counts: Counter, owner_counts: Counter) -> list[float | None]:
    deposit = next((p for l in n.lots if (p := deposit_pct(l)) is not None), None)
    fee_ratios = [c.facts["ratio"] for l in n.lots if (c := check_fee(n, l, terms)) is not None and "ratio" in c.facts]
    rounds_before, cut = chain_info.get(n.id, (0, 0.0))
    pair = pair_counts.get((n.owner_id, n.org_id)) if n.owner_id is not None and n.org_id is not None else None
    share = pair / owner_counts[n.owner_id] if pair else None
    return [_days(n.reg_start, n.reg_end), _days(n.published, n.auction_at), deposit,
            max(fee_ratios) if fee_ratios else None, cut, float(rounds_before),
            float(pair) if pair else None, share]


def evaluate_anomaly(ds: Dataset, s: AnomalyRankSettings, terms: ExclusionaryTermsSettings,
                     chain_info: dict[int, tuple[int, float | None]], end: datetime, open_ids: set[str],
                     stats: dict[str, Any]) -> Iterator[Result]:
    version = model_version(s)
    notices = sorted(ds.notices.values(), key=lambda n: n.id)
    info: dict[str, Any] = {"model_version": version, "samples": len(notices), "min_samples": s.min_samples,
                            "features": list(FEATURES), "sklearn": SKLEARN_VERSION}
    stats["anomaly_rank"] = info
    if len(notices) < s.min_samples:
        info["status"] = "insufficient"
        info["reason"] = f"{len(notices)} notices, {s.min_samples} needed"
        for subject in sorted(open_ids):
            yield Result(rule=RULE, subject_kind="auction_notice", subject_id=subject, status="not_applicable")
        return
    pair_counts = Counter((n.owner_id, n.org_id) for n in notices if n.owner_id is not None and n.org_id is not None)
    owner_counts = Counter(n.owner_id for n in notices if n.owner_id is not None)
    raw = [notice_features(n, terms, chain_info, pair_counts, owner_counts) for n in notices]
    X = np.array([[np.nan if v is None or not math.isfinite(v) else v for v in row] for row in raw], dtype=float)
    medians = np.array([0.0 if np.isnan(col).all() else float(np.nanmedian(col)) for col in X.T])
    missing = np.isnan(X)
    X = np.where(missing, medians, X)
    scales = [robust_scale(X[:, j]) for j in range(X.shape[1])]
    from sklearn.ensemble import IsolationForest  # heavy import, only when ranking

    forest = IsolationForest(n_estimators=s.n_estimators, random_state=s.random_state)
    forest.fit(X)
    window_start = end - timedelta(days=s.window_days)
    candidates = [i for i, n in enumerate(notices) if n.published is None or n.published >= window_start]
    # Only the window is ranked: scoring the whole history (600,000 rows at national scale) would be wasted work.
    scores = np.zeros(len(notices))
    if candidates:
        scores[candidates] = -forest.score_samples(X[candidates])  # higher = more unusual
    candidates.sort(key=lambda i: (-round(float(scores[i]), 12), notices[i].id))
    top = s.top_n if s.top_percentile is None else max(1, math.ceil(len(candidates) * s.top_percentile / 100))
    chosen = candidates[:top]
    info.update(status="ranked", candidates=len(candidates), window_start=window_start, flagged=len(chosen),
                feature_medians={f: round(float(scales[j].median), 6) for j, f in enumerate(FEATURES)},
                feature_scales={f: round(float(scales[j].scale), 6) for j, f in enumerate(FEATURES)},
                score_cutoff=round(float(scores[chosen[-1]]), 6) if chosen else None)
    chosen_ids = set()
    for rank, i in enumerate(chosen, 1):
        n = notices[i]
        chosen_ids.add(str(n.id))
        contributions = []
        for j, f in enumerate(FEATURES):
            z = scales[j].z(float(X[i, j]))
            contributions.append({"feature": f, "value": round(float(X[i, j]), 6), "robust_z": round(z, 4),
                                  "imputed": bool(missing[i, j]), "population_median": round(scales[j].median, 6)})
        contributions.sort(key=lambda c: (c["imputed"], -abs(c["robust_z"]), c["feature"]))
        top3 = contributions[:3]
        evidence = {"score": round(float(scores[i]), 6), "rank": rank, "ranked_among": len(candidates),
                    "model_version": version, "random_state": s.random_state, "top_features": top3,
                    "features": contributions, "imputed": [c["feature"] for c in contributions if c["imputed"]]}
        explained = "; ".join(f"{FEATURE_VI[c['feature']]} = {legal.num(c['value'])} (z = {legal.num(c['robust_z'], 1)})"
                              for c in top3)
        yield Result(rule=RULE, subject_kind="auction_notice", subject_id=str(n.id), status="flag", severity="low",
                     title=f"Thông báo có đặc điểm bất thường (hạng {rank}/{len(candidates)}): {explained}.",
                     evidence=evidence, urls=[n.url] if n.url else [], owner_name=n.owner_name,
                     province=n.province, legal_basis=legal.COLLUSION)
    for subject in sorted(open_ids - chosen_ids):
        yield Result(rule=RULE, subject_kind="auction_notice", subject_id=subject, status="pass")
