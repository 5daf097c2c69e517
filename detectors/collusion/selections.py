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

from rapidfuzz import fuzz

from detectors.collusion.dataset import Dataset, Notice, ResultRow
from vntext.identity import words

NAME_MATCH = 70


@dataclass(frozen=True, slots=True)
class Selection:
    owner_id: int
    org_id: int
    when: datetime
    source: str  # selection_result | auction_notice
    ref_id: int
    url: str | None

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
        out.append(Selection(r.owner_id, r.org_id, r.published, "selection_result", r.id, r.url))
        results_by_pair[(r.owner_id, r.org_id)].append(r)
    if not use_notices:
        return sorted(out, key=Selection.order_key)
    for rows in results_by_pair.values():
        rows.sort(key=lambda r: (r.published, r.id))  # type: ignore[arg-type, return-value]
    firsts: dict[tuple[int, int], Notice] = {}
    for n in ds.notices.values():
        if n.owner_id is None or n.org_id is None or n.published is None:
            continue
        key = (chain_of.get(n.id, n.id), n.org_id)
        cur = firsts.get(key)
        if cur is None or (n.published, n.id) < (cur.published, cur.id):  # type: ignore[operator]
            firsts[key] = n
    used: set[int] = set()
    window = timedelta(days=match_days)
    for n in sorted(firsts.values(), key=lambda n: (n.published, n.id)):  # type: ignore[arg-type, return-value]
        assert n.published is not None and n.owner_id is not None and n.org_id is not None
        rows = results_by_pair.get((n.owner_id, n.org_id), [])
        times = [r.published for r in rows]
        lo = bisect_left(times, n.published - window)  # type: ignore[arg-type]
        matched = None
        name = name_words(n) if name_words else words(n.name)
        for r in rows[lo:]:
            if r.published > n.published:  # type: ignore[operator]
                break
            if r.id in used:
                continue
            if r.id not in result_words:
                result_words[r.id] = words(r.name)
            if fuzz.token_set_ratio(name, result_words[r.id]) >= NAME_MATCH:
                matched = r
        if matched is not None:
            used.add(matched.id)
            continue
        out.append(Selection(n.owner_id, n.org_id, n.published, "auction_notice", n.id, n.url))
    return sorted(out, key=Selection.order_key)


def in_period(selections: list[Selection], start: datetime, end: datetime) -> dict[int, list[Selection]]:
    by_owner: dict[int, list[Selection]] = defaultdict(list)
    for s in selections:
        if start <= s.when <= end:
            by_owner[s.owner_id].append(s)
    return by_owner
