"""Throughput and latency of the REST API served the way `make run` serves it, on SQLite and PostgreSQL.

    .venv/bin/python bench/api_throughput.py [--requests 30] [--clients 1,4] [--warmup 4]
    PATEN_BENCH_DATABASE_URL=postgres://paten:paten@127.0.0.1:5432/paten .venv/bin/python bench/api_throughput.py

SQLite always: a throwaway file in a temporary directory (PATEN_DB_PATH / PATEN_VAR_DIR). PostgreSQL
as well when PATEN_BENCH_DATABASE_URL names a server on loopback whose role may CREATE DATABASE: a
database `paten_bench_api_<pid>` is made there, named to the server and to `manage.py` by
PATEN_DATABASE_URL, and dropped at the end (also on failure, Ctrl-C or SIGTERM). Without the variable
PostgreSQL is skipped with a note and a line saying so; with PATEN_BENCH_REQUIRE_SERVICES set (CI) a
PostgreSQL that cannot be used fails the run (after SQLite was measured). Each database runs in a
child process of its own.

For each database the server is the `web:` line of the Procfile (gunicorn portal.wsgi with its
workers and threads), started on a free loopback port with PORT set, after `manage.py migrate` and
`manage.py seed_demo` (demo staff posted to their offices) under the same environment.

Each client (a thread with its own keep-alive connection, stdlib http.client only) repeatedly
registers a request (POST /api/v1/requests/ as loket1) and drives it to its end: for each step of
the scenario GET /api/v1/tasks/?tracking_number=... as the step's role, then POST
/api/v1/tasks/{id}/complete/ with the scenario's data. Only the complete calls count as
completions; their latencies give the percentiles. Any non-2xx answer (or a broken connection)
is an error; the first few are printed to stderr. A level that completes no step at all fails.

One JSON line per database and concurrency level, with the machine's load average (1, 5, 15 min)
at the start and the end of its measurement; a profile line per database when below target or with
--profile. The server's process group is stopped at the end, also on failure or Ctrl-C.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import http.client
import io
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from _common import (
    DEFAULT_PASSWORD,
    DEFAULT_SCENARIO,
    ROOT,
    USER_FOR_ROLE,
    Scratch,
    breakdown_of,
    cumulative_of,
    each_database,
    emit,
    ensure_root_on_path,
    load_average,
    load_scenario,
    note,
    percentile,
    portal_environment,
    r,
    stats_table,
    stop_group,
    top_functions,
)

BENCH = "api_throughput"
HOST = "127.0.0.1"  # the only address this benchmark ever connects to (PostgreSQL: loopback only too)
TARGET_COMPLETIONS_PER_SECOND_MIN = 50
MAX_ERRORS_SHOWN = 5


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--requests", type=int, default=30, help="sktm requests driven to the end per level (default 30)")
    p.add_argument("--clients", default="1,4", help="comma-separated concurrency levels (default 1,4)")
    p.add_argument("--warmup", type=int, default=4, help="unmeasured requests first, 4 clients (default 4)")
    p.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO, help="scenario YAML (default sktm happy path)")
    p.add_argument("--startup-timeout", type=float, default=90.0, help="seconds to wait for the server (default 90)")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory (database, server log)")
    p.add_argument("--database", choices=("sqlite", "postgresql"), help=argparse.SUPPRESS)  # a child's
    p.add_argument("--profile", action="store_true", help="print the profile line even when on target")
    p.add_argument("--no-profile", action="store_true", help="never profile")
    p.add_argument("--profile-requests", type=int, default=10, help="requests profiled in process (default 10)")
    args = p.parse_args(argv)
    try:
        args.levels = [int(c) for c in args.clients.split(",") if c.strip()]
    except ValueError:
        p.error("--clients takes numbers, e.g. 1,4")
    if not args.levels or min(args.levels) < 1 or args.requests < 1 or args.warmup < 0:
        p.error("--clients and --requests must be >= 1, --warmup >= 0")
    return args


# --- the server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def procfile_command(name: str = "web") -> str:
    for line in (ROOT / "Procfile").read_text(encoding="utf-8").splitlines():
        key, sep, command = line.partition(":")
        if sep and key.strip() == name:
            return command.strip()
    raise SystemExit(f"Procfile has no '{name}:' line")


def manage(env: dict[str, str], *arguments: str) -> None:
    python = ROOT / ".venv" / "bin" / "python"
    if not python.exists():
        python = Path(sys.executable)
    done = subprocess.run(
        [str(python), "manage.py", *arguments], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        note(done.stdout + done.stderr)
        raise SystemExit(f"manage.py {' '.join(arguments)} failed with exit status {done.returncode}")


class Server:
    """The Procfile's web process in its own process group, logging to a file."""

    def __init__(self, command: str, env: dict[str, str], log_path: Path) -> None:
        self.command = command
        self.env = env
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: Any = None

    def start(self) -> None:
        self._log = self.log_path.open("wb")
        # A shell expands ${PORT:-8000} as honcho would; the new session makes the shell the leader
        # of a process group holding gunicorn's master and workers.
        self.proc = subprocess.Popen(
            ["/bin/sh", "-c", self.command],
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def wait_ready(self, port: int, timeout: float) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"the server exited with status {self.proc.returncode}:\n{self.log_tail()}")
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            try:
                conn.request("GET", "/api/v1/tasks/")
                conn.getresponse().read()
                return  # any HTTP answer (401 without a token) means it serves
            except (OSError, http.client.HTTPException):
                time.sleep(0.2)
            finally:
                conn.close()
        raise SystemExit(f"the server did not answer within {timeout:.0f}s:\n{self.log_tail()}")

    def stop(self) -> None:
        proc = self.proc
        if proc is None:
            return
        stop_group(proc, name="api_throughput: the server", grace=15)
        if self._log is not None:
            self._log.close()
        self.proc = None


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU time of the live processes in group `pgid` (from /proc; 0 elsewhere)."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        fields = text[text.rfind(")") + 2 :].split()
        # fields[0] is the state (field 3 of stat); pgrp is field 5, utime 14, stime 15
        if len(fields) > 12 and int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


# --- the client ----------------------------------------------------------------------------------


@dataclass
class Tally:
    """What happened during one measured phase, shared by its client threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    completions: int = 0
    http_requests: int = 0
    errors: int = 0
    complete_ms: list[float] = field(default_factory=list)
    register_ms: list[float] = field(default_factory=list)
    list_ms: list[float] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def error(self, text: str) -> None:
        if self.stop.is_set():
            return  # the run is being abandoned; the server is going away
        with self.lock:
            self.errors += 1
            if len(self.samples) < MAX_ERRORS_SHOWN:
                self.samples.append(text)
                note(f"api_throughput error: {text}")


class Client:
    """One keep-alive connection; every call is timed and counted."""

    def __init__(self, port: int, tally: Tally) -> None:
        self.port = port
        self.tally = tally
        self.conn = http.client.HTTPConnection(HOST, port, timeout=120)

    def close(self) -> None:
        self.conn.close()

    def call(self, method: str, path: str, *, token: str | None = None, body: Any = None) -> tuple[int, Any, float]:
        headers = {"Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if token is not None:
            headers["Authorization"] = f"Token {token}"
        t0 = time.perf_counter()
        try:
            self.conn.request(method, path, body=payload, headers=headers)
            response = self.conn.getresponse()
            raw = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            elapsed = (time.perf_counter() - t0) * 1000.0
            self.conn.close()  # the next call reconnects
            with self.tally.lock:
                self.tally.http_requests += 1
            self.tally.error(f"{method} {path}: {type(exc).__name__}: {exc}")
            return 0, None, elapsed
        elapsed = (time.perf_counter() - t0) * 1000.0
        with self.tally.lock:
            self.tally.http_requests += 1
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = None
        if not 200 <= status < 300:
            self.tally.error(f"{method} {path}: HTTP {status}: {raw[:300].decode('utf-8', errors='replace')}")
        return status, data, elapsed


def obtain_tokens(port: int, password: str, usernames: list[str]) -> dict[str, str]:
    tally = Tally()
    client = Client(port, tally)
    tokens = {}
    try:
        for username in usernames:
            status, data, _ms = client.call(
                "POST", "/api/v1/auth/token/", body={"username": username, "password": password}
            )
            if status != 200 or not isinstance(data, dict) or "token" not in data:
                raise SystemExit(f"could not get a token for {username} (HTTP {status}); wrong PATEN_DEMO_PASSWORD?")
            tokens[username] = str(data["token"])
    finally:
        client.close()
    return tokens


def drive_requests(client: Client, count: int, scenario: dict[str, Any], tokens: dict[str, str]) -> None:
    """Register `count` requests one after another and complete every step of each."""
    tally = client.tally
    start = scenario["start"]
    for _ in range(count):
        if tally.stop.is_set():
            return
        body = {
            "service": scenario["service"],
            "applicant": copy.deepcopy(start["applicant"]),
            "data": copy.deepcopy(start.get("data", {})),
        }
        status, data, ms = client.call("POST", "/api/v1/requests/", token=tokens[USER_FOR_ROLE["loket"]], body=body)
        with tally.lock:
            tally.register_ms.append(ms)
        if status != 201 or not isinstance(data, dict):
            continue
        tracking_number = str(data["tracking_number"])
        for number, step in enumerate(scenario["portal_steps"], start=1):
            if tally.stop.is_set():
                return
            token = tokens[USER_FOR_ROLE[step["role"]]]
            status, data, ms = client.call(
                "GET", f"/api/v1/tasks/?tracking_number={quote(tracking_number)}", token=token
            )
            with tally.lock:
                tally.list_ms.append(ms)
            if status != 200 or not isinstance(data, dict):
                break
            task_id = next((t["id"] for t in data.get("results", []) if t.get("bpmn_id") == step["bpmn_id"]), None)
            if task_id is None:
                tally.error(f"{tracking_number}: step {number} {step['bpmn_id']} is not among the open tasks")
                break
            status, data, ms = client.call(
                "POST",
                f"/api/v1/tasks/{task_id}/complete/",
                token=token,
                body={"data": copy.deepcopy(step.get("data") or {})},
            )
            if not 200 <= status < 300:
                break
            with tally.lock:
                tally.completions += 1
                tally.complete_ms.append(ms)


@dataclass
class Phase:
    tally: Tally
    seconds: float
    server_cpu_s: float
    client_cpu_s: float


def run_phase(
    port: int, clients: int, requests: int, scenario: dict[str, Any], tokens: dict[str, str], server_pgid: int
) -> Phase:
    """`requests` requests spread over `clients` threads, timed from a common start."""
    tally = Tally()
    shares = [requests // clients + (1 if i < requests % clients else 0) for i in range(clients)]
    barrier = threading.Barrier(clients + 1)
    connections = [Client(port, tally) for _ in range(clients)]
    failures: list[BaseException] = []

    def work(client: Client, count: int) -> None:
        barrier.wait()
        try:
            drive_requests(client, count, scenario, tokens)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failures.append(exc)
        finally:
            client.close()

    threads = [
        threading.Thread(target=work, args=(c, n), name=f"client-{i}", daemon=True)
        for i, (c, n) in enumerate(zip(connections, shares, strict=True))
    ]
    for t in threads:
        t.start()
    server_cpu0, client_cpu0 = group_cpu_seconds(server_pgid), time.process_time()
    barrier.wait()
    t0 = time.perf_counter()
    try:
        for t in threads:
            t.join()
    except BaseException:
        tally.stop.set()  # Ctrl-C or SIGTERM: let the clients wind down quietly
        raise
    seconds = time.perf_counter() - t0
    server_cpu, client_cpu = group_cpu_seconds(server_pgid) - server_cpu0, time.process_time() - client_cpu0
    if failures:
        raise failures[0]
    return Phase(tally, seconds, server_cpu, client_cpu)


# --- where a call's time goes: the same WSGI application in this process, under cProfile --------

# (label, file suffix, function name) as in engine_vs_raw; "~" is the file of C functions.
API_BREAKDOWN = [
    ("django: open a DB connection (CONN_MAX_AGE=0, once per request)", "django/db/backends/base/base.py", "connect"),
    ("django: close_old_connections (request end)", "django/db/__init__.py", "close_old_connections"),
    ("django: middleware chain + view (BaseHandler.get_response)", "django/core/handlers/base.py", "get_response"),
    ("DRF: APIView.dispatch", "rest_framework/views.py", "dispatch"),
    (
        "DRF: TokenAuthentication.authenticate_credentials",
        "rest_framework/authentication.py",
        "authenticate_credentials",
    ),
    ("DRF: parse the JSON body (Request._parse)", "rest_framework/request.py", "_parse"),
    ("DRF: JSONRenderer.render", "rest_framework/renderers.py", "render"),
    # The portal's functions by name anywhere under portal/, so the rows survive its modules moving.
    ("portal: services.human_task_complete (the command)", "portal/", "human_task_complete"),
    ("portal: services.request_register (the command)", "portal/", "request_register"),
    ("portal: services._persist", "portal/", "_persist"),
    ("portal: events._append", "portal/", "_append"),
    ("portal: apis._request_detail (response: request + steps + history)", "portal/", "_request_detail"),
    ("portal: selectors.request_history", "portal/", "request_history"),
    ("portal: worklists.steps_page (the task list: a keyset page of work items)", "portal/", "steps_page"),
    ("portal: persistence.work_items_write (the lists' rows, on every command)", "portal/", "work_items_write"),
    ("DRF: Serializer.data (all output serializers)", "rest_framework/serializers.py", "data"),
    ("engine: Instance.restore", "engine/runtime.py", "restore"),
    ("engine: Instance.complete_human_task", "engine/runtime.py", "complete_human_task"),
    ("engine: Instance.dump", "engine/runtime.py", "dump"),
    ("django: CursorWrapper._execute (every statement, driver incl.)", "django/db/backends/utils.py", "_execute"),
    ("sqlite3: SQLiteCursorWrapper.execute (SQLite itself)", "~", "<function SQLiteCursorWrapper.execute*"),
    ("psycopg: Cursor.execute (PostgreSQL, the round trip included)", "psycopg/cursor.py", "execute"),
    ("django: SQLCompiler.as_sql (building SQL text)", "django/db/models/sql/compiler.py", "as_sql"),
    ("django: Model.save", "django/db/models/base.py", "save"),
    ("django: JSONField.from_db_value (json.loads)", "django/db/models/fields/json.py", "from_db_value"),
    ("django: translation gettext", "django/utils/translation/__init__.py", "gettext"),
]


def portal_wsgi_application() -> Any:
    """The portal code this benchmark imports, here and nowhere else in this file (the portal's
    modules are being rearranged): the WSGI application the Procfile's gunicorn serves."""
    from portal.wsgi import application

    return application


class InProcess:
    """Calls the portal's WSGI application directly with WSGI environ dicts, as gunicorn would."""

    def __init__(self, tmp: Path, database_url: str | None) -> None:
        portal_environment(tmp, database_url)
        ensure_root_on_path()
        os.chdir(ROOT)
        # collectstatic was not run for the throwaway directory; the API does not need it.
        warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers.base")
        self.app = portal_wsgi_application()

    def call(self, method: str, path: str, token: str, body: Any = None) -> tuple[int, Any]:
        raw = json.dumps(body).encode("utf-8") if body is not None else b""
        path_only, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": "",
            "PATH_INFO": path_only,
            "QUERY_STRING": query,
            "SERVER_NAME": HOST,
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": HOST,
            "HTTP_HOST": HOST,
            "HTTP_ACCEPT": "application/json",
            "HTTP_AUTHORIZATION": f"Token {token}",
            "CONTENT_TYPE": "application/json" if body is not None else "",
            "CONTENT_LENGTH": str(len(raw)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(raw),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        status_line: list[str] = []

        def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
            status_line.append(status)
            return lambda _data: None

        result = self.app(environ, start_response)
        try:
            content = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()  # request_finished: Django closes the DB connection here
        status = int(status_line[0].split()[0])
        if not 200 <= status < 300:
            raise SystemExit(f"in-process {method} {path}: HTTP {status}: {content[:300]!r}")
        return status, json.loads(content) if content else None


def profile_in_process(
    tmp: Path,
    database_url: str | None,
    scenario: dict[str, Any],
    tokens: dict[str, str],
    requests: int,
    http_p50: dict[str, float | None],
) -> dict[str, Any]:
    """Time each kind of call without HTTP, count its SQL, and profile it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = InProcess(tmp, database_url)
    kinds = ("register", "task_list", "complete")
    times: dict[str, list[float]] = {k: [] for k in kinds}
    queries: dict[str, list[int]] = {k: [] for k in kinds}
    profilers = {k: cProfile.Profile() for k in kinds}

    def one_request(mode: str) -> None:
        """mode: 'time' (wall clock), 'count' (SQL statements) or 'profile'."""

        def timed(kind: str, *args: Any, **kwargs: Any) -> Any:
            if mode == "profile":
                profilers[kind].enable()
                try:
                    return client.call(*args, **kwargs)
                finally:
                    profilers[kind].disable()
            if mode == "count":
                # CaptureQueriesContext needs an open connection; the request closes it again.
                connection.ensure_connection()
                with CaptureQueriesContext(connection) as ctx:
                    result = client.call(*args, **kwargs)
                queries[kind].append(len(ctx.captured_queries))
                return result
            t0 = time.perf_counter()
            result = client.call(*args, **kwargs)
            times[kind].append((time.perf_counter() - t0) * 1000.0)
            return result

        start = scenario["start"]
        body = {"service": scenario["service"], "applicant": copy.deepcopy(start["applicant"]),
                "data": copy.deepcopy(start.get("data", {}))}  # fmt: skip
        _status, data = timed("register", "POST", "/api/v1/requests/", tokens[USER_FOR_ROLE["loket"]], body)
        tracking_number = data["tracking_number"]
        for step in scenario["portal_steps"]:
            token = tokens[USER_FOR_ROLE[step["role"]]]
            _status, data = timed("task_list", "GET", f"/api/v1/tasks/?tracking_number={quote(tracking_number)}", token)
            task_id = next(t["id"] for t in data["results"] if t["bpmn_id"] == step["bpmn_id"])
            timed("complete", "POST", f"/api/v1/tasks/{task_id}/complete/", token,
                  {"data": copy.deepcopy(step.get("data") or {})})  # fmt: skip

    one_request("time")  # warm-up: imports, the definition cache
    times = {k: [] for k in kinds}
    for _ in range(requests):
        one_request("time")
    one_request("count")
    for _ in range(requests):
        one_request("profile")

    connect_ms = []
    for _ in range(20):
        connection.close()
        t0 = time.perf_counter()
        connection.ensure_connection()
        connect_ms.append((time.perf_counter() - t0) * 1000.0)
    connection.close()

    result: dict[str, Any] = {
        "bench": "api_throughput_profile",
        "database": "postgresql" if database_url else "sqlite",
        "service": scenario["service"],
        "how": "portal.wsgi.application called in this process (no HTTP, no gunicorn), one call at a time",
        "note": "cProfile inflates times; read 'share' (fraction of the call's time); shares overlap",
        "profiled_requests": requests,
        "in_process_ms": {k: r(statistics.fmean(v)) for k, v in times.items()},
        "http_p50_ms_1_client": http_p50,
        "db_queries": {k: r(statistics.fmean(v), 2) for k, v in queries.items()},
        "db_connect_ms": r(statistics.fmean(connect_ms)),
    }
    for kind in ("complete", "task_list", "register"):
        stats = stats_table(profilers[kind])
        calls = len(scenario["portal_steps"]) * requests if kind != "register" else requests
        total = cumulative_of(stats, "django/core/handlers/wsgi.py", "__call__")[0] or 1e-9
        section: dict[str, Any] = {"profiled_calls": calls, "profiled_ms_per_call": r(total * 1000.0 / calls)}
        if kind == "complete":
            section["top_cumulative_below_wrappers"] = top_functions(
                stats, total=total, per=calls, by="cumulative", max_share=0.9
            )
            section["top_self"] = top_functions(stats, total=total, per=calls, by="self")
        section["breakdown"] = breakdown_of(stats, API_BREAKDOWN, total=total, per=calls)
        result[kind] = section
    return result


# --- one database (a child process), and the parent -------------------------------------------


def database_version(database_url: str | None) -> str:
    """The PostgreSQL server's version, or the SQLite library's."""
    if not database_url:
        import sqlite3

        return sqlite3.sqlite_version
    import psycopg

    with psycopg.connect(database_url, connect_timeout=5) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]).split()[0] if row else ""


def run_one(args: argparse.Namespace) -> int:
    """Prepare one database, serve it with gunicorn and measure every level (a child process)."""
    database = args.database
    scenario = load_scenario(args.scenario.resolve())
    password = os.environ.get("PATEN_DEMO_PASSWORD", DEFAULT_PASSWORD)
    usernames = sorted({USER_FOR_ROLE["loket"], *(USER_FOR_ROLE[s["role"]] for s in scenario["portal_steps"])})
    command = procfile_command("web")
    if "127.0.0.1" not in command and "localhost" not in command:
        note(f"{BENCH}: note: the Procfile's web line does not bind to loopback only: {command}")

    def on_term(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, on_term)
    tmp = Path(tempfile.mkdtemp(prefix="paten-bench-api-"))
    scratch: Scratch | None = None
    server: Server | None = None
    status = 0
    try:
        env = dict(os.environ)
        env.pop("PATEN_DATABASE_URL", None)  # SQLite: never a database named by the caller's environment
        if database == "postgresql":
            scratch = Scratch(os.environ["PATEN_BENCH_DATABASE_URL"], f"paten_bench_api_{os.getpid()}")
            scratch.create()
            env["PATEN_DATABASE_URL"] = scratch.url
        database_url = scratch.url if scratch is not None else None
        port = free_port()
        env.update(
            {
                "PATEN_VAR_DIR": str(tmp),
                "PATEN_DB_PATH": str(tmp / "bench.sqlite3"),
                "PATEN_DEMO_PASSWORD": password,
                "PORT": str(port),
            }
        )
        server = Server(command, env, tmp / "server.log")
        where = f"database {scratch.name}" if scratch is not None else f"{tmp}"
        note(f"{BENCH} ({database}): preparing the {database} database ({where})")
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "seed_demo")
        version = database_version(database_url)
        note(f"{BENCH} ({database}): starting `{command}` with PORT={port}")
        server.start()
        server.wait_ready(port, args.startup_timeout)
        tokens = obtain_tokens(port, password, usernames)
        assert server.proc is not None
        pgid = server.proc.pid
        if args.warmup:
            warm = run_phase(port, min(4, args.warmup), args.warmup, scenario, tokens, pgid)
            if warm.tally.errors:
                note(f"{BENCH} ({database}): {warm.tally.errors} errors during the warm-up")
        below_target = False
        http_p50: dict[str, float | None] = {}
        for clients in args.levels:
            note(f"{BENCH} ({database}): {clients} client(s), {args.requests} {scenario['service']} requests")
            load_start = load_average()
            phase = run_phase(port, clients, args.requests, scenario, tokens, pgid)
            load_end = load_average()
            tally, seconds = phase.tally, phase.seconds
            rate = tally.completions / seconds
            below_target = below_target or rate < TARGET_COMPLETIONS_PER_SECOND_MIN
            if clients == 1 or not http_p50:
                http_p50 = {
                    "register": r(percentile(tally.register_ms, 50)),
                    "task_list": r(percentile(tally.list_ms, 50)),
                    "complete": r(percentile(tally.complete_ms, 50)),
                }
            emit(
                {
                    "bench": BENCH,
                    "database": database,
                    "clients": clients,
                    "completions": tally.completions,
                    "seconds": r(seconds),
                    "completions_per_second": r(rate, 2),
                    "p50_ms": r(percentile(tally.complete_ms, 50)),
                    "p95_ms": r(percentile(tally.complete_ms, 95)),
                    "p99_ms": r(percentile(tally.complete_ms, 99)),
                    "errors": tally.errors,
                    "target_completions_per_second_min": TARGET_COMPLETIONS_PER_SECOND_MIN,
                    "http_requests": tally.http_requests,
                    "requests_per_second": r(tally.http_requests / seconds, 2),
                    "service": scenario["service"],
                    "service_requests": args.requests,
                    "register_p50_ms": r(percentile(tally.register_ms, 50)),
                    "task_list_p50_ms": r(percentile(tally.list_ms, 50)),
                    "server_cpu_ms_per_completion": r(phase.server_cpu_s * 1000.0 / max(tally.completions, 1), 2),
                    "server_cpu_utilisation": r(phase.server_cpu_s / seconds, 2),
                    "client_cpu_utilisation": r(phase.client_cpu_s / seconds, 2),
                    "load_average_start": load_start,
                    "load_average_end": load_end,
                    "cpus": os.cpu_count(),
                    "database_version": version,
                    "server": command.split(" --access-logfile")[0].replace(".venv/bin/", ""),
                }
            )
            if not tally.completions:
                note(
                    f"{BENCH} ({database}): no step completed with {clients} client(s): see the errors above"
                    " (a 403 on POST /api/v1/requests/: loket1 is not posted to an office; --keep keeps server.log)"
                )
                status = 1
        server.stop()
        if not args.no_profile and (args.profile or below_target):
            note(f"{BENCH} ({database}): profiling {args.profile_requests} requests in process")
            load_start = load_average()
            profiled = profile_in_process(tmp, database_url, scenario, tokens, args.profile_requests, http_p50)
            emit({**profiled, "load_average_start": load_start, "load_average_end": load_average()})
    finally:
        if server is not None:
            server.stop()
        if "django" in sys.modules:  # the in-process profile's connection, before its database goes
            try:
                from django.db import connections

                connections.close_all()
            except Exception:  # noqa: BLE001 - Django may not have been set up
                pass
        if scratch is not None and not args.keep:
            scratch.drop()
        signal.signal(signal.SIGTERM, previous)
        if args.keep:
            note(f"{BENCH}: kept {tmp} (database, server.log)" + (f" and database {scratch.name}" if scratch else ""))
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return status


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.database:
        return run_one(args)
    return each_database(BENCH, __file__, argv)


if __name__ == "__main__":
    sys.exit(main())
