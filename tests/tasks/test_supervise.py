"""tasks.supervise keeps one process running: started again when it dies, stopped with the supervisor,
and nothing it started outlives it (real processes; waits poll what they do, with a deadline)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _until(check: Callable[[], bool], what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _pids(path: Path) -> list[int]:
    return [int(line) for line in path.read_text().split()] if path.exists() else []


@pytest.fixture
def supervise(tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def run(code: str, *options: str) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "tasks.supervise", *options, "--", sys.executable, "-c", code]
        log = (tmp_path / "supervise.log").open("ab")
        proc = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        started.append(proc)
        return proc

    yield run
    for proc in started:  # started here: end the whole session, by its id
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def _child(tmp_path: Path, then: str = "time.sleep(60)") -> str:
    """A child that writes its pid to a file, then does `then`."""
    return (
        "import os, signal, subprocess, sys, time\n"
        f"open({str(tmp_path / 'pids')!r}, 'a').write(f'{{os.getpid()}}\\n')\n" + then
    )


def test_a_child_that_dies_is_started_again(supervise: Callable[..., subprocess.Popen[bytes]], tmp_path: Path) -> None:
    proc = supervise(_child(tmp_path))
    _until(lambda: len(_pids(tmp_path / "pids")) == 1, "the first start")
    (first,) = _pids(tmp_path / "pids")
    os.kill(first, signal.SIGKILL)
    _until(lambda: len(_pids(tmp_path / "pids")) == 2, "the second start")
    assert proc.poll() is None and not _alive(first) and _alive(_pids(tmp_path / "pids")[1])
    log = (tmp_path / "supervise.log").read_text()
    assert f"pid {first} exited (signal SIGKILL); starting it again in 1 s" in log


def test_a_child_that_keeps_dying_is_started_again_less_and_less_often(
    supervise: Callable[..., subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    supervise(_child(tmp_path, "sys.exit(3)"))
    _until(lambda: len(_pids(tmp_path / "pids")) == 3, "three starts")
    log = (tmp_path / "supervise.log").read_text()
    assert "(exit code 3); starting it again in 1 s" in log and "(exit code 3); starting it again in 2 s" in log


def test_sigterm_stops_the_child_and_the_supervisor(
    supervise: Callable[..., subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    proc = supervise(_child(tmp_path))
    _until(lambda: len(_pids(tmp_path / "pids")) == 1, "the start")
    proc.send_signal(signal.SIGTERM)  # to the supervisor alone: it passes it on
    assert proc.wait(timeout=20) == 0
    assert not _alive(_pids(tmp_path / "pids")[0])


def test_a_child_that_ignores_sigterm_is_killed_after_the_stop_timeout(
    supervise: Callable[..., subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    ignore = "signal.signal(signal.SIGTERM, signal.SIG_IGN)\ntime.sleep(60)"
    proc = supervise(_child(tmp_path, ignore), "--stop-timeout", "1")
    _until(lambda: len(_pids(tmp_path / "pids")) == 1, "the start")
    time.sleep(0.3)  # the child is past the line that ignores SIGTERM (no other event to wait for)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 128 + signal.SIGKILL
    assert not _alive(_pids(tmp_path / "pids")[0])


def test_what_a_dead_child_left_behind_is_ended(
    supervise: Callable[..., subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    # As a killed Celery worker leaves its pool children: a grandchild outlives its parent.
    orphan = (
        "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(tmp_path / 'orphans')!r}, 'a').write(f'{{p.pid}}\\n')\n"
        "os._exit(1)"
    )
    supervise(_child(tmp_path, orphan))
    _until(lambda: len(_pids(tmp_path / "pids")) >= 2, "a restart")
    assert not _alive(_pids(tmp_path / "orphans")[0])


def test_a_killed_supervisor_takes_its_child_with_it(
    supervise: Callable[..., subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    proc = supervise(_child(tmp_path))
    _until(lambda: len(_pids(tmp_path / "pids")) == 1, "the start")
    proc.kill()
    proc.wait(timeout=10)
    _until(lambda: not _alive(_pids(tmp_path / "pids")[0]), "the child to die with its supervisor", timeout=10)
