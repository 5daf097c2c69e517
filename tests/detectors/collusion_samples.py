"""Test helpers for the collusion detector: in-memory notices, a schema-only database, and the real TP.HCM relist
groups (``/work/shared/data/dgts/raw-samples/relist_groups_tphcm_suspicious_2026-07.txt``)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from detectors.collusion.dataset import Dataset, OwnerInfo
from detectors.collusion.notice import LotTerms, Notice
from storage.models import Base
from storage.timeutil import VN_TZ

RELIST_GROUPS_NAME = "relist_groups_tphcm_suspicious_2026-07.txt"
RELIST_GROUP_PATHS = [
    Path(__file__).resolve().parents[1] / "data" / "dgts" / RELIST_GROUPS_NAME,
    Path("/work/shared/data/dgts/raw-samples") / RELIST_GROUPS_NAME,
]
_ITEM = re.compile(r"^\s+- \[(\d+)\]\s*(.*?)\s*\((\d+|undefined) VND\)\s*$")
_HEADER = re.compile(r"^--- SUSPICIOUS GROUP: (.*) \(Size: (\d+)\) ---$")
BASE_TIME = datetime(2020, 1, 1, tzinfo=VN_TZ)


def relist_groups() -> list[list[tuple[int, str, int | None]]]:
    """The 47 groups as (id, name, start price) lists; the file truncates long names (a U+FFFD at the cut)."""
    path = next((p for p in RELIST_GROUP_PATHS if p.is_file()), None)
    if path is None:
        pytest.skip(f"{RELIST_GROUPS_NAME} is not available")
    groups: list[list[tuple[int, str, int | None]]] = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if _HEADER.match(line):
            groups.append([])
            continue
        m = _ITEM.match(line)
        if m and groups:
            price = None if m.group(3) == "undefined" else int(m.group(3))
            groups[-1].append((int(m.group(1)), m.group(2).replace("\ufffd", "").strip(), price))
    return groups


def group_with(groups: list[list[tuple[int, str, int | None]]], notice_id: int) -> list[tuple[int, str, int | None]]:
    return next(g for g in groups if any(i == notice_id for i, _, _ in g))


def notice(nid: int, name: str, price: float | None, *, owner_id: int | None = None, org_id: int | None = 1,
           published: datetime | None = None, auction_at: datetime | None = None, reg_start: datetime | None = None,
           reg_end: datetime | None = None, type_id: int | None = None, root_id: int | None = None,
           related: tuple[int, ...] = (), province: str | None = None, deposit: float | None = None,
           deposit_unit: int | None = 0, fee: float | None = None, place: str | None = None) -> Notice:
    """A notice as the detector loads it. Without a publication time, ids stand in for time (3 minutes per id:
    the portal allocates ids at creation, so relists of one asset come in id order)."""
    return Notice(
        id=nid, name=name, owner_id=owner_id, owner_name=None if owner_id is None else f"Chủ sở hữu {owner_id}",
        org_id=org_id, org_name=None if org_id is None else f"Tổ chức {org_id}",
        published=published or BASE_TIME + timedelta(minutes=3 * nid), auction_at=auction_at, reg_start=reg_start,
        reg_end=reg_end, property_type_id=type_id, root_id=root_id, related_ids=related, province=province,
        url=f"https://dgts.moj.gov.vn/thong-bao-cong-khai-viec-dau-gia/x-{nid}.html", status="active",
        lots=[LotTerms(0, name, place, price, deposit, deposit_unit, fee, type_id)])


def dataset(notices: list[Notice], owners: dict[int, OwnerInfo] | None = None,
            orgs: dict[int, str] | None = None) -> Dataset:
    org_ids = {n.org_id for n in notices if n.org_id is not None}
    return Dataset(notices={n.id: n for n in notices}, owners=owners or {},
                   orgs=orgs or {o: f"Tổ chức {o}" for o in org_ids}, results=[])


def empty_session() -> Session:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    return Session(engine)
