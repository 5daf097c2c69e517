"""Vietnamese number tokens: the one rule every parser uses (vntext.numbers)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from vntext.numbers import parse_vn_number, read_vn_number


@pytest.mark.parametrize(
    ("token", "value"),
    [
        ("17426,9", 17426.9),  # comma is the decimal mark
        ("25.548,4", 25548.4),  # dot groups thousands
        ("2.835", 2835.0),  # a lone dot before three digits groups thousands
        ("230.312", 230312.0),
        ("368.2", 368.2),  # a lone dot before one or two digits is a decimal point
        ("75.00", 75.0),
        ("1.522.143.200", 1522143200.0),
        ("1000,0", 1000.0),
        ("1,234,567.5", 1234567.5),  # both marks: the later one is the decimal mark
        ("1234.567", 1234.567),  # "1234" is no thousands group: the dot is a decimal point
        ("1.000.", 1000.0),  # a trailing mark ends a sentence
    ],
)
def test_parse_vn_number(token: str, value: float) -> None:
    assert parse_vn_number(token) == value


@pytest.mark.parametrize(
    "token",
    ["", "abc", ",5", "1.2.x", "1.23.4", "09.05.2025", "094.968.5485", "1,2,3", "12.34,5", "841498.,01"],
)
def test_malformed_tokens_are_not_numbers(token: str) -> None:
    """Dates, phone numbers and lists written with dots or commas are not numbers (badly grouped thousands)."""
    assert parse_vn_number(token) is None


def test_read_vn_number_is_exact() -> None:
    assert read_vn_number("1.522.143.200,5") == Decimal("1522143200.5")
