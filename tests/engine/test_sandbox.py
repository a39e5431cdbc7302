"""Diagram code is bounded by wall-clock time and memory whatever it does, and keeps only storable data.

The attacks are the ones an attack pass found passing the old guard: each grew a worker by
gigabytes or held it for a minute. Here each ends in a ScriptError within its budget while this
process stays small (its resident memory is read from /proc before and after).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

import engine
from engine import sandbox, scripting
from tests.engine.samples import START_DATA, T0, load, sample, unchecked, with_script, with_timer

BUDGET_SECONDS = 1.0
MEMORY_MB = 128


@pytest.fixture(autouse=True)
def small_budget() -> Iterator[None]:
    before = sandbox.limits()
    engine.configure_sandbox(seconds=BUDGET_SECONDS, memory_mb=MEMORY_MB)
    yield
    engine.configure_sandbox(seconds=before.seconds, memory_mb=before.memory_mb, result_bytes=before.result_bytes)
    engine.stop_sandbox()


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


ATTACKS = {
    "ljust": ("eval", "'a'.ljust(10**9)"),
    "format width": ("eval", "f'{0:>1000000000}'"),
    "percent star": ("eval", "'%*s' % (10**9, 'a')"),
    "doubling": ("exec", "s = 'a' * 1000000\nfor i in range(12):\n    s = s + s"),
    "replace": ("exec", "x = 'ab' * 500000\ny = x.replace('a', 'a' * 1000)"),
    "lists of lists": ("eval", "[[0] * 1000000 for i in range(10000)]"),
    "lists of ranges": ("eval", "[list(range(10000)) for i in range(10000)]"),
    "slow loop over a big string": (
        "exec", "s = 'a' * 1000000\nfor i in range(10000):\n    for j in range(50):\n        s.upper()"
    ),
    "one long builtin call": ("exec", "x = list(range(10000)) * 100\nfor i in range(100):\n    x.sort(key=str)"),
}  # fmt: skip


@pytest.mark.parametrize("name", list(ATTACKS))
def test_every_attack_ends_in_a_clear_error_within_its_budget_and_this_process_stays_small(name: str) -> None:
    mode, source = ATTACKS[name]
    assert not sandbox.is_plain(source, mode)
    before = _rss_mb()
    started = time.monotonic()
    with pytest.raises(engine.ScriptError) as raised:
        scripting.evaluate(source, {}) if mode == "eval" else scripting.RestrictedEnvironment().execute(source, {})
    took = time.monotonic() - started
    assert any(word in str(raised.value) for word in ("MB", "runs too long", "too large")), str(raised.value)
    assert took < BUDGET_SECONDS * 1.25 + 1.5  # the budget, the grace, and a fresh child's start
    assert _rss_mb() - before < 20
    # and the next evaluation works, in a fresh child where needed
    assert scripting.evaluate("len('abc') + n", {"n": 1}) == 4


STORABLE_REFUSALS = {
    "x = {1, 2}": "a set",
    "x = (i for i in range(3))": "a generator",
    "x = float('nan')": "not a number",
    "x = 10 ** 20": "an integer beyond",
    "x = {'a': [1, {2}]}": "x['a'][1]: a set",
    "x = {1: 'a'}": "keys are text",
}


@pytest.mark.parametrize("script", list(STORABLE_REFUSALS))
def test_a_script_that_leaves_what_cannot_be_stored_is_refused_by_name(script: str) -> None:
    context: dict[str, Any] = {"keperluan": "Beasiswa"}
    with pytest.raises(engine.ScriptError) as raised:
        scripting.RestrictedEnvironment().execute(script, context)
    assert "cannot keep x" in str(raised.value) and STORABLE_REFUSALS[script] in str(raised.value)
    assert context == {"keperluan": "Beasiswa"}  # nothing kept half-way


def test_storable_values_cross_the_sandbox_unchanged() -> None:
    script = (
        "x = (1, 'a')\ny = [now(), today(), days(2)]\nz = {'$t': 'not a tag', 'n': 2 ** 52}\n"
        "w = 1.5\nv = None\nu = len(keperluan)"
    )
    assert not sandbox.is_plain(script, "exec")
    context: dict[str, Any] = {"keperluan": "Beasiswa"}
    with engine.frozen_at(T0):
        scripting.RestrictedEnvironment().execute(script, context)
    assert context == {
        "keperluan": "Beasiswa", "x": (1, "a"), "y": [T0, date(2026, 3, 2), timedelta(days=2)],
        "z": {"$t": "not a tag", "n": 2**52}, "w": 1.5, "v": None, "u": 8,
    }  # fmt: skip
    assert scripting.evaluate("divmod(n, 5)", {"n": 17}) == (3, 2)
    assert scripting.evaluate("2 ** 64", {}) == 2**64  # a value used, not kept: any size the guards allow


def test_errors_keep_their_kind_across_the_sandbox() -> None:
    with pytest.raises(NameError, match="tarif"):
        scripting.evaluate("len(tarif)", {})
    with pytest.raises(ZeroDivisionError):
        scripting.evaluate("len(x) / 0", {"x": "a"})
    with pytest.raises(KeyError):
        scripting.evaluate("len(d['x'])", {"d": {}})


def test_plain_conditions_and_bounded_helpers_never_leave_this_process() -> None:
    engine.stop_sandbox()
    for source in ('hasil == "lengkap"', 'authority["status"] == "forwarded"', '"PT2H"', "working_hours(4)",
                   "x in ['a', 'b'] and not y", "is_working_day()"):  # fmt: skip
        assert sandbox.is_plain(source, "eval"), source
        with engine.frozen_at(T0):
            scripting.evaluate(source, {"hasil": "lengkap", "authority": {"status": "x"}, "x": "a", "y": False})
    assert sandbox._child is None
    for source in ("len(x)", "working_days(n)", "'a'.ljust(3)", "x + y", "[i for i in x]"):
        assert not sandbox.is_plain(source, "eval"), source


def test_a_killed_sandbox_is_replaced_and_the_office_calendar_goes_with_it() -> None:
    closed = engine.WorkCalendar(overrides=[engine.DayOverride(date(2026, 3, 3), False, reason="banjir")])
    with engine.use_calendar(closed), engine.frozen_at(T0):
        here = closed.add_working_days(T0, 1).isoformat()
        assert scripting.evaluate("working_days(n)", {"n": 1}) == here  # Wednesday: Tuesday is closed
        child = sandbox._child
        assert child is not None
        os.kill(child.process.pid, signal.SIGKILL)
        child.process.wait(timeout=5)
        assert scripting.evaluate("working_days(n)", {"n": 1}) == here
    assert sandbox._child is not None and sandbox._child is not child


def test_a_result_too_large_to_hand_back_is_refused() -> None:
    engine.configure_sandbox(seconds=BUDGET_SECONDS, memory_mb=MEMORY_MB, result_bytes=10_000)
    with pytest.raises(engine.ScriptError, match="larger than 10000 bytes"):
        scripting.RestrictedEnvironment().execute("x = 'a' * 20000", {})


# --- through the workflow engine ---------------------------------------------------------------


def _at_script(source: bytes) -> tuple[engine.Instance, str]:
    instance = engine.Instance.start(load(source), dict(START_DATA), now=T0)
    (counter,) = instance.ready_human_tasks()
    instance.complete_human_task(counter.guid, {"hasil": "lengkap"}, now=T0)
    (camat,) = instance.ready_human_tasks()
    return instance, camat.guid


def test_a_memory_attack_in_a_script_task_fails_at_its_element_and_keeps_nothing() -> None:
    instance, guid = _at_script(with_script("catatan_panjang = keperluan.ljust(10 ** 9)"))
    with pytest.raises(engine.ScriptError) as raised:
        instance.complete_human_task(guid, {"setuju": True}, now=T0)
    assert raised.value.element_id == "Script_Catat" and "MB" in str(raised.value)
    assert "catatan_panjang" not in instance.data


def test_a_script_task_leaving_a_set_fails_at_its_element() -> None:
    instance, guid = _at_script(with_script("pilihan = set(['a', 'b'])"))
    with pytest.raises(engine.ScriptError) as raised:
        instance.complete_human_task(guid, {"setuju": True}, now=T0)
    assert raised.value.element_id == "Script_Catat" and "cannot keep pilihan: a set" in str(raised.value)


def test_a_slow_condition_fails_instead_of_holding_the_engine() -> None:
    slow = "len([x.upper() for x in [keperluan * 100000] * 10 for i in range(10000)]) > 0"
    instance = engine.Instance.start(load(sample(('hasil == "lengkap"', slow))), dict(START_DATA), now=T0)
    (counter,) = instance.ready_human_tasks()
    started = time.monotonic()
    with pytest.raises(engine.EngineError, match=r"runs too long|MB"):
        instance.complete_human_task(counter.guid, {"hasil": "lengkap"}, now=T0)
    assert time.monotonic() - started < BUDGET_SECONDS * 1.25 + 1.5


def test_a_timer_past_the_year_9999_is_refused_by_lint_and_located_at_run_time() -> None:
    source = with_timer('"P9000Y"')
    assert [str(p) for p in engine.lint(source, "layanan-uji.bpmn")] == [
        "layanan-uji.bpmn:Timer_Eskalasi: timer value 'P9000Y' lies past the year 9999"
    ]
    instance = engine.Instance.start(unchecked(source), dict(START_DATA), now=T0)
    (counter,) = instance.ready_human_tasks()
    with pytest.raises(engine.ScriptError) as raised:
        instance.complete_human_task(counter.guid, {"hasil": "lengkap"}, now=T0)
    assert raised.value.element_id == "Timer_Eskalasi" and "9999" in str(raised.value)


def test_nan_and_infinity_are_not_numbers_a_script_may_keep() -> None:
    for script in ("x = float('inf')", "x = -float('inf')"):
        with pytest.raises(engine.ScriptError):
            scripting.RestrictedEnvironment().execute(script, {})
    assert scripting.evaluate("float('inf') > n", {"n": 10**6}) is True  # used in a comparison: fine
