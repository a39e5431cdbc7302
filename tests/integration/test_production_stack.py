"""The production layout: PostgreSQL, Redis, and Celery worker and beat started as their own processes.

These run when the suite itself runs on PostgreSQL (PATEN_DATABASE_URL) and PATEN_TEST_BROKER_URL
names a Redis database the tests may empty; elsewhere they skip, unless PATEN_TEST_REQUIRE_SERVICES
is set (as CI does), in which case a missing service is a failure.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICE = "pengantar-skck"  # its camat signing has an interrupting 2-hour boundary timer to the sekcam
APPLICANT = {"nik": "6409030311010001", "name": "Agus Salim", "desa": "Rawa Mulia"}
START = {
    "tempat_lahir": "Rawa Mulia", "tanggal_lahir": "2001-11-03", "jenis_kelamin": "laki_laki",
    "pekerjaan": "Wiraswasta", "alamat": "Dusun II RT 06", "keperluan": "Pembuatan paspor kerja",
}  # fmt: skip
CAMAT_STEP, SEKCAM_STEP, TIMER = "Task_TandatanganCamat", "Task_TandatanganAnCamat", "Timer_CamatBerhalangan"

pytestmark = pytest.mark.services


def _require(reason: str) -> None:
    if os.environ.get("PATEN_TEST_REQUIRE_SERVICES"):
        pytest.fail(f"{reason} (PATEN_TEST_REQUIRE_SERVICES is set)")
    pytest.skip(reason)


@pytest.fixture
def broker_url() -> Iterator[str]:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the production stack runs on PostgreSQL: run the suite with PATEN_DATABASE_URL")
    url = os.environ.get("PATEN_TEST_BROKER_URL", "")
    if not url.startswith("redis://"):
        _require("PATEN_TEST_BROKER_URL (a Redis database the tests may empty) is not set")
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=5)
        client.flushdb()  # no task left over from an earlier run
    except redis.RedisError as exc:
        _require(f"Redis at {url} does not answer: {exc}")
    yield url
    with contextlib.suppress(redis.RedisError):
        client.flushdb()


class Stack:
    """Celery processes started by one test, against the test database and the test Redis."""

    def __init__(self, tmp: Path, broker_url: str) -> None:
        from django.db import connection

        db = connection.settings_dict
        database_url = (
            f"postgres://{quote(db['USER'])}:{quote(str(db['PASSWORD']))}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{quote(db['NAME'])}"
        )
        self.env = {
            **os.environ,
            "PATEN_DATABASE_URL": database_url,
            "PATEN_BROKER_URL": broker_url,
            "PATEN_VAR_DIR": str(tmp),
            "PATEN_LETTERS_DIR": str(tmp / "letters"),
            "PATEN_MEDIA_DIR": str(tmp / "media"),
            "PATEN_TIMER_SWEEP_SECONDS": "1",
            "PATEN_SWEEP_SECONDS": "1",
            "PATEN_LOG_LEVEL": "WARNING",
        }
        self.env.pop("DJANGO_SETTINGS_MODULE", None)  # the portal's own settings, read from the environment
        self.tmp = tmp
        self.procs: dict[str, tuple[subprocess.Popen[bytes], Path]] = {}

    def start(self, name: str, *args: str) -> None:
        log = self.tmp / f"{name}.log"
        command = [sys.executable, "-m", "celery", "-A", "tasks.celery:app", *args, "--loglevel", "INFO"]
        with log.open("wb") as out:
            proc = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.procs[name] = (proc, log)

    def worker(self, name: str) -> None:
        self.start(name, "worker", "--hostname", f"{name}@paten-test", "--concurrency", "1",
                   "--without-mingle", "--without-gossip")  # fmt: skip
        self.wait_log(name, "ready.")

    def beat(self) -> None:
        self.start("beat", "beat", "--schedule", str(self.tmp / "celerybeat-schedule"))

    def send_sweeps(self, count: int) -> None:
        """Queue timer sweeps through Redis, as beat does (to the sweeps' own queue)."""
        from celery import Celery

        client = Celery("paten-test-client", broker=self.env["PATEN_BROKER_URL"], set_as_current=False)
        try:
            for _ in range(count):
                client.send_task("tasks.timers.fire_due_timers_task", queue="sweeps")
        finally:
            client.close()

    def log(self, name: str) -> str:
        return self.procs[name][1].read_text(errors="replace")

    def wait_log(self, name: str, text: str, *, timeout: float = 60) -> None:
        wait_for(lambda: text in self.log(name), timeout=timeout, what=f"{text!r} in {name}'s log", stack=self)

    def swept(self, name: str) -> list[int]:
        """What each timer sweep this worker finished returned (timers fired)."""
        pattern = r"tasks\.timers\.fire_due_timers_task\[[^\]]+\] succeeded in [0-9.]+s: (\d+)"
        return [int(n) for n in re.findall(pattern, self.log(name))]

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc, _ = self.procs[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=20)

    def stop(self) -> None:
        for name, (proc, _) in self.procs.items():
            if proc.poll() is None:
                self.kill(name, signal.SIGTERM)
            if proc.poll() is None:
                self.kill(name, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # a pool child left behind by its parent

    def tracebacks(self) -> str:
        return "\n".join(log.read_text(errors="replace")[-3000:] for _, log in self.procs.values())


def wait_for(check: Callable[[], bool], *, timeout: float, what: str, stack: Stack) -> None:
    """Poll for an outcome another process produces (not a clock: the clocks here are moved)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n{stack.tracebacks()}")
        time.sleep(0.1)


@pytest.fixture
def stack(broker_url: str, transactional_db: Any, users: Any, deployed: Any, tmp_path: Path) -> Iterator[Stack]:
    running = Stack(tmp_path, broker_url)
    try:
        yield running
    finally:
        running.stop()


def _at_camat_signing(users: Any, count: int, *, signed_from: datetime) -> list[int]:
    """`count` requests waiting for the camat's signature since `signed_from` (timer due 2 h later)."""
    from portal.workflow.models import HumanTask
    from portal.workflow.services.human_tasks import human_task_complete
    from portal.workflow.services.registration import request_register

    ids = []
    for _ in range(count):
        at = signed_from - timedelta(minutes=10)
        instance = request_register(
            service_code=SERVICE, applicant=APPLICANT, data=START, actor=users["loket1"], now=at
        )
        for bpmn_id, who, data in (
            ("Task_PeriksaKelengkapan", "loket1", {"hasil_pemeriksaan": "lengkap"}),
            ("Task_VerifikasiData", "kasi1", {"hasil_verifikasi": "sesuai"}),
        ):
            at += timedelta(minutes=5)
            step = HumanTask.objects.get(instance=instance, bpmn_id=bpmn_id, status="ready")
            human_task_complete(human_task_id=step.pk, actor=users[who], data=data, now=at)
        ids.append(instance.pk)
    return ids


def _fired_counts(ids: list[int]) -> dict[int, int]:
    from django.db.models import Count

    from portal.workflow.models import InstanceEvent

    rows = (
        InstanceEvent.objects.filter(instance_id__in=ids, type="timer_fired")
        .values("instance_id")
        .annotate(n=Count("id"))
    )
    counts = dict.fromkeys(ids, 0)
    counts.update({row["instance_id"]: row["n"] for row in rows})
    return counts


def _escalated_consistently(ids: list[int]) -> tuple[set[int], set[int]]:
    """(escalated, untouched); fails if any instance is half-way (every firing is one transaction)."""
    from portal.workflow.events import chain_verify
    from portal.workflow.models import HumanTask, ProcessInstance, TimerSchedule

    fired = _fired_counts(ids)
    escalated, untouched = set(), set()
    for instance in ProcessInstance.objects.filter(pk__in=ids):
        steps = {h.bpmn_id: h.status for h in HumanTask.objects.filter(instance=instance)}
        timer = TimerSchedule.objects.get(instance=instance, bpmn_id=TIMER)
        assert fired[instance.pk] <= 1, f"instance {instance.pk}: timer fired {fired[instance.pk]} times"
        if fired[instance.pk] == 1:
            assert timer.fired_at is not None
            assert steps[CAMAT_STEP] == "cancelled" and steps[SEKCAM_STEP] == "ready", steps
            escalated.add(instance.pk)
        else:
            assert timer.fired_at is None and steps[CAMAT_STEP] == "ready" and SEKCAM_STEP not in steps, steps
            untouched.add(instance.pk)
        assert chain_verify(instance) == [], f"instance {instance.pk}: event chain broken"
    return escalated, untouched


def test_beat_and_a_worker_escalate_a_late_signing_by_themselves(stack: Stack, users: Any) -> None:
    from django.utils import timezone

    from portal.workflow.models import HumanTask, ProcessInstance

    # The camat has had the letter for 3 hours: the 2-hour boundary timer is due.
    (instance_id,) = _at_camat_signing(users, 1, signed_from=timezone.now() - timedelta(hours=3))
    instance = ProcessInstance.objects.get(pk=instance_id)
    assert HumanTask.objects.get(instance=instance, bpmn_id=CAMAT_STEP).status == "ready"

    stack.worker("w1")
    stack.beat()  # nobody calls anything from here on
    wait_for(
        lambda: HumanTask.objects.filter(instance=instance, bpmn_id=SEKCAM_STEP, status="ready").exists(),
        timeout=60, what="the sekcam's signing step", stack=stack,
    )  # fmt: skip
    escalated, _ = _escalated_consistently([instance_id])
    assert escalated == {instance_id}
    sekcam_step = HumanTask.objects.get(instance=instance, bpmn_id=SEKCAM_STEP)
    assert sekcam_step.role == "sekcam"
    # Later sweeps find nothing more to fire.
    swept_before = len(stack.swept("w1"))
    wait_for(lambda: len(stack.swept("w1")) >= swept_before + 2, timeout=30, what="two more sweeps", stack=stack)
    assert _fired_counts([instance_id]) == {instance_id: 1}
    assert sum(stack.swept("w1")) == 1
    assert "Traceback" not in stack.log("w1"), stack.log("w1")[-3000:]


def test_two_workers_sweeping_at_once_fire_every_timer_exactly_once(stack: Stack, users: Any) -> None:
    from django.utils import timezone

    ids = _at_camat_signing(users, 60, signed_from=timezone.now() - timedelta(hours=3))
    stack.worker("w1")
    stack.worker("w2")
    stack.send_sweeps(4)  # four sweeps at the same moment, two on each worker
    wait_for(lambda: len(stack.swept("w1")) + len(stack.swept("w2")) == 4, timeout=120, what="four sweeps", stack=stack)
    escalated, untouched = _escalated_consistently(ids)
    assert escalated == set(ids) and not untouched
    assert sum(stack.swept("w1")) + sum(stack.swept("w2")) == len(ids)
    assert stack.swept("w1") and stack.swept("w2"), "both workers swept"


def test_a_worker_killed_mid_sweep_loses_nothing(stack: Stack, users: Any) -> None:
    from django.utils import timezone

    from portal.workflow.models import TimerSchedule

    ids = _at_camat_signing(users, 150, signed_from=timezone.now() - timedelta(hours=3))
    stack.worker("w1")
    stack.send_sweeps(1)

    def fired() -> int:
        return TimerSchedule.objects.filter(instance_id__in=ids, fired_at__isnull=False).count()

    wait_for(lambda: fired() >= 5, timeout=60, what="the sweep to start firing", stack=stack)
    stack.kill("w1")  # SIGKILL to the worker and its pool child: no chance to finish anything
    at_kill = fired()
    assert at_kill < len(ids), "the sweep finished before it could be killed; prepare more timers"
    escalated, untouched = _escalated_consistently(ids)
    assert len(escalated) == at_kill and len(untouched) == len(ids) - at_kill

    # A new worker with beat: the next sweeps fire what was left, each exactly once.
    stack.worker("w2")
    stack.beat()
    wait_for(lambda: fired() == len(ids), timeout=120, what="the rest to fire", stack=stack)
    escalated, untouched = _escalated_consistently(ids)
    assert escalated == set(ids) and not untouched
