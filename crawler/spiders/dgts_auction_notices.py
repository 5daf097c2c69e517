"""dgts public auction notices (thông báo công khai việc đấu giá).

Domain: dgts.moj.gov.vn. List ``/portal/search/auction-notice`` queried one publication day at a time
(``startPublishDate``/``endPublishDate`` in dd/MM/yyyy, ``typeOrder=2`` newest first, 100 per page), because the
unfiltered list shifts by ~500 items a day while it is paged; ``rowCount`` is verified per day. Times are epoch
milliseconds in +07. Details per new or changed id: lots and prices, parties and files, posting history and
corrections. ``linkFile`` tokens change on every fetch and are never identity.
"""

from __future__ import annotations

from sqlalchemy import func, select

from crawler.assemble import DetailPart
from crawler.spiders.base import DgtsListSpider
from storage.kinds import RecordKind
from storage.models import AuctionNotice
from storage.timeutil import day_end, day_start, to_local


class DgtsAuctionNoticeSpider(DgtsListSpider):
    name = "dgts_auction_notices"
    record_kind = RecordKind.DGTS_AUCTION_NOTICE
    list_path = "/portal/search/auction-notice"
    list_endpoint = "dgts.auction_list"
    list_params = {"typeOrder": "2"}
    paging = "window"
    window_params = ("startPublishDate", "endPublishDate")
    details = (
        DetailPart("property_info", "dgts.auction_property_info", "/portal/propertyInfo", "auctionInfoId", "envelope_items"),
        DetailPart("detail", "dgts.auction_detail", "/portal/viewDetailAuctionInfo", "auctionInfoId", "object"),
        DetailPart("publish_history", "dgts.auction_publish2", "/portal/pageAuctionInfoPublish2", "auctionInfoId",
                   "envelope_items", (("p", "0"),)),
        DetailPart("corrections", "dgts.auction_corrections", "/portal/pageAuctionInfoCorrections", "auctionInfoId",
                   "envelope_items", (("p", "0"),)),
    )
    file_lists = (("detail", "listFile", "/portal/downloadFile", "notice_file"),)
    removal_probe = details[0]  # a taken-down notice's propertyInfo has no items

    def scope_keys(self) -> list[str]:
        # The window filter uses the publication time shown in the list (publishTime2 when re-posted); only the
        # days this run read count (a run may read a few earlier days left incomplete besides its window).
        s = self.recorder.session
        days = set(self.days or ())
        lo, hi = day_start(min(days)), day_end(max(days))
        shown = func.coalesce(AuctionNotice.republished_at, AuctionNotice.published_at)
        return [str(i) for i, at in s.execute(select(AuctionNotice.id, shown).where(shown >= lo, shown <= hi))
                if at is not None and to_local(at).date() in days]
