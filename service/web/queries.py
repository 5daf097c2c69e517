"""Database reads of the review site: the filtered, paged findings list and everything a finding page shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from storage.kinds import NOTICE_KIND_OF_RECORD, RECORD_KIND_OF_NOTICE, NoticeKind, RecordKind
from storage.models import (
    Attachment,
    AuctionNotice,
    ChangeEvent,
    Finding,
    Lot,
    Record,
    RawResponse,
    Review,
    SelectionResult,
    Snapshot,
    ThadsNotice,
)
from storage.timeutil import day_end, day_start

SEVERITY_ORDER = case({"high": 3, "medium": 2, "low": 1}, value=Finding.severity, else_=0)
STATUSES = ("flag", "insufficient", "not_applicable", "resolved", "all")
VERDICT_FILTERS = ("none", "confirmed", "false_positive", "needs_more_info")
SEVERITIES = ("high", "medium", "low")
MAX_SUBJECTS = 5000
MAX_RELATED = 10

@dataclass
class Filters:
    """The list's filters as given in the query string (already validated)."""

    rule: str = ""  # "detector" or "detector.rule"
    province: str = ""
    owner: str = ""
    organisation: str = ""
    status: str = ""
    verdict: str = ""
    severity: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def active(self) -> bool:
        return any((self.rule, self.province, self.owner, self.organisation, self.status, self.verdict,
                    self.severity, self.date_from, self.date_to))


@dataclass
class Page:
    rows: list[Finding]
    total: int
    page: int
    pages: int
    organisations: dict[int, str] = field(default_factory=dict)
    verdicts: dict[int, str] = field(default_factory=dict)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _organisation_condition(session: Session, text: str):
    """Findings about records whose chosen/holding organisation's name contains ``text``."""
    pattern = _like(text)
    results = session.scalars(select(SelectionResult.id).where(SelectionResult.org_name.ilike(pattern, escape="\\"))
                              .limit(MAX_SUBJECTS)).all()
    notices = session.scalars(select(AuctionNotice.id).where(AuctionNotice.org_name.ilike(pattern, escape="\\"))
                              .limit(MAX_SUBJECTS)).all()
    thads = session.scalars(select(ThadsNotice.key).where(ThadsNotice.selected_org.ilike(pattern, escape="\\"))
                            .limit(MAX_SUBJECTS)).all()
    lots = [f"{k}:{key}:{i}" for k, key, i in session.execute(
        select(Lot.notice_kind, Lot.notice_key, Lot.lot_index)
        .where(Lot.notice_kind == NoticeKind.AUCTION_NOTICE, Lot.notice_key.in_([str(n) for n in notices])))]
    return or_(
        and_(Finding.subject_kind == NoticeKind.SELECTION_RESULT, Finding.subject_id.in_([str(i) for i in results])),
        and_(Finding.subject_kind == NoticeKind.AUCTION_NOTICE, Finding.subject_id.in_([str(i) for i in notices])),
        and_(Finding.subject_kind == NoticeKind.THADS_NOTICE, Finding.subject_id.in_(list(thads))),
        and_(Finding.subject_kind == "lot", Finding.subject_id.in_(lots)),
    )


def filtered(session: Session, f: Filters):
    """The SELECT of findings matching the filters (not ordered, not paged)."""
    q = select(Finding)
    if f.rule:
        detector, _, rule = f.rule.partition(".")
        q = q.where(Finding.detector == detector)
        if rule:
            q = q.where(Finding.rule == rule)
    if f.province:
        q = q.where(Finding.province.is_(None)) if f.province == "-" else q.where(Finding.province == f.province)
    if f.owner:
        q = q.where(Finding.owner_name.ilike(_like(f.owner), escape="\\"))
    if f.organisation:
        q = q.where(_organisation_condition(session, f.organisation))
    if f.status == "resolved":
        q = q.where(Finding.resolved_at.is_not(None))
    elif not f.status:  # the default: what is still open
        q = q.where(Finding.resolved_at.is_(None))
    elif f.status != "all":
        q = q.where(Finding.status == f.status, Finding.resolved_at.is_(None))
    if f.severity:
        q = q.where(Finding.severity == f.severity)
    if f.verdict == "none":
        q = q.where(~exists().where(Review.finding_id == Finding.id))
    elif f.verdict:
        q = q.where(exists().where(Review.finding_id == Finding.id, Review.verdict == f.verdict))
    if f.date_from:
        q = q.where(Finding.first_seen >= day_start(f.date_from))
    if f.date_to:
        q = q.where(Finding.first_seen <= day_end(f.date_to))
    return q


def findings_page(session: Session, f: Filters, page: int, size: int) -> Page:
    q = filtered(session, f)
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    pages = max(1, -(-total // size))
    page = min(max(1, page), pages)
    rows = list(session.scalars(q.order_by(Finding.resolved_at.is_not(None), SEVERITY_ORDER.desc(),
                                           Finding.first_seen.desc(), Finding.id.desc())
                                .offset((page - 1) * size).limit(size)))
    return Page(rows, total, page, pages, verdicts=latest_verdict_of(session, [r.id for r in rows]))


def latest_verdict_of(session: Session, ids: list[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    if ids:
        for fid, verdict in session.execute(select(Review.finding_id, Review.verdict)
                                            .where(Review.finding_id.in_(ids))
                                            .order_by(Review.created_at, Review.id)):
            out[fid] = verdict
    return out


def filter_options(session: Session) -> dict[str, list[Any]]:
    """The choices of the list's select boxes: rules present, provinces present."""
    rules = session.execute(select(Finding.detector, Finding.rule).distinct()
                            .order_by(Finding.detector, Finding.rule)).all()
    provinces = session.scalars(select(Finding.province).distinct()).all()
    return {"rules": [tuple(r) for r in rules], "provinces": sorted({p or "-" for p in provinces})}


# --------------------------------------------------------------------------------------------- one finding


@dataclass
class RecordView:
    """One portal record a finding is about: its state, content versions, change events and stored files."""

    record_kind: str
    record_key: str
    record: Record | None
    snapshots: list[Snapshot]
    events: list[ChangeEvent]
    responses: list[RawResponse]
    attachments: list[Attachment]


def subject_records(finding: Finding) -> list[tuple[str, str]]:
    """The (record_kind, record_key) pairs a finding is about: its subject, the notice it cites, its chain."""
    pairs: list[tuple[str, str]] = []

    def add(kind: str | None, key: Any) -> None:
        if kind and key not in (None, "") and (kind, str(key)) not in pairs:
            pairs.append((kind, str(key)))

    kind, sid = finding.subject_kind, finding.subject_id
    if kind in RECORD_KIND_OF_NOTICE:
        add(RECORD_KIND_OF_NOTICE[kind], sid)
    elif kind == "lot":
        notice_kind, _, rest = sid.partition(":")
        add(RECORD_KIND_OF_NOTICE.get(notice_kind), rest.rpartition(":")[0])
    ev = finding.evidence if isinstance(finding.evidence, dict) else {}
    notice_kind = ev.get("notice_kind")
    if isinstance(ev.get("notice"), (str, int)) and notice_kind in RECORD_KIND_OF_NOTICE:
        add(RECORD_KIND_OF_NOTICE[notice_kind], ev["notice"])
    chain = ev.get("chain_notice_ids")
    if kind == "chain" and isinstance(chain, list):
        for nid in chain[:20]:
            add(RecordKind.DGTS_AUCTION_NOTICE, nid)
    return pairs[:20]


def record_view(session: Session, kind: str, key: str) -> RecordView:
    notice_kind = NOTICE_KIND_OF_RECORD.get(kind, "")
    return RecordView(
        kind, key,
        session.scalars(select(Record).where(Record.record_kind == kind, Record.record_key == key)).first(),
        list(session.scalars(select(Snapshot).where(Snapshot.record_kind == kind, Snapshot.record_key == key)
                             .order_by(Snapshot.captured_at.desc(), Snapshot.id.desc()).limit(20))),
        list(session.scalars(select(ChangeEvent).where(ChangeEvent.record_kind == kind, ChangeEvent.record_key == key)
                             .order_by(ChangeEvent.at.desc(), ChangeEvent.id.desc()).limit(50))),
        list(session.scalars(select(RawResponse).where(RawResponse.record_kind == kind, RawResponse.record_key == key)
                             .order_by(RawResponse.fetched_at.desc(), RawResponse.id.desc()).limit(30))),
        list(session.scalars(select(Attachment).where(Attachment.notice_kind == notice_kind,
                                                      Attachment.notice_key == key).order_by(Attachment.id))),
    )


def evidence_digests(finding: Finding) -> list[str]:
    """SHA-256 digests the finding's evidence names (raw responses and attachments it was judged on)."""
    found: list[str] = []

    def walk(obj: Any, depth: int) -> None:
        if depth > 5 or len(found) > 200:
            return
        if isinstance(obj, dict):
            for k, v in obj.items():
                if str(k) in ("raw_sha256", "sha256", "raw_sha256s", "sha256s") or str(k).endswith(("_sha256", "_sha256s")):
                    for d in v if isinstance(v, list) else [v]:
                        if isinstance(d, str) and len(d) == 64 and d not in found:
                            found.append(d.lower())
                else:
                    walk(v, depth + 1)
        elif isinstance(obj, list):
            for v in obj[:500]:
                walk(v, depth + 1)

    walk(finding.evidence, 0)
    return found


def allowed_digests(finding: Finding, records: list[RecordView]) -> set[str]:
    """Blobs a viewer of this finding may open: those its evidence names and those of its records."""
    allowed = set(evidence_digests(finding))
    for r in records:
        allowed.update(x.sha256 for x in r.responses if x.sha256)
        allowed.update(a.sha256 for a in r.attachments if a.sha256)
    return allowed


def describe_digest(session: Session, digest: str) -> tuple[RawResponse | None, Attachment | None]:
    return (session.scalars(select(RawResponse).where(RawResponse.sha256 == digest).limit(1)).first(),
            session.scalars(select(Attachment).where(Attachment.sha256 == digest).limit(1)).first())


def related_findings(session: Session, finding: Finding, records: list[RecordView]) -> dict[str, list[Finding]]:
    """Other findings with the same owner, on the same notice, and in the same relist chain."""
    out: dict[str, list[Finding]] = {"owner": [], "notice": [], "chain": []}
    if finding.owner_name:
        out["owner"] = list(session.scalars(
            select(Finding).where(Finding.owner_name == finding.owner_name, Finding.id != finding.id)
            .order_by(Finding.resolved_at.is_not(None), SEVERITY_ORDER.desc(), Finding.id.desc())
            .limit(MAX_RELATED)))
    notice_ids = [r.record_key for r in records if r.record_kind == RecordKind.DGTS_AUCTION_NOTICE]
    subjects = [r.record_key for r in records]
    if subjects:
        out["notice"] = list(session.scalars(
            select(Finding).where(Finding.id != finding.id, or_(
                Finding.subject_id.in_(subjects),
                *[Finding.subject_id.like(f"auction_notice:{n}:%") for n in notice_ids[:20]]))
            .order_by(Finding.id).limit(MAX_RELATED)))
    mine = {int(n) for n in notice_ids if n.isdigit()}
    if finding.rule == "relist_chain":
        mine |= {int(n) for n in (finding.evidence or {}).get("chain_notice_ids", []) if isinstance(n, int)}
    if mine:
        chains = session.execute(select(Finding.id, Finding.evidence).where(Finding.rule == "relist_chain",
                                                                            Finding.id != finding.id)
                                 .limit(MAX_SUBJECTS)).all()
        ids = [fid for fid, ev in chains if isinstance(ev, dict)
               and mine & {n for n in ev.get("chain_notice_ids", []) if isinstance(n, int)}]
        if finding.rule == "relist_chain":
            members = [str(n) for n in mine]
            ids += list(session.scalars(select(Finding.id).where(Finding.id != finding.id, or_(
                and_(Finding.subject_kind == NoticeKind.AUCTION_NOTICE, Finding.subject_id.in_(members)),
                *[Finding.subject_id.like(f"auction_notice:{n}:%") for n in members[:20]]))))
        if ids:
            out["chain"] = list(session.scalars(select(Finding).where(Finding.id.in_(ids[:200]))
                                                .order_by(Finding.id).limit(MAX_RELATED)))
    return out
