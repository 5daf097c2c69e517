"""dgts results of selecting an auction organisation (kết quả lựa chọn tổ chức đấu giá).

Domain: dgts.moj.gov.vn. List ``/ThongTin/getResultSelectAuctionOrg`` has no date filter and is not sorted by
time, so every page is read on every run; details (owner, selected organisation and assets, publication info)
are fetched only for new or changed ids. Every field is kept, including any id linking a result to its notice.
"""

from __future__ import annotations

from crawler.assemble import DetailPart
from crawler.spiders.base import DgtsListSpider
from storage.kinds import RecordKind


class DgtsSelectionResultSpider(DgtsListSpider):
    name = "dgts_selection_results"
    record_kind = RecordKind.DGTS_SELECTION_RESULT
    list_path = "/ThongTin/getResultSelectAuctionOrg"
    list_endpoint = "dgts.result_list"
    paging = "full"
    details = (
        DetailPart("owner", "dgts.result_owner", "/ThongTin/getInfoOwner", "id", "object"),
        DetailPart("history", "dgts.result_history", "/ThongTin/getDetaiResultHistory", "resultID", "object"),
        DetailPart("info", "dgts.result_info", "/ThongTin/getInfoResult", "resultID", "object"),
    )
    file_lists = (("info", "listFile", "/ThongTin/downloadFile", "result_file"),)
    removal_probe = None  # no endpoint is known to answer "gone" for a result: absence stays DELISTED
