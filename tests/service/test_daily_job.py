"""The daily job: every stage runs, a blocked portal does not stop detection or alerts, the operator is told,
and the job reports failure; a second run sends nothing twice."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from am_testing import make_app_context
from crawler.simulator import FaultPlan, PortalSimulator
from service.daily import DailyOptions, daily_run
from service.run_summary import render_run_summary
from storage.models import Alert, Finding, JobRun

CLOCK = datetime.fromisoformat("2026-07-01T20:00:00+07:00")


def opts(sim, **kw):
    return DailyOptions(dgts_url=sim.base_url, thads_url=sim.base_url, since=date(2026, 6, 30),
                        until=date(2026, 7, 1), thads_sites=["binhdinh"], retry_base_delay=0.02, **kw)


def test_blocked_portal_still_detects_and_alerts_and_fails_the_job(tmp_path, real_notice_docs):
    ctx = make_app_context(tmp_path)
    docs = [d for d in real_notice_docs if d["list_item"]["publishTime1"] >= 1782752400000]
    with PortalSimulator(docs, clock=CLOCK) as sim:
        first = daily_run(ctx, opts(sim))
        assert first.ok, first.failures
        sim.faults = FaultPlan(js_challenge=True)
        second = daily_run(ctx, opts(sim))
    assert not second.ok
    assert any("blocked" in f for f in second.failures)
    assert second.stages["detect"]["status"] == "ok" and second.stages["alerts"]["status"] == "ok"
    with ctx.session() as s:
        kinds = [a.kind for a in s.scalars(select(Alert))]
        operator = [a for a in s.scalars(select(Alert).where(Alert.kind == "operator"))]
        assert operator and all(a.recipient == ctx.settings.alerts.operator_email for a in operator)
        assert any("chặn" in a.subject or "blocked" in a.subject.lower() for a in operator)
        assert [j.status for j in s.scalars(select(JobRun).order_by(JobRun.id))] == ["ok", "failed"]
        assert s.scalar(select(Finding).limit(1)) is not None
        assert kinds.count("digest") <= 1  # nothing new to send on the second run but the operator alert
    summary = render_run_summary(second.job_id, second.ok, second.stages, second.failures, second.findings)
    assert summary.startswith(f"Daily job #{second.job_id}: FAILED (exit status 1)")
    assert "crawl partial" in summary and "detect ok" in summary and "alerts ok" in summary
    sources = summary[summary.index("Sources"):summary.index("Findings per rule")]
    assert "dgts" in sources and "blocked" in sources and "thads" in sources
    assert second.findings and all(f"{rule} " in summary for rule in second.findings)
    assert "E-mails: " in summary and "Problems:" in summary and "{" not in summary  # text, not a JSON dict


def test_rerun_sends_nothing_twice(tmp_path, real_notice_docs):
    ctx = make_app_context(tmp_path)
    docs = [d for d in real_notice_docs if d["list_item"]["publishTime1"] >= 1782752400000]
    with PortalSimulator(docs, clock=CLOCK) as sim:
        daily_run(ctx, opts(sim))
        with ctx.session() as s:
            n1 = len(s.scalars(select(Alert)).all())
        daily_run(ctx, opts(sim))
        with ctx.session() as s:
            n2 = len(s.scalars(select(Alert)).all())
    assert n1 >= 1 and n2 == n1
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == n1
