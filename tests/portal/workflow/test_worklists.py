"""The lists of open steps page by keyset: every step once, in the order each list promises, a cursor
that survives time passing, and a total counted only up to a cap."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import SKTM_APPLICANT, step_due_set


@pytest.fixture
def at_the_counter(deployed: Any, users: dict[str, Any]) -> list[Any]:
    """Seven requests whose first step waits at Babulu's counter, oldest first."""
    from portal.workflow.models import HumanTask
    from portal.workflow.services.registration import request_register

    start = timezone.now() - timedelta(hours=8)
    steps = []
    for n in range(7):
        instance = request_register(
            service_code="sktm", applicant={**SKTM_APPLICANT, "name": f"Pemohon {n}"}, data={"keperluan": "Beasiswa"},
            actor=users["loket1"], now=start + timedelta(minutes=n),
        )  # fmt: skip
        steps.append(HumanTask.objects.get(instance=instance))
    return steps


def _walk(client: Any, url: str, **params: Any) -> tuple[list[list[int]], list[dict[str, Any]]]:
    pages, bodies = [], []
    response = client.get(url, params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        pages.append([row.get("id") or row.get("human_task_id") for row in body["results"]])
        bodies.append(body)
        if not body["next"]:
            return pages, bodies
        response = client.get(body["next"])


def test_the_task_api_pages_through_every_open_step_once_oldest_first(at_the_counter: list[Any], api: Any) -> None:
    pages, bodies = _walk(api("loket1"), "/api/v1/tasks/", limit=3)
    assert pages == [[s.pk for s in at_the_counter[i : i + 3]] for i in (0, 3, 6)]
    assert {(b["count"], b["count_capped"]) for b in bodies} == {(7, False)}
    assert bodies[0]["previous"] is None
    back = api("loket1").get(bodies[2]["previous"]).json()
    assert [row["id"] for row in back["results"]] == pages[1] and back["next"] == bodies[1]["next"]
    first = api("loket1").get(bodies[1]["previous"]).json()
    assert [row["id"] for row in first["results"]] == pages[0] and first["previous"] is None


@pytest.mark.parametrize("cursor", ["abc", "1.2.3", "0.0.0.0.0.0", "-1.0.5.1.0.1", "9" * 200, "0.99.1.1.1.1"])
def test_a_cursor_that_is_not_one_reads_as_the_first_page(at_the_counter: list[Any], api: Any, cursor: str) -> None:
    response = api("loket1").get("/api/v1/tasks/", {"limit": 3, "cursor": cursor})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [s.pk for s in at_the_counter[:3]]


def test_the_total_is_counted_up_to_a_cap(at_the_counter: list[Any], api: Any, monkeypatch: Any) -> None:
    from portal.core import keyset

    monkeypatch.setattr(keyset, "COUNT_CAP", 5)
    body = api("loket1").get("/api/v1/tasks/", {"limit": 2}).json()
    assert (body["count"], body["count_capped"], len(body["results"])) == (5, True, 2)


def test_the_worklist_pages_mine_first_then_the_most_late_then_the_oldest(
    at_the_counter: list[Any], users: dict[str, Any]
) -> None:
    from portal.workflow.services.human_tasks import human_task_claim
    from portal.workflow.worklists import worklist_page

    s = at_the_counter
    for step in (s[5], s[2], s[3]):
        human_task_claim(human_task_id=step.pk, actor=users["loket1"])
    now = timezone.now()
    step_due_set(s[3], now - timedelta(minutes=10))  # mine, and late
    step_due_set(s[4], now - timedelta(hours=1))
    step_due_set(s[1], now - timedelta(hours=3))  # the most late
    step_due_set(s[6], now + timedelta(hours=1))  # due, not yet late
    order: list[int] = []
    tokens: list[str | None] = []
    token = None
    while True:
        listed = worklist_page(users["loket1"], limit=2, cursor=token)
        order += [row.pk for row in listed.rows]
        tokens.append(listed.page.previous_token)
        token = listed.page.next_token
        if token is None:
            break
    assert order == [s[2].pk, s[3].pk, s[5].pk, s[1].pk, s[4].pk, s[0].pk, s[6].pk]
    assert (listed.total, listed.total_capped) == (7, False)
    back = worklist_page(users["loket1"], limit=2, cursor=tokens[2])  # from the third page, one back
    assert [row.pk for row in back.rows] == order[2:4] and back.page.position == 2


def test_paging_on_while_a_step_becomes_late_neither_repeats_nor_skips(
    at_the_counter: list[Any], users: dict[str, Any]
) -> None:
    import time_machine

    from portal.workflow.worklists import worklist_page

    now = timezone.now()
    step_due_set(at_the_counter[6], now + timedelta(minutes=30))
    first = worklist_page(users["loket1"], limit=3, now=now)
    with time_machine.travel(now + timedelta(hours=1), tick=False):
        second = worklist_page(users["loket1"], limit=3, cursor=first.page.next_token)
        third = worklist_page(users["loket1"], limit=3, cursor=second.page.next_token)
        fresh = worklist_page(users["loket1"], limit=3)
    seen = [row.pk for page in (first, second, third) for row in page.rows]
    assert sorted(seen) == sorted(s.pk for s in at_the_counter) and len(seen) == len(set(seen))
    assert fresh.rows[0].pk == at_the_counter[6].pk  # read afresh, the step is late now: it comes first


def test_the_worklist_filters_page_too(at_the_counter: list[Any], users: dict[str, Any], api: Any) -> None:
    from django.test import Client

    client = Client()
    client.force_login(users["loket1"])
    page = client.get("/kerja/", {"layanan": "sktm"})
    html = page.content.decode()
    assert html.count('<tr data-task="') == 7 and 'rel="next"' not in html
    assert client.get("/kerja/", {"layanan": "sku"}).content.decode().count('<tr data-task="') == 0
