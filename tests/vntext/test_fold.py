"""The one fold and its variants, and the stored matching keys it must never change."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vntext.core import normalize_vn
from vntext.fold import fold_case, fold_index, fold_lower, fold_name, fold_vn, fold_words, lower_keep_length
from vntext.names import normalize_org_name, parse_owner

KEYS = Path(__file__).parent / "data" / "real_name_keys.tsv"


def test_fold_vn_keeps_length_and_case() -> None:
    text = normalize_vn("ĐẤU GIÁ Tài Sản đ")
    assert fold_vn(text) == "DAU GIA Tai San d"
    assert len(fold_vn(text)) == len(text)


def test_fold_lower_keeps_punctuation_and_line_breaks() -> None:
    assert fold_lower("Thửa đất số 12,\nTỜ BẢN ĐỒ – 3") == "thua dat so 12,\nto ban do – 3"


def test_lower_keep_length_keeps_marks() -> None:
    assert lower_keep_length("TỜ Bản Đồ") == "tờ bản đồ"


def test_fold_index_keeps_offsets() -> None:
    text = "Chi cục THADS huyện Cư M’gar – ĐẮK LẮK"
    folded = fold_index(text)
    assert len(folded) == len(text)
    assert folded == "chi cuc thads huyen cu m'gar - dak lak"


@given(st.text(max_size=200))
def test_same_length_variants(text: str) -> None:
    for fold in (fold_vn, fold_lower, fold_index, lower_keep_length):
        assert len(fold(text)) == len(text)


@given(st.text(max_size=200))
def test_variants_agree_letter_by_letter(text: str) -> None:
    """The variants are one rule: lower-casing then folding marks gives what fold_lower gives, and fold_index only
    differs from fold_lower on dashes, quotes and space-like characters."""
    text = unicodedata.normalize("NFC", text)
    lower, index = fold_lower(text), fold_index(text)
    for a, b in zip(lower, index, strict=True):
        assert a == b or b in "-'\" "


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Chi cục Thi hành án Dân sự huyện Cư M’gar – Đắk Lắk", "chi cuc thi hanh an dan su huyen cu m'gar - dak lak"),
        ("THÀNH   PHỐ  Hồ Chí Minh", "thanh pho ho chi minh"),
        ("Khánh Hoà", "khanh hoa"),
        ("Khánh Hòa", "khanh hoa"),
        ("Đăk Lăk — Đắk Lắk", "dak lak - dak lak"),
        ("“Quảng  Trị”", '"quang tri"'),
        ("Ngo\u0302\u0301 Quyền", "ngo quyen"),
    ],
)
def test_fold_name(a: str, b: str) -> None:
    assert fold_name(a) == b


def test_fold_words() -> None:
    assert fold_words("Cư M'gar, tỉnh Đắk Lắk (cũ)") == "cu m gar tinh dak lak cu"
    assert fold_words(" – ") == ""


def test_fold_case_keeps_marks() -> None:
    assert fold_case("ĐỒNG Nai") == fold_case("Đồng nai") == "đồng nai"
    assert fold_case("Dong Nai") != fold_case("Đồng Nai")


def test_latin1_eth_reads_as_d_in_cleaned_text() -> None:
    assert fold_vn(normalize_vn("ÐỒNG NAI ðồng")) == "DONG NAI dong"


def test_stored_keys_of_real_names_do_not_change() -> None:
    """owners.key and organisations.key of every real owner and organiser name (the 140 THADS owner names of
    shared/data/thads and the owners and organisers of the 236 real dgts notices), as the code before the text
    layer was merged computed them (real_name_keys.tsv): a changed key would split one office in two."""
    from crawler.ingest import column_key

    with KEYS.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    assert len(rows) > 300
    changed = []
    for row in rows:
        if row["kind"] == "owner":
            key = column_key(parse_owner(row["name"], row["address"] or None).key)
        else:
            key = column_key(normalize_org_name(row["name"]))
        if key != row["key"]:
            changed.append((row["name"], row["key"], key))
    assert changed == []
