"""Moving many running requests onto a new version at once: the dry run and the move, per request.

    .venv/bin/python bench/migration.py                  # 1,000 safe requests (the issue's figure)
    .venv/bin/python bench/migration.py --requests 100

sktm v1 is deployed and one request is driven through the portal's services to each step that stays
in the shortened version (the counter, the kasi's two steps, the camat); the others are copies of
their rows (request with its stored state, open step, the lists' row, timers), written in bulk, so
the move sees `--requests` running requests without running the workflow that many times. Then sktm
without the sekcam's initials is deployed as v2; the dry run gives every request its verdict, and
all safe ones are moved with the same service the designer's page calls (each in its own
transaction under its lock). One copy's stored state is damaged on purpose: it must be refused and
left unchanged while all the others move.

Prints one JSON line per database: requests, the dry run's and the move's seconds, milliseconds per
request moved, how many moved and were refused, and the machine's load.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import PROCESSES, Scratch, django_setup, each_database, emit, load_average, note, r, service_files

SAFE_STEPS = ("Task_PeriksaKelengkapan", "Task_VerifikasiData", "Task_SusunDraf", "Task_TandatanganCamat")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--requests", type=int, default=1000, help="running requests to move (default 1000)")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory")
    p.add_argument("--database", choices=("sqlite", "postgresql"), help=argparse.SUPPRESS)  # a child's
    args = p.parse_args(argv)
    if args.requests < len(SAFE_STEPS) + 1:
        p.error(f"--requests must be >= {len(SAFE_STEPS) + 1}")
    return args


def originals() -> list[Any]:
    """sktm v1 deployed, with one request waiting at each step the shortened version keeps."""
    from django.contrib.auth import get_user_model

    from portal.accounts.services import demo_users_ensure
    from portal.directory.services import demo_postings_ensure
    from portal.operations.services import catalogue_load
    from portal.workflow.services.definitions import definitions_deploy
    from tests.migration_setup import sktm_at

    demo_users_ensure(password=os.environ.get("PATEN_DEMO_PASSWORD", "paten-demo-2026"))
    demo_postings_ensure()
    definitions_deploy(files=service_files("sktm"))
    catalogue_load(directory=PROCESSES)
    users = {u.username: u for u in get_user_model().objects.all()}
    return [sktm_at(users, bpmn_id) for bpmn_id in SAFE_STEPS]


def _fields(row: Any, skip: set[str]) -> dict[str, Any]:
    return {f.attname: getattr(row, f.attname) for f in type(row)._meta.concrete_fields if f.attname not in skip}


def copies_write(sources: list[Any], count: int) -> list[int]:
    """`count` running requests in all: the sources and copies of their rows, each its own number."""
    from portal.workflow.models import HumanTask, ProcessInstance, TimerSchedule, WorkItem

    ids = [s.pk for s in sources]
    sources = [ProcessInstance.objects.get(pk=pk) for pk in ids]  # as stored now, not as first returned
    for first in range(0, count - len(sources), 1000):
        batch = range(first, min(count - len(sources), first + 1000))
        made = ProcessInstance.objects.bulk_create([
            ProcessInstance(**_fields(sources[n % len(sources)], {"id", "tracking_number"}),
                            tracking_number=f"991202-{n:06d}") for n in batch])  # fmt: skip
        for source_index, source in enumerate(sources):
            mine = [m for n, m in zip(batch, made, strict=True) if n % len(sources) == source_index]
            for step in HumanTask.objects.filter(instance=source):
                step_rows = HumanTask.objects.bulk_create(
                    [HumanTask(**_fields(step, {"id", "instance_id"}), instance_id=m.pk) for m in mine]
                )
                item = WorkItem.objects.filter(pk=step.pk).first()
                if item is not None:
                    WorkItem.objects.bulk_create([
                        WorkItem(**_fields(item, {"human_task_id", "instance_id", "tracking_number"}),
                                 human_task_id=s.pk, instance_id=m.pk, tracking_number=m.tracking_number)
                        for m, s in zip(mine, step_rows, strict=True)])  # fmt: skip
            for timer in TimerSchedule.objects.filter(instance=source):
                TimerSchedule.objects.bulk_create(
                    [TimerSchedule(**_fields(timer, {"id", "instance_id"}), instance_id=m.pk) for m in mine]
                )
        ids += [m.pk for m in made]
    return ids


def run(args: argparse.Namespace, database_url: str | None, tmp: Path) -> dict[str, Any]:
    django_setup(tmp, database_url)
    from django.contrib.auth import get_user_model

    from portal.workflow.migration_plans import migration_dry_run
    from portal.workflow.models import ProcessDefinition, ProcessInstance
    from portal.workflow.services.migration import instances_migrate
    from tests.migration_setup import sktm_shortened_deploy

    started = time.perf_counter()
    ids = copies_write(originals(), args.requests)
    broken = ids[-1]
    ProcessInstance.objects.filter(pk=broken).update(state={"root": "none", "tasks": {}})
    designer = get_user_model().objects.get(username="perancang1")
    new = sktm_shortened_deploy(designer)
    old = ProcessDefinition.objects.get(code="sktm", version=1)
    note(f"migration: {len(ids)} running requests ready in {time.perf_counter() - started:.1f} s")
    load_before = load_average()
    t0 = time.perf_counter()
    verdicts = migration_dry_run(old, new)
    dry_run = time.perf_counter() - t0
    safe = [v.instance_id for v in verdicts if v.safe]
    t0 = time.perf_counter()
    report = instances_migrate(instance_ids=[*safe, broken], to_definition_id=new.pk, actor=designer)
    moving = time.perf_counter() - t0
    left = ProcessInstance.objects.get(pk=broken)
    if len(report.moved) != len(ids) - 1 or left.definition_id != old.pk or left.status != "running":
        raise SystemExit(f"migration: expected {len(ids) - 1} moved and the damaged one left: {report.refused}")
    return {
        "bench": "migration", "database": "postgresql" if database_url else "sqlite", "requests": len(ids),
        "dry_run_s": r(dry_run), "migrate_s": r(moving), "ms_per_request": r(1000 * moving / len(report.moved)),
        "moved": len(report.moved), "refused": len(report.refused), "load_average_before": load_before,
        "load_average": load_average(),
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.database is None:
        return each_database("migration", __file__, argv)
    tmp = Path(tempfile.mkdtemp(prefix="paten-bench-migration-"))
    scratch: Scratch | None = None
    try:
        if args.database == "postgresql":
            scratch = Scratch(os.environ["PATEN_BENCH_DATABASE_URL"], f"paten_bench_migration_{os.getpid()}")
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
