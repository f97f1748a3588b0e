"""JavaScript lives in assets/, never in Python strings: every clientside callback names a function an asset
defines (``ClientsideFunction(namespace, name)``), so the browser's code is read, linted and cached as files."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ASSETS = {path.name: path.read_text() for path in ROOT.glob("assets/*.js")}


def _clientside_calls() -> list[tuple[str, ast.Call]]:
    calls = []
    for path in sorted([*ROOT.glob("callbacks/*.py"), *ROOT.glob("layouts/*.py"), ROOT / "app.py"]):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name == "clientside_callback":
                calls.append((f"{path.relative_to(ROOT)}:{node.lineno}", node))
    return calls


def _defines(namespace: str, function: str) -> bool:
    """Whether an asset defines ``window.dash_clientside.<namespace>.<function>`` (as the assets do)."""
    return any(
        re.search(rf"\b{namespace}\s*:|\.{namespace}\s*=", text) and re.search(rf"\b{function}\s*:", text)
        for text in ASSETS.values()
    )


def test_every_clientside_callback_names_an_asset_function() -> None:
    calls = _clientside_calls()
    assert len(calls) > 10  # the parse found the pages' callbacks
    offenders = []
    for where, call in calls:
        first = call.args[0] if call.args else None
        named = (
            isinstance(first, ast.Call)
            and isinstance(first.func, ast.Name)
            and first.func.id == "ClientsideFunction"
            and len(first.args) == 2
            and all(isinstance(arg, ast.Constant) and isinstance(arg.value, str) for arg in first.args)
        )
        if not named:
            offenders.append(f"{where}: the first argument is not ClientsideFunction('namespace', 'name')")
            continue
        namespace, function = (arg.value for arg in first.args)  # type: ignore[union-attr]
        if not _defines(namespace, function):
            offenders.append(f"{where}: no asset defines {namespace}.{function}")
    assert not offenders, offenders
