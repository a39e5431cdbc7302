"""Requests of several services, offices and days, moved on through the services as officers would:
what the event-log exports are checked against."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.scenario import PROCESSES, load_scenarios

WITA = ZoneInfo("Asia/Makassar")
OFFICERS = {
    "babulu": {"loket": "loket1", "kasi": "kasi1", "sekcam": "sekcam1", "camat": "camat1", "pemohon": "loket1"},
    "sepaku": {"loket": "loket_sepaku", "kasi": "kasi_sepaku", "sekcam": "sekcam_sepaku", "camat": "camat_sepaku",
               "pemohon": "loket_sepaku"},
}  # fmt: skip
VILLAGE_OF = {"babulu": "Babulu Darat", "sepaku": "Bumi Harapan"}


def wita(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=WITA)


def scenario(code: str, name: str) -> Any:
    (found,) = [s for s in load_scenarios(PROCESSES) if s.code == code and s.name == name]
    return found


def request_run(
    users: dict[str, Any], *, code: str, name: str, office: str, at: datetime, claimed: tuple[str, ...] = (),
    released: tuple[str, ...] = (), stop_before: str = "",
) -> Any:  # fmt: skip
    """Register the scenario's request at `at` and complete its steps ten minutes apart, each step of
    `claimed` claimed first, each of `released` claimed, released and claimed again; stop at `stop_before`."""
    from portal.workflow.definitions import definition_runtime
    from portal.workflow.enums import OPEN_HUMAN_TASK
    from portal.workflow.models import HumanTask, ProcessInstance
    from portal.workflow.services.human_tasks import human_task_claim, human_task_complete, human_task_release
    from portal.workflow.services.registration import request_register

    story, people = scenario(code, name), OFFICERS[office]
    applicant = {**story.start["applicant"], "desa": VILLAGE_OF[office]}
    instance = request_register(
        service_code=code, applicant=applicant, data=dict(story.start.get("data", {})), actor=users[people["loket"]],
        now=at,
    )  # fmt: skip
    numbers = definition_runtime(instance.definition).letter_number_fields
    clock = at
    for step in story.steps:
        if step["bpmn_id"] == stop_before:
            break
        clock += timedelta(minutes=10)
        actor = users[people[step["role"]]]
        human_task = HumanTask.objects.get(instance=instance, bpmn_id=step["bpmn_id"], status__in=OPEN_HUMAN_TASK)
        if step["bpmn_id"] in (*claimed, *released):
            human_task_claim(human_task_id=human_task.pk, actor=actor, now=clock + timedelta(minutes=1))
        if step["bpmn_id"] in released:
            human_task_release(human_task_id=human_task.pk, actor=actor, now=clock + timedelta(minutes=2))
            human_task_claim(human_task_id=human_task.pk, actor=actor, now=clock + timedelta(minutes=3))
        data = dict(step.get("data", {}))
        data.pop(numbers.get(step["bpmn_id"], ""), None)  # the hand-over fills in the number of the letter issued
        human_task_complete(human_task_id=human_task.pk, actor=actor, data=data, now=clock + timedelta(minutes=5))
    return ProcessInstance.objects.get(pk=instance.pk)


def requests_build(users: dict[str, Any]) -> dict[str, Any]:
    """Six requests: four finished in January (sktm approved with claims and a release, sktm refused,
    legalisasi in Babulu, sktm in Sepaku), one sktm registered on 31 January at 23:30 WITA waiting at the
    camat whose reminder fired, one registered at 00:30 WITA on 1 February (still 31 January in UTC)."""
    from portal.workflow.models import TimerSchedule
    from portal.workflow.services.timers import instance_timers_fire

    built = {
        "approved": request_run(
            users, code="sktm", name="disetujui-langsung", office="babulu", at=wita(1, 5, 9),
            claimed=("Task_VerifikasiData", "Task_TandatanganCamat"), released=("Task_SusunDraf",),
        ),
        "refused": request_run(users, code="sktm", name="tidak-memenuhi-syarat", office="babulu", at=wita(1, 6, 10)),
        "legalised": request_run(
            users, code="legalisasi", name="disahkan", office="babulu", at=wita(1, 7, 9),
            claimed=("Task_CocokkanDokumen",),
        ),
        "sepaku": request_run(users, code="sktm", name="disetujui-langsung", office="sepaku", at=wita(1, 8, 9)),
        "reminded": request_run(
            users, code="sktm", name="disetujui-langsung", office="babulu", at=wita(1, 31, 23, 30),
            stop_before="Task_TandatanganCamat",
        ),
        "february": request_run(
            users, code="sktm", name="disetujui-langsung", office="babulu", at=wita(2, 1, 0, 30),
            stop_before="Task_VerifikasiData",
        ),
    }  # fmt: skip
    timer = TimerSchedule.objects.get(instance=built["reminded"], bpmn_id="Timer_PengingatCamat")
    assert instance_timers_fire(instance_id=built["reminded"].pk, now=timer.due_at + timedelta(minutes=1)) == 1
    return built
