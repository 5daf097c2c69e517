"""The crawler's own settings section (``[crawl]``): page and time bounds, the host allow-list, quarantine alerts.

Strict like every other section (unknown keys and wrong types are errors); ``service.config`` embeds it, so
``auction-monitor init`` renders it with its defaults and descriptions.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

_HOST = re.compile(r"(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*")


class CrawlSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, validate_default=True)

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
