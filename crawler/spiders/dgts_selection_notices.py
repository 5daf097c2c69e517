"""dgts notices of selecting an auction organisation (thông báo lựa chọn tổ chức đấu giá).

Domain: dgts.moj.gov.vn. List ``/ThongTin/getInfoSelectAuctionOrg`` sorted by ``lastUpdated`` (newest first; the
field moves when a notice is edited). Its publish-date filter is unreliable, so the spider pages newest first and
stops at the first notice last updated before the window. Receive windows are local-midnight epoch ms (date only).
Details per new or changed id: owner and reception details, assets (a bare array) and the selection criteria files.
"""

from __future__ import annotations

from sqlalchemy import select

from crawler.assemble import DetailPart
from crawler.spiders.base import DgtsListSpider
from storage.kinds import RecordKind
from storage.models import SelectionNotice
from storage.timeutil import day_start


class DgtsSelectionNoticeSpider(DgtsListSpider):
    name = "dgts_selection_notices"
    record_kind = RecordKind.DGTS_SELECTION_NOTICE
    list_path = "/ThongTin/getInfoSelectAuctionOrg"
    list_endpoint = "dgts.selection_list"
    paging = "sorted_desc"
    sort_field = "lastUpdated"
    details = (
        DetailPart("detail", "dgts.selection_detail", "/ThongTin/getDetailSelectOrgAuction", "id", "envelope_first"),
        DetailPart("properties", "dgts.selection_properties", "/ThongTin/getDetailPropertyInfo", "noticeID", "array"),
        DetailPart("edit_notice", "dgts.selection_edit_notice", "/ThongTin/getInfoEditNotice", "id", "object"),
    )
    file_lists = (
        ("edit_notice", "listFileNotice", "/ThongTin/downloadFile", "criteria"),
        ("edit_notice", "property", "/ThongTin/downloadFile", "notice_file"),
    )
    removal_probe = details[0]

    def scope_keys(self) -> list[str]:
        s = self.recorder.session
        return [str(i) for i in s.scalars(select(SelectionNotice.id)
                                          .where(SelectionNotice.published_at >= day_start(self.since)))]
