"""Parcel completeness: for every lot, which land-parcel facts its notice (and readable attachments) state, read
with the parcel-details detector's own extraction (``detectors.parcel_details``), joined with the notice's owner,
organisation, province and publication day; and shares of land lots missing each fact per owner or organisation
and month."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.common import DB, frame, local_naive, period_alias, province_label, session_for, short
from detectors.parcel_details import Settings as ParcelSettings
from detectors.parcel_details import extract_for, iter_lot_inputs
from storage.kinds import NoticeKind
from storage.models import AuctionNotice, Organisation, RecordLink, SelectionNotice, SelectionResult, ThadsNotice
from vntext.parcels import FIELDS

NO_ORGANISATION = "(chưa có tổ chức đấu giá)"
NO_OWNER = "(không rõ người có tài sản)"
LOT_COLUMNS = ["notice_kind", "notice_id", "lot_index", "is_land", "owner", "organisation", "province",
               "province_name", "published", *FIELDS, *[f"missing_{f}" for f in FIELDS], "missing_required",
               "unread_attachments", "url"]


def _notice_context(session: Session) -> dict[tuple[str, str], dict[str, Any]]:
    """(notice kind, key) -> owner, organisation and publication time, for every notice that can have lots."""
    orgs = dict(session.execute(select(Organisation.id, Organisation.name)).all())
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for n in session.scalars(select(AuctionNotice)):
        out[(NoticeKind.AUCTION_NOTICE, str(n.id))] = {
            "owner": n.owner_name, "organisation": orgs.get(n.organisation_id) or n.org_name,
            "published": local_naive(n.published_at)}
    chosen: dict[str, str | None] = {}
    results = {str(r.id): orgs.get(r.organisation_id) or r.org_name for r in session.scalars(select(SelectionResult))}
    for from_key, to_key in session.execute(select(RecordLink.from_key, RecordLink.to_key).where(
            RecordLink.link_type == "result_notice", RecordLink.from_kind == NoticeKind.SELECTION_RESULT,
            RecordLink.status == "matched")):
        chosen[to_key] = results.get(from_key)
    for n in session.scalars(select(SelectionNotice)):
        out[(NoticeKind.SELECTION_NOTICE, str(n.id))] = {
            "owner": n.owner_name, "organisation": chosen.get(str(n.id)),
            "published": local_naive(n.first_published_at or n.published_at)}
    for t in session.scalars(select(ThadsNotice)):
        day = t.published_on or t.notice_date
        out[(NoticeKind.THADS_NOTICE, t.key)] = {"owner": t.owner_name, "organisation": t.selected_org,
                                        "published": pd.Timestamp(day).to_pydatetime() if day else None}
    return out


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or None
    return short(str(value), 200)


def lot_parcels(db: DB, settings: ParcelSettings | None = None, *, land_only: bool = False) -> pd.DataFrame:
    """One row per lot of the notice kinds the parcel detector checks (its ``settings``, defaults when None):
    whether it is land, the owner, organisation, province and publication time of its notice, each parcel fact
    found (parcel_no, map_sheet, area_m2, location, certificate, land_use_purpose, use_term), one boolean
    ``missing_<field>`` per fact (always False for a lot that is not land), the required facts missing, how many
    attachments of the notice could not be read (they may state a missing fact) and the notice URL."""
    settings = settings if isinstance(settings, ParcelSettings) else ParcelSettings()
    rows = []
    from storage.features import ensure_current

    with session_for(db) as s:
        ensure_current(s)
        context = _notice_context(s)
        for lot in iter_lot_inputs(s, settings):
            d = extract_for(lot, settings)
            if land_only and not d.is_land:
                continue
            ctx = context.get((lot.notice_kind, lot.notice_key), {})
            values = {"parcel_no": d.parcel_no, "map_sheet": d.map_sheet, "area_m2": d.area_m2,
                      "location": d.location, "certificate": d.certificate,
                      "land_use_purpose": d.land_use_purpose, "use_term": d.use_term}
            row = {"notice_kind": lot.notice_kind, "notice_id": lot.notice_key, "lot_index": lot.lot_index,
                   "is_land": d.is_land, "owner": short(ctx.get("owner") or lot.owner_name, 150) or NO_OWNER,
                   "organisation": short(ctx.get("organisation"), 150) or NO_ORGANISATION,
                   "province": lot.province, "province_name": province_label(lot.province),
                   "published": ctx.get("published"), "missing_required": list(d.missing),
                   "unread_attachments": len(lot.unread_attachments), "url": lot.url}
            for f in FIELDS:
                row[f] = values[f] if f == "area_m2" else _text(values[f])
                row[f"missing_{f}"] = bool(d.is_land and not values[f])
            rows.append(row)
    df = frame(rows, LOT_COLUMNS)
    df["published"] = pd.to_datetime(df["published"])
    return df


def parcel_completeness(db: DB, by: str | None = "owner", freq: str | None = "M", *,
                        fields: Iterable[str] = FIELDS, settings: ParcelSettings | None = None,
                        min_lots: int = 1) -> pd.DataFrame:
    """Share of land lots missing each parcel fact, grouped by ``by`` ("owner", "organisation", "province_name",
    "notice_kind" or None for all) and by publication period (``freq`` "W", "M", "Q", "Y"; None: whole period).
    Columns: the group, ``period`` (start day), ``land_lots``, ``missing_<field>`` shares in 0..1, and
    ``missing_any_required`` (share of lots missing at least one required fact). Groups with fewer than
    ``min_lots`` land lots are left out. Lots without a publication day count under no period."""
    fields = list(fields)
    unknown = [f for f in fields if f not in FIELDS]
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(unknown)}")
    if by not in (None, "owner", "organisation", "province_name", "notice_kind"):
        raise ValueError("by must be owner, organisation, province_name, notice_kind or None")
    df = lot_parcels(db, settings, land_only=True)
    keys = ([by] if by else []) + (["period"] if freq else [])
    columns = keys + ["land_lots"] + [f"missing_{f}" for f in fields] + ["missing_any_required"]
    if df.empty:
        return frame([], columns)
    df = df.assign(missing_any_required=df["missing_required"].map(bool))
    if freq:
        df = df[df["published"].notna()]
        df = df.assign(period=df["published"].dt.to_period(period_alias(freq)).dt.start_time)
    agg = {f"missing_{f}": (f"missing_{f}", "mean") for f in fields}
    agg["missing_any_required"] = ("missing_any_required", "mean")
    if keys:
        out = df.groupby(keys, as_index=False).agg(land_lots=("notice_id", "count"), **agg)
    else:
        out = pd.DataFrame([{"land_lots": len(df), **{k: df[col].mean() for k, (col, _) in agg.items()}}])
    out = out[out["land_lots"] >= min_lots]
    sort = (["period"] if freq else []) + ["land_lots"] + ([by] if by else [])
    asc = ([True] if freq else []) + [False] + ([True] if by else [])
    return out[columns].sort_values(sort, ascending=asc, ignore_index=True)
