"""The committed analyst notebooks: outputs stripped, parameters in a tagged first code cell, Vietnamese
narrative, data read through ``analysis`` (no SQL in cells), and portal text never rendered as raw HTML."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
EXPECTED = ["01_tong_quan.ipynb", "02_chu_tai_san_va_to_chuc.ipynb", "03_dong_thoi_gian_thong_bao.ipynb",
            "04_thong_tin_thua_dat.ipynb", "05_danh_gia_phat_hien.ipynb"]
VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)
SQL = re.compile(r"\b(SELECT\s+.+\s+FROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b"
                 r"|(?<![.\w])text\(|\.execute\(", re.IGNORECASE)
RAW_HTML = re.compile(r"escape\s*=\s*False|IPython\.display\s+import\s+[^\n]*\bHTML\b|display\.HTML|\bHTML\(|"
                      r"Markdown\(|unsafe_allow_html|\.to_html\(")


def load(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOK_DIR / name, as_version=4)


def code_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "code"]


def test_every_notebook_is_there():
    assert sorted(p.name for p in NOTEBOOK_DIR.glob("*.ipynb")) == EXPECTED


@pytest.mark.parametrize("name", EXPECTED)
def test_outputs_and_execution_counts_are_stripped(name):
    for cell in code_cells(load(name)):
        assert cell.outputs == [] and cell.execution_count is None, f"{name}: run notebooks/strip_outputs.py"


def test_strip_outputs_check_passes_on_the_committed_notebooks():
    done = subprocess.run([sys.executable, str(NOTEBOOK_DIR / "strip_outputs.py"), "--check"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_strip_outputs_removes_outputs_and_check_reports_them(tmp_path):
    nb = load(EXPECTED[0])
    cell = code_cells(nb)[1]
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="Cơ sở dữ liệu: …")]
    cell.execution_count = 3
    cell.metadata["execution"] = {"iopub.status.busy": "2026-07-02T12:00:00Z"}
    path = tmp_path / "dirty.ipynb"
    nbformat.write(nb, path)
    script = str(NOTEBOOK_DIR / "strip_outputs.py")
    check = subprocess.run([sys.executable, script, "--check", str(path)], capture_output=True, text=True, timeout=60)
    assert check.returncode == 1 and "dirty.ipynb" in check.stderr
    subprocess.run([sys.executable, script, str(path)], check=True, capture_output=True, timeout=60)
    cleaned = code_cells(nbformat.read(path, as_version=4))[1]
    assert cleaned.outputs == [] and cleaned.execution_count is None and "execution" not in cleaned.metadata
    assert subprocess.run([sys.executable, script, "--check", str(path)], timeout=60).returncode == 0


@pytest.mark.parametrize("name", EXPECTED)
def test_parameters_come_first_tagged_with_the_database_default(name):
    nb = load(name)
    first = code_cells(nb)[0]
    assert "parameters" in first.metadata.get("tags", [])
    assert not any("parameters" in c.metadata.get("tags", []) for c in code_cells(nb)[1:])
    assert 'os.environ.get("AUCTION_MONITOR_DB", "sqlite:///demo-output/demo.sqlite")' in first.source
    # plain assignments of literals, so a runner can replace the cell
    for node in ast.parse(first.source).body:
        assert isinstance(node, (ast.Import, ast.Assign)), ast.dump(node)


@pytest.mark.parametrize("name", EXPECTED)
def test_narrative_is_vietnamese_markdown(name):
    nb = load(name)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert len(markdown) >= 4
    assert all(VIETNAMESE.search(text) for text in markdown)


@pytest.mark.parametrize("name", EXPECTED)
def test_cells_read_through_the_helpers_without_sql_or_raw_html(name):
    nb = load(name)
    source = "\n".join(c.source for c in code_cells(nb))
    assert "from analysis import" in source
    assert not SQL.search(source)
    assert not RAW_HTML.search(source)
    assert "sqlalchemy" not in source and "sqlite3" not in source


def test_review_notebook_writes_only_when_asked():
    first = code_cells(load("05_danh_gia_phat_hien.ipynb"))[0]
    assert re.search(r"^WRITE_VERDICTS = False$", first.source, re.MULTILINE)
    body = "\n".join(c.source for c in code_cells(load("05_danh_gia_phat_hien.ipynb"))[1:])
    assert "if WRITE_VERDICTS and VERDICTS:" in body
