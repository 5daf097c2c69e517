"""The slice of storage the collusion rules read, loaded once per run as plain objects.

Columns are selected explicitly (no ORM objects, no relationships) so a full load of ~600,000 auction notices and
their lots stays a few plain tuples per row. Times are aware Asia/Ho_Chi_Minh datetimes: the time columns are
stored as UTC on every database (``storage.models.UtcDateTime``) and converted here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterable

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from detectors.collusion.columns import Columns, LazyNotices, columns_of, load_columns
from detectors.collusion.notice import NAME_CHARS, LotTerms, Notice, ids_of, portal_time
from storage.kinds import NoticeKind
from storage.models import AuctionNotice, Finding, Lot, LotFeatures, Organisation, Owner, SelectionResult
from storage.timeutil import VN_TZ, to_local
from vntext.amounts import LotAmounts


@dataclass(slots=True)
class OwnerInfo:
    id: int
    name: str
    kind: str
    is_thads: bool
    province: str | None
    key: str = ""  # owners.key: stable across database rebuilds, unlike the row id

    @property
    def kind_group(self) -> str:
        """THADS offices of every level form one peer group; other kinds are their own group."""
        return "thads" if self.is_thads else (self.kind or "other")


@dataclass(slots=True)
class ResultRow:
    id: int
    owner_id: int | None
    org_id: int | None
    published: datetime | None
    name: str
    province: str | None
    url: str | None


@dataclass
class Dataset:
    """Owners, organisations and results as objects; auction notices as columns (``cols``), with ``notices`` a
    mapping that builds a ``Notice`` only when one is read (``columns.LazyNotices``). A dataset built in memory (a
    dict of notices) gets its columns on first use."""

    notices: Mapping[int, Notice]
    owners: dict[int, OwnerInfo]
    orgs: dict[int, str]
    results: list[ResultRow]
    org_keys: dict[int, str] = field(default_factory=dict)
    columns: Columns | None = None

    @property
    def cols(self) -> Columns:
        if self.columns is None or (isinstance(self.notices, dict) and len(self.columns) != len(self.notices)):
            self.columns = columns_of(list(self.notices.values()))  # built in memory (or grown since: a next day)
        return self.columns

    def prefetch(self, notice_ids: Iterable[int]) -> None:
        """Build these notices in a few queries before reading them one by one."""
        prefetch = getattr(self.notices, "prefetch", None)
        if prefetch is not None:
            prefetch(notice_ids)

    @property
    def latest(self) -> datetime | None:
        c = self.cols
        times = [r.published for r in self.results if r.published]
        published = c.published[~np.isnan(c.published)]
        if len(published):
            times.append(datetime.fromtimestamp(float(published.max()), tz=VN_TZ))
        return max(times) if times else None

    def anchor(self, now: datetime) -> datetime:
        """End of rolling periods: ``now``, or the latest publication when the data stop earlier (a stalled
        crawler, or a fixture) so periods always cover data."""
        latest = self.latest
        now = to_local(now)
        return min(now, latest) if latest else now

    def owner(self, owner_id: int | None) -> OwnerInfo | None:
        return self.owners.get(owner_id) if owner_id is not None else None

    def org_name(self, org_id: int | None) -> str | None:
        return self.orgs.get(org_id) if org_id is not None else None

    def org_key(self, org_id: int | None) -> str | None:
        return self.org_keys.get(org_id) if org_id is not None else None

    def owner_subject(self, owner_id: int) -> str:
        """Subject id of an owner-level finding: the owner's normalised key, so a rebuilt database gives the same
        fingerprints (row ids are not stable)."""
        owner = self.owners.get(owner_id)
        return owner.key if owner is not None and owner.key else f"owner#{owner_id}"

    def is_thads_notice(self, n: Notice, thads_types: Iterable[int]) -> bool:
        owner = self.owner(n.owner_id)
        return bool(owner and owner.is_thads) or bool(n.type_ids() & set(thads_types))


def load_notices(session: Session, since: date | None = None) -> dict[int, Notice]:
    """Auction notices with their lots (amounts read); with ``since``, only those published on or after it (and
    undated ones)."""
    A = AuctionNotice
    query = select(A.id, A.property_name, A.owner_id, A.owner_name, A.organisation_id, A.org_name, A.published_at,
                   A.auction_at, A.reg_start, A.reg_end, A.property_type_id, A.root_id, A.related_ids, A.province,
                   A.url, A.status)
    if since is not None:
        start = datetime.combine(since, datetime.min.time(), tzinfo=VN_TZ)
        query = query.where((A.published_at >= start) | A.published_at.is_(None))
    notices: dict[int, Notice] = {}
    for row in session.execute(query):
        (nid, name, owner_id, owner_name, org_id, org_name, published, auction_at, reg_start, reg_end, type_id,
         root_id, related, province, url, status) = row
        notices[nid] = Notice(
            id=nid, name=(name or "")[:NAME_CHARS], owner_id=owner_id, owner_name=owner_name, org_id=org_id,
            org_name=org_name, published=portal_time(published), auction_at=portal_time(auction_at),
            reg_start=portal_time(reg_start), reg_end=portal_time(reg_end), property_type_id=type_id, root_id=root_id,
            related_ids=ids_of(related), province=province, url=url, status=status or "active")
    for nid, lots in _load_lots(session, notices).items():
        if nid in notices:
            notices[nid].lots = sorted(lots, key=lambda l: l.index)
    return notices


def load_dataset(session: Session, columns: Columns | None = None) -> Dataset:
    """Owners, organisations, results and the auction notices' columns (``columns`` when already loaded)."""
    owners = {
        oid: OwnerInfo(oid, name, kind, bool(is_thads), province, key)
        for oid, name, kind, is_thads, province, key in session.execute(
            select(Owner.id, Owner.name, Owner.kind, Owner.is_thads, Owner.province, Owner.key))
    }
    orgs, org_keys = {}, {}
    for oid, name, key in session.execute(select(Organisation.id, Organisation.name, Organisation.key)):
        orgs[oid], org_keys[oid] = name, key
    columns = columns if columns is not None else load_columns(session)
    R = SelectionResult
    results = [
        ResultRow(rid, owner_id, org_id, portal_time(published), (name or "")[:NAME_CHARS], province, url)
        for rid, owner_id, org_id, published, name, province, url in session.execute(select(
            R.id, R.owner_id, R.organisation_id, R.published_at, R.property_name, R.province, R.url)
            .where(R.status != "removed"))
    ]
    return Dataset(notices=LazyNotices(columns), owners=owners, orgs=orgs, results=results, org_keys=org_keys,
                   columns=columns)


def _load_lots(session: Session, notices: dict[int, Notice]) -> dict[int, list[LotTerms]]:
    """Every auction-notice lot with the typed columns the text layer stored for it (no text is read here)."""
    out: dict[int, list[LotTerms]] = defaultdict(list)
    F = LotFeatures
    query = (select(Lot.notice_key, Lot.lot_index, Lot.name, Lot.place, Lot.start_price, Lot.deposit, Lot.deposit_unit,
                    Lot.file_cost, Lot.property_type_id, F.asset_class, F.price_basis, F.price_basis_proven,
                    F.deposit_comparable, F.units, F.shared_by_lots, F.term_months, F.periodic, F.land_area_m2,
                    F.fee_table, F.inputs_sha256)
             .outerjoin(F, (F.notice_kind == Lot.notice_kind) & (F.notice_key == Lot.notice_key)
                        & (F.lot_index == Lot.lot_index))
             .where(Lot.notice_kind == NoticeKind.AUCTION_NOTICE))
    for key, idx, name, place, price, deposit, unit, fee, type_id, *read in session.execute(query):
        try:
            nid = int(key)
        except (TypeError, ValueError):
            continue
        notice = notices.get(nid)
        if notice is None:
            continue
        name = (name or "")[:NAME_CHARS] or None
        if name == notice.name:
            name = notice.name  # one string, not two: a single lot usually repeats the notice name
        lot = LotTerms(idx, name, (place or "")[:1000] or None, price, deposit, unit, fee, type_id)
        if read[0] is not None:
            (lot.asset_class, lot.price_basis, lot.price_basis_proven, lot.deposit_comparable, lot.units,
             lot.shared_by_lots, lot.term_months, lot.periodic, lot.land_area_m2, lot.fee_table, lot.inputs) = read
        out[nid].append(lot)
    return out


@dataclass(frozen=True)
class LotDetail:
    """What a finding's evidence shows of a lot's reading: its amounts with the notes on their bases, and why the
    lot is of its asset class."""

    amounts: LotAmounts | None
    asset_class_reason: str


def stored_details(session: Session, keys: list[tuple[int, int]]) -> dict[tuple[int, int], LotDetail]:
    """The full readings of these auction-notice lots (notice id, lot index), in a few queries."""
    out: dict[tuple[int, int], LotDetail] = {}
    by_notice: dict[str, set[int]] = defaultdict(set)
    for nid, idx in keys:
        by_notice[str(nid)].add(idx)
    notice_keys = sorted(by_notice)
    for i in range(0, len(notice_keys), 500):
        for key, idx, amounts, parcel in session.execute(
                select(LotFeatures.notice_key, LotFeatures.lot_index, LotFeatures.amounts, LotFeatures.parcel)
                .where(LotFeatures.notice_kind == NoticeKind.AUCTION_NOTICE,
                       LotFeatures.notice_key.in_(notice_keys[i:i + 500]))):
            if idx in by_notice[key]:
                out[(int(key), idx)] = LotDetail(LotAmounts.from_dict(amounts) if amounts else None,
                                                 (parcel or {}).get("asset_class_reason", ""))
    return out


def stored_detail(session: Session, notice_id: int, lot_index: int) -> LotDetail:
    return stored_details(session, [(notice_id, lot_index)]).get((notice_id, lot_index), LotDetail(None, ""))


def open_subjects(session: Session, detector: str, rule: str) -> set[str]:
    """Subjects of this rule's still-open findings (a rule that no longer produces them must resolve them)."""
    return set(session.scalars(select(Finding.subject_id).where(
        Finding.detector == detector, Finding.rule == rule, Finding.resolved_at.is_(None))))


def open_flags(session: Session, detector: str, rule: str) -> dict[str, dict]:
    """Subject -> evidence of this rule's open flags (what an earlier, wider pass concluded)."""
    return {subject: evidence or {} for subject, evidence in session.execute(
        select(Finding.subject_id, Finding.evidence).where(
            Finding.detector == detector, Finding.rule == rule, Finding.status == "flag",
            Finding.resolved_at.is_(None)))}
