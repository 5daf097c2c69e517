"""The collusion detector (D3): runs the rule families over one load of storage and collects their statistics.

Order matters: relist linking runs first, because its chains deduplicate selections (one relisted asset is one
selection) and feed the anomaly features; outcome texts are read once for both the outcome rule and the relist
rule ("sold right after a cut").
"""

from __future__ import annotations

import time
from typing import Any, ClassVar, Iterator

import numpy as np

from detectors.base import DetectionContext, Detector, Result, Unchanged
from detectors.collusion.anomaly import FLAGGED_BY_TERMS, evaluate_anomaly
from detectors.collusion.columns import load_columns, since_epoch
from detectors.collusion.dataset import load_dataset, open_flags, open_subjects, stored_details
from detectors.collusion.outcome_signals import evaluate_outcomes
from detectors.collusion.outcomes import collect_outcomes
from detectors.collusion.relist import chain_positions, judge_chains, link_notices, portal_linkage
from detectors.collusion.repeat_selection import evaluate_repeat_selection
from detectors.collusion.rotation import evaluate_rotation
from detectors.collusion.selections import build_selections
from detectors.collusion.settings import CollusionSettings
from detectors.collusion.terms_scan import scan_terms
from storage.kinds import NoticeKind
from vntext.identity import words
from detectors.evidence import collusion as evidence_declaration


class CollusionDetector(Detector):
    """Bid rigging and collusion: market allocation, rotation, relist chains, exclusionary terms, outcome signals
    and an anomaly ranking."""

    name: ClassVar[str] = "collusion"
    evidence_fields = evidence_declaration.DECLARATION
    version: ClassVar[str] = "1"
    Settings: ClassVar[type[CollusionSettings]] = CollusionSettings
    rules: ClassVar[tuple[str, ...]] = ("repeat_selection", "rotation", "relist_chain", "exclusionary_terms",
                                        "outcome_signals", "anomaly_rank")

    def __init__(self, settings: CollusionSettings) -> None:
        super().__init__(settings)
        self._stats: dict[str, Any] = {}

    def evaluate(self, ctx: DetectionContext) -> Iterator[Result | Unchanged]:
        s: CollusionSettings = self.settings  # type: ignore[assignment]
        stats: dict[str, Any] = {"timings_s": {}}
        self._stats = stats
        clock = time.monotonic()

        def lap(name: str) -> None:
            nonlocal clock
            now = time.monotonic()
            stats["timings_s"][name] = round(now - clock, 3)
            clock = now

        session, since = ctx.session, ctx.since
        ds = load_dataset(session, ctx.shared_load("auction_columns", lambda: load_columns(session)))
        cols = ds.cols
        end = ds.anchor(ctx.now)
        scope = np.ones(len(cols), dtype=bool) if since is None else (
            np.isnan(cols.published) | (cols.published >= since_epoch(since)))
        in_scope = set(cols.ids[scope].tolist())
        stats["data"] = {"auction_notices": len(ds.notices), "selection_results": len(ds.results),
                         "owners": len(ds.owners), "organisations": len(ds.orgs), "period_end": end,
                         "notices_in_scope": len(in_scope), "since": since}
        lap("load")

        if s.relist.enabled:
            linkage, prepared = link_notices(session, ds, s.relist, since, ctx.now)
        else:
            linkage, prepared = portal_linkage(ds)
        stats["relist_linking"] = linkage.stats
        lap("linking")

        outcomes, coverage = ({}, {})
        if s.outcome_signals.enabled or s.relist.enabled:
            outcomes, coverage = collect_outcomes(session, set(ds.notices), s.outcome_signals.max_text_chars)
        stats["outcome_coverage"] = coverage
        lap("outcomes")

        # notice -> anomaly features another rule flagged on it; a run limited by `since` judges only recent
        # notices, so the open flags of the older ones come from the findings the earlier passes stored
        already_flagged: dict[int, set[str]] = {}
        if s.anomaly_rank.enabled and since is not None:
            for subject, evidence in open_flags(session, self.name, "exclusionary_terms").items():
                if subject.isdigit() and int(subject) not in in_scope:
                    already_flagged.setdefault(int(subject), set()).update(
                        f for p in evidence.get("problems", []) for f in FLAGGED_BY_TERMS.get(p.get("code"), ()))
            for subject, evidence in open_flags(session, self.name, "relist_chain").items():
                for nid in evidence.get("chain_notice_ids", []):
                    already_flagged.setdefault(int(nid), set()).update(("price_cut_prev", "relist_rounds_before"))
        if s.relist.enabled:
            sold = {nid: o.as_dict() for nid, o in outcomes.items() if o.winning_price or o.winner}
            results = list(judge_chains(ds, linkage, prepared, s.relist, sold, since))
            for r in results:
                if r.status == "flag":
                    for nid in linkage.chains.get(int(r.subject_id), ()):
                        already_flagged.setdefault(nid, set()).update(("price_cut_prev", "relist_rounds_before"))
            stats["relist_chain"] = {"chains_judged": len(results),
                                     "flagged": sum(1 for r in results if r.status == "flag")}
            yield from results
            for subject in sorted(open_subjects(session, self.name, "relist_chain") - {str(c) for c in linkage.chains}):
                yield Result(rule="relist_chain", subject_kind="chain", subject_id=subject, status="pass")
            lap("relist_chain")

        if s.repeat_selection.enabled or s.rotation.enabled:
            match_days = s.repeat_selection.result_match_days
            selections = build_selections(
                ds, linkage.chain_of, s.repeat_selection.use_auction_notices, match_days,
                name_words=lambda n: prepared[n.id].words if n.id in prepared else words(n.name))
            stats["selections"] = {"total": len(selections),
                                   "from_results": sum(1 for x in selections if x.source == NoticeKind.SELECTION_RESULT)}
            if s.repeat_selection.enabled:
                yield from evaluate_repeat_selection(ds, selections, s.repeat_selection, end, stats,
                                                     open_subjects(session, self.name, "repeat_selection"))
            if s.rotation.enabled:
                yield from evaluate_rotation(ds, selections, s.rotation, end, stats,
                                             open_subjects(session, self.name, "rotation"))
            lap("selections")

        if s.exclusionary_terms.enabled:
            earlier = open_flags(session, self.name, "exclusionary_terms")
            for r in scan_terms(session, cols, s.exclusionary_terms, scope,
                                ctx.open_digests(self.name, "exclusionary_terms"),
                                lambda keys: stored_details(session, keys)):
                if isinstance(r, Unchanged):
                    for subject in r.subject_ids:
                        already_flagged.setdefault(int(subject), set()).update(
                            f for p in earlier.get(subject, {}).get("problems", [])
                            for f in FLAGGED_BY_TERMS.get(p.get("code"), ()))
                elif r.status == "flag":
                    already_flagged.setdefault(int(r.subject_id), set()).update(
                        f for p in r.evidence["problems"] for f in FLAGGED_BY_TERMS.get(p["code"], ()))
                yield r
            lap("exclusionary_terms")

        if s.outcome_signals.enabled:
            yield from evaluate_outcomes(ds, outcomes, s.outcome_signals, in_scope,
                                         open_subjects(session, self.name, "outcome_signals"))
            lap("outcome_signals")

        if s.anomaly_rank.enabled:
            positions = chain_positions(linkage, prepared, s.relist.same_round_days)
            yield from evaluate_anomaly(ds, s.anomaly_rank, s.exclusionary_terms, positions, end,
                                        open_subjects(session, self.name, "anomaly_rank"), stats, already_flagged)
            lap("anomaly_rank")

    def finalize(self) -> dict[str, Any]:
        return self._stats
