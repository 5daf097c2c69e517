"""One notice end to end: its family of related records (selection notice ↔ result, the auction notices that
followed for the same owner and asset, their relists, THADS ↔ dgts links), and everything that happened to them
on one timeline — publication, window, edits (change_events), result and decision date, auction notices and their
prices, attachments, findings — with portal URLs and evidence-store paths.

Kinds: ``selection_notice``, ``selection_result``, ``auction_notice`` (dgts integer ids) and ``thads_notice``
(``site/list/item`` keys).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from analysis.common import DB, format_vnd, frame, local_naive, session_for, short
from analysis.findings import subject_notice
from analysis.parties import ASSET_MATCH
from storage.evidence import EvidenceError, EvidenceStore
from storage.kinds import RECORD_KIND_OF_NOTICE, NoticeKind
from storage.models import (
    Attachment,
    AuctionNotice,
    ChangeEvent,
    Finding,
    Lot,
    Organisation,
    RawResponse,
    RecordLink,
    SelectionNotice,
    SelectionResult,
    Snapshot,
    ThadsNotice,
)
from storage.timeutil import from_epoch_ms
from vntext.similarity import asset_similarity

KINDS = (NoticeKind.SELECTION_NOTICE, NoticeKind.SELECTION_RESULT, NoticeKind.AUCTION_NOTICE, NoticeKind.THADS_NOTICE)
MODELS = {NoticeKind.SELECTION_NOTICE: SelectionNotice, NoticeKind.SELECTION_RESULT: SelectionResult,
          NoticeKind.AUCTION_NOTICE: AuctionNotice}
FOLLOW_DAYS = 365  # how far after a selection its auction notices are looked for (and before, from an auction)
EARLY_DAYS = 30  # an auction notice may precede the result (premature choice), not the notice by much
EVENT_COLUMNS = ["at", "event", "record_kind", "record_id", "detail", "url", "evidence_path"]
RECORD_COLUMNS = ["record_kind", "record_id", "role", "title", "owner", "organisation", "published", "window_start",
                  "window_end", "start_price", "status", "url", "evidence_paths"]
EVENT_LABELS = {
    "NEW": "hệ thống ghi nhận lần đầu", "CHANGED": "nội dung thay đổi", "SECOND_PUBLICATION": "đăng lần hai",
    "CORRECTION": "thông báo đính chính/đăng lại", "WINDOW_CHANGED": "thời hạn nhận hồ sơ bị sửa",
    "DELISTED": "không còn trong danh sách", "REMOVAL_PENDING": "có thể đã bị gỡ", "REMOVED": "đã bị gỡ",
    "REAPPEARED": "xuất hiện trở lại", "CHECK_FAILED": "kiểm tra thất bại (lỗi truy cập)",
}


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")


def _exists(session: Session, kind: str, key: str) -> bool:
    if kind == NoticeKind.THADS_NOTICE:
        return session.get(ThadsNotice, key) is not None
    return key.isdigit() and session.get(MODELS[kind], int(key)) is not None


def _links(session: Session, link_type: str, kind: str, key: str) -> list[tuple[str, str, str]]:
    """(other kind, other key, status) of every non-rejected link of ``link_type`` touching (kind, key)."""
    out = []
    q = select(RecordLink).where(RecordLink.link_type == link_type, RecordLink.status != "rejected",
                                 or_((RecordLink.from_kind == kind) & (RecordLink.from_key == key),
                                     (RecordLink.to_kind == kind) & (RecordLink.to_key == key)))
    for link in session.scalars(q):
        if link.from_kind == kind and link.from_key == key:
            out.append((link.to_kind, link.to_key, link.status))
        else:
            out.append((link.from_kind, link.from_key, link.status))
    return out


def _relist_chain(session: Session, start: str) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        cur = todo.pop()
        for kind, key, _ in _links(session, "relist", NoticeKind.AUCTION_NOTICE, cur):
            if kind == NoticeKind.AUCTION_NOTICE and key not in seen:
                seen.add(key)
                todo.append(key)
    return seen


def _selection_closure(session: Session, family: dict[str, set[str]]) -> None:
    todo = [(k, key) for k in (NoticeKind.SELECTION_NOTICE, NoticeKind.SELECTION_RESULT, NoticeKind.THADS_NOTICE)
            for key in family[k]]
    while todo:
        kind, key = todo.pop()
        found = _links(session, "result_notice", kind, key) + _links(session, "thads_dgts", kind, key)
        if kind == NoticeKind.SELECTION_RESULT:
            r = session.get(SelectionResult, int(key))
            if r is not None and r.notice_id is not None:
                found.append((NoticeKind.SELECTION_NOTICE, str(r.notice_id), "portal id"))
        if kind == NoticeKind.SELECTION_NOTICE:
            for (rid,) in session.execute(select(SelectionResult.id).where(SelectionResult.notice_id == int(key))):
                found.append((NoticeKind.SELECTION_RESULT, str(rid), "portal id"))
        for okind, okey, _ in found:
            if okind in family and okey not in family[okind] and _exists(session, okind, okey):
                family[okind].add(okey)
                todo.append((okind, okey))


def notice_family(session: Session, kind: str, key: str | int) -> dict[str, set[str]]:
    """The records one notice is part of, by kind: linked selection notices and results (record_links
    result_notice, the portal's notice id, THADS ↔ dgts links), the auction notices of the same owner for a
    similar asset published after the selection (or, from an auction notice, the selections before it), and
    every relist of those auction notices. LookupError when the notice itself is not in the database."""
    _check_kind(kind)
    key = str(key).strip()
    if not _exists(session, kind, key):
        raise LookupError(f"no {kind} {key!r} in the database")
    family: dict[str, set[str]] = {k: set() for k in KINDS}
    family[kind].add(key)
    if kind == NoticeKind.AUCTION_NOTICE:
        family[NoticeKind.AUCTION_NOTICE] |= _relist_chain(session, key)
        _selections_before_auctions(session, family)
    _selection_closure(session, family)
    _auctions_after_selections(session, family)
    return family


def _selection_anchor(session: Session, family: dict[str, set[str]]) -> list[tuple[int | None, str | None, datetime]]:
    """(owner id, asset name, publication time) of each dgts selection notice and result in the family."""
    out = []
    for kind in (NoticeKind.SELECTION_NOTICE, NoticeKind.SELECTION_RESULT):
        for key in family[kind]:
            row = session.get(MODELS[kind], int(key))
            when = getattr(row, "first_published_at", None) or row.published_at
            if when is not None:
                out.append((row.owner_id, row.property_name, local_naive(when)))
    return out


def _auctions_after_selections(session: Session, family: dict[str, set[str]]) -> None:
    anchors = [a for a in _selection_anchor(session, family) if a[0] is not None]
    if not anchors:
        return
    owner_ids = {a[0] for a in anchors}
    start = min(a[2] for a in anchors) - timedelta(days=EARLY_DAYS)
    end = max(a[2] for a in anchors) + timedelta(days=FOLLOW_DAYS)
    found = set()
    for n in session.scalars(select(AuctionNotice).where(AuctionNotice.owner_id.in_(owner_ids))):
        when = local_naive(n.published_at)
        if when is None or not start <= when <= end or str(n.id) in family[NoticeKind.AUCTION_NOTICE]:
            continue
        name = n.property_name or n.title
        if any(o == n.owner_id and asset_similarity(name, a)[0] >= ASSET_MATCH for o, a, _ in anchors):
            found.add(str(n.id))
    for key in found:
        family[NoticeKind.AUCTION_NOTICE] |= _relist_chain(session, key)


def _selections_before_auctions(session: Session, family: dict[str, set[str]]) -> None:
    notices = [session.get(AuctionNotice, int(k)) for k in family[NoticeKind.AUCTION_NOTICE]]
    notices = [n for n in notices if n is not None and n.owner_id is not None and n.published_at is not None]
    if not notices:
        return
    first = min(local_naive(n.published_at) for n in notices)
    owner_ids = {n.owner_id for n in notices}
    names = [n.property_name or n.title for n in notices]
    for kind in (NoticeKind.SELECTION_RESULT, NoticeKind.SELECTION_NOTICE):
        model = MODELS[kind]
        for row in session.scalars(select(model).where(model.owner_id.in_(owner_ids))):
            when = local_naive(getattr(row, "first_published_at", None) or row.published_at)
            if when is None or not first - timedelta(days=FOLLOW_DAYS) <= when <= first + timedelta(days=EARLY_DAYS):
                continue
            if any(asset_similarity(row.property_name, name)[0] >= ASSET_MATCH for name in names):
                family[kind].add(str(row.id))


# ------------------------------------------------------------------------------------------------ frames


def _evidence_path(sha256: str | None, evidence_root: str | Path | None) -> str | None:
    if not sha256:
        return None
    store = EvidenceStore(evidence_root or ".")
    try:
        path = store.path_for(sha256)
    except EvidenceError:
        return None
    return str(path) if evidence_root else str(path.relative_to(store.root))


def _snapshot_paths(session: Session, record_kind: str, key: str, evidence_root: str | Path | None) -> list[str]:
    snap = session.scalar(select(Snapshot).where(Snapshot.record_kind == record_kind, Snapshot.record_key == key)
                          .order_by(Snapshot.id.desc()).limit(1))
    if snap is None or not snap.raw_response_ids:
        return []
    ids = [int(i) for i in snap.raw_response_ids if isinstance(i, int) or str(i).isdigit()]
    shas = session.scalars(select(RawResponse.sha256).where(RawResponse.id.in_(ids)).order_by(RawResponse.id))
    return [p for p in (_evidence_path(h, evidence_root) for h in shas) if p]


def _start_price(session: Session, kind: str, key: str) -> float | None:
    prices = [p for (p,) in session.execute(select(Lot.start_price).where(Lot.notice_kind == kind,
                                                                          Lot.notice_key == key)) if p is not None]
    return float(sum(prices)) if prices else None


def _day_start(d: date | None) -> datetime | None:
    return datetime.combine(d, time.min) if d else None


def notice_records(db: DB, kind: str, key: str | int, *, evidence_root: str | Path | None = None) -> pd.DataFrame:
    """The notice's family (``notice_family``) as one row per record: kind, id, role (the notice asked about,
    linked selection, result, auction notice or relist), title, owner, organisation, publication time, window,
    total start price of its lots, listing status, portal URL and the evidence files of its latest snapshot."""
    with session_for(db) as s:
        family = notice_family(s, kind, key)
        orgs = dict(s.execute(select(Organisation.id, Organisation.name)).all())
        chain = _relist_chain(s, str(key)) if kind == NoticeKind.AUCTION_NOTICE else set()
        rows = []
        for k in KINDS:
            for rid in sorted(family[k], key=lambda x: (len(x), x)):
                if k == NoticeKind.THADS_NOTICE:
                    t = s.get(ThadsNotice, rid)
                    row = {"title": t.title, "owner": t.owner_name, "organisation": t.selected_org,
                           "published": _day_start(t.published_on or t.notice_date), "window_start": t.window_start,
                           "window_end": t.window_end, "status": t.status, "url": t.url,
                           "role": f"THADS: {t.category}"}
                else:
                    r = s.get(MODELS[k], int(rid))
                    published = getattr(r, "first_published_at", None) or r.published_at
                    org_id = getattr(r, "organisation_id", None)
                    row = {"title": r.property_name or getattr(r, "title", None), "owner": r.owner_name,
                           "organisation": orgs.get(org_id) if org_id else getattr(r, "org_name", None),
                           "published": local_naive(published), "window_start": getattr(r, "window_start", None),
                           "window_end": getattr(r, "window_end", None), "status": r.status, "url": r.url,
                           "role": _role(k, rid, kind, str(key), chain)}
                rows.append({**row, "record_kind": k, "record_id": rid, "title": short(row["title"], 200),
                             "owner": short(row["owner"], 150), "organisation": short(row["organisation"], 150),
                             "start_price": _start_price(s, k, rid),
                             "evidence_paths": _snapshot_paths(s, RECORD_KIND_OF_NOTICE[k], rid, evidence_root)})
    df = frame(rows, RECORD_COLUMNS)
    df["published"] = pd.to_datetime(df["published"])
    return df.sort_values(["published", "record_kind", "record_id"], na_position="last", ignore_index=True)


def _role(kind: str, rid: str, asked_kind: str, asked: str, chain: set[str]) -> str:
    if kind == asked_kind and rid == asked:
        return "thông báo đang xem"
    if kind == NoticeKind.SELECTION_NOTICE:
        return "thông báo lựa chọn"
    if kind == NoticeKind.SELECTION_RESULT:
        return "kết quả lựa chọn"
    return "đấu giá lại" if rid in chain else "thông báo đấu giá"


def relist_rounds(db: DB, auction_id: str | int) -> pd.DataFrame:
    """The relist chain of an auction notice (record_links relist, not rejected), one row per notice in
    publication order: published, organisation, total start price, cut from the previous round, URL."""
    with session_for(db) as s:
        if not _exists(s, NoticeKind.AUCTION_NOTICE, str(auction_id)):
            raise LookupError(f"no auction_notice {auction_id!r} in the database")
        chain = _relist_chain(s, str(auction_id))
        orgs = dict(s.execute(select(Organisation.id, Organisation.name)).all())
        rows = []
        for key in chain:
            n = s.get(AuctionNotice, int(key))
            rows.append({"record_id": key, "published": local_naive(n.published_at),
                         "organisation": orgs.get(n.organisation_id) or n.org_name,
                         "start_price": _start_price(s, NoticeKind.AUCTION_NOTICE, key), "round_label": n.round_label,
                         "url": n.url})
    df = frame(rows, ["record_id", "published", "organisation", "start_price", "round_label", "url"])
    df = df.sort_values(["published", "record_id"], ignore_index=True)
    df.insert(0, "round", range(1, len(df) + 1))
    prev = df["start_price"].shift(1)
    df["cut"] = (1 - df["start_price"] / prev).where(prev.notna() & (prev > 0))
    return df


def notice_attachments(db: DB, kind: str, key: str | int, *, evidence_root: str | Path | None = None) -> pd.DataFrame:
    """Attachments of every record in the notice's family: file name, role, size, text extraction status and
    method, when fetched, the evidence-store path of its bytes and its portal URL."""
    with session_for(db) as s:
        family = notice_family(s, kind, key)
        rows = []
        for k in KINDS:
            if not family[k]:
                continue
            for a in s.scalars(select(Attachment).where(Attachment.notice_kind == k,
                                                        Attachment.notice_key.in_(sorted(family[k])))
                               .order_by(Attachment.notice_key, Attachment.id)):
                rows.append({"record_kind": k, "record_id": a.notice_key,
                             "file_name": short(a.original_name or a.file_name, 200),
                             "role": a.role, "size": a.size, "text_status": a.text_status, "text_method": a.text_method,
                             "fetched_at": local_naive(a.fetched_at),
                             "evidence_path": _evidence_path(a.sha256, evidence_root), "url": a.source_url})
    return frame(rows, ["record_kind", "record_id", "file_name", "role", "size", "text_status", "text_method",
                        "fetched_at", "evidence_path", "url"])


def _family_urls(session: Session, family: dict[str, set[str]]) -> set[str]:
    urls = set()
    for k in KINDS:
        for rid in family[k]:
            row = session.get(ThadsNotice, rid) if k == NoticeKind.THADS_NOTICE else session.get(MODELS[k], int(rid))
            if row is not None and row.url:
                urls.add(row.url)
    return urls


def notice_findings(db: DB, kind: str, key: str | int, *, include_resolved: bool = True) -> pd.DataFrame:
    """Findings about any record of the notice's family (the record itself, one of its lots, a relist chain
    through it) or naming one of its portal URLs (owner-level patterns): detector, rule, status, severity, title,
    subject, first seen, resolved time, URLs and the latest verdict."""
    from storage.reviews import latest_verdicts

    with session_for(db) as s:
        family = notice_family(s, kind, key)
        urls = _family_urls(s, family)
        verdicts = latest_verdicts(s)
        q = select(Finding).order_by(Finding.first_seen, Finding.id)
        if not include_resolved:
            q = q.where(Finding.resolved_at.is_(None))
        rows = []
        for f in s.scalars(q):
            target = subject_notice(f.subject_kind, f.subject_id)
            chain_ids = {str(i) for i in (f.evidence or {}).get("chain_notice_ids", []) or []} \
                if f.subject_kind == "chain" else set()
            hit = (target is not None and target[1] in family.get(target[0], set())) \
                or bool(chain_ids & family[NoticeKind.AUCTION_NOTICE]) or bool(urls & set(f.urls or []))
            if not hit:
                continue
            rows.append({"id": f.id, "detector": f.detector, "rule": f.rule, "status": f.status,
                         "severity": f.severity, "title": short(f.title), "subject_kind": f.subject_kind,
                         "subject_id": f.subject_id, "first_seen": local_naive(f.first_seen),
                         "resolved_at": local_naive(f.resolved_at), "urls": list(f.urls or []),
                         "verdict": verdicts.get(f.id)})
    return frame(rows, ["id", "detector", "rule", "status", "severity", "title", "subject_kind", "subject_id",
                        "first_seen", "resolved_at", "urls", "verdict"])


def _record_events(session: Session, k: str, rid: str, orgs: dict[int, str]) -> list[dict[str, Any]]:
    ev: list[dict[str, Any]] = []

    def add(at: datetime | None, event: str, detail: str | None = None, url: str | None = None) -> None:
        if at is not None:
            ev.append({"at": at, "event": event, "record_kind": k, "record_id": rid, "detail": detail, "url": url})

    if k == NoticeKind.THADS_NOTICE:
        t = session.get(ThadsNotice, rid)
        add(_day_start(t.published_on or t.notice_date), f"THADS đăng thông báo ({t.category})",
            short(t.title, 200), t.url)
        add(_day_start(t.window_start), "mở nhận hồ sơ (THADS)", None, t.url)
        if t.window_end:
            add(_day_start(t.window_end + timedelta(days=1)),
                f"hết hạn nhận hồ sơ (hết ngày {t.window_end.strftime('%d/%m/%Y')})", None, t.url)
        add(_day_start(t.decision_date), "ngày chấm điểm/quyết định theo văn bản",
            f"tổ chức được chọn: {short(t.selected_org, 150)}" if t.selected_org else None, t.url)
        return ev
    r = session.get(MODELS[k], int(rid))
    if k == NoticeKind.SELECTION_NOTICE:
        first = local_naive(r.first_published_at or r.published_at)
        add(first, "đăng thông báo lựa chọn tổ chức đấu giá", short(r.property_name, 200), r.url)
        last = local_naive(r.published_at)
        if last and first and last != first:
            add(last, "cập nhật thông báo lựa chọn (lastUpdated)", None, r.url)
        add(_day_start(r.window_start), "mở nhận hồ sơ", None, r.url)
        if r.window_end:
            add(_day_start(r.window_end + timedelta(days=1)),
                f"hết hạn nhận hồ sơ (hết ngày {r.window_end.strftime('%d/%m/%Y')})", None, r.url)
    elif k == NoticeKind.SELECTION_RESULT:
        org = orgs.get(r.organisation_id) or r.org_name
        add(local_naive(r.published_at), "công bố kết quả lựa chọn", f"tổ chức được chọn: {short(org, 150)}", r.url)
        add(_day_start(r.decision_date), "ngày chấm điểm/quyết định theo văn bản",
            short(r.decision_date_source, 150), r.url)
    else:
        org = orgs.get(r.organisation_id) or r.org_name
        price = _start_price(session, k, rid)
        price_text = f"giá khởi điểm {format_vnd(price)} đồng"
        add(local_naive(r.published_at), "đăng thông báo đấu giá", f"{short(org, 120)}; {price_text}", r.url)
        add(local_naive(r.republished_at), "đăng thông báo đấu giá lần hai", None, r.url)
        add(local_naive(r.reg_end), "hết hạn đăng ký tham gia đấu giá", None, r.url)
        add(local_naive(r.auction_at), "tổ chức cuộc đấu giá (dự kiến)", None, r.url)
    return ev


def _value(raw: str | None) -> str:
    """A change-event value for reading: portal epoch milliseconds as an ICT date and time, text shortened."""
    if raw is None or raw == "":
        return "∅"
    if raw.isdigit() and len(raw) == 13:
        moment = from_epoch_ms(raw)
        if moment is not None:
            return moment.strftime("%d/%m/%Y %H:%M")
    return short(raw, 80) or "∅"


def notice_timeline(db: DB, kind: str, key: str | int, *, evidence_root: str | Path | None = None,
                    include_new_events: bool = False) -> pd.DataFrame:
    """Everything that happened to a notice and its family, oldest first, one row per event: when (local time),
    what (Vietnamese label), which record, a detail (organisation, price, old → new value, file, finding title),
    the portal URL and, for attachments, the evidence-store path (under ``evidence_root`` when given, else
    relative to it). Change events come from ``change_events`` (NEW ones only with ``include_new_events``: they
    repeat the crawl time); windows close at 24:00 of their last day."""
    with session_for(db) as s:
        family = notice_family(s, kind, key)
        orgs = dict(s.execute(select(Organisation.id, Organisation.name)).all())
        events: list[dict[str, Any]] = []
        urls: dict[tuple[str, str], str | None] = {}
        for k in KINDS:
            for rid in sorted(family[k]):
                rec = _record_events(s, k, rid, orgs)
                events.extend(rec)
                urls[(k, rid)] = next((e["url"] for e in rec if e.get("url")), None)
        by_kind: dict[str, list[str]] = defaultdict(list)
        for k in KINDS:
            by_kind[RECORD_KIND_OF_NOTICE[k]].extend(family[k])
        for record_kind, keys in by_kind.items():
            if not keys:
                continue
            notice_kind = next(k for k, v in RECORD_KIND_OF_NOTICE.items() if v == record_kind)
            for e in s.scalars(select(ChangeEvent).where(ChangeEvent.record_kind == record_kind,
                                                         ChangeEvent.record_key.in_(keys)).order_by(ChangeEvent.id)):
                if e.event == "NEW" and not include_new_events:
                    continue
                change = f"{e.field}: {_value(e.old_value)} → {_value(e.new_value)}" if e.field else None
                events.append({"at": local_naive(e.at), "event": EVENT_LABELS.get(e.event, e.event),
                               "record_kind": notice_kind, "record_id": e.record_key, "detail": change,
                               "url": urls.get((notice_kind, e.record_key))})
    atts = notice_attachments(db, kind, key, evidence_root=evidence_root)
    for a in atts.to_dict("records"):
        events.append({"at": a["fetched_at"], "event": "tệp đính kèm",
                       "record_kind": a["record_kind"], "record_id": a["record_id"],
                       "detail": f"{a['file_name']} (trích xuất: {a['text_status']})", "url": a["url"],
                       "evidence_path": a["evidence_path"]})
    for f in notice_findings(db, kind, key).to_dict("records"):
        state = f"{f['status']}, {f['severity']}" + (", đã giải quyết" if pd.notna(f["resolved_at"]) else "")
        events.append({"at": f["first_seen"], "event": f"phát hiện: {f['detector']}.{f['rule']} ({state})",
                       "record_kind": f["subject_kind"], "record_id": f["subject_id"], "detail": f["title"],
                       "url": (f["urls"] or [None])[0]})
    df = frame(events, EVENT_COLUMNS)
    df["at"] = pd.to_datetime(df["at"])
    return df.sort_values(["at", "record_kind", "record_id"], na_position="last", kind="stable", ignore_index=True)
