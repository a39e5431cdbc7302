"""`manage.py process_lint` over the BPMN MIWG corpus: 789 files from 35 modelling tools.

None of them is a PATEN service, so nearly all get errors; what matters is that every file gets
exactly one verdict (an ok line or located problem lines), the command never crashes, and it
exits 0 or 1.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(ROOT).parent / "shared" / "external" / "bpmn-miwg"
BATCH = 200


def _python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def _verdict(path: str, lines: list[str]) -> str:
    """'ok', 'errors' or 'warnings' for one file from the command's output lines about it."""
    mine = [line[len(path) + 1 :] for line in lines if line.startswith(f"{path}:")]
    assert mine, f"no verdict for {path}"
    if mine == [" ok"]:
        return "ok"
    assert " ok" not in mine, f"{path} is both ok and has problems: {mine}"
    for rest in mine:
        element, sep, message = rest.partition(": ")
        assert sep and element and " " not in element and message, f"not FILE:ELEMENT: message -> {path}:{rest}"
    return "errors" if any(not m.partition(": ")[2].startswith("warning: ") for m in mine) else "warnings"


@pytest.mark.slow
def test_process_lint_gives_every_corpus_file_one_verdict() -> None:
    # given every .bpmn of the corpus (skipped when it is not checked out next to the repository)
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    files = sorted(str(p) for p in CORPUS.rglob("*.bpmn"))
    assert files, "corpus holds no .bpmn file"

    # when process_lint runs over them in a few batches
    verdicts: Counter[str] = Counter()
    started = time.perf_counter()
    for i in range(0, len(files), BATCH):
        batch = files[i : i + BATCH]
        result = subprocess.run(
            [_python(), "manage.py", "process_lint", *batch],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )

        # then it exits 0 or 1 without a traceback, and each file has exactly one verdict
        assert result.returncode in (0, 1), result.stderr[-2000:]
        assert "Traceback" not in result.stdout and "Traceback" not in result.stderr, result.stderr[-2000:]
        lines = result.stdout.splitlines()
        for line in lines:
            assert any(line.startswith(f"{f}:") for f in batch), f"line about no file of the batch: {line}"
        for path in batch:
            verdicts[_verdict(path, lines)] += 1
        expected_code = 1 if any(_verdict(p, lines) == "errors" for p in batch) else 0
        assert result.returncode == expected_code

    assert sum(verdicts.values()) == len(files)
    print(
        f"\ncorpus: {len(files)} files in {time.perf_counter() - started:.1f} s; "
        f"ok {verdicts['ok']}, with errors {verdicts['errors']}, warnings only {verdicts['warnings']}"
    )
