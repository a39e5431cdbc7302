"""The camat's inbox stays one page of a few queries however many requests wait (20,000 here)."""

from __future__ import annotations

import time
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.portal.delegation.flow import sktm_at_signing

WAITING = 20_000


def _copies(step: Any, count: int) -> None:
    """`count` more requests waiting at the same signing step, written as rows (no workflow runs)."""
    from portal.workflow.models import HumanTask, ProcessInstance, WorkItem

    instance = step.instance
    fields = {f.name: getattr(instance, f.name) for f in ProcessInstance._meta.concrete_fields if f.name != "id"}
    fields["applicant_village_id"] = fields.pop("applicant_village").pk
    fields["definition_id"] = fields.pop("definition").pk
    for key in ("applicant_user", "registered_by"):
        value = fields.pop(key)
        fields[f"{key}_id"] = value.pk if value is not None else None
    made = ProcessInstance.objects.bulk_create(
        [ProcessInstance(**{**fields, "tracking_number": f"991201-{n:06d}"}) for n in range(count)], batch_size=2000
    )
    step_fields = {
        f.name: getattr(step, f.name) for f in HumanTask._meta.concrete_fields if f.name not in ("id", "instance")
    }
    step_fields.pop("assignee"), step_fields.pop("completed_by")
    steps = HumanTask.objects.bulk_create(
        [HumanTask(**{**step_fields, "instance_id": i.pk, "task_guid": f"guid-{i.pk}"}) for i in made], batch_size=2000
    )
    # ... and the lists' row of each, as the command that opened the step writes it.
    item = WorkItem.objects.get(pk=step.pk)
    item_fields = {f.attname: getattr(item, f.attname) for f in WorkItem._meta.concrete_fields}
    WorkItem.objects.bulk_create(
        [
            WorkItem(**{**item_fields, "human_task_id": s.pk, "instance_id": i.pk, "tracking_number": tn})
            for i, s, tn in zip(made, steps, [i.tracking_number for i in made], strict=True)
        ],
        batch_size=2000,
    )


def _first_page(client: Any) -> tuple[int, int, float]:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get("/persetujuan/")
        took = time.perf_counter() - started
    assert response.status_code == 200
    return len(queries.captured_queries), response.content.decode().count('type="checkbox" name="human_task_ids"'), took


def test_the_inbox_first_page_costs_the_same_few_queries_with_20000_waiting(
    deployed: Any, users: Any, client: Any
) -> None:
    step = sktm_at_signing(users, name="Rahmawati Dewi")
    client.force_login(users["camat1"])
    _first_page(client)  # warm: the session, the definition cache
    few_queries, _, _ = _first_page(client)
    _copies(step, WAITING)
    many_queries, boxes, took = _first_page(client)
    assert many_queries == few_queries and many_queries <= 15
    assert boxes == 25  # one page of steps to tick
    assert took < 10.0, f"{took:.3f} s"  # minutes before paging; the figure itself is for a benchmark


def test_the_inbox_api_pages_too(deployed: Any, users: Any, api: Any) -> None:
    step = sktm_at_signing(users, name="Rahmawati Dewi")
    _copies(step, 120)
    first = api("camat1").get("/api/v1/approvals/").json()
    assert first["count"] == 121 and len(first["results"]) == 25 and first["next"]
    assert first["results"][0]["draft"]["title"].startswith("SURAT KETERANGAN TIDAK MAMPU")
    with CaptureQueriesContext(connection) as queries:
        api("camat1").get("/api/v1/approvals/", {"limit": 100, "offset": 20})
    assert len(queries.captured_queries) <= 15


def test_the_inbox_page_pages_forward_and_back(deployed: Any, users: Any, client: Any) -> None:
    import html
    import re

    step = sktm_at_signing(users, name="Rahmawati Dewi")
    _copies(step, 30)
    client.force_login(users["camat1"])

    def page(query: str = "") -> tuple[list[str], dict[str, str]]:
        text = client.get("/persetujuan/" + query).content.decode()
        ids = re.findall(r'type="checkbox" name="human_task_ids" value="(\d+)"', text)
        links = {rel: html.unescape(href) for href, rel in re.findall(r'href="([^"]+)" rel="(next|prev)"', text)}
        return ids, links

    first, links = page()
    assert len(first) == 25 and "prev" not in links
    second, back_links = page(links["next"])
    assert len(second) == 6 and not set(first) & set(second) and "next" not in back_links
    assert page(back_links["prev"])[0] == first
