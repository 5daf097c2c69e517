"""The alerts layer's settings sections: ``[alerts]`` with ``[alerts.monitor]``, ``[alerts.smtp]`` and the
``[[alerts.recipients]]`` officers, and ``[web]``, the review site that every e-mailed finding link opens (where
recipients reach it, how links are signed and how long they last, how the site serves them).

``service.config`` composes these sections with the other layers' into one file; ``AppSettings`` is what an alert
function reads from that whole configuration when it is given one instead of its ``[alerts]`` section.
"""

from __future__ import annotations

import os
from typing import Literal, Protocol

from pydantic import Field, field_validator, model_validator

from crawler.config import CrawlSettings
from storage.settings import ConfigError, EvidenceSettings, Section


def _email_address(v: str) -> str:
    if "@" not in v or v.startswith("@") or v.endswith("@") or any(c in v for c in " \r\n<>,;"):
        raise ValueError(f"not an e-mail address: {v!r}")
    return v


class Recipient(Section):
    name: str = Field(description="Officer's name.")
    email: str = Field(description="Officer's e-mail address.")
    role: str = Field("provincial_officer", description="Role label (units were renamed in 2025; roles are not unit names).")
    provinces: list[str] = Field(default_factory=list, description="Post-2025 provinces (names or codes; old names are mapped).")
    owners: list[str] = Field(default_factory=list, description="Owner offices this officer covers (substring match on the normalised name).")
    detectors: list[str] = Field(default_factory=list, description="Only these detectors (empty = all).")

    _email_shape = field_validator("email")(_email_address)


class MonitorSettings(Section):
    name: str = Field("Cán bộ theo dõi (Vụ Nghiệp vụ 1)", description="The designated monitor who gets everything unmatched.")
    email: str = Field("monitor@localhost", description="Monitor's e-mail address.")
    role: str = Field("central_monitoring_officer", description="Role label.")

    _email_shape = field_validator("email")(_email_address)


class SmtpSettings(Section):
    host: str = Field("localhost", description="SMTP server.")
    port: int = Field(25, ge=1, le=65535, description="SMTP port (587 STARTTLS, 465 SSL).")
    security: Literal["none", "starttls", "ssl"] = Field("none", description="Transport security.")
    username: str | None = Field(None, description="Login name; the password comes from the environment variable below.")
    password_env: str = Field("AUCTION_MONITOR_SMTP_PASSWORD", description="Name of the environment variable holding the SMTP password.")
    timeout_s: float = Field(30.0, gt=0, le=600, description="Connection timeout.")

    def password(self) -> str | None:
        return os.environ.get(self.password_env) or None


REMOVED_KEYS = {
    "evidence_base_url": "e-mails link each finding to its page on the review site ([web] base_url)",
    "review_hint": "e-mails carry a signed link to the review site where the verdict is recorded",
}


class AlertSettings(Section):
    mode: Literal["outbox", "smtp"] = Field("outbox", description="outbox = write .eml files (dry run); smtp = deliver through [alerts.smtp].")
    outbox_dir: str = Field("data/outbox", description="Where .eml files are written in outbox mode.")
    from_address: str = Field("auction-monitor@localhost", description="Sender address.")
    operator_email: str = Field("operator@localhost", description="Operator alerts (portal blocked, crawl failed, no new records).")
    copy_monitor: bool = Field(True, description="Copy every officer's alert to the monitor.")
    immediate_severities: list[Literal["low", "medium", "high"]] = Field(["high"], description="Severities that get one e-mail per finding; the rest go to the daily digest.")
    max_immediate_per_run: int = Field(100, ge=1, le=100_000, description="At most this many one-finding e-mails per run (newest findings first); the rest join the recipients' digests, so the first run over a backfilled history is not a flood.")
    no_new_records_days: int = Field(2, ge=1, le=60, description="Tell the operator when a source brought nothing new for this many days.")
    max_attempts: int = Field(8, ge=1, le=100, description="Delivery attempts before a message is marked failed.")
    retry_base_s: float = Field(60.0, ge=0, le=86_400, description="First retry delay; doubles per attempt.")
    monitor: MonitorSettings = Field(default_factory=MonitorSettings)
    recipients: list[Recipient] = Field(default_factory=list, description="Officers and what they cover.")
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)

    # A header line must stay one line: "a@b\r\nBcc: x" here would break every message.
    _address_shape = field_validator("from_address", "operator_email")(_email_address)

    @model_validator(mode="before")
    @classmethod
    def _removed_keys(cls, data: object) -> object:
        """Keys of earlier versions are refused with what replaced them (an ignored key would hide a mistake)."""
        if isinstance(data, dict):
            for key, why in REMOVED_KEYS.items():
                if key in data:
                    raise ValueError(f"alerts.{key} is no longer used: {why}; remove it from the configuration file")
        return data


class WebSettings(Section):
    host: str = Field("127.0.0.1", description="Address the review site (`auction-monitor serve`) listens on; keep 127.0.0.1 and put a TLS reverse proxy in front.")
    port: int = Field(8765, ge=1, le=65535, description="Port of the review site.")
    public_base_url: str = Field("http://127.0.0.1:8765", description="The site's address as recipients reach it (the reverse proxy's https:// URL); finding links in e-mails start with it.")
    secret_key_env: str = Field("AUCTION_MONITOR_WEB_SECRET", description="Name of the environment variable holding the site's secret key (at least 32 characters; signs links and sessions).")
    link_lifetime_days: int = Field(30, ge=1, le=365, description="How long a finding link in an e-mail stays valid, in days.")
    session_lifetime_hours: int = Field(12, ge=1, le=24 * 30, description="How long an analyst stays logged in.")
    page_size: int = Field(25, ge=5, le=200, description="Findings per page of the list.")
    proxy_hops: int = Field(0, ge=0, le=5, description="Reverse proxies in front that set X-Forwarded-For/-Proto/-Host (1 behind one nginx); 0 trusts none.")
    threads: int = Field(4, ge=1, le=64, description="Worker threads of the web server.")

    @field_validator("public_base_url")
    @classmethod
    def _http_url(cls, v: str) -> str:
        from urllib.parse import urlsplit

        parts = urlsplit(v)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise ValueError(f"not an http(s) base URL: {v!r}")
        return v.rstrip("/")

    def secret_key(self) -> str:
        """The secret from the environment; ConfigError when unset or too short (it is never printed)."""
        value = os.environ.get(self.secret_key_env) or ""
        if len(value) < 32:
            raise ConfigError(f"set the environment variable {self.secret_key_env} to a random secret of at least "
                              "32 characters (e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(48))')")
        return value


class AppSettings(Protocol):
    """The parts of the composed configuration (``service.config.Settings``) alerts read besides ``[alerts]``."""

    alerts: AlertSettings
    web: WebSettings
    evidence: EvidenceSettings
    crawl: CrawlSettings

    def allowed_hosts(self) -> frozenset[str]: ...


def alert_settings(settings: AppSettings | AlertSettings) -> AlertSettings:
    """Accept the whole configuration or just its ``[alerts]`` section."""
    return settings if isinstance(settings, AlertSettings) else settings.alerts
