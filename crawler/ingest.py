"""The one ingest path for portal documents, whether a spider assembled them, a dataset file held them or
``reparse`` rebuilt them from stored responses.

``ingest_document`` records history (snapshot and events) and, when the content is new or changed, rebuilds the
typed rows: the notice or result, its lots, attachment metadata, and the normalised owner and organisation.
Attachment bytes carried inline (THADS dataset documents) go to the evidence store first and the document keeps
only their SHA-256, so snapshots stay small and hashes stay stable. Text extraction is a separate step
(``crawler.attachment_text``), because OCR is slow and must not hold up ingest.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, inspect, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from crawler.parsers import dgts as dgts_parser
from storage import features
from storage.evidence import EvidenceError, EvidenceStore
from storage.history import Observation, observe
from storage.models import (
    Attachment,
    AuctionNotice,
    CrawlRun,
    Lot,
    Organisation,
    Owner,
    SelectionNotice,
    SelectionResult,
    TEXT_PARTIAL_STATUSES,
    TEXT_READ_STATUSES,
    ThadsNotice,
)

DGTS_KINDS = tuple(dgts_parser.PARSERS)
THADS_KIND = "thads.notice"
NOTICE_KIND_OF = {
    "dgts.auction_notice": "auction_notice",
    "dgts.selection_notice": "selection_notice",
    "dgts.selection_result": "selection_result",
    THADS_KIND: "thads_notice",
}
MAX_INLINE_ATTACHMENT = 50_000_000
_SITE_SLUG = re.compile(r"(?:[a-z0-9][a-z0-9_-]{0,59})?")  # "" is the central site
_LIST_NAME = re.compile(r"[a-z0-9][a-z0-9_ -]{0,59}")


class DocumentError(ValueError):
    """A document that cannot be ingested (unknown kind, missing id, bad attachment encoding)."""


# Failures of the machine, not of a document: they stop an import or a crawl instead of skipping a document.
ENVIRONMENT_ERRORS: tuple[type[BaseException], ...] = (OperationalError, EvidenceError, OSError, MemoryError)


def document_problem(exc: BaseException) -> str:
    """One line saying why a document was refused."""
    text = str(exc).strip().splitlines()[0][:500] if str(exc).strip() else ""
    return text if isinstance(exc, DocumentError) else f"{type(exc).__name__}: {text}"


def record_identity(doc: dict[str, Any]) -> tuple[str, str]:
    kind = doc.get("kind")
    if kind in DGTS_KINDS:
        raw_id = doc.get("id") if doc.get("id") is not None else dgts_parser.as_dict(doc.get("list_item")).get("id")
        rid = dgts_parser.portal_id(raw_id)
        if rid is None:
            raise DocumentError(f"{kind} document without a positive integer id (got {str(raw_id)[:40]!r})")
        return kind, str(rid)
    if kind == THADS_KIND:
        site = str(doc.get("site") or "").strip().lower()
        lst = str(doc.get("list") or "ThongBao").strip().lower()
        item = dgts_parser.portal_id(doc.get("item_id"), dgts_parser.MAX_CODE)
        if item is None:
            raise DocumentError("thads.notice document without a positive integer item_id")
        if not _SITE_SLUG.fullmatch(site) or not _LIST_NAME.fullmatch(lst):  # they make up the record key
            raise DocumentError(f"thads.notice document with an invalid site or list name: {site[:80]!r}, {lst[:80]!r}")
        return kind, f"{site}/{lst}/{item}"
    raise DocumentError(f"unknown document kind {kind!r}")


def externalize_attachments(doc: dict[str, Any], evidence: EvidenceStore) -> dict[str, Any]:
    """Move inline ``content_b64`` attachment bodies into the evidence store; keep name, type, hash, size."""
    atts = doc.get("attachments")
    if not isinstance(atts, list) or not any(isinstance(a, dict) and "content_b64" in a for a in atts):
        return doc
    out = []
    for a in atts:
        if not isinstance(a, dict):
            continue
        a = dict(a)
        if "content_b64" in a:
            raw = a.pop("content_b64") or ""
            if len(raw) > MAX_INLINE_ATTACHMENT * 4 // 3 + 4:
                a.update(fetch_status="too_large")
            else:
                try:
                    data = base64.b64decode(raw, validate=True)
                except (binascii.Error, ValueError) as exc:
                    raise DocumentError(f"attachment {a.get('name')!r}: content_b64 is not base64 ({exc})") from None
                a.update(sha256=evidence.put(data), size=len(data), fetch_status="ok")
        out.append(a)
    return {**doc, "attachments": out}


def without_nul(value: Any) -> Any:
    """The document with NUL characters removed from every string: PostgreSQL text cannot hold them, and no
    portal text needs them (SQLite and PostgreSQL then store the same document)."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_nul(v) for v in value]
    return value


@dataclass
class Ingested:
    record_kind: str
    record_key: str
    observation: Observation


def ingest_document(
    session: Session,
    doc: dict[str, Any],
    *,
    run: CrawlRun | None,
    at: datetime,
    evidence: EvidenceStore,
    raw_response_ids: list[int] | tuple[int, ...] = (),
    listed: bool = True,
    force_apply: bool = False,
    allowed_hosts: frozenset[str] | None = None,
) -> Ingested:
    """Record one document's history and, when it is new or changed, its typed rows. Links in it (a THADS page
    URL, attachment URLs) are stored only when on ``allowed_hosts`` (default: the real portals' hosts)."""
    if not isinstance(doc, dict):
        raise DocumentError("a document must be a JSON object")
    doc = without_nul(doc)
    kind, key = record_identity(doc)
    if "_sim" in doc:  # simulator schedules (edits, take-downs) are not portal data
        doc = {k: v for k, v in doc.items() if k != "_sim"}
    doc = externalize_attachments(doc, evidence)
    root_key = None
    if kind == "dgts.auction_notice":
        parsed = dgts_parser.parse_document(doc)
        root_key = str(parsed.fields["root_id"]) if parsed.fields.get("root_id") else None
    obs = observe(session, doc, record_kind=kind, record_key=key, run=run, at=at,
                  raw_response_ids=raw_response_ids, root_key=root_key, listed=listed)
    if obs.is_new or obs.is_changed or force_apply or "REAPPEARED" in obs.events:
        apply_document(session, doc, at=at, allowed_hosts=allowed_hosts)
    return Ingested(kind, key, obs)


# ------------------------------------------------------------------------------------------- typed rows


def owner_for(session: Session, name: str | None, address: str | None = None) -> Owner | None:
    from vntext.names import parse_owner

    if not name:
        return None
    ident = parse_owner(name, address)
    key = column_key(ident.key)
    cache = session.info.setdefault("owner_cache", {})
    owner = _cached(cache, key)
    if owner is None:
        owner = session.scalar(select(Owner).where(Owner.key == key))
    if owner is None:
        owner = Owner(key=key, name=ident.canonical_name or name, kind=ident.kind, is_thads=ident.is_thads,
                      province=ident.province.code if ident.province else None, region_no=ident.region_no)
        session.add(owner)
        session.flush()
    elif owner.province is None and ident.province is not None:
        owner.province = ident.province.code
    cache[key] = owner
    return owner


def _sha256(value: Any) -> str | None:
    """A document's claim about stored bytes is used only when it is a SHA-256 hex digest."""
    return value if isinstance(value, str) and re.fullmatch(r"[0-9a-f]{64}", value) else None


def _cached(cache: dict[str, Any], key: str) -> Any:
    """A cached owner or organisation, unless the savepoint that created it was rolled back (a failed document):
    such a row never reached the database, and reusing it would point later rows at nothing."""
    obj = cache.get(key)
    if obj is not None and inspect(obj).transient:
        del cache[key]
        return None
    return obj


def column_key(key: str, limit: int = 300) -> str:
    """A matching key that fits its column (owners.key, organisations.key are 300 characters): a longer one
    keeps its head and gains a hash of the whole, so distinct names stay distinct."""
    if len(key) <= limit:
        return key
    return f"{key[:limit - 18]}~{hashlib.sha256(key.encode()).hexdigest()[:16]}"


def organisation_for(session: Session, name: str | None) -> Organisation | None:
    from vntext.names import normalize_org_name

    if not name:
        return None
    key = column_key(normalize_org_name(name))
    if not key:
        return None
    cache = session.info.setdefault("org_cache", {})
    org = _cached(cache, key) or session.scalar(select(Organisation).where(Organisation.key == key))
    if org is None:
        org = Organisation(key=key, name=name.strip())
        session.add(org)
        session.flush()
    cache[key] = org
    return org


def province_of(owner: Owner | None, *texts: str | None) -> str | None:
    from vntext.provinces import find_province

    for t in texts:
        if t:
            p = find_province(t)
            if p is not None:
                return p.code
    return owner.province if owner is not None else None


def _replace_lots(session: Session, notice_kind: str, key: str, lots: list[dgts_parser.ParsedLot]) -> None:
    # "fetch" (DELETE … RETURNING) drops exactly the deleted rows from the session; the default would test every
    # object the session holds (the owner and organisation caches: tens of thousands at national scale) per call.
    session.execute(delete(Lot).where(Lot.notice_kind == notice_kind, Lot.notice_key == key),
                    execution_options={"synchronize_session": "fetch"})
    features.drop(session, notice_kind, [key])  # read again from the new lots (storage.features)
    for lot in lots:
        session.add(Lot(notice_kind=notice_kind, notice_key=key, **lot.__dict__))


def _upsert_attachment(session: Session, notice_kind: str, key: str, *, file_key: str, name: str, role: str,
                       sha256: str | None = None, size: int | None = None, content_type: str | None = None,
                       source_url: str | None = None, status: str | None = None, at: datetime | None = None) -> None:
    from crawler.attachments import safe_attachment_name

    file_key = file_key[:300]  # the column's size; the same cut for the lookup, or a long name would be re-added
    content_type = str(content_type)[:200] if content_type else None
    att = session.scalar(select(Attachment).where(Attachment.notice_kind == notice_kind,
                                                  Attachment.notice_key == key, Attachment.file_key == file_key))
    if att is None:
        att = Attachment(notice_kind=notice_kind, notice_key=key, file_key=file_key, text_status="pending")
        session.add(att)
    att.original_name = name
    att.file_name = safe_attachment_name(name)
    att.role = role
    att.source_url = source_url if isinstance(source_url, str) and source_url else att.source_url
    if sha256 and sha256 != att.sha256:
        att.sha256, att.size, att.content_type, att.fetched_at = sha256, size, content_type, at
        att.text_status, att.text, att.error = "pending", None, None
    elif not att.sha256 and status in ("too_large", "skipped", "failed"):
        att.text_status = status


def portal_link(url: Any, allowed_hosts: frozenset[str] | None) -> str | None:
    """``url`` when it is a link on the portals' hosts; None for anything else (a link to another host is never
    stored as the portal's)."""
    from crawler.hosts import PORTAL_HOSTS, is_allowed

    return url.strip() if is_allowed(url, PORTAL_HOSTS if allowed_hosts is None else allowed_hosts) else None


def apply_document(session: Session, doc: dict[str, Any], *, at: datetime,
                   allowed_hosts: frozenset[str] | None = None) -> None:
    kind = doc.get("kind")
    if kind in DGTS_KINDS:
        _apply_dgts(session, dgts_parser.parse_document(doc), doc, at, allowed_hosts)
    elif kind == THADS_KIND:
        _apply_thads(session, doc, at, allowed_hosts)
    else:
        raise DocumentError(f"unknown document kind {kind!r}")


def _apply_dgts(session: Session, p: dgts_parser.ParsedRecord, doc: dict[str, Any], at: datetime,
                allowed_hosts: frozenset[str] | None = None) -> None:
    owner = owner_for(session, p.owner_name, p.owner_address)
    org = organisation_for(session, p.org_name)
    notice_kind = NOTICE_KIND_OF[p.kind]
    key = str(p.id)
    f = p.fields
    lot_places = " ".join(l.place or "" for l in p.lots)
    if p.kind == "dgts.auction_notice":
        row = session.get(AuctionNotice, p.id) or AuctionNotice(id=p.id)
        for name in ("title", "property_name", "published_at", "republished_at", "auction_at", "reg_start", "reg_end",
                     "deposit_start", "deposit_end", "property_type_id", "property_type_name", "root_id",
                     "related_ids", "round_label", "url"):
            setattr(row, name, f[name])
        row.province = province_of(owner, p.owner_address) or province_of(None, lot_places)
    elif p.kind == "dgts.selection_notice":
        row = session.get(SelectionNotice, p.id) or SelectionNotice(id=p.id)
        for name in ("property_name", "published_at", "created_at", "window_start", "window_end", "address_receive",
                     "contact_info", "root_id", "url"):
            setattr(row, name, f[name])
        if f["published_at"] and (row.first_published_at is None or f["published_at"] < _aware(row.first_published_at)):
            row.first_published_at = f["published_at"]
        row.province = province_of(owner, p.owner_address)
    else:
        row = session.get(SelectionResult, p.id) or SelectionResult(id=p.id)
        for name in ("property_name", "notice_id", "published_at", "org_address", "url"):
            setattr(row, name, f[name])
        row.org_name = p.org_name
        row.organisation_id = org.id if org else None
        row.province = province_of(owner, p.owner_address)
        _set_decision_date(row, f.get("result_text"))
    row.owner_name = p.owner_name
    row.owner_address = p.owner_address
    row.owner_id = owner.id if owner else None
    if hasattr(row, "org_name") and p.kind != "dgts.selection_result":
        row.org_name = p.org_name
        row.organisation_id = org.id if org else None
    row.status = "active"
    session.add(row)
    _replace_lots(session, notice_kind, key, p.lots)
    fetched = {str(x.get("file_key")): x for x in dgts_parser.as_list(doc.get("files")) if isinstance(x, dict)}
    for pf in p.files:
        got = fetched.get(pf.file_key, {})
        _upsert_attachment(session, notice_kind, key, file_key=pf.file_key, name=pf.file_name, role=pf.role,
                           sha256=_sha256(got.get("sha256")), size=dgts_parser.as_int(got.get("size")),
                           content_type=got.get("content_type"),
                           source_url=portal_link(got.get("url"), allowed_hosts), status=got.get("fetch_status"),
                           at=at)
    session.flush()


def _aware(dt: datetime) -> datetime:
    from storage.timeutil import to_local

    return to_local(dt)


def _set_decision_date(row: SelectionResult, result_text: str | None) -> None:
    """The earliest scoring/selection date the result's own text states (attachments are read by the detector)."""
    from vntext.decisions import find_decision_dates

    found = find_decision_dates(result_text, "result text")
    if found:
        first = min(found, key=lambda d: d.value)
        row.decision_date, row.decision_date_source = first.value, f"{first.source}: {first.cue}"[:200]
    else:
        row.decision_date, row.decision_date_source = None, None


def _apply_thads(session: Session, doc: dict[str, Any], at: datetime,
                 allowed_hosts: frozenset[str] | None = None) -> None:
    from crawler.parsers.thads import classify_notice, extract_notice_fields, html_to_text
    from vntext.core import parse_vn_date
    from crawler.thads_sites import site_province

    _, key = record_identity(doc)
    site, list_name, item_id = key.split("/")
    title = dgts_parser.text(doc.get("title"), 5_000) or ""
    body_html = doc.get("body_html")
    body_text = html_to_text(body_html if isinstance(body_html, str) else "")
    attachment_text = "\n".join(t for t in session.scalars(
        select(Attachment.text).where(Attachment.notice_kind == "thads_notice", Attachment.notice_key == key,
                                      Attachment.text_status.in_(TEXT_READ_STATUSES + TEXT_PARTIAL_STATUSES))) if t)
    published = parse_vn_date(str(doc.get("date") or ""))
    full_text = body_text + ("\n" + attachment_text if attachment_text else "")
    category, confidence, _reasons = classify_notice(title, full_text)
    fields = extract_notice_fields(title, full_text, published=published)
    row = session.get(ThadsNotice, key) or ThadsNotice(key=key)
    list_label = str(doc.get("list") or "ThongBao").strip()  # as the portal writes it; the key holds it lowercased
    row.site, row.list_name, row.item_id = site, list_label, int(item_id)
    row.title = title
    row.published_on = published
    row.category, row.category_confidence = category, confidence
    row.body_text = body_text
    owner_name = fields.owner_office
    owner = owner_for(session, owner_name) if owner_name else None
    row.owner_name, row.owner_id = owner_name, owner.id if owner else None
    row.notice_number = fields.notice_number[:200] if fields.notice_number else None
    row.notice_date = fields.notice_date
    row.window_start, row.window_end = fields.window_start, fields.window_end
    row.selected_org = fields.selected_org
    org = organisation_for(session, fields.selected_org) if fields.selected_org else None
    row.organisation_id = org.id if org else None
    row.decision_date = fields.scoring_date
    row.fields = fields.as_json()
    row.province = (owner.province if owner and owner.province else None) or site_province(site)
    row.url = portal_link(doc.get("url"), allowed_hosts) or thads_item_url(site, list_label, int(item_id))
    row.status = "active"
    session.add(row)
    lots = [dgts_parser.ParsedLot(lot_index=i, name=a.get("text"), start_price=a.get("start_price"))
            for i, a in enumerate(fields.assets_json())]
    _replace_lots(session, "thads_notice", key, lots)
    for a in dgts_parser.as_list(doc.get("attachments")):
        if isinstance(a, dict) and a.get("name"):
            _upsert_attachment(session, "thads_notice", key, file_key=str(a["name"]), name=str(a["name"]),
                               role="thads", sha256=_sha256(a.get("sha256")), size=dgts_parser.as_int(a.get("size")),
                               content_type=a.get("content_type"), status=a.get("fetch_status"),
                               source_url=portal_link(a.get("url"), allowed_hosts), at=at)
    session.flush()


def thads_item_url(site: str, list_name: str, item_id: int, base: str = "https://thads.moj.gov.vn") -> str:
    prefix = f"/{site}" if site else ""
    return f"{base}{prefix}/noidung/thongbao/Lists/{list_name}/View_Detail.aspx?ItemID={item_id}"
