"""Which selection notice each result closes: the portal's link id, else the fuzzy match of ``detectors.linking``
within the result's own portal first, then (for a THADS result) among the dgts notices; the link is stored in
``record_links``."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from detectors.linking import CandidatePool, LinkDecision, LinkParams, LinkStore, linked_by_id, match_result
from detectors.premature_scoring.records import NoticeView, ResultView, Source
from detectors.premature_scoring.settings import Settings


@dataclass
class Catalogue:
    """One portal's selection notices, by key and as a pool of link candidates."""

    source: Source
    notices: dict[str, NoticeView]
    pool: CandidatePool


def link_params(s: Settings) -> LinkParams:
    return LinkParams(s.link_min_asset_similarity, s.link_min_owner_similarity, s.link_min_confidence,
                      s.link_ambiguity_margin, s.link_max_gap_days, s.price_tolerance)


def catalogue(source: Source, params: LinkParams) -> Catalogue:
    return Catalogue(source, {n.key: n for n in source.notices},
                     CandidatePool([n.link_side() for n in source.notices], params.min_owner_similarity,
                                   params.max_gap_days))


def link_result(r: ResultView, catalogues: list[Catalogue], params: LinkParams, links: LinkStore,
                now: datetime) -> tuple[LinkDecision, NoticeView | None]:
    """Link ``r`` within its own source (the first catalogue) first, then in the fallback one; store and return the
    link and the linked notice."""
    linked_in = catalogues[0]
    if r.portal_notice_key:
        decision = linked_by_id(r.portal_notice_key, r.portal_notice_key in linked_in.notices)
    else:
        side = r.link_side()
        decision = LinkDecision("none")
        for linked_in in catalogues:
            probe = side if linked_in.source.name == "thads" else replace(side, site=None, body=None)
            decision = match_result(probe, linked_in.pool.pool(probe), params, rejected=links.rejected(r.key))
            if decision.status != "none":
                break
        else:
            linked_in = catalogues[0]
    links.store(r.key, linked_in.source.notice_link_kind, decision, now)
    notice = linked_in.notices.get(decision.chosen.key) \
        if decision.chosen and decision.status in ("linked", "matched") else None
    return decision, notice
