"""Registry of detector plugins and validation of their ``[detectors.<name>]`` settings sections.

Built-in detectors are listed here by import path (imported lazily); third-party ones may register through the
``auction_monitor.detectors`` entry-point group. A section that is present enables its detector. When the
configuration has no ``[detectors]`` table at all, every built-in detector runs with its defaults.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Any

from pydantic import ValidationError

from detectors.base import Detector, DetectorSettings

BUILTIN: dict[str, str] = {
    "premature_scoring": "detectors.premature_scoring:PrematureScoringDetector",
    "parcel_details": "detectors.parcel_details:ParcelDetailsDetector",
    "collusion": "detectors.collusion:CollusionDetector",
    "data_quality": "detectors.data_quality:DataQualityDetector",
}


def _load(path: str) -> type[Detector]:
    module, _, attr = path.partition(":")
    return getattr(importlib.import_module(module), attr)


def available() -> dict[str, type[Detector]]:
    found = {name: _load(path) for name, path in BUILTIN.items()}
    for ep in entry_points(group="auction_monitor.detectors"):
        found.setdefault(ep.name, ep.load())
    return found


def default_settings_sections() -> dict[str, DetectorSettings]:
    return {name: cls.Settings() for name, cls in available().items()}


def validate_detector_settings(raw: dict[str, Any] | None, source: str = "<config>") -> dict[str, DetectorSettings]:
    """Validate each present section with its detector's model; unknown detectors and keys are errors."""
    from storage.settings import ConfigError

    detectors = available()
    if not raw:
        return {name: cls.Settings() for name, cls in detectors.items()}
    out: dict[str, DetectorSettings] = {}
    problems: list[str] = []
    for name, section in raw.items():
        cls = detectors.get(name)
        if cls is None:
            problems.append(f"{source}: detectors.{name}: unknown detector (known: {', '.join(sorted(detectors))})")
            continue
        if not isinstance(section, dict):
            problems.append(f"{source}: detectors.{name}: must be a table")
            continue
        try:
            out[name] = cls.Settings.model_validate(section)
        except ValidationError as exc:
            for err in exc.errors():
                key = ".".join(str(p) for p in err["loc"])
                msg = "unknown key (not a setting; check the spelling)" if err["type"] == "extra_forbidden" else err["msg"]
                problems.append(f"{source}: detectors.{name}.{key}: {msg}")
    if problems:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems))
    return out


def build(settings: dict[str, DetectorSettings], only: list[str] | None = None) -> list[Detector]:
    detectors = available()
    if only:
        unknown = [n for n in only if n not in detectors]
        if unknown:
            raise ValueError(f"unknown detector(s): {', '.join(unknown)} (known: {', '.join(sorted(detectors))})")
        missing = [n for n in only if n not in settings]
        if missing:
            raise ValueError(f"detector(s) not enabled in the configuration: {', '.join(missing)}")
    names = only or list(settings)
    return [detectors[n](settings[n]) for n in names]
