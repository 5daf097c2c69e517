"""rotation: a small stable set of organisations taking turns for one owner.

The statistic, per owner with selections (``selections``) in the ``period_days`` ending at the latest data:

1. The rotating set S is the smallest set of the owner's most-chosen organisations, of ``min_set_size`` to
   ``max_set_size`` members, that covers at least ``min_coverage`` of its selections; every member must have won
   ``min_wins_per_member`` times and S must hold ``min_selections`` selections (else not applicable).
2. The owner's selections inside S, in time order, form a sequence of m winners. The **alternation score** is the
   number of winner changes between consecutive selections divided by (m - 1): 1 means strict turn-taking
   (A B A B ...), values near the chance level mean no pattern.
3. The chance level is the expected alternation if the same wins came in random order,
   1 - sum(n_i (n_i - 1)) / (m (m - 1)); the **p-value** is the share of ``permutations`` random orders (seeded:
   ``random_state`` plus the owner id, so results do not depend on evaluation order) that alternate at least as
   much as observed.

Flag when the alternation score is at least ``min_alternation`` and the p-value at most ``max_p_value``.
Subject: ``owner``.
"""

from __future__ import annotations

import hashlib

from collections import Counter
from datetime import datetime, timedelta
from typing import Any, Iterator

import numpy as np

from detectors.base import Result
from detectors.collusion import legal
from detectors.collusion.dataset import Dataset
from detectors.collusion.selections import Selection, in_period, selection_urls
from detectors.collusion.settings import RotationSettings

RULE = "rotation"
PERMUTATION_CHUNK = 500
MAX_SEQUENCE_SHOWN = 60


def stable_offset(key: str) -> int:
    """A seed offset from a text key (0 .. 2**24 - 1), the same in every process and database."""
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:6], 16)


def rotating_set(counts: Counter[int], total: int, s: RotationSettings) -> list[int] | None:
    ranked = [org for org, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    for k in range(s.min_set_size, s.max_set_size + 1):
        members = ranked[:k]
        if len(members) < k:
            return None
        if sum(counts[o] for o in members) / total >= s.min_coverage:
            return members
    return None


def alternation(seq: list[int]) -> tuple[int, float, float]:
    """(winner changes, alternation score, expected score under random order)."""
    m = len(seq)
    changes = sum(1 for a, b in zip(seq, seq[1:]) if a != b)
    counts = Counter(seq)
    expected = 1 - sum(c * (c - 1) for c in counts.values()) / (m * (m - 1))
    return changes, changes / (m - 1), expected


def permutation_p_value(seq: list[int], changes: int, permutations: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    arr = np.asarray(seq)
    at_least = 0
    done = 0
    while done < permutations:
        n = min(PERMUTATION_CHUNK, permutations - done)
        perms = rng.permuted(np.tile(arr, (n, 1)), axis=1)
        at_least += int(((perms[:, 1:] != perms[:, :-1]).sum(axis=1) >= changes).sum())
        done += n
    return (1 + at_least) / (1 + permutations)


def evaluate_rotation(ds: Dataset, selections: list[Selection], s: RotationSettings, end: datetime,
                      stats: dict[str, Any], open_ids: set[str]) -> Iterator[Result]:
    start = end - timedelta(days=s.period_days)
    by_owner = in_period(selections, start, end)
    tested = flagged = 0
    for owner_id in sorted(by_owner):
        sels = sorted(by_owner[owner_id], key=Selection.order_key)
        owner = ds.owner(owner_id)
        base = dict(rule=RULE, subject_kind="owner", subject_id=ds.owner_subject(owner_id),
                    owner_name=owner.name if owner else None, province=owner.province if owner else None)
        counts = Counter(x.org_id for x in sels)
        members = rotating_set(counts, len(sels), s)
        seq = [x.org_id for x in sels if members and x.org_id in members]
        if (members is None or len(seq) < s.min_selections
                or any(counts[o] < s.min_wins_per_member for o in members)):
            yield Result(status="not_applicable", **base)
            continue
        tested += 1
        changes, score, expected = alternation(seq)
        p_value = None
        seed = s.random_state + stable_offset(base["subject_id"])  # the same owner gets the same draws everywhere
        if score >= s.min_alternation:
            p_value = permutation_p_value(seq, changes, s.permutations, seed)
        names = {o: ds.org_name(o) or f"#{o}" for o in members}
        evidence = {
            "period_start": start, "period_end": end, "selections": len(sels),
            "rotating_set": [{"organisation": names[o], "key": ds.org_key(o), "wins": counts[o]} for o in members],
            "coverage": round(sum(counts[o] for o in members) / len(sels), 6), "min_coverage": s.min_coverage,
            "sequence": [names[o] for o in seq[-MAX_SEQUENCE_SHOWN:]], "changes": changes,
            "alternation": round(score, 6), "expected_alternation": round(expected, 6),
            "min_alternation": s.min_alternation, "p_value": None if p_value is None else round(p_value, 6),
            "max_p_value": s.max_p_value, "permutations": s.permutations, "seed": seed,
            "statistic": "alternation = winner changes / (m - 1) over the owner's selections inside the set",
        }
        if p_value is not None and p_value <= s.max_p_value:
            flagged += 1
            yield Result(
                status="flag", severity="medium", evidence=evidence, legal_basis=legal.COLLUSION,
                urls=selection_urls(ds, [x for x in sels if x.org_id in members][::-1], 20)[::-1],
                title=(f"{len(members)} tổ chức đấu giá ({', '.join(names[o] for o in members)}) luân phiên được "
                       f"{base['owner_name'] or 'người có tài sản'} lựa chọn {len(seq)} lần (hệ số luân phiên "
                       f"{legal.num(score)}, mức ngẫu nhiên {legal.num(expected)}, p = {legal.num(p_value, 3)})."),
                **base)
        else:
            yield Result(status="pass", evidence=evidence, **base)
    for subject in sorted(open_ids - {ds.owner_subject(o) for o in by_owner}):
        yield Result(rule=RULE, subject_kind="owner", subject_id=subject, status="not_applicable")
    stats["rotation"] = {"period": [start, end], "owners_with_selections": len(by_owner), "owners_tested": tested,
                         "owners_flagged": flagged}
