"""Data quality of portal values: numbers as published that cannot both be right.

Rule ``implausible_portal_value`` (subject: one lot of an auction notice). It reports values the portal shows that
are mistyped or entered on a basis the notice does not state, so an analyst can read the attachment or ask the
organisation, and so that no rule treats them as a violation:

* a deposit larger than the start price (in đồng, on the same lot);
* a land price per m² outside ``land_price_per_m2_vnd`` when the price is the whole lot's (a single lot with a
  stated land area, not a rent or exploitation right, not several plots): 3,167,518 đ for 26,281 m² of rice land is
  120 đ/m², a price that lost its last three zeros.

It is never a violation: the finding says the value looks wrong on the portal, with the numbers side by side, and
has severity ``low``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterator

from pydantic import Field, model_validator

from detectors.base import DetectionContext, Detector, DetectorSettings, Result
from detectors.evidence import data_quality as evidence_declaration
from detectors.collusion import legal
from detectors.collusion.dataset import LotTerms, Notice, load_notices
from vntext.amounts import LOT

RULE = "implausible_portal_value"
TITLE = "Dữ liệu trên Cổng có thể bị nhập sai (không phải kết luận vi phạm)"


class Settings(DetectorSettings):
    """Settings of the data-quality detector."""

    land_price_per_m2_vnd: list[float] = Field(
        [5_000, 2_000_000_000],
        description="[low, high] plausible price of one m² of land (VND) when a whole lot is sold; outside it the start "
                    "price or the area is mistyped (or the price is per m² of something else).")
    check_deposit_above_price: bool = Field(True, description="Report a deposit larger than the start price.")

    @model_validator(mode="after")
    def _band(self) -> Settings:
        if len(self.land_price_per_m2_vnd) != 2 or not 0 < self.land_price_per_m2_vnd[0] < self.land_price_per_m2_vnd[1]:
            raise ValueError("land_price_per_m2_vnd must be [low, high] with 0 < low < high")
        return self


def _problems(n: Notice, lot: LotTerms, s: Settings) -> list[dict[str, Any]]:
    a = lot.amounts
    out: list[dict[str, Any]] = []
    price = lot.start_price
    if not price or price <= 0 or a is None:
        return out
    # a reading the text allows (monthly rent x term, the sum of the plots) that puts the deposit below the price
    # explains it: only a deposit above every such reading is a published inconsistency
    # (a lot of N units priced per unit does not explain a deposit set per unit, so that reading is left out)
    readings = [whole for name, whole in a.whole_price_candidates if name != "price_per_unit_times_units"] or [price]
    if (s.check_deposit_above_price and lot.deposit and lot.deposit_unit in (0, None)
            and lot.deposit > max(readings)):
        out.append({"code": "deposit_above_start_price", "start_price": price, "deposit": lot.deposit,
                    "times": round(lot.deposit / price, 2),
                    "price_basis_note": None if a.price_basis.proven else a.price_basis.note_vi})
    whole_lot = a.price_basis.proven and a.price_basis.basis == LOT and not a.periodic
    if whole_lot and lot.asset_class == "real_estate" and a.land_area_m2:
        per_m2 = price / a.land_area_m2
        low, high = s.land_price_per_m2_vnd
        if not low <= per_m2 <= high:
            out.append({"code": "land_price_per_m2_implausible", "start_price": price, "land_area_m2": a.land_area_m2,
                        "price_per_m2": round(per_m2, 2), "plausible_per_m2": [low, high]})
    return out


def _sentence(p: dict[str, Any]) -> str:
    if p["code"] == "deposit_above_start_price":
        note = f"; {p['price_basis_note']}" if p["price_basis_note"] else ""
        return (f"tiền đặt trước {legal.vnd(p['deposit'])} lớn hơn giá khởi điểm {legal.vnd(p['start_price'])} "
                f"({legal.quantity(p['times'], 1)} lần{note})")
    return (f"giá khởi điểm {legal.vnd(p['start_price'])} cho {legal.quantity(p['land_area_m2'])} m² đất, tức "
            f"{legal.vnd(p['price_per_m2'])}/m²")


class DataQualityDetector(Detector):
    """Portal values that cannot be right as published (never a violation)."""

    name = "data_quality"
    evidence_fields = evidence_declaration.DECLARATION
    version = "1"
    Settings = Settings
    rules = (RULE,)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self._counts: Counter[str] = Counter()

    def evaluate(self, ctx: DetectionContext) -> Iterator[Result]:
        s: Settings = self.settings  # type: ignore[assignment]
        self._counts = Counter()
        for n in load_notices(ctx.session, ctx.since).values():
            for lot in n.lots:
                problems = _problems(n, lot, s)
                for p in problems:
                    self._counts[p["code"]] += 1
                base = dict(rule=RULE, subject_kind="lot", subject_id=f"auction_notice:{n.id}:{lot.index}",
                            urls=[n.url] if n.url else [], owner_name=n.owner_name, province=n.province)
                if problems:
                    yield Result(status="flag", severity="low",
                                 title=f"{TITLE}: " + "; ".join(_sentence(p) for p in problems) + ".",
                                 evidence={"notice": n.id, "lot_index": lot.index, "problems": problems,
                                           "lot_name": (lot.name or n.name)[:300]}, **base)
                else:
                    yield Result(status="pass", **base)

    def finalize(self) -> dict[str, Any]:
        return {"counts": dict(sorted(self._counts.items()))}
