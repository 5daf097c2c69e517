"""``short_window`` (medium): fewer than ``min_window_working_days`` between publication and the selection decision
(TT 02/2022 Điều 4 k2); without a known decision date the window end is used instead (``SHORT_WINDOW_NOTE``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from detectors.base import Result
from detectors.premature_scoring.judging import Judging
from detectors.premature_scoring.legal import SHORT_WINDOW_NOTE, TITLES
from detectors.premature_scoring.records import NoticeView, ResultView
from vntext.workdays import count_days


def evaluate(j: Judging, n: NoticeView, linked: list[ResultView]) -> Result:
    """``linked``: the results linked to the notice."""
    rule = "short_window"
    s = j.settings
    ev: dict[str, Any] = {"notice": n.key, "minimum": s.min_window_working_days, "unit": s.window_unit,
                          "interpretation": SHORT_WINDOW_NOTE, "published": n.published_at or n.published_day,
                          "window_start": n.window_start, "window_end": n.window_end,
                          "window_source": n.window_source}
    if n.created_at:
        ev["created_at"] = n.created_at
    common = dict(urls=[n.url, *(r.url for r in linked)], owner=n.owner_name, province=n.province)
    if n.published_day is None:
        ev["reason"] = "the notice has no publication date"
        return j.result(rule, n.kind, n.key, "insufficient", severity="medium", evidence=ev, **common)
    decisions = [(d, r) for r in linked for d in r.decision_dates]
    if n.window_end is not None:
        if n.window_end >= n.published_day:
            length = count_days(n.published_day, n.window_end, "working_days")
            j.window_lengths.append(length)
            ev["window_working_days"] = length
    if decisions:
        d, r = min(decisions, key=lambda x: x[0].value)
        ev.update(basis="decision_date", decision_date=d.value, decision_source=d.source, result=r.key)
        if d.value <= n.published_day:
            days = 0
        else:
            days = count_days(n.published_day, d.value - timedelta(days=1), s.window_unit)
    elif n.window_end is not None:
        ev["basis"] = "window_end"
        if n.window_end < n.published_day:
            ev["reason"] = ("the window ended before the recorded publication date (the portal's lastUpdated "
                            "moves on edits)")
            return j.result(rule, n.kind, n.key, "insufficient", severity="medium", evidence=ev, **common)
        last = j.last_day(n.window_end)
        if last != n.window_end:
            ev["window_end_rolled_to"] = last
        days = count_days(n.published_day, last, s.window_unit)
    else:
        ev["reason"] = "neither an application window end nor a decision date is known"
        return j.result(rule, n.kind, n.key, "insufficient", severity="medium", evidence=ev, **common)
    ev["days"] = days
    if days < s.min_window_working_days:
        unit = "ngày làm việc" if s.window_unit == "working_days" else "ngày"
        return j.result(rule, n.kind, n.key, "flag", severity="medium", evidence=ev, **common,
                        title=f"{TITLES[rule]} ({days}/{s.min_window_working_days} {unit})")
    return j.result(rule, n.kind, n.key, "pass", evidence=ev, **common)
