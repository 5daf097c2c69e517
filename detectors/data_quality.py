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
from collections.abc import Callable
from typing import Any, Iterator

import numpy as np
from pydantic import Field, model_validator

from detectors.base import DetectionContext, Detector, DetectorSettings, Result, Unchanged
from detectors.evidence import data_quality as evidence_declaration
from detectors.collusion import legal
from detectors.collusion.columns import BASES, Columns, load_columns, since_epoch
from detectors.collusion.dataset import LotDetail, stored_detail
from detectors.collusion.notice import LotTerms, Notice
from detectors.digests import combine, stamp_of, to_hex
from storage.kinds import RecordKind
from storage.stamps import content_stamps_by_id
from vntext.amounts import LOT
from vntext.features import VERSION as FEATURES_VERSION

RULE = "implausible_portal_value"
BUILD_CHUNK = 2_000  # notices built as objects at a time
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


def _problems(n: Notice, lot: LotTerms, s: Settings, detail_of: Callable[[Notice, LotTerms], LotDetail]
              ) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    price = lot.start_price
    if not price or price <= 0:
        return out
    # a reading the text allows (monthly rent x term, the sum of the plots) that puts the deposit below the price
    # explains it: only a deposit above every such reading is a published inconsistency (a lot of N units priced
    # per unit does not explain a deposit set per unit, so that reading is left out)
    readings = [whole for name, whole in lot.readings() if name != "price_per_unit_times_units"] or [price]
    if (s.check_deposit_above_price and lot.deposit and lot.deposit_unit in (0, None)
            and lot.deposit > max(readings)):
        detail = detail_of(n, lot)
        note = detail.amounts.price_basis.note_vi if detail.amounts and not lot.price_basis_proven else None
        out.append({"code": "deposit_above_start_price", "start_price": price, "deposit": lot.deposit,
                    "times": round(lot.deposit / price, 2), "price_basis_note": note})
    whole_lot = lot.price_basis_proven and lot.price_basis == LOT and not lot.periodic
    if whole_lot and lot.asset_class == "real_estate" and lot.land_area_m2:
        per_m2 = price / lot.land_area_m2
        low, high = s.land_price_per_m2_vnd
        if not low <= per_m2 <= high:
            out.append({"code": "land_price_per_m2_implausible", "start_price": price,
                        "land_area_m2": lot.land_area_m2, "price_per_m2": round(per_m2, 2),
                        "plausible_per_m2": [low, high]})
    return out


def may_hold_problem(c: Columns, s: Settings) -> np.ndarray:
    """Per lot: ``_problems`` may report something. Exact for the land price; for the deposit, conservative: the
    smallest reading is taken to be the price as written (or, on a proven per-m² or periodic basis, the product
    ``price_readings`` gives), and any other reading only raises the bar."""
    price = np.nan_to_num(c.price, nan=0.0)
    priced = price > 0
    per_m2 = c.proven & (c.basis == BASES.index("m2")) & (np.nan_to_num(c.area, nan=0.0) > 0)
    per_month = c.proven & (c.basis == BASES.index("month")) & (np.nan_to_num(c.term, nan=0.0) > 0)
    per_year = c.proven & (c.basis == BASES.index("year")) & (np.nan_to_num(c.term, nan=0.0) > 0)
    factor = np.select([per_m2, per_month, per_year],
                       [np.nan_to_num(c.area, nan=1.0), np.nan_to_num(c.term, nan=1.0),
                        np.nan_to_num(c.term, nan=12.0) / 12], 1.0)
    deposit = np.nan_to_num(c.deposit, nan=0.0)
    out = np.zeros(len(price), dtype=bool)
    if s.check_deposit_above_price:
        out |= priced & (deposit > 0) & np.isin(c.deposit_unit, (0, -1)) & (deposit > price * factor)
    area = np.nan_to_num(c.area, nan=0.0)
    whole_land = (c.proven & (c.basis == BASES.index("lot")) & ~c.periodic & (c.asset_class == 1) & (area > 0)
                  & priced)
    low, high = s.land_price_per_m2_vnd
    with np.errstate(divide="ignore", invalid="ignore"):
        per = price / np.where(area > 0, area, 1.0)
    out |= whole_land & ((per < low) | (per > high))
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

    def evaluate(self, ctx: DetectionContext) -> Iterator[Result | Unchanged]:
        """Finds the lots that may hold a problem over the columns; builds only those whose open finding's digest
        differs, and resolves open findings on lots that no longer may."""
        s: Settings = self.settings  # type: ignore[assignment]
        self._counts = Counter()
        open_ids = ctx.open_digests(self.name, RULE)
        c = ctx.shared_load("auction_columns", lambda: load_columns(ctx.session))
        scope = np.ones(len(c), dtype=bool) if ctx.since is None else (
            np.isnan(c.published) | (c.published >= since_epoch(ctx.since)))
        lots = np.flatnonzero(may_hold_problem(c, s) & scope[c.lot_notice])
        content, known = content_stamps_by_id(ctx.session, RecordKind.DGTS_AUCTION_NOTICE, c.ids)
        stamps = combine(stamp_of(RULE, s.model_dump(), FEATURES_VERSION), content[c.lot_notice[lots]],
                         c.inputs_stamp[lots], c.lot_index[lots].astype(np.uint64))
        digests = to_hex(stamps) if len(lots) else []
        subjects = [f"auction_notice:{int(c.ids[c.lot_notice[j]])}:{int(c.lot_index[j])}" for j in lots]
        unchanged, todo = [], []
        for j, subject, digest in zip(lots.tolist(), subjects, digests):
            if known[c.lot_notice[j]] and open_ids.get(subject) == digest:
                unchanged.append(subject)
            else:
                todo.append((j, subject, digest))
        if unchanged:
            yield Unchanged(RULE, unchanged)
        in_scope = set(c.ids[scope].tolist())
        still = set(subjects)
        for subject in sorted(open_ids):
            parts = subject.split(":")
            if subject not in still and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) in in_scope:
                yield Result(rule=RULE, subject_kind="lot", subject_id=subject, status="pass")
        for i in range(0, len(todo), BUILD_CHUNK):
            part = todo[i:i + BUILD_CHUNK]
            notices = c.notices(sorted({int(c.lot_notice[j]) for j, _, _ in part}))
            for j, subject, digest in part:
                n = notices[int(c.ids[c.lot_notice[j]])]
                lot = next(l for l in n.lots if l.index == int(c.lot_index[j]))
                problems = _problems(n, lot, s, lambda n_, l_: stored_detail(ctx.session, n_.id, l_.index))
                for p in problems:
                    self._counts[p["code"]] += 1
                base = dict(rule=RULE, subject_kind="lot", subject_id=subject, urls=[n.url] if n.url else [],
                            owner_name=n.owner_name, province=n.province)
                if problems:
                    yield Result(status="flag", severity="low",
                                 title=f"{TITLE}: " + "; ".join(_sentence(p) for p in problems) + ".",
                                 evidence={"notice": n.id, "lot_index": lot.index, "problems": problems,
                                           "lot_name": (lot.name or n.name)[:300]}, digest=digest, **base)
                elif subject in open_ids:
                    yield Result(status="pass", **base)
            c.forget(sorted({int(c.lot_notice[j]) for j, _, _ in part}))

    def finalize(self) -> dict[str, Any]:
        return {"counts": dict(sorted(self._counts.items()))}
