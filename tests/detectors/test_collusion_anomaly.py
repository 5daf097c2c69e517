"""anomaly_rank: a deterministic, explained ranking (made-up notices)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from collusion_samples import dataset, notice
from detectors.collusion.anomaly import FEATURES, evaluate_anomaly, model_version
from detectors.collusion.settings import AnomalyRankSettings, ExclusionaryTermsSettings
from storage.timeutil import VN_TZ

END = datetime(2026, 6, 30, 12, tzinfo=VN_TZ)


def sample(n: int = 80):
    rng = random.Random(11)
    out = []
    for i in range(1, n + 1):
        pub = END - timedelta(days=rng.randint(1, 60))
        price = rng.choice([300, 400, 500]) * 1_000_000
        out.append(notice(i, f"Xe ô tô tải biển số 66C-4{i:02d}.11 (dữ liệu giả lập)", price, owner_id=1 + i % 5,
                          org_id=1 + i % 4, published=pub, reg_start=pub, reg_end=pub + timedelta(days=rng.randint(12, 18)),
                          auction_at=pub + timedelta(days=rng.randint(20, 25)), deposit=price * 0.1, fee=200_000))
    odd = out[41]  # notice 42: a 2-day registration window and the auction 3 days after publication
    odd.reg_end = odd.published + timedelta(days=2)
    odd.auction_at = odd.published + timedelta(days=3)
    slow = out[42]  # notice 43: a 150-day window and an auction 200 days out: unusual, but it keeps nobody out
    slow.reg_end = slow.published + timedelta(days=150)
    slow.auction_at = slow.published + timedelta(days=200)
    return dataset(out)


def ranked(settings: AnomalyRankSettings, ds=None, already_flagged=None):
    stats: dict = {}
    results = list(evaluate_anomaly(ds or sample(), settings, ExclusionaryTermsSettings(), {}, END, set(), stats,
                                    already_flagged))
    return results, stats


def test_same_seed_gives_the_same_ranking() -> None:
    first, _ = ranked(AnomalyRankSettings(top_n=10, min_feature_z=0))
    second, _ = ranked(AnomalyRankSettings(top_n=10, min_feature_z=0))
    key = lambda rs: [(r.subject_id, r.evidence["rank"], r.evidence["score"]) for r in rs]
    assert key(first) == key(second) and len(first) == 10


def test_ranked_items_are_low_flags_with_explained_evidence() -> None:
    results, stats = ranked(AnomalyRankSettings(top_n=3, n_estimators=50, min_feature_z=0))
    assert [r.status for r in results] == ["flag"] * 3 and {r.severity for r in results} == {"low"}
    ev = results[0].evidence
    assert ev["rank"] == 1 and ev["model_version"] == stats["anomaly_rank"]["model_version"]
    assert 1 <= len(ev["top_features"]) <= 3
    assert set(ev["top_features"][0]) >= {"feature", "label", "value", "suspicious_z", "population_median"}
    assert [c["feature"] for c in ev["features"]] != [] and {c["feature"] for c in ev["features"]} == set(FEATURES)


def test_the_extreme_notice_ranks_first_and_says_why() -> None:
    results, _ = ranked(AnomalyRankSettings(top_n=1, n_estimators=50))
    top = results[0]
    assert top.subject_id == "42"
    assert {c["feature"] for c in top.evidence["top_features"][:2]} == {"reg_window_days", "pub_to_auction_days"}
    assert "thời gian nhận hồ sơ chỉ 2,0 ngày" in top.title and "reg_window" not in top.title


def test_model_version_follows_settings() -> None:
    assert model_version(AnomalyRankSettings()) == model_version(AnomalyRankSettings())
    assert model_version(AnomalyRankSettings(random_state=1)) != model_version(AnomalyRankSettings(random_state=2))


def test_top_percentile_replaces_top_n() -> None:
    results, _ = ranked(AnomalyRankSettings(top_n=50, top_percentile=5, n_estimators=50, min_feature_z=0))
    assert len(results) == 4  # ceil(80 * 5 %)


def test_too_few_notices_rank_nothing_and_say_so() -> None:
    results, stats = ranked(AnomalyRankSettings(min_samples=100))
    assert results == [] and stats["anomaly_rank"]["status"] == "insufficient"


def test_previous_flags_that_left_the_top_are_resolved() -> None:
    stats: dict = {}
    results = list(evaluate_anomaly(sample(), AnomalyRankSettings(top_n=1, n_estimators=50), ExclusionaryTermsSettings(), {}, END,
                                    {"42", "7"}, stats))
    assert [(r.subject_id, r.status) for r in results] == [("42", "flag"), ("7", "pass")]


@pytest.mark.parametrize("window_days", [1, 5, 90])
def test_only_the_window_is_ranked(window_days: int) -> None:
    ds = sample()
    results, stats = ranked(AnomalyRankSettings(top_n=80, window_days=window_days, n_estimators=50, min_feature_z=0),
                            ds)
    inside = [n for n in ds.notices.values() if n.published >= END - timedelta(days=window_days)]
    assert len(results) == stats["anomaly_rank"]["candidates"] == len(inside)


def test_only_the_side_that_keeps_bidders_out_counts() -> None:
    results, _ = ranked(AnomalyRankSettings(top_n=80, n_estimators=50))
    flagged = {r.subject_id for r in results}
    assert "42" in flagged  # 2-day window
    assert "43" not in flagged  # 150-day window: long, not exclusionary


def test_a_legal_low_deposit_is_not_unusual() -> None:
    ds = sample()
    for n in list(ds.notices.values())[:10]:
        n.lots[0].deposit = n.lots[0].start_price * 0.05  # 5 % against a population at 10 %: legal, harmless
    results, _ = ranked(AnomalyRankSettings(top_n=80, n_estimators=50), ds)
    assert all(c["feature"] != "deposit_pct" for r in results for c in r.evidence["top_features"])


def test_what_another_rule_flagged_does_not_lift_the_notice_again() -> None:
    results, _ = ranked(AnomalyRankSettings(top_n=80, n_estimators=50),
                        already_flagged={42: {"reg_window_days", "pub_to_auction_days"}})
    assert "42" not in {r.subject_id for r in results}


def test_the_explanation_is_in_vietnamese() -> None:
    results, _ = ranked(AnomalyRankSettings(top_n=1, n_estimators=50))
    assert not any(f in results[0].title for f in FEATURES)
    assert "thông thường" in results[0].title
