"""Zero, negative, absurd and malformed prices, deposits and fees ("NaN", 1e30, "1.000.000đ", 10**30, -5, "") in
every amount field of a dgts notice, through the same ingest path as the crawler: the notice is stored with its
document as received, each typed amount is a sane number or None, and every detector runs over it."""

from __future__ import annotations

import json
import math

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from badinput_helpers import detect, fresh_context, ingest, new_folder, real_notice, selection_notice
from crawler.ingest import without_nul
from storage.models import Lot, Snapshot

SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

amounts = st.one_of(
    st.sampled_from([0, 0.0, -1, -5, -0.0, 1e30, -1e30, 10**30, 10**400 // 10**380, 1e18, 1e17, 2**63, 2**64,
                     "NaN", "nan", "Infinity", "-Infinity", "1e400", "1.000.000đ", "1.000.000", "1,5 tỷ đồng",
                     "-1.000.000", "", " ", "0", "abc", "১২৩", None, True, False, [], {}, [1, 2], {"v": 1}]),
    st.integers(min_value=-(10**25), max_value=10**25),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
AMOUNT_FIELDS = ("propertyStartPrice", "deposit", "fileCost", "depositUnit", "propertyTypeId")


def sane(value) -> bool:
    return value is None or (isinstance(value, (int, float)) and math.isfinite(value) and abs(value) < 1e18)


@SETTINGS
@given(st.lists(st.fixed_dictionaries({f: amounts for f in AMOUNT_FIELDS}), min_size=1, max_size=3),
       st.fixed_dictionaries({"propertyStartPrice": amounts}))
@example(lots=[{"propertyStartPrice": 0, "deposit": 0, "fileCost": 0, "depositUnit": 0, "propertyTypeId": "T\x1eb~\x00"}],
         selection_lot={"propertyStartPrice": 0})  # found by hypothesis: a NUL in a text amount
def test_any_amount_is_stored_as_a_number_or_none_and_detectors_run(tmp_path, lots, selection_lot):
    ctx = fresh_context(new_folder(tmp_path))
    doc = real_notice(0)
    template = doc["property_info"][0]
    doc["property_info"] = [{**template, **lot} for lot in lots]
    sel = selection_notice(doc["id"] + 1)
    sel["properties"][0].update(selection_lot)
    ingest(ctx, [doc, sel])

    with ctx.session() as s:
        rows = list(s.scalars(select(Lot).order_by(Lot.notice_kind, Lot.lot_index)))
        snapshot = s.scalar(select(Snapshot).where(Snapshot.record_key == str(doc["id"])))
        stored_lots = snapshot.document["property_info"]
    assert len(rows) == len(lots) + 1
    for row in rows:
        for name in ("start_price", "deposit", "file_cost", "deposit_unit", "property_type_id"):
            assert sane(getattr(row, name)), (name, getattr(row, name))
        for name in ("start_price", "deposit", "file_cost"):
            value = getattr(row, name)
            assert value is None or value >= 0, (name, value)  # a negative amount is never a price
    # the document keeps what the portal sent (what JSON can carry, NUL characters removed: PostgreSQL text cannot
    # hold them), so a parser fix can reread it
    sent = without_nul([{**template, **lot} for lot in lots])
    assert json.dumps(stored_lots, default=str) == json.dumps(sent, default=str)

    summary = detect(ctx)
    assert summary["counters"]  # every detector ran to the end


def test_vietnamese_amount_strings_are_read_as_amounts(tmp_path):
    ctx = fresh_context(new_folder(tmp_path))
    doc = real_notice(0)
    doc["property_info"] = [{**doc["property_info"][0], "propertyStartPrice": "1.522.143.200đ",
                             "deposit": "304.428.640", "fileCost": "400.000 đồng"}]
    ingest(ctx, [doc])
    with ctx.session() as s:
        lot = s.scalar(select(Lot).where(Lot.notice_key == str(doc["id"])))
    assert (lot.start_price, lot.deposit, lot.file_cost) == (1_522_143_200, 304_428_640, 400_000)
