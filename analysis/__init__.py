"""Analyst helpers: read the project's database into pandas DataFrames for the notebooks in ``notebooks/``.

A layer of its own above the detectors (it reads their registry and re-runs a rule's threshold on stored findings)
and below the service layer, which it does not import.

Every function takes ``db`` — a database URL or an open SQLAlchemy session — and returns a DataFrame with English
column names (``vi_table`` makes a display copy: Vietnamese headers and readable cells). Portal text in the frames is plain text, shortened to keep
cells readable; display it with pandas' default (escaped) rendering, never as raw HTML.
"""

from analysis.common import (
    COLUMN_LABELS_VI,
    DETECTOR_LABELS_VI,
    NOTICE_KIND_LABELS_VI,
    RECORD_KIND_LABELS_VI,
    STATUS_LABELS_VI,
    default_evidence_dir,
    format_vnd,
    local_naive,
    province_label,
    resolve_db_url,
    safe_url,
    session_for,
    vi_columns,
)
from analysis.coverage import (
    RECORD_KINDS,
    check_failed_events,
    coverage_gaps,
    crawl_activity,
    crawl_coverage,
    crawl_runs,
)
from analysis.display import vi_table
from analysis.findings import (
    detector_settings,
    evidence_value,
    evidence_values,
    findings_frame,
    findings_over_time,
    findings_summary,
    open_findings,
    owner_findings,
    precision_table,
    record_verdicts,
    reviews_frame,
    settings_effect,
    threshold_changes,
    threshold_effect,
)
from analysis.parcels import lot_parcels, parcel_completeness
from analysis.parties import (
    find_owners,
    organisation_selections,
    organisation_share,
    owner_org_edges,
    owner_selections,
    resolve_organisation,
    resolve_owner,
)
from analysis.timeline import (
    notice_attachments,
    notice_family,
    notice_findings,
    notice_records,
    notice_timeline,
    relist_rounds,
)

__all__ = [
    "COLUMN_LABELS_VI", "DETECTOR_LABELS_VI", "NOTICE_KIND_LABELS_VI", "RECORD_KINDS", "RECORD_KIND_LABELS_VI",
    "STATUS_LABELS_VI", "check_failed_events", "coverage_gaps", "crawl_activity", "crawl_coverage", "crawl_runs",
    "default_evidence_dir", "detector_settings", "evidence_value", "evidence_values", "find_owners", "findings_frame",
    "findings_over_time", "findings_summary", "format_vnd", "local_naive", "lot_parcels", "notice_attachments",
    "notice_family", "notice_findings", "notice_records", "notice_timeline", "open_findings",
    "organisation_selections", "organisation_share", "owner_findings", "owner_org_edges", "owner_selections",
    "parcel_completeness", "precision_table", "province_label", "record_verdicts", "relist_rounds", "resolve_db_url",
    "resolve_organisation", "resolve_owner", "reviews_frame", "safe_url", "session_for", "settings_effect",
    "threshold_changes", "threshold_effect", "vi_columns", "vi_table",
]
