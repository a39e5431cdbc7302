"""Every list with many open requests: p50/p95 of each list endpoint and page, on SQLite and PostgreSQL.

    .venv/bin/python bench/lists.py                          # 100,000 open requests
    .venv/bin/python bench/lists.py --requests 2000 --repeat 5
    PATEN_BENCH_DATABASE_URL=postgres://paten:paten@127.0.0.1:5432/paten .venv/bin/python bench/lists.py

SQLite always (a throwaway file); PostgreSQL as well when PATEN_BENCH_DATABASE_URL names a server on
loopback whose role may CREATE DATABASE (a database `paten_bench_lists_<pid>` is made there and
dropped at the end). Each database runs in a child process of its own.

The load generator: every service of processes/ (one scenario each, its steps up to any timer) is
driven through the portal's services as far as each of its human steps, one request per step
(`request_register`, `human_task_complete`; a few steps also claimed with `human_task_claim`). Those
requests are templates: the other requests are copies of their rows, written in bulk, until
--requests are open: the request (with its workflow state), its steps, the lists' work items and
name keys, its armed timers and its event log (re-hashed for the copy's number). Each copy gets its
own number, applicant (name, NIK), kecamatan and village (the four offices in turn) and moment:
registrations are spread over the last --days days, every time of a copy moved by the same amount,
so a step due four working hours after it opened is late once that has passed. A Babulu copy of a
claimed template keeps its officer; copies elsewhere are unclaimed.

Then, in process through Django's test client (session, middleware, view, template: everything but
the socket), as Babulu's officers, the camat, the auditor and an applicant with a PIN: each list's
first page and a later page, --repeat times after one warm-up fetch. One JSON line per list:
p50/p95/mean/max in ms, the queries of one fetch, the rows shown, the target where the issue sets
one; then one line per database with the build times and the machine's load. Numbers are reported,
not asserted.
"""

from __future__ import annotations

import argparse
import copy
import gc
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    DEFAULT_PASSWORD,
    PROCESSES,
    USER_FOR_ROLE,
    Scratch,
    django_setup,
    each_database,
    emit,
    note,
    percentile,
    r,
)

BENCH = "lists"
OFFICES = ("babulu", "penajam", "sepaku", "waru")
CHUNK = 1000  # requests per transaction while copying
CLAIMED_EVERY = 25  # one Babulu copy in this many is a claimed template's
TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
FIRST_NAMES = (
    "Siti", "Ahmad", "Muhammad", "Nur", "Dewi", "Budi", "Rahmawati", "Agus", "Sri", "Hendra", "Wulan", "Yusuf",
    "Fitri", "Rizky", "Aminah", "Bambang", "Indah", "Joko", "Kartini", "Lestari", "Made", "Nyoman", "Putri", "Rudi",
)  # fmt: skip
LAST_NAMES = (
    "Aminah", "Santoso", "Hidayat", "Lestari", "Saputra", "Wati", "Pratama", "Rahman", "Sari", "Kusuma", "Nugroho",
    "Wijaya", "Halim", "Syahputra", "Maulana", "Anggraini", "Setiawan", "Purnama", "Utami", "Ramadhan",
)  # fmt: skip
# The lists measured: (name, who, how, target p95 in ms). "how" is a path or a callable step.
TARGETS = {"task API": 50.0, "worklist page": 50.0, "camat's inbox": 100.0, "overdue counts": 100.0}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--requests", type=int, default=100_000, help="open requests (default 100000)")
    p.add_argument("--repeat", type=int, default=30, help="measured fetches of each list (default 30)")
    p.add_argument("--days", type=int, default=120, help="registrations spread over this many days (default 120)")
    p.add_argument("--services", default="", help="comma-separated service codes for templates (default: all)")
    p.add_argument("--database", choices=("sqlite", "postgresql"), help=argparse.SUPPRESS)  # a child's
    p.add_argument("--explain", action="store_true", help="print each list query's plan to stderr")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory and database")
    # run_all passes these to every benchmark; this one has nothing to profile.
    p.add_argument("--profile", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--no-profile", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.requests < 1 or args.repeat < 1 or args.days < 1:
        p.error("--requests, --repeat and --days must be >= 1")
    return args


# --- the databases ---------------------------------------------------------------------------------


def seed(password: str) -> None:
    """What `seed_demo` does for these lists: users posted to their offices, services, catalogue."""
    from portal.accounts.services import demo_users_ensure
    from portal.directory.services import demo_postings_ensure
    from portal.operations.services import catalogue_load
    from portal.workflow.services.definitions import catalogue_files, definitions_deploy

    demo_users_ensure(password=password)
    demo_postings_ensure()
    files = catalogue_files(PROCESSES)
    definitions_deploy(files=files)
    catalogue_load(directory=PROCESSES)


# --- the templates, through the services -------------------------------------------------------------


@dataclass
class Template:
    instance_id: int
    pin: str
    claimed: bool


def _scenario(service: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The service's scenario with the most human steps before any timer: (start, steps)."""
    best: tuple[dict[str, Any], list[dict[str, Any]]] | None = None
    for path in sorted((PROCESSES / "scenarios" / service).glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        steps = []
        for step in raw.get("steps", []):
            if "fire_timers_after" in step:
                break
            steps.append(step)
        if best is None or len(steps) > len(best[1]):
            best = (raw["start"], steps)
    if best is None:
        raise SystemExit(f"no scenario for {service}")
    return best


def _drive(service: str, start: dict[str, Any], steps: list[dict[str, Any]], *, claim: bool) -> Template | None:
    """One request registered by the counter and completed through `steps`; its open step claimed."""
    from django.contrib.auth import get_user_model

    from portal.accounts.enums import OFFICER_ROLES
    from portal.core.errors import ServiceError
    from portal.workflow.enums import OPEN_HUMAN_TASK
    from portal.workflow.models import HumanTask
    from portal.workflow.services.human_tasks import human_task_claim, human_task_complete
    from portal.workflow.services.registration import request_register

    users = get_user_model().objects
    try:
        instance = request_register(
            service_code=service, applicant=copy.deepcopy(start["applicant"]),
            data=copy.deepcopy(start.get("data", {})), actor=users.get(username=USER_FOR_ROLE["loket"]),
        )  # fmt: skip
        for step in steps:
            open_step = HumanTask.objects.filter(
                instance=instance, bpmn_id=step["bpmn_id"], status__in=OPEN_HUMAN_TASK
            ).first()
            if open_step is None:
                return None
            actor = users.get(username=USER_FOR_ROLE[step["role"]])
            data = copy.deepcopy(step.get("data") or {})
            human_task_complete(human_task_id=open_step.pk, actor=actor, data=data)
        waiting = HumanTask.objects.filter(instance=instance, status__in=OPEN_HUMAN_TASK).order_by("pk").first()
        if waiting is None:
            return None
        if claim:
            if waiting.role not in OFFICER_ROLES:
                return None
            human_task_claim(human_task_id=waiting.pk, actor=users.get(username=USER_FOR_ROLE[waiting.role]))
    except ServiceError as exc:
        note(f"{BENCH}: {service}: a template stopped: {exc}")
        return None
    return Template(instance.pk, instance.access_pin, claim)


def templates_make(services: list[str]) -> list[Template]:
    """One request per human step of each service's scenario (open at that step), and a claimed one
    per officer role."""
    made: list[Template] = []
    claimed_roles: set[str] = set()
    for service in services:
        start, steps = _scenario(service)
        for k in range(len(steps)):
            template = _drive(service, start, steps[:k], claim=False)
            if template is None:
                continue
            made.append(template)
            role = steps[k]["role"]
            if role not in claimed_roles and role != "pemohon":
                claimed = _drive(service, start, steps[:k], claim=True)
                if claimed is not None:
                    made.append(claimed)
                    claimed_roles.add(role)
    return made


# --- the copies --------------------------------------------------------------------------------------


@dataclass
class Rows:
    """A template's rows, read once."""

    instance: Any
    steps: list[Any]
    items: list[Any]
    timers: list[Any]
    events: list[Any]
    claimed: bool
    pin: str


def _values(row: Any, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        f.attname: getattr(row, f.attname)
        for f in type(row)._meta.concrete_fields
        if not f.primary_key and f.attname not in skip
    }


def _shifted(values: dict[str, Any], delta: timedelta) -> dict[str, Any]:
    return {k: (v + delta if isinstance(v, datetime) else v) for k, v in values.items()}


def _suffix(number: int) -> str:
    digits = []
    for _ in range(6):
        number, rest = divmod(number, len(TRACKING_ALPHABET))
        digits.append(TRACKING_ALPHABET[rest])
    return "".join(reversed(digits))


@dataclass
class Plan:
    """Who each copy is: its template, office, village, applicant, number and moment."""

    count: int
    days: int
    now: datetime
    offices: list[Any]
    villages: dict[int, list[Any]]
    taken: set[str]
    rng: random.Random = field(default_factory=lambda: random.Random(20261207))

    def moment(self, n: int) -> datetime:
        return self.now - timedelta(days=self.days) * (self.count - n) / self.count

    def tracking_number(self, n: int, at: datetime) -> str:
        from django.utils import timezone

        number = f"{timezone.localtime(at):%y%m%d}-{_suffix(n + 1)}"
        while number in self.taken:
            number = f"{timezone.localtime(at):%y%m%d}-{_suffix(self.rng.randrange(32**6))}"
        self.taken.add(number)
        return number

    def applicant(self, n: int) -> tuple[str, str]:
        name = f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {LAST_NAMES[(n // len(FIRST_NAMES)) % len(LAST_NAMES)]}"
        return name, f"6409{n:012d}"


def templates_read(templates: list[Template]) -> list[Rows]:
    from portal.workflow.models import HumanTask, InstanceEvent, ProcessInstance, TimerSchedule, WorkItem

    found = []
    for t in templates:
        instance = ProcessInstance.objects.get(pk=t.instance_id)
        found.append(
            Rows(
                instance=instance,
                steps=list(HumanTask.objects.filter(instance=instance).order_by("pk")),
                items=list(WorkItem.objects.filter(instance_id=instance.pk).order_by("pk")),
                timers=list(TimerSchedule.objects.filter(instance=instance).order_by("pk")),
                events=list(InstanceEvent.objects.filter(instance=instance).order_by("seq")),
                claimed=t.claimed,
                pin=t.pin,
            )
        )
    return found


def _template_for(rows: list[Rows], n: int, office_slug: str) -> Rows:
    claimed = [t for t in rows if t.claimed]
    unclaimed = [t for t in rows if not t.claimed]
    if office_slug == "babulu" and claimed and n % CLAIMED_EVERY == 0:
        return claimed[(n // (CLAIMED_EVERY * len(OFFICES))) % len(claimed)]  # each role's officer in turn
    return unclaimed[n % len(unclaimed)]


def _event_payload(payload: Any, step_ids: dict[int, int], delta: timedelta, name: str, nik: str) -> Any:
    if not isinstance(payload, dict):
        return payload
    payload = dict(payload)
    if payload.get("human_task_id") in step_ids:
        payload["human_task_id"] = step_ids[payload["human_task_id"]]
    if isinstance(payload.get("due_at"), str):
        payload["due_at"] = (datetime.fromisoformat(payload["due_at"]) + delta).isoformat()
    initial = payload.get("initial_data")
    if isinstance(initial, dict) and isinstance(initial.get("applicant"), dict):
        payload["initial_data"] = {**initial, "applicant": {**initial["applicant"], "name": name, "nik": nik}}
    return payload


def copies_make(rows: list[Rows], plan: Plan, *, first: int, count: int) -> None:
    """Copies `first`..`first + count - 1` of the plan, in one transaction."""
    from django.db import transaction

    from portal.workflow.models import HumanTask, ProcessInstance

    with transaction.atomic():
        made = []
        for n in range(first, first + count):
            office = plan.offices[n % len(plan.offices)]
            template = _template_for(rows, n, office.slug)
            at = plan.moment(n)
            delta = at - template.instance.created_at
            village = plan.villages[office.pk][(n // len(plan.offices)) % len(plan.villages[office.pk])]
            name, nik = plan.applicant(n)
            values = _shifted(_values(template.instance), delta)
            values.update(
                tracking_number=plan.tracking_number(n, at), office_id=office.pk, applicant_village_id=village.pk,
                applicant_name=name, applicant_nik=nik,
            )  # fmt: skip
            made.append((ProcessInstance(**values), template, delta, village, office))
        ProcessInstance.objects.bulk_create([m[0] for m in made], batch_size=500)
        steps = []
        for instance, template, delta, _village, office in made:
            keep_claims = office.slug == "babulu"
            for step in template.steps:
                values = _shifted(_values(step), delta)
                values["instance_id"] = instance.pk
                if not keep_claims and values["status"] == "claimed":
                    values.update(status="ready", assignee_id=None, claimed_at=None)
                steps.append(HumanTask(**values))
        HumanTask.objects.bulk_create(steps, batch_size=2000)
        _dependents_make(made, steps, plan)


def _dependents_make(made: list[tuple[Any, ...]], steps: list[Any], plan: Plan) -> None:
    """The copies' work items, name keys, timers and event logs (re-hashed), and their log heads."""
    from portal.core.text import word_start_keys
    from portal.workflow.events import GENESIS, event_hash
    from portal.workflow.models import InstanceEvent, NameKey, ProcessInstance, TimerSchedule, WorkItem

    items, keys, timers, events = [], [], [], []
    cursor = 0
    for instance, template, delta, village, office in made:
        mine = steps[cursor : cursor + len(template.steps)]
        cursor += len(template.steps)
        step_ids = {old.pk: new.pk for old, new in zip(template.steps, mine, strict=True)}
        by_id = {new.pk: new for new in mine}
        for item in template.items:
            step = by_id[step_ids[item.pk]]
            values = _shifted(_values(item, skip=("human_task_id",)), delta)
            values.update(
                human_task_id=step.pk, instance_id=instance.pk, office_id=office.pk,
                tracking_number=instance.tracking_number, applicant_name=instance.applicant_name,
                village_id=village.pk, village_name=village.name,
                status=step.status, assignee_id=step.assignee_id, claimed_at=step.claimed_at,
            )  # fmt: skip
            items.append(WorkItem(**values))
        keys += [
            NameKey(instance_id=instance.pk, office_id=office.pk, key=k)
            for k in word_start_keys(instance.applicant_name)
        ]
        timers += [
            TimerSchedule(**{**_shifted(_values(t), delta), "instance_id": instance.pk}) for t in template.timers
        ]
        prev = GENESIS
        for e in template.events:
            payload = _event_payload(e.payload, step_ids, delta, instance.applicant_name, instance.applicant_nik)
            at = e.at + delta
            digest = event_hash(
                prev_hash=prev, tracking_number=instance.tracking_number, seq=e.seq, type=e.type,
                actor=e.actor_username, at=at.isoformat(), payload=payload,
            )  # fmt: skip
            values = {**_values(e), "instance_id": instance.pk, "at": at, "payload": payload, "prev_hash": prev}
            events.append(InstanceEvent(**{**values, "hash": digest}))
            prev = digest
        instance.last_event_seq, instance.last_event_hash = template.events[-1].seq, prev
    WorkItem.objects.bulk_create(items, batch_size=2000)
    NameKey.objects.bulk_create(keys, batch_size=2000)
    TimerSchedule.objects.bulk_create(timers, batch_size=2000)
    InstanceEvent.objects.bulk_create(events, batch_size=2000)
    ProcessInstance.objects.bulk_update([m[0] for m in made], ["last_event_seq", "last_event_hash"], batch_size=500)


def plan_make(count: int, days: int) -> Plan:
    from django.utils import timezone

    from portal.directory.models import Office, Village
    from portal.workflow.models import ProcessInstance

    offices = [Office.objects.get(slug=slug) for slug in OFFICES]
    villages = {o.pk: list(Village.objects.filter(office=o).order_by("code")) for o in offices}
    taken = set(ProcessInstance.objects.values_list("tracking_number", flat=True))
    return Plan(count=count, days=days, now=timezone.now(), offices=offices, villages=villages, taken=taken)


def database_analyze() -> None:
    """PostgreSQL: what autovacuum does after a bulk load (statistics and the visibility map)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("workflow_workitem", "workflow_namekey", "workflow_processinstance", "workflow_humantask"):
                cursor.execute(f"VACUUM ANALYZE {table}")


# --- the measurements ------------------------------------------------------------------------------


@dataclass
class Measured:
    name: str
    who: str
    path: str
    times: list[float]
    queries: int
    rows: int | None
    plans: list[tuple[str, list[str]]] = field(default_factory=list)


def _explain(sql: str, params: Any) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(("EXPLAIN " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN ") + sql, params)
        return [str(row[-1]) for row in cursor.fetchall()]


def measure(name: str, who: str, fetch: Any, repeat: int, *, rows_of: Any, explain: bool) -> Measured:
    """Fetch once to warm, once counting its queries, then `repeat` times timed."""
    from django.db import connection

    response = fetch()
    queries: list[tuple[str, Any]] = []

    def counted(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        response = fetch()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fetch()
        times.append(time.perf_counter() - t0)
    plans = []
    if explain:
        plans = [(sql, _explain(sql, params)) for sql, params in queries if '"workflow_' in sql and "SELECT" in sql]
    request = getattr(response, "request", {})
    path = request.get("PATH_INFO", "") + (f"?{request['QUERY_STRING']}" if request.get("QUERY_STRING") else "")
    return Measured(name, who, path, times, len(queries), rows_of(response), plans)


def _ok(response: Any) -> Any:
    if response.status_code != 200:
        raise SystemExit(f"{response.request.get('PATH_INFO')}: HTTP {response.status_code}")
    return response


def _html_rows(marker: str) -> Any:
    return lambda response: response.content.decode().count(marker)


def _json_rows(response: Any) -> int:
    body = response.json()
    return len(body["results"]) if isinstance(body, dict) and "results" in body else len(body)


def clients() -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from portal.accounts.services import api_token_issue

    users = {u.username: u for u in get_user_model().objects.all()}
    made: dict[str, Any] = {"applicant": Client()}
    for username in ("loket1", "kasi1", "camat1", "auditor1"):
        page = Client()
        page.force_login(users[username])
        key = api_token_issue(user=users[username], label="bench").key
        made[username] = page
        made[f"{username} API"] = Client(headers={"Authorization": f"Token {key}", "Accept": "application/json"})
    return made


def _later(client: Any, url: str, pages: int) -> str:
    """The URL of the API page `pages` pages after `url` (following `next`)."""
    for _ in range(pages):
        following = _ok(client.get(url)).json()["next"]
        if not following:
            break
        url = following
    return url


def _later_page(client: Any, path: str, pages: int) -> str:
    """The URL of the page `pages` pages after `path`'s first (following its rel="next" link)."""
    import html
    import re

    url = path
    for _ in range(pages):
        found = re.search(r'href="([^"]+)" rel="next"', _ok(client.get(url)).content.decode())
        if not found:
            break
        url = path + html.unescape(found.group(1))
    return url


def lists_measure(templates: list[Template], repeat: int, *, explain: bool) -> list[Measured]:
    from portal.workflow.models import ProcessInstance

    c = clients()
    # A request registered through the services (in Babulu), with the PIN it was given.
    known = next(t for t in templates if not t.claimed)
    sample = ProcessInstance.objects.get(pk=known.instance_id)
    tracking = {"tracking_number": sample.tracking_number, "pin": known.pin}
    steps_api = "/api/v1/tasks/"
    later_tasks = _later(c["kasi1 API"], steps_api, 20)
    later_approvals = _later(c["camat1 API"], "/api/v1/approvals/", 20)
    later_worklist = _later_page(c["loket1"], "/kerja/", 20)
    later_recent = _later_page(c["auditor1"], "/audit/", 20)
    row = '<tr data-task="'
    found_row = 'data-label="Nomor registrasi"><a href="/audit/'
    cases = [
        ("task API", "kasi1", lambda: _ok(c["kasi1 API"].get(steps_api)), _json_rows),
        ("task API, 21st page", "kasi1", lambda: _ok(c["kasi1 API"].get(later_tasks)), _json_rows),
        ("task API", "loket1", lambda: _ok(c["loket1 API"].get(steps_api)), _json_rows),
        ("task API, one request", "loket1",
         lambda: _ok(c["loket1 API"].get(steps_api, {"tracking_number": sample.tracking_number})), _json_rows),
        ("worklist page", "loket1", lambda: _ok(c["loket1"].get("/kerja/")), _html_rows(row)),
        ("worklist page", "kasi1", lambda: _ok(c["kasi1"].get("/kerja/")), _html_rows(row)),
        ("worklist page, 21st page", "loket1", lambda: _ok(c["loket1"].get(later_worklist)), _html_rows(row)),
        ("worklist page, late", "camat1", lambda: _ok(c["camat1"].get("/kerja/", {"status": "terlambat"})),
         _html_rows(row)),
        ("camat's inbox", "camat1", lambda: _ok(c["camat1"].get("/persetujuan/")),
         _html_rows('type="checkbox" name="human_task_ids"')),
        ("camat's inbox API", "camat1", lambda: _ok(c["camat1 API"].get("/api/v1/approvals/")), _json_rows),
        ("camat's inbox API, 21st page", "camat1", lambda: _ok(c["camat1 API"].get(later_approvals)), _json_rows),
        ("overdue counts", "camat1", lambda: _ok(c["camat1 API"].get("/api/v1/tasks/overdue/")), _json_rows),
        ("overdue counts", "auditor1", lambda: _ok(c["auditor1 API"].get("/api/v1/tasks/overdue/")), _json_rows),
        ("tracking (PIN)", "applicant",
         lambda: _ok(c["applicant"].post("/api/v1/tracking/", tracking, content_type="application/json")),
         lambda response: len(response.json()["current_steps"])),
        ("request detail", "kasi1", lambda: _ok(c["kasi1 API"].get(f"/api/v1/requests/{sample.tracking_number}/")),
         lambda response: len(response.json()["current_steps"])),
        ("auditor's search, number", "auditor1",
         lambda: _ok(c["auditor1"].get("/audit/", {"q": sample.tracking_number.lower()})), _html_rows(found_row)),
        ("auditor's search, NIK", "auditor1",
         lambda: _ok(c["auditor1"].get("/audit/", {"q": sample.applicant_nik})), _html_rows(found_row)),
        ("auditor's search, name", "auditor1", lambda: _ok(c["auditor1"].get("/audit/", {"q": "siti"})),
         _html_rows(found_row)),
        ("auditor's recent requests", "auditor1", lambda: _ok(c["auditor1"].get("/audit/")), _html_rows(found_row)),
        ("auditor's recent, 21st page", "auditor1", lambda: _ok(c["auditor1"].get(later_recent)),
         _html_rows(found_row)),
    ]  # fmt: skip
    found = []
    gc.collect()  # what building the requests left behind is not collected during a measurement
    for name, who, fetch, rows_of in cases:
        found.append(measure(name, who, fetch, repeat, rows_of=rows_of, explain=explain))
        note(f"{BENCH}: {name} ({who}): p95 {percentile(found[-1].times, 95) * 1000:.1f} ms")
    return found


# --- one database, and the parent ------------------------------------------------------------------


def _line(m: Measured, database: str, requests: int) -> dict[str, Any]:
    target = TARGETS.get(m.name)
    p95 = percentile(m.times, 95) * 1000.0
    return {
        "bench": BENCH, "database": database, "open_requests": requests, "list": m.name, "as": m.who,
        "path": m.path, "p50_ms": r(percentile(m.times, 50) * 1000.0), "p95_ms": r(p95),
        "mean_ms": r(statistics.fmean(m.times) * 1000.0), "max_ms": r(max(m.times) * 1000.0), "queries": m.queries,
        "rows": m.rows, "repeat": len(m.times), "target_p95_ms": target,
        "met": None if target is None else p95 < target,
    }  # fmt: skip


def _uptime() -> str:
    env = {**os.environ, "TZ": "UTC"}  # Django set the process's zone to WITA
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, timeout=5, env=env).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def run_one(args: argparse.Namespace) -> int:
    """Build the requests on one database and measure its lists (a child process)."""
    database = args.database
    tmp = Path(tempfile.mkdtemp(prefix="paten-bench-lists-"))
    scratch = None
    if database == "postgresql":
        scratch = Scratch(os.environ["PATEN_BENCH_DATABASE_URL"], f"paten_bench_lists_{os.getpid()}")
        scratch.create()
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        t0 = time.perf_counter()
        django_setup(tmp, scratch.url if scratch is not None else None)
        seed(os.environ.get("PATEN_DEMO_PASSWORD", DEFAULT_PASSWORD))
        setup_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        services = [s for s in args.services.split(",") if s] or sorted(p.stem for p in PROCESSES.glob("*.bpmn"))
        templates = templates_make(services)
        templates_s = time.perf_counter() - t0
        note(f"{BENCH} ({database}): {len(templates)} requests through the services in {templates_s:.1f} s")
        t0 = time.perf_counter()
        rows = templates_read(templates)
        count = max(args.requests - len(templates), 0)
        plan = plan_make(count, args.days)
        for first in range(0, count, CHUNK):
            copies_make(rows, plan, first=first, count=min(CHUNK, count - first))
            if (first // CHUNK) % 10 == 9:
                note(f"{BENCH} ({database}): {first + CHUNK} copies")
        database_analyze()
        copies_s = time.perf_counter() - t0
        note(f"{BENCH} ({database}): {count} copies in {copies_s:.1f} s")
        measured = lists_measure(templates, args.repeat, explain=args.explain)
        open_now = open_requests_count()
        for m in measured:
            emit(_line(m, database, open_now))
            for sql, lines in m.plans:
                note(f"-- {m.name}: {sql[:200]}\n   " + "\n   ".join(lines))
        with_target = [m for m in measured if m.name in TARGETS]
        emit({
            "bench": BENCH, "database": database, "summary": True, "open_requests": open_now,
            "templates": len(templates), "setup_seconds": r(setup_s, 1), "templates_seconds": r(templates_s, 1),
            "copies_seconds": r(copies_s, 1),
            "targets_met": all(percentile(m.times, 95) * 1000.0 < TARGETS[m.name] for m in with_target),
            "load_average": [r(x, 2) for x in os.getloadavg()], "uptime": _uptime(), "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
        })  # fmt: skip
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 - Django may not have been set up
            pass
        if scratch is not None and not args.keep:
            scratch.drop()
        if args.keep:
            note(f"{BENCH}: kept {tmp}" + (f" and database {scratch.name}" if scratch is not None else ""))
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


def open_requests_count() -> int:
    from portal.workflow.models import ProcessInstance

    return ProcessInstance.objects.filter(status="running").count()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.database:
        return run_one(args)
    return each_database(BENCH, __file__, argv)


if __name__ == "__main__":
    raise SystemExit(main())
