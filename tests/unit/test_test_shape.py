"""The tests keep one shape: fixtures come from the plugins tests/conftest.py registers, helpers from helper
modules, never from another test file or from the benchmarks."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from _pytest.fixtures import FixtureFunctionDefinition

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every ``import``/``from … import`` anywhere in the file."""
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((a.name, []) for a in node.names)
    return found


def _python_files() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if "__pycache__" not in p.parts)


def test_no_test_file_imports_another_test_file_or_the_benchmarks() -> None:
    wrong = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in _python_files()
        for module, _ in _imports(path)
        if module == "bench" or module.startswith("bench.") or module.rsplit(".", 1)[-1].startswith("test_")
    ]
    assert not wrong, wrong


def test_no_fixture_is_imported_across_files() -> None:
    """Importing a fixture hides where it comes from and breaks when renamed; pytest finds it by name."""
    wrong = []
    for path in _python_files():
        for module, names in _imports(path):
            if not module.startswith("tests."):
                continue
            source = importlib.import_module(module)
            wrong += [
                f"{path.relative_to(ROOT)}: {module}.{n}"
                for n in names
                if isinstance(getattr(source, n, None), FixtureFunctionDefinition)
            ]
    assert not wrong, wrong


def test_the_shape_checks_see_a_fixture_import() -> None:
    """The check above recognises a fixture when it meets one (so its silence means something)."""
    staff = importlib.import_module("tests.integration.staff")
    assert isinstance(staff.accounts, FixtureFunctionDefinition)
