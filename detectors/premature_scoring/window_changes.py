"""``window_changed_after_publication`` (medium, high when the window was shortened): the application window of
a selection notice changed after it was published (dgts WINDOW_CHANGED events; for THADS, the window read from
each stored version of the notice's text)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from detectors.base import DetectionContext, Result
from detectors.premature_scoring.judging import Judging
from detectors.premature_scoring.legal import TITLES
from detectors.premature_scoring.records import THADS_SELECTION, earliest
from storage.kinds import NoticeKind, RecordKind
from storage.models import ChangeEvent, SelectionNotice, Snapshot, ThadsNotice
from storage.timeutil import VN_TZ, from_epoch_ms, local_date, parse_portal_time, to_local


def evaluate(j: Judging, ctx: DetectionContext) -> Iterator[Result]:
    session = ctx.session
    events: dict[tuple[str, str], list[ChangeEvent]] = defaultdict(list)
    for e in session.scalars(select(ChangeEvent).where(
            ChangeEvent.event == "WINDOW_CHANGED",
            ChangeEvent.record_kind.in_((RecordKind.DGTS_SELECTION_NOTICE, RecordKind.THADS_NOTICE)))
            .order_by(ChangeEvent.id)):
        events[(e.record_kind, e.record_key)].append(e)
    S = SelectionNotice
    for n in session.execute(select(S.id, S.first_published_at, S.published_at, S.url, S.owner_name, S.province)
                             .order_by(S.id)):
        evs = events.get((RecordKind.DGTS_SELECTION_NOTICE, str(n.id)), [])
        day = local_date(earliest(n.first_published_at, n.published_at))
        if not _in_scope(ctx, day, evs):
            continue
        changes = [c for c in (_dgts_window_change(e) for e in evs) if c]
        yield _result(j, NoticeKind.SELECTION_NOTICE, str(n.id), n.url, n.owner_name, n.province, changes)
    versioned = set(session.scalars(
        select(Snapshot.record_key).where(Snapshot.record_kind == RecordKind.THADS_NOTICE)
        .group_by(Snapshot.record_key).having(func.count(Snapshot.id) > 1)))
    for row in session.scalars(select(ThadsNotice).where(ThadsNotice.category == THADS_SELECTION)
                               .order_by(ThadsNotice.key)):
        evs = events.get((RecordKind.THADS_NOTICE, row.key), [])
        if not _in_scope(ctx, row.published_on or row.notice_date, evs):
            continue
        changes = [c for c in (_dgts_window_change(e) for e in evs) if c]
        if row.key in versioned:
            changes += _thads_snapshot_window_changes(session, row.key)
        yield _result(j, NoticeKind.THADS_NOTICE, row.key, row.url, row.owner_name, row.province, changes)


def _in_scope(ctx: DetectionContext, day: date | None, evs: list[ChangeEvent]) -> bool:
    """The notice was published in the pass's scope, or its window changed in it."""
    if ctx.since is None or (day is not None and day >= ctx.since):
        return True
    return any(to_local(e.at).date() >= ctx.since for e in evs if e.at)


def _result(j: Judging, kind: str, key: str, url: str | None, owner: str | None, province: str | None,
            changes: list[dict[str, Any]]) -> Result:
    rule = "window_changed_after_publication"
    unique: list[dict[str, Any]] = []
    seen = set()
    for c in changes:
        sig = (c["which"], c["old"], c["new"])
        if sig not in seen:
            seen.add(sig)
            unique.append(c)
    ev: dict[str, Any] = {"notice": key, "changes": unique}
    if not unique:
        return j.result(rule, kind, key, "pass", evidence=ev, urls=[url], owner=owner, province=province)
    shortened = any(c["shortened"] for c in unique)
    ev["shortened"] = shortened
    title = TITLES[rule] + (" (bị rút ngắn)" if shortened else "")
    return j.result(rule, kind, key, "flag", severity="high" if shortened else "medium", evidence=ev,
                    urls=[url], owner=owner, province=province, title=title)


_START_FIELDS = ("receiveTimeStart", "fromDate", "window_start", "aucRegTimeStart")


def _as_day(value: str | None) -> date | None:
    """A WINDOW_CHANGED value (epoch ms, a dd/mm/yyyy string or an ISO date, JSON-encoded or not) as a VN day."""
    if value is None:
        return None
    s = value.strip().strip('"')
    if not s or s == "null":
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
        try:
            return date.fromisoformat(s)
        except ValueError:
            return None
    dt = from_epoch_ms(s) if re.fullmatch(r"-?\d+(?:\.\d+)?", s) else parse_portal_time(s)
    return dt.astimezone(VN_TZ).date() if dt else None


def _dgts_window_change(e: ChangeEvent) -> dict[str, Any] | None:
    fld = e.field or ""
    which = "start" if fld.rsplit(".", 1)[-1] in _START_FIELDS else "end"
    old, new = _as_day(e.old_value), _as_day(e.new_value)
    if old == new:
        return None
    if which == "end":
        shortened = old is not None and (new is None or new < old)
    else:
        shortened = new is not None and (old is None or new > old)
    return {"which": which, "field": fld, "old": old, "new": new, "at": to_local(e.at), "shortened": shortened}


def _thads_snapshot_window_changes(session: Session, key: str) -> list[dict[str, Any]]:
    """THADS documents carry the window only in their text: compare the window extracted from each snapshot."""
    snaps = list(session.scalars(select(Snapshot).where(Snapshot.record_kind == RecordKind.THADS_NOTICE,
                                                        Snapshot.record_key == key).order_by(Snapshot.id)))
    if len(snaps) < 2:
        return []
    from crawler.parsers.thads import extract_notice_fields, html_to_text
    from vntext.core import parse_vn_date

    windows = []
    for snap in snaps[:50]:
        doc = snap.document if isinstance(snap.document, dict) else {}
        text = html_to_text(str(doc.get("body_html") or ""))
        fields = extract_notice_fields(str(doc.get("title") or ""), text,
                                       published=parse_vn_date(str(doc.get("date") or "")))
        windows.append((snap, fields.window_start, fields.window_end))
    out = []
    for (_, old_start, old_end), (snap, new_start, new_end) in zip(windows, windows[1:], strict=False):
        if old_end != new_end and (old_end or new_end):
            out.append({"which": "end", "field": "text", "old": old_end, "new": new_end,
                        "at": to_local(snap.captured_at),
                        "shortened": old_end is not None and (new_end is None or new_end < old_end)})
        if old_start != new_start and (old_start or new_start):
            out.append({"which": "start", "field": "text", "old": old_start, "new": new_start,
                        "at": to_local(snap.captured_at),
                        "shortened": new_start is not None and (old_start is None or new_start > old_start)})
    return out
