"""Exports for analysts and scripts: findings (jsonl, csv, table) and per-lot parcel details."""

from __future__ import annotations

import csv
import json
import re
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Finding
from storage.timeutil import to_local

FINDING_COLUMNS = ("id", "detector", "rule", "subject_kind", "subject_id", "status", "severity", "title", "province",
                   "owner_name", "evidence", "urls", "legal_basis", "first_seen", "last_seen", "resolved_at")


# Characters a terminal or a line-splitting reader would act on: C0/C1 controls (escape sequences, CR),
# Unicode line and paragraph separators and bidirectional overrides.
_UNSAFE_IN_TABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def jsonl_line(row: dict[str, Any]) -> str:
    """One JSON Lines record; U+2028/U+2029 escaped too, since many readers split lines on them."""
    text = json.dumps(row, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return text + "\n"


def terminal_safe(text: str) -> str:
    """Portal text fit for a terminal table: controls, separators and direction overrides become spaces."""
    return _UNSAFE_IN_TABLE.sub(" ", text)


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "id": f.id, "detector": f.detector, "rule": f.rule, "subject_kind": f.subject_kind,
        "subject_id": f.subject_id, "status": f.status, "severity": f.severity, "title": f.title,
        "province": f.province, "owner_name": f.owner_name, "evidence": f.evidence, "urls": f.urls,
        "legal_basis": f.legal_basis,
        "first_seen": to_local(f.first_seen).isoformat() if f.first_seen else None,
        "last_seen": to_local(f.last_seen).isoformat() if f.last_seen else None,
        "resolved_at": to_local(f.resolved_at).isoformat() if f.resolved_at else None,
    }


def query_findings(session: Session, *, detector=None, status=None, rule=None, include_resolved=False):
    q = select(Finding).order_by(Finding.detector, Finding.rule, Finding.id)
    if detector:
        q = q.where(Finding.detector == detector)
    if status:
        q = q.where(Finding.status == status)
    if rule:
        q = q.where(Finding.rule == rule)
    if not include_resolved:
        q = q.where(Finding.resolved_at.is_(None))
    return session.scalars(q)


def export_findings(session: Session, out: IO[str], *, fmt: str, **filters) -> int:
    n = 0
    rows = (finding_dict(f) for f in query_findings(session, **filters))
    if fmt == "jsonl":
        for row in rows:
            out.write(jsonl_line(row))
            n += 1
    elif fmt == "csv":
        w = csv.DictWriter(out, fieldnames=FINDING_COLUMNS)
        w.writeheader()
        for row in rows:
            w.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v
                        for k, v in row.items()})
            n += 1
    else:
        widths = (6, 18, 26, 16, 10, 8, 60)
        head = ("id", "detector", "rule", "subject", "status", "sev", "title")
        out.write(" ".join(h.ljust(w) for h, w in zip(head, widths)) + "\n")
        for row in rows:
            vals = (row["id"], row["detector"], row["rule"], f"{row['subject_kind'][:3]}:{row['subject_id']}",
                    row["status"], row["severity"], row["title"] or "")
            out.write(" ".join(terminal_safe(str(v))[:w].ljust(w) for v, w in zip(vals, widths)) + "\n")
            n += 1
    return n


def export_parcels(session: Session, out: IO[str], *, fmt: str, settings, only_land: bool = False) -> int:
    from detectors.parcel_details import iter_lot_parcels

    det_settings = settings.detector_settings().get("parcel_details")
    n = 0
    writer = None
    for row in iter_lot_parcels(session, det_settings):
        if only_land and not row["is_land"]:
            continue
        if fmt == "jsonl":
            out.write(jsonl_line(row))
        else:
            if writer is None:
                writer = csv.DictWriter(out, fieldnames=list(row))
                writer.writeheader()
            writer.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v
                             for k, v in row.items()})
        n += 1
    return n
