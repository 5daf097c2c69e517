"""Linking a selection result to its selection notice (pure scoring, candidate pools, stored links)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from detectors.linking import CandidatePool, LinkParams, LinkSide, LinkStore, linked_by_id, match_result
from storage.db import dispose_engines, session_scope, upgrade
from storage.models import RecordLink
from storage.timeutil import VN_TZ
from vntext.similarity import asset_similarity, fold_asset, prices_match

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=VN_TZ)
LAND = "Quyền sử dụng đất thửa đất số 45, tờ bản đồ số 7, xã Thử Nghiệm"
PARAMS = LinkParams()


def notice(key: str, *, owner_id: int | None = 1, owner: str | None = "Ủy ban nhân dân xã Thử Nghiệm",
           asset: str = LAND, prices: tuple[float, ...] = (3e9,), days: int = 0, **kw) -> LinkSide:
    return LinkSide("selection_notice", key, owner_id, None, owner, asset, prices, T0 + timedelta(days=days), **kw)


def result(*, owner_id: int | None = 1, owner: str | None = "Ủy ban nhân dân xã Thử Nghiệm", asset: str = LAND,
           prices: tuple[float, ...] = (3e9,), days: int = 14, **kw) -> LinkSide:
    return LinkSide("selection_result", "r1", owner_id, None, owner, asset, prices, T0 + timedelta(days=days), **kw)


def test_fold_asset_drops_accents_punctuation_and_boilerplate() -> None:
    assert fold_asset("Thông báo kết quả lựa chọn tổ chức đấu giá tài sản: QSDĐ thửa 12") == \
        "quyen su dung dat thua 12"


def test_numbers_on_both_sides_that_differ_lower_similarity() -> None:
    same, _ = asset_similarity(LAND, LAND)
    other, notes = asset_similarity(LAND, LAND.replace("45", "46"))
    assert same == 100 and other <= 75 and notes


def test_fewer_numbers_on_one_side_is_not_a_conflict() -> None:
    score, notes = asset_similarity("Quyền sử dụng đất thửa đất số 45", LAND)
    assert score == 100 and not notes


def test_prices_match_within_tolerance_or_unknown() -> None:
    assert prices_match([100.0], [100.5], 0.01) is True
    assert prices_match([100.0], [120.0], 0.01) is False
    assert prices_match([], [120.0], 0.01) is None
    assert prices_match([0.0], [120.0], 0.01) is None


def test_same_owner_asset_and_price_is_matched_with_reasons() -> None:
    d = match_result(result(), [notice("n1")], PARAMS)
    assert d.status == "matched" and d.chosen.key == "n1"
    assert d.chosen.confidence == pytest.approx(1.0)
    assert "same owner" in d.chosen.reasons and "same start price" in d.chosen.reasons


def test_notice_published_after_the_result_is_not_a_candidate() -> None:
    assert match_result(result(days=0), [notice("n1", days=3)], PARAMS).status == "none"


def test_notice_older_than_the_gap_is_not_a_candidate() -> None:
    assert match_result(result(days=400), [notice("n1")], PARAMS).status == "none"


def test_other_owner_with_a_different_name_is_not_a_candidate() -> None:
    d = match_result(result(owner_id=2, owner="Bệnh viện Thử Nghiệm tỉnh Giả Lập"), [notice("n1")], PARAMS)
    assert d.status == "none"


def test_owner_names_that_differ_slightly_still_match() -> None:
    d = match_result(result(owner_id=2, owner="UBND xã Thử Nghiệm"),
                     [notice("n1", owner="UBND xã Thử Nghiệm.")], PARAMS)
    assert d.status == "matched"
    assert any(r.startswith("owner names similar") for r in d.chosen.reasons)


def test_two_equal_candidates_are_ambiguous() -> None:
    d = match_result(result(), [notice("n1"), notice("n2", days=1)], PARAMS)
    assert d.status == "ambiguous" and d.chosen is None
    assert {c.key for c in d.candidates} == {"n1", "n2"}


def test_versions_of_one_notice_collapse_to_the_latest() -> None:
    d = match_result(result(), [notice("n1", root_key="n1"), notice("n2", days=2, root_key="n1")], PARAMS)
    assert d.status == "matched" and d.chosen.key == "n2"


def test_different_price_and_parcel_is_not_linked() -> None:
    d = match_result(result(asset=LAND.replace("45", "46"), prices=(3.1e9,)), [notice("n1")], PARAMS)
    assert d.status == "none"


def test_the_better_of_two_candidates_wins() -> None:
    d = match_result(result(), [notice("n1"), notice("n2", asset="Xe ô tô tải Hino", prices=(3e9,))], PARAMS)
    assert d.status == "matched" and d.chosen.key == "n1"


def test_rejected_notice_is_not_proposed() -> None:
    d = match_result(result(), [notice("n1"), notice("n2", days=1)], PARAMS, rejected={"n2"})
    assert d.status == "matched" and d.chosen.key == "n1"


def test_thads_site_must_match() -> None:
    r = result(site="khanhhoa")
    assert match_result(r, [notice("n1", site="binhdinh")], PARAMS).status == "none"
    assert match_result(r, [notice("n1", site="khanhhoa")], PARAMS).status == "matched"


def test_a_cited_notice_number_raises_confidence() -> None:
    r = result(owner_id=None, owner=None, prices=(), body="Căn cứ Thông báo số 12/TB-THADS ngày 02/6/2026 …")
    plain = match_result(r, [notice("n1", owner_id=None, owner=None, prices=())], PARAMS).chosen
    cited = match_result(r, [notice("n1", owner_id=None, owner=None, prices=(), notice_number="12/TB-THADS")],
                         PARAMS).chosen
    assert cited.confidence > plain.confidence
    assert any("cites notice number" in x for x in cited.reasons)


def test_pool_prefers_the_same_owner() -> None:
    pool = CandidatePool([notice("n1"), notice("n2", owner_id=2, owner="Bệnh viện Thử")], 88)
    assert [n.key for n in pool.pool(result())] == ["n1"]


def test_pool_falls_back_to_similar_owner_names() -> None:
    pool = CandidatePool([notice("n1", owner_id=5, owner="UBND xã Thử Nghiệm"),
                          notice("n2", owner_id=6, owner="Bệnh viện Thử")], 88)
    assert [n.key for n in pool.pool(result(owner_id=9, owner="UBND xã Thử Nghiệm"))] == ["n1"]


def test_pool_by_thads_site() -> None:
    pool = CandidatePool([notice("a", site="khanhhoa"), notice("b", site="binhdinh")], 88)
    assert [n.key for n in pool.pool(result(site="binhdinh"))] == ["b"]


def test_portal_link_id_is_certain_and_notes_a_missing_notice() -> None:
    assert linked_by_id("77", True).chosen.confidence == 1.0
    assert "not in the database" in linked_by_id("77", False).note


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'links.db'}"
    upgrade(url)
    yield url
    dispose_engines()


NOW = datetime(2026, 7, 1, tzinfo=VN_TZ)


def _links(url: str) -> list[tuple[str, str, str]]:
    with session_scope(url) as s:
        return sorted((r.from_key, r.to_key, r.status) for r in s.scalars(select(RecordLink)))


def test_store_writes_a_matched_link_with_reasons(db) -> None:
    with session_scope(db) as s:
        LinkStore(s, "selection_result").store("r1", "selection_notice", match_result(result(), [notice("n1")], PARAMS),
                                               NOW)
    assert _links(db) == [("r1", "n1", "matched")]
    with session_scope(db) as s:
        row = s.scalars(select(RecordLink)).one()
        assert row.link_type == "result_notice" and row.confidence == 1.0 and "same owner" in row.reasons


def test_store_writes_each_ambiguous_candidate(db) -> None:
    with session_scope(db) as s:
        d = match_result(result(), [notice("n1"), notice("n2", days=1)], PARAMS)
        LinkStore(s, "selection_result").store("r1", "selection_notice", d, NOW)
    assert _links(db) == [("r1", "n1", "ambiguous"), ("r1", "n2", "ambiguous")]


def test_store_replaces_automatic_links_but_keeps_analyst_rejections(db) -> None:
    with session_scope(db) as s:
        d = match_result(result(), [notice("n1"), notice("n2", days=1)], PARAMS)
        LinkStore(s, "selection_result").store("r1", "selection_notice", d, NOW)
    with session_scope(db) as s:
        s.scalars(select(RecordLink).where(RecordLink.to_key == "n2")).one().status = "rejected"
    with session_scope(db) as s:
        store = LinkStore(s, "selection_result")
        d = match_result(result(), [notice("n1"), notice("n2", days=1)], PARAMS, rejected=store.rejected("r1"))
        store.store("r1", "selection_notice", d, NOW)
    assert _links(db) == [("r1", "n1", "matched"), ("r1", "n2", "rejected")]


def test_store_removes_the_link_when_nothing_matches_any_more(db) -> None:
    with session_scope(db) as s:
        LinkStore(s, "selection_result").store("r1", "selection_notice", match_result(result(), [notice("n1")], PARAMS),
                                               NOW)
    with session_scope(db) as s:
        LinkStore(s, "selection_result").store("r1", "selection_notice", match_result(result(), [], PARAMS), NOW)
    assert _links(db) == []
