"""The premature-scoring detector (D1): loads both portals' notices and results, links each result to its notice,
runs the per-result and per-notice rules and the window-change rule, and records the pass's statistics."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from typing import Any

from detectors.base import DetectionContext, Detector, Result
from detectors.linking import LinkStore
from detectors.premature_scoring import (
    auction_notice_before_window_end,
    result_before_window_end,
    result_without_notice,
    rushed_result,
    short_window,
    window_changes,
)
from detectors.premature_scoring.judging import Judging
from detectors.premature_scoring.legal import RULES
from detectors.premature_scoring.records import ResultView, Source, load_dgts, load_thads
from detectors.premature_scoring.result_links import catalogue, link_params, link_result
from detectors.premature_scoring.settings import Settings
from detectors.premature_scoring.stats import distribution
from detectors.evidence import premature_scoring as evidence_declaration


class PrematureScoringDetector(Detector):
    """D1: scoring or selection before the selection notice's application window closed, and related signals."""

    name = "premature_scoring"
    evidence_fields = evidence_declaration.DECLARATION
    version = "1"
    Settings = Settings
    rules = RULES

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self._judging = Judging(settings)

    def evaluate(self, ctx: DetectionContext) -> Iterator[Result]:
        j = self._judging = Judging(self.settings)  # type: ignore[arg-type]
        dgts = load_dgts(ctx.session, j.settings)
        yield from self._evaluate_source(ctx, j, dgts)
        # A THADS office may publish its selection notice on dgts only: a THADS result with no THADS notice is
        # then matched against the dgts notices (by owner and asset) before it counts as a result without notice.
        yield from self._evaluate_source(ctx, j, load_thads(ctx.session, j.settings), fallback=dgts)
        yield from window_changes.evaluate(j, ctx)

    def _evaluate_source(self, ctx: DetectionContext, j: Judging, src: Source, fallback: Source | None = None
                         ) -> Iterator[Result]:
        params = link_params(j.settings)
        catalogues = [catalogue(src, params)]
        if fallback is not None:
            catalogues.append(catalogue(fallback, params))
        coverage_start = min((n.published_day for n in src.notices if n.published_day), default=None)
        coverage_by_site: dict[str, date] = {}
        for n in src.notices:
            if n.site and n.published_day:
                coverage_by_site[n.site] = min(coverage_by_site.get(n.site, n.published_day), n.published_day)
        results_of_notice: dict[str, list[ResultView]] = defaultdict(list)
        links = LinkStore(ctx.session, src.result_link_kind)
        for r in src.results:
            if (ctx.since is not None and r.published_day is not None and r.published_day < ctx.since
                    and not r.portal_notice_key):
                # An incremental run: a notice in scope is published on or after `since`, and a fuzzy-linked
                # result is never earlier than its notice, so this result can link to none of them; its stored
                # link stays as the last full run left it.
                continue
            decision, notice = link_result(r, catalogues, params, links, ctx.now)
            if notice is not None and notice.kind == src.notice_link_kind:
                results_of_notice[notice.key].append(r)
            if not _in_scope(ctx, r.published_day):
                continue
            cov = coverage_by_site.get(r.site) if r.site else coverage_start
            yield result_without_notice.evaluate(j, r, decision, cov)
            yield result_before_window_end.evaluate(j, r, decision, notice)
            yield rushed_result.evaluate(j, r, notice)
        for n in src.notices:
            if not _in_scope(ctx, n.published_day):
                continue
            linked = results_of_notice.get(n.key, [])
            yield short_window.evaluate(j, n, linked)
            yield auction_notice_before_window_end.evaluate(j, ctx.session, n, linked)

    def finalize(self) -> dict[str, Any]:
        j = self._judging
        return {
            "window_length_working_days": distribution(j.window_lengths),
            "result_delay_hours": distribution(j.delays),
            "counts": dict(sorted(j.counts.items())),
        }


def _in_scope(ctx: DetectionContext, day: date | None) -> bool:
    return ctx.since is None or (day is not None and day >= ctx.since)
