"""Selections of an auction organisation by an owner, from two sources, counted once each.

A *selection* is one decision of an owner to use an organisation for one asset. Sources:

* selection results (``selection_results``: owner, organisation, publication time);
* auction notices, as a proxy for "organisation used", when ``use_auction_notices``: one selection per relisted
  asset and organisation (a chain of relists through one organisation is one selection, not one per notice),
  dated at its first notice.

A notice-based selection is dropped when a selection result of the same owner and organisation, published up to
``result_match_days`` before it, describes a similar asset (rapidfuzz token_set_ratio >= 70 on folded names):
that result already counted it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

import numpy as np
from rapidfuzz import fuzz

from detectors.collusion.dataset import Dataset, ResultRow
from detectors.collusion.notice import Notice
from storage.kinds import NoticeKind
from vntext.identity import words

NAME_MATCH = 70


@dataclass(frozen=True, slots=True)
class Selection:
    owner_id: int
    org_id: int
    when: datetime
    source: str  # selection_result | auction_notice
    ref_id: int
    url: str | None  # a result's; a notice's is read when shown (``selection_urls``)

    def order_key(self) -> tuple:
        return (self.when, self.source, self.ref_id)


def build_selections(ds: Dataset, chain_of: dict[int, int], use_notices: bool, match_days: int,
                     name_words: Callable[[Notice], str] | None = None) -> list[Selection]:
    """Every (owner, organisation) choice: each result, plus the first auction notice of a chain by an organisation
    that no result within ``match_days`` before it already records. ``name_words`` gives a notice's folded name
    words when the caller has them already."""
    out: list[Selection] = []
    result_words: dict[int, str] = {}
    results_by_pair: dict[tuple[int, int], list[ResultRow]] = defaultdict(list)
    for r in ds.results:
        if r.owner_id is None or r.org_id is None or r.published is None:
            continue
        out.append(Selection(r.owner_id, r.org_id, r.published, NoticeKind.SELECTION_RESULT, r.id, r.url))
        results_by_pair[(r.owner_id, r.org_id)].append(r)
    if not use_notices:
        return sorted(out, key=Selection.order_key)
    for rows in results_by_pair.values():
        rows.sort(key=lambda r: (r.published, r.id))  # type: ignore[arg-type, return-value]
    used: set[int] = set()
    window = timedelta(days=match_days)
    c = ds.cols
    firsts = _first_rows(ds, chain_of)
    ds.prefetch(int(c.ids[r]) for r in firsts if (int(c.owner[r]), int(c.org[r])) in results_by_pair)
    for row in firsts:
        nid, owner_id, org_id = int(c.ids[row]), int(c.owner[row]), int(c.org[row])
        published = c.when(row)
        assert published is not None
        rows = results_by_pair.get((owner_id, org_id))
        matched = None
        if rows:
            times = [r.published for r in rows]
            lo = bisect_left(times, published - window)  # type: ignore[arg-type]
            name: str | None = None
            for r in rows[lo:]:
                if r.published > published:  # type: ignore[operator]
                    break
                if r.id in used:
                    continue
                if name is None:
                    n = ds.notices[nid]
                    name = name_words(n) if name_words else words(n.name)
                if r.id not in result_words:
                    result_words[r.id] = words(r.name)
                if fuzz.token_set_ratio(name, result_words[r.id]) >= NAME_MATCH:
                    matched = r
        if matched is not None:
            used.add(matched.id)
            continue
        out.append(Selection(owner_id, org_id, published, NoticeKind.AUCTION_NOTICE, nid, None))
    return sorted(out, key=Selection.order_key)


def selection_urls(ds: Dataset, selections: list[Selection], limit: int) -> list[str]:
    """The first ``limit`` portal links of these selections (a notice's link read from storage only here)."""
    out: list[str] = []
    for x in selections:
        if len(out) >= limit:
            break
        url = x.url
        if url is None and x.source == NoticeKind.AUCTION_NOTICE and x.ref_id in ds.notices:
            url = ds.notices[x.ref_id].url
        if url:
            out.append(url)
    return out


def _first_rows(ds: Dataset, chain_of: dict[int, int]) -> list[int]:
    """Rows of the first notice (earliest, then lowest id) of each (relist chain, organisation) among the dated
    notices with an owner and an organisation, in (publication, id) order."""
    c = ds.cols
    ok = (c.owner >= 0) & (c.org >= 0) & ~np.isnan(c.published)
    rows = np.flatnonzero(ok)
    if not len(rows):
        return []
    chain = np.array([chain_of.get(int(i), int(i)) for i in c.ids[rows]], dtype=np.int64)
    order = np.lexsort((c.ids[rows], c.published[rows], c.org[rows], chain))
    rows, chain = rows[order], chain[order]
    org = c.org[rows]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (chain[1:] != chain[:-1]) | (org[1:] != org[:-1])
    rows = rows[first]
    return rows[np.lexsort((c.ids[rows], c.published[rows]))].tolist()


def in_period(selections: list[Selection], start: datetime, end: datetime) -> dict[int, list[Selection]]:
    by_owner: dict[int, list[Selection]] = defaultdict(list)
    for s in selections:
        if start <= s.when <= end:
            by_owner[s.owner_id].append(s)
    return by_owner
