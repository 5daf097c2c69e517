"""The detector plugin contract: settings model, tri-state results with evidence, population statistics.

A detector is a class with a ``name``, a ``Settings`` model (strict: unknown keys rejected, defaults in code) and
``evaluate(ctx)`` which yields one ``Result`` per (rule, subject) it looked at. ``finalize()`` returns the
population statistics (fences, percentiles) computed after the pass; the runner records them with the run.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable, ClassVar, Iterator, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

Status = Literal["flag", "insufficient", "not_applicable", "pass", "unchanged"]
Severity = Literal["low", "medium", "high"]
SEVERITY_ORDER = {"low": 0, "medium": 1, "high": 2}


class DetectorSettings(BaseModel):
    """Base of every detector's settings section."""

    model_config = ConfigDict(extra="forbid", strict=True, validate_default=True)


@dataclass
class Result:
    """The outcome of one rule on one subject. ``pass`` results are not stored; they resolve open findings.
    ``unchanged``: the subject's open finding was computed from the same inputs (``digest``) and stays as it is."""

    rule: str
    subject_kind: str  # selection_notice | selection_result | auction_notice | lot | owner | organisation | thads_notice | chain
    subject_id: str
    status: Status
    severity: Severity = "low"
    title: str = ""  # one Vietnamese sentence
    evidence: dict[str, Any] = field(default_factory=dict)
    urls: list[str] = field(default_factory=list)
    legal_basis: str | None = None
    owner_name: str | None = None
    province: str | None = None
    keep: bool = False  # store a not_applicable result (normally only counted)
    digest: str | None = None  # of the inputs the result was computed from (``DetectionContext.open_digests``)


@dataclass
class Unchanged:
    """Subjects of one rule whose open findings were computed from the same inputs as now: they stay as they are
    (only ``last_seen`` moves). One item stands for many subjects, so a pass over a national history builds no
    result per unchanged finding."""

    rule: str
    subject_ids: list[str]


@dataclass
class DetectionContext:
    session: Session
    now: datetime
    since: date | None = None
    evidence_root: str | None = None
    stats: dict[str, Any] = field(default_factory=dict)
    # what one detector loaded and the next may reuse in the same run (``shared_load``); nothing in it is changed
    # by a detector, so a later one reads what an earlier one read
    shared: dict[str, Any] = field(default_factory=dict)
    # False: every subject is judged afresh (a what-if run over other settings reads no stored finding)
    reuse_findings: bool = True

    def shared_load(self, key: str, load: Callable[[], Any]) -> Any:
        """``load()`` once per detection run: later detectors get the same object."""
        if key not in self.shared:
            self.shared[key] = load()
        return self.shared[key]

    def open_digests(self, detector: str, rule: str) -> dict[str, str | None]:
        """Subject -> inputs digest of this rule's open findings: a subject whose digest is unchanged is answered
        with an ``unchanged`` result instead of being built again. Empty when ``reuse_findings`` is off."""
        if not self.reuse_findings:
            return {}
        from sqlalchemy import select

        from storage.models import Finding

        return dict(self.session.execute(select(Finding.subject_id, Finding.inputs_digest).where(
            Finding.detector == detector, Finding.rule == rule, Finding.resolved_at.is_(None))).all())


def inputs_digest(*parts: Any) -> str:
    """Digest of the inputs a result is computed from (any JSON-able values)."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


class Detector:
    """Base class; subclasses set ``name``, ``Settings``, ``rules`` and implement ``evaluate``."""

    name: ClassVar[str]
    version: ClassVar[str] = "1"
    Settings: ClassVar[type[DetectorSettings]]
    rules: ClassVar[tuple[str, ...]] = ()

    def __init__(self, settings: DetectorSettings) -> None:
        self.settings = settings

    def evaluate(self, ctx: DetectionContext) -> Iterator[Result]:
        raise NotImplementedError

    def finalize(self) -> dict[str, Any]:
        """Population statistics computed after the pass (fences, percentiles, model versions)."""
        return {}


def jsonable(value: Any) -> Any:
    """Evidence values as JSON: dates ISO, sets sorted, tuples as lists, floats rounded to 6 places."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(jsonable(v) for v in value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 6)
    return value


def fingerprint(detector: str, rule: str, subject_kind: str, subject_id: str) -> str:
    return hashlib.sha256(f"{detector}|{rule}|{subject_kind}|{subject_id}".encode()).hexdigest()


def evidence_hash(evidence: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(jsonable(evidence), sort_keys=True, ensure_ascii=False).encode()).hexdigest()
