"""The code's layers hold (README, "How the code is laid out"): entry points → services → photos/geo → db.

Read from the source with ``ast`` (nothing is imported), every import counted, those inside functions and under
``TYPE_CHECKING`` too: a lazy import is still a dependency, only hidden.
"""

import ast
import os
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Every top-level package or module of the application and its layer: a module may import its own layer and
# those below (higher numbers), never one above.
LAYERS = {
    # entry points: they read a request (a page, a route, a command, a queue) and call the services
    "app": 0,
    "cli": 0,
    "api": 0,
    "callbacks": 0,
    "layouts": 0,
    "federation": 0,
    "notify": 0,
    "headless": 0,
    "loopback": 0,
    "gunicorn.conf": 0,
    "services": 1,
    "photos": 2,
    "geo": 2,
    "db": 3,
    "i18n": 4,
    "settings": 5,
}
# Not the application: they may import any of it, and it imports none of them.
OUTSIDE = {"tests", "bench", "scripts"}
SKIPPED_DIRS = {".venv", "var", ".git", "node_modules", "test-artifacts", "__pycache__", "migrations"}


def _modules() -> dict[str, Path]:
    """Every first-party module by dotted name (packages by their own name), Alembic's migrations left out."""
    found = {}
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
        for name in files:
            if name.endswith(".py"):
                path = Path(folder, name)
                parts = path.relative_to(ROOT).with_suffix("").parts
                dotted = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
                found[dotted] = path
    return found


MODULES = _modules()


def _top(module: str) -> str:
    return "gunicorn.conf" if module == "gunicorn.conf" else module.split(".")[0]


def _imports(module: str, path: Path) -> Iterator[tuple[int, str]]:
    """(line, first-party module imported) for every import in ``module``; ``from pkg import sub`` names ``pkg.sub``."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        for name in names:
            if _top(name) in LAYERS or _top(name) in OUTSIDE:
                yield node.lineno, name


# What the application imports (tests, benchmarks and scripts may import anything: not read).
IMPORTS = sorted(
    {(m, line, i) for m, path in MODULES.items() if _top(m) not in OUTSIDE for line, i in _imports(m, path)}
)
# Imports from one top-level package or module to another.
EDGES = [(module, line, imported) for module, line, imported in IMPORTS if _top(imported) != _top(module)]


def _where(module: str, line: int) -> str:
    return f"{MODULES[module].relative_to(ROOT)}:{line}"


def test_every_top_level_package_has_a_layer() -> None:
    assert {_top(m) for m in MODULES} - LAYERS.keys() - OUTSIDE == set(), "place the new package in LAYERS"
    assert len(EDGES) > 100  # the parse found the imports


def test_no_module_imports_a_higher_layer() -> None:
    offenders = [
        f"{_where(module, line)}: {module} imports {imported}"
        for module, line, imported in EDGES
        if _top(module) in LAYERS and (_top(imported) in OUTSIDE or LAYERS[_top(imported)] < LAYERS[_top(module)])
    ]
    assert not offenders, "\n".join(offenders)


def _internal_edges(top: str) -> list[tuple[str, int, str]]:
    """Imports from one module of ``top`` to another of it."""
    return [(m, line, i) for m, line, i in IMPORTS if _top(m) == top == _top(i) and i != m]


def test_geo_takes_from_db_only_records_that_import_nothing_else_of_db() -> None:
    """geo is pure functions: of db it may read the status machine and the map records, never a query."""
    within_db = {module for module, _line, imported in _internal_edges("db")}
    offenders = [
        f"{_where(module, line)}: {module} imports {imported}"
        for module, line, imported in EDGES
        if _top(module) == "geo" and _top(imported) == "db" and (imported == "db" or imported in within_db)
    ]
    assert not offenders, "\n".join(offenders)


def test_no_import_cycle_between_packages() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for module, _line, imported in EDGES:
        if _top(module) in LAYERS:
            graph[_top(module)].add(_top(imported))
    cycles = []
    state: dict[str, str] = {}  # "open" while on the current path, "done" after

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(" → ".join([*path[path.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = "done"

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    steps = {(a, b) for cycle in cycles for a, b in zip(cycle.split(" → "), cycle.split(" → ")[1:], strict=False)}
    where = [f"{_where(m, line)}: {m} imports {i}" for m, line, i in EDGES if (_top(m), _top(i)) in steps]
    assert not cycles, "\n".join([*cycles, *where])
