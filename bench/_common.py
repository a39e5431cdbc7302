"""Small helpers shared by the benchmarks: paths, the scenario file, percentiles, JSON output."""

from __future__ import annotations

import contextlib
import inspect
import ipaddress
import json
import math
import os
import signal
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = ROOT / "processes"
DEFAULT_SCENARIO = PROCESSES / "scenarios" / "sktm" / "disetujui-langsung.yaml"
DEFAULT_PASSWORD = "paten-demo-2026"  # same default as portal/settings.py
DJANGO_SETTINGS_MODULE = "portal.settings"  # as manage.py sets it

# The demo user who acts for each lane. A walk-in applicant's corrections are recorded by the counter.
USER_FOR_ROLE = {"loket": "loket1", "kasi": "kasi1", "sekcam": "sekcam1", "camat": "camat1", "pemohon": "loket1"}


def ensure_root_on_path() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def service_files(service: str) -> list[tuple[str, bytes]]:
    """A service's BPMN file with the catalogue's decision tables and shared sub-processes, as deploys name them."""
    parts = [*sorted(PROCESSES.glob("decisions/*.dmn")), *sorted(PROCESSES.glob("shared/*.bpmn"))]
    return [(p.relative_to(ROOT).as_posix(), p.read_bytes()) for p in [*parts, PROCESSES / f"{service}.bpmn"]]


def service_definition(service: str) -> Any:
    """The service as the engine loads it, with the decision tables and shared sub-processes it uses."""
    ensure_root_on_path()
    import engine

    bpmn = PROCESSES / f"{service}.bpmn"
    return engine.load_definition(bpmn.read_bytes(), bpmn.name, library=engine.Library.from_directory(PROCESSES))


def load_scenario(path: Path) -> dict[str, Any]:
    """The scenario as a dict with `service`, `start` and `steps` (timer steps are refused)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    steps = raw.get("steps", [])
    for number, step in enumerate(steps, start=1):
        if "fire_timers_after" in step:
            raise SystemExit(f"{path}: step {number} waits for a timer; pick a scenario with human steps only")
    return {"service": path.parent.name, "start": raw["start"], "steps": steps, "path": path,
            "portal_steps": _portal_steps(path.parent.name, steps)}  # fmt: skip


def _portal_steps(service: str, steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The steps as the portal takes them: at hand-over the portal fills in the issued letter's number."""
    fields = service_definition(service).letter_number_fields
    portal = []
    for step in steps:
        data = dict(step.get("data") or {})
        data.pop(fields.get(step.get("bpmn_id", ""), ""), None)
        portal.append({**step, "data": data})
    return portal


def percentile(values: list[float], pct: float) -> float:
    """Linear-interpolated percentile (pct in 0..100) of `values`; NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * pct / 100.0
    low = math.floor(rank)
    high = math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def r(value: float, digits: int = 3) -> float | None:
    """Round for output; NaN becomes null so the line stays valid JSON."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(value, digits)


def emit(record: dict[str, Any]) -> None:
    """One JSON line on stdout, flushed so a parent process sees it at once."""
    sys.stdout.write(json.dumps(record, ensure_ascii=False, separators=(", ", ": ")) + "\n")
    sys.stdout.flush()


def note(message: str) -> None:
    """Progress and diagnostics go to stderr; stdout carries only JSON lines."""
    sys.stderr.write(message.rstrip("\n") + "\n")
    sys.stderr.flush()


# --- cProfile summaries --------------------------------------------------------------------------

StatsKey = tuple[str, int, str]


def short_function(key: StatsKey) -> str:
    """file:line(function) relative to the repository, site-packages or the stdlib."""
    filename, line, name = key
    if filename == "~":  # C functions
        return name.split(" at 0x")[0] + (">" if " at 0x" in name else "")
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in filename:
            return f"{filename.split(marker, 1)[1]}:{line}({name})"
    if "/lib/python3" in filename:
        return f"stdlib/{filename.split('/lib/python3', 1)[1].split('/', 1)[-1]}:{line}({name})"
    return f"{filename}:{line}({name})"


def key_matches(key: StatsKey, suffix: str, name: str) -> bool:
    """`suffix` ends the file path ("~" for C functions), or, ending in "/", is a directory of the
    repository the file lies anywhere under ("portal/": found even after its modules move); a
    `name` ending in * is a prefix."""
    filename, _line, function = key
    if suffix.endswith("/"):
        if not filename.startswith(f"{ROOT}/{suffix}"):
            return False
    elif not (filename == suffix or filename.endswith("/" + suffix)):
        return False
    return function.startswith(name[:-1]) if name.endswith("*") else function == name


def function_key(fn: Any) -> StatsKey:
    """The pstats key of a Python function (decorators unwrapped), wherever its module lives."""
    code = inspect.unwrap(fn).__code__
    return code.co_filename, code.co_firstlineno, code.co_name


def stats_table(profiler: Any) -> dict[StatsKey, tuple[int, int, float, float, Any]]:
    import pstats

    return pstats.Stats(profiler).stats  # type: ignore[attr-defined,no-any-return]


def cumulative_of(stats: dict[StatsKey, Any], suffix: str, name: str) -> tuple[float, int]:
    """(cumulative seconds, calls) summed over the functions matching (suffix, name)."""
    hits = [v for k, v in stats.items() if key_matches(k, suffix, name)]
    return sum(v[3] for v in hits), sum(v[1] for v in hits)


def top_functions(
    stats: dict[StatsKey, Any],
    *,
    total: float,
    per: int,
    count: int = 10,
    by: str = "cumulative",
    max_share: float | None = None,
) -> list[dict[str, Any]]:
    """The `count` heaviest functions, in ms per unit of work (`per` units were profiled).

    Frames of the benchmark itself are left out, and with `max_share` also the wrappers whose
    share is at least that (the WSGI handler, middleware chain, ... that hold the whole call).
    """
    column = 3 if by == "cumulative" else 2
    rows = []
    for k, v in sorted(stats.items(), key=lambda kv: kv[1][column], reverse=True):
        name = short_function(k)
        if name.startswith("bench/") or (max_share is not None and v[column] / total >= max_share):
            continue
        rows.append(
            {
                "function": name,
                "calls_per_unit": r(v[1] / per, 2),
                "ms_per_unit": r(v[column] * 1000.0 / per),
                "share": r(v[column] / total),
            }
        )
        if len(rows) == count:
            break
    return rows


def breakdown_of(
    stats: dict[StatsKey, Any], items: list[tuple[str, str, str]], *, total: float, per: int
) -> list[dict[str, Any]]:
    """Cumulative time of chosen functions (label, file suffix, name), skipping those never called."""
    result = []
    for label, suffix, name in items:
        seconds, calls = cumulative_of(stats, suffix, name)
        if calls:
            result.append(
                {"what": label, "calls_per_unit": r(calls / per, 2), "ms_per_unit": r(seconds * 1000.0 / per),
                 "share": r(seconds / total)}
            )  # fmt: skip
    return result


def group_alive(pgid: int) -> bool:
    """Whether any process of this process group is still there."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_group(proc: subprocess.Popen[Any], *, name: str, grace: float) -> None:
    """SIGTERM the process group a benchmark started (start_new_session), then SIGKILL after `grace` s."""
    pgid = proc.pid  # start_new_session: the group id is the leader's pid
    if proc.poll() is None or group_alive(pgid):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and (proc.poll() is None or group_alive(pgid)):
            time.sleep(0.1)
        if proc.poll() is None or group_alive(pgid):
            note(f"{name} did not stop on SIGTERM; sending SIGKILL to its group")
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


def load_average() -> list[float | None]:
    """The machine's 1, 5 and 15 minute load averages (os.getloadavg), or [] where there are none."""
    try:
        return [r(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


# --- a scratch PostgreSQL database (PATEN_BENCH_DATABASE_URL) --------------------------------------


def postgres_problem(url: str) -> str | None:
    """Why the PostgreSQL server `url` names cannot be used (not postgres://, not loopback, does not
    answer, the role may not CREATE DATABASE), or None when it can."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        return f"PATEN_BENCH_DATABASE_URL is not a postgres:// URL (scheme {parts.scheme!r})"
    host = parts.hostname or ""
    loopback = not host or host.startswith("/") or host == "localhost"
    if not loopback:
        try:
            loopback = ipaddress.ip_address(host.strip("[]")).is_loopback
        except ValueError:
            loopback = False
    if not loopback:
        return f"PATEN_BENCH_DATABASE_URL is not a loopback address ({host}); this benchmark only uses loopback"
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=5, autocommit=True) as conn:
            row = conn.execute("SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()
            if not row or not row[0]:
                return "the PostgreSQL role of PATEN_BENCH_DATABASE_URL may not CREATE DATABASE"
    except psycopg.Error as exc:
        return f"PostgreSQL at PATEN_BENCH_DATABASE_URL does not answer: {str(exc).strip()[:200]}"
    return None


@dataclass
class Scratch:
    """A PostgreSQL database of this run's own, dropped at the end."""

    server_url: str
    name: str
    created: bool = False

    @property
    def url(self) -> str:
        return urlsplit(self.server_url)._replace(path="/" + self.name).geturl()

    def _run(self, statement: str) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.server_url, connect_timeout=5, autocommit=True) as conn:
            conn.execute(sql.SQL(statement).format(sql.Identifier(self.name)))

    def create(self) -> None:
        self._run("CREATE DATABASE {}")
        self.created = True

    def drop(self) -> None:
        if self.created:
            self._run("DROP DATABASE IF EXISTS {} WITH (FORCE)")  # FORCE: this process's sessions too
            self.created = False


def each_database(bench: str, script: str, argv: list[str] | None) -> int:
    """Run the benchmark `script` once per database, each in a child process of its own (`--database`):
    SQLite always, PostgreSQL as well when PATEN_BENCH_DATABASE_URL names a usable server (else a line
    saying it was skipped, a failure under PATEN_BENCH_REQUIRE_SERVICES). SIGTERM and Ctrl-C reach
    the running child, which cleans up (its server, its scratch database) before this returns."""
    databases = ["sqlite"]
    url = os.environ.get("PATEN_BENCH_DATABASE_URL")
    problem = postgres_problem(url) if url else (
        "PATEN_BENCH_DATABASE_URL is not set (a PostgreSQL server URL whose role may CREATE DATABASE)"
    )  # fmt: skip
    status = 0
    if problem is None:
        databases.append("postgresql")
    else:
        note(f"{bench}: measuring SQLite only: {problem}")
        emit({"bench": bench, "database": "postgresql", "skipped": True, "reason": problem,
              "load_average": load_average()})  # fmt: skip
        if os.environ.get("PATEN_BENCH_REQUIRE_SERVICES"):  # where the server is known to be there (CI)
            note(f"{bench}: skipping PostgreSQL is a failure here (PATEN_BENCH_REQUIRE_SERVICES is set)")
            status = 1
    child: subprocess.Popen[bytes] | None = None
    stopping: list[int] = []

    def on_term(signum: int, _frame: Any) -> None:
        stopping.append(signum)
        if child is not None and child.returncode is None:
            child.terminate()  # the child cleans up on SIGTERM; the wait below sees it end

    signal.signal(signal.SIGTERM, on_term)
    own = list(argv if argv is not None else sys.argv[1:])
    for database in databases:
        child = subprocess.Popen([sys.executable, str(Path(script).resolve()), *own, "--database", database])
        try:
            returncode = child.wait()
        except KeyboardInterrupt:  # Ctrl-C reached the child as well: let it clean up first
            child.wait()
            return 130
        if returncode != 0:
            status = 1
            note(f"{bench}: the {database} run failed with status {returncode}")
        if stopping:
            return 128 + stopping[0]
    return status


def portal_environment(tmp: Path, database_url: str | None) -> None:
    """Point this process's portal at a throwaway database: a SQLite file in `tmp`, or the
    PostgreSQL database `database_url` names (a scratch one); its files under `tmp`."""
    os.environ["PATEN_VAR_DIR"] = str(tmp)
    os.environ["PATEN_DB_PATH"] = str(tmp / "bench.sqlite3")
    if database_url:
        os.environ["PATEN_DATABASE_URL"] = database_url
    else:
        os.environ.pop("PATEN_DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = DJANGO_SETTINGS_MODULE


def django_setup(tmp: Path, database_url: str | None = None) -> None:
    """Django on a throwaway database (portal_environment), migrated; the test client's host allowed."""
    portal_environment(tmp, database_url)
    os.environ.setdefault("PATEN_LOG_LEVEL", "WARNING")
    os.environ.setdefault("PATEN_ALLOWED_HOSTS", "testserver")
    ensure_root_on_path()
    os.chdir(ROOT)
    import django

    # collectstatic was not run for the throwaway directory; the pages do not need it here.
    warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers.base")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if not database_url and Path(str(settings.DATABASES["default"]["NAME"])).parent != tmp:
        raise SystemExit("refusing to run: the database is not in the temporary directory")
    call_command("migrate", interactive=False, verbosity=0)
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
