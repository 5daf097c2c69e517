"""Owners and auction organisations: who chose whom, when, after which window; shares from either side; and
the weighted owner–organisation edges for a small network picture.

A *selection* is one decision of an owner to use an organisation for one asset, read from

* a dgts selection result (with the selection notice it was linked to, its window and stated decision date),
* a THADS selection result (same, from the THADS sub-site),
* with ``include_auction_notices``, an auction notice as a proxy for "organisation used" — one per relist chain and
  organisation (``record_links`` relist pairs, matched), and none when a selection result of the same owner and
  organisation describes a similar asset (``vntext.similarity.asset_similarity`` >= 70) within ``match_days``:
  that result already counted it. This follows the collusion detector's definition closely; the detector's own
  counts (over its period) are in the evidence of its findings.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.common import DB, frame, local_naive, session_for, short
from storage.kinds import NoticeKind
from storage.models import (
    AuctionNotice,
    Organisation,
    Owner,
    RecordLink,
    SelectionNotice,
    SelectionResult,
    ThadsNotice,
)
from vntext.fold import fold_name
from vntext.similarity import asset_similarity

SELECTION_COLUMNS = ["when", "source", "record_id", "owner_id", "owner", "organisation_id", "organisation",
                     "notice_id", "link_status", "window_start", "window_end", "decision_date", "result_published",
                     "relisted", "property_name", "url"]
ASSET_MATCH = 70.0


def _resolve(session: Session, model: type, value: int | str, what: str):
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        row = session.get(model, int(value))
        if row is None:
            raise LookupError(f"no {what} with id {value}")
        return row
    if not isinstance(value, str) or not value.strip():
        raise LookupError(f"{what} must be an id or a name")
    text = value.strip()
    row = session.scalar(select(model).where(model.key == text))
    if row is not None:
        return row
    rows = list(session.scalars(select(model).order_by(model.id)))
    folded = fold_name(text)
    exact = [r for r in rows if fold_name(r.name) == folded]
    if len(exact) >= 1:
        return exact[0]
    partial = [r for r in rows if folded in fold_name(r.name)]
    if len(partial) == 1:
        return partial[0]
    if not partial:
        raise LookupError(f"no {what} named like {text!r}")
    names = "; ".join(f"{r.id}: {r.name}" for r in partial[:10])
    raise LookupError(f"{len(partial)} {what}s match {text!r}, give one id: {names}")


def resolve_owner(session: Session, owner: int | str) -> Owner:
    """An owner by id, key, exact name (accents and case ignored) or a unique part of its name; LookupError
    with the candidates when the part is ambiguous."""
    return _resolve(session, Owner, owner, "owner")


def resolve_organisation(session: Session, organisation: int | str) -> Organisation:
    """An auction organisation by id, key, exact name or a unique part of its name (as ``resolve_owner``)."""
    return _resolve(session, Organisation, organisation, "organisation")


def find_owners(db: DB, query: str = "", limit: int = 50) -> pd.DataFrame:
    """Owners whose name contains ``query`` (accents and case ignored), with how many selection notices, results,
    auction notices and THADS notices name them; most active first."""
    with session_for(db) as s:
        counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for label, model in (("selection_notices", SelectionNotice), ("selection_results", SelectionResult),
                             ("auction_notices", AuctionNotice), ("thads_notices", ThadsNotice)):
            for (oid,) in s.execute(select(model.owner_id).where(model.owner_id.is_not(None))):
                counts[oid][label] += 1
        folded = fold_name(query) if query else ""
        rows = []
        for o in s.scalars(select(Owner).order_by(Owner.id)):
            if folded and folded not in fold_name(o.name):
                continue
            c = counts.get(o.id, {})
            rows.append({"id": o.id, "name": short(o.name, 150), "kind": o.kind, "province": o.province,
                         "selection_notices": c.get("selection_notices", 0),
                         "selection_results": c.get("selection_results", 0),
                         "auction_notices": c.get("auction_notices", 0), "thads_notices": c.get("thads_notices", 0)})
    df = frame(rows, ["id", "name", "kind", "province", "selection_notices", "selection_results", "auction_notices",
                      "thads_notices"])
    activity = df[["selection_notices", "selection_results", "auction_notices", "thads_notices"]].sum(axis=1)
    return df.assign(_a=activity).sort_values(["_a", "id"], ascending=[False, True]).drop(columns="_a").head(limit) \
        .reset_index(drop=True)


def _relist_components(session: Session) -> dict[str, str]:
    """auction notice id -> smallest id of its relist chain (matched relist links only)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in session.execute(select(RecordLink.from_key, RecordLink.to_key).where(
            RecordLink.link_type == "relist", RecordLink.status == "matched")):
        ra, rb = find(a), find(b)
        if ra != rb:
            keep, drop = sorted((ra, rb), key=lambda k: (len(k), k))
            parent[drop] = keep
    return {k: find(k) for k in parent}


def _result_links(session: Session) -> dict[tuple[str, str], list[tuple[str, str]]]:
    out: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for fk, fkey, tkey, status in session.execute(
            select(RecordLink.from_kind, RecordLink.from_key, RecordLink.to_key, RecordLink.status)
            .where(RecordLink.link_type == "result_notice", RecordLink.status.in_(["matched", "ambiguous"]))
            .order_by(RecordLink.to_key)):
        out[(fk, fkey)].append((tkey, status))
    return out


def _link_fields(links: list[tuple[str, str]]) -> tuple[str | None, str | None]:
    matched = [k for k, st in links if st == "matched"]
    if len(matched) == 1:
        return matched[0], "matched"
    if links:
        return None, "ambiguous: " + ", ".join(k for k, _ in links)
    return None, None


def selection_rows(session: Session, *, owner_ids: set[int] | None = None, org_ids: set[int] | None = None,
                   include_auction_notices: bool = True, match_days: int = 180) -> list[dict[str, Any]]:
    """Selections (see the module docstring) as dicts, oldest first, optionally only of some owners/organisations."""
    def wanted(owner_id: int | None, org_id: int | None) -> bool:
        return (owner_id is not None and org_id is not None and (owner_ids is None or owner_id in owner_ids)
                and (org_ids is None or org_id in org_ids))

    owners = dict(session.execute(select(Owner.id, Owner.name)).all())
    orgs = dict(session.execute(select(Organisation.id, Organisation.name)).all())
    links = _result_links(session)
    rows: list[dict[str, Any]] = []

    results = [r for r in session.scalars(_narrowed(select(SelectionResult), SelectionResult, owner_ids, org_ids)
                                          .order_by(SelectionResult.id))
               if wanted(r.owner_id, r.organisation_id)]
    notice_ids = set()
    for r in results:
        nid, _ = _link_fields(links.get((NoticeKind.SELECTION_RESULT, str(r.id)), []))
        if nid is None and r.notice_id is not None:
            nid = str(r.notice_id)
        if nid:
            notice_ids.add(int(nid))
    notices = {n.id: n for n in session.scalars(select(SelectionNotice).where(SelectionNotice.id.in_(notice_ids)))} \
        if notice_ids else {}
    for r in results:
        nid, status = _link_fields(links.get((NoticeKind.SELECTION_RESULT, str(r.id)), []))
        if nid is None and r.notice_id is not None and not status:
            nid, status = str(r.notice_id), "portal id"
        n = notices.get(int(nid)) if nid else None
        rows.append({
            "when": local_naive(r.published_at), "source": NoticeKind.SELECTION_RESULT, "record_id": str(r.id),
            "owner_id": r.owner_id, "owner": owners.get(r.owner_id), "organisation_id": r.organisation_id,
            "organisation": orgs.get(r.organisation_id), "notice_id": nid, "link_status": status,
            "window_start": n.window_start if n else None, "window_end": n.window_end if n else None,
            "decision_date": r.decision_date, "result_published": local_naive(r.published_at), "relisted": 0,
            "property_name": short(r.property_name, 200), "url": r.url,
            "_name": r.property_name,
        })

    thads_results = session.scalars(_narrowed(select(ThadsNotice), ThadsNotice, owner_ids, org_ids)
                                    .where(ThadsNotice.category == "selection_result"))
    for t in thads_results:
        if not wanted(t.owner_id, t.organisation_id):
            continue
        nid, status = _link_fields(links.get((NoticeKind.THADS_NOTICE, t.key), []))
        n = session.get(ThadsNotice, nid) if nid else None
        pub = datetime.combine(t.published_on or t.notice_date, datetime.min.time()) \
            if (t.published_on or t.notice_date) else None
        rows.append({
            "when": pub, "source": "thads_result", "record_id": t.key, "owner_id": t.owner_id,
            "owner": owners.get(t.owner_id), "organisation_id": t.organisation_id,
            "organisation": orgs.get(t.organisation_id), "notice_id": nid, "link_status": status,
            "window_start": n.window_start if n else None, "window_end": n.window_end if n else None,
            "decision_date": t.decision_date, "result_published": pub, "relisted": 0,
            "property_name": short(t.title, 200), "url": t.url, "_name": t.title,
        })

    if include_auction_notices:
        rows.extend(_notice_selections(session, rows, wanted, owners, orgs, match_days, owner_ids, org_ids))
    rows.sort(key=lambda r: (r["when"] or datetime.max, r["source"], r["record_id"]))
    for r in rows:
        r.pop("_name", None)
    return rows


def _narrowed(query, model, owner_ids: set[int] | None, org_ids: set[int] | None):
    """Push the owner / organisation filter into SQL, so a large database is not read whole."""
    if owner_ids is not None:
        query = query.where(model.owner_id.in_(sorted(owner_ids)))
    if org_ids is not None:
        query = query.where(model.organisation_id.in_(sorted(org_ids)))
    return query


def _notice_selections(session: Session, result_rows: list[dict[str, Any]], wanted, owners: dict[int, str],
                       orgs: dict[int, str], match_days: int, owner_ids: set[int] | None,
                       org_ids: set[int] | None) -> list[dict[str, Any]]:
    chain_of = _relist_components(session)
    firsts: dict[tuple[str, int], AuctionNotice] = {}
    sizes: dict[tuple[str, int], int] = defaultdict(int)
    query = _narrowed(select(AuctionNotice), AuctionNotice, owner_ids, org_ids)
    for n in session.scalars(query.where(AuctionNotice.published_at.is_not(None)).order_by(AuctionNotice.id)):
        if not wanted(n.owner_id, n.organisation_id):
            continue
        key = (chain_of.get(str(n.id), str(n.id)), n.organisation_id)
        sizes[key] += 1
        cur = firsts.get(key)
        if cur is None or (local_naive(n.published_at), n.id) < (local_naive(cur.published_at), cur.id):
            firsts[key] = n
    by_pair: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    for r in result_rows:
        by_pair[(r["owner_id"], r["organisation_id"])].append(r)
    window = timedelta(days=match_days)
    used: set[str] = set()
    out = []
    for key, n in sorted(firsts.items(), key=lambda kv: (local_naive(kv[1].published_at), kv[1].id)):
        when = local_naive(n.published_at)
        name = n.property_name or n.title
        matched = None
        for r in by_pair.get((n.owner_id, n.organisation_id), []):
            if r["record_id"] in used or r["when"] is None or abs(r["when"] - when) > window:
                continue
            if asset_similarity(name, r["_name"])[0] >= ASSET_MATCH:
                matched = r
                break
        if matched is not None:
            used.add(matched["record_id"])
            continue
        out.append({
            "when": when, "source": NoticeKind.AUCTION_NOTICE, "record_id": str(n.id), "owner_id": n.owner_id,
            "owner": owners.get(n.owner_id), "organisation_id": n.organisation_id,
            "organisation": orgs.get(n.organisation_id), "notice_id": None, "link_status": None,
            "window_start": None, "window_end": None, "decision_date": None, "result_published": None,
            "relisted": sizes[key] - 1, "property_name": short(name, 200), "url": n.url, "_name": name,
        })
    return out


def _selections_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    df = frame(rows, SELECTION_COLUMNS)
    for col in ("when", "result_published", "window_start", "window_end", "decision_date"):
        df[col] = pd.to_datetime(df[col], errors="coerce")
    return df


def owner_selections(db: DB, owner: int | str, *, include_auction_notices: bool = True,
                     match_days: int = 180) -> pd.DataFrame:
    """Every selection by one owner (id, key or name), oldest first: when, source (selection_result,
    thads_result, auction_notice), chosen organisation, linked selection notice with its window, stated decision
    date, result publication time, relist count (auction notices) and the portal URL."""
    with session_for(db) as s:
        o = resolve_owner(s, owner)
        rows = selection_rows(s, owner_ids={o.id}, include_auction_notices=include_auction_notices,
                              match_days=match_days)
    return _selections_frame(rows)


def organisation_selections(db: DB, organisation: int | str, *, include_auction_notices: bool = True,
                            match_days: int = 180) -> pd.DataFrame:
    """Every selection of one auction organisation, by any owner (the organisation's side of
    ``owner_selections``)."""
    with session_for(db) as s:
        org = resolve_organisation(s, organisation)
        rows = selection_rows(s, org_ids={org.id}, include_auction_notices=include_auction_notices,
                              match_days=match_days)
    return _selections_frame(rows)


def organisation_share(db: DB, *, owner: int | str | None = None, organisation: int | str | None = None,
                       include_auction_notices: bool = True) -> pd.DataFrame:
    """Shares of selections. With ``owner``: one row per organisation it chose (selections, share of the owner's
    selections, first and last time). With ``organisation``: one row per owner that chose it. Largest first."""
    if (owner is None) == (organisation is None):
        raise ValueError("give exactly one of owner or organisation")
    if owner is not None:
        sel, key, label = owner_selections(db, owner, include_auction_notices=include_auction_notices), \
            "organisation_id", "organisation"
    else:
        sel, key, label = organisation_selections(db, organisation, include_auction_notices=include_auction_notices), \
            "owner_id", "owner"
    columns = [key, label, "selections", "share", "first", "last"]
    if sel.empty:
        return frame([], columns)
    out = sel.groupby([key, label], as_index=False).agg(selections=("record_id", "count"), first=("when", "min"),
                                                        last=("when", "max"))
    out["share"] = out["selections"] / out["selections"].sum()
    return out[columns].sort_values(["selections", label], ascending=[False, True], ignore_index=True)


def owner_org_edges(db: DB, *, owner: int | str | None = None, organisation: int | str | None = None,
                    hops: int = 2, min_selections: int = 1, max_edges: int = 60,
                    include_auction_notices: bool = True) -> pd.DataFrame:
    """Owner–organisation edges weighted by selections, for a network picture. With ``owner``: its edges and,
    with ``hops`` = 2, the other owners of the organisations it chose; with ``organisation``: symmetric; with
    neither: all edges. Edges below ``min_selections`` are dropped and at most ``max_edges`` heaviest kept (the
    focus node's own edges first). ``focus`` marks edges touching the owner or organisation asked about."""
    if owner is not None and organisation is not None:
        raise ValueError("give at most one of owner or organisation")
    with session_for(db) as s:
        focus_owner = resolve_owner(s, owner).id if owner is not None else None
        focus_org = resolve_organisation(s, organisation).id if organisation is not None else None
        if focus_owner is not None:
            rows = selection_rows(s, owner_ids={focus_owner}, include_auction_notices=include_auction_notices)
            if hops >= 2:
                orgs = {r["organisation_id"] for r in rows}
                if orgs:
                    rows = selection_rows(s, org_ids=orgs, include_auction_notices=include_auction_notices)
        elif focus_org is not None:
            rows = selection_rows(s, org_ids={focus_org}, include_auction_notices=include_auction_notices)
            if hops >= 2:
                owners = {r["owner_id"] for r in rows}
                rows = selection_rows(s, owner_ids=owners, include_auction_notices=include_auction_notices) \
                    if owners else rows
        else:
            rows = selection_rows(s, include_auction_notices=include_auction_notices)
    columns = ["owner_id", "owner", "organisation_id", "organisation", "selections", "focus"]
    if not rows:
        return frame([], columns)
    df = frame(rows, SELECTION_COLUMNS)
    edges = df.groupby(["owner_id", "owner", "organisation_id", "organisation"], as_index=False) \
        .agg(selections=("record_id", "count"))
    edges["focus"] = ((edges["owner_id"] == focus_owner) if focus_owner is not None else False) | \
        ((edges["organisation_id"] == focus_org) if focus_org is not None else False)
    edges = edges[edges["selections"] >= min_selections]
    edges = edges.sort_values(["focus", "selections", "owner", "organisation"], ascending=[False, False, True, True])
    return edges.head(max_edges)[columns].reset_index(drop=True)
