"""``auction-monitor reparse``: rebuild parsed rows from the raw evidence, without touching the portal.

For each record, the latest snapshot names the raw responses it was assembled from; their bytes are read back
from the evidence store (hash-checked), re-assembled with the current assembly and parsing code, and the typed
rows are rebuilt. Records imported from dataset files have no raw responses and are rebuilt from their snapshot
document. History (snapshots, events) is not rewritten: it records what the portal said, not how we parsed it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from crawler.assemble import assemble, check_envelope, decode_json, unwrap
from crawler.errors import SchemaDrift
from crawler.ingest import apply_document
from storage.evidence import EvidenceError, EvidenceStore
from storage.kinds import RecordKind
from storage.models import RawResponse, Snapshot
from storage.timeutil import utcnow


def _spider_for(kind: str):
    from crawler.spiders.dgts_auction_notices import DgtsAuctionNoticeSpider
    from crawler.spiders.dgts_selection_notices import DgtsSelectionNoticeSpider
    from crawler.spiders.dgts_selection_results import DgtsSelectionResultSpider

    return {c.record_kind: c for c in (DgtsAuctionNoticeSpider, DgtsSelectionNoticeSpider,
                                       DgtsSelectionResultSpider)}.get(kind)


def rebuild_document(session, evidence: EvidenceStore, snap: Snapshot) -> tuple[dict[str, Any], str]:
    """The document re-assembled from raw bytes, and where it came from ('raw' or 'snapshot')."""
    if not snap.raw_response_ids:
        return snap.document, "snapshot"
    raws = session.scalars(select(RawResponse).where(RawResponse.id.in_(snap.raw_response_ids))).all()
    try:
        if snap.record_kind == RecordKind.THADS_NOTICE:
            from crawler.parsers.thads_html import parse_detail_page

            detail = next((r for r in raws if r.endpoint == "thads.detail"), None)
            if detail is None:
                return snap.document, "snapshot"
            page = parse_detail_page(evidence.get(detail.sha256), detail.url)
            doc = {**snap.document, "title": page.title or "", "body_html": page.body_html,
                   "date": page.published.strftime("%d/%m/%Y") if page.published else "",
                   "dates": [d.isoformat() for d in page.dates]}
            return doc, "raw"
        spider = _spider_for(snap.record_kind)
        if spider is None:
            return snap.document, "snapshot"
        item = None
        parts: dict[str, Any] = {}
        by_endpoint = {d.endpoint: d for d in spider.details}
        for r in raws:
            if r.endpoint == spider.list_endpoint:
                env = check_envelope(decode_json(evidence.get(r.sha256), r.url), r.url)
                item = next((it for it in env["items"] if str(it.get("id")) == snap.record_key), item)
            elif r.endpoint in by_endpoint:
                d = by_endpoint[r.endpoint]
                body = evidence.get(r.sha256)
                parts[d.part] = unwrap(d, decode_json(body, r.url) if body.strip() else None)
        if item is None or set(parts) != {d.part for d in spider.details}:
            return snap.document, "snapshot"
        return assemble(snap.record_kind, int(snap.record_key), item, parts, snap.document.get("files")), "raw"
    except (EvidenceError, SchemaDrift, json.JSONDecodeError):
        return snap.document, "snapshot"


def reparse_all(session_factory: Callable, evidence: EvidenceStore, *, kinds: list[str] | None = None,
                progress: Callable[[str], None] | None = None,
                allowed_hosts: frozenset[str] | None = None) -> dict[str, int]:
    """Rebuild the typed rows of every record's latest snapshot; links only on ``allowed_hosts``."""
    counts: Counter[str] = Counter()
    with session_factory() as session:
        latest = select(func.max(Snapshot.id)).group_by(Snapshot.record_kind, Snapshot.record_key)
        if kinds:
            latest = latest.where(Snapshot.record_kind.in_(kinds))
        ids = sorted(session.scalars(latest))
    for start in range(0, len(ids), 200):
        with session_factory() as session:
            for snap in session.scalars(select(Snapshot).where(Snapshot.id.in_(ids[start:start + 200]))):
                doc, origin = rebuild_document(session, evidence, snap)
                try:
                    with session.begin_nested():
                        apply_document(session, doc, at=utcnow(), allowed_hosts=allowed_hosts)
                    counts[f"from_{origin}"] += 1
                except (ValueError, KeyError, TypeError) as exc:
                    counts["errors"] += 1
                    if progress:
                        progress(f"{snap.record_kind} {snap.record_key}: {exc}")
        if progress:
            progress(f"reparse: {min(start + 200, len(ids))}/{len(ids)}")
    return dict(counts)
