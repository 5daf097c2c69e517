"""Every analyst notebook runs top to bottom on the demo database (built once per session with
``service.demo.run_demo``), with parameters injected into its ``parameters`` cell, and its outputs show the demo's
real findings, counted here straight from the database."""

from __future__ import annotations

import ast
import re
import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient
from sqlalchemy import select

from storage.db import session_scope
from storage.models import Finding, Organisation, Owner, RecordLink, Review, SelectionResult

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = REPO / "notebooks"
CELL_TIMEOUT_S = 240
OWNER = "Trung tâm Phát triển quỹ đất Minh Họa, tỉnh Tây Ninh"
NOTICE = "900003"


@dataclass
class Demo:
    url: str
    workdir: Path


@pytest.fixture(scope="session")
def demo(demo_run) -> Demo:
    """The database built by `auction-monitor demo` (shared with the demo's own tests: built once per session)."""
    return Demo(url=demo_run["db_url"], workdir=demo_run["workdir"])


def copy_db(url: str, target: Path) -> str:
    source = sqlite3.connect(url.removeprefix("sqlite:///"))
    copy = sqlite3.connect(target)
    with copy:
        source.backup(copy)
    source.close()
    copy.close()
    return f"sqlite:///{target}"


def execute(name: str, overrides: dict[str, Any]) -> nbformat.NotebookNode:
    """Run a notebook with its parameters cell replaced by its own defaults updated with ``overrides``."""
    nb = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    defaults: dict[str, Any] = {}
    exec(compile(ast.parse(cell.source), name, "exec"), defaults)  # the cell is literals and os.environ.get only
    params = {k: v for k, v in defaults.items() if k.isupper()}
    unknown = set(overrides) - set(params)
    assert not unknown, f"{name} has no parameters {unknown}"
    params.update(overrides)
    cell.source = "\n".join(f"{key} = {value!r}" for key, value in params.items())
    NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK_DIR)}}).execute()
    for c in nb.cells:
        if c.cell_type == "code":
            assert not [o for o in c.outputs if o.output_type == "error"], c.source[:200]
            for o in c.outputs:  # tables read by people: no None/NaN/NaT cells, no float noise
                table = o.get("data", {}).get("text/html", "")
                if "<table" in table:
                    for bad in ("<td>NaN</td>", "<td>None</td>", "<td>NaT</td>", ".000000", "<td>nan</td>"):
                        assert bad not in table, f"{name}: {bad} in the table of {c.source[:120]!r}"
    return nb


def printed(nb: nbformat.NotebookNode) -> str:
    return "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
                     if o.output_type == "stream")


def images(nb: nbformat.NotebookNode) -> int:
    return sum(1 for c in nb.cells if c.cell_type == "code" for o in c.outputs
               if o.output_type == "display_data" and "image/png" in o.get("data", {}))


def open_findings(url: str) -> list[Finding]:
    with session_scope(url) as s:
        return list(s.scalars(select(Finding).where(Finding.resolved_at.is_(None))))


def test_overview_shows_the_findings_per_detector(demo):
    nb = execute("01_tong_quan.ipynb", {"DB_URL": demo.url})
    text = printed(nb)
    counts = Counter((f.detector, f.status) for f in open_findings(demo.url))
    for det in {d for d, _ in counts}:
        assert f"{det}: {counts[(det, 'flag')]} cảnh báo, {counts[(det, 'insufficient')]} chưa đủ dữ liệu" in text
    assert images(nb) >= 5


def test_owner_notebook_shows_the_owners_selections_and_findings(demo):
    nb = execute("02_chu_tai_san_va_to_chuc.ipynb", {"DB_URL": demo.url, "OWNER": OWNER})
    text = printed(nb)
    with session_scope(demo.url) as s:
        owner = s.scalar(select(Owner).where(Owner.name == OWNER))
        chosen = Counter(org for (org,) in s.execute(
            select(Organisation.name).join(SelectionResult, SelectionResult.organisation_id == Organisation.id)
            .where(SelectionResult.owner_id == owner.id)))
        rotation = s.scalar(select(Finding).where(Finding.rule == "rotation", Finding.subject_id == owner.key))
    assert f"nguồn selection_result: {sum(chosen.values())}" in text
    for org, n in chosen.items():
        assert f"{org}: {n}/" in text
    assert f"#{rotation.id} collusion.rotation" in text
    assert images(nb) >= 4


def test_timeline_notebook_links_the_notice_its_result_and_findings(demo):
    nb = execute("03_dong_thoi_gian_thong_bao.ipynb", {"DB_URL": demo.url, "NOTICE_KIND": "selection_notice",
                                                       "NOTICE_ID": NOTICE})
    text = printed(nb)
    with session_scope(demo.url) as s:
        results = [k for (k,) in s.execute(select(RecordLink.from_key).where(
            RecordLink.link_type == "result_notice", RecordLink.to_key == NOTICE, RecordLink.status == "matched"))]
        findings = list(s.scalars(select(Finding).where(Finding.subject_id == NOTICE)))
    assert results and findings
    for rid in results:
        assert f"Kết quả lựa chọn {rid}" in text
    for f in findings:
        assert f"Phát hiện #{f.id}: {f.detector}.{f.rule}" in text
    evidence = [line.split("chứng cứ: ", 1)[1] for line in text.splitlines() if line.startswith("    chứng cứ: ")]
    assert evidence and all(Path(p).is_file() and Path(p).is_relative_to(demo.workdir) for p in evidence)
    assert images(nb) >= 1


def test_parcel_notebook_counts_the_land_lots_the_detector_saw(demo, tmp_path):
    nb = execute("04_thong_tin_thua_dat.ipynb", {"DB_URL": demo.url})
    text = printed(nb)
    # The demo's last days ran incremental detection (recent records only); a full pass over a copy of the same
    # data must count the land lots the notebook counts.
    from detectors.registry import build, validate_detector_settings
    from detectors.runner import run_detectors

    full = copy_db(demo.url, tmp_path / "full.sqlite")
    with session_scope(full) as s:
        run = run_detectors(s, build(validate_detector_settings({}, source="<test>"), ["parcel_details"]))
        land_lots = run.stats["parcel_details"]["land_lots"]
    assert f"Số lô là đất: {land_lots}" in text
    counts = Counter(f.status for f in open_findings(demo.url) if f.detector == "parcel_details")
    assert f"parcel_details: {counts['flag']} cảnh báo, {counts['insufficient']} chưa đủ dữ liệu" in text
    assert images(nb) >= 3


def test_review_notebook_records_verdicts_and_shows_their_effect(demo, tmp_path):
    url = copy_db(demo.url, tmp_path / "review.sqlite")
    ranked = sorted((f for f in open_findings(url) if f.rule == "anomaly_rank"), key=lambda f: f.evidence["rank"])
    verdicts = [{"finding_id": ranked[0].id, "verdict": "confirmed", "note": "kiểm tra trong CI"},
                {"finding_id": ranked[-1].id, "verdict": "false_positive", "note": "kiểm tra trong CI"}]
    nb = execute("05_danh_gia_phat_hien.ipynb", {"DB_URL": url, "WRITE_VERDICTS": True, "VERDICTS": verdicts,
                                                 "REVIEWER": "CI"})
    text = printed(nb)
    with session_scope(url) as s:
        stored = [(r.finding_id, r.verdict, r.reviewer) for r in s.scalars(select(Review).order_by(Review.id))]
    assert stored == [(v["finding_id"], v["verdict"], "CI") for v in verdicts]
    assert "Đã ghi 2 kết luận." in text
    assert re.search(r"collusion\.anomaly_rank: 2/\d+ đã đánh giá, 1 xác nhận, 1 báo động sai, độ chính xác 50%", text)
    for threshold in (5, 10, 15, 20):
        kept = sum(1 for f in ranked if f.evidence["rank"] <= threshold)
        assert f"Ngưỡng rank <= {threshold}: {kept} vẫn cảnh báo, {len(ranked) - kept} bị loại" in text
    top_n = 10
    assert f"dropped: {len(ranked) - sum(1 for f in ranked if f.evidence['rank'] <= top_n)}" in text
    assert images(nb) >= 2

