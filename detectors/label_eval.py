"""Precision and recall of the rules against hand labels (``bench/labels/real_notices.jsonl``).

A label says, for one (notice, lot, rule, problem), what a person concluded by reading the notice: ``violation``,
``no_violation`` or ``undecidable``. Each stored finding is broken into the same keys (an ``exclusionary_terms``
finding names its problems and their lots; a parcel finding is one lot; other findings are one problem of the
notice) and compared:

* a **flag** is correct only on a ``violation``; on ``no_violation`` or ``undecidable`` it is wrong (a rule that
  cannot decide must say "insufficient");
* an **insufficient** verdict on a ``violation`` is a miss, on ``undecidable`` it is right;
* recall is the share of labelled violations that were flagged.

Flags with no label are counted separately ("unlabelled") and are never silently taken as right.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from storage.kinds import NoticeKind

Key = tuple[int, int | None, str, str]  # notice id, lot index (None: the notice), rule, problem

PER_LOT_PROBLEMS = {"deposit_out_of_range", "fee_above_cap", "missing_parcel_fields", "deposit_above_start_price",
                    "land_price_per_m2_implausible"}


def load_labels(path: str | Path) -> dict[Key, dict[str, Any]]:
    out: dict[Key, dict[str, Any]] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out[(int(row["notice_id"]), row["lot"], row["rule"], row["problem"])] = row
    return out


def finding_keys(rule: str, subject_kind: str, subject_id: str, status: str,
                 evidence: dict[str, Any]) -> list[Key]:
    """The (notice, lot, rule, problem) keys one finding stands for."""
    if rule == "exclusionary_terms":
        part = evidence.get("problems" if status == "flag" else "undecided") or []
        keys = []
        for p in part:
            lot = p.get("lot") if p["code"] in PER_LOT_PROBLEMS else None
            keys.append((int(subject_id), lot, rule, p["code"]))
        return sorted(set(keys), key=str)
    if subject_kind == "lot":
        kind, notice, lot = subject_id.split(":")
        if kind != NoticeKind.AUCTION_NOTICE:
            return []
        if rule == "implausible_portal_value":
            return [(int(notice), int(lot), rule, p["code"]) for p in evidence.get("problems", [])]
        return [(int(notice), int(lot), "parcel_details" if rule == "missing_parcel_fields" else rule, rule)]
    if subject_kind == NoticeKind.AUCTION_NOTICE:
        return [(int(subject_id), None, rule, rule)]
    return []


@dataclass
class RuleScore:
    flags: int = 0
    correct: int = 0
    wrong: list[dict[str, Any]] = field(default_factory=list)
    unlabelled: list[Key] = field(default_factory=list)
    insufficient_on_violation: list[Key] = field(default_factory=list)
    insufficient_right: int = 0
    violations_labelled: int = 0
    violations_flagged: int = 0

    @property
    def precision(self) -> float | None:
        judged = self.correct + len(self.wrong)
        return self.correct / judged if judged else None

    @property
    def recall(self) -> float | None:
        return self.violations_flagged / self.violations_labelled if self.violations_labelled else None


def evaluate(findings: Iterable[dict[str, Any]], labels: dict[Key, dict[str, Any]]) -> dict[str, RuleScore]:
    """Scores per problem (``rule/problem``) of the findings (dicts with rule, subject_kind, subject_id, status,
    evidence) against the labels."""
    scores: dict[str, RuleScore] = defaultdict(RuleScore)
    flagged: set[Key] = set()
    for f in findings:
        if f["status"] not in ("flag", "insufficient"):
            continue
        for key in finding_keys(f["rule"], f["subject_kind"], f["subject_id"], f["status"], f["evidence"] or {}):
            score = scores[f"{key[2]}/{key[3]}"]
            label = labels.get(key)
            if f["status"] == "flag":
                flagged.add(key)
                score.flags += 1
                if label is None:
                    score.unlabelled.append(key)
                elif label["verdict"] == "violation":
                    score.correct += 1
                else:
                    score.wrong.append({"key": list(key), "verdict": label["verdict"], "reason": label["reason"]})
            elif label is not None:
                if label["verdict"] == "violation":
                    score.insufficient_on_violation.append(key)
                elif label["verdict"] == "undecidable":
                    score.insufficient_right += 1
    for key, label in labels.items():
        if label["verdict"] == "violation":
            score = scores[f"{key[2]}/{key[3]}"]
            score.violations_labelled += 1
            score.violations_flagged += key in flagged
    return dict(sorted(scores.items()))
