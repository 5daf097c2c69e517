"""Configuration: one TOML file, strictly validated, composed of the sections each layer owns.

``[database]`` and ``[evidence]`` are storage's (``storage.settings``), ``[portals.*]``, ``[crawl]`` and
``[attachments]`` the crawler's (``crawler.config``), ``[alerts]`` and ``[web]`` the alerts' (``alerts.settings``),
``[schedule]`` the scheduler's (``service.scheduler``) and each ``[detectors.<name>]`` its detector's. Unknown keys
and wrong types are errors that name the file, the key and the reason. Secrets (the SMTP password) are never read
from the file, only from the environment variable the file names. ``service.config_template`` writes a fully
commented file for ``auction-monitor init``.
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, model_validator

from alerts.settings import AlertSettings, WebSettings
from crawler.config import AttachmentSettings, CrawlSettings, PortalsSettings
from service.scheduler import ScheduleSettings
from storage.settings import ConfigError, DatabaseSettings, EvidenceSettings, Section

DEFAULT_CONFIG_NAME = "auction-monitor.toml"


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
