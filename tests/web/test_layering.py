"""The review site is the top of the stack: nothing in crawler/, storage/, detectors/ or alerts/ imports it."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_no_lower_layer_imports_the_web_package():
    offenders = []
    for package in ("crawler", "storage", "detectors", "alerts"):
        for path in (REPO / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                    [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                if any(n == "service.web" or n.startswith("service.web.") for n in names):
                    offenders.append(str(path.relative_to(REPO)))
    assert offenders == []
