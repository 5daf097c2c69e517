"""Helpers for the fault tests that run the whole daily job (``auction-monitor run``) as a child process against
the portal simulator on 127.0.0.1: the served records (the real dgts notices of 30/06-01/07/2026 plus MADE-UP
THADS notices whose PDF attachments decide their category), a configuration file pointing everything at a
temporary folder, the child process itself, and the database state that must not depend on interruptions."""

from __future__ import annotations

import base64
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from sqlalchemy import select

REPO = Path(__file__).resolve().parents[2]
LAUNCHER = Path(__file__).with_name("killpoint.py")
RUN_TIMEOUT_S = 150
THADS_SITE = "binhdinh"

SELECTION_TEXT = (
    "THÔNG BÁO Về việc lựa chọn tổ chức đấu giá tài sản. Thi hành án dân sự tỉnh Gia Lai thông báo lựa chọn tổ "
    "chức đấu giá tài sản của ông Nguyễn Văn Mẫu (dữ liệu giả lập): Quyền sử dụng đất thửa đất số {n}, tờ bản đồ "
    "số 5, diện tích 120,5 m2. Giá khởi điểm: 1.250.000.000 đồng. Thời gian nộp hồ sơ: từ ngày {start} đến hết "
    "ngày {end}."
)


def pdf_bytes(text: str) -> bytes:
    """A one-page PDF with a real text layer (reportlab, a test dependency)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font = "Helvetica"
    for path in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",):
        if os.path.exists(path):
            if "DejaVu" not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont("DejaVu", path))
            font = "DejaVu"
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setFont(font, 10)
    y = 800
    words, line = text.split(), ""
    for word in words:
        if len(line) + len(word) > 90:
            c.drawString(40, y, line)
            y -= 14
            line = ""
        line = f"{line} {word}".strip()
    c.drawString(40, y, line)
    c.showPage()
    c.save()
    return buf.getvalue()


def thads_docs(today: datetime) -> list[dict[str, Any]]:
    """MADE-UP THADS notices published in the last days: three say what they are only in their PDF."""
    docs = []
    for n in range(1, 7):
        day = (today - timedelta(days=10 - n)).date()
        doc: dict[str, Any] = {
            "kind": "thads.notice", "site": THADS_SITE, "list": "ThongBao", "item_id": 500 + n,
            "title": f"Thông báo số {n}/TB-THADS (dữ liệu giả lập)", "date": day.strftime("%d/%m/%Y"),
            "body_html": f"<p>Thông báo bán đấu giá tài sản thi hành án số {n} (dữ liệu giả lập).</p>",
            "attachments": [],
        }
        if n <= 3:
            start, end = day + timedelta(days=1), day + timedelta(days=3)
            text = SELECTION_TEXT.format(n=n, start=start.strftime("%d/%m/%Y"), end=end.strftime("%d/%m/%Y"))
            doc["body_html"] = ""
            doc["attachments"] = [{"name": f"Thông báo lựa chọn {n}.pdf", "content_type": "application/pdf",
                                   "content_b64": base64.b64encode(pdf_bytes(text)).decode()}]
        docs.append(doc)
    return docs


def served_documents(real_docs: list[dict[str, Any]], today: datetime) -> list[dict[str, Any]]:
    lo = int(datetime.fromisoformat("2026-06-30T00:00:00+07:00").timestamp() * 1000)
    return [d for d in real_docs if d["list_item"]["publishTime1"] >= lo] + thads_docs(today)


# ------------------------------------------------------------------------------------------------ config


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k), ensure_ascii=False)} = {toml_value(v)}"
                               for k, v in value.items()) + "}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"no TOML form for {type(value).__name__}")


def to_toml(data: dict[str, Any]) -> str:
    """Every top-level key as an inline table or value (enough for configuration files built by tests)."""
    return "\n".join(f"{json.dumps(str(k), ensure_ascii=False)} = {toml_value(v)}" for k, v in data.items()) + "\n"


@dataclass
class Workdir:
    root: Path
    config: Path

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.root / 'db.sqlite'}"

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"


def make_workdir(root: Path, portal_url: str, **sections: dict[str, Any]) -> Workdir:
    root.mkdir(parents=True, exist_ok=True)
    portal = {"base_url": portal_url, "download_delay_s": 0.0, "concurrency": 4, "timeout_s": 20.0, "max_retries": 2}
    data: dict[str, Any] = {
        "database": {"url": f"sqlite:///{root / 'db.sqlite'}"},
        "evidence": {"path": str(root / "evidence")},
        "portals": {"dgts": {**portal, "backfill_start": date(2026, 6, 30), "lookback_days": 1},
                    "thads": {**portal, "sites": [THADS_SITE]}},
        "attachments": {"roles": ["thads"], "ocr": False, "timeout_s": 30.0},
        "alerts": {"mode": "outbox", "outbox_dir": str(root / "outbox"), "retry_base_s": 0.0,
                   "recipients": [{"name": "Cán bộ Gia Lai", "email": "gialai@example.vn", "provinces": ["gia-lai"]}]},
        "schedule": {"lock_ttl_s": 3600},
        "crawl": {"time_budget_s": 1800},  # shorter than the lock's TTL, as the configuration requires
    }
    for name, section in sections.items():
        data[name] = {**data.get(name, {}), **section}
    config = root / "auction-monitor.toml"
    config.write_text(to_toml(data), encoding="utf-8")
    return Workdir(root, config)


# ------------------------------------------------------------------------------------------------ the child


def start_run(work: Workdir, *args: str, kill_at: str | None = None) -> subprocess.Popen:
    """``auction-monitor --config FILE run --thads-full`` in its own process group (so kill -9 takes all of it)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
           "PYTHONUNBUFFERED": "1"}
    env.pop("AM_KILL_AT", None)
    if kill_at:
        env["AM_KILL_AT"] = kill_at
    return subprocess.Popen([sys.executable, str(LAUNCHER), "--config", str(work.config), "run", "--thads-full", *args],
                            cwd=work.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)


def finish(proc: subprocess.Popen, timeout: float = RUN_TIMEOUT_S) -> tuple[int, str, str]:
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        out, err = proc.communicate()
        raise AssertionError(f"the daily job did not finish in {timeout} s:\n{err.decode()[-3000:]}")
    return proc.returncode, out.decode(), err.decode()


def kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=20)


def wait_for(predicate, timeout: float = 90.0, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


# ------------------------------------------------------------------------------------------------ state


def db_state(db_url: str) -> dict[str, Any]:
    """Everything an interruption must not change: records, history, typed THADS rows, findings, the outbox.

    Findings are named by (detector, rule, subject kind, subject) with owner subjects by their normalised key,
    not their row id, and evidence is compared with owner and organisation ids as keys and without
    ``raw_sha256s``: row ids and the bytes of raw responses
    (dgts file tokens change on every fetch) legitimately differ between two databases that crawled the same
    portal. Alerts are named by kind, recipients and what they carried (dedupe keys embed row ids and the day)."""
    from storage.db import session_scope
    from storage.models import (Alert, AlertItem, Attachment, ChangeEvent, Finding, Organisation, Owner, Record,
                                Snapshot, ThadsNotice)

    with session_scope(db_url) as s:
        owners = {str(o.id): o.key for o in s.scalars(select(Owner))}
        orgs = {str(o.id): o.key for o in s.scalars(select(Organisation))}
        findings = {f.id: f for f in s.scalars(select(Finding))}

        def name(f: Finding) -> tuple[str, str, str, str]:
            subject = {"owner": owners, "organisation": orgs}.get(f.subject_kind, {}).get(f.subject_id, f.subject_id)
            return f.detector, f.rule, f.subject_kind, subject

        def stable(value: Any, key: str = "") -> Any:
            if isinstance(value, dict):
                return {k: stable(v, k) for k, v in value.items() if k != "raw_sha256s"}
            if isinstance(value, list):
                return [stable(v, key) for v in value]
            if key.endswith("organisation_id"):
                return orgs.get(str(value), value)
            if key.endswith("owner_id"):
                return owners.get(str(value), value)
            return value

        def evidence(f: Finding) -> str:
            return json.dumps(stable(f.evidence or {}), sort_keys=True, ensure_ascii=False, default=str)

        items = list(s.scalars(select(AlertItem)))
        carried: dict[int, list] = {}
        for i in items:
            carried.setdefault(i.alert_id, []).append((name(findings[i.finding_id]), i.reason))
        return {
            "records": sorted((r.record_kind, r.record_key, r.content_hash, r.status)
                              for r in s.scalars(select(Record))),
            "snapshots": Counter((x.record_kind, x.record_key, x.content_hash) for x in s.scalars(select(Snapshot))),
            "events": Counter((e.event, e.record_kind, e.record_key, e.field) for e in s.scalars(select(ChangeEvent))),
            "thads": sorted((t.key, t.category, t.window_start, t.window_end) for t in s.scalars(select(ThadsNotice))),
            "attachments": sorted((a.notice_key, a.file_key, a.sha256, a.text_status)
                                  for a in s.scalars(select(Attachment))),
            "findings": sorted((name(f), f.status, f.severity, f.resolved_at is None, evidence(f))
                               for f in findings.values()),
            "alerts": Counter((a.kind, a.recipient, tuple(sorted(set(a.cc or []))), a.status,
                               tuple(sorted(carried.get(a.id, [])))) for a in s.scalars(select(Alert))),
            "alert_items": Counter((name(findings[i.finding_id]), i.recipient, i.severity, i.reason,
                                    i.evidence_hash == findings[i.finding_id].evidence_hash) for i in items),
        }


def outbox_message_ids(work: Workdir) -> list[str]:
    ids = []
    for path in sorted(work.outbox.glob("*.eml")):
        ids.append(message_from_bytes(path.read_bytes(), policy=policy.default)["Message-ID"])
    return ids


def sent_message_ids(db_url: str) -> list[str]:
    from storage.db import session_scope
    from storage.models import Alert

    with session_scope(db_url) as s:
        return sorted(s.scalars(select(Alert.message_id).where(Alert.status == "sent")))


def count(db_url: str, model, *where) -> int:
    """Rows of ``model`` matching ``where``; 0 while the child has not created the schema yet."""
    from sqlalchemy import func
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from storage.db import session_scope

    try:
        with session_scope(db_url) as s:
            return s.scalar(select(func.count()).select_from(model).where(*where)) or 0
    except (OperationalError, ProgrammingError):  # SQLite / PostgreSQL: no such table yet
        return 0
