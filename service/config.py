"""Configuration: one TOML file, strictly validated; every default lives here in code.

Unknown keys and wrong types are errors that name the file, the key and the reason. Secrets (the SMTP password)
are never read from the file, only from the environment variable the file names. ``render_default_config``
writes a fully commented file for ``auction-monitor init``.
"""

from __future__ import annotations

import json
import os
import tomllib
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from crawler.config import CrawlSettings

DEFAULT_CONFIG_NAME = "auction-monitor.toml"


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message names file, key and reason."""


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, validate_default=True)


def _email_address(v: str) -> str:
    if "@" not in v or v.startswith("@") or v.endswith("@") or any(c in v for c in " \r\n<>,;"):
        raise ValueError(f"not an e-mail address: {v!r}")
    return v


class DatabaseSettings(Section):
    url: str = Field("sqlite:///data/auction-monitor.sqlite", description="SQLAlchemy URL or a file path (SQLite). PostgreSQL: postgresql://user@host/db (password from PGPASSWORD or a .pgpass file).")

    @field_validator("url")
    @classmethod
    def _supported_database(cls, v: str) -> str:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        from storage.db import masked_url, normalize_url

        try:
            parsed = make_url(normalize_url(v))
        except (ArgumentError, ValueError):
            raise ValueError(f"not a database URL or file path: {masked_url(v)!r}") from None
        backend = parsed.get_backend_name()
        if backend not in ("sqlite", "postgresql"):
            raise ValueError(f"unsupported database {backend!r}: use a SQLite file path or a postgresql:// URL")
        driver = parsed.get_driver_name()
        if driver not in ("pysqlite", "psycopg"):
            raise ValueError(f"unsupported database driver {driver!r}: write postgresql://… (psycopg is used) or a "
                             "SQLite file path")
        return v


class EvidenceSettings(Section):
    path: str = Field("data/evidence", description="Folder of the content-addressed evidence store (raw responses and attachments).")


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


class ScheduleSettings(Section):
    cron: str = Field("0 6 * * *", description="When the daily job runs (crontab fields: minute hour day month weekday).")
    timezone: str = Field("Asia/Ho_Chi_Minh", description="Time zone of the cron expression.")
    misfire_grace_s: int = Field(3600, ge=1, le=86_400, description="A run missed by less than this still runs.")
    lock_ttl_s: int = Field(6 * 3600, ge=60, le=86_400, description="A run lock older than this is considered abandoned.")
    full_detect_every_days: int = Field(
        7, ge=0, le=366,
        description="The daily job runs a full detection pass when the last one is this many days old (or the "
                    "detector settings changed), and otherwise re-evaluates only the records published since the "
                    "earliest day the crawl changed; 0 = a full pass every day.")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(f"unknown time zone {v!r} (an IANA name such as Asia/Ho_Chi_Minh)") from None
        return v

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, v: str) -> str:
        from service.scheduler import daily_trigger  # late: the scheduler module imports this one

        try:
            daily_trigger(ScheduleSettings.model_construct(cron=v, timezone="UTC"))
        except (ValueError, TypeError, KeyError) as exc:
            raise ValueError(f"not a crontab expression (minute hour day month weekday): {v!r}: {exc}") from None
        return v


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


class Settings(Section):
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    evidence: EvidenceSettings = Field(default_factory=EvidenceSettings)
    portals: PortalsSettings = Field(default_factory=PortalsSettings)
    crawl: CrawlSettings = Field(default_factory=CrawlSettings)
    attachments: AttachmentSettings = Field(default_factory=AttachmentSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    # Validated by each detector's own settings model (detectors.registry); a present section enables it.
    detectors: dict[str, dict[str, Any]] = Field(default_factory=dict)

    source_path: str | None = Field(None, exclude=True)

    @model_validator(mode="after")
    def _crawl_ends_before_the_lock_expires(self) -> Settings:
        if self.crawl.time_budget_s >= self.schedule.lock_ttl_s:
            raise ValueError(f"crawl.time_budget_s ({self.crawl.time_budget_s}) must be shorter than "
                             f"schedule.lock_ttl_s ({self.schedule.lock_ttl_s}), or a next run could overlap a crawl")
        return self

    def allowed_hosts(self) -> frozenset[str]:
        """Hosts whose answers and links count as the portals' (``crawler.hosts``)."""
        from crawler.hosts import allowed_hosts

        return allowed_hosts([self.portals.dgts.base_url, self.portals.thads.base_url], self.crawl.allowed_hosts)

    def detector_settings(self) -> dict[str, Any]:
        """Validated settings objects of the enabled detectors."""
        from detectors.registry import validate_detector_settings

        return validate_detector_settings(self.detectors, source=self.source_path or "<defaults>")


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


def _key_part(part: object) -> str:
    """One part of a dotted key as written in TOML: bare when it can be, quoted otherwise ("" or "a b")."""
    text = str(part)
    return text if text and all(c.isalnum() or c in "_-" for c in text) else json.dumps(text, ensure_ascii=False)


def _format_error(source: str, err: dict) -> str:
    loc = [_key_part(p) for p in err.get("loc", ())]
    key = ".".join(loc) if loc else "(top level)"
    msg = err.get("msg", "invalid")
    if err.get("type") == "extra_forbidden":
        msg = "unknown key (not a setting; check the spelling)"
    return f"{source}: {key}: {msg}"


def settings_from_dict(data: dict[str, Any], source: str = "<config>") -> Settings:
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        lines = [_format_error(source, e) for e in exc.errors()]
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(lines)) from None
    settings.source_path = source
    settings.detector_settings()  # unknown detector names or keys are errors now, not at detection time
    from alerts.routing import Router, RoutingError

    try:
        Router(settings.alerts)  # unknown province names in recipients are errors now, not at alert time
    except RoutingError as exc:
        raise ConfigError(f"invalid configuration:\n  {source}: alerts.recipients: {exc}") from None
    return settings


def load_config(path: str | os.PathLike[str] | None = None) -> Settings:
    """Read and validate a TOML file; with no path, use ./auction-monitor.toml if present, else defaults."""
    if path is None:
        env = os.environ.get("AUCTION_MONITOR_CONFIG")
        path = env or (DEFAULT_CONFIG_NAME if Path(DEFAULT_CONFIG_NAME).exists() else None)
    if path is None:
        return settings_from_dict({}, "<defaults>")
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read configuration: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{p}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: not valid TOML: {exc}") from None
    alerts = data.get("alerts")
    smtp = alerts.get("smtp") if isinstance(alerts, dict) else None
    if isinstance(smtp, dict) and "password" in smtp:
        raise ConfigError(f"{p}: alerts.smtp.password: secrets must not be in the file; set the environment variable named by alerts.smtp.password_env")
    web = data.get("web")
    if isinstance(web, dict) and ("secret_key" in web or "secret" in web):
        raise ConfigError(f"{p}: web.secret_key: secrets must not be in the file; set the environment variable named by web.secret_key_env")
    return settings_from_dict(data, str(p))
