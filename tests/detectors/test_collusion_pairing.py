"""Asset identity extraction and relist pair scoring (made-up names unless a test says it quotes a real notice)."""

from __future__ import annotations

from datetime import datetime, timedelta

from collusion_samples import notice
from vntext.identity import extract_identity
from detectors.collusion.pairing import (
    BlockingStats,
    UnionFind,
    blocking_keys,
    candidate_pairs,
    prepare,
    price_points,
    score_pair,
)
from storage.timeutil import VN_TZ


def ident(text: str):
    return extract_identity(text)


def test_parcel_lists_with_plus_signs_are_read_whole() -> None:  # real notice 443620
    i = ident("Quyền sử dụng 25.133,7 m2 đất tại Thửa đất số 6+628+629+630+631, tờ bản đồ số 24, xã Nhơn Đức")
    assert i.parcels == {"6", "628", "629", "630", "631"} and i.sheets == {"24"}


def test_sheet_typo_tro_ban_do_is_a_map_sheet() -> None:  # real TP.HCM notice 7172
    assert ident("một phần thửa số 115, trờ bản đồ số 54 (theo TL năm 2005)").sheets == {"54"}


def test_leading_zeros_do_not_split_identifiers() -> None:
    assert ident("thửa đất số 085, tờ bản đồ số 07").parcels == {"85"}


def test_seat_count_and_residential_group_are_not_map_sheets() -> None:
    i = ident("Xe ô tô 46 chỗ ngồi, gửi tại Tổ 10, khu phố 3")
    assert i.sheets == frozenset() and i.parcels == frozenset()


def test_roman_numeral_map_sheet_is_one_identifier() -> None:
    assert ident("thửa 12, tờ bản đồ số 491-III-D-d").sheets == {"491-III-D-D".lower()}


def test_plates_chassis_and_engine_numbers() -> None:  # real notice text (TP.HCM group 36)
    i = ident("Xe ô tô tải tự đổ, nhãn hiệu KAMAZ, Số loại: 65111, BS 51D – 097.51, Số máy: 0300G2809288, "
              "Số khung: 1110G2474298.")
    assert i.plates == {"51D09751"} and i.chassis == {"1110G2474298"} and i.engines == {"0300G2809288"}
    assert "65111" not in i.plates | i.chassis | i.engines  # a model code is not an identifier


def test_vessel_registration_is_read_as_a_plate() -> None:
    assert ident("Tàu kéo số 02 (Số đăng ký: SG-6899)").plates == {"SG6899"}


def test_house_address_and_locality() -> None:
    i = ident("Nhà đất số 253 đường Liên Tỉnh 5 (Quốc lộ 50), Phường 5, Quận 8, Thành phố Hồ Chí Minh")
    assert i.addresses == {"253|lien tinh 5"} and i.wards == {"5"} and i.districts == {"8"}


def test_parcel_number_is_not_a_house_address() -> None:
    assert ident("thửa đất số 77, tờ bản đồ số 28, xã Thử Nghiệm").addresses == frozenset()


def test_share_count_and_kind() -> None:
    i = ident("Quyền sở hữu 9.750 cổ phần do Công ty Cổ phần Thử Nghiệm phát hành")
    assert i.shares == {9750} and "shares" in i.categories


def test_certificate_serial() -> None:  # real notice 443427
    i = ident("Quyền sử dụng đất thuộc thửa đất số 77, tờ bản đồ số 28. Đất đã được UBND huyện Cư M’gar cấp Giấy "
              "chứng nhận quyền sử dụng đất số BV 684861; số vào sổ cấp GCN số CH01218")
    assert i.certificates == {"BV684861"}


def test_price_relations() -> None:
    assert price_points(1_893_523_000, 1_704_170_700)[0] == 50  # exact 10 % of a non-round price
    assert price_points(1_380_378_267, 1_224_328_527)[0] == 20  # an 11.3 % cut: only "a cut <= 15 %"
    assert price_points(1_000_000_000, 1_000_000_000)[0] == 8  # same round price
    assert price_points(1_234_567_000, 1_234_567_000)[0] == 50  # same non-round price
    assert price_points(623_831_084, 573_925_000)[0] == 30  # 8 % cut rounded to thousands
    assert price_points(100_000_000, 150_000_000)[0] == -10  # a rise
    assert price_points(None, 5) == (0.0, None)


def test_portal_link_scores_100() -> None:
    a = prepare(notice(1, "Tài sản A (dữ liệu giả lập)", 100))
    b = prepare(notice(2, "Tài sản hoàn toàn khác (dữ liệu giả lập)", 900, root_id=1))
    assert score_pair(a, b).score == 100


def test_different_parcels_on_one_sheet_conflict() -> None:
    a = prepare(notice(1, "Quyền sử dụng đất thửa đất số 101, tờ bản đồ số 7, xã An Bình", 900_000_000, owner_id=1))
    b = prepare(notice(2, "Quyền sử dụng đất thửa đất số 102, tờ bản đồ số 7, xã An Bình", 900_000_000, owner_id=1))
    s = score_pair(a, b)
    assert s.score == 0 and "different parcels" in s.reasons[0]


def test_asset_kinds_conflict() -> None:
    a = prepare(notice(1, "Xe ô tô con biển số 51A-123.45", 500_000_000))
    b = prepare(notice(2, "Quyền sử dụng đất thửa đất số 9, tờ bản đồ số 3", 500_000_000))
    assert score_pair(a, b).score == 0


def test_lot_split_is_partial_and_never_auto_links() -> None:
    both = prepare(notice(1, "Tài sản 1: thửa đất số 85, tờ bản đồ số 7; Tài sản 2: thửa đất số 632, tờ bản đồ số 7",
                          2_000_000_000, owner_id=1))
    one = prepare(notice(2, "Thửa đất số 85, tờ bản đồ số 7", 1_000_000_000, owner_id=1))
    s = score_pair(both, one)
    assert s.partial and s.score >= 85


def test_parallel_listing_at_another_price_is_penalised() -> None:
    when = datetime(2026, 5, 4, 9, tzinfo=VN_TZ)
    a = prepare(notice(1, "Lô máy móc cũ (dữ liệu giả lập)", 300_000_000, owner_id=1, published=when,
                       auction_at=when + timedelta(days=20)))
    b = prepare(notice(2, "Lô máy móc cũ (dữ liệu giả lập)", 280_000_000, owner_id=1, published=when + timedelta(days=2)))
    s = score_pair(a, b)
    assert any("still pending" in r for r in s.reasons) and s.score < 65


def test_names_with_different_numbers_lose_points() -> None:
    a = prepare(notice(1, "Vật tư thanh lý đợt 2 năm 2020", 100_000_000))
    b = prepare(notice(2, "Vật tư thanh lý đợt 1 năm 2021", 90_000_000))
    assert any("different numbers" in r for r in score_pair(a, b).reasons)


def test_blocking_keys_are_per_owner_and_organisation() -> None:
    p = prepare(notice(5, "Máy móc thiết bị chế biến cà phê", 1, owner_id=3, org_id=4))
    assert blocking_keys(p, 6) == {"n:o3:may moc thiet bi che bien", "n:g4:may moc thiet bi che bien"}


def test_oversized_blocks_use_a_sorted_window() -> None:
    prepared = {i: prepare(notice(i, f"Lô hàng hóa giống nhau loại {i % 7} (dữ liệu giả lập)", 1_000 + i, org_id=1))
                for i in range(1, 61)}
    full, windowed = BlockingStats(), BlockingStats()
    n_full = sum(1 for _ in candidate_pairs(prepared, 6, 1000, 5, full))
    n_window = sum(1 for _ in candidate_pairs(prepared, 6, 10, 5, windowed))
    assert n_full == 60 * 59 // 2 and windowed.oversized_blocks == 1 and n_window < 60 * 5 + 1


def test_union_find_keeps_the_smallest_id_as_root() -> None:
    uf = UnionFind()
    uf.union(9, 4)
    uf.union(4, 7)
    assert uf.groups() == {4: [4, 7, 9]}
