"""The camat's inbox with many requests waiting: how long its first page takes, and in how many queries.

    .venv/bin/python bench/inbox.py                    # 20,000 waiting (the issue's figure)
    .venv/bin/python bench/inbox.py --waiting 2000 --repeat 5

One sktm request is driven through the portal's services to the camat's signing step; the others
are copies of its rows (request and open step), written in bulk, so the inbox sees `--waiting`
steps without running the workflow that many times. Each page is fetched in-process through
Django's test client as camat1 (session, middleware, view, template: everything but the socket),
on a throwaway SQLite database. The API's first page is measured the same way. (bench/lists.py
measures every list with 100,000 requests of every service open, on SQLite and PostgreSQL.)

Prints one JSON line: the page's mean, p50 and p95 in milliseconds, its queries, and the target.
"""

from __future__ import annotations

import argparse
import copy
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    DEFAULT_SCENARIO,
    PROCESSES,
    USER_FOR_ROLE,
    django_setup,
    emit,
    load_scenario,
    note,
    percentile,
    r,
    service_files,
)

TARGET_MS = 100.0
SIGNING_STEP = "Task_TandatanganCamat"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--waiting", type=int, default=20_000, help="requests waiting for the camat (default 20000)")
    p.add_argument("--repeat", type=int, default=20, help="measured fetches of each page (default 20)")
    p.add_argument("--keep", action="store_true", help="keep the temporary database directory")
    args = p.parse_args(argv)
    if args.waiting < 1 or args.repeat < 1:
        p.error("--waiting and --repeat must be >= 1")
    return args


def request_at_signing(scenario: dict[str, Any]) -> Any:
    """One sktm request driven through the services to the camat's signing step; its open step."""
    from django.contrib.auth import get_user_model

    from portal.accounts.services import demo_users_ensure
    from portal.directory.services import demo_postings_ensure
    from portal.operations.services import catalogue_load
    from portal.workflow.enums import OPEN_HUMAN_TASK
    from portal.workflow.models import HumanTask
    from portal.workflow.services.definitions import definitions_deploy
    from portal.workflow.services.human_tasks import human_task_complete
    from portal.workflow.services.registration import request_register

    demo_users_ensure(password=os.environ.get("PATEN_DEMO_PASSWORD", "paten-demo-2026"))
    demo_postings_ensure()  # the counter registers for its own kecamatan
    definitions_deploy(files=service_files(scenario["service"]))
    catalogue_load(directory=PROCESSES)
    users = get_user_model().objects
    start = copy.deepcopy(scenario["start"])
    instance = request_register(
        service_code=scenario["service"], applicant=start["applicant"], data=start.get("data", {}),
        actor=users.get(username=USER_FOR_ROLE["loket"]),
    )  # fmt: skip
    for step in scenario["portal_steps"]:
        open_step = HumanTask.objects.get(instance=instance, bpmn_id=step["bpmn_id"], status__in=OPEN_HUMAN_TASK)
        if step["bpmn_id"] == SIGNING_STEP:
            return open_step
        actor = users.get(username=USER_FOR_ROLE[step["role"]])
        human_task_complete(human_task_id=open_step.pk, actor=actor, data=copy.deepcopy(step.get("data") or {}))
    raise SystemExit(f"the scenario never reaches {SIGNING_STEP}")


def copies_write(step: Any, count: int) -> None:
    """`count` - 1 more requests waiting at the same step: copies of its rows (the request, its open
    step and the lists' row of it), each its own number."""
    from portal.workflow.models import HumanTask, ProcessInstance, WorkItem

    skip_instance = {"id", "tracking_number"}
    fields = {f.attname: getattr(step.instance, f.attname) for f in ProcessInstance._meta.concrete_fields}
    fields = {k: v for k, v in fields.items() if k not in skip_instance}
    step_fields = {f.attname: getattr(step, f.attname) for f in HumanTask._meta.concrete_fields}
    step_fields = {k: v for k, v in step_fields.items() if k not in {"id", "instance_id", "task_guid"}}
    item = WorkItem.objects.get(pk=step.pk)
    item_fields = {f.attname: getattr(item, f.attname) for f in WorkItem._meta.concrete_fields}
    item_fields = {k: v for k, v in item_fields.items() if k not in {"human_task_id", "instance_id", "tracking_number"}}
    for first in range(0, count - 1, 2000):
        made = ProcessInstance.objects.bulk_create(
            [
                ProcessInstance(**fields, tracking_number=f"991201-{n:06d}")
                for n in range(first, min(count - 1, first + 2000))
            ]
        )
        steps = HumanTask.objects.bulk_create(
            [HumanTask(**step_fields, instance_id=i.pk, task_guid=f"copy-{i.pk}") for i in made]
        )
        WorkItem.objects.bulk_create(
            [
                WorkItem(**item_fields, human_task_id=s.pk, instance_id=i.pk, tracking_number=i.tracking_number)
                for i, s in zip(made, steps, strict=True)
            ]
        )


def measure(client: Any, path: str, repeat: int) -> tuple[list[float], int, Any]:
    """Fetch `path` once to warm, then `repeat` times: the times, the queries of one fetch, the last response."""
    from django.db import connection

    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path}: HTTP {response.status_code}")
    queries: list[str] = []

    def counted(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):  # (Django resets connection.queries at each request)
        client.get(path)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - t0)
    return times, len(queries), response


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    scenario = load_scenario(DEFAULT_SCENARIO)
    tmp = Path(tempfile.mkdtemp(prefix="paten-bench-inbox-"))
    try:
        django_setup(tmp)
        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.test import Client

        from portal.accounts.services import api_token_issue

        step = request_at_signing(scenario)
        t0 = time.perf_counter()
        copies_write(step, args.waiting)
        note(f"inbox: {args.waiting} waiting written in {time.perf_counter() - t0:.1f} s")
        camat = get_user_model().objects.get(username=USER_FOR_ROLE["camat"])
        page = Client()
        page.force_login(camat)
        page_times, page_queries, shown = measure(page, "/persetujuan/", args.repeat)
        rows = shown.content.decode().count('type="checkbox" name="human_task_ids"')
        if rows != min(25, args.waiting):
            raise SystemExit(f"the inbox's first page shows {rows} steps to tick")
        key = api_token_issue(user=camat, label="bench").key
        api = Client(headers={"Authorization": f"Token {key}", "Accept": "application/json"})
        api_times, api_queries, listed = measure(api, "/api/v1/approvals/", args.repeat)
        counted = listed.json()
        if counted["count"] != min(args.waiting, 1000) or counted["count_capped"] != (args.waiting > 1000):
            raise SystemExit(f"the API counts {counted['count']} waiting (capped: {counted['count_capped']})")
        emit(
            {
                "bench": "inbox",
                "waiting": args.waiting,
                "repeat": args.repeat,
                "page_mean_ms": r(statistics.fmean(page_times) * 1000.0),
                "page_p50_ms": r(percentile(page_times, 50) * 1000.0),
                "page_p95_ms": r(percentile(page_times, 95) * 1000.0),
                "page_queries": page_queries,
                "page_bytes": len(shown.content),
                "api_mean_ms": r(statistics.fmean(api_times) * 1000.0),
                "api_p50_ms": r(percentile(api_times, 50) * 1000.0),
                "api_queries": api_queries,
                "target_ms_max": TARGET_MS,
                "database": connection.vendor,
                "load_average_1m": r(os.getloadavg()[0], 2),
                "python": sys.version.split()[0],
            }
        )
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 - Django may not have been set up
            pass
        if args.keep:
            note(f"inbox: database kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
