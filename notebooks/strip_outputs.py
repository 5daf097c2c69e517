"""Strip outputs and execution counts from the analyst notebooks, so the repository never holds portal data
rendered by a run.

    python notebooks/strip_outputs.py            # strip every notebook in this folder, in place
    python notebooks/strip_outputs.py --check    # exit 1 and name the notebooks that still have outputs
    python notebooks/strip_outputs.py FILE ...   # only these notebooks
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
RUN_METADATA = ("execution", "collapsed", "scrolled", "ExecuteTime")


def dirty_cells(nb: nbformat.NotebookNode) -> list[int]:
    """Indexes of code cells that carry outputs, an execution count or run metadata."""
    return [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code" and (
        cell.get("outputs") or cell.get("execution_count") is not None
        or any(key in cell.get("metadata", {}) for key in RUN_METADATA))]


def strip(nb: nbformat.NotebookNode) -> bool:
    """Remove outputs, execution counts and run metadata in place; True when anything changed."""
    changed = False
    for i in dirty_cells(nb):
        cell = nb.cells[i]
        cell.outputs = []
        cell.execution_count = None
        for key in RUN_METADATA:
            cell.metadata.pop(key, None)
        changed = True
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="notebooks (default: every *.ipynb next to this script)")
    parser.add_argument("--check", action="store_true", help="only report; exit 1 when a notebook has outputs")
    args = parser.parse_args(argv)
    files = args.files or sorted(HERE.glob("*.ipynb"))
    dirty = []
    for path in files:
        nb = nbformat.read(path, as_version=4)
        if args.check:
            if dirty_cells(nb):
                dirty.append(path)
        elif strip(nb):
            nbformat.write(nb, path)
            print(f"stripped {path}")
    for path in dirty:
        print(f"{path}: has outputs or execution counts (run python notebooks/strip_outputs.py)", file=sys.stderr)
    return 1 if dirty else 0


if __name__ == "__main__":
    sys.exit(main())
