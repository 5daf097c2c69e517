"""The auction notices and their lots as typed column arrays (numpy), loaded once per detection run.

Population rules (deposit and fee terms, the anomaly features, selections) run over these arrays; a ``Notice`` with
its ``LotTerms`` (names, URLs, the readings' notes) is built only for the few notices a rule reports
(``Columns.notices``). Times are epoch seconds (NaN when unknown), ids and codes are ``-1`` when unknown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from detectors.collusion.notice import NAME_CHARS, LotTerms, Notice, ids_of
from storage.kinds import NoticeKind
from storage.models import AuctionNotice, Lot, LotFeatures
from storage.sqlfuncs import epoch_seconds
from storage.stamps import from_hex
from storage.timeutil import VN_TZ

ASSET_CLASSES = ("other", "real_estate", "debt")
BASES = ("lot", "m2", "m2_year", "month", "year", "unit", "notice_total", "unknown", "percent")
FEE_TABLES = ("general", "state_land_households", "state_land")
CHUNK = 500


def _epoch(value: datetime | None) -> float:
    return value.timestamp() if value is not None else np.nan


def _code(values: tuple[str, ...], value: str | None) -> int:
    try:
        return values.index(value) if value is not None else -1
    except ValueError:
        return -1


@dataclass
class Columns:
    """Notice columns (one row per auction notice, sorted by id) and lot columns (``lot_notice`` is the notice's
    row; lots are sorted by notice row, then lot index)."""

    ids: np.ndarray
    owner: np.ndarray
    org: np.ndarray
    published: np.ndarray
    auction_at: np.ndarray
    reg_start: np.ndarray
    reg_end: np.ndarray
    type_id: np.ndarray
    root_id: np.ndarray
    lot_notice: np.ndarray
    lot_index: np.ndarray
    price: np.ndarray
    deposit: np.ndarray
    deposit_unit: np.ndarray
    fee: np.ndarray
    lot_type: np.ndarray
    asset_class: np.ndarray
    basis: np.ndarray
    proven: np.ndarray
    comparable: np.ndarray
    units: np.ndarray
    shared: np.ndarray
    term: np.ndarray
    periodic: np.ndarray
    area: np.ndarray
    fee_table: np.ndarray
    read: np.ndarray  # the lot has a feature row
    inputs_stamp: np.ndarray  # first 64 bits of lot_features.inputs_sha256 (0 when the lot has no feature row)
    _session: Session | None = None
    _cache: dict[int, Notice] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    def row_of(self, notice_ids: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.ids, notice_ids)

    def rows_present(self, notice_ids) -> np.ndarray:
        """Rows of those of ``notice_ids`` that are loaded."""
        wanted = np.asarray(sorted(set(int(i) for i in notice_ids)), dtype=np.int64)
        if not len(wanted) or not len(self.ids):
            return np.zeros(0, dtype=np.int64)
        rows = np.minimum(np.searchsorted(self.ids, wanted), len(self.ids) - 1)
        return rows[self.ids[rows] == wanted]

    def when(self, row: int) -> datetime | None:
        return _when(self.published[row])

    def notice_asset_class(self) -> np.ndarray:
        """Per notice: 1 real_estate when any lot is land or a building, 2 debt when every lot is a receivable, else
        0 (the same rule as ``Notice.asset_class``)."""
        n = len(self.ids)
        any_re = np.zeros(n, dtype=bool)
        np.logical_or.at(any_re, self.lot_notice, self.asset_class == 1)
        all_debt = np.ones(n, dtype=bool)
        np.logical_and.at(all_debt, self.lot_notice, self.asset_class == 2)
        has_lot = np.zeros(n, dtype=bool)
        has_lot[self.lot_notice] = True
        return np.where(any_re, 1, np.where(all_debt & has_lot, 2, 0))

    def notice_has_type(self, type_ids: list[int]) -> np.ndarray:
        """Per notice: its own property type or one of its lots' is in ``type_ids``."""
        if not type_ids:
            return np.zeros(len(self.ids), dtype=bool)
        out = np.isin(self.type_id, type_ids)
        np.logical_or.at(out, self.lot_notice, np.isin(self.lot_type, type_ids))
        return out

    def notices(self, rows: list[int] | np.ndarray) -> dict[int, Notice]:
        """Notice objects (with their lots) for these rows, names and URLs read in a few queries."""
        want = [int(self.ids[r]) for r in rows]
        missing = [nid for nid in want if nid not in self._cache]
        if missing and self._session is not None:
            A = AuctionNotice
            lots_of: dict[int, list[int]] = defaultdict(list)
            rows_of = {int(self.ids[r]): int(r) for r in rows}
            for j in np.flatnonzero(np.isin(self.lot_notice, [rows_of[nid] for nid in missing])):
                lots_of[int(self.ids[self.lot_notice[j]])].append(int(j))
            names: dict[tuple[str, int], tuple[str | None, str | None]] = {}
            for i in range(0, len(missing), CHUNK):
                part = missing[i:i + CHUNK]
                for key, idx, name, place in self._session.execute(
                        select(Lot.notice_key, Lot.lot_index, Lot.name, Lot.place).where(
                            Lot.notice_kind == NoticeKind.AUCTION_NOTICE, Lot.notice_key.in_([str(p) for p in part]))):
                    names[(key, idx)] = (name, place)
                for row in self._session.execute(select(
                        A.id, A.property_name, A.owner_name, A.org_name, A.related_ids, A.province, A.url,
                        A.status).where(A.id.in_(part))):
                    nid, name, owner_name, org_name, related, province, url, status = row
                    r = rows_of[nid]
                    n = Notice(
                        id=nid, name=(name or "")[:NAME_CHARS], owner_id=_opt(self.owner[r]), owner_name=owner_name,
                        org_id=_opt(self.org[r]), org_name=org_name, published=_when(self.published[r]),
                        auction_at=_when(self.auction_at[r]), reg_start=_when(self.reg_start[r]),
                        reg_end=_when(self.reg_end[r]), property_type_id=_opt(self.type_id[r]),
                        root_id=_opt(self.root_id[r]), related_ids=ids_of(related), province=province, url=url,
                        status=status or "active")
                    for j in sorted(lots_of.get(nid, []), key=lambda j: self.lot_index[j]):
                        lot_name, place = names.get((str(nid), int(self.lot_index[j])), (None, None))
                        lot_name = (lot_name or "")[:NAME_CHARS] or None
                        n.lots.append(self.lot_terms(j, lot_name if lot_name != n.name else n.name,
                                                     (place or "")[:1000] or None))
                    self._cache[nid] = n
        return {nid: self._cache[nid] for nid in want if nid in self._cache}

    def forget(self, rows: list[int] | np.ndarray) -> None:
        """Drop the built notices of these rows (a scan builds a chunk at a time)."""
        for r in rows:
            self._cache.pop(int(self.ids[r]), None)

    def lot_terms(self, j: int, name: str | None, place: str | None) -> LotTerms:
        lot = LotTerms(int(self.lot_index[j]), name, place, _optf(self.price[j]), _optf(self.deposit[j]),
                       _opt(self.deposit_unit[j]), _optf(self.fee[j]), _opt(self.lot_type[j]))
        if self.read[j]:
            lot.asset_class = ASSET_CLASSES[self.asset_class[j]]
            lot.price_basis = BASES[self.basis[j]] if self.basis[j] >= 0 else "unknown"
            lot.price_basis_proven = bool(self.proven[j])
            lot.deposit_comparable = bool(self.comparable[j])
            lot.units = None if np.isnan(self.units[j]) else int(self.units[j])
            lot.shared_by_lots = int(self.shared[j])
            lot.term_months = _optf(self.term[j])
            lot.periodic = bool(self.periodic[j])
            lot.land_area_m2 = _optf(self.area[j])
            lot.fee_table = FEE_TABLES[self.fee_table[j]] if self.fee_table[j] >= 0 else "general"
            lot.inputs = f"{int(self.inputs_stamp[j]):016x}"
        return lot


def _opt(value: Any) -> int | None:
    return None if value < 0 else int(value)


def _optf(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def _when(value: float) -> datetime | None:
    return None if np.isnan(value) else datetime.fromtimestamp(float(value), tz=VN_TZ)


def since_epoch(since: date) -> float:
    """The first instant of a day in Vietnam, in epoch seconds."""
    return datetime.combine(since, datetime.min.time(), tzinfo=VN_TZ).timestamp()


def load_columns(session: Session, since: date | None = None) -> Columns:
    """Every auction notice (published on or after ``since`` when given, and the undated ones) and its lots."""
    A = AuctionNotice
    query = select(A.id, A.owner_id, A.organisation_id, epoch_seconds(A.published_at), epoch_seconds(A.auction_at),
                   epoch_seconds(A.reg_start), epoch_seconds(A.reg_end), A.property_type_id, A.root_id).order_by(A.id)
    if since is not None:
        start = datetime.combine(since, datetime.min.time(), tzinfo=VN_TZ)
        query = query.where((A.published_at >= start) | A.published_at.is_(None))
    rows = session.execute(query).all()
    n = len(rows)
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
    owner = np.fromiter((-1 if r[1] is None else r[1] for r in rows), dtype=np.int64, count=n)
    org = np.fromiter((-1 if r[2] is None else r[2] for r in rows), dtype=np.int64, count=n)
    times = [np.fromiter((np.nan if r[k] is None else r[k] for r in rows), dtype=float, count=n) for k in (3, 4, 5, 6)]
    type_id = np.fromiter((-1 if r[7] is None else r[7] for r in rows), dtype=np.int64, count=n)
    root_id = np.fromiter((-1 if r[8] is None else r[8] for r in rows), dtype=np.int64, count=n)
    del rows
    F = LotFeatures
    lots = session.execute(
        select(Lot.notice_key, Lot.lot_index, Lot.start_price, Lot.deposit, Lot.deposit_unit, Lot.file_cost,
               Lot.property_type_id, F.asset_class, F.price_basis, F.price_basis_proven, F.deposit_comparable, F.units,
               F.shared_by_lots, F.term_months, F.periodic, F.land_area_m2, F.fee_table, F.inputs_sha256)
        .outerjoin(F, (F.notice_kind == Lot.notice_kind) & (F.notice_key == Lot.notice_key)
                   & (F.lot_index == Lot.lot_index))
        .where(Lot.notice_kind == NoticeKind.AUCTION_NOTICE)).all()
    keys = np.fromiter((int(r[0]) if str(r[0]).isdigit() else -1 for r in lots), dtype=np.int64, count=len(lots))
    pos = np.searchsorted(ids, keys)
    pos_ok = (pos < n) & (keys >= 0)
    pos_ok[pos_ok] = ids[pos[pos_ok]] == keys[pos_ok]
    lots = [r for r, ok in zip(lots, pos_ok) if ok]
    rows_of_lots = pos[pos_ok]
    order = np.lexsort((np.fromiter((r[1] for r in lots), dtype=np.int64, count=len(lots)), rows_of_lots))
    lots = [lots[k] for k in order.tolist()]
    rows_of_lots = rows_of_lots[order]
    m = len(lots)

    def num(k: int) -> np.ndarray:
        return np.fromiter((np.nan if r[k] is None else r[k] for r in lots), dtype=float, count=m)

    def code(k: int, default: int = -1) -> np.ndarray:
        return np.fromiter((default if r[k] is None else r[k] for r in lots), dtype=np.int64, count=m)

    def flag(k: int) -> np.ndarray:
        return np.fromiter((bool(r[k]) for r in lots), dtype=bool, count=m)

    return Columns(
        ids=ids, owner=owner, org=org, published=times[0], auction_at=times[1], reg_start=times[2],
        reg_end=times[3], type_id=type_id, root_id=root_id,
        lot_notice=rows_of_lots.astype(np.int64), lot_index=code(1), price=num(2), deposit=num(3),
        deposit_unit=code(4), fee=num(5), lot_type=code(6),
        asset_class=np.fromiter((max(_code(ASSET_CLASSES, r[7]), 0) for r in lots), dtype=np.int64, count=m),
        basis=np.fromiter((_code(BASES, r[8]) if r[8] is not None else 0 for r in lots), dtype=np.int64, count=m),
        proven=np.fromiter((True if r[9] is None else bool(r[9]) for r in lots), dtype=bool, count=m),
        comparable=np.fromiter((True if r[10] is None else bool(r[10]) for r in lots), dtype=bool, count=m),
        units=num(11), shared=code(12, 1), term=num(13), periodic=flag(14), area=num(15),
        fee_table=np.fromiter((max(_code(FEE_TABLES, r[16]), 0) for r in lots), dtype=np.int64, count=m),
        read=np.fromiter((r[7] is not None for r in lots), dtype=bool, count=m),
        inputs_stamp=from_hex(r[17] for r in lots), _session=session)


def columns_of(notices: list[Notice]) -> Columns:
    """Columns of notices built in memory (tests, label evaluation): the same arrays ``load_columns`` reads."""
    notices = sorted(notices, key=lambda n: n.id)
    lots = [(row, lot) for row, n in enumerate(notices) for lot in n.lots]

    def t(v: datetime | None) -> float:
        return _epoch(v)

    def f(v: float | None) -> float:
        return np.nan if v is None else float(v)

    def i(v: int | None, default: int = -1) -> int:
        return default if v is None else int(v)

    cols = Columns(
        ids=np.array([n.id for n in notices], dtype=np.int64),
        owner=np.array([i(n.owner_id) for n in notices], dtype=np.int64),
        org=np.array([i(n.org_id) for n in notices], dtype=np.int64),
        published=np.array([t(n.published) for n in notices], dtype=float),
        auction_at=np.array([t(n.auction_at) for n in notices], dtype=float),
        reg_start=np.array([t(n.reg_start) for n in notices], dtype=float),
        reg_end=np.array([t(n.reg_end) for n in notices], dtype=float),
        type_id=np.array([i(n.property_type_id) for n in notices], dtype=np.int64),
        root_id=np.array([i(n.root_id) for n in notices], dtype=np.int64),
        lot_notice=np.array([r for r, _ in lots], dtype=np.int64),
        lot_index=np.array([l.index for _, l in lots], dtype=np.int64),
        price=np.array([f(l.start_price) for _, l in lots], dtype=float),
        deposit=np.array([f(l.deposit) for _, l in lots], dtype=float),
        deposit_unit=np.array([i(l.deposit_unit) for _, l in lots], dtype=np.int64),
        fee=np.array([f(l.file_cost) for _, l in lots], dtype=float),
        lot_type=np.array([i(l.property_type_id) for _, l in lots], dtype=np.int64),
        asset_class=np.array([max(_code(ASSET_CLASSES, l.asset_class), 0) for _, l in lots], dtype=np.int64),
        basis=np.array([_code(BASES, l.price_basis) for _, l in lots], dtype=np.int64),
        proven=np.array([l.price_basis_proven for _, l in lots], dtype=bool),
        comparable=np.array([l.deposit_comparable for _, l in lots], dtype=bool),
        units=np.array([f(l.units) for _, l in lots], dtype=float),
        shared=np.array([l.shared_by_lots for _, l in lots], dtype=np.int64),
        term=np.array([f(l.term_months) for _, l in lots], dtype=float),
        periodic=np.array([l.periodic for _, l in lots], dtype=bool),
        area=np.array([f(l.land_area_m2) for _, l in lots], dtype=float),
        fee_table=np.array([max(_code(FEE_TABLES, l.fee_table), 0) for _, l in lots], dtype=np.int64),
        read=np.ones(len(lots), dtype=bool),
        inputs_stamp=from_hex(l.inputs for _, l in lots))
    cols._cache = {n.id: n for n in notices}
    return cols


class LazyNotices(Mapping[int, Notice]):
    """The auction notices as a mapping id -> ``Notice`` over the columns: a notice is built (and kept) when it is
    read; ``prefetch`` builds many in a few queries. Iterating ids costs nothing; iterating values builds every
    notice, so population rules read the columns instead."""

    def __init__(self, columns: Columns) -> None:
        self.columns = columns

    def __len__(self) -> int:
        return len(self.columns)

    def __iter__(self) -> Iterator[int]:
        return iter(self.columns.ids.tolist())

    def __contains__(self, nid: object) -> bool:
        if not isinstance(nid, (int, np.integer)):
            return False
        c = self.columns
        r = int(np.searchsorted(c.ids, nid))
        return r < len(c.ids) and int(c.ids[r]) == nid

    def __getitem__(self, nid: int) -> Notice:
        built = self.columns._cache.get(nid)
        if built is not None:
            return built
        if nid not in self:
            raise KeyError(nid)
        return self.columns.notices([int(np.searchsorted(self.columns.ids, nid))])[nid]

    def prefetch(self, ids) -> None:
        """Build these notices (those loaded and not built yet) a chunk at a time."""
        c = self.columns
        rows = [int(r) for r in c.rows_present(ids) if int(c.ids[r]) not in c._cache]
        for i in range(0, len(rows), 2_000):
            c.notices(rows[i:i + 2_000])

    def values(self):  # type: ignore[override]
        self.prefetch(self.columns.ids)
        return [self.columns._cache[int(i)] for i in self.columns.ids]

    def items(self):  # type: ignore[override]
        return list(zip(self.columns.ids.tolist(), self.values()))
