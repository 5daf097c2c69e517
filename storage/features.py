"""Text features stored as typed rows: each lot's reading (``lot_features``), written when a notice is ingested,
when its attachments' text is extracted, and by ``features rebuild`` when the text layer's version changed.

The detectors read these columns instead of parsing texts on every pass. A row is rewritten only when the hash of
its inputs (the lot's texts, its attachments' texts and statuses, its amounts, the extractor version) changed.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, insert, select, tuple_
from sqlalchemy.orm import Session

from storage.kinds import NoticeKind
from storage.models import Attachment, Lot, LotFeatures, NoticeIdentity, text_fully_read, text_usable
from vntext.features import VERSION, read_lot
from vntext.parcels import ATTACHMENT_PREFIX, NOTICE_SOURCE

CHUNK = 400  # notices per query
MAX_ATTACHMENT_CHARS = 200_000
NOTICE_KINDS = (NoticeKind.AUCTION_NOTICE, NoticeKind.SELECTION_NOTICE, NoticeKind.THADS_NOTICE,
                NoticeKind.SELECTION_RESULT)
_TEXT_COLUMNS = (("name", Lot.name), ("place", Lot.place), ("quality", Lot.quality), ("detail", Lot.detail),
                 ("amount", Lot.amount))


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()


def feature_row(notice_kind: str, notice_key: str, lot_index: int, texts: dict[str, str], *,
                property_type_id: int | None, property_type_name: str | None, notice_property_type_id: int | None,
                start_price: float | None, deposit: float | None, deposit_unit: int | None, file_cost: float | None,
                shared_by_lots: int, unread: list[str]) -> dict[str, Any]:
    """The ``lot_features`` row of one lot (the text layer's reading of it)."""
    r = read_lot(texts, property_type_id=property_type_id, property_type_name=property_type_name,
                 notice_property_type_id=notice_property_type_id, start_price=start_price, deposit=deposit,
                 deposit_unit=deposit_unit, file_cost=file_cost, shared_by_lots=shared_by_lots)
    p, a = r.parcel, r.amounts
    parcel = p.as_dict()
    parcel.update(sources_read=sorted(texts), unread=unread, asset_class_reason=r.asset_class_reason)
    return {
        "notice_kind": notice_kind, "notice_key": notice_key, "lot_index": lot_index, "version": VERSION,
        "inputs_sha256": "", "asset_class": r.asset_class, "is_land": p.is_land,
        "has_parcel_no": bool(p.parcel_no), "has_map_sheet": bool(p.map_sheet), "has_area": p.area_m2 is not None,
        "has_location": bool(p.location), "has_certificate": bool(p.certificate),
        "has_purpose": bool(p.land_use_purpose), "has_term": bool(p.use_term), "unread_attachments": len(unread),
        "price": start_price, "deposit": deposit, "deposit_unit": deposit_unit, "fee": file_cost,
        "price_basis": a.price_basis.basis, "price_basis_proven": a.price_basis.proven,
        "deposit_comparable": a.deposit_is_percent or a.comparable,
        "units": a.quantity.count if a.quantity else None, "shared_by_lots": shared_by_lots,
        "term_months": a.term_months, "periodic": a.periodic, "land_area_m2": a.land_area_m2,
        "fee_table": r.fee_table, "parcel": parcel, "amounts": a.as_dict(),
    }


def _notice_attachments(session: Session, notice_kind: str, keys: list[str]
                        ) -> tuple[dict[str, dict[str, str]], dict[str, list[str]], dict[str, list]]:
    texts: dict[str, dict[str, str]] = defaultdict(dict)
    unread: dict[str, list[str]] = defaultdict(list)
    state: dict[str, list] = defaultdict(list)
    for key, original, file_name, status, text, sha in session.execute(
            select(Attachment.notice_key, Attachment.original_name, Attachment.file_name, Attachment.text_status,
                   Attachment.text, Attachment.sha256)
            .where(Attachment.notice_kind == notice_kind, Attachment.notice_key.in_(keys)).order_by(Attachment.id)):
        name = original or file_name
        if text_usable(status) and text:
            texts[key][ATTACHMENT_PREFIX + name] = text[:MAX_ATTACHMENT_CHARS]
        if not text_fully_read(status):
            unread[key].append(f"{name} ({status})")
        state[key].append([name, status, sha])
    return texts, unread, state


def refresh(session: Session, notice_kind: str, keys: Iterable[str], notice_names: dict[str, str | None],
            notice_types: dict[str, int | None] | None = None, *, force: bool = False) -> dict[str, int]:
    """Re-read the lots of these notices from the database and rewrite the feature rows whose inputs changed.
    ``notice_names``/``notice_types``: each notice's property name and property type."""
    counts = {"read": 0, "kept": 0}
    keys = list(dict.fromkeys(keys))
    notice_types = notice_types or {}
    for i in range(0, len(keys), CHUNK):
        chunk = keys[i:i + CHUNK]
        att_texts, unread, att_state = _notice_attachments(session, notice_kind, chunk)
        lots: dict[str, list] = defaultdict(list)
        for row in session.execute(
                select(Lot.notice_key, Lot.lot_index, Lot.property_type_id, Lot.property_type_name, Lot.start_price,
                       Lot.deposit, Lot.deposit_unit, Lot.file_cost, *(c for _, c in _TEXT_COLUMNS))
                .where(Lot.notice_kind == notice_kind, Lot.notice_key.in_(chunk))):
            lots[row[0]].append(row)
        stored = {(k, i): h for k, i, h, v in session.execute(
            select(LotFeatures.notice_key, LotFeatures.lot_index, LotFeatures.inputs_sha256, LotFeatures.version)
            .where(LotFeatures.notice_kind == notice_kind, LotFeatures.notice_key.in_(chunk))) if v == VERSION}
        rows, kept = [], []
        for key in chunk:
            own_lots = lots.get(key, [])
            prices = [r[4] for r in own_lots]
            for (_, idx, type_id, type_name, price, deposit, unit, fee, *own) in own_lots:
                texts = {name: v for (name, _), v in zip(_TEXT_COLUMNS, own) if v}
                if notice_names.get(key):
                    texts[NOTICE_SOURCE] = notice_names[key]  # type: ignore[assignment]
                texts.update(att_texts.get(key, {}))
                shared = prices.count(price) if price else 1
                inputs = [VERSION, texts, type_id, type_name, notice_types.get(key), price, deposit, unit, fee,
                          shared, att_state.get(key, [])]
                digest = _digest(inputs)
                if not force and stored.get((key, idx)) == digest:
                    kept.append((key, idx))
                    counts["kept"] += 1
                    continue
                row = feature_row(notice_kind, key, idx, texts, property_type_id=type_id,
                                  property_type_name=type_name, notice_property_type_id=notice_types.get(key),
                                  start_price=price, deposit=deposit, deposit_unit=unit, file_cost=fee,
                                  shared_by_lots=shared, unread=unread.get(key, []))
                row["inputs_sha256"] = digest
                rows.append(row)
                counts["read"] += 1
        # every other row of these notices (changed inputs, an older extractor, a lot that is gone) is replaced
        stmt = delete(LotFeatures).where(LotFeatures.notice_kind == notice_kind, LotFeatures.notice_key.in_(chunk))
        if kept:
            stmt = stmt.where(tuple_(LotFeatures.notice_key, LotFeatures.lot_index).notin_(kept))
        session.execute(stmt)
        if rows:
            session.execute(insert(LotFeatures), rows)
    return counts


def drop(session: Session, notice_kind: str, keys: Iterable[str]) -> None:
    """Forget what the text layer read from these notices (their lots or attachments changed): the next refresh
    reads the lots again, and the relist linker indexes an auction notice again."""
    keys = list(keys)
    for i in range(0, len(keys), CHUNK):
        session.execute(delete(LotFeatures).where(LotFeatures.notice_kind == notice_kind,
                                                  LotFeatures.notice_key.in_(keys[i:i + CHUNK])))
    if notice_kind == NoticeKind.AUCTION_NOTICE:
        ids = [int(k) for k in keys if str(k).isdigit()]
        for i in range(0, len(ids), CHUNK):
            session.execute(delete(NoticeIdentity).where(NoticeIdentity.notice_id.in_(ids[i:i + CHUNK])))


def stale_notices(session: Session, notice_kind: str) -> list[str]:
    """Keys of notices with a lot whose feature row is missing or was read by another extractor version (one
    anti-join in the database: nothing is loaded when every lot is current)."""
    F = LotFeatures
    current = (select(F.lot_index).where(F.notice_kind == Lot.notice_kind, F.notice_key == Lot.notice_key,
                                         F.lot_index == Lot.lot_index, F.version == VERSION)).exists()
    return list(session.scalars(select(Lot.notice_key).where(Lot.notice_kind == notice_kind, ~current)
                                .distinct().order_by(Lot.notice_key)))


def ensure_current(session: Session, progress=None) -> dict[str, int]:
    """Read the lots that have no current feature row (new or replaced lots, newly read attachments, a new text
    layer version) and store their features. Everything else is left as it is."""
    from storage.models import AuctionNotice, SelectionNotice, ThadsNotice

    sources = {
        NoticeKind.AUCTION_NOTICE: (AuctionNotice.id, AuctionNotice.property_name, AuctionNotice.property_type_id),
        NoticeKind.SELECTION_NOTICE: (SelectionNotice.id, SelectionNotice.property_name, None),
        NoticeKind.THADS_NOTICE: (ThadsNotice.key, ThadsNotice.title, None),
    }
    totals: dict[str, int] = {}
    for kind, (key_col, name_col, type_col) in sources.items():
        keys = stale_notices(session, kind)
        if not keys:
            continue
        names: dict[str, str | None] = {}
        types: dict[str, int | None] = {}
        cols = [key_col, name_col] + ([type_col] if type_col is not None else [])
        wanted = [int(k) for k in keys if k.isdigit()] if kind != NoticeKind.THADS_NOTICE else keys
        for i in range(0, len(wanted), CHUNK):
            for row in session.execute(select(*cols).where(key_col.in_(wanted[i:i + CHUNK]))):
                names[str(row[0])] = row[1]
                types[str(row[0])] = row[2] if type_col is not None else None
        counts = refresh(session, kind, keys, names, types)
        totals[kind] = counts["read"]
        if progress:
            progress(f"features: {counts['read']} lots of {len(keys)} {kind} read")
    return totals
