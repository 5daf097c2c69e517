"""Relist linking on the REAL chains of one TP.HCM auction centre (``relist_groups_tphcm_suspicious_2026-07.txt``,
47 groups grouped by another crawler, some over-merged). The file gives id, asset name and start price only; every
notice is put under that centre's organisation, with no owner (unknown) unless a test says otherwise. What each
test expects was checked by reading the group in the file."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from collusion_samples import dataset, empty_session, group_with, notice, relist_groups
from detectors.collusion.relist import Linkage, effective_rounds, link_notices, make_rounds
from detectors.collusion.settings import RelistSettings
from detectors.collusion.pairing import Prepared

NOW = datetime(2026, 8, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def groups():
    return relist_groups()


def link(rows, owner_id=None) -> tuple[Linkage, dict[int, Prepared]]:
    ds = dataset([notice(i, name, price, owner_id=owner_id) for i, name, price in rows])
    with empty_session() as session:
        return link_notices(session, ds, RelistSettings(), None, NOW)


def chain_of(linkage: Linkage, nid: int) -> int:
    return linkage.chain_of.get(nid, nid)


def same_chain(linkage: Linkage, ids) -> bool:
    return len({chain_of(linkage, i) for i in ids}) == 1


def test_the_file_holds_47_groups(groups) -> None:
    assert len(groups) == 47


def test_coffee_machine_rounds_with_exact_ten_percent_cuts_link(groups) -> None:
    linkage, _ = link(group_with(groups, 7192))
    # 1,893,523,000 -> 1,704,170,700 -> 1,533,753,630 -> 1,380,378,267: exact 10 % cuts, double postings, and the
    # 1,704,170,700 round posted again later (64114)
    assert same_chain(linkage, [7192, 7781, 15563, 23102, 25155, 47569, 48025, 64114])
    # 1,224,328,527 -> ... -> 384,207,263: exact 10 % cuts again
    assert same_chain(linkage, [67386, 67902, 74848, 75767, 112066, 126748, 135643, 153325, 163021, 177070,
                                198726, 216869, 218440, 273673])


def test_coffee_machine_cut_of_11_3_percent_goes_to_review_without_an_owner(groups) -> None:
    linkage, _ = link(group_with(groups, 7192))
    assert chain_of(linkage, 48025) != chain_of(linkage, 67386)  # 1,380,378,267 -> 1,224,328,527 is not 10 %
    chains = {chain_of(linkage, 48025), chain_of(linkage, 67386)}
    assert any({chain_of(linkage, r.a), chain_of(linkage, r.b)} == chains for r in linkage.review)


def test_coffee_machine_chain_is_one_chain_when_the_owner_is_known(groups) -> None:
    rows = group_with(groups, 7192)
    linkage, prepared = link(rows, owner_id=1)
    assert same_chain(linkage, [i for i, _, _ in rows])
    rounds = make_rounds([prepared[i] for i, _, _ in rows], RelistSettings().same_round_days)
    assert [p.id for r in rounds if r.repost_of for p in r.notices] == [64114]  # round 2's price posted again
    steps = effective_rounds(rounds)
    cuts = [round(1 - b.price / a.price, 4) for a, b in zip(steps, steps[1:])]
    assert len(cuts) == 19 and cuts.count(0.1) == 17 and sorted(cuts)[-2:] == [0.113, 0.1132]


def test_land_parcel_115_map_sheet_54_is_one_chain(groups) -> None:
    rows = group_with(groups, 7172)
    linkage, _ = link(rows)
    assert len(rows) == 62 and same_chain(linkage, [i for i, _, _ in rows])


def test_house_at_102_53a_binh_thoi_is_one_chain(groups) -> None:
    rows = group_with(groups, 34991)
    linkage, _ = link(rows)
    assert same_chain(linkage, [i for i, _, _ in rows])


def test_over_merged_vehicle_group_splits_by_plate_and_kind(groups) -> None:
    linkage, _ = link(group_with(groups, 6394))
    assert same_chain(linkage, [231426, 232603, 240024, 241464])  # car 51A-2773
    assert chain_of(linkage, 140710) != chain_of(linkage, 231426)  # a lot of six cars with other plates
    assert chain_of(linkage, 101234) != chain_of(linkage, 73424)  # tugboats vs forklifts
    assert chain_of(linkage, 6394) != chain_of(linkage, 8505)  # motorbikes vs cars


def test_dongben_trucks_with_different_plates_do_not_link(groups) -> None:
    linkage, _ = link(group_with(groups, 1427))
    assert same_chain(linkage, [1427, 4431, 5241, 12021])  # 71C-057.41
    assert same_chain(linkage, [71576, 72398, 78788, 79552, 97901, 99016])  # 51D-339.00
    assert len({chain_of(linkage, i) for i in (1427, 3455, 71576, 75069, 80874, 100763, 124678, 217882)}) == 8


def test_different_parcels_of_one_group_stay_apart(groups) -> None:
    linkage, _ = link(group_with(groups, 422257))
    # thửa 6+628+629+630+631 / thửa 632 (both tờ 24) / thửa 85+95+532 (tờ 07): three assets, three chains
    assert len({chain_of(linkage, i) for i in (443620, 443622, 443627)}) == 3
    assert same_chain(linkage, [443622, 444888, 461412, 463057])
    assert same_chain(linkage, [443627, 444890, 461408, 463058])
    # the earlier notices selling several of those parcels together are not merged into either part
    assert chain_of(linkage, 423632) not in {chain_of(linkage, 443620), chain_of(linkage, 443622)}


def test_generic_land_name_group_links_only_matching_prices(groups) -> None:
    linkage, _ = link(group_with(groups, 4764))
    assert same_chain(linkage, [186192, 186515])  # same non-round price, posted twice
    assert len({chain_of(linkage, i) for i in (186192, 186193, 186194)}) == 3  # three assets posted together


def test_unrelated_liquidation_lots_do_not_link(groups) -> None:
    linkage, _ = link(group_with(groups, 32962))
    assert chain_of(linkage, 32962) != chain_of(linkage, 37667)
    assert chain_of(linkage, 37667) != chain_of(linkage, 40757)
