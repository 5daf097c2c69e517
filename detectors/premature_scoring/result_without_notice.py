"""``result_without_notice`` (medium): no public selection notice matches the result."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from detectors.base import Result
from detectors.linking import LinkDecision
from detectors.premature_scoring.judging import Judging
from detectors.premature_scoring.records import ResultView


def evaluate(j: Judging, r: ResultView, decision: LinkDecision, coverage: date | None) -> Result:
    """``coverage``: the first publication day of the notices held for the result's source (or THADS site)."""
    rule = "result_without_notice"
    ev: dict[str, Any] = {"result": r.key, "result_published": r.published_at or r.published_day,
                          "link": decision.as_evidence(), "owner": r.owner_name, "asset": r.asset_text[:300]}
    common = dict(urls=[r.url], owner=r.owner_name, province=r.province)
    if decision.status != "none":
        return j.result(rule, r.kind, r.key, "pass", evidence=ev, **common)
    ev["notices_held_from"] = coverage
    if coverage is None:
        ev["reason"] = "no selection notice of this source is in the database"
        return j.result(rule, r.kind, r.key, "insufficient", severity="medium", evidence=ev, **common)
    if r.published_day is None:
        ev["reason"] = "the result has no publication date"
        return j.result(rule, r.kind, r.key, "insufficient", severity="medium", evidence=ev, **common)
    if r.published_day < coverage + timedelta(days=j.settings.notice_coverage_margin_days):
        ev["reason"] = (f"the result is within {j.settings.notice_coverage_margin_days} days of the first notice we "
                        "hold; its notice may predate our data")
        return j.result(rule, r.kind, r.key, "insufficient", severity="medium", evidence=ev, **common)
    return j.result(rule, r.kind, r.key, "flag", severity="medium", evidence=ev, **common)
