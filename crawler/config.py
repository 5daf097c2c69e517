"""The crawler's settings sections: ``[portals.dgts]`` and ``[portals.thads]`` (where and how politely to crawl),
``[crawl]`` (page and time bounds, the host allow-list, quarantine alerts) and ``[attachments]`` (which files to
download and read).

Strict like every other section (unknown keys and wrong types are errors); ``service.config`` composes them, so
``auction-monitor init`` renders them with their defaults and descriptions.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import Field, field_validator

from storage.settings import Section

_HOST = re.compile(r"(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*")


class CrawlSettings(Section):
    max_list_pages: int = Field(
        500, ge=1, le=100_000,
        description="Most pages read from one dgts list per run (one publication day of auction notices, or the "
                    "whole selection or result list). A list that claims more (a rowCount of 10^9) is read this far, "
                    "left incomplete and retried on the next run; the operator is told.")
    time_budget_s: int = Field(
        7200, ge=60, le=86_400,
        description="Each crawl stops after this many seconds; what it did not finish stays in the window for the "
                    "next run. Must be shorter than schedule.lock_ttl_s.")
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Host names, besides those of portals.dgts.base_url and portals.thads.base_url, that the crawler "
                    "may follow redirects to and whose links may be stored or e-mailed. An answer from any other host "
                    "stops the source like an anti-bot challenge.")
    unreadable_alert_after_runs: int = Field(
        3, ge=1, le=100,
        description="Tell the operator, naming it, when a listed notice stayed unreadable (quarantined) for this "
                    "many crawl runs; it is retried on every run until it is stored.")

    @field_validator("allowed_hosts")
    @classmethod
    def _host_names(cls, hosts: list[str]) -> list[str]:
        for host in hosts:
            if not _HOST.fullmatch(host):
                raise ValueError(f"not a lower-case host name: {host!r} (no scheme, port or path)")
        return hosts


# Known and candidate provincial sub-sites (thads-portal.md §3.2): verified slugs first, then the 34 post-2025
# provinces that are not already listed, then the remaining pre-2025 provinces (their sites may redirect or 404;
# such a site is recorded, not fatal).
DEFAULT_THADS_SITES: tuple[str, ...] = (
    "binhdinh", "tphochiminh", "thuathienhue", "soctrang", "longan",
    "hanoi", "haiphong", "danang", "cantho", "hue", "angiang", "bacninh", "camau", "caobang", "daklak", "dienbien",
    "dongnai", "dongthap", "gialai", "hatinh", "hungyen", "khanhhoa", "laichau", "lamdong", "langson", "laocai",
    "nghean", "ninhbinh", "phutho", "quangngai", "quangninh", "quangtri", "sonla", "tayninh", "thainguyen",
    "thanhhoa", "tuyenquang", "vinhlong",
    "bacgiang", "backan", "baclieu", "bariavungtau", "bentre", "binhduong", "binhphuoc", "binhthuan", "daknong",
    "hagiang", "hanam", "haiduong", "haugiang", "hoabinh", "kiengiang", "kontum", "namdinh", "ninhthuan", "phuyen",
    "quangbinh", "quangnam", "thaibinh", "tiengiang", "travinh", "vinhphuc", "yenbai",
)


class DgtsSettings(Section):
    base_url: str = Field("https://dgts.moj.gov.vn", description="National auction portal.")
    kinds: list[Literal["selection", "result", "auction"]] = Field(
        ["selection", "result", "auction"], description="Record kinds to crawl.")
    lookback_days: int = Field(3, ge=0, le=60, description="A daily run re-reads this many days before the last crawl, because the list is a moving target.")
    backfill_start: date | None = Field(None, description="First publication day of a first (empty-database) crawl; unset = lookback_days before today.")
    page_size: int = Field(100, ge=1, le=100, description="numberPerPage; 100 is the largest size proven on the real portal.")
    concurrency: int = Field(2, ge=1, le=8, description="Parallel requests. The portal answers a 100-item page in ~2.5 s; 2 keeps us well under what working peers used (5).")
    download_delay_s: float = Field(1.0, ge=0, le=60, description="Pause between requests to the portal, in seconds (politeness).")
    timeout_s: float = Field(60.0, gt=0, le=600, description="Per-request timeout; real list pages took up to 20 s.")
    max_retries: int = Field(4, ge=0, le=10, description="Retries with exponential back-off on 429, 5xx and timeouts.")
    browser: bool = Field(False, description="Browser bootstrap: pass the FEC JavaScript challenge in headless Chromium and call the API from the page.")
    chromium_path: str = Field("/usr/bin/chromium", description="Chromium used by the browser bootstrap (Debian package chromium).")
    user_agent: str = Field("auction-monitor/0.1 (+https://github.com/auction-monitor; inspectorate monitoring)", description="User-Agent header.")


class ThadsSettings(Section):
    base_url: str = Field("https://thads.moj.gov.vn", description="Civil judgment enforcement portal.")
    sites: list[str] = Field(default_factory=lambda: list(DEFAULT_THADS_SITES), description="Provincial sub-site slugs to crawl.")
    list_name: str = Field("ThongBao", description="SharePoint list holding the notices.")
    stop_after_known: int = Field(20, ge=1, le=10_000, description="Incremental run: stop a site after this many already-known items in a row.")
    max_pages: int = Field(30, ge=1, le=10_000, description="Upper bound of list pages per site and run.")
    full_pass_weekday: int = Field(6, ge=0, le=6, description="Weekday (0 = Monday) of the weekly full pass that finds edits and deletions.")
    concurrency: int = Field(2, ge=1, le=8, description="Parallel requests to the THADS portal.")
    download_delay_s: float = Field(1.0, ge=0, le=60, description="Pause between requests, seconds.")
    timeout_s: float = Field(60.0, gt=0, le=600, description="Per-request timeout.")
    max_retries: int = Field(3, ge=0, le=10, description="Retries with back-off on 429, 5xx and timeouts.")


class PortalsSettings(Section):
    dgts: DgtsSettings = Field(default_factory=DgtsSettings)
    thads: ThadsSettings = Field(default_factory=ThadsSettings)


class AttachmentSettings(Section):
    download: bool = Field(True, description="Download attachments and extract their text.")
    roles: list[Literal["notice_file", "criteria", "result_file", "thads"]] = Field(
        ["notice_file", "criteria", "result_file", "thads"], description="Which attachments to download.")
    extensions: list[str] = Field(["pdf", "doc", "docx"], description="File types to download (by original name).")
    max_bytes: int = Field(20_000_000, ge=1, le=500_000_000, description="Larger files are recorded but not downloaded.")
    ocr: bool = Field(True, description="OCR scanned PDFs with Tesseract's Vietnamese model.")
    timeout_s: float = Field(90.0, gt=0, le=3600, description="Time limit for extracting one file's text.")
