"""A command on a request costs a fixed, small number of SQL statements: completing a step locks
the request and reads its open steps, then writes each table once (the step done, the step opened,
the lists' row of the one become the other's, the events, the request). Counted with the actor's
roles and posting already read (a page or API call reads them once for its whole request), without
transaction control."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import SKTM_APPLICANT

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")
MAX_PER_COMPLETION = 7
# What a step adds to that for the work it does besides: the SLA clock reads the standard's
# completion time; a timer is armed, or cancelled, in its row; a letter is numbered (the template,
# the year's sequence, the letter's row) after separation of duties asks whether the signer
# verified the request.
EXTRA = {"Task_PeriksaKelengkapan": 1, "Task_ParafSekcam": 1, "Task_TandatanganCamat": 5}


def statements(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if not q["sql"].upper().startswith(TRANSACTION_CONTROL)]


def warm(user: Any) -> Any:
    """What authentication reads of a user once per call (roles, posting), read ahead."""
    from portal.accounts.selectors import user_roles
    from portal.directory.selectors import office_scope

    user_roles(user)
    office_scope(user)
    return user


def test_completing_a_step_runs_at_most_seven_statements(deployed: Any, users: dict[str, Any]) -> None:
    from portal.workflow.events import chain_verify
    from portal.workflow.models import HumanTask, InstanceEvent, WorkItem
    from portal.workflow.services.human_tasks import human_task_claim, human_task_complete
    from portal.workflow.services.registration import request_register

    loket, kasi = warm(users["loket1"]), warm(users["kasi1"])
    instance = request_register(
        service_code="sktm", applicant=SKTM_APPLICANT,
        data={"keperluan": "Beasiswa", "nomor_pengantar_desa": "1", "jumlah_tanggungan": 3}, actor=loket,
    )  # fmt: skip
    check = HumanTask.objects.get(instance=instance, status="ready")
    human_task_complete(human_task_id=check.pk, actor=loket, data={"hasil_pemeriksaan": "lengkap"})  # warms caches
    verify = HumanTask.objects.get(instance=instance, status="ready")
    assert verify.bpmn_id == "Task_VerifikasiData"
    events_before = InstanceEvent.objects.filter(instance=instance).count()

    with CaptureQueriesContext(connection) as captured:
        human_task_complete(
            human_task_id=verify.pk, actor=kasi, data={"terdaftar_dtks": True, "hasil_verifikasi": "memenuhi"}
        )
    run = statements(captured)
    assert len(run) <= MAX_PER_COMPLETION, "\n".join(run)

    # ... and everything a completion writes is there: the step done, the next one open on the
    # lists, both events in the chain, the request's new state.
    verify.refresh_from_db()
    assert verify.status == "completed" and verify.completed_by_id == kasi.pk
    (following,) = HumanTask.objects.filter(instance=instance, status="ready")
    assert list(WorkItem.objects.filter(instance_id=instance.pk).values_list("pk", "lane")) == [
        (following.pk, following.role)
    ]
    types = list(InstanceEvent.objects.filter(instance=instance, seq__gt=events_before).values_list("type", flat=True))
    assert types == ["human_task_completed", "human_task_created"]
    instance.refresh_from_db()
    assert chain_verify(instance) == []
    assert following.task_guid in str(instance.state)

    with CaptureQueriesContext(connection) as captured:
        human_task_claim(human_task_id=following.pk, actor=warm(users[_holder(users, following.role)]))
    claim = statements(captured)
    assert len(claim) <= 6, "\n".join(claim)  # lock, steps, the step, its work item, the event, the head
    assert WorkItem.objects.get(pk=following.pk).status == "claimed"


def _holder(users: dict[str, Any], role: str) -> str:
    return {"kasi": "kasi1", "sekcam": "sekcam1", "camat": "camat1", "loket": "loket1"}[role]


def test_an_unknown_step_is_not_found_and_changes_nothing(deployed: Any, users: dict[str, Any]) -> None:
    import pytest

    from portal.core.errors import NotFound
    from portal.workflow.models import InstanceEvent
    from portal.workflow.services.human_tasks import human_task_complete

    with pytest.raises(NotFound) as raised:
        human_task_complete(human_task_id=987654, actor=users["kasi1"], data={})
    assert raised.value.message == "Langkah tidak ditemukan."
    assert not InstanceEvent.objects.exists()


def test_the_api_answers_a_completion_with_the_open_steps_the_command_wrote_without_reading_them_again(
    deployed: Any, users: dict[str, Any], api: Any
) -> None:
    from portal.workflow.models import HumanTask

    registered = api("loket1").post(
        "/api/v1/requests/",
        {"service": "sktm", "applicant": SKTM_APPLICANT,
         "data": {"keperluan": "Beasiswa", "nomor_pengantar_desa": "1", "jumlah_tanggungan": 3}},
        format="json",
    )  # fmt: skip
    assert registered.status_code == 201, registered.content
    check = HumanTask.objects.get(instance_id=registered.json()["id"], status="ready")
    kasi = api("kasi1")
    api("loket1").post(f"/api/v1/tasks/{check.pk}/complete/", {"data": {"hasil_pemeriksaan": "lengkap"}}, format="json")
    verify = HumanTask.objects.get(instance_id=check.instance_id, status="ready")
    kasi.get("/api/v1/tasks/")  # the token and the user are read once before counting

    with CaptureQueriesContext(connection) as captured:
        answer = kasi.post(
            f"/api/v1/tasks/{verify.pk}/complete/",
            {"data": {"terdaftar_dtks": True, "hasil_verifikasi": "memenuhi"}}, format="json",
        )  # fmt: skip
    assert answer.status_code == 200, answer.content
    run = [q["sql"] for q in captured.captured_queries]
    saved = [n for n, sql in enumerate(run) if sql.startswith('UPDATE "workflow_processinstance"')][-1]
    assert not [sql for sql in run[saved:] if "workflow_humantask" in sql]  # the answer: what the command held

    fresh = HumanTask.objects.filter(instance_id=check.instance_id, status__in=["ready", "claimed"])
    expected = [{"id": s.pk, "bpmn_id": s.bpmn_id, "name": s.name, "role": s.role, "status": s.status}
                for s in fresh.order_by("created_at", "id")]  # fmt: skip
    keys = ("id", "bpmn_id", "name", "role", "status")
    shown = [{k: step[k] for k in keys} for step in answer.json()["current_steps"]]
    assert shown == expected and [s["bpmn_id"] for s in shown] == ["Task_SusunDraf"]


def test_every_step_of_a_request_costs_its_seven_statements_and_what_its_own_work_adds(
    deployed: Any, users: dict[str, Any]
) -> None:
    import yaml

    from portal.workflow.models import HumanTask, ProcessInstance
    from portal.workflow.services.human_tasks import human_task_complete
    from portal.workflow.services.registration import request_register
    from tests.conftest import ROOT

    scenario = yaml.safe_load((ROOT / "processes/scenarios/sktm/disetujui-langsung.yaml").read_text(encoding="utf-8"))
    holder = {"loket": "loket1", "kasi": "kasi1", "sekcam": "sekcam1", "camat": "camat1"}
    counted: dict[str, int] = {}
    for _round in ("first: the caches fill, the year's letter sequence is made", "second: counted"):
        instance = request_register(
            service_code="sktm", applicant=scenario["start"]["applicant"], data=scenario["start"]["data"],
            actor=warm(users["loket1"]),
        )  # fmt: skip
        for step in scenario["steps"]:
            data = dict(step["data"])
            data.pop("nomor_surat", None)  # at hand-over the portal fills in the number of the letter issued
            open_step = HumanTask.objects.get(instance=instance, bpmn_id=step["bpmn_id"], status="ready")
            with CaptureQueriesContext(connection) as captured:
                human_task_complete(human_task_id=open_step.pk, actor=warm(users[holder[step["role"]]]), data=data)
            run = statements(captured)
            saved = next(n for n, sql in enumerate(run) if sql.startswith('UPDATE "workflow_processinstance"'))
            counted[step["bpmn_id"]] = saved + 1  # the command's own: not the letter drawn once it is over
        assert ProcessInstance.objects.get(pk=instance.pk).status == "completed"
    allowed = {bpmn_id: MAX_PER_COMPLETION + EXTRA.get(bpmn_id, 0) for bpmn_id in counted}
    assert {b: n for b, n in counted.items() if n > allowed[b]} == {}, counted
    assert sum(counted.values()) / len(counted) <= 8  # the mean over the request's completions
