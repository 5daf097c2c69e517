"""Bundled demo dataset for ``auction-monitor demo``: portal-dataset JSONL files the portal simulator serves.

* ``dgts_auction_notices_real_2025-05_2026-07.jsonl``: the 236 REAL dgts auction notices (shared/data/dgts), verbatim.
* ``made_up_*.jsonl``: MADE-UP records written by ``python -m service.demo_data.build_demo``. Every one says so
  (" (dữ liệu giả lập)" ends each ``propertyName`` and THADS title; parties are "Minh Họa" companies, fictional
  "khu vực 9x" enforcement offices and debtors such as "ông Nguyễn Văn Mẫu"). Each exists to trigger, or to
  deliberately not trigger, one detector rule; README.md in this folder lists them.

``demo_clock()`` is the simulated "now" of the demo: every made-up publication lies before it, and a few scheduled
portal events (a take-down, a second publication, edits, a next-day result) lie in the day after it.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

DEMO_DIR = Path(__file__).resolve().parent
REAL_AUCTION_NOTICES = DEMO_DIR / "dgts_auction_notices_real_2025-05_2026-07.jsonl"
MADE_UP_SELECTION = DEMO_DIR / "made_up_selection_2026.jsonl"
MADE_UP_THADS = DEMO_DIR / "made_up_thads_2026.jsonl"
MADE_UP_AUCTIONS = DEMO_DIR / "made_up_auctions_2026.jsonl"
MADE_UP_FILES = [MADE_UP_SELECTION, MADE_UP_THADS, MADE_UP_AUCTIONS]
DEMO_FILES = [REAL_AUCTION_NOTICES, *MADE_UP_FILES]

# Sites of the made-up THADS notices (the THADS crawl of the demo should visit these sub-sites).
DEMO_THADS_SITES = ("tphochiminh", "binhdinh", "cantho")
# The oldest made-up publication is an auction notice of 14/07/2025; the real notices start on 06/05/2025.
DEMO_BACKFILL_START = date(2025, 5, 1)

_ICT = ZoneInfo("Asia/Ho_Chi_Minh")


def demo_clock() -> datetime:
    """The simulated "today" of the demo: Thursday 2026-07-02 12:00 ICT (aware datetime)."""
    return datetime(2026, 7, 2, 12, 0, tzinfo=_ICT)
