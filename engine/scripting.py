"""Restricted execution of the Python found in diagrams: scripts, gateway conditions, timers.

Diagrams are untrusted input. Code is compiled with RestrictedPython (no names or attributes
starting with an underscore), checked for statements we refuse outright (imports, while loops),
and run with a small builtin set and a few helpers. Nothing here can reach files, the network or
the interpreter's internals. `*`, `**` and `<<` refuse results that would be huge, and a run
stops after MAX_STEPS lines or its time budget. What can still take time or memory in one
operation (a string method, a format width) runs in the sandbox process (engine/sandbox.py), and
whatever a script keeps must be storable data (engine/wire.py).
"""

from __future__ import annotations

import ast
import contextlib
import functools
import logging
import operator
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from types import CodeType, FrameType
from typing import Any, TypeVar

from RestrictedPython.compile import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)
from RestrictedPython.transformer import RestrictingNodeTransformer, copy_locations
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from . import sandbox, wire
from .clock import current_time, office_today
from .errors import ScriptError
from .workcal import current_calendar

MAX_SOURCE_CHARS = 20_000
MAX_RANGE = 10_000
MAX_STEPS = 1_000_000  # lines (loop turns included) one script or expression may run
MAX_ITEMS = 1_000_000  # length of a sequence built with *
MAX_INT_BITS = 100_000  # size of an integer built with *, ** or <<
_FILENAME = "<string>"  # RestrictedPython's default; SpiffWorkflow finds a failing script line by it
_T = TypeVar("_T")

FORBIDDEN_NAMES = frozenset(
    {
        "open", "eval", "exec", "compile", "globals", "locals", "vars", "getattr", "setattr",
        "delattr", "breakpoint", "input", "help", "memoryview", "type", "object", "super",
        "classmethod", "staticmethod", "property", "dir", "id", "exit", "quit",
    }
)  # fmt: skip


def _safe_range(*args: int) -> range:
    r = range(*args)
    if len(r) > MAX_RANGE:
        raise ValueError(f"range() longer than {MAX_RANGE} is not allowed")
    return r


def _now() -> datetime:
    return current_time()


def _today() -> date:
    return office_today()


def _days(n: float) -> timedelta:
    return timedelta(days=n)


def _hours(n: float) -> timedelta:
    return timedelta(hours=n)


def _iso(value: datetime | date) -> str:
    return value.isoformat()


def _working_days(n: int) -> str:
    """Deadline (ISO 8601, UTC) at the close of the n-th working day after today, for a timeDate."""
    return current_calendar().add_working_days(current_time(), n).isoformat()


def _working_hours(n: float) -> str:
    """The moment (ISO 8601, UTC) n office hours from now, for a timeDate."""
    return current_calendar().add_working_hours(current_time(), n).isoformat()


def _is_working_day(day: date | str | None = None) -> bool:
    """Whether the office is open on `day` (a date or "YYYY-MM-DD" from a form), by default today."""
    if day is None:
        return current_calendar().is_working_day(current_time())
    if isinstance(day, str):
        # Form date fields arrive as text; a full timestamp counts by its WITA date.
        day = datetime.fromisoformat(day) if len(day) > 10 else date.fromisoformat(day)
    return current_calendar().is_working_day(day)


def _is_working_time(moment: datetime | str | None = None) -> bool:
    """Whether the office is open at `moment` (an aware datetime or ISO text), by default now."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return current_calendar().is_working_time(current_time() if moment is None else moment)


def _too_big(what: str) -> ValueError:
    return ValueError(f"{what} would be too large")


def _mul(x: Any, y: Any) -> Any:
    for seq, n in ((x, y), (y, x)):
        if isinstance(seq, str | bytes | list | tuple) and isinstance(n, int) and len(seq) * n > MAX_ITEMS:
            raise _too_big("the repeated sequence")
    if isinstance(x, int) and isinstance(y, int) and x.bit_length() + y.bit_length() > MAX_INT_BITS:
        raise _too_big("the product")
    return x * y


def _pow(x: Any, y: Any) -> Any:
    if isinstance(x, int) and isinstance(y, int) and y > 0 and abs(x) > 1 and x.bit_length() * y > MAX_INT_BITS:
        raise _too_big("the power")
    return x**y


def _lshift(x: Any, y: Any) -> Any:
    if isinstance(x, int) and isinstance(y, int) and x and x.bit_length() + y > MAX_INT_BITS:
        raise _too_big("the shifted number")
    return x << y


_BOUNDED_OPS: dict[type[ast.operator], str] = {ast.Mult: "_mul_", ast.Pow: "_pow_", ast.LShift: "_lshift_"}

_INPLACE_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.add, "-=": operator.sub, "*=": _mul, "/=": operator.truediv,
    "//=": operator.floordiv, "%=": operator.mod, "|=": operator.or_, "&=": operator.and_,
}  # fmt: skip


def _inplacevar(op: str, x: Any, y: Any) -> Any:
    fn = _INPLACE_OPS.get(op)
    if fn is None:
        raise ValueError(f"operator {op} is not allowed")
    return fn(x, y)


SAFE_BUILTINS: dict[str, Any] = {
    "True": True, "False": False, "None": None,
    "abs": abs, "all": all, "any": any, "bool": bool, "dict": dict, "divmod": divmod,
    "enumerate": enumerate, "filter": filter, "float": float, "int": int, "isinstance": isinstance,
    "len": len, "list": list, "map": map, "max": max, "min": min, "range": _safe_range,
    "reversed": reversed, "round": round, "set": set, "sorted": sorted, "str": str, "sum": sum,
    "tuple": tuple, "zip": zip,
    "ValueError": ValueError, "KeyError": KeyError,
}  # fmt: skip

# Helpers a process designer may call in scripts, conditions and timer expressions.
HELPERS: dict[str, Callable[..., Any]] = {
    "now": _now,
    "today": _today,
    "days": _days,
    "hours": _hours,
    "iso": _iso,
    "timezone": lambda: UTC,
    # The office's working-day calendar (engine/workcal.py): holidays, cuti bersama, Ramadan hours.
    "working_days": _working_days,
    "working_hours": _working_hours,
    "is_working_day": _is_working_day,
    "is_working_time": _is_working_time,
}

PRINT_LINES = 20  # lines of print() output one run of a script may leave in the log
_script_log = logging.getLogger("paten.engine.scripts")
printed_lines: list[str] | None = None  # in the sandbox child: where print() lines wait for the answer


class _LoggedPrint:
    """print() in a diagram's code: the text goes to the server's log (logger `paten.engine.scripts`,
    at most PRINT_LINES lines of 500 characters per run), never into the request's data; reading
    RestrictedPython's `printed` gives ""."""

    def __init__(self, _getattr_: Any = None) -> None:
        self.lines = 0

    def _call_print(self, *objects: Any, **kwargs: Any) -> None:
        if kwargs.get("file") is not None:
            raise ValueError("print() writes only to the log, not to a file")
        self.lines += 1
        if self.lines <= PRINT_LINES:
            separator = kwargs.get("sep")
            text = (separator if isinstance(separator, str) else " ").join(str(o) for o in objects)[:500]
            if printed_lines is not None:
                printed_lines.append(text)  # the sandbox child: the parent logs them
            else:
                _script_log.info("script printed: %s", text)

    def __call__(self) -> str:
        return ""


_GUARDS: dict[str, Any] = {
    "_print_": _LoggedPrint,
    "_getattr_": safer_getattr,
    "_getitem_": default_guarded_getitem,
    "_getiter_": default_guarded_getiter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,
    "_inplacevar_": _inplacevar,
    "_mul_": _mul,
    "_pow_": _pow,
    "_lshift_": _lshift,
}

_RESERVED = frozenset(_GUARDS) | frozenset(HELPERS) | {"__builtins__"}


class _Refusals(ast.NodeVisitor):
    def __init__(self) -> None:
        self.errors: list[str] = []

    def visit_Import(self, node: ast.Import) -> None:
        self.errors.append(f"line {node.lineno}: import is not allowed")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self.errors.append(f"line {node.lineno}: import is not allowed")

    def visit_While(self, node: ast.While) -> None:
        self.errors.append(f"line {node.lineno}: while loops are not allowed")
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in FORBIDDEN_NAMES:
            self.errors.append(f"line {node.lineno}: '{node.id}' is not allowed")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr.startswith("_"):
            self.errors.append(f"line {node.lineno}: attribute '{node.attr}' is not allowed")
        elif node.attr in ("format", "format_map"):
            self.errors.append(f"line {node.lineno}: str.{node.attr}() is not allowed (use an f-string)")
        self.generic_visit(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self.errors.append(f"line {node.lineno}: lambda is not allowed")

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.errors.append(f"line {node.lineno}: classes are not allowed (keep data in dicts and lists)")

    def visit_Try(self, node: ast.Try) -> None:
        # Either could swallow the error that stops a script running too long.
        for handler in node.handlers:
            if handler.type is None:
                self.errors.append(f"line {handler.lineno}: a bare except is not allowed (name the errors)")
        if node.finalbody:
            self.errors.append(f"line {node.lineno}: try/finally is not allowed")
        self.generic_visit(node)


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's rules, plus `*`, `**` and `<<` through size-checking helpers."""

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        node = self.node_contents_visit(node)
        name = _BOUNDED_OPS.get(type(node.op))
        if name is None:
            return node
        call = ast.Call(func=ast.Name(name, ast.Load()), args=[node.left, node.right], keywords=[])
        copy_locations(call, node)
        return call


def _restricted(source: str, mode: str) -> Any:
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    return compiler(source, filename=_FILENAME, policy=_Policy)


_deadline: float | None = None  # monotonic time at which the running code is stopped (in the sandbox)


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Stop diagram code run inside the block after `seconds` of wall-clock time (checked every 1000 lines)."""
    global _deadline
    previous, _deadline = _deadline, time.monotonic() + seconds
    try:
        yield
    finally:
        _deadline = previous


def _bounded(run: Callable[[], _T]) -> _T:
    """Run diagram code, stopping it after MAX_STEPS lines (a loop turn counts as one) or at the deadline."""
    steps = 0
    stop_at = _deadline

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal steps
        if event == "line":
            steps += 1
            if steps > MAX_STEPS:
                raise ScriptError(f"stopped after {MAX_STEPS} steps: the script runs too long")
            if stop_at is not None and steps % 1000 == 0 and time.monotonic() > stop_at:
                raise ScriptError(f"stopped after {sandbox.limits().seconds:g} s: the script runs too long")
        return local

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        return local if frame.f_code.co_filename == _FILENAME else None

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        return run()
    finally:
        sys.settrace(previous)


def check_source(source: str, mode: str) -> list[str]:
    """Return why `source` would be refused (empty when acceptable); mode is 'eval' or 'exec'."""
    if len(source) > MAX_SOURCE_CHARS:
        return [f"longer than {MAX_SOURCE_CHARS} characters"]
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as exc:
        return [f"syntax error on line {exc.lineno}: {exc.msg}"]
    except (ValueError, MemoryError, RecursionError) as exc:
        return [f"cannot be parsed: {exc}"]
    visitor = _Refusals()
    visitor.visit(tree)
    if visitor.errors:
        return visitor.errors
    try:
        result = _restricted(source, mode)
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        return [f"cannot be compiled: {exc}"]
    return [str(e) for e in result.errors]


@functools.lru_cache(maxsize=2048)
def _compiled(source: str, mode: str) -> CodeType:
    errors = check_source(source, mode)
    if errors:
        raise ScriptError("refused: " + "; ".join(errors))
    result = _restricted(source, mode)
    assert result.code is not None
    return result.code


def _globals(context: dict[str, Any], external: dict[str, Any] | None) -> dict[str, Any]:
    clash = _RESERVED.intersection(context)
    if clash:
        raise ScriptError(f"data uses reserved names: {', '.join(sorted(clash))}")
    env: dict[str, Any] = {"__builtins__": SAFE_BUILTINS, **_GUARDS, **HELPERS}
    env.update(external or {})
    env.update(context)
    return env


def run_here(
    mode: str, source: str, context: dict[str, Any], external: dict[str, Any] | None
) -> tuple[Any, dict[str, Any] | None]:
    """Run in this process: (the value of an expression, None) or (None, the variables a script keeps)."""
    if mode == "eval":
        code, env = _compiled(source.strip(), "eval"), _globals(context, external)
        return _bounded(lambda: eval(code, env)), None  # noqa: S307
    code, env = _compiled(source, "exec"), _globals(context, external)
    _bounded(lambda: exec(code, env))  # noqa: S102
    kept = {k: v for k, v in env.items() if k not in _RESERVED and not (external and k in external) and not callable(v)}
    return None, kept


def _run(mode: str, source: str, context: dict[str, Any], external: dict[str, Any] | None) -> tuple[Any, Any]:
    """Plain code here, anything that could loop or allocate in the sandbox; kept variables checked."""
    if not sandbox.limits().enabled or sandbox.is_plain(source, mode):
        value, kept = run_here(mode, source, context, external)
        if kept is not None:
            try:
                wire.checked(kept)
            except wire.UnsafeValue as exc:
                raise ScriptError(sandbox.unsafe_text(exc)) from None
        return value, kept
    return sandbox.run(mode, source, context, external)


def evaluate(expression: str, context: dict[str, Any]) -> Any:
    """Evaluate a condition or timer expression against workflow data."""
    return _run("eval", expression, context, None)[0]


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """SpiffWorkflow script environment backed by RestrictedPython and the sandbox."""

    def evaluate(self, expression: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> Any:
        return _run("eval", expression, context, external_context)[0]

    def execute(self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> bool:
        _, kept = _run("exec", script, context, external_context)
        context.clear()
        context.update(kept or {})
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise ScriptError("service tasks are not supported")


class RestrictedScriptEngine(PythonScriptEngine):
    """Script engine handed to every workflow; it is not serialized, so re-attach after load."""

    def __init__(self) -> None:
        super().__init__(environment=RestrictedEnvironment())

    def validate(self, expression: str) -> None:
        errors = check_source(expression, "exec")
        if errors:
            raise ScriptError("; ".join(errors))

    def call_service(self, task: Any, **kwargs: Any) -> Any:
        raise ScriptError("service tasks are not supported", element_id=task.task_spec.bpmn_id or "")


def names_used(expression: str) -> Iterable[str]:
    """Free names read by an expression (for lint); empty when it does not parse."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except (SyntaxError, ValueError):
        return []
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def assigned_names(script: str) -> set[str]:
    """Names a script assigns (for lint: the data it leaves); empty when it does not parse."""
    try:
        tree = ast.parse(script, mode="exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
