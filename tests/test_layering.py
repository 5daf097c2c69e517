"""The layers point one way (README "How it works"): every import of every module, at module level or inside a
function, is read from its source (ast) and checked against the layer order."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# What each layer may import besides itself. analysis/ sits beside alerts/: above the detectors it calls.
MAY_IMPORT: dict[str, frozenset[str]] = {
    "vntext": frozenset(),
    "storage": frozenset({"vntext"}),
    "crawler": frozenset({"vntext", "storage"}),
    "detectors": frozenset({"vntext", "storage", "crawler"}),
    "alerts": frozenset({"vntext", "storage", "crawler", "detectors"}),
    "analysis": frozenset({"vntext", "storage", "crawler", "detectors"}),
    "service": frozenset({"vntext", "storage", "crawler", "detectors", "alerts", "analysis"}),
}
LAYERS = tuple(MAY_IMPORT)


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {_module_name(p): p for layer in LAYERS for p in (REPO / layer).rglob("*.py")}


def _imports(name: str, path: Path) -> list[tuple[str, int, bool]]:
    """(imported module, line, at module level) for every import in the file, relative ones resolved; ``from
    package import submodule`` counts as importing the submodule."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(node) for node in tree.body}
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[str, int, bool]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno, id(node) in top_level) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.append((sub if sub in MODULES else base, node.lineno, id(node) in top_level))
    return found


def test_every_layer_is_a_package_of_the_repository() -> None:
    assert all((REPO / layer / "__init__.py").is_file() for layer in LAYERS)


def test_no_module_imports_a_layer_above_its_own() -> None:
    offenders = []
    for name, path in sorted(MODULES.items()):
        layer = name.split(".")[0]
        for imported, line, _ in _imports(name, path):
            target = imported.split(".")[0]
            if target in MAY_IMPORT and target != layer and target not in MAY_IMPORT[layer]:
                offenders.append(f"{path.relative_to(REPO)}:{line} ({layer}) imports {imported}")
    assert offenders == []


def test_only_the_service_layer_imports_the_service_layer() -> None:
    """The CLI is the entry point: nothing below it reaches up into service/ (its config, its review site)."""
    offenders = [f"{path.relative_to(REPO)}:{line} imports {imported}"
                 for name, path in sorted(MODULES.items()) if not name.startswith("service")
                 for imported, line, _ in _imports(name, path) if imported.split(".")[0] == "service"]
    assert offenders == []


def test_no_import_cycle() -> None:
    graph = {name: {imported for imported, _, _ in _imports(name, path) if imported in MODULES and imported != name}
             for name, path in MODULES.items()}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert cycles == []


def test_scikit_learn_is_imported_only_where_the_anomaly_ranking_runs() -> None:
    """scikit-learn takes seconds to import: only the anomaly ranking loads it, and only when it ranks."""
    found = [(name, line, top) for name, path in MODULES.items()
             for imported, line, top in _imports(name, path) if imported.split(".")[0] == "sklearn"]
    assert found and all(name == "detectors.collusion.anomaly" and not top for name, _, top in found), found


def test_the_checks_see_imports_inside_functions() -> None:
    """The cases above rely on function-level imports being read too (the crawler's ingest imports lazily)."""
    inside = [imported for imported, _, top in _imports("crawler.ingest", MODULES["crawler.ingest"]) if not top]
    assert "vntext.names" in inside
