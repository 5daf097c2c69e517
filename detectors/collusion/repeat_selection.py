"""repeat_selection (market allocation): an owner that keeps choosing the same auction organisation.

For every owner with at least ``min_selections`` selections (``selections``) in the ``period_days`` ending at the
latest data, the top share is the share of its selections that went to its most-chosen organisation; the
Herfindahl index (sum of squared organisation shares) is reported too. The fence is Tukey's upper fence
Q3 + 1.5·IQR of the top shares of all evaluated owners of the same kind (THADS offices of every level are one
kind; banks, state bodies, enterprises... each another), unless ``threshold`` overrides it. An owner is flagged
when its top share is above the fence; a fence of 1 or more flags nobody (using one organisation exclusively is
then ordinary for that kind). Fewer than ``min_owners_for_fence`` owners of a kind: ``insufficient``.
Subject: ``owner``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import Any, Iterator

from detectors.base import Result
from detectors.collusion import legal
from detectors.collusion.dataset import Dataset
from detectors.collusion.selections import Selection, in_period, selection_urls
from detectors.collusion.settings import RepeatSelectionSettings
from detectors.collusion.stats import fence, herfindahl

RULE = "repeat_selection"
MAX_REFS = 20


def evaluate_repeat_selection(ds: Dataset, selections: list[Selection], s: RepeatSelectionSettings, end: datetime,
                              stats: dict[str, Any], open_ids: set[str]) -> Iterator[Result]:
    start = end - timedelta(days=s.period_days)
    by_owner = in_period(selections, start, end)
    rows: dict[int, dict[str, Any]] = {}
    for owner_id, sels in by_owner.items():
        if len(sels) < s.min_selections:
            continue
        counts = Counter(x.org_id for x in sels)
        top_org, top_count = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        rows[owner_id] = {"total": len(sels), "counts": counts, "top_org": top_org, "top_count": top_count,
                          "share": top_count / len(sels), "hhi": herfindahl(list(counts.values()))}
    groups: dict[str, list[int]] = defaultdict(list)
    for owner_id in rows:
        owner = ds.owner(owner_id)
        groups[owner.kind_group if owner else "unknown"].append(owner_id)
    fences = {}
    for kind, owners in sorted(groups.items()):
        if len(owners) >= s.min_owners_for_fence:
            fences[kind] = fence([rows[o]["share"] for o in owners])
    stats["repeat_selection"] = {
        "period": [start, end], "owners_evaluated": len(rows), "owners_below_min_selections":
        sum(1 for v in by_owner.values() if len(v) < s.min_selections),
        "fences": {k: f.as_dict() for k, f in fences.items()},
        "kinds_without_fence": sorted(k for k in groups if k not in fences), "threshold_override": s.threshold,
    }
    for owner_id in sorted(by_owner):
        owner = ds.owner(owner_id)
        base = dict(rule=RULE, subject_kind="owner", subject_id=ds.owner_subject(owner_id),
                    owner_name=owner.name if owner else None, province=owner.province if owner else None)
        row = rows.get(owner_id)
        if row is None:
            yield Result(status="not_applicable", **base)
            continue
        kind = owner.kind_group if owner else "unknown"
        f = fences.get(kind)
        limit = s.threshold if s.threshold is not None else (f.upper if f else None)
        top_refs = [x for x in by_owner[owner_id] if x.org_id == row["top_org"]]
        evidence: dict[str, Any] = {
            "owner_kind": kind, "period_start": start, "period_end": end, "period_days": s.period_days,
            "selections": row["total"], "by_source": dict(Counter(x.source for x in by_owner[owner_id])),
            "top_organisation": ds.org_name(row["top_org"]), "top_organisation_key": ds.org_key(row["top_org"]),
            "top_count": row["top_count"], "top_share": round(row["share"], 6), "herfindahl": round(row["hhi"], 6),
            "organisations": [{"organisation": ds.org_name(o), "count": c} for o, c in
                              sorted(row["counts"].items(), key=lambda kv: (-kv[1], kv[0]))[:10]],
            "fence": f.as_dict() if f else None, "threshold": limit,
            "threshold_source": "setting" if s.threshold is not None else "Q3 + 1.5*IQR of the owner kind",
            "min_selections": s.min_selections,
            "top_selections": [{"source": x.source, "id": x.ref_id, "published": x.when} for x in top_refs[:MAX_REFS]],
        }
        urls = selection_urls(ds, top_refs, MAX_REFS)
        if limit is None:
            evidence["missing"] = (f"only {len(groups[kind])} owners of kind '{kind}' with >= {s.min_selections} "
                                   f"selections; {s.min_owners_for_fence} needed for a fence")
            yield Result(status="insufficient", title="Chưa đủ dữ liệu so sánh để đánh giá mức độ lặp lại tổ chức "
                         "đấu giá được chọn.", evidence=evidence, urls=urls, legal_basis=legal.COLLUSION, **base)
        elif row["share"] > limit:
            org = ds.org_name(row["top_org"]) or f"tổ chức #{row['top_org']}"
            yield Result(
                status="flag", severity="medium", evidence=evidence, urls=urls, legal_basis=legal.COLLUSION,
                title=(f"{base['owner_name'] or 'Người có tài sản'} chọn {org} cho {row['top_count']}/{row['total']} "
                       f"lần lựa chọn trong {s.period_days} ngày ({legal.pct(row['share'])}), cao hơn ngưỡng "
                       f"{legal.pct(limit)} của nhóm cùng loại."), **base)
        else:
            yield Result(status="pass", evidence=evidence, **base)
    for subject in sorted(open_ids - {ds.owner_subject(o) for o in by_owner}):
        yield Result(rule=RULE, subject_kind="owner", subject_id=subject, status="not_applicable")
