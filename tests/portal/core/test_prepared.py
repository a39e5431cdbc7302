"""Queries and writes of the command path compiled once (portal.core.prepared): the same rows and the
same stored values as the ORM's own querysets, save() and bulk_create()."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection
from django.db.models import Subquery
from django.test.utils import CaptureQueriesContext

from tests.conftest import SKTM_APPLICANT

AT = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
SKTM_DATA = {"keperluan": "Beasiswa", "nomor_pengantar_desa": "1", "jumlah_tanggungan": 3}


@pytest.fixture
def step(deployed: Any, users: dict[str, Any]) -> Any:
    from portal.workflow.models import HumanTask
    from portal.workflow.services.registration import request_register

    instance = request_register(
        service_code="sktm", applicant=dict(SKTM_APPLICANT), data=dict(SKTM_DATA), actor=users["loket1"]
    )
    return HumanTask.objects.filter(instance=instance).get()


def _lock_query() -> Any:
    from portal.core.prepared import PreparedQuery
    from portal.workflow.models import HumanTask, ProcessInstance

    return PreparedQuery(
        lambda key: (
            ProcessInstance.objects.select_related("definition", "office")
            .defer("definition__spec_json")
            .filter(pk=Subquery(HumanTask.objects.filter(pk=key).values("instance_id")[:1]))[:1]
        )
    )


def test_a_prepared_query_gives_the_orm_s_objects_with_their_related_rows_and_compiles_once(step: Any) -> None:
    from portal.workflow.models import ProcessInstance

    query = _lock_query()
    found = query.first(step.pk)
    assert found is not None
    expected = ProcessInstance.objects.select_related("office").get(pk=step.instance_id)
    assert found.pk == expected.pk and found.state == expected.state and found.created_at == expected.created_at
    assert found.request_data == expected.request_data and found.tracking_number == expected.tracking_number
    with CaptureQueriesContext(connection) as seen:
        assert found.definition.code == "sktm" and found.office.slug == expected.office.slug  # came with the row
    assert len(seen) == 0
    assert "definition_id" in found.__dict__ and "spec_json" not in found.definition.__dict__  # deferred stays deferred
    assert query.first(step.pk + 10_000) is None
    assert query.all(step.pk) == [found]
    with CaptureQueriesContext(connection) as seen:
        query.first(step.pk)
    assert len(seen) == 1 and str(step.pk) in seen[0]["sql"]  # run through the cursor, logged like any other


def test_a_query_whose_key_does_not_reach_its_sql_once_or_that_gives_no_objects_is_refused(db: Any) -> None:
    from portal.core.prepared import PreparedQuery
    from portal.workflow.models import HumanTask

    with pytest.raises(ValueError, match="2 times"):
        PreparedQuery(lambda key: HumanTask.objects.filter(pk=key, instance_id=key)).all(1)
    with pytest.raises(ValueError, match="0 times"):
        PreparedQuery(lambda key: HumanTask.objects.filter(pk=1)).all(1)
    with pytest.raises(ValueError, match="model objects"):
        PreparedQuery(lambda key: HumanTask.objects.filter(pk=key).values("pk")).all(1)  # type: ignore[type-var]
    with pytest.raises(TypeError, match="1 key"):
        PreparedQuery(lambda key: HumanTask.objects.filter(pk=key)).all(1, 2)


def test_a_row_update_stores_what_save_stores(step: Any) -> None:
    from portal.core.prepared import row_update
    from portal.workflow.models import HumanTask

    other = HumanTask.objects.get(pk=step.pk)
    step.status, step.completed_at, step.completed_data = "completed", AT, {"catatan": 'Ada "kutip" dan \' ; --'}
    row_update(step, ["status", "completed_at", "completed_data"])
    other.status, other.completed_at, other.completed_data = step.status, AT, dict(step.completed_data)
    stored = HumanTask.objects.get(pk=step.pk)
    assert (stored.status, stored.completed_at, stored.completed_data) == ("completed", AT, step.completed_data)
    assert stored.name == other.name and stored.form == other.form  # columns not named are left as they were


def test_rows_inserted_together_get_their_ids_and_read_back_as_written(step: Any) -> None:
    from portal.core.prepared import rows_delete, rows_insert
    from portal.workflow.models import HumanTask, WorkItem

    rows = [
        HumanTask(instance_id=step.instance_id, task_guid=f"guid-{n}", bpmn_id=f"Task_{n}", name=f"Langkah {n}",
                  role="kasi_pem", form=[{"id": "x"}], properties={"n": n}, data={"nama": "Siti"}, created_at=AT)
        for n in range(3)
    ]  # fmt: skip
    with CaptureQueriesContext(connection) as seen:
        rows_insert(rows)
    assert len(seen) == 1
    assert all(row.pk for row in rows) and len({row.pk for row in rows}) == 3
    for n, row in enumerate(rows):
        stored = HumanTask.objects.get(pk=row.pk)
        assert (stored.task_guid, stored.properties, stored.created_at, stored.status) == (f"guid-{n}", {"n": n}, AT,
                                                                                          "ready")  # fmt: skip
        assert not row._state.adding
    assert rows_insert([]) == []
    held = WorkItem.objects.filter(instance_id=step.instance_id).count()
    assert held == 1
    with CaptureQueriesContext(connection) as seen:
        rows_delete(WorkItem, [step.pk])
        rows_delete(WorkItem, [])
    assert len(seen) == 1 and not WorkItem.objects.filter(instance_id=step.instance_id).exists()


def test_a_prepared_query_takes_text_keys_as_given_and_refuses_a_lookup_that_rewrites_them(step: Any) -> None:
    from portal.core.prepared import PreparedQuery
    from portal.workflow.models import HumanTask, ProcessDefinition

    by_code = PreparedQuery(
        lambda code: ProcessDefinition.objects.filter(code=code, is_active=True).order_by("-version")[:1],
        keys=(str,),
    )
    found = by_code.first("sktm")
    assert found is not None and found.pk == ProcessDefinition.objects.get(code="sktm", is_active=True).pk
    assert by_code.first("sktm' OR '1'='1") is None  # a parameter, never SQL text
    assert by_code.first("SKTM") is None  # equality, as the ORM's own `code=` lookup
    two = PreparedQuery(lambda key, name: HumanTask.objects.filter(instance_id=key, bpmn_id=name), keys=(int, str))
    assert [row.pk for row in two.all(step.instance_id, step.bpmn_id)] == [step.pk]
    assert two.all(step.instance_id, "Task_Lain") == []
    with pytest.raises(ValueError, match="0 times"):
        PreparedQuery(lambda name: HumanTask.objects.filter(bpmn_id__icontains=name), keys=(str,)).all("Task")


def test_a_row_replaced_takes_the_new_key_and_every_column_and_a_missing_one_is_reported(step: Any) -> None:
    from portal.core.prepared import row_replace, rows_insert
    from portal.workflow.models import HumanTask, WorkItem

    item = WorkItem.objects.get(pk=step.pk)
    (other,) = rows_insert([HumanTask(instance_id=step.instance_id, task_guid="guid-next", bpmn_id="Task_Next",
                                      name="Berikutnya", role="kasi", created_at=AT)])  # fmt: skip
    item.human_task_id, item.bpmn_id, item.name = other.pk, "Task_Next", "Berikutnya"
    item.role, item.lane, item.created_at = "kasi", "kasi", AT
    with CaptureQueriesContext(connection) as seen:
        assert row_replace(item, step.pk) is True
    assert len(seen) == 1
    assert not WorkItem.objects.filter(pk=step.pk).exists()
    moved = WorkItem.objects.get(pk=other.pk)
    assert (moved.bpmn_id, moved.lane, moved.created_at, moved.tracking_number) == (
        "Task_Next", "kasi", AT, item.tracking_number
    )  # fmt: skip
    assert row_replace(item, step.pk) is False  # nothing keyed so any more: nothing written
    assert WorkItem.objects.filter(instance_id=step.instance_id).count() == 1
