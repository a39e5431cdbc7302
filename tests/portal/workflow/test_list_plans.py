"""The lists answer from indexes: every query of the worklist, the task API, the camat's inbox, the
overdue counts, tracking and the auditor's search is an index search (never a scan of the table),
and the lists' rows come in index order (never sorted afterwards), on SQLite and on PostgreSQL.

The database explains each query the pages ran. The tables here are small, so on PostgreSQL the
planner is told to avoid scans and sorts wherever it can: a scan or a sort left in a plan means no
index can serve that query, which is what this test is for. The time the lists take with 100,000
open requests is measured by bench/lists.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.conftest import SKTM_APPLICANT, step_due_set
from tests.portal.delegation.flow import sktm_at_signing

# Tables that grow with the requests.
BIG = ("workflow_workitem", "workflow_namekey", "workflow_processinstance", "workflow_humantask")
# ... and those whose rows a list pages through in index order (a query of one request's few steps
# may sort them).
LISTED = ("workflow_workitem", "workflow_namekey", "workflow_processinstance")


@contextmanager
def captured() -> Iterator[list[tuple[str, Any]]]:
    """The SELECT statements run meanwhile, with their parameters."""
    found: list[tuple[str, Any]] = []

    def keep(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.lstrip().upper().startswith("SELECT") and any(f'"{t}"' in sql for t in BIG):
            found.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        yield found


def plan(sql: str, params: Any) -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_incremental_sort = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return [str(row[-1]) for row in cursor.fetchall()]


def _main_table(sql: str) -> str:
    found = re.search(r'\bFROM "(\w+)"', sql)
    return found.group(1) if found else ""


def problems(sql: str, lines: list[str]) -> list[str]:
    """What is wrong with a query's plan: a scan of a big table, or a list sorted after reading (a
    lookup of one row by its unique key, LIMIT 1, may "sort" that row); and a page of an officer's
    own steps read anywhere but from the index that holds them by officer (a bounded count of them
    may take any index of these small tables)."""
    wrong = []
    listed = _main_table(sql) in LISTED and not re.search(r"\bLIMIT 1\b", sql)
    own = re.search(r'(?<!NOT \()"workflow_workitem"\."assignee_id" = %s.* ORDER BY ', sql)
    if own and not any("work_item_assignee" in line for line in lines):
        wrong.append("an officer's own steps not read through work_item_assignee: " + " / ".join(lines))
    for line in lines:
        text = line.strip()
        if connection.vendor == "postgresql":
            if any(re.search(rf"Seq Scan on {t}\b", text) for t in BIG):
                wrong.append(text)
            if listed and re.match(r"(->\s+)?(Incremental )?Sort\b", text):
                wrong.append(text)
        else:
            if any(re.match(rf"SCAN {t}\b", text) for t in BIG):
                wrong.append(text)
            if listed and "USE TEMP B-TREE FOR ORDER BY" in text:
                wrong.append(text)
    return wrong


@pytest.fixture
def open_requests(deployed: Any, users: dict[str, Any], api: Any) -> dict[str, Any]:
    """Open steps at each role of Babulu, through the services: at the counter, with the section head
    (one claimed), waiting for the camat (one late), and one request of Sepaku."""
    from portal.workflow.services.human_tasks import human_task_claim
    from portal.workflow.services.registration import request_register

    signing = sktm_at_signing(users, name="Siti Nur Aminah")
    late = sktm_at_signing(users, name="Rahmawati Dewi")
    step_due_set(late, timezone.now() - timedelta(hours=2))
    verifying = sktm_at_signing(users, name="Budi Santoso", stop_before="Task_VerifikasiData")
    human_task_claim(human_task_id=verifying.pk, actor=users["kasi1"])
    tracked = request_register(
        service_code="sktm", applicant={**SKTM_APPLICANT, "name": "Wulan Sari"}, data={"keperluan": "Beasiswa"},
        actor=users["loket1"],
    )  # fmt: skip
    if connection.vendor == "postgresql":  # the planner's statistics of these rows, not of an earlier test's
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(f'"{table}"' for table in BIG))
    return {"signing": signing, "late": late, "verifying": verifying, "tracked": tracked}


def _client(users: dict[str, Any], username: str | None) -> Client:
    client = Client()
    if username is not None:
        client.force_login(users[username])
    return client


def _get(client: Client, url: str, **params: Any) -> Any:
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return response


def _calls(users: dict[str, Any], steps: dict[str, Any]) -> list[tuple[str, Callable[[], Any]]]:
    tn = steps["signing"].instance.tracking_number
    nik = steps["signing"].instance.applicant_nik
    kasi, loket, camat = (_client(users, u) for u in ("kasi1", "loket1", "camat1"))
    auditor, applicant = _client(users, "auditor1"), _client(users, None)
    tracked = {"tracking_number": steps["tracked"].tracking_number, "pin": steps["tracked"].access_pin}

    def track() -> Any:
        response = applicant.post("/api/v1/tracking/", tracked, content_type="application/json")
        assert response.status_code == 200, response.content
        return response

    def next_of(client: Client, url: str, **params: Any) -> Any:
        first = _get(client, url, limit=1, **params).json()
        assert first["next"], url
        return client.get(first["next"])

    def worklist_next() -> Any:
        from portal.workflow.worklists import worklist_page

        first = worklist_page(users["camat1"], limit=1)
        return worklist_page(users["camat1"], limit=1, cursor=first.page.next_token)

    return [
        ("task API", lambda: _get(kasi, "/api/v1/tasks/")),
        ("task API, a later page", lambda: next_of(camat, "/api/v1/tasks/")),
        ("task API, one request", lambda: _get(loket, "/api/v1/tasks/", tracking_number=tn)),
        ("worklist", lambda: _get(kasi, "/kerja/")),
        ("worklist, mine", lambda: _get(kasi, "/kerja/", status="milik-saya")),
        ("worklist, late", lambda: _get(camat, "/kerja/", status="terlambat")),
        ("worklist, unclaimed", lambda: _get(kasi, "/kerja/", status="belum-diambil", layanan="sktm")),
        ("worklist, a later page", worklist_next),
        ("camat's inbox", lambda: _get(camat, "/persetujuan/")),
        ("camat's inbox API, a later page", lambda: next_of(camat, "/api/v1/approvals/")),
        ("overdue counts", lambda: _get(camat, "/api/v1/tasks/overdue/")),
        ("overdue counts, every office", lambda: _get(auditor, "/api/v1/tasks/overdue/")),
        ("auditor's search by number", lambda: _get(auditor, "/audit/", q=tn.lower())),
        ("auditor's search by NIK", lambda: _get(auditor, "/audit/", q=nik)),
        ("auditor's search by name", lambda: _get(auditor, "/audit/", q="amin")),
        ("auditor's recent requests", lambda: _get(auditor, "/audit/")),
        ("request by number (officer)", lambda: _get(kasi, f"/api/v1/requests/{tn}/")),
        ("tracking (applicant, PIN)", track),
    ]


def test_every_list_query_is_an_index_search_in_index_order(
    open_requests: dict[str, Any], users: dict[str, Any]
) -> None:
    wrong: dict[str, list[str]] = {}
    explained = 0
    for name, call in _calls(users, open_requests):
        call()  # warm: sessions, caches
        with captured() as queries:
            call()
        assert queries, name
        for sql, params in queries:
            lines = plan(sql, params)
            explained += 1
            if found := problems(sql, lines):
                wrong[f"{name}: {sql[:300]}"] = found
    assert wrong == {}
    assert explained > 30


def test_the_plan_check_sees_a_scan_and_a_sort(db: Any) -> None:
    """The check itself: a query no index serves is caught."""
    sql = 'SELECT "workflow_workitem"."human_task_id" FROM "workflow_workitem" ORDER BY "workflow_workitem"."name"'
    assert problems(sql, plan(sql, ()))
