"""The shape of the code, checked: small modules and functions, and one writer of the event-log head."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _modules(*packages: str) -> list[Path]:
    return sorted(p for package in packages for p in (ROOT / package).rglob("*.py"))


def test_no_module_of_the_portal_is_over_400_lines() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in _modules("portal")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_function_outside_the_tests_is_over_60_lines() -> None:
    long = {}
    for path in _modules("portal", "engine", "tasks"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(ROOT)}:{node.name}"] = lines
    assert long == {}


def _functions_naming(name: str) -> set[str]:
    """Every function of portal/ (outside models and migrations) whose code mentions `name`."""
    found = set()
    for path in _modules("portal"):
        if "migrations" in path.parts or path.name == "models.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            mentions = any(
                (isinstance(n, ast.Attribute) and n.attr == name) or (isinstance(n, ast.Constant) and n.value == name)
                for n in ast.walk(node)
            )
            if mentions and not any(
                isinstance(inner, ast.FunctionDef) and inner is not node and _mentions(inner, name)
                for inner in ast.walk(node)
            ):
                found.add(f"{path.relative_to(ROOT).with_suffix('')}.{node.name}".replace("/", "."))
    return found


def _mentions(node: ast.AST, name: str) -> bool:
    return any(
        (isinstance(n, ast.Attribute) and n.attr == name) or (isinstance(n, ast.Constant) and n.value == name)
        for n in ast.walk(node)
    )


def test_the_event_log_head_is_moved_in_one_function_and_saved_in_one_function() -> None:
    # Moved in memory by the event writer, read back by the chain check, saved by the command's exit.
    assert _functions_naming("last_event_hash") == {
        "portal.workflow.events._append",
        "portal.workflow.events.chain_verify",
        "portal.workflow.commands._save",
        "portal.workflow.commands.__post_init__",
    }
    saved_by = {f for f in _functions_naming("last_event_seq") if "events" not in f}
    assert saved_by == {"portal.workflow.commands._save", "portal.workflow.commands.__post_init__"}
