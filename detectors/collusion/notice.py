"""An auction notice and its lots as the collusion rules read them: plain objects built from the stored columns
(``columns.Columns.notices``) or in memory (tests, label evaluation)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from storage.timeutil import to_local
from vntext.amounts import LOT, price_readings

NAME_CHARS = 4_000  # asset names beyond this are not needed to identify an asset


@dataclass(slots=True)
class LotTerms:
    """A lot's terms and what the text layer read of their bases (``lot_features``; defaults: nothing read)."""

    index: int
    name: str | None
    place: str | None
    start_price: float | None
    deposit: float | None
    deposit_unit: int | None
    file_cost: float | None
    property_type_id: int | None
    asset_class: str = "other"  # real_estate | debt | other
    price_basis: str = LOT
    price_basis_proven: bool = True
    deposit_comparable: bool = True  # price and deposit on one proven basis, or the deposit given in %
    units: int | None = None
    shared_by_lots: int = 1
    term_months: float | None = None
    periodic: bool = False
    land_area_m2: float | None = None
    fee_table: str = "general"
    inputs: str = ""  # digest of what the text layer read this lot from (lot_features.inputs_sha256)

    def readings(self) -> list[tuple[str, float]]:
        """The prices the deposit and the fee band may be measured against (``vntext.amounts.price_readings``)."""
        return price_readings(self.start_price, self.price_basis, self.price_basis_proven, self.units,
                              self.shared_by_lots, self.periodic, self.term_months, self.land_area_m2)


@dataclass(slots=True)
class Notice:
    id: int
    name: str
    owner_id: int | None
    owner_name: str | None
    org_id: int | None
    org_name: str | None
    published: datetime | None
    auction_at: datetime | None
    reg_start: datetime | None
    reg_end: datetime | None
    property_type_id: int | None
    root_id: int | None
    related_ids: tuple[int, ...]
    province: str | None
    url: str | None
    status: str
    lots: list[LotTerms] = field(default_factory=list)

    @property
    def total_price(self) -> float | None:
        """Sum of the lots' start prices; None when any lot has no positive price (0 means 'not disclosed')."""
        prices = [l.start_price for l in self.lots]
        if not prices or any(p is None or p <= 0 for p in prices):
            return None
        return float(sum(prices))  # type: ignore[arg-type]

    @property
    def asset_class(self) -> str:
        """real_estate when any lot is land or a building, debt when every lot is a receivable, else other."""
        classes = {l.asset_class for l in self.lots}
        if "real_estate" in classes:
            return "real_estate"
        return "debt" if classes == {"debt"} else "other"

    def type_ids(self) -> set[int]:
        out = {l.property_type_id for l in self.lots if l.property_type_id is not None}
        if self.property_type_id is not None:
            out.add(self.property_type_id)
        return out

    def text(self) -> str:
        """The asset description the linker reads: notice name, then lot names and places not already in it."""
        parts = [self.name]
        for l in self.lots:
            for t in (l.name, l.place):
                if t and t not in parts[0]:
                    parts.append(t)
        return " ; ".join(p for p in parts if p)[:NAME_CHARS * 2]


def portal_time(dt: datetime | None) -> datetime | None:
    """A portal time column as aware local time (columns are stored as UTC; ``to_local`` reads them so)."""
    return to_local(dt)


def ids_of(value) -> tuple[int, ...]:
    out = []
    for v in value or ():
        try:
            out.append(int(v))
        except (TypeError, ValueError):
            continue
    return tuple(sorted(set(out)))
