"""Fault injection plan (429/5xx bursts, timeouts, slow and truncated responses, FEC challenges, renamed
fields) and the deterministic per-request decision of which faults hit.

A `Trigger` says which requests a fault hits; every trigger counts the requests in its scope on its own,
from the moment the plan is installed (`PortalSimulator.faults = plan` resets the counters):

* `next=N`                 the next N requests;
* `every=K`                the Kth, 2Kth, 3Kth ... request;
* `first_per_endpoint=N`   the first N requests to each path;
* `probability=P`          each request with probability P, drawn from `random.Random(plan.seed)`;
* `endpoints=(...)`        restrict the scope to paths starting with one of these (case-insensitive);
                           empty = every path except the challenge scripts under `/_fec_sbu/`;
* `queries=(...)`          restrict it further to query strings containing one of these (e.g. one record's id,
                           `auctionInfoId=593515`).

Besides HTTP faults the plan can make the portal hostile: `redirect` answers 302 to `redirect_to` (another host,
e.g. a second simulator on 127.0.0.2) plus the same path and query, and `envelope` overwrites fields of every
paging envelope (`rowCount` of 10^9, a `rowCount` that is not a number).

Spec strings (for the command line), comma-separated `name:key=value;key=value` items, e.g.
`"429:every=5;retry_after=2, 5xx:next=3;status=502, timeout:next=1;seconds=3, slow:seconds=0.5,
truncate:every=7, challenge:probability=0.1, js_challenge, renamed, seed=42"`.
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from dataclasses import dataclass, field, fields, replace
from typing import Any

MAX_HOLD_SECONDS = 60.0

DEFAULT_RENAMES: dict[str, str] = {
    "publishTime1": "publishTimeFirst",
    "publishTime2": "publishTimeSecond",
    "rowCount": "totalRows",
    "lastUpdated": "lastUpdatedTime",
    "propertyStartPrice": "startPrice",
}


@dataclass
class Trigger:
    """Which requests a fault hits (see the module docstring); all-zero hits nothing."""

    next: int = 0
    every: int = 0
    first_per_endpoint: int = 0
    probability: float = 0.0
    endpoints: tuple[str, ...] = ()
    queries: tuple[str, ...] = ()

    def in_scope(self, path: str, query: str = "") -> bool:
        if self.queries and not any(q in query for q in self.queries):
            return False
        if not self.endpoints:
            return True
        lowered = path.lower()
        return any(lowered.startswith(prefix.lower()) for prefix in self.endpoints)


@dataclass
class FaultPlan:
    """Faults to inject; settable at construction (`faults=`) and at runtime (`sim.faults = plan`)."""

    seed: int = 0
    rate_limit: Trigger | None = None          # 429 Too Many Requests
    rate_limit_retry_after: int = 1
    server_error: Trigger | None = None        # 5xx
    server_error_status: int = 503
    server_error_retry_after: int | None = 1   # None = no Retry-After header
    timeout: Trigger | None = None             # hold the connection, then close it without an answer
    timeout_seconds: float = 5.0               # bounded by MAX_HOLD_SECONDS
    slow: Trigger | None = None                # answer after a fixed delay
    slow_seconds: float = 1.0
    truncate: Trigger | None = None            # status 200, body cut in the middle
    html_challenge: Trigger | None = None      # FEC challenge page instead of JSON (dgts paths only)
    js_challenge: bool = False                 # every dgts request without a clearance cookie gets the FEC page
    renamed_fields: dict[str, str] = field(default_factory=dict)  # JSON key renames on dgts API bodies
    redirect: Trigger | None = None            # 302 to another host
    redirect_to: str = ""                      # base URL the redirect points at (path and query are kept)
    envelope: dict[str, Any] = field(default_factory=dict)  # fields overwritten in every paging envelope

    @classmethod
    def from_spec(cls, spec: str) -> FaultPlan:
        """Build a plan from a spec string (see the module docstring)."""
        plan = cls()
        for raw_item in spec.split(","):
            item = raw_item.strip()
            if not item:
                continue
            name, _, options_text = item.partition(":")
            name = name.strip().lower()
            if "=" in name and not options_text:
                key, _, value = name.partition("=")
                if key.strip() != "seed":
                    raise ValueError(f"unknown fault option {item!r}")
                plan.seed = int(value)
                continue
            options = _parse_options(options_text, item)
            _apply_spec_item(plan, name, options, item)
        return plan

    def with_options(self, **options: Any) -> FaultPlan:
        """Copy with fields replaced by name; trigger fields also accept dicts or spec fragments."""
        known = {f.name for f in fields(self)}
        unknown = set(options) - known
        if unknown:
            raise ValueError(f"unknown fault options: {', '.join(sorted(unknown))}")
        converted: dict[str, Any] = {}
        for name, value in options.items():
            if name in _TRIGGER_FIELDS and isinstance(value, dict):
                value = Trigger(**{k: tuple(v) if k in ("endpoints", "queries") else v for k, v in value.items()})
            elif name in _TRIGGER_FIELDS and isinstance(value, str):
                value = _trigger_from_options(_parse_options(value, value), value)[0]
            elif name == "renamed_fields" and value is True:
                value = dict(DEFAULT_RENAMES)
            elif name == "renamed_fields" and not value:
                value = {}
            converted[name] = value
        return replace(self, **converted)


_TRIGGER_FIELDS = ("rate_limit", "server_error", "timeout", "slow", "truncate", "html_challenge", "redirect")
_SPEC_NAMES = {
    "429": "rate_limit", "rate_limit": "rate_limit",
    "5xx": "server_error", "server_error": "server_error",
    "timeout": "timeout", "slow": "slow", "truncate": "truncate",
    "challenge": "html_challenge", "html_challenge": "html_challenge",
    "redirect": "redirect",
}


def _parse_options(text: str, item: str) -> dict[str, str]:
    options: dict[str, str] = {}
    for pair in text.split(";"):
        if not pair.strip():
            continue
        key, sep, value = pair.partition("=")
        if not sep:
            raise ValueError(f"fault option {pair!r} in {item!r} needs key=value")
        options[key.strip().lower()] = value.strip()
    return options


def _trigger_from_options(options: dict[str, str], item: str) -> tuple[Trigger, dict[str, str]]:
    """Split options into a Trigger and the fault-specific rest."""
    trigger = Trigger()
    rest: dict[str, str] = {}
    for key, value in options.items():
        if key in ("next", "every", "first_per_endpoint", "first"):
            setattr(trigger, "first_per_endpoint" if key == "first" else key, int(value))
        elif key == "probability":
            trigger.probability = float(value)
        elif key == "endpoints":
            trigger.endpoints = tuple(p for p in value.split("|") if p)
        elif key == "queries":
            trigger.queries = tuple(p for p in value.split("|") if p)
        else:
            rest[key] = value
    if not (trigger.next or trigger.every or trigger.first_per_endpoint or trigger.probability):
        trigger.every = 1  # a fault named without a selector hits every request
    return trigger, rest


def _apply_spec_item(plan: FaultPlan, name: str, options: dict[str, str], item: str) -> None:
    if name == "js_challenge":
        plan.js_challenge = True
        return
    if name == "envelope":
        for key, value in options.items():
            try:
                plan.envelope[key] = json.loads(value)
            except ValueError:
                plan.envelope[key] = value
        return
    if name in ("renamed", "renamed_fields"):
        plan.renamed_fields = dict(DEFAULT_RENAMES)
        for old_new in options.get("map", "").split("|"):
            if ">" in old_new:
                old, new = old_new.split(">", 1)
                plan.renamed_fields[old.strip()] = new.strip()
        return
    target = _SPEC_NAMES.get(name)
    if target is None:
        raise ValueError(f"unknown fault {name!r} in {item!r}")
    trigger, rest = _trigger_from_options(options, item)
    setattr(plan, target, trigger)
    for key, value in rest.items():
        if target == "rate_limit" and key == "retry_after":
            plan.rate_limit_retry_after = int(value)
        elif target == "server_error" and key == "status":
            plan.server_error_status = int(value)
        elif target == "server_error" and key == "retry_after":
            plan.server_error_retry_after = int(value) if value.lower() != "none" else None
        elif target in ("timeout", "slow") and key == "seconds":
            setattr(plan, f"{target}_seconds", float(value))
        elif target == "redirect" and key == "to":
            plan.redirect_to = value
        else:
            raise ValueError(f"unknown option {key!r} for fault {name!r} in {item!r}")


@dataclass(frozen=True)
class FaultDecision:
    """The faults that hit one request."""

    timeout: bool = False
    rate_limit: bool = False
    server_error: bool = False
    slow: bool = False
    truncate: bool = False
    html_challenge: bool = False
    redirect: bool = False


class FaultState:
    """Counters and the seeded RNG of an installed plan; `decide` is thread safe and deterministic."""

    def __init__(self, plan: FaultPlan) -> None:
        self.plan = plan
        self._lock = threading.Lock()
        self._rng = random.Random(plan.seed)
        self._counts: Counter[str] = Counter()
        self._per_endpoint: Counter[tuple[str, str]] = Counter()

    def _hits(self, name: str, trigger: Trigger | None, path: str, query: str = "") -> bool:
        if trigger is None or not trigger.in_scope(path, query):
            return False
        self._counts[name] += 1
        count = self._counts[name]
        endpoint = path.lower()
        self._per_endpoint[(name, endpoint)] += 1
        hit = False
        if trigger.next and count <= trigger.next:
            hit = True
        if trigger.every and count % trigger.every == 0:
            hit = True
        if trigger.first_per_endpoint and self._per_endpoint[(name, endpoint)] <= trigger.first_per_endpoint:
            hit = True
        if trigger.probability and self._rng.random() < trigger.probability:
            hit = True
        return hit

    def decide(self, path: str, is_dgts: bool, query: str = "") -> FaultDecision:
        if path.lower().startswith("/_fec_sbu/"):
            return FaultDecision()
        plan = self.plan
        with self._lock:
            return FaultDecision(
                timeout=self._hits("timeout", plan.timeout, path, query),
                rate_limit=self._hits("rate_limit", plan.rate_limit, path, query),
                server_error=self._hits("server_error", plan.server_error, path, query),
                slow=self._hits("slow", plan.slow, path, query),
                truncate=self._hits("truncate", plan.truncate, path, query),
                html_challenge=is_dgts and self._hits("html_challenge", plan.html_challenge, path, query),
                redirect=bool(plan.redirect_to) and self._hits("redirect", plan.redirect, path, query),
            )


def rename_keys(payload: Any, renames: dict[str, str]) -> Any:
    """Recursively rename JSON object keys (a portal that changed its field names)."""
    if not renames:
        return payload
    if isinstance(payload, dict):
        return {renames.get(key, key): rename_keys(value, renames) for key, value in payload.items()}
    if isinstance(payload, list):
        return [rename_keys(value, renames) for value in payload]
    return payload
