"""The transparency log at scale: sealing and verifying a million events, and what sealing adds to a
task completion.

    .venv/bin/python bench/audit.py                        # 1,000,000 events (the issue's figure)
    .venv/bin/python bench/audit.py --events 20000 --rounds 3

Real requests are driven through the services (sktm to the camat's signature) to measure a task
completion and the sealing of its events; the bulk of the log is synthetic requests whose events
are written with valid hash chains in bulk (the verifier walks them exactly as real ones). Then the
whole log is sealed, a checkpoint issued, and everything verified against it.

Prints one JSON line per database: sealing and verification throughput (events per second), the
verifier's peak memory, and the cost sealing adds to a completion as a share of the completion's own
cost (target: under 5%). SQLite always; PostgreSQL too when PATEN_BENCH_DATABASE_URL is set.
"""

from __future__ import annotations

import argparse
import copy
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import DEFAULT_SCENARIO, Scratch, django_setup, each_database, emit, load_scenario, note, r

TARGET_SHARE = 0.05
BATCH = 5000


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--events", type=int, default=1_000_000, help="events in the log (default 1000000)")
    p.add_argument("--per-request", type=int, default=12, help="events per synthetic request (default 12)")
    p.add_argument("--requests", type=int, default=5, help="real sktm requests per seal run (default 5)")
    p.add_argument("--rounds", type=int, default=10, help="seal runs measured after as many rounds (default 10)")
    p.add_argument("--keep", action="store_true", help="keep the temporary database directory")
    p.add_argument("--database", choices=("sqlite", "postgresql"), help=argparse.SUPPRESS)  # a child's
    args = p.parse_args(argv)
    if min(args.events, args.per_request, args.requests, args.rounds) < 1:
        p.error("--events, --per-request, --requests and --rounds must be >= 1")
    return args


def _request_to_camat(scenario: dict[str, Any], users: Any) -> list[float]:
    """One sktm request through the services up to the camat: each completion's seconds."""
    from portal.workflow.enums import OPEN_HUMAN_TASK
    from portal.workflow.models import HumanTask
    from portal.workflow.services.human_tasks import human_task_complete
    from portal.workflow.services.registration import request_register

    roles = {"loket": "loket1", "kasi": "kasi1", "sekcam": "sekcam1"}
    start = copy.deepcopy(scenario["start"])
    instance = request_register(service_code=scenario["service"], applicant=start["applicant"],
                                data=start.get("data", {}), actor=users.get(username="loket1"))  # fmt: skip
    seconds = []
    for step in scenario["portal_steps"]:
        if step["bpmn_id"] == "Task_TandatanganCamat":
            break
        open_step = HumanTask.objects.get(instance=instance, bpmn_id=step["bpmn_id"], status__in=OPEN_HUMAN_TASK)
        actor = users.get(username=roles[step["role"]])
        t0 = time.perf_counter()
        human_task_complete(human_task_id=open_step.pk, actor=actor, data=copy.deepcopy(step.get("data") or {}))
        seconds.append(time.perf_counter() - t0)
    return seconds


def drive(scenario: dict[str, Any], count: int, rounds: int) -> dict[str, Any]:
    """`rounds` times: `count` sktm requests driven to the camat, then one seal run over what they
    wrote (the beat's minute run, had they all happened in that minute). After one unmeasured round."""
    from django.contrib.auth import get_user_model

    from portal.audit.sealing import log_seal
    from portal.workflow.models import InstanceEvent

    users = get_user_model().objects
    completions: list[float] = []
    runs: list[float] = []
    events = 0
    for round_number in range(rounds + 1):
        before = InstanceEvent.objects.count()
        done = [s for _ in range(count) for s in _request_to_camat(scenario, users)]
        t0 = time.perf_counter()
        log_seal()
        took = time.perf_counter() - t0
        if round_number:  # the first round warms up and creates the log's head
            completions += done
            runs.append(took)
            events += InstanceEvent.objects.count() - before
    idle = []
    for _ in range(5):
        t0 = time.perf_counter()
        log_seal()
        idle.append(time.perf_counter() - t0)
    return {
        "completion_ms": r(statistics.fmean(completions) * 1000.0),
        "events_per_completion": r(events / len(completions), 2),
        "completions_per_seal_run": len(completions) // rounds,
        "seal_run_ms_p50": r(statistics.median(runs) * 1000.0),
        "idle_seal_run_ms_p50": r(statistics.median(idle) * 1000.0),
        "seal_share_of_completion": r(sum(runs) / sum(completions), 4),
    }


def synthetic_write(template: Any, events: int, per_request: int) -> int:
    """Requests copied from `template`, each with `per_request` events chained as the services chain them."""
    from portal.workflow.events import GENESIS, event_hash
    from portal.workflow.models import InstanceEvent, ProcessInstance

    skip = {"id", "tracking_number", "last_event_seq", "last_event_hash"}
    fields = {f.attname: getattr(template, f.attname) for f in ProcessInstance._meta.concrete_fields}
    fields = {k: v for k, v in fields.items() if k not in skip}
    at0 = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
    written, number = 0, 0
    while written < events:
        chains: list[tuple[str, list[dict[str, Any]]]] = []
        while written < events and len(chains) * per_request < BATCH:
            number += 1
            tn = f"990101-{number:07d}"
            prev, rows = GENESIS, []
            for seq in range(1, min(per_request, events - written) + 1):
                at = (at0 + timedelta(minutes=number % 10_000, seconds=seq)).isoformat()
                payload = {"bpmn_id": "Task_PeriksaKelengkapan", "data": {"hasil_pemeriksaan": "lengkap", "n": seq}}
                digest = event_hash(prev_hash=prev, tracking_number=tn, seq=seq, type="human_task_completed",
                                    actor="loket1", at=at, payload=payload)  # fmt: skip
                rows.append({"seq": seq, "at": at, "payload": payload, "prev": prev, "hash": digest})
                prev = digest
            written += len(rows)
            chains.append((tn, rows))
        made = ProcessInstance.objects.bulk_create([
            ProcessInstance(**fields, tracking_number=tn, last_event_seq=rows[-1]["seq"],
                            last_event_hash=rows[-1]["hash"])
            for tn, rows in chains
        ])  # fmt: skip
        InstanceEvent.objects.bulk_create([
            InstanceEvent(instance_id=instance.pk, seq=row["seq"], type="human_task_completed", actor_username="loket1",
                          at=datetime.fromisoformat(row["at"]), bpmn_id="Task_PeriksaKelengkapan",
                          payload=row["payload"], prev_hash=row["prev"], hash=row["hash"])
            for instance, (_tn, rows) in zip(made, chains, strict=True) for row in rows
        ], batch_size=1000)  # fmt: skip
    return written


def setup() -> None:
    from django.conf import settings

    from portal.accounts.services import demo_users_ensure
    from portal.audit.checkpoints import key_create
    from portal.directory.services import demo_postings_ensure
    from portal.operations.services import catalogue_load
    from portal.workflow.services.definitions import catalogue_files, definitions_deploy

    demo_users_ensure(password=os.environ.get("PATEN_DEMO_PASSWORD", "paten-demo-2026"))
    demo_postings_ensure()
    definitions_deploy(files=catalogue_files(Path(settings.PATEN_PROCESSES_DIR)))
    catalogue_load(directory=Path(settings.PATEN_PROCESSES_DIR))
    key_create()


def run(args: argparse.Namespace, database_url: str | None, tmp: Path) -> dict[str, Any]:
    django_setup(tmp, database_url)
    from django.db import connection

    from portal.audit.checkpoints import checkpoint_issue, verifier
    from portal.audit.sealing import log_seal
    from portal.audit.verification import log_verify
    from portal.workflow.models import InstanceEvent, ProcessInstance

    scenario = load_scenario(DEFAULT_SCENARIO)
    setup()
    sealing = drive(scenario, args.requests, args.rounds)
    template = ProcessInstance.objects.order_by("id").first()
    t0 = time.perf_counter()
    synthetic_write(template, max(0, args.events - InstanceEvent.objects.count()), args.per_request)
    note(f"audit: {InstanceEvent.objects.count()} events written in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    sealed = log_seal(now=datetime.now(UTC))
    seal_seconds = time.perf_counter() - t0
    checkpoint = checkpoint_issue()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    report = log_verify(notes=[("bench", checkpoint.note)], verifiers=[verifier()],
                        now=datetime.now(UTC) + timedelta(days=1))  # fmt: skip
    verify_seconds = time.perf_counter() - t0
    if not report.ok:
        raise SystemExit(f"the untouched log did not verify: {[str(f) for f in report.findings[:5]]}")
    return {
        "bench": "audit", "database": connection.vendor, "events": report.events, "requests": report.requests,
        "sealed_events_per_second": r(sealed / seal_seconds, 0), "seal_seconds": r(seal_seconds, 2),
        "verified_events_per_second": r(report.events / verify_seconds, 0), "verify_seconds": r(verify_seconds, 2),
        "verify_peak_rss_mb_growth": r((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024, 1),
        **sealing,
        "target_share_max": TARGET_SHARE, "met": sealing["seal_share_of_completion"] < TARGET_SHARE,
        "load_average_1m": r(os.getloadavg()[0], 2), "python": sys.version.split()[0],
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.database is None:
        return each_database("audit", __file__, argv)
    tmp = Path(tempfile.mkdtemp(prefix="paten-bench-audit-"))
    scratch: Scratch | None = None
    try:
        if args.database == "postgresql":
            scratch = Scratch(os.environ["PATEN_BENCH_DATABASE_URL"], f"paten_bench_audit_{os.getpid()}")
            scratch.create()
        emit(run(args, scratch.url if scratch is not None else None, tmp))
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 - Django may not have been set up
            pass
        if scratch is not None:
            scratch.drop()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
