"""SQLAlchemy 2 models: crawl runs, raw evidence, portal records, history, findings, alerts and reviews.

The tables fall into five groups:

* provenance: ``crawl_runs``, ``raw_responses`` (bodies live in the content-addressed evidence store);
* history: ``records`` (current state of every portal record and its listing status), ``snapshots``
  (append-only, one row per distinct content version, holding the assembled portal-dataset document) and
  ``change_events`` (NEW, CHANGED, DELISTED, REMOVED, ...);
* parsed records, rebuilt from the latest snapshot by ``storage.ingest``: dgts selection notices, selection
  results, auction notices, THADS notices, their lots and attachments, normalised owners and organisations,
  and ``record_links`` (result -> notice, THADS -> dgts, relist pairs);
* text features, read once by the text layer: ``lot_features`` (parcel facts, amounts with their bases, asset
  class per lot), ``notice_identities`` and ``blocking_keys`` (asset identity of auction notices, for relist links);
* detection: ``detector_runs`` (settings, population statistics, model versions) and ``findings``;
* people: ``alerts`` (the persistent outbox), ``alert_items`` (which finding version each message carried),
  ``reviews`` (analyst verdicts) and ``users`` (review-site analyst accounts).

Portal identifiers are kept as strings (``record_key``) so dgts integer ids and THADS ``site/list/item`` keys
share one history mechanism.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


class Base(DeclarativeBase):
    """Declarative base; the naming convention keeps Alembic constraint names stable across databases."""

    from sqlalchemy import MetaData

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class UtcDateTime(TypeDecorator):
    """Aware datetimes stored as UTC and read back aware (UTC) on every database.

    SQLite has no time-zone type: SQLAlchemy would write a +07 wall time without its offset and read it back
    naive, shifting every portal time by seven hours. Normalising to UTC at the column is the one fix that holds
    for every query and every database.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, datetime):  # a calendar day compared with a timestamp means its local midnight
            from storage.timeutil import day_start

            value = day_start(value)
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give a time zone (portal times are +07)")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


TZ = UtcDateTime()

# --------------------------------------------------------------------------------------------- provenance


class CrawlRun(Base):
    """One crawl of one source (or one dataset import): its window, outcome and counters."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(32))  # dgts | thads | import | reparse
    kind: Mapped[str] = mapped_column(String(200))  # e.g. "selection,result,auction" or "incremental"
    window_start: Mapped[date | None] = mapped_column(Date)
    window_end: Mapped[date | None] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(TZ)
    finished_at: Mapped[datetime | None] = mapped_column(TZ)
    # running | complete | partial | failed | blocked
    status: Mapped[str] = mapped_column(String(16), default="running")
    # lists that were paged to the end without error, e.g. ["dgts.auction_notice"]; only those may mark records missing
    complete_lists: Mapped[list] = mapped_column(JSON, default=list)
    counters: Mapped[dict] = mapped_column(JSON, default=dict)
    message: Mapped[str | None] = mapped_column(Text)
    portal_url: Mapped[str | None] = mapped_column(String(500))
    # lists this run set out to read (publication days, "all", THADS sites); with ``complete_lists`` they say which
    # days a later run must read again. None on runs older than migration 0003.
    planned_lists: Mapped[list | None] = mapped_column(JSON)


class RawResponse(Base):
    """Every HTTP response exactly as it came; the body is in the evidence store under ``sha256``."""

    __tablename__ = "raw_responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    url: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(8), default="GET")
    status: Mapped[int] = mapped_column(Integer)
    fetched_at: Mapped[datetime] = mapped_column(TZ)
    content_type: Mapped[str | None] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    endpoint: Mapped[str | None] = mapped_column(String(100))  # e.g. "dgts.auction_list", "thads.detail"
    record_kind: Mapped[str | None] = mapped_column(String(40))
    record_key: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(Text)


# --------------------------------------------------------------------------------------------- history


class Record(Base):
    """Current state of one portal record: its latest content hash and whether the portal still lists it."""

    __tablename__ = "records"
    __table_args__ = (UniqueConstraint("record_kind", "record_key", name="uq_records_kind_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_kind: Mapped[str] = mapped_column(String(40))  # dgts.auction_notice | dgts.selection_notice | ...
    record_key: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    first_seen: Mapped[datetime] = mapped_column(TZ)
    last_seen: Mapped[datetime] = mapped_column(TZ)
    last_listed_run: Mapped[int | None] = mapped_column(Integer)
    # active | delisted | removal_pending | removed
    status: Mapped[str] = mapped_column(String(20), default="active")
    missing_runs: Mapped[int] = mapped_column(Integer, default=0)
    list_hash: Mapped[str | None] = mapped_column(String(64))  # hash of the list item alone, to skip detail refetches


class Snapshot(Base):
    """Append-only: one row per distinct content version of a record, with the assembled dataset document."""

    __tablename__ = "snapshots"
    __table_args__ = (Index("ix_snapshots_kind_key", "record_kind", "record_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_kind: Mapped[str] = mapped_column(String(40))
    record_key: Mapped[str] = mapped_column(String(200))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    captured_at: Mapped[datetime] = mapped_column(TZ)
    content_hash: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict] = mapped_column(JSON)
    raw_response_ids: Mapped[list] = mapped_column(JSON, default=list)


class QuarantinedItem(Base):
    """A listed item the crawler could not store, and why: a malformed list item (an id that is not a positive
    integer, not an object) or a notice whose detail stayed unreadable. Open rows with a valid key are fetched again
    on every run until stored; none is lost in silence."""

    __tablename__ = "quarantined_items"
    __table_args__ = (UniqueConstraint("record_kind", "item_key", name="uq_quarantined_items_kind_key"),
                      Index("ix_quarantined_items_kind_status", "record_kind", "status"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(32))  # dgts | thads
    record_kind: Mapped[str] = mapped_column(String(40))
    # the record key when the item names a valid one, else "malformed:<list>:<hash of the item>"
    item_key: Mapped[str] = mapped_column(String(200))
    list_name: Mapped[str] = mapped_column(String(100))  # a publication day, "all", a THADS site
    retryable: Mapped[bool] = mapped_column(Boolean)  # a valid key: fetched again on every run until stored
    reason: Mapped[str] = mapped_column(Text)
    item: Mapped[dict | None] = mapped_column(JSON)  # the list item as listed, to assemble the document on a retry
    url: Mapped[str | None] = mapped_column(Text)  # THADS detail page a retry fetches
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | resolved
    failed_runs: Mapped[int] = mapped_column(Integer, default=0)  # crawl runs in which it could not be stored
    first_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    last_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    first_seen: Mapped[datetime] = mapped_column(TZ)
    last_seen: Mapped[datetime] = mapped_column(TZ)
    resolved_at: Mapped[datetime | None] = mapped_column(TZ)
    alerted_at: Mapped[datetime | None] = mapped_column(TZ)  # when the operator was told it stays unreadable


class ChangeEvent(Base):
    """Field-level history: NEW, CHANGED, SECOND_PUBLICATION, CORRECTION, DELISTED, REMOVAL_PENDING, REMOVED,
    REAPPEARED, CHECK_FAILED, WINDOW_CHANGED."""

    __tablename__ = "change_events"
    __table_args__ = (Index("ix_change_events_kind_key", "record_kind", "record_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_kind: Mapped[str] = mapped_column(String(40))
    record_key: Mapped[str] = mapped_column(String(200))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    event: Mapped[str] = mapped_column(String(30), index=True)
    field: Mapped[str | None] = mapped_column(String(200))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(TZ)


# --------------------------------------------------------------------------------------------- parties


class Owner(Base):
    """An asset owner ("người có tài sản"), normalised through the 2025 THADS renaming."""

    __tablename__ = "owners"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    name: Mapped[str] = mapped_column(Text)  # canonical display name
    kind: Mapped[str] = mapped_column(String(30))
    is_thads: Mapped[bool] = mapped_column(Boolean, default=False)
    province: Mapped[str | None] = mapped_column(String(40))  # post-2025 province code
    region_no: Mapped[int | None] = mapped_column(Integer)


class Organisation(Base):
    """An auction organisation ("tổ chức hành nghề đấu giá")."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    name: Mapped[str] = mapped_column(Text)


# --------------------------------------------------------------------------------------------- parsed records


class SelectionNotice(Base):
    """dgts notice of selecting an auction organisation (thông báo lựa chọn tổ chức đấu giá)."""

    __tablename__ = "selection_notices"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    property_name: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("owners.id"), index=True)
    owner_name: Mapped[str | None] = mapped_column(Text)
    owner_address: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(TZ, index=True)  # lastUpdated (moves on edit)
    first_published_at: Mapped[datetime | None] = mapped_column(TZ)  # earliest lastUpdated we saw
    created_at: Mapped[datetime | None] = mapped_column(TZ)  # genDate
    window_start: Mapped[date | None] = mapped_column(Date)
    window_end: Mapped[date | None] = mapped_column(Date)
    address_receive: Mapped[str | None] = mapped_column(Text)
    contact_info: Mapped[str | None] = mapped_column(Text)
    root_id: Mapped[int | None] = mapped_column(BigInteger)
    province: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="active")
    url: Mapped[str | None] = mapped_column(Text)


class SelectionResult(Base):
    """dgts result of a selection (kết quả lựa chọn tổ chức đấu giá)."""

    __tablename__ = "selection_results"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    notice_id: Mapped[int | None] = mapped_column(BigInteger, index=True)  # portal link id when the API gives one
    property_name: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("owners.id"), index=True)
    owner_name: Mapped[str | None] = mapped_column(Text)
    owner_address: Mapped[str | None] = mapped_column(Text)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    org_name: Mapped[str | None] = mapped_column(Text)
    org_address: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(TZ, index=True)
    decision_date: Mapped[date | None] = mapped_column(Date)  # scoring/selection date stated in text or attachment
    decision_date_source: Mapped[str | None] = mapped_column(String(200))
    province: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="active")
    url: Mapped[str | None] = mapped_column(Text)


class AuctionNotice(Base):
    """dgts public auction notice (thông báo công khai việc đấu giá)."""

    __tablename__ = "auction_notices"
    # premature scoring looks up one organisation's notices in a time range, once per selection notice
    __table_args__ = (Index("ix_auction_notices_org_published", "organisation_id", "published_at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    title: Mapped[str | None] = mapped_column(Text)
    property_name: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("owners.id"), index=True)
    owner_name: Mapped[str | None] = mapped_column(Text)
    owner_address: Mapped[str | None] = mapped_column(Text)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    org_name: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(TZ, index=True)  # publishTime1
    republished_at: Mapped[datetime | None] = mapped_column(TZ)  # publishTime2
    auction_at: Mapped[datetime | None] = mapped_column(TZ)
    reg_start: Mapped[datetime | None] = mapped_column(TZ)
    reg_end: Mapped[datetime | None] = mapped_column(TZ)
    deposit_start: Mapped[datetime | None] = mapped_column(TZ)
    deposit_end: Mapped[datetime | None] = mapped_column(TZ)
    property_type_id: Mapped[int | None] = mapped_column(Integer)
    property_type_name: Mapped[str | None] = mapped_column(Text)
    root_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    related_ids: Mapped[list] = mapped_column(JSON, default=list)
    round_label: Mapped[str | None] = mapped_column(String(200))
    province: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="active")
    url: Mapped[str | None] = mapped_column(Text)


class ThadsNotice(Base):
    """A notice of a provincial THADS sub-site, classified and with the fields the detectors need."""

    __tablename__ = "thads_notices"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # "<site>/<list>/<item_id>"
    site: Mapped[str] = mapped_column(String(60), index=True)
    list_name: Mapped[str] = mapped_column(String(60))
    item_id: Mapped[int] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(Text)
    published_on: Mapped[date | None] = mapped_column(Date, index=True)
    category: Mapped[str] = mapped_column(String(40), default="other")
    category_confidence: Mapped[float | None] = mapped_column(Float)
    body_text: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("owners.id"), index=True)
    owner_name: Mapped[str | None] = mapped_column(Text)
    notice_number: Mapped[str | None] = mapped_column(String(200))
    notice_date: Mapped[date | None] = mapped_column(Date)
    window_start: Mapped[date | None] = mapped_column(Date)
    window_end: Mapped[date | None] = mapped_column(Date)
    selected_org: Mapped[str | None] = mapped_column(Text)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    decision_date: Mapped[date | None] = mapped_column(Date)
    fields: Mapped[dict] = mapped_column(JSON, default=dict)  # everything else the extractor found
    province: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="active")
    url: Mapped[str | None] = mapped_column(Text)


class Lot(Base):
    """One asset lot of a notice (dgts propertyInfo row, selection asset row, THADS asset)."""

    __tablename__ = "lots"
    __table_args__ = (UniqueConstraint("notice_kind", "notice_key", "lot_index", name="uq_lots_notice_lot"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_kind: Mapped[str] = mapped_column(String(40))  # selection_notice | selection_result | auction_notice | thads
    notice_key: Mapped[str] = mapped_column(String(200), index=True)
    lot_index: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(Text)
    amount: Mapped[str | None] = mapped_column(Text)
    place: Mapped[str | None] = mapped_column(Text)
    quality: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(Text)
    start_price: Mapped[float | None] = mapped_column(Float)
    deposit: Mapped[float | None] = mapped_column(Float)
    deposit_unit: Mapped[int | None] = mapped_column(Integer)  # 0 VND, 1 percent, 2 USD
    file_cost: Mapped[float | None] = mapped_column(Float)
    property_type_id: Mapped[int | None] = mapped_column(Integer)
    property_type_name: Mapped[str | None] = mapped_column(Text)



# Attachment.text_status values. ``ok``/``ocr``: the whole file was read (from its text layer / partly by OCR).
# ``partial``: some of it was read (pages beyond the limit, scanned pages without OCR, a time budget that ran out),
# so what it does not say may be in the unread part. ``empty``: read completely and holds no text. Everything else
# (pending, skipped, too_large, timeout, failed, unsupported) means not read.
TEXT_READ_STATUSES = ("ok", "ocr")
TEXT_PARTIAL_STATUSES = ("partial",)
TEXT_EMPTY_STATUSES = ("empty",)


def text_fully_read(status: str | None) -> bool:
    """The attachment was read to the end: a fact it does not state is not in it."""
    return status in TEXT_READ_STATUSES or status in TEXT_EMPTY_STATUSES


def text_usable(status: str | None) -> bool:
    """The attachment has text worth reading (all of it, or part)."""
    return status in TEXT_READ_STATUSES or status in TEXT_PARTIAL_STATUSES

class Attachment(Base):
    """A notice file: metadata, evidence hash and extracted text. ``linkFile`` is never identity."""

    __tablename__ = "attachments"
    __table_args__ = (UniqueConstraint("notice_kind", "notice_key", "file_key", name="uq_attachments_file"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_kind: Mapped[str] = mapped_column(String(40))
    notice_key: Mapped[str] = mapped_column(String(200), index=True)
    file_key: Mapped[str] = mapped_column(String(300))  # dgts idFile, or THADS decoded file name
    role: Mapped[str | None] = mapped_column(String(40))  # notice_file | criteria | result_file | thads
    file_name: Mapped[str] = mapped_column(Text)  # sanitised
    original_name: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(BigInteger)
    content_type: Mapped[str | None] = mapped_column(String(200))
    # pending | skipped | ok | empty | too_large | timeout | failed | unsupported | ocr
    text_status: Mapped[str] = mapped_column(String(20), default="pending")
    text_method: Mapped[str | None] = mapped_column(String(40))
    text: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[datetime | None] = mapped_column(TZ)
    source_url: Mapped[str | None] = mapped_column(Text)


class RecordLink(Base):
    """A scored match between two records: result -> notice, THADS -> dgts, relist pair."""

    __tablename__ = "record_links"
    __table_args__ = (
        UniqueConstraint("link_type", "from_kind", "from_key", "to_kind", "to_key", name="uq_record_links_pair"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    link_type: Mapped[str] = mapped_column(String(40), index=True)  # result_notice | thads_dgts | relist
    from_kind: Mapped[str] = mapped_column(String(40))
    from_key: Mapped[str] = mapped_column(String(200), index=True)
    to_kind: Mapped[str] = mapped_column(String(40))
    to_key: Mapped[str] = mapped_column(String(200), index=True)
    confidence: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20))  # matched | ambiguous | review | rejected
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(TZ)


# --------------------------------------------------------------------------------------------- detection


class DetectorRun(Base):
    """One detection pass: which detectors, their settings, population statistics and model versions."""

    __tablename__ = "detector_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(TZ)
    finished_at: Mapped[datetime | None] = mapped_column(TZ)
    detectors: Mapped[list] = mapped_column(JSON, default=list)
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    stats: Mapped[dict] = mapped_column(JSON, default=dict)
    counters: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="running")
    message: Mapped[str | None] = mapped_column(Text)
    since: Mapped[date | None] = mapped_column(Date)  # None: a full pass; else subjects published from this day


class Finding(Base):
    """One detector result on one subject. Stable ``fingerprint``; never deleted, resolved when it stops holding."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    detector: Mapped[str] = mapped_column(String(40), index=True)
    rule: Mapped[str] = mapped_column(String(60), index=True)
    subject_kind: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)  # flag | insufficient | not_applicable
    severity: Mapped[str] = mapped_column(String(10))  # low | medium | high
    title: Mapped[str | None] = mapped_column(Text)  # short Vietnamese summary
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)
    evidence_hash: Mapped[str] = mapped_column(String(64))
    # what the result was computed from (the subject's stored features, the notice, the settings): a pass whose
    # digest is unchanged keeps the finding as it is instead of building it again
    inputs_digest: Mapped[str | None] = mapped_column(String(64))
    urls: Mapped[list] = mapped_column(JSON, default=list)
    legal_basis: Mapped[str | None] = mapped_column(Text)
    owner_name: Mapped[str | None] = mapped_column(Text)
    province: Mapped[str | None] = mapped_column(String(40), index=True)
    first_seen: Mapped[datetime] = mapped_column(TZ)
    last_seen: Mapped[datetime] = mapped_column(TZ)
    resolved_at: Mapped[datetime | None] = mapped_column(TZ)
    detector_run_id: Mapped[int | None] = mapped_column(ForeignKey("detector_runs.id"))

    reviews: Mapped[list[Review]] = relationship(back_populates="finding", order_by="Review.id")


class Review(Base):
    """An analyst verdict on a finding: one per reviewer and finding (a new verdict replaces the reviewer's last)."""

    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("finding_id", "reviewer", name="uq_reviews_finding_reviewer"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), index=True)
    verdict: Mapped[str] = mapped_column(String(20))  # confirmed | false_positive | needs_more_info
    note: Mapped[str | None] = mapped_column(Text)
    reviewer: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(TZ)  # when the verdict was (last) given
    via: Mapped[str | None] = mapped_column(String(20))  # cli | notebook | web | link

    finding: Mapped[Finding] = relationship(back_populates="reviews")


class User(Base):
    """An analyst account of the review site; the password is stored only as a salted hash."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(TZ)
    password_changed_at: Mapped[datetime] = mapped_column(TZ)


# --------------------------------------------------------------------------------------------- alerts


class Alert(Base):
    """A message in the persistent outbox. Marked sent only after the SMTP server accepted it."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # finding | digest | operator
    recipient: Mapped[str] = mapped_column(String(320), index=True)
    recipient_role: Mapped[str | None] = mapped_column(String(100))
    cc: Mapped[list] = mapped_column(JSON, default=list)
    subject: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(300), unique=True)
    dedupe_key: Mapped[str] = mapped_column(String(300), unique=True)
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), index=True, default="queued")  # queued | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(TZ)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(TZ)
    sent_at: Mapped[datetime | None] = mapped_column(TZ)


class AlertItem(Base):
    """Which finding (at which severity and evidence version) an alert carried: the 'never sent twice' ledger."""

    __tablename__ = "alert_items"
    __table_args__ = (Index("ix_alert_items_finding_recipient", "finding_id", "recipient"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"))
    recipient: Mapped[str] = mapped_column(String(320))
    severity: Mapped[str] = mapped_column(String(10))
    evidence_hash: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(20))  # new | severity_up | new_evidence


class JobLock(Base):
    """Cross-process lock so two daily runs never overlap (a row per lock name, with an expiry)."""

    __tablename__ = "job_locks"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = mapped_column(TZ)
    expires_at: Mapped[datetime] = mapped_column(TZ)


class JobRun(Base):
    """One execution of the daily job (crawl → detect → alert): what each stage did and how it ended."""

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(40))  # daily | demo
    started_at: Mapped[datetime] = mapped_column(TZ)
    finished_at: Mapped[datetime | None] = mapped_column(TZ)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running | ok | failed
    stages: Mapped[dict] = mapped_column(JSON, default=dict)
    message: Mapped[str | None] = mapped_column(Text)


class LotFeatures(Base):
    """What the text layer read from one lot, once: written at ingest (and again when the notice's attachments are
    read or the extractor changes, ``version``), read by the detectors as typed columns. ``parcel`` and ``amounts``
    hold the full readings for the evidence of the few lots a rule reports."""

    __tablename__ = "lot_features"
    __table_args__ = (Index("ix_lot_features_land", "notice_kind", "is_land"),)

    notice_kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    notice_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    lot_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(16))
    inputs_sha256: Mapped[str] = mapped_column(String(64))
    asset_class: Mapped[str] = mapped_column(String(12))  # real_estate | debt | other
    is_land: Mapped[bool] = mapped_column(Boolean)
    has_parcel_no: Mapped[bool] = mapped_column(Boolean)
    has_map_sheet: Mapped[bool] = mapped_column(Boolean)
    has_area: Mapped[bool] = mapped_column(Boolean)
    has_location: Mapped[bool] = mapped_column(Boolean)
    has_certificate: Mapped[bool] = mapped_column(Boolean)
    has_purpose: Mapped[bool] = mapped_column(Boolean)
    has_term: Mapped[bool] = mapped_column(Boolean)
    unread_attachments: Mapped[int] = mapped_column(Integer, default=0)
    price: Mapped[float | None] = mapped_column(Float)
    deposit: Mapped[float | None] = mapped_column(Float)
    deposit_unit: Mapped[int | None] = mapped_column(Integer)
    fee: Mapped[float | None] = mapped_column(Float)
    price_basis: Mapped[str] = mapped_column(String(20))
    price_basis_proven: Mapped[bool] = mapped_column(Boolean)
    deposit_comparable: Mapped[bool] = mapped_column(Boolean)  # deposit and price on one proven basis, or a %
    units: Mapped[int | None] = mapped_column(Integer)
    shared_by_lots: Mapped[int] = mapped_column(Integer, default=1)  # lots of the notice carrying this same price
    term_months: Mapped[float | None] = mapped_column(Float)
    periodic: Mapped[bool] = mapped_column(Boolean)
    land_area_m2: Mapped[float | None] = mapped_column(Float)
    fee_table: Mapped[str] = mapped_column(String(24))  # general | state_land_households | state_land
    parcel: Mapped[dict] = mapped_column(JSON)
    amounts: Mapped[dict] = mapped_column(JSON)


class NoticeIdentity(Base):
    """The asset identity of an auction notice (what kind of asset, which identifiers), read once by the text
    layer; its blocking keys are in ``blocking_keys``."""

    __tablename__ = "notice_identities"

    notice_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    version: Mapped[str] = mapped_column(String(16))  # of the identity extractor
    keys_fp: Mapped[str] = mapped_column(String(16))  # extractor and linking settings its keys and links follow
    identity: Mapped[dict] = mapped_column(JSON)


class BlockingKey(Base):
    """Index from a blocking key of an asset identity (a parcel and sheet in a province, a plate, a chassis, the
    first words of the name within one owner...) to the auction notices carrying it: a new notice is compared only
    with the notices that share one of its keys."""

    __tablename__ = "blocking_keys"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    notice_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, index=True)
