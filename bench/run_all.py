"""Run every benchmark, each in its own interpreter, and pass their JSON lines through.

    .venv/bin/python bench/run_all.py            # full runs (what `make bench` does)
    .venv/bin/python bench/run_all.py --quick    # small runs, a minute or less
    .venv/bin/python bench/run_all.py --only api --profile

`lists` and `api` measure on SQLite, and on PostgreSQL as well when PATEN_BENCH_DATABASE_URL is set.
`timers` needs PostgreSQL and Redis on loopback, named by PATEN_BENCH_DATABASE_URL (a server URL whose
role may CREATE DATABASE) and PATEN_BENCH_BROKER_URL (e.g. redis://127.0.0.1:6379/14); without them
it prints a line saying it skipped (and fails under PATEN_BENCH_REQUIRE_SERVICES, as on CI).

stdout carries only the benchmarks' JSON lines; progress and diagnostics go to stderr. The exit
status is non-zero only when a benchmark crashed; numbers below their targets are reported, not
failed.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

BENCHMARKS = {
    "engine": (
        "engine_vs_raw.py",
        {"full": [], "quick": ["--requests", "5", "--warmup", "1", "--profile-requests", "3"]},
    ),
    "api": (
        "api_throughput.py",
        {"full": [], "quick": ["--requests", "8", "--warmup", "2", "--profile-requests", "3"]},
    ),
    "inbox": ("inbox.py", {"full": [], "quick": ["--waiting", "2000", "--repeat", "5"]}),
    "lists": (
        "lists.py",
        {"full": [], "quick": ["--requests", "2000", "--repeat", "5", "--services", "sktm,sku,domisili"]},
    ),
    "loop": ("engine_loop.py", {"full": [], "quick": ["--runs", "3", "--warmup", "1"]}),
    "timers": ("timers_pg.py", {"full": [], "quick": ["--instances", "500", "--verify-sample", "100"]}),
    "corpus": ("corpus.py", {"full": [], "quick": ["--quick"]}),
    "audit": ("audit.py", {"full": [], "quick": ["--events", "20000", "--rounds", "3"]}),
    "migration": ("migration.py", {"full": [], "quick": ["--requests", "60"]}),
}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small runs for a smoke test")
    p.add_argument("--only", choices=sorted(BENCHMARKS), action="append", help="run only this one (repeatable)")
    p.add_argument("--profile", action="store_true", help="always print the profile lines")
    p.add_argument("--no-profile", action="store_true", help="never profile")
    args = p.parse_args(argv)

    current: list[subprocess.Popen[str]] = []

    def on_term(signum: int, _frame: object) -> None:
        for child in current:  # the benchmark stops its own server on SIGTERM
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
                child.wait(timeout=30)
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
    failed = []
    for name in args.only or list(BENCHMARKS):
        script, variants = BENCHMARKS[name]
        command = [sys.executable, str(HERE / script), *variants["quick" if args.quick else "full"]]
        if args.profile:
            command.append("--profile")
        if args.no_profile:
            command.append("--no-profile")
        sys.stderr.write(f"run_all: {' '.join(command[1:])}\n")
        sys.stderr.flush()
        t0 = time.monotonic()
        # stderr is inherited (progress shows live); stdout is read line by line and checked.
        with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=HERE.parent) as proc:
            assert proc.stdout is not None
            current[:] = [proc]
            for line in proc.stdout:
                text = line.strip()
                if not text:
                    continue
                try:
                    json.loads(text)
                except ValueError:
                    sys.stderr.write(f"run_all: {name}: not JSON: {text}\n")
                    continue
                sys.stdout.write(text + "\n")
                sys.stdout.flush()
        if proc.returncode != 0:
            failed.append(name)
            sys.stderr.write(f"run_all: {name} failed with exit status {proc.returncode}\n")
        else:
            sys.stderr.write(f"run_all: {name} done in {time.monotonic() - t0:.1f}s\n")
    if failed:
        sys.stderr.write(f"run_all: failed: {', '.join(failed)}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
