"""``rushed_result`` (low): the result was published within ``rushed_band_hours`` after the window closed."""

from __future__ import annotations

from typing import Any

from detectors.base import Result
from detectors.premature_scoring.judging import Judging
from detectors.premature_scoring.legal import TITLES
from detectors.premature_scoring.records import NoticeView, ResultView
from storage.timeutil import day_start


def evaluate(j: Judging, r: ResultView, n: NoticeView | None) -> Result:
    rule = "rushed_result"
    lo, hi = j.settings.rushed_band_hours
    ev: dict[str, Any] = {"result": r.key, "band_hours": [lo, hi]}
    common = dict(owner=r.owner_name, province=r.province)
    if n is None or n.window_end is None or (r.published_at is None and r.published_day is None):
        ev["reason"] = "no linked notice with a window end, or no result publication date"
        return j.result(rule, r.kind, r.key, "not_applicable", evidence=ev, urls=[r.url], **common)
    close = j.closes_at(n.window_end)
    moment = r.published_at or day_start(r.published_day)
    delay = (moment - close).total_seconds() / 3600
    j.delays.append(round(delay, 3))
    ev.update(notice=n.key, window_end=n.window_end, window_closes_at=close, result_published=moment,
              date_only=r.published_at is None, delay_hours=round(delay, 2))
    urls = [r.url, n.url]
    if lo <= delay < hi:
        return j.result(rule, r.kind, r.key, "flag", severity="low", evidence=ev, urls=urls, **common,
                        title=f"{TITLES[rule]} ({delay:.0f} giờ)")
    return j.result(rule, r.kind, r.key, "pass", evidence=ev, urls=urls, **common)
