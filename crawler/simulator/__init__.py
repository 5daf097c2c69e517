"""Local simulator of dgts.moj.gov.vn (JSON API) and thads.moj.gov.vn (SharePoint pages) for tests,
benchmarks and demos, served from "portal dataset" documents (shared/data/README.md).

    from crawler.simulator import PortalSimulator, FaultPlan, Trigger, load_documents
    with PortalSimulator(load_documents(["notices.jsonl"]), clock=datetime(2026, 6, 30, 12)) as sim:
        urlopen(sim.base_url + "/portal/search/auction-notice?p=1&numberPerPage=100&typeOrder=2")
        sim.advance(days=1); sim.take_down("dgts.auction_notice", 593515)

Visibility: a record is public once its publication time is <= the simulated clock (auction notice:
publishTime1, else publishTime2; selection notice: list_item.lastUpdated; selection result:
list_item.publishTime; THADS notice: `date` at 00:00 +07:00) and it is not taken down. A stored
publishTime2 in the future stays null until the clock reaches it.

Schedules: any document may carry `_sim` (never served):

    "_sim": {
      "edits": [{"at": "2026-06-03T08:00:00+07:00",            # ISO-8601 (no offset = ICT) or epoch ms
                 "set": {"list_item.receiveTimeEnd": 1781024400000,   # dotted paths; list indexes allowed:
                         "property_info.0.propertyStartPrice": 9}}],  #   "property_info.0.deposit"
      "taken_down_at": "2026-06-05T00:00:00+07:00",            # a time or a list of times
      "restored_at": ["2026-06-07T00:00:00+07:00"],            # a time or a list of times
      "second_publication_at": "2026-06-04T09:00:00+07:00"     # auction notices: sets publishTime2
    }

Events apply in time order once the clock reaches them. An edit of a selection notice also moves its
`list_item.lastUpdated` to the edit time (second precision) unless the edit sets it. Runtime methods
(`edit`, `take_down`, `restore`, `publish_second`) add the same events at the current simulated time.

File bytes: dgts file entries may carry `content_b64`/`content_type` (see `dgts_files`); THADS documents
carry `attachments[].content_b64`. Faults: see `faults` (module docstring) and `challenge`.
"""

from .challenge import COOKIE_NAME, fec_token
from .clock import ICT, SimClock
from .dataset import (
    AUCTION_NOTICE,
    SELECTION_NOTICE,
    SELECTION_RESULT,
    THADS_NOTICE,
    DatasetError,
    load_documents,
)
from .dgts_files import decode_link, encode_link
from .faults import DEFAULT_RENAMES, FaultPlan, Trigger
from .server import PortalSimulator, RequestLog, RequestRecord, build_simulator, serve

__all__ = [
    "AUCTION_NOTICE",
    "COOKIE_NAME",
    "DEFAULT_RENAMES",
    "ICT",
    "SELECTION_NOTICE",
    "SELECTION_RESULT",
    "THADS_NOTICE",
    "DatasetError",
    "FaultPlan",
    "PortalSimulator",
    "RequestLog",
    "RequestRecord",
    "SimClock",
    "Trigger",
    "build_simulator",
    "decode_link",
    "encode_link",
    "fec_token",
    "load_documents",
    "serve",
]
