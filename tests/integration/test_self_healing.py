"""The background processes heal themselves: `make run`'s worker, sweeper and beat (the Procfile's
lines, each under tasks.supervise) go on when the process running the tasks or beat is SIGKILLed, or
when a worker hangs. Due timers, signed letters and notices that wait are all done within a bound,
each once.

On the SQLite pass this runs over the embedded broker: the worker runs its tasks in threads, so the
process killed is the worker itself and its supervisor starts it again. On the PostgreSQL pass it runs
over Redis with prefork: the pool child is killed and the pool starts another.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.conftest import SKTM_APPLICANT, files_under
from tests.integration.test_production_stack import _at_camat_signing, _escalated_consistently, _fired_counts

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# From a kill until everything that waited is done; measured 2-20 s here (2 shared cores), most of
# it a worker or beat starting again (Django, the engine, the catalogue). Once, with the whole suite
# running beside it on PostgreSQL and Redis, a prefork pool did not replace its child and the
# supervisor restarted the worker after its stale time: 62 s. The bound leaves room for that path.
BOUND = 150.0
SKTM_STEPS = [
    ("loket1", {"hasil_pemeriksaan": "lengkap"}),
    ("kasi1", {"terdaftar_dtks": True, "hasil_verifikasi": "memenuhi"}),
    ("kasi1", {"isi_keterangan": "Benar keluarga tidak mampu di desa kami."}),
    ("sekcam1", {"hasil_paraf": "setuju"}),
    ("camat1", {"keputusan": "setuju"}),
]


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    argv: list[str]


class Background:
    """`honcho -f Procfile start worker sweeper beat`, on the test database; finds its processes."""

    def __init__(self, tmp: Path, env: dict[str, str]) -> None:
        self.tmp, self.env = tmp, env
        self.marker = f"PATEN_VAR_DIR={tmp}".encode()
        self.log_path = tmp / "honcho.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log_path.open("wb") as out:
            self.proc = subprocess.Popen(
                [str(BIN / "honcho"), "-f", "Procfile", "start", "worker", "sweeper", "beat"],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        self.wait(lambda: self.log().count(" ready.") >= 2, what="both workers ready")
        self.wait(lambda: self.beat() > 0, what="beat running")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait(self, check: Callable[[], bool], *, what: str, timeout: float = 120) -> float:
        """Poll for what other processes do; returns the seconds it took."""
        start = time.monotonic()
        while not check():
            if time.monotonic() - start > timeout:
                raise AssertionError(f"timed out waiting for {what}\n{self.log()[-6000:]}")
            time.sleep(0.05)
        return time.monotonic() - start

    def processes(self) -> list[Proc]:
        """This test's processes (their environment names its directory), zombies left out."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if self.marker not in (entry / "environ").read_bytes().split(b"\0"):
                    continue
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
            except OSError:
                continue
            if stat[0] != "Z":
                found.append(Proc(int(entry.name), int(stat[1]), argv))
        return found

    def supervised(self, watch: str) -> int:
        """The pid of the Celery process `tasks.supervise --watch <watch>` runs (0 while there is none)."""
        procs = self.processes()
        supervisors = [p.pid for p in procs if "tasks.supervise" in p.argv and watch in p.argv]
        children = [p.pid for p in procs if p.ppid in supervisors and "celery" in " ".join(p.argv)]
        return children[0] if len(children) == 1 else 0

    def worker(self, queue: str) -> int:
        return self.supervised(f"queue:{queue}")

    def beat(self) -> int:
        return self.supervised("beat")

    def runners(self, queue: str) -> list[int]:
        """What runs the queue's tasks: the prefork pool's children, or the worker itself (threads)."""
        worker = self.worker(queue)
        children = [p.pid for p in self.processes() if p.ppid == worker]
        return children or ([worker] if worker else [])

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)  # as Ctrl-C in `make run` does
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=30)
        for proc in self.processes():  # anything left is this test's: end it, by id
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)
        if self.proc is not None and self.proc.poll() is None:
            self.proc.wait(timeout=10)


def _require(reason: str) -> None:
    if os.environ.get("PATEN_TEST_REQUIRE_SERVICES"):
        pytest.fail(f"{reason} (PATEN_TEST_REQUIRE_SERVICES is set)")
    pytest.skip(reason)


def _redis_broker() -> str:
    """A Redis database of this module's own: the one below PATEN_TEST_BROKER_URL's.

    test_production_stack.py empties and uses PATEN_TEST_BROKER_URL's database, and the two modules
    may run at the same time on two test processes: on one database each would take the other's
    tasks (and flush them away).
    """
    url = os.environ.get("PATEN_TEST_BROKER_URL", "")
    if not url.startswith("redis://"):
        _require("PATEN_TEST_BROKER_URL (a Redis database the tests may empty) is not set")
    from urllib.parse import urlsplit, urlunsplit

    import redis

    parts = urlsplit(url)
    number = int(parts.path.strip("/") or "0")
    url = urlunsplit(parts._replace(path=f"/{(number - 1) % 16}"))

    try:
        redis.Redis.from_url(url, socket_timeout=5).flushdb()  # no task left over from an earlier run
    except redis.RedisError as exc:
        _require(f"Redis at {url} does not answer: {exc}")
    return url


@pytest.fixture
def background(
    transactional_db: Any, users: Any, deployed: Any, settings: Any, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Background]:
    from django.db import connection

    env = {
        **os.environ,
        "PATEN_VAR_DIR": str(tmp_path),
        "PATEN_LETTERS_DIR": str(tmp_path / "letters"),
        "PATEN_MEDIA_DIR": str(tmp_path / "media"),
        "PATEN_SWEEP_SECONDS": "1",
        "PATEN_TIMER_SWEEP_SECONDS": "1",
        "PATEN_BROKER_POLL_SECONDS": "0.1",
        "PATEN_WORKER_STALE_SECONDS": getattr(request, "param", "30"),
        "PATEN_SMS_CHANNEL": "tests.integration.recording.RecordingChannel",
        "PATEN_TEST_OUTBOX": str(tmp_path / "outbox.jsonl"),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the portal's own settings, read from the environment
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        env["PATEN_DATABASE_URL"] = (
            f"postgres://{quote(db['USER'])}:{quote(str(db['PASSWORD']))}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{quote(db['NAME'])}"
        )
        env["PATEN_BROKER_URL"] = _redis_broker()
    else:
        request.getfixturevalue("droppable_audit_log")
        env["PATEN_DB_PATH"] = str(db["NAME"])
        for name in ("PATEN_DATABASE_URL", "PATEN_BROKER_URL"):
            env.pop(name, None)  # the embedded broker, in the test's directory
    # Signed letters wait for the workers' sweep, in the directory the workers write to.
    settings.PATEN_LETTER_RENDER = "celery"
    files_under(settings, tmp_path)
    running = Background(tmp_path, env)
    try:
        yield running
    finally:
        running.stop()


@dataclass
class Work:
    timers: list[int]  # requests whose 2-hour signing timer is due
    letters: list[int]  # signed letters waiting for their PDF
    requests: list[int]  # all of them (their notifications)


def _signed_sktm(users: Any) -> int:
    from portal.workflow.models import HumanTask
    from portal.workflow.services.human_tasks import human_task_complete
    from portal.workflow.services.registration import request_register

    instance = request_register(
        service_code="sktm", applicant=SKTM_APPLICANT, data={"keperluan": "Beasiswa"}, actor=users["loket1"]
    )
    for who, data in SKTM_STEPS:
        step = HumanTask.objects.get(instance=instance, status="ready")
        human_task_complete(human_task_id=step.pk, actor=users[who], data=data)
    return int(instance.pk)


def _waiting(users: Any, *, timers: int, letters: int) -> Work:
    """Timers due (made due by a past signing time, not by waiting), letters signed, their notices."""
    from django.utils import timezone

    from portal.letters.models import Letter

    timer_ids = _at_camat_signing(users, timers, signed_from=timezone.now() - timedelta(hours=3))
    sktm_ids = [_signed_sktm(users) for _ in range(letters)]
    letter_ids = list(Letter.objects.filter(instance_id__in=sktm_ids, rendered_at=None).values_list("id", flat=True))
    assert len(letter_ids) == letters
    return Work(timer_ids, letter_ids, timer_ids + sktm_ids)


def _progress(work: Work) -> tuple[int, int, int]:
    """(timers fired, letters drawn, notifications pending) of this work."""
    from portal.letters.models import Letter
    from portal.notifications.models import Notification
    from portal.workflow.models import TimerSchedule

    return (
        TimerSchedule.objects.filter(instance_id__in=work.timers, fired_at__isnull=False).count(),
        Letter.objects.filter(pk__in=work.letters, rendered_at__isnull=False).count(),
        Notification.objects.filter(instance_id__in=work.requests, status="pending").count(),
    )


def _done(*works: Work) -> bool:
    return all(_progress(w) == (len(w.timers), len(w.letters), 0) for w in works)


def _each_once(tmp: Path, *works: Work) -> None:
    """Every timer fired once, every letter drawn once (one event, one file), every notice sent once."""
    from portal.letters.models import Letter
    from portal.notifications.models import Notification
    from portal.workflow.models import InstanceEvent

    timers = [i for w in works for i in w.timers]
    letters = [i for w in works for i in w.letters]
    requests = [i for w in works for i in w.requests]
    assert _fired_counts(timers) == dict.fromkeys(timers, 1)
    escalated, untouched = _escalated_consistently(timers)
    assert escalated == set(timers) and not untouched
    issued = Counter(
        e.payload["letter_id"] for e in InstanceEvent.objects.filter(instance_id__in=requests, type="letter_issued")
    )
    assert issued == dict.fromkeys(letters, 1)
    for letter in Letter.objects.filter(pk__in=letters):
        files = list((tmp / "letters").rglob(f"{letter.pk}-*.pdf"))
        assert [str(f.relative_to(tmp / "letters")) for f in files] == [letter.file_path]
    rows = Notification.objects.filter(instance_id__in=requests)  # registered, and the letter ready
    assert rows.count() >= 2 * len(letters) and set(rows.values_list("status", flat=True)) == {"sent"}
    lines = (tmp / "outbox.jsonl").read_text().splitlines()
    delivered = Counter((d["recipient"], d["subject"], d["body"]) for d in map(json.loads, lines))
    assert delivered == Counter(rows.values_list("recipient", "subject", "body")), "a notice went out twice or never"


def test_a_killed_pool_child_is_replaced_and_everything_waiting_is_done_once(
    background: Background, users: Any
) -> None:
    first = _waiting(users, timers=30, letters=4)  # waiting before the processes start
    waiting = _progress(first)
    background.start()
    before = {q: (background.worker(q), background.runners(q)) for q in ("default", "sweeps")}
    background.wait(lambda: _progress(first) != waiting, what="the sweeps to start")
    for _, runners in before.values():
        for pid in runners:
            os.kill(pid, signal.SIGKILL)  # mid-sweep: no chance to finish or to release anything
    killed_at = time.monotonic()
    assert not _done(first), "all was done before the kill: prepare more"
    second = _waiting(users, timers=5, letters=1)  # only a new runner can do these
    took = background.wait(lambda: _done(first, second), what="everything waiting", timeout=BOUND)
    print(f"pool child killed: all done {time.monotonic() - killed_at:.1f} s after the kill ({took:.1f} s waited)")
    _each_once(background.tmp, first, second)
    for queue, (_worker, runners) in before.items():
        now_running = background.runners(queue)
        # A new runner: a new pool child of the same worker, or (when the pool did not recover in time
        # on a loaded machine) a worker the supervisor started again. Either way the killed one is gone.
        assert now_running and not set(now_running) & set(runners), f"{queue}: the killed runner is back?"
        assert background.worker(queue), f"{queue}: no worker"
    # (Prefork logs the killed child's task as lost, with a traceback: that one is expected.)
    assert "Unrecoverable error" not in background.log(), background.log()[-6000:]


def test_a_killed_beat_is_started_again_and_everything_waiting_is_done_once(background: Background, users: Any) -> None:
    from portal.operations.models import BEAT, Heartbeat

    first = _waiting(users, timers=20, letters=3)
    background.start()
    beat = background.beat()
    background.wait(lambda: Heartbeat.objects.filter(name=BEAT).exists(), what="beat's heartbeat")
    os.kill(beat, signal.SIGKILL)
    killed_at = time.monotonic()
    second = _waiting(users, timers=5, letters=1)  # sent for only by a beat that runs again
    took = background.wait(lambda: _done(first, second), what="everything waiting", timeout=BOUND)
    print(f"beat killed: all done {time.monotonic() - killed_at:.1f} s after the kill ({took:.1f} s waited)")
    _each_once(background.tmp, first, second)
    assert background.beat() not in (0, beat)
    assert "exited (signal SIGKILL)" in background.log()
    assert "Traceback" not in background.log(), background.log()[-6000:]


@pytest.mark.parametrize("background", ["4"], indirect=True)  # PATEN_WORKER_STALE_SECONDS
def test_a_hung_worker_is_killed_and_started_again(background: Background, users: Any) -> None:
    background.start()
    worker = background.worker("default")
    background.wait(lambda: "render_pending_letters_task" in background.log(), what="a first letter sweep")
    for pid in [worker, *background.runners("default")]:
        os.kill(pid, signal.SIGSTOP)  # alive, holding its queue, doing nothing: as the 35-minute hang
    stopped_at = time.monotonic()
    work = _waiting(users, timers=0, letters=2)
    took = background.wait(lambda: _done(work), what="the letters and notices", timeout=BOUND)
    print(f"hung worker: all done {time.monotonic() - stopped_at:.1f} s after it stopped ({took:.1f} s waited)")
    _each_once(background.tmp, work)
    assert "looks hung (nothing started on queue default in time)" in background.log()
    assert background.worker("default") not in (0, worker)
