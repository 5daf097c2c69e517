"""Relist pairs in ``record_links``: matched chains, the review queue, analyst verdicts and incremental runs.
All notices are made up (dữ liệu giả lập)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from collusion_samples import dataset, empty_session, notice
from detectors.collusion.relist import LINK_TYPE, link_notices
from detectors.collusion.settings import RelistSettings
from storage.models import RecordLink
from storage.timeutil import VN_TZ

NOW = datetime(2026, 8, 1, tzinfo=timezone.utc)
T0 = datetime(2026, 1, 5, 9, tzinfo=VN_TZ)
LAND = "Quyền sử dụng đất thửa đất số 101, tờ bản đồ số 7, xã An Bình (dữ liệu giả lập)"
GENERIC = "Lô vật tư thiết bị cũ thanh lý (dữ liệu giả lập)"


def sample():
    return dataset([
        notice(1, LAND, 1_000_000_000, owner_id=1, published=T0),
        notice(2, LAND, 900_000_000, owner_id=1, published=T0 + timedelta(days=45)),
        notice(3, LAND, 810_000_000, owner_id=1, published=T0 + timedelta(days=90)),
        notice(4, GENERIC, 300_000_000, owner_id=2, org_id=1, published=T0 + timedelta(days=30)),
        notice(5, GENERIC, 264_000_000, owner_id=2, org_id=2, published=T0 + timedelta(days=75)),
    ])


def rows(session) -> dict[tuple[str, str], RecordLink]:
    return {(r.from_key, r.to_key): r for r in session.scalars(select(RecordLink).where(RecordLink.link_type == LINK_TYPE))}


def test_chain_edges_are_stored_as_matched_and_the_band_as_review() -> None:
    with empty_session() as session:
        linkage, _ = link_notices(session, sample(), RelistSettings(), None, NOW)
        stored = rows(session)
    assert linkage.chains == {1: [1, 2, 3]}
    matched = {k for k, r in stored.items() if r.status == "matched"}
    assert len(matched) == 2 and all(k[0] in {"1", "2"} for k in matched)  # a spanning tree, not every pair
    review = stored[("4", "5")]
    assert review.status == "review" and 0.65 <= review.confidence < 0.85
    assert any("same owner" in r for r in review.reasons)
    assert all(r.from_kind == r.to_kind == "auction_notice" for r in stored.values())


def test_review_threshold_moves_the_queue() -> None:
    with empty_session() as session:
        link_notices(session, sample(), RelistSettings(review_threshold=80), None, NOW)
        assert ("4", "5") not in rows(session)


def test_a_rejected_pair_is_never_linked_again() -> None:
    with empty_session() as session:
        for a in ("1", "2"):
            session.add(RecordLink(link_type=LINK_TYPE, from_kind="auction_notice", from_key=a,
                                   to_kind="auction_notice", to_key="3", confidence=1.0, status="rejected",
                                   reasons=[], updated_at=NOW))
        session.flush()
        linkage, _ = link_notices(session, sample(), RelistSettings(), None, NOW)
        stored = rows(session)
    assert linkage.chains == {1: [1, 2]}
    assert stored[("1", "3")].status == stored[("2", "3")].status == "rejected"
    assert linkage.stats["rejected_pairs"] == 2


def test_analyst_rows_are_left_alone_and_stale_automatic_rows_removed() -> None:
    with empty_session() as session:
        session.add(RecordLink(link_type=LINK_TYPE, from_kind="auction_notice", from_key="1", to_kind="auction_notice",
                               to_key="4", confidence=1.0, status="matched", reasons=["analyst: same asset"],
                               updated_at=NOW))
        session.add(RecordLink(link_type=LINK_TYPE, from_kind="auction_notice", from_key="2", to_kind="auction_notice",
                               to_key="5", confidence=0.9, status="matched", reasons=["old automatic link"],
                               updated_at=NOW))
        session.flush()
        linkage, _ = link_notices(session, sample(), RelistSettings(), None, NOW)
        stored = rows(session)
    assert stored[("1", "4")].reasons == ["analyst: same asset"]
    assert linkage.chains[1] == [1, 2, 3, 4]  # the analyst's link joins notice 4 to the chain
    assert ("2", "5") not in stored


def test_a_second_pass_reuses_the_stored_links() -> None:
    with empty_session() as session:
        first, _ = link_notices(session, sample(), RelistSettings(), None, NOW)
        linkage, _ = link_notices(session, sample(), RelistSettings(), date(2026, 7, 1), NOW)
    assert first.stats["mode"] == "relink" and first.stats["pending"] == 5
    assert linkage.chains == {1: [1, 2, 3]}
    assert linkage.stats["pending"] == 0 and linkage.stats["comparisons"] == 0
    assert linkage.stats["mode"] == "incremental"


def test_a_changed_settings_fingerprint_relinks_everything() -> None:
    with empty_session() as session:
        link_notices(session, sample(), RelistSettings(), None, NOW)
        linkage, _ = link_notices(session, sample(), RelistSettings(name_prefix_tokens=5), None, NOW)
    assert linkage.stats["mode"] == "relink" and linkage.chains == {1: [1, 2, 3]}


def test_incremental_run_scores_pairs_touching_new_notices() -> None:
    ds = sample()
    with empty_session() as session:
        link_notices(session, ds, RelistSettings(), None, NOW)
        ds.notices[6] = notice(6, LAND, 729_000_000, owner_id=1, published=T0 + timedelta(days=200))
        linkage, _ = link_notices(session, ds, RelistSettings(), (T0 + timedelta(days=150)).date(), NOW)
    assert linkage.chains == {1: [1, 2, 3, 6]}
    # only the new notice is indexed, and scored once against each notice sharing one of its keys (parcel, owner
    # and organisation blocks all hold notices 1, 2 and 3)
    assert linkage.stats["pending"] == 1 and linkage.stats["comparisons"] == 3
