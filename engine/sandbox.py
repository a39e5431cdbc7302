"""Diagram code run where it cannot hurt the office: a child process with a memory ceiling and a
wall-clock budget.

Scripts, gateway conditions, timer and due expressions come from diagrams, which are untrusted
input. RestrictedPython keeps them away from files and the interpreter's internals, but not from
the processor or from memory: `'a'.ljust(10**9)` or a loop over a large string would grow a web
worker by gigabytes or hold it for minutes. So code that could do that runs in a separate Python
process whose address space is capped (RLIMIT_AS) and which the caller kills when the budget is
spent; the next evaluation starts a fresh one. The request gets a ScriptError, the worker is
untouched.

Code whose syntax cannot allocate or loop (comparisons of names, constants and subscripts, plain
assignments: every condition of the catalogue's diagrams) runs in-process, since it costs no more
than reading its inputs. Everything else crosses a pipe: the request is pickled (we trust what we
send), the reply is JSON (engine/wire.py), so whatever happens in the child, it can only ever hand
back plain data.
"""

from __future__ import annotations

import ast
import contextlib
import contextvars
import copy
import functools
import hashlib
import json
import logging
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from . import wire
from .clock import current_time
from .errors import ScriptError
from .workcal import current_calendar

_HEADER = struct.Struct("!I")
_script_log = logging.getLogger("paten.engine.scripts")
PRINTED_LINES = 20  # as scripting.PRINT_LINES: what print() may leave in the log per run
_RESTART = b',"restart":true}'  # how a reply that ends the child ends (written last by _error)
_ROOT = str(Path(__file__).resolve().parent.parent)
# Errors the child may report by name; re-raised as the same class, so SpiffWorkflow words them as before.
_ERRORS: dict[str, type[Exception]] = {
    cls.__name__: cls
    for cls in (NameError, KeyError, TypeError, ValueError, ZeroDivisionError, AttributeError, IndexError,
                OverflowError, ArithmeticError)
}  # fmt: skip


@dataclass(frozen=True)
class Limits:
    """What one evaluation may use. `enabled=False` runs everything in-process (tests of the engine only)."""

    seconds: float = 2.0
    memory_mb: int = 256
    result_bytes: int = 1_000_000
    enabled: bool = True


_limits = Limits()


def configure(*, seconds: float, memory_mb: int, result_bytes: int = 1_000_000, enabled: bool = True) -> None:
    """Set the limits of every later evaluation (the portal calls this from its settings)."""
    global _limits
    if not 0 < seconds <= 600 or not 16 <= memory_mb <= 65536 or result_bytes < 1000:
        raise ValueError("sandbox limits out of range")
    _limits = Limits(seconds=float(seconds), memory_mb=int(memory_mb), result_bytes=int(result_bytes), enabled=enabled)


def limits() -> Limits:
    return _limits


# --- what may run in-process -------------------------------------------------------------------

_PLAIN_NODES = (
    ast.Expression, ast.Module, ast.Expr, ast.Assign, ast.Name, ast.Constant, ast.Load, ast.Store,
    ast.Compare, ast.BoolOp, ast.UnaryOp, ast.IfExp, ast.Subscript, ast.List, ast.Tuple, ast.Dict,
    ast.And, ast.Or, ast.Not, ast.USub, ast.UAdd, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE,
    ast.In, ast.NotIn, ast.Is, ast.IsNot, ast.Pass, ast.If,
)  # fmt: skip


# Our own helpers, bounded in what they accept: called with constant arguments they are plain too.
PLAIN_CALLS = frozenset(
    {"now", "today", "days", "hours", "working_days", "working_hours", "is_working_day", "is_working_time"}
)


def _plain_call(node: ast.Call) -> bool:
    return (
        isinstance(node.func, ast.Name)
        and node.func.id in PLAIN_CALLS
        and not node.keywords
        and len(node.args) <= 1
        and all(isinstance(a, ast.Constant) and isinstance(a.value, int | float | str) for a in node.args)
    )


@functools.lru_cache(maxsize=4096)
def is_plain(source: str, mode: str) -> bool:
    """Whether `source` can neither loop nor compute beyond reading its inputs (and our bounded helpers)."""
    try:
        tree = ast.parse(source.strip() if mode == "eval" else source, mode=mode)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _plain_call(node):
            continue
        if not isinstance(node, _PLAIN_NODES):
            return False
        if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Constant | ast.Name):
            return False
        if isinstance(node, ast.Assign) and not all(isinstance(t, ast.Name) for t in node.targets):
            return False
    return True


# --- the parent's side --------------------------------------------------------------------------


class _Child:
    """One sandbox process, started on first use by this process (never shared across a fork)."""

    def __init__(self) -> None:
        command = [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {_ROOT!r}); "
                   "from engine.sandbox import serve; serve()"]  # fmt: skip
        self.owner = os.getpid()
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, close_fds=True,
            env={"PATEN_SANDBOX_MEMORY_MB": str(_limits.memory_mb), "PYTHONHASHSEED": "0", "LANG": "C.UTF-8"},
        )  # fmt: skip
        self.calendar_digest = ""

    def alive(self) -> bool:
        return self.owner == os.getpid() and self.process.poll() is None

    def kill(self) -> None:
        if self.owner != os.getpid():
            return  # a forked copy: the process belongs to the parent
        with contextlib.suppress(OSError):
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        for stream in (self.process.stdin, self.process.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass

    def send(self, payload: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(_HEADER.pack(len(payload)) + payload)
        self.process.stdin.flush()

    def receive(self, deadline: float, limit: int) -> bytes | None:
        """The reply, or None when the deadline passed; raises EOFError when the child died."""
        stdout = self.process.stdout
        assert stdout is not None
        header = self._read(stdout, _HEADER.size, deadline)
        if header is None:
            return None
        (size,) = _HEADER.unpack(header)
        if size > limit:
            raise OverflowError(size)
        return self._read(stdout, size, deadline)

    @staticmethod
    def _read(stream: Any, size: int, deadline: float) -> bytes | None:
        chunks: list[bytes] = []
        remaining = size
        fd = stream.fileno()
        while remaining:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                return None
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)


_lock = threading.Lock()
_child: _Child | None = None


def _calendar_payload(child: _Child, calendar: Any) -> bytes | None:
    """The office calendar, pickled, when the child does not hold this one yet."""
    data = pickle.dumps(calendar)
    digest = hashlib.sha256(data).hexdigest()
    if digest == child.calendar_digest:
        return None
    child.calendar_digest = digest
    return data


class SandboxDeferred(Exception):
    """Under a deferral, code that needs the sandbox and has no answer yet.

    The caller undoes what it did, lets go of its locks, calls `Deferral.settle` with this, and
    runs again: the same inputs then find their answer without waiting for the sandbox.
    """

    def __init__(self, key: str, request: dict[str, Any]) -> None:
        self.key = key
        self.request = request
        super().__init__("sandboxed code deferred")


class Deferral:
    """Answers of sandboxed code, settled outside the caller's locks (see `deferring`)."""

    def __init__(self) -> None:
        self.replies: dict[str, bytes] = {}
        self.active = True  # False: what has no answer runs at once (the caller gave up deferring)
        self.settled = 0

    def settle(self, pending: SandboxDeferred) -> None:
        """Run the deferred code now (the caller holds no lock) and keep its answer."""
        self.replies[pending.key] = _exchange(**pending.request)
        self.settled += 1


_deferral: contextvars.ContextVar[Deferral | None] = contextvars.ContextVar("engine_sandbox_deferral", default=None)


@contextlib.contextmanager
def deferring() -> Iterator[Deferral]:
    """Within the block, sandboxed code without a settled answer raises SandboxDeferred instead of running."""
    deferral = Deferral()
    token = _deferral.set(deferral)
    try:
        yield deferral
    finally:
        _deferral.reset(token)


def deferring_now() -> bool:
    return _deferral.get() is not None


def _key(mode: str, source: str, context: Any, external: Any, now: datetime, calendar: Any) -> str | None:
    """The same code on the same inputs at the same moment and calendar gives the same answer."""
    try:
        inputs = [mode, source, wire.encode(context, kept=False), wire.encode(external or {}, kept=False)]
        text = json.dumps([*inputs, now.isoformat()], sort_keys=True, ensure_ascii=False)
        digest = hashlib.sha256(text.encode())
        digest.update(pickle.dumps(calendar))
    except (ValueError, TypeError, pickle.PicklingError, RecursionError):
        return None
    return digest.hexdigest()


def run(mode: str, source: str, context: dict[str, Any], external: dict[str, Any] | None) -> tuple[Any, Any]:
    """Evaluate (mode 'eval') or execute ('exec') in the sandbox: (value, variables kept by a script)."""
    now, calendar = current_time(), current_calendar()
    deferral = _deferral.get()
    if deferral is not None:
        key = _key(mode, source, context, external, now, calendar)
        if key is not None:
            raw = deferral.replies.get(key)
            if raw is not None:
                return _reply(raw)
            if deferral.active:
                request = {"mode": mode, "source": source, "context": copy.deepcopy(context),
                           "external": copy.deepcopy(external or {}), "now": now, "calendar": calendar}  # fmt: skip
                raise SandboxDeferred(key, request)
    return _reply(_exchange(mode, source, context, external or {}, now, calendar))


def _exchange(
    mode: str, source: str, context: dict[str, Any], external: dict[str, Any], now: datetime, calendar: Any
) -> bytes:
    """One evaluation in the child: its reply, or a reply saying why there is none (time, memory, size)."""
    budget = _limits
    with _lock:
        child = _started()
        request = {
            "mode": mode, "source": source, "context": context, "external": external, "now": now,
            "calendar": _calendar_payload(child, calendar), "seconds": budget.seconds,
            "result_bytes": budget.result_bytes,
        }  # fmt: skip
        try:
            payload = pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError) as exc:
            return _error("ScriptError", f"the data given to the script cannot be passed to it: {exc}")
        try:
            child.send(payload)
        except OSError:  # it ended since it was last used: one fresh start
            _discard()
            child = _started()
            request["calendar"] = _calendar_payload(child, calendar)
            child.send(pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL))
        try:
            raw = child.receive(time.monotonic() + budget.seconds * 1.25 + 0.05, budget.result_bytes + 4096)
        except (OSError, EOFError, OverflowError) as exc:
            _discard()
            if isinstance(exc, OverflowError):
                return _error("ScriptError", f"the script's result is larger than {budget.result_bytes} bytes")
            return _error("ScriptError", f"the script used more than {budget.memory_mb} MB or crashed, and was stopped")
        if raw is None:
            _discard()
            return _error("ScriptError", f"stopped after {budget.seconds:g} s: the script runs too long")
        if raw.endswith(_RESTART):
            _discard()  # it ran out of memory once and is ending; the next call starts a clean one
        return raw


def _started() -> _Child:
    global _child
    if _child is None or not _child.alive():
        if _child is not None:
            _child.kill()
        _child = _Child()
    return _child


def _discard() -> None:
    global _child
    if _child is not None:
        _child.kill()
        _child = None


def _reply(raw: bytes) -> tuple[Any, Any]:
    try:
        reply = wire.loads(raw)
        if reply.get("ok"):
            for line in (reply.get("printed") or [])[:PRINTED_LINES]:
                _script_log.info("script printed: %s", str(line)[:500])
            return wire.decode(reply.get("value")), wire.decode(reply.get("kept"))
        kind, message = str(reply.get("error")), str(reply.get("message"))[:2000]
    except (ValueError, TypeError, AttributeError, OverflowError) as exc:
        raise ScriptError(f"the sandbox answered something unreadable: {type(exc).__name__}") from None
    if kind in _ERRORS:
        raise _ERRORS[kind](message)
    raise ScriptError(message)


def stop() -> None:
    """End this process's sandbox child (tests; it also ends when this process exits)."""
    with _lock:
        _discard()


# --- the child's side ---------------------------------------------------------------------------


def _cap_memory() -> None:
    import resource

    megabytes = int(os.environ.get("PATEN_SANDBOX_MEMORY_MB", "256"))
    with open("/proc/self/statm", encoding="ascii") as statm:
        used = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    ceiling = used + megabytes * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def serve() -> None:
    """The child's loop: read a request, run it, answer; exit when the parent goes away."""
    from . import scripting
    from .clock import frozen_at
    from .workcal import use_calendar

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C of `make run` is the parent's to handle
    # Without /proc or limits (not Linux) the parent's deadline still bounds the time.
    with contextlib.suppress(OSError, ValueError):
        _cap_memory()
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    calendar = current_calendar()
    while True:
        header = stdin.read(_HEADER.size)
        if len(header) < _HEADER.size:
            return
        (size,) = _HEADER.unpack(header)
        request = pickle.loads(stdin.read(size))  # noqa: S301 - written by the parent that started us
        if request.get("calendar") is not None:
            calendar = pickle.loads(request["calendar"])  # noqa: S301 - same
        answer = _answer(request, scripting, frozen_at, use_calendar, calendar)
        stdout.write(_HEADER.pack(len(answer)) + answer)
        stdout.flush()
        if answer.endswith(_RESTART):
            return  # out of memory once: the parent starts a clean process next time


def _answer(request: dict[str, Any], scripting: Any, frozen_at: Any, use_calendar: Any, calendar: Any) -> bytes:
    now: datetime = request["now"]
    try:
        printed: list[str] = []
        scripting.printed_lines = printed
        with frozen_at(now), use_calendar(calendar), scripting.deadline(request["seconds"]):
            value, kept = scripting.run_here(
                request["mode"], request["source"], request["context"], request["external"]
            )
            body = wire.dumps({
                "ok": True, "value": wire.encode(value, "the result", kept=False), "kept": _encoded(kept),
                "printed": printed,
            })  # fmt: skip
        if len(body) > request["result_bytes"]:
            return _error("ScriptError", f"the script's result is larger than {request['result_bytes']} bytes")
        return body
    except MemoryError:
        megabytes = os.environ.get("PATEN_SANDBOX_MEMORY_MB", "256")
        return _error("ScriptError", f"the script used more than {megabytes} MB and was stopped", restart=True)
    except wire.UnsafeValue as exc:
        return _error("ScriptError", unsafe_text(exc))
    except RecursionError:
        return _error("ScriptError", "the script recurses too deeply")
    except Exception as exc:  # noqa: BLE001 - every failure of diagram code is reported, by name
        kind = type(exc).__name__ if type(exc).__name__ in _ERRORS else "ScriptError"
        return _error(kind, str(exc)[:2000] or kind)


def _encoded(kept: dict[str, Any] | None) -> Any:
    if kept is None:
        return None
    return {name: wire.encode(value, name) for name, value in kept.items()}


def _error(kind: str, message: str, *, restart: bool = False) -> bytes:
    body: dict[str, Any] = {"error": kind, "message": message}
    if restart:
        body["restart"] = True  # last key: the loop looks for it at the end
    return wire.dumps(body)


def unsafe_text(exc: wire.UnsafeValue) -> str:
    """What a designer reads when a script leaves a value that cannot be stored."""
    return f"cannot keep {exc.path}: {exc.reason}"
