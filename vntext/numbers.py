"""Vietnamese number tokens ("1.522.143.200", "25.548,4", "17426,9", "2.835", "368.2") read as numbers.

The rule, the one every parser of this package uses:

* a comma is the decimal mark and dots group thousands ("25.548,4" = 25548.4); when a token has both marks, the
  later one is the decimal mark ("1,234,567.5" = 1234567.5, as foreign-formatted texts write it);
* several dots (or several commas) all group thousands: "1.000.000" = 1000000;
* a single dot followed by exactly three digits groups thousands when what precedes it is a valid first group
  (one to three digits): "2.835" = 2835, "230.312" = 230312; otherwise a single dot is a decimal point: "368.2",
  "75.00", "1234.567";
* thousands groups must be well formed (a first group of one to three digits, then groups of exactly three): a
  token such as "09.05.2025" (a date), "094.968.5485" (a phone number) or "1,2,3" (a list) is not a number.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def _thousands_groups_ok(groups: list[str]) -> bool:
    return 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])


def read_vn_number(token: str) -> Decimal | None:
    """A number token (digits with dots and commas, see the module docstring) as an exact Decimal; None when the
    token is malformed. Surrounding spaces and trailing marks ("1.000.") are ignored."""
    token = token.strip().rstrip(".,")
    if not token or not token[0].isdigit():
        return None
    dots, commas = token.count("."), token.count(",")
    try:
        if dots and commas:
            decimal_sep = "." if token.rfind(".") > token.rfind(",") else ","
            thousands_sep = "," if decimal_sep == "." else "."
            integer_part, _, fraction = token.rpartition(decimal_sep)
            if decimal_sep in integer_part or not fraction.isdigit():
                return None
            groups = integer_part.split(thousands_sep)
            if not _thousands_groups_ok(groups) or not all(g.isdigit() for g in groups):
                return None
            return Decimal("".join(groups) + "." + fraction)
        if commas or dots:
            sep = "," if commas else "."
            parts = token.split(sep)
            if not all(p.isdigit() for p in parts):
                return None
            if len(parts) > 2:
                return Decimal("".join(parts)) if _thousands_groups_ok(parts) else None
            whole, fraction = parts
            if sep == "." and len(fraction) == 3 and _thousands_groups_ok(parts):
                return Decimal(whole + fraction)
            return Decimal(whole + "." + fraction)
        return Decimal(token) if token.isdigit() else None
    except InvalidOperation:
        return None


def parse_vn_number(token: str) -> float | None:
    """``read_vn_number`` as a float (areas, counts); None when the token is malformed."""
    value = read_vn_number(token)
    return float(value) if value is not None else None
