"""Cost per step of a whole request through the portal's service layer versus raw SpiffWorkflow.

A step is the registration of the request or the completion of one human task.

* service layer: the portal's request_register, then human_task_complete for each
  step by a demo user holding the step's role. Everything a real command does is included:
  the transaction, the row lock, loading the stored state, running the engine, storing the new
  state, human-task and timer rows and the hash-chained events. The throwaway SQLite database
  lives in a temporary directory (PATEN_DB_PATH / PATEN_VAR_DIR are set before django.setup()).
* raw SpiffWorkflow: the same BPMN parsed once by CamundaParser and run in memory; each step
  finds the ready user task, updates its data, runs it, calls do_engine_steps() and then does a
  naive JSON round trip with BpmnWorkflowSerializer (Camunda DEFAULT_CONFIG): serialize_json
  then deserialize_json of the whole workflow, spec included. Its script engine is SpiffWorkflow's
  plain PythonScriptEngine (unrestricted eval) whose globals hold plain-Python equivalents of the
  helpers the PATEN engine gives diagram code (working_hours() in sktm's timer, ...), over the
  engine's built-in office calendar (no override table, no database).

For context two more numbers are measured (not part of the ratio): raw SpiffWorkflow without the
save/load, and the PATEN engine alone (engine.Instance with a JSON dump/restore of its spec-free
state per step, no Django).

Output: one JSON line; a second line with a cProfile summary of the service layer when the ratio
is above the target (or with --profile).

    .venv/bin/python bench/engine_vs_raw.py [--requests 30] [--warmup 3] [--profile]

On SQLite (a file in a temporary directory), and on PostgreSQL as well when PATEN_BENCH_DATABASE_URL
names a server whose role may CREATE DATABASE (a scratch database of the run's own, dropped after);
each database in a child process of its own, one JSON line each.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import functools
import gc
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from _common import (
    DEFAULT_PASSWORD,
    DEFAULT_SCENARIO,
    PROCESSES,
    USER_FOR_ROLE,
    Scratch,
    breakdown_of,
    django_setup,
    each_database,
    emit,
    function_key,
    load_scenario,
    note,
    percentile,
    r,
    service_definition,
    service_files,
    stats_table,
    top_functions,
)

TARGET_RATIO_MAX = 2.0
TARGET_STATEMENTS_MAX = 8  # per completion, the command's own (see count_queries)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--requests", type=int, default=30, help="measured requests per variant (default 30)")
    p.add_argument("--warmup", type=int, default=3, help="unmeasured requests per variant first (default 3)")
    p.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO, help="scenario YAML (default sktm happy path)")
    p.add_argument("--profile", action="store_true", help="print the profile line even when the ratio is on target")
    p.add_argument("--no-profile", action="store_true", help="never profile")
    p.add_argument("--profile-requests", type=int, default=10, help="requests run under cProfile (default 10)")
    p.add_argument("--keep", action="store_true", help="keep the temporary database directory")
    p.add_argument("--database", choices=("sqlite", "postgresql"), help=argparse.SUPPRESS)  # a child's
    args = p.parse_args(argv)
    if args.requests < 1 or args.warmup < 0 or args.profile_requests < 1:
        p.error("--requests and --profile-requests must be >= 1, --warmup >= 0")
    return args


# --- setup ---------------------------------------------------------------------------------------


@functools.cache
def portal() -> SimpleNamespace:
    """The portal code this benchmark uses, imported here and nowhere else in this file.

    The portal's modules are being rearranged; when a name moves, only this function changes.
    Call it after django.setup().
    """
    from portal.accounts.selectors import user_roles
    from portal.accounts.services import demo_users_ensure
    from portal.directory.selectors import office_scope
    from portal.directory.services import demo_postings_ensure
    from portal.operations.services import catalogue_load
    from portal.workflow.enums import OPEN_HUMAN_TASK
    from portal.workflow.models import HumanTask, ProcessInstance
    from portal.workflow.services.definitions import definitions_deploy
    from portal.workflow.services.human_tasks import human_task_complete
    from portal.workflow.services.registration import request_register

    return SimpleNamespace(
        demo_users_ensure=demo_users_ensure,
        user_roles=user_roles,
        office_scope=office_scope,
        demo_postings_ensure=demo_postings_ensure,
        catalogue_load=catalogue_load,
        definitions_deploy=definitions_deploy,
        request_register=request_register,
        human_task_complete=human_task_complete,
        open_human_task_statuses=OPEN_HUMAN_TASK,
        HumanTask=HumanTask,
        ProcessInstance=ProcessInstance,
    )


def portal_seed(service: str, password: str) -> None:
    api = portal()
    api.demo_users_ensure(password=password)  # the kecamatan and villages come with the directory migration
    api.demo_postings_ensure()
    api.definitions_deploy(files=service_files(service))
    # Standards, the authority registry and letter templates: the signing step issues a letter.
    api.catalogue_load(directory=PROCESSES)


DELEGATED = {"status": "delegated", "office": "", "legal_basis": ""}


# --- service layer -------------------------------------------------------------------------------


class ServiceRunner:
    """One request at a time through the portal's service layer, timing only the service calls."""

    def __init__(self, scenario: dict[str, Any]) -> None:
        from django.contrib.auth import get_user_model

        api = portal()
        self.scenario = scenario
        # The two commands measured; count_queries() swaps in counting wrappers for one request.
        self.register: Any = api.request_register
        self.complete: Any = api.human_task_complete
        self.open_statuses = api.open_human_task_statuses
        self.human_tasks = api.HumanTask.objects
        self.instances = api.ProcessInstance.objects
        self.users = get_user_model().objects

    def _actor(self, role: str) -> Any:
        # A fresh user object per command, as an authenticated API request would have (so the
        # role lookup inside the service is measured too).
        return self.users.get(username=USER_FOR_ROLE[role])

    def request(self, profiler: cProfile.Profile | None = None) -> tuple[list[float], Any]:
        start = self.scenario["start"]
        times: list[float] = []
        actor = self._actor("loket")
        applicant, data = copy.deepcopy(start["applicant"]), copy.deepcopy(start.get("data", {}))
        if profiler is not None:
            profiler.enable()
        t0 = time.perf_counter()
        instance = self.register(service_code=self.scenario["service"], applicant=applicant, data=data, actor=actor)
        times.append(time.perf_counter() - t0)
        if profiler is not None:
            profiler.disable()
        for number, step in enumerate(self.scenario["portal_steps"], start=1):
            task_id = (
                self.human_tasks.filter(instance=instance, bpmn_id=step["bpmn_id"], status__in=self.open_statuses)
                .values_list("pk", flat=True)
                .first()
            )
            if task_id is None:
                raise SystemExit(f"service layer: step {number} {step['bpmn_id']} is not open")
            actor = self._actor(step["role"])
            step_data = copy.deepcopy(step.get("data") or {})
            if profiler is not None:
                profiler.enable()
            t0 = time.perf_counter()
            self.complete(human_task_id=task_id, actor=actor, data=step_data)
            times.append(time.perf_counter() - t0)
            if profiler is not None:
                profiler.disable()
        instance = self.instances.get(pk=instance.pk)
        if instance.status != "completed":
            raise SystemExit(f"service layer: request {instance.tracking_number} did not complete")
        return times, instance


# --- raw SpiffWorkflow ---------------------------------------------------------------------------


def raw_helpers() -> dict[str, Any]:
    """Plain-Python equivalents of the helpers engine/scripting.py gives diagram code.

    The diagrams call them in timers and conditions (sktm's reminder is `working_hours(2)`), so
    a script engine without them fails on the first such expression. They are written here, not
    taken from engine/scripting.py, so the raw side stays SpiffWorkflow's own PythonScriptEngine;
    the office calendar is the engine's built-in one (WITA office hours, national holidays and
    Ramadan hours) through the engine's public API, built once: no override table, no database,
    and "now" is the wall clock, as a first-time user of SpiffWorkflow would have it.
    """
    from datetime import UTC, date, datetime, timedelta
    from zoneinfo import ZoneInfo

    import engine

    calendar = engine.WorkCalendar()
    office_tz = ZoneInfo("Asia/Makassar")  # WITA, the office's zone, as engine/clock.py

    def now() -> datetime:
        return datetime.now(UTC)

    def is_working_day(day: date | str | None = None) -> bool:
        if isinstance(day, str):  # form dates arrive as text; a timestamp counts by its WITA date
            day = datetime.fromisoformat(day) if len(day) > 10 else date.fromisoformat(day)
        return calendar.is_working_day(now() if day is None else day)

    def is_working_time(moment: datetime | str | None = None) -> bool:
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment)
        return calendar.is_working_time(now() if moment is None else moment)

    return {
        "now": now,
        "today": lambda: now().astimezone(office_tz).date(),
        "days": lambda n: timedelta(days=n),
        "hours": lambda n: timedelta(hours=n),
        "iso": lambda value: value.isoformat(),
        "timezone": lambda: UTC,
        # ISO 8601 deadlines in UTC, usable as a timeDate, as the engine's helpers return them.
        "working_days": lambda n: calendar.add_working_days(now(), n).isoformat(),
        "working_hours": lambda n: calendar.add_working_hours(now(), n).isoformat(),
        "is_working_day": is_working_day,
        "is_working_time": is_working_time,
    }


class RawRunner:
    """The same process run by SpiffWorkflow alone, the way a first-time user would write it."""

    def __init__(self, scenario: dict[str, Any], bpmn: Path) -> None:
        from SpiffWorkflow.bpmn import BpmnWorkflow
        from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
        from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
        from SpiffWorkflow.camunda.parser import CamundaParser
        from SpiffWorkflow.camunda.serializer import DEFAULT_CONFIG
        from SpiffWorkflow.util.task import TaskState

        parser = CamundaParser()
        parser.add_bpmn_file(str(bpmn))
        parser.add_bpmn_files([str(p) for p in sorted(bpmn.parent.glob("shared/*.bpmn"))])  # what it calls
        code = scenario["service"]
        self.spec = parser.get_spec(code)
        self.subprocess_specs = parser.get_subprocess_specs(code)
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(DEFAULT_CONFIG))
        self.script_engine = PythonScriptEngine(environment=TaskDataEnvironment(raw_helpers()))
        self.workflow_class = BpmnWorkflow
        self.ready = TaskState.READY
        self.scenario = scenario
        self.last_json_bytes = 0

    def _save_load(self, workflow: Any) -> Any:
        text = self.serializer.serialize_json(workflow)
        self.last_json_bytes = len(text.encode("utf-8"))
        restored = self.serializer.deserialize_json(text)
        # The script engine is not serialized: a restored workflow has a bare default one.
        restored.script_engine = self.script_engine
        return restored

    def request(self, *, save: bool = True) -> list[float]:
        start = self.scenario["start"]
        times: list[float] = []
        initial = {
            **copy.deepcopy(start.get("data", {})),
            "applicant": copy.deepcopy(start["applicant"]),
            "authority": dict(DELEGATED),
        }
        t0 = time.perf_counter()
        workflow = self.workflow_class(self.spec, self.subprocess_specs, script_engine=self.script_engine)
        workflow.task_tree.data.update(initial)
        workflow.do_engine_steps()
        if save:
            workflow = self._save_load(workflow)
        times.append(time.perf_counter() - t0)
        for number, step in enumerate(self.scenario["steps"], start=1):
            step_data = copy.deepcopy(step.get("data") or {})
            t0 = time.perf_counter()
            ready = [
                t for t in workflow.get_tasks(state=self.ready, manual=True) if t.task_spec.bpmn_id == step["bpmn_id"]
            ]
            if not ready:
                raise SystemExit(f"raw SpiffWorkflow: step {number} {step['bpmn_id']} is not ready")
            task = ready[0]
            task.data.update(step_data)
            task.run()
            workflow.do_engine_steps()
            if save:
                workflow = self._save_load(workflow)
            times.append(time.perf_counter() - t0)
        if not workflow.completed:
            raise SystemExit("raw SpiffWorkflow: the workflow did not complete")
        return times


# --- the PATEN engine without Django (context only) ---------------------------------------------


class EngineRunner:
    """engine.Instance with a JSON round trip of its spec-free state per step; no database."""

    def __init__(self, scenario: dict[str, Any], bpmn: Path) -> None:
        import engine

        self.engine = engine
        self.definition = service_definition(bpmn.stem)
        self.scenario = scenario

    def request(self) -> list[float]:
        from datetime import UTC, datetime

        engine = self.engine
        start = self.scenario["start"]
        times: list[float] = []
        applicant, data = copy.deepcopy(start["applicant"]), copy.deepcopy(start.get("data", {}))
        t0 = time.perf_counter()
        now = datetime.now(UTC)
        cleaned = engine.validate_start_data(self.definition, data)
        running = engine.Instance.start(
            self.definition, {**cleaned, "applicant": applicant, "authority": dict(DELEGATED)}, now=now
        )
        state = json.dumps(running.dump())
        running.ready_human_tasks()
        running.waiting_timers()
        times.append(time.perf_counter() - t0)
        for step in self.scenario["steps"]:
            step_data = copy.deepcopy(step.get("data") or {})
            t0 = time.perf_counter()
            running = engine.Instance.restore(self.definition, json.loads(state))
            guid = next(h.guid for h in running.ready_human_tasks() if h.bpmn_id == step["bpmn_id"])
            running.complete_human_task(guid, step_data, now=datetime.now(UTC))
            state = json.dumps(running.dump())
            running.ready_human_tasks()
            running.waiting_timers()
            times.append(time.perf_counter() - t0)
        if running.status is not engine.InstanceStatus.COMPLETED:
            raise SystemExit("engine: the instance did not complete")
        return times


# --- measuring -----------------------------------------------------------------------------------


def measure(variants: dict[str, Any], warmup: int, requests: int) -> dict[str, list[float]]:
    """Warm every variant up, then run them round-robin, one request each per round, so that
    noise from the machine (other processes, garbage collection) falls on all of them alike."""
    for _ in range(warmup):
        for run in variants.values():
            run()
    gc.collect()
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(requests):
        for name, run in variants.items():
            times[name].extend(run())
    return times


def summary(times: list[float]) -> dict[str, float | None]:
    ms = [t * 1000.0 for t in times]
    return {
        "mean": r(statistics.fmean(ms)),
        "p50": r(percentile(ms, 50)),
        "p95": r(percentile(ms, 95)),
    }


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def count_queries(runner: ServiceRunner) -> dict[str, Any]:
    """SQL statements of one more request's service calls (the lookups between steps are not counted).

    Two counts per call: everything the call ran (`all`: with a fresh user object, so the role and
    posting lookups, and BEGIN/COMMIT), and the command's own statements (`command`: the actor's
    roles and posting read before the call, as the API's authentication does once per HTTP request,
    and no transaction control).
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = portal()
    counts: dict[str, list[int]] = {"all": [], "command": []}
    original_register, original_complete, original_actor = runner.register, runner.complete, runner._actor
    warm = {"on": False}

    def counted(fn: Any) -> Any:
        def wrapper(**kwargs: Any) -> Any:
            with CaptureQueriesContext(connection) as ctx:
                result = fn(**kwargs)
            sqls = [q["sql"] for q in ctx.captured_queries]
            key = "command" if warm["on"] else "all"
            counts[key].append(len([s for s in sqls if not s.upper().startswith(TRANSACTION_CONTROL)]) if warm["on"]
                               else len(sqls))  # fmt: skip
            return result

        return wrapper

    def warmed_actor(role: str) -> Any:
        user = original_actor(role)
        api.user_roles(user)
        api.office_scope(user)
        return user

    runner.register, runner.complete = counted(original_register), counted(original_complete)
    try:
        runner.request()
        warm["on"], runner._actor = True, warmed_actor  # type: ignore[method-assign]
        runner.request()
    finally:
        runner.register, runner.complete, runner._actor = original_register, original_complete, original_actor  # type: ignore[method-assign]
    every, own = counts["all"], counts["command"]
    return {
        "db_queries_per_step": r(statistics.fmean(every), 2),
        "db_queries_register": every[0],
        "db_queries_per_completion": r(statistics.fmean(every[1:]), 2) if len(every) > 1 else 0.0,
        "db_statements_per_completion": r(statistics.fmean(own[1:]), 2) if len(own) > 1 else 0.0,
        "db_statements_per_completion_max": max(own[1:]) if len(own) > 1 else 0,
        "db_statements_by_completion": own[1:],
        "db_statements_target_max": TARGET_STATEMENTS_MAX,
    }


# --- profile -------------------------------------------------------------------------------------

# (label, file suffix, function name); "~" is the file of C functions in pstats. The portal's
# functions are looked for by name anywhere under portal/, so the rows survive its modules moving.
BREAKDOWN = [
    ("engine: restore state (Instance.restore)", "engine/runtime.py", "restore"),
    ("engine: dump state (Instance.dump)", "engine/runtime.py", "dump"),
    ("engine: start (Instance.start)", "engine/runtime.py", "start"),
    ("engine: complete step (Instance.complete_human_task)", "engine/runtime.py", "complete_human_task"),
    ("engine: ready_human_tasks", "engine/runtime.py", "ready_human_tasks"),
    ("engine: waiting_timers", "engine/runtime.py", "waiting_timers"),
    ("engine: end_event", "engine/runtime.py", "end_event"),
    ("spiff: do_engine_steps", "SpiffWorkflow/bpmn/workflow.py", "do_engine_steps"),
    ("spiff: refresh_timers", "SpiffWorkflow/bpmn/workflow.py", "refresh_timers"),
    ("spiff: serializer to_dict", "SpiffWorkflow/bpmn/serializer/workflow.py", "to_dict"),
    ("spiff: serializer from_dict", "SpiffWorkflow/bpmn/serializer/workflow.py", "from_dict"),
    ("portal: _persist (state + task/timer rows + effect events)", "portal/", "_persist"),
    ("portal: events._append (all events, incl. their SQL)", "portal/", "_append"),
    ("portal: events.canonical (JSON for hashing)", "portal/", "canonical"),
    ("portal: events.event_hash", "portal/", "event_hash"),
    ("portal: definition_runtime (cached spec)", "portal/", "definition_runtime"),
    ("portal: applicant_clean", "portal/", "applicant_clean"),
    ("django: Model.save (all rows)", "django/db/models/base.py", "save"),
    ("django: QuerySet.create", "django/db/models/query.py", "create"),
    ("django: CursorWrapper._execute (every statement, driver incl.)", "django/db/backends/utils.py", "_execute"),
    ("django: SQLCompiler.as_sql (building SQL text)", "django/db/models/sql/compiler.py", "as_sql"),
    ("django: JSONField.get_db_prep_value (json.dumps)", "django/db/models/fields/json.py", "get_db_prep_value"),
    ("django: JSONField.from_db_value (json.loads)", "django/db/models/fields/json.py", "from_db_value"),
    ("django: Atomic.__exit__ (COMMIT)", "django/db/transaction.py", "__exit__"),
    ("sqlite3: SQLiteCursorWrapper.execute (SQLite itself)", "~", "<function SQLiteCursorWrapper.execute*"),
    ("sqlite3: Connection.commit (C)", "~", "<method 'commit' of 'sqlite3.Connection' objects>"),
    ("json: encoder iterencode (C)", "json/encoder.py", "iterencode"),
    ("json: decoder raw_decode", "json/decoder.py", "raw_decode"),
    ("copy.deepcopy", "copy.py", "deepcopy"),
]


def profile_service(runner: ServiceRunner, requests: int, steps_per_request: int) -> dict[str, Any]:
    profiler = cProfile.Profile()
    for _ in range(requests):
        runner.request(profiler=profiler)
    stats = stats_table(profiler)
    steps = requests * steps_per_request
    # The measured commands themselves, by their code objects: the shares' denominator must not
    # silently become zero when the portal moves them to another module.
    entry_points = [function_key(fn) for fn in (runner.register, runner.complete)]
    total = sum(stats[key][3] for key in entry_points if key in stats) or 1e-9
    return {
        "bench": "engine_vs_raw_profile",
        "service": runner.scenario["service"],
        "unit": "step",
        "profiled_requests": requests,
        "profiled_steps": steps,
        "profiled_ms_per_step": r(total * 1000.0 / steps),
        "note": "cProfile inflates times; read 'share' (fraction of the service calls' time); shares overlap",
        "top_cumulative": top_functions(stats, total=total, per=steps, by="cumulative"),
        "top_self": top_functions(stats, total=total, per=steps, by="self"),
        "breakdown": breakdown_of(stats, BREAKDOWN, total=total, per=steps),
    }


# --- main ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.database is None:  # the parent: one child per database
        return each_database("engine_vs_raw", __file__, argv)
    scenario = load_scenario(args.scenario.resolve())
    service = scenario["service"]
    bpmn = PROCESSES / f"{service}.bpmn"
    steps_per_request = 1 + len(scenario["steps"])
    password = os.environ.get("PATEN_DEMO_PASSWORD", DEFAULT_PASSWORD)

    tmp = Path(tempfile.mkdtemp(prefix="paten-bench-engine-"))
    scratch: Scratch | None = None
    try:
        if args.database == "postgresql":
            scratch = Scratch(os.environ["PATEN_BENCH_DATABASE_URL"], f"paten_bench_engine_{os.getpid()}")
            scratch.create()
        django_setup(tmp, scratch.url if scratch is not None else None)
        portal_seed(service, password)
        from django.db import connection

        service_runner = ServiceRunner(scenario)
        raw_runner = RawRunner(scenario, bpmn)
        engine_runner = EngineRunner(scenario, bpmn)

        note(f"engine_vs_raw: {service}, {steps_per_request} steps/request, {args.requests} requests per variant")
        measured = measure(
            {
                "service": lambda: service_runner.request()[0],
                "raw": raw_runner.request,
                "raw_no_save": lambda: raw_runner.request(save=False),
                "engine": engine_runner.request,
            },
            args.warmup,
            args.requests,
        )
        service_times, raw_times = measured["service"], measured["raw"]
        raw_nosave_times, engine_times = measured["raw_no_save"], measured["engine"]

        queries = count_queries(service_runner)
        _times, last = service_runner.request()
        state_bytes = len(json.dumps(last.state).encode("utf-8"))

        service_ms = statistics.fmean(service_times) * 1000.0
        raw_ms = statistics.fmean(raw_times) * 1000.0
        ratio = service_ms / raw_ms
        s, rw = summary(service_times), summary(raw_times)
        emit(
            {
                "bench": "engine_vs_raw",
                "service": service,
                "steps_per_request": steps_per_request,
                "requests": args.requests,
                "service_layer_ms_per_step": r(service_ms),
                "raw_spiff_ms_per_step": r(raw_ms),
                "ratio": r(ratio),
                "target_ratio_max": TARGET_RATIO_MAX,
                "ratio_of_p50": r(s["p50"] / rw["p50"]) if s["p50"] and rw["p50"] else None,
                "database": connection.vendor,
                "service_layer_p50_ms": s["p50"],
                "service_layer_p95_ms": s["p95"],
                "raw_spiff_p50_ms": rw["p50"],
                "raw_spiff_p95_ms": rw["p95"],
                "service_layer_register_ms": r(statistics.fmean(service_times[::steps_per_request]) * 1000.0),
                "raw_spiff_no_save_ms_per_step": r(statistics.fmean(raw_nosave_times) * 1000.0),
                "engine_only_ms_per_step": r(statistics.fmean(engine_times) * 1000.0),
                **queries,
                "service_state_json_bytes": state_bytes,
                "raw_workflow_json_bytes": raw_runner.last_json_bytes,
                "warmup_requests": args.warmup,
                "python": sys.version.split()[0],
            }
        )
        if not args.no_profile and (args.profile or ratio > TARGET_RATIO_MAX):
            note(f"engine_vs_raw: profiling {args.profile_requests} service-layer requests")
            emit(profile_service(service_runner, args.profile_requests, steps_per_request))
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 - Django may not have been set up
            pass
        if args.keep:
            note(f"engine_vs_raw: database kept in {scratch.name if scratch is not None else tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
            if scratch is not None:
                scratch.drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
