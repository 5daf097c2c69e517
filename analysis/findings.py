"""Findings as DataFrames: the open findings with their subject's publication day and latest verdict, counts per
detector / rule / province / week, verdicts recorded through ``storage.reviews``, precision per rule, and what a
threshold or settings change would do before anyone edits the configuration."""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.common import DB, frame, local_naive, period_alias, province_label, session_for, short
from analysis.coverage import publication_days, url_publication_days
from storage.kinds import RECORD_KIND_OF_NOTICE, NoticeKind
from storage.models import DetectorRun, Finding, Owner, Review
from storage.reviews import latest_verdicts, precision_by_rule, record_review

FINDING_COLUMNS = ["id", "detector", "rule", "status", "severity", "subject_kind", "subject_id", "title",
                   "owner_name", "province", "province_name", "subject_published", "first_seen", "last_seen",
                   "resolved_at", "url", "urls", "verdict"]
OPEN_COLUMNS = ["id", "detector", "rule", "status", "severity", "title", "owner_name", "province_name",
                "subject_kind", "subject_id", "subject_published", "url", "verdict"]
SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}
COMPARATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}


def subject_notice(subject_kind: str, subject_id: str) -> tuple[str, str] | None:
    """The (notice kind, notice key) a finding is about: the subject itself for notices and results, the notice
    of a lot (``auction_notice:443972:0``), the first notice of a relist chain; None for owners/organisations."""
    if subject_kind in RECORD_KIND_OF_NOTICE:
        return subject_kind, subject_id
    if subject_kind == "lot":
        head = subject_id.rsplit(":", 1)[0]
        kind, _, key = head.partition(":")
        return (kind, key) if kind in RECORD_KIND_OF_NOTICE and key else None
    if subject_kind == "chain":
        return NoticeKind.AUCTION_NOTICE, subject_id
    return None


def findings_frame(db: DB, *, include_resolved: bool = False, detector: str | None = None,
                   rule: str | None = None, statuses: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per finding (open ones unless ``include_resolved``): detector, rule, status, severity, subject,
    Vietnamese title, owner, province, ``subject_published`` (publication day of the notice it is about; for
    owner-level patterns the newest record among its URLs; the detection day when none is known), first/last
    seen, first URL and the latest analyst verdict."""
    with session_for(db) as s:
        q = select(Finding).order_by(Finding.id)
        if not include_resolved:
            q = q.where(Finding.resolved_at.is_(None))
        if detector:
            q = q.where(Finding.detector == detector)
        if rule:
            q = q.where(Finding.rule == rule)
        if statuses is not None:
            q = q.where(Finding.status.in_(list(statuses)))
        findings = list(s.scalars(q))
        days = publication_days(s) if findings else {}
        url_days = url_publication_days(s) if findings else {}
        verdicts = latest_verdicts(s) if findings else {}
        rows = []
        for f in findings:
            target = subject_notice(f.subject_kind, f.subject_id)
            if target:
                published = days.get((RECORD_KIND_OF_NOTICE[target[0]], target[1]))
            else:  # owner/organisation patterns: the newest record they cite
                published = max((url_days[u] for u in f.urls or [] if u in url_days), default=None)
            first_seen = local_naive(f.first_seen)
            rows.append({
                "id": f.id, "detector": f.detector, "rule": f.rule, "status": f.status, "severity": f.severity,
                "subject_kind": f.subject_kind, "subject_id": f.subject_id, "title": short(f.title),
                "owner_name": short(f.owner_name, 120), "province": f.province,
                "province_name": province_label(f.province),
                "subject_published": published or (first_seen.date() if first_seen else None),
                "first_seen": first_seen, "last_seen": local_naive(f.last_seen),
                "resolved_at": local_naive(f.resolved_at), "url": (f.urls or [None])[0], "urls": list(f.urls or []),
                "verdict": verdicts.get(f.id),
            })
    df = frame(rows, FINDING_COLUMNS)
    df["subject_published"] = pd.to_datetime(df["subject_published"])
    return df


def owner_findings(db: DB, owner_id: int, owner_name: str | None = None, *,
                   include_resolved: bool = False) -> pd.DataFrame:
    """Findings about one owner: owner-level patterns (subject ``owner``: this owner's key) and findings whose owner
    name is the owner's (accents, case and spacing ignored)."""
    from vntext.fold import fold_name

    df = findings_frame(db, include_resolved=include_resolved)
    target = fold_name(owner_name) if owner_name else None
    same_name = df["owner_name"].map(lambda n: bool(target) and isinstance(n, str) and fold_name(n) == target)
    with session_for(db) as s:
        key = s.scalar(select(Owner.key).where(Owner.id == owner_id))
    own = (df["subject_kind"] == "owner") & (df["subject_id"] == (key or f"owner#{owner_id}"))
    return df[own | same_name].reset_index(drop=True)


def findings_summary(db: DB, by: Iterable[str] = ("detector",), *, include_resolved: bool = False) -> pd.DataFrame:
    """Finding counts grouped by ``by`` (any findings_frame columns, e.g. detector, rule, province_name,
    severity), one column per status (flag, insufficient, ...) and a ``total``; sorted by total, largest first."""
    keys = list(by)
    df = findings_frame(db, include_resolved=include_resolved)
    if df.empty:
        return frame([], keys + ["flag", "insufficient", "total"])
    table = df.pivot_table(index=keys, columns="status", values="id", aggfunc="count", fill_value=0)
    for status in ("flag", "insufficient"):
        if status not in table.columns:
            table[status] = 0
    table = table[["flag", "insufficient"] + sorted(c for c in table.columns if c not in ("flag", "insufficient"))]
    table["total"] = table.sum(axis=1)
    table.columns.name = None
    return table.reset_index().sort_values(["total"] + keys, ascending=[False] + [True] * len(keys),
                                           ignore_index=True)


def findings_over_time(db: DB, freq: str = "W", by: str = "detector", *, date_field: str = "subject_published",
                       include_resolved: bool = False) -> pd.DataFrame:
    """Findings per period (``freq``: "D", "W" weeks starting Monday, "M" months) and ``by`` value, counted on
    ``date_field`` (the subject's publication day by default, or first_seen). Long format: period start, value,
    findings; periods without findings are absent."""
    df = findings_frame(db, include_resolved=include_resolved)
    if df.empty:
        return frame([], ["period", by, "findings"])
    dates = pd.to_datetime(df[date_field])
    df = df.assign(period=dates.dt.to_period(period_alias(freq)).dt.start_time)
    out = df.groupby(["period", by], as_index=False)["id"].count().rename(columns={"id": "findings"})
    return out.sort_values(["period", by], ignore_index=True)


def open_findings(db: DB, *, detector: str | None = None, rule: str | None = None,
                  statuses: Iterable[str] = ("flag",), unreviewed_only: bool = False) -> pd.DataFrame:
    """Open findings to review, most severe and most recent first, with the latest verdict (None when nobody
    reviewed them yet); ``unreviewed_only`` keeps the ones without a verdict."""
    df = findings_frame(db, detector=detector, rule=rule, statuses=list(statuses))
    if unreviewed_only:
        df = df[df["verdict"].isna()]
    df = df.assign(_rank=df["severity"].map(SEVERITY_RANK).fillna(3))
    df = df.sort_values(["_rank", "subject_published", "id"], ascending=[True, False, True])
    return df[OPEN_COLUMNS].reset_index(drop=True)


def _text_or_none(value: Any) -> str | None:
    """Optional text from a dict or DataFrame cell: None, NaN and blank mean "not given"."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


def record_verdicts(db: DB, verdicts: Iterable[Mapping[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    """Record analyst verdicts through ``storage.reviews.record_review``; each item has ``finding_id`` and
    ``verdict`` (confirmed, false_positive, needs_more_info) and optionally ``note`` and ``reviewer``. All or
    nothing: one bad item raises and, on a URL, nothing is written. A reviewer's second verdict on a finding replaces the first. Returns the reviews recorded."""
    items = verdicts.to_dict("records") if isinstance(verdicts, pd.DataFrame) else list(verdicts)
    rows = []
    with session_for(db) as s:
        for item in items:
            note, reviewer = (_text_or_none(item.get(k)) for k in ("note", "reviewer"))
            review = record_review(s, int(item["finding_id"]), str(item["verdict"]), note=note, reviewer=reviewer,
                                   via="notebook")
            rows.append({"id": review.id, "finding_id": review.finding_id, "verdict": review.verdict,
                         "note": review.note, "reviewer": review.reviewer,
                         "created_at": local_naive(review.created_at)})
    return frame(rows, ["id", "finding_id", "verdict", "note", "reviewer", "created_at"])


def reviews_frame(db: DB) -> pd.DataFrame:
    """Every recorded review, newest first, with the finding's detector and rule."""
    with session_for(db) as s:
        q = (select(Review, Finding.detector, Finding.rule).join(Finding, Finding.id == Review.finding_id)
             .order_by(Review.id.desc()))
        rows = [{"id": r.id, "finding_id": r.finding_id, "detector": det, "rule": rule, "verdict": r.verdict,
                 "note": short(r.note), "reviewer": r.reviewer, "created_at": local_naive(r.created_at)}
                for r, det, rule in s.execute(q)]
    return frame(rows, ["id", "finding_id", "detector", "rule", "verdict", "note", "reviewer", "created_at"])


def precision_table(db: DB) -> pd.DataFrame:
    """``storage.reviews.precision_by_rule`` as a DataFrame: per detector and rule the flagged findings, how many
    were reviewed, confirmed, false positives, open questions, and precision = confirmed / (confirmed + false
    positives) (NaN until something was decided)."""
    with session_for(db) as s:
        rows = precision_by_rule(s)
    columns = ["detector", "rule", "flagged", "reviewed", "confirmed", "false_positive", "needs_more_info", "precision"]
    df = frame(rows, columns)
    df["precision"] = pd.to_numeric(df["precision"], errors="coerce")
    return df


# ------------------------------------------------------------------------------------------------ thresholds


def evidence_value(evidence: Any, key: str) -> Any:
    """The value at a dotted path in a finding's evidence (``"top_share"``, ``"link.confidence"``,
    ``"before_window_close.0.hours_before_close"``); None when any step is missing."""
    node = evidence
    for part in key.split("."):
        if isinstance(node, Mapping):
            node = node.get(part)
        elif isinstance(node, list) and part.lstrip("-").isdigit() and -len(node) <= int(part) < len(node):
            node = node[int(part)]
        else:
            return None
        if node is None:
            return None
    return node


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def evidence_values(db: DB, detector: str, rule: str, evidence_key: str, *,
                    statuses: Iterable[str] = ("flag",)) -> pd.DataFrame:
    """The numeric evidence field ``evidence_key`` of each open finding of (detector, rule), with its subject,
    title and latest verdict; ``value`` is NaN where the field is absent or not a number."""
    with session_for(db) as s:
        q = (select(Finding).where(Finding.detector == detector, Finding.rule == rule,
                                   Finding.status.in_(list(statuses)), Finding.resolved_at.is_(None))
             .order_by(Finding.id))
        findings = list(s.scalars(q))
        verdicts = latest_verdicts(s) if findings else {}
        rows = [{"id": f.id, "subject_kind": f.subject_kind, "subject_id": f.subject_id, "status": f.status,
                 "severity": f.severity, "title": short(f.title),
                 "value": _number(evidence_value(f.evidence, evidence_key)),
                 "verdict": verdicts.get(f.id)} for f in findings]
    df = frame(rows, ["id", "subject_kind", "subject_id", "status", "severity", "title", "value", "verdict"])
    df["value"] = pd.to_numeric(df["value"], errors="coerce")
    return df


def _flags(values: pd.Series, threshold: float, flag_when: str) -> pd.Series:
    if flag_when not in COMPARATORS:
        raise ValueError(f"flag_when must be one of {', '.join(COMPARATORS)}")
    compare = COMPARATORS[flag_when]
    return values.map(lambda v: bool(compare(v, threshold)) if pd.notna(v) else False)


def threshold_changes(db: DB, detector: str, rule: str, evidence_key: str, threshold: float, *,
                      flag_when: str = ">=", statuses: Iterable[str] = ("flag",)) -> pd.DataFrame:
    """Per open finding of (detector, rule): its evidence value, whether a rule "flag when value ``flag_when``
    ``threshold``" would still flag it, and ``change`` = kept | dropped | no value (field absent: undecided)."""
    df = evidence_values(db, detector, rule, evidence_key, statuses=statuses)
    would = _flags(df["value"], float(threshold), flag_when)
    change = would.map({True: "kept", False: "dropped"}).where(df["value"].notna(), "no value")
    return df.assign(threshold=float(threshold), would_flag=would, change=change)


def threshold_effect(db: DB, detector: str, rule: str, evidence_key: str, candidates: Iterable[float], *,
                     flag_when: str = ">=", statuses: Iterable[str] = ("flag",)) -> pd.DataFrame:
    """Re-evaluate a numeric evidence field of the open findings of (detector, rule) against each candidate
    threshold ("flag when value ``flag_when`` candidate"): how many would still be flagged or be dropped, how many
    have no such field, and what the analysts' verdicts say about each side (confirmed / false positives kept or
    dropped, and the precision of what is kept). Only stored findings are re-evaluated: subjects that pass today
    are not in the database, so a looser threshold cannot add findings here; ``settings_effect`` re-runs the
    detector for that."""
    df = evidence_values(db, detector, rule, evidence_key, statuses=statuses)
    rows = []
    for c in candidates:
        would = _flags(df["value"], float(c), flag_when)
        has = df["value"].notna()
        conf, fp = df["verdict"] == "confirmed", df["verdict"] == "false_positive"
        kept_c, kept_fp = int((would & conf).sum()), int((would & fp).sum())
        rows.append({
            "threshold": float(c), "evaluated": int(has.sum()), "missing_value": int((~has).sum()),
            "would_flag": int(would.sum()), "would_drop": int((has & ~would).sum()),
            "confirmed_kept": kept_c, "confirmed_dropped": int((has & ~would & conf).sum()),
            "false_positive_kept": kept_fp, "false_positive_dropped": int((has & ~would & fp).sum()),
            "precision_after": kept_c / (kept_c + kept_fp) if kept_c + kept_fp else float("nan"),
        })
    return frame(rows, ["threshold", "evaluated", "missing_value", "would_flag", "would_drop", "confirmed_kept",
                        "confirmed_dropped", "false_positive_kept", "false_positive_dropped", "precision_after"])


def _set_path(target: dict[str, Any], dotted: str, value: Any) -> None:
    node = target
    parts = dotted.split(".")
    for part in parts[:-1]:
        nxt = node.get(part)
        if not isinstance(nxt, dict):
            raise KeyError(f"no settings section {part!r} in {dotted!r}")
        node = nxt
    node[parts[-1]] = value


def detector_settings(db: DB, detector: str, overrides: Mapping[str, Any] | None = None):
    """The settings ``detector`` last ran with (from the newest detector run that included it; the defaults when
    none did), with ``overrides`` applied (dotted keys for nested sections, e.g. ``"anomaly_rank.top_n"``) and
    validated by the detector's strict settings model. Returns (settings, run time of that run or None)."""
    from detectors.registry import available

    cls = available().get(detector)
    if cls is None:
        raise ValueError(f"unknown detector {detector!r}")
    with session_for(db) as s:
        run_at, base = None, None
        for run in s.scalars(select(DetectorRun).order_by(DetectorRun.id.desc())):
            if detector in (run.settings or {}):
                run_at, base = run.started_at, run.settings[detector]
                break
    raw = json.loads(json.dumps(base)) if base is not None else json.loads(cls.Settings().model_dump_json())
    for key, value in (overrides or {}).items():
        _set_path(raw, key, value)
    return cls.Settings.model_validate_json(json.dumps(raw)), run_at


def settings_effect(db: DB, detector: str, overrides: Mapping[str, Any], *, now: datetime | None = None,
                    rules: Iterable[str] | None = None) -> pd.DataFrame:
    """Re-run ``detector`` with its last settings plus ``overrides`` on the current data, in a transaction that is
    rolled back (nothing is stored), and compare with the open findings: one row per (rule, subject) whose stored
    status would differ or that is flagged either way, with ``change`` = added | dropped | status_changed |
    unchanged. ``now`` defaults to the time of the detector run the settings come from, so only the settings
    differ. Give a URL, or a session without pending writes (the re-run uses its own connection)."""
    from detectors.base import DetectionContext
    from detectors.registry import available
    from detectors.runner import STORED

    settings, run_at = detector_settings(db, detector, overrides)
    det = available()[detector](settings)
    wanted = set(rules) if rules is not None else None
    with session_for(db) as s:
        current = {(f.rule, f.subject_kind, f.subject_id): f for f in s.scalars(
            select(Finding).where(Finding.detector == detector, Finding.resolved_at.is_(None)))}
        current_rows = {k: (f.id, f.status, f.title) for k, f in current.items()}
        bind = s.get_bind()
    scratch = Session(bind=bind)
    try:
        ctx = DetectionContext(session=scratch, now=now or run_at or datetime.now().astimezone(),
                               reuse_findings=False)
        results = {(r.rule, r.subject_kind, str(r.subject_id)): r for r in det.evaluate(ctx)}
    finally:
        scratch.rollback()
        scratch.close()
    rows = []
    for key in sorted(set(current_rows) | set(results)):
        if wanted is not None and key[0] not in wanted:
            continue
        cur = current_rows.get(key)
        res = results.get(key)
        new_status = res.status if res is not None and (res.status in STORED or res.keep) else None
        cur_status = cur[1] if cur else None
        if cur_status is None and new_status is None:
            continue
        change = ("unchanged" if cur_status == new_status else "added" if cur_status is None
                  else "dropped" if new_status is None else "status_changed")
        rows.append({"rule": key[0], "subject_kind": key[1], "subject_id": key[2],
                     "finding_id": cur[0] if cur else None,
                     "current_status": cur_status, "new_status": new_status, "change": change,
                     "title": short(res.title if res is not None and new_status else cur[2] if cur else None)})
    return frame(rows, ["rule", "subject_kind", "subject_id", "finding_id", "current_status", "new_status",
                        "change", "title"])
