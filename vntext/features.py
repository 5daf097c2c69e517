"""One reading of a lot's texts: its parcel facts, its amounts with their bases, its asset class and, for State land,
which dossier-fee table applies. The ingest path stores it (``storage.features``) and the detectors read the stored
columns; ``VERSION`` changes with any module of the text layer, so a changed extractor re-reads everything.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from vntext.amounts import LotAmounts, read_lot_amounts
from vntext.core import fold_vn
from vntext.parcels import LAND_PROPERTY_TYPE_ID, ParcelDetails, asset_class, extract_parcel_details

_HERE = Path(__file__).resolve().parent
VERSION = hashlib.sha256(b"".join(p.read_bytes() for p in sorted(_HERE.glob("*.py")))).hexdigest()[:16]
OWN_TEXTS = ("name", "place", "quality", "detail", "amount")
MAX_TEXT = 6_000  # characters of each own text the amount reader sees

_STATE_LAND_RE = re.compile(r"\b(?:giao dat co thu tien su dung dat|nha nuoc (?:giao|cho thue) dat|cho thue dat|"
                            r"dau gia quyen su dung dat (?:de )?(?:giao|cho thue))\b")
_HOUSEHOLD_RE = re.compile(r"\b(?:nhan dan|ho gia dinh|ca nhan|dat o|lam nha o)\b")


@dataclass(frozen=True)
class LotReading:
    """Everything the rules need from one lot's texts."""

    parcel: ParcelDetails
    amounts: LotAmounts
    asset_class: str  # real_estate | debt | other
    asset_class_reason: str
    fee_table: str  # general | state_land_households | state_land


def fee_table(notice_name: str, lot_name: str | None, type_ids: Iterable[int]) -> str:
    """Which table of Thông tư 48/2017/TT-BTC caps the dossier fee: State land allocated or leased (by bidder class
    when the text names households or individuals) or the general table."""
    folded = fold_vn(f"{notice_name[:600]} {lot_name or ''}"[:1200]).lower()
    if LAND_PROPERTY_TYPE_ID not in set(type_ids) and not _STATE_LAND_RE.search(folded):
        return "general"
    return "state_land_households" if _HOUSEHOLD_RE.search(folded) else "state_land"


def read_lot(texts: Mapping[str, str | None], *, property_type_id: int | None, property_type_name: str | None,
             notice_property_type_id: int | None = None, start_price: float | None, deposit: float | None,
             deposit_unit: int | None, file_cost: float | None, shared_by_lots: int = 1) -> LotReading:
    """Read one lot. ``texts`` holds the lot's own fields (``name``, ``place``, ``quality``, ``detail``,
    ``amount``), the notice's name (``notice_name``) and extracted attachment texts (``attachment:<file name>``)."""
    usable = {k: v for k, v in texts.items() if isinstance(v, str) and v.strip()}
    type_id = property_type_id if property_type_id is not None else notice_property_type_id
    parcel = extract_parcel_details(usable, property_type_id=type_id, property_type_name=property_type_name)
    own = {k: v[:MAX_TEXT] for k, v in usable.items() if k in OWN_TEXTS}
    amounts = read_lot_amounts(own, start_price=start_price, deposit=deposit, deposit_unit=deposit_unit,
                               file_cost=file_cost, shared_by_lots=shared_by_lots)
    types = sorted({t for t in (property_type_id, notice_property_type_id) if t is not None})
    cls, why = asset_class(usable, types)
    table = fee_table(usable.get("notice_name") or usable.get("name") or "", usable.get("name"), types)
    return LotReading(parcel, amounts, cls, why, table)
