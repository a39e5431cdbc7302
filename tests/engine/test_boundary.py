"""engine/ stays plain Python: it never imports Django, DRF or Celery, statically or at run time."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "engine"
FORBIDDEN = frozenset({"django", "rest_framework", "celery"})


def _forbidden_imports(source: str, filename: str) -> list[str]:
    """`file:line module` for every import of a forbidden package, including dynamic ones."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                modules = [node.args[0].value]
        found += [f"{filename}:{node.lineno} {m}" for m in modules if m.split(".")[0] in FORBIDDEN]
    return found


def test_the_import_scanner_recognises_every_form_of_import() -> None:
    # given sources importing the forbidden packages in the ways Python allows
    source = (
        "import django\n"
        "from rest_framework import serializers\n"
        "import celery.app as c\n"
        "def f():\n"
        "    from django.db import models\n"
        "    importlib.import_module('celery')\n"
        "    __import__('rest_framework.views')\n"
        "import djangoish, json\n"
        "from . import django\n"
    )

    # when scanned
    found = _forbidden_imports(source, "x.py")

    # then each real import is reported with its line, and look-alikes are not
    assert [f.split(" ", 1)[0] for f in found] == ["x.py:1", "x.py:2", "x.py:3", "x.py:5", "x.py:6", "x.py:7"]


def test_no_engine_module_imports_django_drf_or_celery() -> None:
    # given every module of the engine package
    files = sorted(ENGINE.glob("*.py"))
    assert len(files) >= 10, "engine/ modules not found"

    # when their syntax trees are searched for imports
    found = [hit for path in files for hit in _forbidden_imports(path.read_text("utf-8"), path.name)]

    # then there is none
    assert found == []


def test_importing_and_using_the_engine_loads_none_of_them() -> None:
    # given a fresh interpreter that imports the engine and exercises lint, load, run and save
    script = """
import json, sys
from datetime import UTC, datetime
from pathlib import Path
import engine
source = Path("processes/sktm.bpmn").read_bytes()
engine.lint(source, "sktm.bpmn", library=engine.Library.from_directory("processes"))
definition = engine.load_definition(source, "sktm.bpmn", library=engine.Library.from_directory("processes"))
stored = engine.definition_from_dict(json.loads(json.dumps(engine.definition_to_dict(definition))))
now = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
data = engine.validate_start_data(stored, {"keperluan": "Beasiswa"})
instance = engine.Instance.start(stored, {**data, "applicant": {}}, now=now)
engine.Instance.restore(stored, instance.dump()).fire_due_timers(now=now)
print(json.dumps(sorted(sys.modules)))
"""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}

    # when it runs, with no Django settings in its environment
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )

    # then it succeeded, the engine and SpiffWorkflow are loaded, and no forbidden package is
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert {"engine", "engine.runtime", "SpiffWorkflow"} <= loaded
    assert sorted(m for m in loaded if m.split(".")[0] in FORBIDDEN) == []
