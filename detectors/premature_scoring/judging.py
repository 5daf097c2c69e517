"""What every rule of one pass shares: the settings, when an application window closes as the law counts it, the
builder of results (title, legal basis, URLs) and the statistics the pass records."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from detectors.base import Result
from detectors.premature_scoring.legal import INSUFFICIENT_PREFIX, LEGAL_BASIS, TITLES
from detectors.premature_scoring.settings import Settings
from storage.timeutil import day_start
from vntext.workdays import next_working_day


@dataclass
class Judging:
    settings: Settings
    window_lengths: list[float] = field(default_factory=list)  # working days from publication to window end
    delays: list[float] = field(default_factory=list)  # hours from window close to result publication
    counts: Counter[str] = field(default_factory=Counter)  # "rule:status" -> results

    def last_day(self, window_end: date) -> date:
        """The window's last day as the law counts it: a deadline on a weekend or public holiday ends at the end of
        the next working day (Bộ luật Dân sự 2015 Điều 148 k5)."""
        return next_working_day(window_end) if self.settings.roll_deadline_to_working_day else window_end

    def closes_at(self, window_end: date) -> datetime:
        """The instant the application window closes."""
        last = self.last_day(window_end)
        if self.settings.window_end_inclusive:
            return day_start(last + timedelta(days=1))
        return day_start(last if last == window_end else last + timedelta(days=1))

    def decided_before_close(self, d: date, window_end: date) -> bool:
        last = self.last_day(window_end)
        if self.settings.window_end_inclusive or last != window_end:
            return d <= last
        return d < window_end

    def result(self, rule: str, kind: str, key: str, status: str, *, severity: str = "low", evidence: dict,
               urls: Iterable[str | None] = (), owner: str | None = None, province: str | None = None,
               title: str | None = None) -> Result:
        self.counts[f"{rule}:{status}"] += 1
        if title is None:
            title = TITLES[rule] if status != "insufficient" else INSUFFICIENT_PREFIX + TITLES[rule].lower()
        seen: list[str] = []
        for u in urls:
            if u and u not in seen:
                seen.append(u)
        return Result(rule=rule, subject_kind=kind, subject_id=key, status=status, severity=severity, title=title,
                      evidence=evidence, urls=seen, legal_basis=LEGAL_BASIS[rule], owner_name=owner,
                      province=province)
