"""Due timers fired by several Celery workers at once on PostgreSQL and Redis: time, rate, double firings.

Needs a PostgreSQL server whose role may CREATE DATABASE and a Redis server, both on loopback:

    PATEN_BENCH_DATABASE_URL=postgres://paten:paten@127.0.0.1:5432/paten \
    PATEN_BENCH_BROKER_URL=redis://127.0.0.1:6379/14 \
    .venv/bin/python bench/timers_pg.py [--instances 10000] [--workers 2]

Without them (or when they do not answer) it prints one JSON line saying why it skipped and exits 0;
with PATEN_BENCH_REQUIRE_SERVICES set (CI, which starts both servers itself) it then exits 1.

1. A fresh database `paten_bench_<pid>` is created on that server and migrated by `manage.py
   migrate` (PATEN_DATABASE_URL pointing to it, PATEN_VAR_DIR in a temporary directory); it is
   dropped at the end, also on failure, Ctrl-C or SIGTERM (unless --keep).
2. The demo users, villages, processes and catalogue are set up with the real services, then one
   pengantar-skck request is registered and driven with the services' `now=` three hours in the
   past, up to the camat's signing step whose 2-hour boundary timer is therefore due. That instance
   is cloned with bulk_create (instance row, human-task rows, timer row, and its event chain
   re-hashed for the clone's tracking number with the portal's event_hash) until there
   are --instances of them, plus one more that this process fires itself with the real service
   first, to check that a clone escalates to the sekcam with an intact chain.
3. --workers Celery workers (`celery -A tasks.celery:app worker --concurrency 1 --pool prefork`,
   no beat) start in their own process groups, consuming a queue private to this run, with
   PATEN_TIMER_SWEEP_BUDGET large so one sweep may run until nothing is due. Once all answer a
   ping, the sweep task is sent once per worker at the same moment; when every sweep sent has
   finished and timers are still due, another round is sent (at most --max-rounds).
4. The clock stops when no unfired due timer row is left (the database is polled every 0.2 s).
   Then: timers fired (timer_fired events), instances with more than one timer_fired event
   (double firings), instances whose signing step moved to the sekcam, each worker's share (the
   sweeps' return values from the workers' "succeeded in" log lines) and the chains of a sample of
   instances checked with the portal's chain_verify. Reported, not asserted. The CPU time
   of the workers, of this database's PostgreSQL backends and of everything else on the machine
   meanwhile (`other_cpu_seconds`: another load competing for the CPUs) says what bounded the rate.

One JSON line. The workers' process groups are stopped at the end (SIGTERM, then SIGKILL).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import ipaddress
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import yaml
from _common import (
    DEFAULT_PASSWORD,
    DJANGO_SETTINGS_MODULE,
    PROCESSES,
    ROOT,
    USER_FOR_ROLE,
    emit,
    ensure_root_on_path,
    note,
    r,
    stop_group,
)
from api_throughput import group_cpu_seconds, manage

BENCH = "timers_pg"
SERVICE = "pengantar-skck"
SCENARIO = PROCESSES / "scenarios" / SERVICE / "eskalasi-sekcam-an-camat.yaml"
SWEEP_TASK = "tasks.timers.fire_due_timers_task"
# The template request is registered this long ago, so the signing step's PT2H timer is long due.
BACKDATE = timedelta(hours=3)
CLONE_CHUNK = 1000  # instances per transaction while cloning
POLL_SECONDS = 0.2
SUCCEEDED = re.compile(
    r"Task " + re.escape(SWEEP_TASK) + r"\[(?P<id>[0-9a-f-]+)\] succeeded in (?P<seconds>[0-9.e+-]+)s: (?P<fired>-?\d+)"
)
RAISED = re.compile(r"Task " + re.escape(SWEEP_TASK) + r"\[(?P<id>[0-9a-f-]+)\] raised")
SWEEP_INSTANCE_FAILED = "timer sweep: instance"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--instances", type=int, default=10_000, help="instances with a due timer (default 10000)")
    p.add_argument("--workers", type=int, default=2, help="Celery worker processes (default 2)")
    p.add_argument("--verify-sample", type=int, default=500, help="event chains checked afterwards (default 500)")
    p.add_argument("--max-rounds", type=int, default=5, help="rounds of sweeps sent at most (default 5)")
    p.add_argument("--timeout", type=float, default=1800.0, help="seconds allowed for the firing (default 1800)")
    p.add_argument("--startup-timeout", type=float, default=90.0, help="seconds to wait for the workers (default 90)")
    p.add_argument("--keep", action="store_true", help="keep the database and the temporary directory (worker logs)")
    # run_all passes these to every benchmark; this one has nothing to profile in process.
    p.add_argument("--profile", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--no-profile", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.instances < 1 or args.workers < 1 or args.max_rounds < 1 or args.verify_sample < 0:
        p.error("--instances, --workers and --max-rounds must be >= 1, --verify-sample >= 0")
    return args


# --- the servers ---------------------------------------------------------------------------------


def _is_loopback(host: str | None) -> bool:
    if not host or host.startswith("/"):
        return True  # a Unix socket (or the client's default, which is local)
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _skip(reason: str) -> int:
    emit({"bench": BENCH, "skipped": True, "reason": reason})
    # Where the servers are known to be there, a skip hides a fault: count it as a failure.
    if os.environ.get("PATEN_BENCH_REQUIRE_SERVICES"):
        note(f"{BENCH}: skipping is a failure here (PATEN_BENCH_REQUIRE_SERVICES is set)")
        return 1
    return 0


def servers_problem(database_url: str | None, broker_url: str | None) -> str | None:
    """Why the benchmark cannot run here, or None when both servers answer."""
    if not database_url:
        return "PATEN_BENCH_DATABASE_URL is not set (a PostgreSQL server URL whose role may CREATE DATABASE)"
    if not broker_url:
        return "PATEN_BENCH_BROKER_URL is not set (e.g. redis://127.0.0.1:6379/14)"
    db, broker = urlsplit(database_url), urlsplit(broker_url)
    if db.scheme not in ("postgres", "postgresql"):
        return f"PATEN_BENCH_DATABASE_URL is not a postgres:// URL (scheme {db.scheme!r})"
    if broker.scheme != "redis":
        return f"PATEN_BENCH_BROKER_URL is not a redis:// URL (scheme {broker.scheme!r})"
    for name, parts in (("PATEN_BENCH_DATABASE_URL", db), ("PATEN_BENCH_BROKER_URL", broker)):
        if not _is_loopback(parts.hostname):
            return f"{name} is not a loopback address ({parts.hostname}); this benchmark only uses loopback"
    import psycopg
    import redis

    try:
        with psycopg.connect(database_url, connect_timeout=5, autocommit=True) as conn:
            may_create = conn.execute("SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user")
            row = may_create.fetchone()
            if not row or not row[0]:
                return "the PostgreSQL role of PATEN_BENCH_DATABASE_URL may not CREATE DATABASE"
    except psycopg.Error as exc:
        return f"PostgreSQL at PATEN_BENCH_DATABASE_URL does not answer: {str(exc).strip()[:200]}"
    try:
        client = redis.Redis.from_url(broker_url, socket_connect_timeout=5, socket_timeout=5)
        try:
            client.ping()
        finally:
            client.close()
    except redis.RedisError as exc:
        return f"Redis at PATEN_BENCH_BROKER_URL does not answer: {str(exc).strip()[:200]}"
    return None


class ScratchDatabase:
    """A database of its own on the benchmark's server, dropped again at the end."""

    def __init__(self, server_url: str, name: str) -> None:
        self.server_url = server_url
        self.name = name
        self.url = urlsplit(server_url)._replace(path="/" + name).geturl()
        self.created = False

    def create(self) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.server_url, connect_timeout=5, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
        self.created = True

    def drop(self) -> None:
        if not self.created:
            return
        import psycopg
        from psycopg import sql

        # FORCE ends sessions still connected (a worker that had to be killed).
        with psycopg.connect(self.server_url, connect_timeout=5, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))
        self.created = False

    def server_version(self) -> str:
        import psycopg

        with psycopg.connect(self.url, connect_timeout=5) as conn:
            row = conn.execute("SHOW server_version").fetchone()
        return str(row[0]).split()[0] if row else ""


# --- the workers ---------------------------------------------------------------------------------


def group_members(pgids: set[int]) -> list[int]:
    """Pids of live processes in any of these process groups (from /proc)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        fields = text[text.rfind(")") + 2 :].split()
        if len(fields) > 2 and int(fields[2]) in pgids and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def machine_cpu_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat (zeros elsewhere)."""
    try:
        ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return 0.0, 0.0
    hz = os.sysconf("SC_CLK_TCK")
    user, nice, system, _idle, _iowait, irq, softirq, steal = ticks
    # Time the hypervisor stole is neither ours nor another process's: left out of both.
    return (user + nice + system + irq + softirq) / hz, (sum(ticks) - steal) / hz


def postgres_cpu_by_pid(database: str) -> dict[int, float]:
    """CPU seconds (user + system) of each live server backend connected to `database`, from /proc."""
    hz = os.sysconf("SC_CLK_TCK")
    found = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            text = (entry / "stat").read_text()
            if text[text.find("(") + 1 : text.rfind(")")] != "postgres":
                continue
            # A backend's title: "postgres: <cluster>: <user> <database> <client> <state>".
            if f" {database} " not in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                continue
        except OSError:
            continue
        fields = text[text.rfind(")") + 2 :].split()
        found[int(entry.name)] = (int(fields[11]) + int(fields[12])) / hz
    return found


@dataclass
class Worker:
    """One `celery worker` in its own process group, logging to a file."""

    number: int
    command: list[str]
    env: dict[str, str]
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None
    _log: Any = None

    @property
    def label(self) -> str:
        return f"bench{self.number}"

    @property
    def nodename(self) -> str:
        from celery.utils.nodenames import host_format

        return str(host_format(f"{self.label}@%h"))

    def start(self) -> None:
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def stop(self) -> None:
        proc = self.proc
        if proc is None:
            return
        stop_group(proc, name=f"{BENCH}: worker {self.label}", grace=30)  # warm shutdown first
        if self._log is not None:
            self._log.close()
            self._log = None


@dataclass
class SweepLog:
    """What the workers' logs say about the sweeps sent: results by task id, per worker."""

    fired: dict[str, int] = field(default_factory=dict)  # task id -> timers fired
    seconds: dict[str, float] = field(default_factory=dict)
    worker_of: dict[str, str] = field(default_factory=dict)
    raised: set[str] = field(default_factory=set)
    instance_failures: int = 0

    @classmethod
    def read(cls, workers: list[Worker]) -> SweepLog:
        result = cls()
        for w in workers:
            text = w.log_text()
            result.instance_failures += text.count(SWEEP_INSTANCE_FAILED)
            for m in SUCCEEDED.finditer(text):
                result.fired[m["id"]] = int(m["fired"])
                result.seconds[m["id"]] = float(m["seconds"])
                result.worker_of[m["id"]] = w.label
            for m in RAISED.finditer(text):
                result.raised.add(m["id"])
                result.worker_of[m["id"]] = w.label
        return result

    def finished(self) -> set[str]:
        return set(self.fired) | self.raised


def wait_workers_ready(app: Any, workers: list[Worker], timeout: float) -> float:
    """Seconds until every worker answered a ping."""
    t0 = time.monotonic()
    waiting = {w.nodename for w in workers}
    while waiting:
        for w in workers:
            assert w.proc is not None
            if w.proc.poll() is not None:
                raise SystemExit(f"worker {w.label} exited with status {w.proc.returncode}:\n{w.log_tail()}")
        if time.monotonic() - t0 > timeout:
            tails = "\n".join(f"--- {w.label}\n{w.log_tail()}" for w in workers if w.nodename in waiting)
            raise SystemExit(f"workers did not answer a ping within {timeout:.0f}s:\n{tails}")
        for reply in app.control.ping(destination=sorted(waiting), timeout=1.0) or []:
            waiting -= set(reply)
    return time.monotonic() - t0


# --- the instances -------------------------------------------------------------------------------


@dataclass
class Prepared:
    template_id: int
    probe_id: int
    timed_step: str
    escalated_step: str
    migrate_seconds: float = 0.0
    seed_seconds: float = 0.0
    template_seconds: float = 0.0
    clone_seconds: float = 0.0
    probe_seconds: float = 0.0


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = DJANGO_SETTINGS_MODULE
    ensure_root_on_path()
    os.chdir(ROOT)
    import django

    django.setup()


@functools.cache
def portal() -> SimpleNamespace:
    """The portal code this benchmark uses, imported here and nowhere else in this file.

    The portal's modules are being rearranged; when a name moves, only this function changes.
    Call it after django.setup().
    """
    from portal.accounts.services import demo_users_ensure
    from portal.directory.services import demo_postings_ensure
    from portal.operations.services import catalogue_load
    from portal.workflow.enums import EventType, HumanTaskStatus
    from portal.workflow.events import GENESIS, chain_verify, event_hash
    from portal.workflow.models import HumanTask, InstanceEvent, ProcessInstance, TimerSchedule
    from portal.workflow.services.definitions import catalogue_files, definitions_deploy
    from portal.workflow.services.human_tasks import human_task_complete
    from portal.workflow.services.registration import request_register
    from portal.workflow.services.timers import instance_timers_fire

    return SimpleNamespace(
        demo_users_ensure=demo_users_ensure,
        catalogue_load=catalogue_load,
        demo_postings_ensure=demo_postings_ensure,
        definitions_deploy=definitions_deploy,
        catalogue_files=catalogue_files,
        request_register=request_register,
        human_task_complete=human_task_complete,
        instance_timers_fire=instance_timers_fire,
        chain_verify=chain_verify,
        event_hash=event_hash,
        GENESIS=GENESIS,
        EventType=EventType,
        HumanTaskStatus=HumanTaskStatus,
        HumanTask=HumanTask,
        InstanceEvent=InstanceEvent,
        ProcessInstance=ProcessInstance,
        TimerSchedule=TimerSchedule,
    )


def seed(password: str) -> None:
    """What `seed_demo` and the tests' `deployed` fixture do: users, villages, processes, catalogue."""
    api = portal()
    api.demo_users_ensure(password=password)
    api.demo_postings_ensure()  # the kecamatan and villages too
    files = api.catalogue_files(PROCESSES)
    api.definitions_deploy(files=files)
    api.catalogue_load(directory=PROCESSES)


def template_make() -> tuple[int, str, str]:
    """One request driven by the services, in the past, up to the step whose timer is now due.

    Returns (instance id, bpmn id of the waiting step, bpmn id of the step the timer leads to).
    """
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    api = portal()
    HumanTask, TimerSchedule, ready = api.HumanTask, api.TimerSchedule, api.HumanTaskStatus.READY
    scenario = yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))
    steps = scenario["steps"]
    cut = next(i for i, s in enumerate(steps) if "fire_timers_after" in s)
    users = {u.username: u for u in get_user_model().objects.all()}
    now = timezone.now()
    at = now - BACKDATE
    instance = api.request_register(
        service_code=SERVICE,
        applicant=scenario["start"]["applicant"],
        data=scenario["start"].get("data", {}),
        actor=users[USER_FOR_ROLE["loket"]],
        now=at,
    )
    for step in steps[:cut]:
        at += timedelta(minutes=1)
        row = HumanTask.objects.get(instance=instance, bpmn_id=step["bpmn_id"], status=ready)
        api.human_task_complete(
            human_task_id=row.pk, actor=users[USER_FOR_ROLE[step["role"]]], data=step.get("data") or {}, now=at
        )
    waiting = list(HumanTask.objects.filter(instance=instance, status=ready))
    timers = list(TimerSchedule.objects.filter(instance=instance, fired_at=None, cancelled_at=None))
    if len(waiting) != 1 or len(timers) != 1 or timers[0].due_at > now:
        raise SystemExit(
            f"{SCENARIO.name}: expected one waiting step with one due timer, found steps "
            f"{[h.bpmn_id for h in waiting]} and timers {[(t.bpmn_id, t.due_at.isoformat()) for t in timers]}"
        )
    return instance.pk, waiting[0].bpmn_id, steps[cut + 1]["bpmn_id"]


_TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # as portal.workflow.services draws them


def _suffix(number: int) -> str:
    digits = []
    for _ in range(6):
        number, rest = divmod(number, len(_TRACKING_ALPHABET))
        digits.append(_TRACKING_ALPHABET[rest])
    return "".join(reversed(digits))


def _copy(row: Any, **overrides: Any) -> Any:
    """An unsaved copy of a model row (JSON values are shared, bulk_create only serializes them)."""
    model = type(row)
    values = {f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields if not f.primary_key}
    values.update(overrides)
    return model(**values)


def clones_make(template_id: int, count: int) -> list[int]:
    """`count` copies of the template instance with their own tracking numbers and event chains."""
    from django.db import transaction

    api = portal()
    HumanTask, InstanceEvent, ProcessInstance = api.HumanTask, api.InstanceEvent, api.ProcessInstance
    TimerSchedule, event_hash = api.TimerSchedule, api.event_hash
    template = ProcessInstance.objects.get(pk=template_id)
    tasks = list(HumanTask.objects.filter(instance=template).order_by("id"))
    timers = list(TimerSchedule.objects.filter(instance=template).order_by("id"))
    events = list(InstanceEvent.objects.filter(instance=template).order_by("seq"))
    prefix = template.tracking_number.split("-")[0]
    numbers = (f"{prefix}-{_suffix(n)}" for n in range(1, count + 2))
    tracking_numbers = [tn for tn in numbers if tn != template.tracking_number][:count]
    made: list[int] = []
    for start in range(0, count, CLONE_CHUNK):
        with transaction.atomic():
            instances = [_copy(template, tracking_number=tn) for tn in tracking_numbers[start : start + CLONE_CHUNK]]
            ProcessInstance.objects.bulk_create(instances, batch_size=500)
            new_tasks = [[_copy(t, instance_id=inst.pk) for t in tasks] for inst in instances]
            HumanTask.objects.bulk_create([t for group in new_tasks for t in group], batch_size=2000)
            TimerSchedule.objects.bulk_create(
                [_copy(t, instance_id=inst.pk) for inst in instances for t in timers], batch_size=2000
            )
            new_events = []
            for inst, group in zip(instances, new_tasks, strict=True):
                task_ids = {old.pk: new.pk for old, new in zip(tasks, group, strict=True)}
                prev = api.GENESIS
                for e in events:
                    payload = e.payload
                    if isinstance(payload, dict) and payload.get("human_task_id") in task_ids:
                        payload = {**payload, "human_task_id": task_ids[payload["human_task_id"]]}
                    digest = event_hash(
                        prev_hash=prev, tracking_number=inst.tracking_number, seq=e.seq, type=e.type,
                        actor=e.actor_username, at=e.at.isoformat(), payload=payload,
                    )  # fmt: skip
                    new_events.append(_copy(e, instance_id=inst.pk, payload=payload, prev_hash=prev, hash=digest))
                    prev = digest
                inst.last_event_seq, inst.last_event_hash = events[-1].seq, prev
            InstanceEvent.objects.bulk_create(new_events, batch_size=2000)
            ProcessInstance.objects.bulk_update(instances, ["last_event_seq", "last_event_hash"], batch_size=500)
            made.extend(inst.pk for inst in instances)
    return made


def probe_fire(instance_id: int, timed_step: str, escalated_step: str) -> None:
    """Fire one clone's timer with the real service here and check it escalated like a real instance."""
    from django.utils import timezone

    api = portal()
    fired = api.instance_timers_fire(instance_id=instance_id, now=timezone.now())
    steps = dict(api.HumanTask.objects.filter(instance_id=instance_id).values_list("bpmn_id", "status"))
    broken = api.chain_verify(api.ProcessInstance.objects.get(pk=instance_id))
    expected = {timed_step: api.HumanTaskStatus.CANCELLED, escalated_step: api.HumanTaskStatus.READY}
    if fired != 1 or any(steps.get(k) != v for k, v in expected.items()) or broken:
        raise SystemExit(
            f"a cloned instance does not fire like a real one: fired {fired}, steps {steps}, broken events {broken}"
        )


def prepare(args: argparse.Namespace, env: dict[str, str], password: str) -> Prepared:
    t0 = time.perf_counter()
    manage(env, "migrate", "--noinput", "-v", "0")
    migrate_s = time.perf_counter() - t0
    setup_django(env)
    t0 = time.perf_counter()
    seed(password)
    seed_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    template_id, timed_step, escalated_step = template_make()
    template_s = time.perf_counter() - t0
    note(f"{BENCH}: cloning it {args.instances} times: {args.instances - 1} to fire beside it, 1 to fire here first")
    t0 = time.perf_counter()
    clones = clones_make(template_id, args.instances)
    clone_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    probe_fire(clones[-1], timed_step, escalated_step)
    probe_s = time.perf_counter() - t0
    return Prepared(
        template_id=template_id, probe_id=clones[-1], timed_step=timed_step, escalated_step=escalated_step,
        migrate_seconds=migrate_s, seed_seconds=seed_s, template_seconds=template_s, clone_seconds=clone_s,
        probe_seconds=probe_s,
    )  # fmt: skip


# --- the firing ----------------------------------------------------------------------------------


@dataclass
class Firing:
    fire_seconds: float | None
    sent: list[str]
    rounds: int
    remaining: int
    timed_out: bool
    workers_cpu_seconds: float
    postgres_cpu_seconds: float
    other_cpu_seconds: float | None
    machine_cpu_utilisation: float | None
    log: SweepLog


def due_left(probe_id: int) -> int:
    from django.utils import timezone

    due = portal().TimerSchedule.objects.filter(fired_at=None, cancelled_at=None, due_at__lte=timezone.now())
    return due.exclude(instance_id=probe_id).count()


def fire(
    app: Any, workers: list[Worker], queue: str, database: str, prepared: Prepared, args: argparse.Namespace
) -> Firing:
    """Send one sweep per worker; more rounds while timers are due and every sweep sent has ended."""
    pgids = [w.proc.pid for w in workers if w.proc is not None]
    cpu0, pg0, own0 = sum(group_cpu_seconds(g) for g in pgids), postgres_cpu_by_pid(database), time.process_time()
    busy0, total0 = machine_cpu_seconds()
    sent: list[str] = []

    def send_round() -> None:
        for _ in workers:
            sent.append(str(app.send_task(SWEEP_TASK, queue=queue).id))

    t0 = time.perf_counter()
    send_round()
    rounds, fire_seconds, timed_out = 1, None, False
    pg_seen = dict(pg0)
    while True:
        # Celery closes a task's connections when it ends: sample the backends while they live.
        pg_seen.update(postgres_cpu_by_pid(database))
        # Read the logs before counting: a sweep that has logged its end has committed its work.
        log = SweepLog.read(workers)
        remaining = due_left(prepared.probe_id)
        elapsed = time.perf_counter() - t0
        if remaining == 0:
            fire_seconds = elapsed
            break
        if elapsed > args.timeout:
            timed_out = True
            break
        for w in workers:
            assert w.proc is not None
            if w.proc.poll() is not None:
                raise SystemExit(f"worker {w.label} exited with status {w.proc.returncode}:\n{w.log_tail()}")
        if log.finished() >= set(sent):
            if rounds >= args.max_rounds:
                note(f"{BENCH}: {remaining} timers still due after {rounds} rounds of sweeps; giving up")
                break
            note(f"{BENCH}: every sweep ended with {remaining} timers still due; sending round {rounds + 1}")
            send_round()
            rounds += 1
        time.sleep(POLL_SECONDS)
    busy, total = machine_cpu_seconds()
    cpu, own = sum(group_cpu_seconds(g) for g in pgids) - cpu0, time.process_time() - own0
    pg_seen.update(postgres_cpu_by_pid(database))
    pg_cpu = sum(seconds - pg0.get(pid, 0.0) for pid, seconds in pg_seen.items())  # to within one poll
    # Whatever else ran on the machine meanwhile (another test suite, say) competed for the CPUs.
    other = (busy - busy0) - cpu - pg_cpu - own if total > total0 else None
    machine = (busy - busy0) / (total - total0) if total > total0 else None
    # The rows are done; wait for the sweeps to log their results (each worker's share).
    deadline = time.monotonic() + (30 if not timed_out else 0)
    log = SweepLog.read(workers)
    while not log.finished() >= set(sent) and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        log = SweepLog.read(workers)
    return Firing(fire_seconds, sent, rounds, remaining, timed_out, cpu, pg_cpu, other, machine, log)


def outcome(prepared: Prepared, sample_size: int) -> dict[str, Any]:
    """Count what happened in the database (the probe instance left out) and check a sample of chains."""
    from django.db.models import Count

    api = portal()
    HumanTask, InstanceEvent, ProcessInstance = api.HumanTask, api.InstanceEvent, api.ProcessInstance
    EventType, HumanTaskStatus, TimerSchedule = api.EventType, api.HumanTaskStatus, api.TimerSchedule
    instances = ProcessInstance.objects.exclude(pk=prepared.probe_id)
    fired_events = InstanceEvent.objects.filter(type=EventType.TIMER_FIRED).exclude(instance_id=prepared.probe_id)
    per_instance = fired_events.values("instance_id").annotate(n=Count("id"))
    steps = HumanTask.objects.exclude(instance_id=prepared.probe_id)
    ids = list(instances.values_list("pk", flat=True))
    sample = sorted(random.Random(0).sample(ids, min(sample_size, len(ids))))
    if prepared.template_id not in sample and sample_size:
        sample.append(prepared.template_id)  # the one the services made, not a clone
    broken = [pk for pk in sample if api.chain_verify(ProcessInstance.objects.get(pk=pk))]
    timer_rows_fired = TimerSchedule.objects.exclude(instance_id=prepared.probe_id).exclude(fired_at=None)
    escalated = steps.filter(bpmn_id=prepared.escalated_step, status=HumanTaskStatus.READY)
    return {
        "instances": len(ids),
        "fired": fired_events.count(),
        "double_firings": per_instance.filter(n__gt=1).count(),
        "instances_fired": per_instance.count(),
        "timer_rows_fired": timer_rows_fired.count(),
        "escalated": escalated.values("instance_id").distinct().count(),
        "timed_step_cancelled": steps.filter(bpmn_id=prepared.timed_step, status=HumanTaskStatus.CANCELLED).count(),
        "chains_checked": len(sample),
        "chains_broken": len(broken),
        "chains_broken_ids": broken[:10],
    }


# --- main ----------------------------------------------------------------------------------------


def broker_cleanup(broker_url: str, queue: str) -> None:
    """Remove this run's queue (and its binding) from the broker's database."""
    import redis

    client = redis.Redis.from_url(broker_url, socket_connect_timeout=5, socket_timeout=5)
    try:
        keys = list(client.scan_iter(match=f"*{queue}*", count=1000))
        if keys:
            client.delete(*keys)
    except redis.RedisError as exc:
        note(f"{BENCH}: could not remove the queue {queue} from the broker: {exc}")
    finally:
        client.close()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    database_url = os.environ.get("PATEN_BENCH_DATABASE_URL", "").strip()
    broker_url = os.environ.get("PATEN_BENCH_BROKER_URL", "").strip()
    problem = servers_problem(database_url, broker_url)
    if problem:
        return _skip(problem)
    password = os.environ.get("PATEN_DEMO_PASSWORD", DEFAULT_PASSWORD)

    pid = os.getpid()
    database = ScratchDatabase(database_url, f"paten_bench_{pid}")
    queue = f"paten-bench-timers-{pid}"
    tmp = Path(tempfile.mkdtemp(prefix="paten-bench-timers-"))
    env = dict(os.environ)
    env.update(
        {
            "PATEN_DATABASE_URL": database.url,
            "PATEN_BROKER_URL": broker_url,
            "PATEN_VAR_DIR": str(tmp),
            "PATEN_DEMO_PASSWORD": password,
            # One sweep may run until nothing is due (the default budget leaves a backlog to the next).
            "PATEN_TIMER_SWEEP_BUDGET": "86400",
        }
    )
    env.pop("PATEN_DB_PATH", None)
    python = ROOT / ".venv" / "bin" / "python"
    python_cmd = str(python if python.exists() else Path(sys.executable))
    worker_cmd = [python_cmd, "-m", "celery", "-A", "tasks.celery:app", "worker", "--concurrency", "1",
                  "--pool", "prefork", "-Q", queue, "--loglevel", "INFO"]  # fmt: skip
    workers = [
        Worker(n, [*worker_cmd, "-n", f"bench{n}@%h"], env, tmp / f"worker-bench{n}.log")
        for n in range(1, args.workers + 1)
    ]

    def on_term(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, on_term)
    app = None
    try:
        try:
            database.create()
        except Exception as exc:  # noqa: BLE001 - any refusal means this machine cannot run it
            return _skip(f"could not create the database {database.name}: {str(exc).strip()[:200]}")
        note(f"{BENCH}: database {database.name}, queue {queue}, temporary directory {tmp}")
        t0 = time.perf_counter()
        prepared = prepare(args, env, password)
        prepare_seconds = time.perf_counter() - t0
        note(f"{BENCH}: prepared {args.instances} instances in {prepare_seconds:.1f}s; starting {args.workers} workers")

        from django.db import connection

        from tasks.celery import app as celery_app

        app = celery_app
        connection.close()  # the workers get the server to themselves while they start
        for w in workers:
            w.start()
        ready_seconds = wait_workers_ready(app, workers, args.startup_timeout)
        note(f"{BENCH}: workers ready after {ready_seconds:.1f}s; sending {args.workers} sweeps")
        firing = fire(app, workers, queue, database.name, prepared, args)
        for w in workers:
            w.stop()
        stray = group_members({w.proc.pid for w in workers if w.proc is not None})
        if firing.fire_seconds is not None:
            note(f"{BENCH}: no due timer left after {firing.fire_seconds:.2f}s; counting")
        result = outcome(prepared, args.verify_sample)
        log = firing.log
        per_worker = {w.label: 0 for w in workers}
        sweeps = {w.label: [] for w in workers}
        for task_id in firing.sent:
            label = log.worker_of.get(task_id)
            if label is not None and task_id in log.fired:
                per_worker[label] += log.fired[task_id]
                sweeps[label].append({"fired": log.fired[task_id], "seconds": r(log.seconds[task_id], 2)})
        fired = result["fired"]
        emit(
            {
                "bench": BENCH,
                "instances": result["instances"],
                "workers": args.workers,
                "prepare_seconds": r(prepare_seconds, 2),
                "fire_seconds": r(firing.fire_seconds) if firing.fire_seconds is not None else None,
                "timers_per_second": r(fired / firing.fire_seconds, 1) if firing.fire_seconds else None,
                "double_firings": result["double_firings"],
                "fired": fired,
                "per_worker": per_worker,
                "database": "postgresql",
                "broker": "redis",
                "postgresql_version": database.server_version(),
                "instances_fired": result["instances_fired"],
                "timer_rows_fired": result["timer_rows_fired"],
                "escalated_to": {prepared.escalated_step: result["escalated"]},
                "cancelled": {prepared.timed_step: result["timed_step_cancelled"]},
                "unfired_due_left": firing.remaining,
                "timed_out": firing.timed_out,
                "sweeps_sent": len(firing.sent),
                "sweep_rounds": firing.rounds,
                "sweeps": sweeps,
                "sweeps_raised": len(log.raised & set(firing.sent)),
                "sweep_instance_failures": log.instance_failures,
                "chains_checked": result["chains_checked"],
                "chains_broken": result["chains_broken"],
                "chains_broken_ids": result["chains_broken_ids"],
                "workers_cpu_seconds": r(firing.workers_cpu_seconds, 2),
                "workers_cpu_ms_per_timer": r(firing.workers_cpu_seconds * 1000.0 / fired, 3) if fired else None,
                "postgres_cpu_seconds": r(firing.postgres_cpu_seconds, 2),
                "other_cpu_seconds": r(firing.other_cpu_seconds, 2) if firing.other_cpu_seconds is not None else None,
                "machine_cpu_utilisation": r(firing.machine_cpu_utilisation, 2)
                if firing.machine_cpu_utilisation is not None
                else None,
                "workers_ready_seconds": r(ready_seconds, 2),
                "prepare": {
                    "method": "1 instance through the services, the rest cloned with bulk_create",
                    "migrate_seconds": r(prepared.migrate_seconds, 2),
                    "seed_seconds": r(prepared.seed_seconds, 2),
                    "template_seconds": r(prepared.template_seconds, 2),
                    "clone_seconds": r(prepared.clone_seconds, 2),
                    "probe_fire_seconds": r(prepared.probe_seconds, 3),
                },
                "stray_processes": len(stray),
                "service": SERVICE,
                "poll_seconds": POLL_SECONDS,
                "cpus": os.cpu_count(),
            }
        )
    finally:
        for w in workers:
            w.stop()
        signal.signal(signal.SIGTERM, previous)
        if app is not None:
            with contextlib.suppress(Exception):
                app.pool.force_close_all()
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        broker_cleanup(broker_url, queue)
        if args.keep:
            note(f"{BENCH}: kept the database {database.name} and {tmp} (worker logs)")
        else:
            try:
                database.drop()
            except Exception as exc:  # noqa: BLE001 - report, then carry on cleaning up
                note(f"{BENCH}: could not drop the database {database.name}: {exc}")
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
