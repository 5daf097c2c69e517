"""The record-kind vocabulary: what kind of portal document a record is, what kind of typed row (notice) it
becomes, and the mapping between the two.

A *record kind* names a portal document as crawled: ``records.record_kind``, snapshots, change events, quarantined
items, ``crawl_runs.completed_lists`` and the ``kind`` of a portal-dataset line. A *notice kind* names the typed row
made from it: ``lots.notice_kind``, ``attachments.notice_kind``, a finding's ``subject_kind`` and the kinds of
``record_links``.
"""

from __future__ import annotations


class RecordKind:
    """Kinds of portal documents."""

    DGTS_AUCTION_NOTICE = "dgts.auction_notice"
    DGTS_SELECTION_NOTICE = "dgts.selection_notice"
    DGTS_SELECTION_RESULT = "dgts.selection_result"
    THADS_NOTICE = "thads.notice"

    DGTS = (DGTS_SELECTION_NOTICE, DGTS_SELECTION_RESULT, DGTS_AUCTION_NOTICE)
    ALL = (*DGTS, THADS_NOTICE)


class NoticeKind:
    """Kinds of typed rows made from portal documents."""

    AUCTION_NOTICE = "auction_notice"
    SELECTION_NOTICE = "selection_notice"
    SELECTION_RESULT = "selection_result"
    THADS_NOTICE = "thads_notice"

    ALL = (SELECTION_NOTICE, SELECTION_RESULT, AUCTION_NOTICE, THADS_NOTICE)


NOTICE_KIND_OF_RECORD: dict[str, str] = {
    RecordKind.DGTS_AUCTION_NOTICE: NoticeKind.AUCTION_NOTICE,
    RecordKind.DGTS_SELECTION_NOTICE: NoticeKind.SELECTION_NOTICE,
    RecordKind.DGTS_SELECTION_RESULT: NoticeKind.SELECTION_RESULT,
    RecordKind.THADS_NOTICE: NoticeKind.THADS_NOTICE,
}
RECORD_KIND_OF_NOTICE: dict[str, str] = {notice: record for record, notice in NOTICE_KIND_OF_RECORD.items()}
