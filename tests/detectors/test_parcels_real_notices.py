"""vntext.parcels on the 287 lots of the 236 real dgts notices (tests/fixtures/parcels/real_lots.jsonl).

real_lots.jsonl holds the lot texts copied from shared/data/dgts/auction_notices_2025-05_2026-07.jsonl (one line per
lot: propertyName, propertyPlace, propertyQuality, detail, propertyAmount, types, and the notice-level propertyName).
real_notices_expected.jsonl holds, for 81 of those lots, the values a person reads in the text. Matching rules:
parcel and sheet identifiers as sets (case, spaces and leading zeros ignored); area within 0.01 m²; location must
contain every listed fragment (null: no location); certificate exact (spaces and case ignored); purpose and term
must contain the given fragment (null: none found); missing as a set.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from vntext.parcels import DEFAULT_REQUIRED, FIELDS, ParcelDetails, extract_lot

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "parcels"


def _read_jsonl(name: str) -> list[dict]:
    with open(FIXTURES / name, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


LOTS = {(row["notice_id"], row["lot"]): row for row in _read_jsonl("real_lots.jsonl")}
GOLDEN = _read_jsonl("real_notices_expected.jsonl")


def _extract(row: dict) -> ParcelDetails:
    return extract_lot(row, notice_name=row["notice_name"], notice_property_type_id=row["notice_property_type_id"])


def _id_set(values) -> set[str]:
    return {re.sub(r"\s", "", v).casefold().lstrip("0") or "0" for v in values}


def _squeeze(certificate: str | None) -> str | None:
    return None if certificate is None else re.sub(r"\s", "", certificate).upper()


def _mismatches(got: ParcelDetails, want: dict) -> dict[str, tuple]:
    bad: dict[str, tuple] = {}
    if got.is_land != want["is_land"]:
        bad["is_land"] = (got.is_land, got.land_reason)
    for name in ("parcel_no", "map_sheet"):
        if _id_set(getattr(got, name)) != _id_set(want[name]):
            bad[name] = (getattr(got, name), want[name])
    if (got.area_m2 is None) != (want["area_m2"] is None) or (
        got.area_m2 is not None and abs(got.area_m2 - want["area_m2"]) > 0.01
    ):
        bad["area_m2"] = (got.area_m2, want["area_m2"])
    fragments = want["location_contains"]
    if fragments is None:
        if got.location is not None:
            bad["location"] = (got.location, None)
    elif got.location is None or not all(f.casefold() in got.location.casefold() for f in fragments):
        bad["location"] = (got.location, fragments)
    if _squeeze(got.certificate) != _squeeze(want["certificate"]):
        bad["certificate"] = (got.certificate, want["certificate"])
    for name, key in (("land_use_purpose", "purpose_contains"), ("use_term", "use_term_contains")):
        value, fragment = getattr(got, name), want[key]
        if (value is None) != (fragment is None) or (fragment and fragment.casefold() not in value.casefold()):
            bad[name] = (value, fragment)
    if set(got.missing) != set(want["missing"]):
        bad["missing"] = (got.missing, want["missing"])
    return bad


@pytest.mark.parametrize("case", GOLDEN, ids=[f"{g['notice_id']}-{g['lot']}" for g in GOLDEN])
def test_golden_lot(case):
    row = LOTS[(case["notice_id"], case["lot"])]
    assert _mismatches(_extract(row), case["expected"]) == {}, case["note"]


def test_golden_file_covers_every_kind_of_lot():
    expected = [g["expected"] for g in GOLDEN]
    assert len(GOLDEN) >= 40
    assert len({(g["notice_id"], g["lot"]) for g in GOLDEN}) == len(GOLDEN)
    land = [e for e in expected if e["is_land"]]
    assert sum(not e["missing"] for e in land) >= 20  # land with every required field
    assert sum(bool(e["missing"]) for e in land) >= 10  # land missing fields
    assert sum(not e["is_land"] for e in expected) >= 15  # vehicles, machines, goods, debts, rights
    multi_lot = {nid for (nid, _lot) in LOTS if (nid, 1) in LOTS}
    assert sum(g["notice_id"] in multi_lot for g in GOLDEN) >= 5


def test_fixture_holds_all_lots_of_the_dataset():
    assert len(LOTS) == 287
    assert len({nid for nid, _lot in LOTS}) == 236


@pytest.fixture(scope="module")
def all_results() -> list[tuple[dict, ParcelDetails]]:
    return [(row, _extract(row)) for row in LOTS.values()]


def test_every_lot_is_processed(all_results):
    assert len(all_results) == 287
    assert all(isinstance(d.is_land, bool) and d.land_reason for _row, d in all_results)


def test_non_land_lots_have_no_missing_fields(all_results):
    assert [row["auPropertyInfoId"] for row, d in all_results if not d.is_land and d.missing] == []


def test_missing_fields_are_required_and_really_absent(all_results):
    for _row, d in all_results:
        assert set(d.missing) <= set(DEFAULT_REQUIRED)
        for name in d.missing:
            assert not getattr(d, name) and name not in d.sources


def test_every_area_is_positive(all_results):
    for _row, d in all_results:
        assert all(a > 0 for a in d.areas_m2)
        if d.parcel_areas:
            assert d.area_m2 == round(sum(a for _, a in d.parcel_areas), 4) or d.area_m2 in d.areas_m2
        else:
            assert d.area_m2 is None or d.area_m2 == d.areas_m2[0]


def test_sources_name_a_field_that_was_found_in_a_given_text(all_results):
    text_names = {"name", "place", "quality", "detail", "amount", "notice_name"}
    for _row, d in all_results:
        for name, source in d.sources.items():
            assert name in FIELDS and getattr(d, name)
            assert set(source.split("+")) <= text_names


def test_identifiers_are_short_non_empty_strings(all_results):
    for _row, d in all_results:
        for ident in (*d.parcel_no, *d.map_sheet):
            assert ident and len(ident) <= 20 and ident == ident.strip()
        assert d.location is None or 0 < len(d.location) <= 260


def test_property_type_173_lots_are_land(all_results):
    typed = [d for row, d in all_results if 173 in (row["propertyTypeId"], row["notice_property_type_id"])]
    assert typed and all(d.is_land for d in typed)


def test_results_are_json_serialisable(all_results):
    for _row, d in all_results:
        json.dumps(d.as_dict(), ensure_ascii=False)
