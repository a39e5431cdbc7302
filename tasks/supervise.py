"""Keeps one Celery process running: `python -m tasks.supervise [--watch beat|queue:NAME] -- COMMAND`.

The command is started again when it dies (a little later each time while it keeps dying at once),
and killed and started again when the liveness check says it stopped working though it still runs:
beat's heartbeat is older than PATEN_WORKER_STALE_SECONDS, or nothing on the watched queue started
for its most frequent sweep's period plus that long while beat sends. `make run` runs each background
process under it (Procfile); on a server systemd's Restart=always and `manage.py worker_health` do this.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER = 1, 36
BACKOFF_FIRST, BACKOFF_MAX, STABLE_AFTER = 1.0, 30.0, 60.0


def say(text: str) -> None:
    print(f"supervise[{os.getpid()}]: {text}", flush=True)


def _prctl(option: int, value: int) -> None:
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)


def _die_with_parent() -> None:
    # In the child before exec: if the supervisor is killed outright, the child goes with it.
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def descendants(pid: int) -> list[int]:
    """Every live process under `pid` (read from /proc), deepest last."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_tree(pid: int) -> None:
    """SIGKILL `pid` and everything under it (a hung worker and its pool children)."""
    for target in [pid, *descendants(pid)]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(target, signal.SIGKILL)


class Watch:
    """The liveness check for one process: beat, or the worker of some queues."""

    def __init__(self, spec: str) -> None:
        kind, _, queues = spec.partition(":")
        if kind not in ("beat", "queue") or (kind == "queue") != bool(queues):
            raise SystemExit(f"--watch beat | queue:NAME[,NAME]: not {spec!r}")
        self.beat, self.queues = kind == "beat", [q for q in queues.split(",") if q]
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
        import django
        from django.conf import settings

        django.setup()
        self.stale = float(settings.PATEN_WORKER_STALE_SECONDS)
        self.every = max(1.0, min(30.0, self.stale / 5))

    def stalled(self, *, since: datetime) -> str:
        """Why the process started at `since` counts as stopped; empty while it works (or cannot tell)."""
        from django.db import DatabaseError, close_old_connections, connection

        from portal.operations.selectors import worker_health

        try:
            if not connection.in_atomic_block:
                close_old_connections()  # a connection the server closed since the last check
            health = worker_health(stale_seconds=self.stale, count_waiting=False)
        except DatabaseError as exc:
            say(f"liveness check failed, will try again: {exc}")
            return ""
        if self.beat:
            last = max(since, health.beat.since) if health.beat and health.beat.since else since
            idle = (health.checked_at - last).total_seconds()
            return f"no heartbeat from beat for {idle:.0f} s" if idle > self.stale else ""
        stalled = [q for q in self.queues if health.queue_stalled(q, since=since)]
        return f"nothing started on queue {', '.join(stalled)} in time" if stalled else ""


class Supervisor:
    def __init__(self, command: list[str], watch: Watch | None, stop_timeout: float) -> None:
        self.command, self.watch, self.stop_timeout = command, watch, stop_timeout
        self.child: subprocess.Popen[bytes] | None = None
        self.stopping: float | None = None  # when the stop began
        self.backoff = BACKOFF_FIRST  # the wait before the next start after a crash

    def on_signal(self, signum: int, _frame: FrameType | None) -> None:
        if self.stopping is None:
            self.stopping = time.monotonic()
            say(f"{signal.Signals(signum).name} received: stopping {self.command[0]}")
        if self.child is not None and self.child.poll() is None:
            self.child.send_signal(signal.SIGTERM)

    def run(self) -> int:
        _prctl(PR_SET_CHILD_SUBREAPER, 1)  # orphaned pool children come back to us, to be ended
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT):
            signal.signal(signum, self.on_signal)
        code = 0
        while self.stopping is None:
            code = self.run_once()
        # Stopped as asked: a child that ended on the SIGTERM passed on ended well; one killed did not.
        return 0 if code in (0, -signal.SIGTERM, -signal.SIGINT) else 128 - code if code < 0 else code

    def run_once(self) -> int:
        """Start the command, wait until it exits (or is killed as stalled), then wait before the next."""
        # No threads run here, so preexec_fn is safe.
        child = self.child = subprocess.Popen(self.command, preexec_fn=_die_with_parent)
        started, since = time.monotonic(), datetime.now(tz=UTC)
        say(f"started pid {child.pid}: {' '.join(self.command)}")
        stalled = ""
        next_check = started + (self.watch.stale if self.watch else 0.0)
        while (code := child.poll()) is None:
            now = time.monotonic()
            if self.stopping is not None and now - self.stopping > self.stop_timeout:
                say(f"pid {child.pid} did not stop within {self.stop_timeout:.0f} s: killing it")
                kill_tree(child.pid)
            elif self.watch is not None and self.stopping is None and now >= next_check:
                next_check = now + self.watch.every
                if stalled := self.watch.stalled(since=since):
                    say(f"pid {child.pid} looks hung ({stalled}): killing it")
                    kill_tree(child.pid)
            time.sleep(0.2)
        self.reap_orphans()
        if self.stopping is None:
            if stalled or time.monotonic() - started > STABLE_AFTER:
                self.backoff = BACKOFF_FIRST
            wait = 0.0 if stalled else self.backoff
            say(f"pid {child.pid} exited ({_how(code)}); starting it again in {wait:.0f} s")
            self.pause(wait)
            if not stalled:
                self.backoff = min(BACKOFF_MAX, self.backoff * 2)
        return code

    def reap_orphans(self) -> None:
        """End what the dead process left behind (pool children handed to us as subreaper)."""
        for pid in descendants(os.getpid()):
            kill_tree(pid)
        while True:
            try:
                if os.waitpid(-1, os.WNOHANG)[0] == 0:
                    return
            except ChildProcessError:
                return

    def pause(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while self.stopping is None and time.monotonic() < end:
            time.sleep(0.1)


def _how(code: int) -> str:
    return f"signal {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tasks.supervise", description=__doc__.splitlines()[0])
    parser.add_argument("--watch", help="beat, or queue:NAME[,NAME] for a worker (restart when stalled)")
    parser.add_argument("--stop-timeout", type=float, default=20.0, help="seconds to wait on SIGTERM")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command to keep running")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command to supervise")
    watch = Watch(args.watch) if args.watch else None
    return Supervisor(command, watch, args.stop_timeout).run()


if __name__ == "__main__":
    sys.exit(main())
