"""``result_before_window_end`` (high): the result was published, or a scoring/selection date stated in its text or
its attachments is, before the notice's application window closed."""

from __future__ import annotations

from typing import Any

from detectors.base import Result
from detectors.linking import LinkDecision
from detectors.premature_scoring.judging import Judging
from detectors.premature_scoring.records import NoticeView, ResultView


def evaluate(j: Judging, r: ResultView, decision: LinkDecision, n: NoticeView | None) -> Result:
    rule = "result_before_window_end"
    ev: dict[str, Any] = {"result": r.key, "link": decision.as_evidence(),
                          "window_end_inclusive": j.settings.window_end_inclusive}
    common = dict(owner=r.owner_name, province=r.province)
    if decision.status == "none":
        ev["reason"] = "no matching selection notice"
        return j.result(rule, r.kind, r.key, "not_applicable", evidence=ev, urls=[r.url], **common)
    if decision.status == "ambiguous":
        ev["reason"] = "the result matches several selection notices equally well"
        return j.result(rule, r.kind, r.key, "insufficient", severity="high", evidence=ev, urls=[r.url],
                        **common)
    if n is None:
        ev["reason"] = "the linked selection notice is not in the database"
        return j.result(rule, r.kind, r.key, "insufficient", severity="high", evidence=ev, urls=[r.url],
                        **common)
    urls = [r.url, n.url]
    ev.update(notice=n.key, notice_kind=n.kind, notice_published=n.published_at or n.published_day,
              window_start=n.window_start, window_end=n.window_end, window_source=n.window_source)
    if n.window_end is None:
        ev["reason"] = "the selection notice states no application window end"
        return j.result(rule, r.kind, r.key, "insufficient", severity="high", evidence=ev, urls=urls, **common)
    close = j.closes_at(n.window_end)
    ev["window_closes_at"] = close
    findings: list[dict[str, Any]] = []
    if r.published_at is not None:
        ev["result_published_at"] = r.published_at
        if r.published_at < close:
            findings.append({"what": "result published", "at": r.published_at,
                             "hours_before_close": round((close - r.published_at).total_seconds() / 3600, 1)})
    elif r.published_day is not None:
        ev["result_published_on"] = r.published_day
        if j.decided_before_close(r.published_day, n.window_end):
            findings.append({"what": "result published", "on": r.published_day})
    for d in r.decision_dates:
        if j.decided_before_close(d.value, n.window_end):
            findings.append({"what": f"decision/scoring date ({d.cue})", "on": d.value, "source": d.source,
                             "excerpt": d.excerpt})
    ev["decision_dates"] = [{"on": d.value, "source": d.source, "cue": d.cue} for d in r.decision_dates]
    if findings:
        ev["before_window_close"] = findings
        return j.result(rule, r.kind, r.key, "flag", severity="high", evidence=ev, urls=urls, **common)
    if r.published_at is None and r.published_day is None and not r.decision_dates:
        ev["reason"] = "the result has neither a publication date nor a stated decision date"
        return j.result(rule, r.kind, r.key, "insufficient", severity="high", evidence=ev, urls=urls, **common)
    if r.attachments_unread:
        ev["unread_attachments"] = r.attachments_unread
        ev["reason"] = ("published after the window closed, but an attachment we could not read may state an "
                        "earlier scoring date")
        return j.result(rule, r.kind, r.key, "insufficient", severity="high", evidence=ev, urls=urls, **common)
    return j.result(rule, r.kind, r.key, "pass", evidence=ev, urls=urls, **common)
