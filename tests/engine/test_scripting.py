"""Diagram code (scripts, conditions, timer expressions) runs restricted: escapes are refused,
resource bombs stop, ordinary expressions and the clock helpers work."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import engine
from engine.scripting import RestrictedEnvironment, check_source, evaluate
from tests.engine.samples import START_DATA, T0, load, sample, unchecked, with_script

ROOT = Path(__file__).resolve().parents[2]

# (source, mode): each must be refused before it runs
HOSTILE: list[tuple[str, str]] = [
    ("import os", "exec"),
    ("from os import path", "exec"),
    ("__import__('os')", "eval"),
    ("__import__('os').system('id')", "exec"),
    ("().__class__.__bases__[0].__subclasses__()", "eval"),
    ("x.__class__", "eval"),
    ("x.__dict__", "eval"),
    ("now.__globals__", "eval"),
    ("isinstance.__self__", "eval"),
    ("[c for c in ().__class__.__mro__]", "eval"),
    ("(i for i in []).gi_frame", "eval"),
    ("open('/etc/passwd')", "eval"),
    ("data = open('/etc/passwd').read()", "exec"),
    ("eval('1')", "eval"),
    ("exec('x=1')", "exec"),
    ("compile('1', 'f', 'eval')", "eval"),
    ("getattr(x, '__class__')", "eval"),
    ("setattr(x, 'y', 1)", "eval"),
    ("globals()", "eval"),
    ("vars()", "eval"),
    ("dir()", "eval"),
    ("breakpoint()", "eval"),
    ("while True: pass", "exec"),
    ("while x:\n    x = x - 1", "exec"),
    ("type(x)", "eval"),
    ("type(x).__subclasses__(x)", "eval"),
    ("object", "eval"),
    ("'{0.__class__}'.format(x)", "eval"),
    ("'{0.__class__.__mro__}'.format_map({'0': x})", "eval"),
    ("str.format('{0.__class__}', x)", "eval"),
    ("f'{x.__class__}'", "eval"),
    ("(lambda: 1)()", "eval"),
    ("__builtins__", "eval"),
    ("_getattr_(x, 'real')", "eval"),
    ("try:\n    y = 1\nexcept:\n    y = 2", "exec"),
    ("try:\n    y = 1\nfinally:\n    y = 2", "exec"),
    ("async def f():\n    pass", "exec"),
    ("class K:\n    pass", "exec"),
]


@pytest.mark.parametrize(("source", "mode"), HOSTILE, ids=[s for s, _ in HOSTILE])
def test_hostile_code_is_refused_by_the_static_check(source: str, mode: str) -> None:
    # given code trying to escape the sandbox
    # when checked
    reasons = check_source(source, mode)

    # then there is at least one reason, each a short line
    assert reasons
    assert all(isinstance(r, str) and r for r in reasons)


@pytest.mark.parametrize(("source", "mode"), HOSTILE, ids=[s for s, _ in HOSTILE])
def test_hostile_code_never_runs(source: str, mode: str) -> None:
    # given a context with a value to poke at
    context: dict[str, Any] = {"x": 3}

    # when the code is evaluated or executed the way the engine does
    with pytest.raises(engine.ScriptError) as raised:
        if mode == "eval":
            evaluate(source, context)
        else:
            RestrictedEnvironment().execute(source, context)

    # then it was refused before running: nothing changed
    assert str(raised.value).startswith("refused: ")
    assert context == {"x": 3}


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("d = {}\nd.a = 1", AttributeError),  # attribute writes are guarded
        ("r = range(10 ** 6)", ValueError),  # range() is bounded
        ("y = x['missing']", KeyError),
        ("y = 1 / 0", ZeroDivisionError),
    ],
)
def test_things_that_pass_the_check_fail_safely_at_run_time(source: str, error: type[Exception]) -> None:
    context: dict[str, Any] = {"x": {}}
    assert check_source(source, "exec") == []
    with pytest.raises(error):
        RestrictedEnvironment().execute(source, context)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("1 + 2 * 3 - 4 / 2", 5.0),
        ("7 // 2 + 7 % 2 + 2 ** 10", 1028),
        ("divmod(17, 5)", (3, 2)),
        ("data['a'][1] + data['b']['c']", 22),
        ("data.get('zz', 'none')", "none"),
        ("[v * 2 for v in data['a'] if v > 1]", [4, 6]),
        ("{k: len(k) for k in ['ab', 'c']}", {"ab": 2, "c": 1}),
        ("sorted(data['a'], reverse=True)[0] + max(data['a']) + sum(data['a'])", 12),
        ("len(nama) > 3 and nama.upper() == 'SITI AMINAH'", True),
        ("f'{n:03d}-{nama[:4]}'", "007-Siti"),
        ("'%s/%d' % ('KEC', n)", "KEC/7"),
        ("isinstance(n, int) and n in [7, 8] and not (n < 0)", True),
        ("'lengkap' if n > 5 else 'tidak'", "lengkap"),
        ("[1, 2] * 3", [1, 2, 1, 2, 1, 2]),
        ("2 ** 64", 2**64),
        ("1 << 40", 1 << 40),
    ],
)
def test_ordinary_expressions_work(expression: str, expected: Any) -> None:
    context = {"data": {"a": [1, 2, 3], "b": {"c": 20}}, "nama": "Siti Aminah", "n": 7}
    assert check_source(expression, "eval") == []
    assert evaluate(expression, context) == expected


def test_a_script_sets_data_and_keeps_no_helpers_or_functions() -> None:
    # given data and a script using assignment, augmented assignment, unpacking and a function
    context: dict[str, Any] = {"jumlah": 3}
    script = (
        "def dobel(v):\n    return v * 2\n"
        "total = dobel(jumlah)\ntotal += 1\na, b = total, [jumlah]\n"
        "try:\n    angka = int('x')\nexcept ValueError:\n    angka = 0\n"
    )

    # when executed
    RestrictedEnvironment().execute(script, context)

    # then the new values are in the data, and neither the function nor any helper leaked in
    assert context == {"jumlah": 3, "total": 7, "a": 7, "b": [3], "angka": 0}


def test_now_and_today_are_the_engine_clock_time() -> None:
    # given a command time late in the UTC day
    moment = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)

    # when the helpers are evaluated inside it
    with engine.frozen_at(moment):
        now = evaluate("now()", {})
        today = evaluate("today()", {})
        later = evaluate("iso(now() + days(2) + hours(3))", {})
        in_utc = evaluate("now().tzinfo == timezone()", {})

    # then they read the frozen time, not the wall clock
    assert now == moment
    assert today == date(2026, 3, 2)  # 07:30 WITA on the 2nd: "today" is the office's date
    assert later == "2026-03-04T02:30:00+00:00"
    assert in_utc is True


def test_the_clock_is_frozen_in_utc_whatever_offset_it_was_given() -> None:
    wita = timezone(timedelta(hours=8))
    with engine.frozen_at(datetime(2026, 3, 2, 8, 30, tzinfo=wita)):
        assert evaluate("now()", {}) == datetime(2026, 3, 2, 0, 30, tzinfo=UTC)
        assert evaluate("now()", {}).utcoffset() == timedelta(0)


def test_outside_a_command_now_is_the_wall_clock() -> None:
    before = datetime.now(UTC)
    value = evaluate("now()", {})
    assert before <= value <= datetime.now(UTC)


def test_frozen_at_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="naive"), engine.frozen_at(datetime(2026, 3, 2, 8, 30)):
        pass


def test_data_may_not_shadow_helpers_or_guards() -> None:
    with pytest.raises(engine.ScriptError, match="reserved names: now"):
        evaluate("1", {"now": "x"})
    with pytest.raises(engine.ScriptError, match="reserved"):
        RestrictedEnvironment().execute("y = 1", {"_getattr_": None})


# --- resource bombs: each runs in a child process so a regression fails instead of hanging ----

BOMBS = {
    "huge power": ("eval", "10 ** 10 ** 10", "the power would be too large"),
    "huge string": ("eval", "'a' * 10 ** 10", "the repeated sequence would be too large"),
    "huge list": ("eval", "[0] * (10 ** 9)", "the repeated sequence would be too large"),
    "huge list in place": ("exec", "x = [1]\nx *= 10 ** 9", "the repeated sequence would be too large"),
    "huge shift": ("eval", "1 << 10 ** 9", "the shifted number would be too large"),
    "huge product": ("eval", "(2 ** 50000) * (2 ** 50000)", "the product would be too large"),
    "nested loops": (
        "exec",
        "for i in range(10000):\n    for j in range(10000):\n        for k in range(10000):\n            x = 1",
        "runs too long",
    ),
    "comprehension": ("eval", "[1 for a in range(10000) for b in range(10000)]", "runs too long"),
    "exponential recursion": (
        "exec",
        "def f(n):\n    for i in range(10):\n        if n < 40:\n            f(n + 1)\nf(0)",
        "runs too long",
    ),
    "named except cannot swallow the stop": (
        "exec",
        "try:\n    for i in range(10000):\n        for j in range(10000):\n            k = 1\n"
        "except ValueError:\n    k = 2\nfor i in range(10000):\n    for j in range(10000):\n        k = 3",
        "runs too long",
    ),
}

_CHILD = """
import json, sys
from engine.scripting import RestrictedEnvironment, evaluate
mode, source = sys.argv[1], sys.argv[2]
try:
    if mode == "eval":
        evaluate(source, {})
    else:
        RestrictedEnvironment().execute(source, {})
    print(json.dumps(["finished", ""]))
except Exception as exc:
    print(json.dumps([type(exc).__name__, str(exc)]))
"""


def _in_child(code: str, *args: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return list(json.loads(result.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("name", list(BOMBS))
def test_resource_bombs_are_stopped(name: str) -> None:
    # given code that would hang the worker or exhaust its memory
    mode, source, phrase = BOMBS[name]

    # when it runs (in a child, with a generous limit as a safety net)
    kind, message = _in_child(_CHILD, mode, source)

    # then it stopped with a clear error instead of finishing
    assert kind in ("ValueError", "ScriptError"), (kind, message)
    assert phrase in message


def test_lint_of_a_timer_bomb_gives_a_verdict() -> None:
    # given a diagram whose timer expression would compute a number with 10^10 digits
    code = """
import json
import engine
from tests.engine.samples import FILENAME, with_timer
problems = engine.lint(with_timer('"P" + str(10 ** 10 ** 10) + "D"'), FILENAME)
print(json.dumps([str(p) for p in problems]))
"""
    # when linted
    lines = _in_child(code)

    # then lint answers with a located error
    assert lines == [
        "layanan-uji.bpmn:Timer_Eskalasi: timer expression does not evaluate: ValueError: the power would be too large"
    ]


# --- through the workflow engine -------------------------------------------------------------------


def _run_to_script(definition: engine.Definition) -> engine.Instance:
    """Start and pass the counter, so completing the camat's task next runs Script_Catat."""
    instance = engine.Instance.start(definition, dict(START_DATA), now=T0)
    (counter,) = instance.ready_human_tasks()
    instance.complete_human_task(counter.guid, {"hasil": "lengkap"}, now=T0)
    return instance


def test_a_benign_script_task_sets_data() -> None:
    # given the template, whose script sets dicatat and doubles jumlah
    instance = _run_to_script(load())
    (camat,) = instance.ready_human_tasks()

    # when the task before the script is completed
    instance.complete_human_task(camat.guid, {"setuju": True}, now=T0 + timedelta(hours=1))

    # then the script ran and the process finished with its values
    assert instance.status is engine.InstanceStatus.COMPLETED
    assert instance.data["dicatat"] is True
    assert instance.data["total"] == 2 * START_DATA["jumlah"]
    assert instance.end_event() == ("EndEvent_Selesai", "Selesai")


@pytest.mark.parametrize(
    "script",
    [
        "import os",
        "x = ().__class__.__bases__[0].__subclasses__()",
        "bocor = open('/etc/passwd').read()",
        "bocor = '{0.__class__}'.format(keperluan)",
        "bocor = getattr(keperluan, '__class__')",
        "while True:\n    pass",
    ],
)
def test_a_hostile_script_that_skipped_lint_fails_at_its_element(script: str) -> None:
    # given a definition built without lint (as if stored before a rule existed)
    assert engine.errors_of(engine.lint(with_script(script), "layanan-uji.bpmn"))
    instance = _run_to_script(unchecked(with_script(script)))
    (camat,) = instance.ready_human_tasks()

    # when the script task is reached
    with pytest.raises(engine.ScriptError) as raised:
        instance.complete_human_task(camat.guid, {"setuju": True}, now=T0)

    # then it fails, located at the script task, refused before running, and set nothing
    assert raised.value.element_id == "Script_Catat"
    assert "refused" in str(raised.value)
    assert instance.status is engine.InstanceStatus.RUNNING
    assert "bocor" not in instance.data and "x" not in instance.data


def test_a_script_failing_at_run_time_is_an_execution_error() -> None:
    instance = _run_to_script(load(with_script("total = jumlah / 0")))
    (camat,) = instance.ready_human_tasks()
    with pytest.raises(engine.ExecutionError) as raised:
        instance.complete_human_task(camat.guid, {"setuju": True}, now=T0)
    assert raised.value.element_id == "Script_Catat"
    assert "ZeroDivisionError" in str(raised.value)


def test_a_hostile_condition_that_skipped_lint_fails() -> None:
    # given a gateway condition poking at internals, in a definition built without lint
    source = sample(('hasil == "lengkap"', "hasil.__class__.__name__ == 'str'"))
    instance = engine.Instance.start(unchecked(source), dict(START_DATA), now=T0)
    (counter,) = instance.ready_human_tasks()

    # when the gateway evaluates it
    with pytest.raises(engine.ScriptError) as raised:
        instance.complete_human_task(counter.guid, {"hasil": "lengkap"}, now=T0)

    # then it was refused by the sandbox, saying why, and the camat never got the task
    assert str(raised.value).startswith("refused: ") and "__class__" in str(raised.value)
    assert "Task_Setujui" not in [h.bpmn_id for h in instance.ready_human_tasks()]
