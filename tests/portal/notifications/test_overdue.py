"""Late work is announced once: a late step to its officers, a late request to its applicant."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.conftest import SKTM_APPLICANT

WITA = ZoneInfo("Asia/Makassar")
TO_CAMAT = [
    ("Task_PeriksaKelengkapan", "loket1", {"hasil_pemeriksaan": "lengkap"}),
    ("Task_VerifikasiData", "kasi1", {"terdaftar_dtks": True, "hasil_verifikasi": "memenuhi"}),
    ("Task_SusunDraf", "kasi1", {"isi_keterangan": "Tergolong keluarga tidak mampu."}),
    ("Task_ParafSekcam", "sekcam1", {"hasil_paraf": "setuju"}),
]


def wita(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=WITA)


def _at_camat(users: Any, at: datetime) -> Any:
    from portal.workflow.models import HumanTask
    from portal.workflow.services.human_tasks import human_task_complete
    from portal.workflow.services.registration import request_register

    instance = request_register(
        service_code="sktm", applicant=dict(SKTM_APPLICANT), data={"keperluan": "Berobat"},
        actor=users["loket1"], now=at,
    )  # fmt: skip
    for bpmn_id, username, data in TO_CAMAT:
        step = HumanTask.objects.get(instance=instance, bpmn_id=bpmn_id, status="ready")
        human_task_complete(human_task_id=step.pk, actor=users[username], data=data, now=at)
    return HumanTask.objects.get(instance=instance, bpmn_id="Task_TandatanganCamat", status="ready")


def _emails(users: Any) -> None:
    for username in ("camat1", "sekcam1", "kasi1"):
        users[username].email = f"{username}@babulu.invalid"
        users[username].save()


def test_a_late_signing_is_announced_to_the_camat_once(users: Any, deployed: Any) -> None:
    from portal.notifications.models import Notification
    from portal.workflow.services.sweeps import overdue_notify

    _emails(users)
    step = _at_camat(users, wita(1, 9))  # Tuesday 1 December, 09:00; due in 4 working hours
    assert step.due_at == wita(1, 14)  # 09:00-12:00 and 13:00-14:00 (the lunch break does not count)

    assert overdue_notify(now=wita(1, 13, 59)) == 0
    assert overdue_notify(now=wita(1, 14, 1)) == 1
    assert overdue_notify(now=wita(1, 15)) == 0  # once
    (row,) = Notification.objects.filter(kind="step_overdue")
    assert (row.channel, row.recipient) == ("email", "camat1@babulu.invalid")
    assert "Tandatangani SKTM" in row.body and step.instance.tracking_number in row.body
    assert "Siti Aminah" in row.body


def test_an_unclaimed_late_step_goes_to_every_holder_of_the_role_a_claimed_one_to_its_holder(
    users: Any, deployed: Any
) -> None:
    from django.contrib.auth.models import Group

    from portal.notifications.models import Notification
    from portal.workflow.services.human_tasks import human_task_claim
    from portal.workflow.services.sweeps import overdue_notify

    _emails(users)
    users["sekcam1"].groups.add(Group.objects.get(name="camat"))  # standing in as a second camat
    unclaimed = _at_camat(users, wita(1, 9))
    claimed = _at_camat(users, wita(1, 9))
    human_task_claim(human_task_id=claimed.pk, actor=users["camat1"], now=wita(1, 10))

    assert overdue_notify(now=wita(1, 15)) == 2
    sent_to = {
        step.instance.tracking_number: sorted(
            Notification.objects.filter(kind="step_overdue", instance=step.instance).values_list("recipient", flat=True)
        )
        for step in (unclaimed, claimed)
    }
    assert sent_to == {
        unclaimed.instance.tracking_number: ["camat1@babulu.invalid", "sekcam1@babulu.invalid"],
        claimed.instance.tracking_number: ["camat1@babulu.invalid"],
    }


def test_a_step_done_in_time_is_not_announced(users: Any, deployed: Any) -> None:
    from portal.notifications.models import Notification
    from portal.workflow.models import HumanTask
    from portal.workflow.services.human_tasks import human_task_complete
    from portal.workflow.services.sweeps import overdue_notify

    _emails(users)
    step = _at_camat(users, wita(1, 9))
    human_task_complete(human_task_id=step.pk, actor=users["camat1"], data={"keputusan": "setuju"}, now=wita(1, 11))
    assert HumanTask.objects.get(pk=step.pk).status == "completed"
    assert overdue_notify(now=wita(1, 15)) == 0
    assert not Notification.objects.filter(kind__in=["step_overdue", "overdue"]).exists()


def test_a_late_request_is_announced_to_its_applicant_once(users: Any, deployed: Any) -> None:
    from portal.notifications.models import Notification
    from portal.workflow.models import ProcessInstance
    from portal.workflow.services.sweeps import overdue_notify

    step = _at_camat(users, wita(1, 9))
    instance = ProcessInstance.objects.get(pk=step.instance_id)
    assert instance.sla_due_at is not None
    late = instance.sla_due_at + timedelta(minutes=1)
    assert overdue_notify(now=instance.sla_due_at - timedelta(minutes=1)) == 1  # the camat's step only
    assert overdue_notify(now=late) == 1  # now the request
    assert overdue_notify(now=late + timedelta(days=3)) == 0
    (row,) = Notification.objects.filter(kind="overdue")
    assert (row.channel, row.recipient) == ("sms", "081234567890")
    assert instance.tracking_number in row.body and "/lacak/" in row.body and "Mohon maaf" in row.body


def test_a_reminder_timer_reminds_the_camat_and_leaves_the_step_open(users: Any, deployed: Any) -> None:
    from portal.notifications.models import Notification
    from portal.workflow.models import HumanTask, InstanceEvent, TimerSchedule
    from portal.workflow.services.human_tasks import human_task_complete
    from portal.workflow.services.timers import timers_fire_due

    _emails(users)
    step = _at_camat(users, wita(1, 9))
    timer = TimerSchedule.objects.get(instance=step.instance, bpmn_id="Timer_PengingatCamat")
    assert timer.due_at == wita(1, 11)  # two working hours

    assert timers_fire_due(now=wita(1, 10, 59)) == 0
    assert timers_fire_due(now=wita(1, 11, 1)) == 1
    assert timers_fire_due(now=wita(1, 11, 2)) == 0
    (reminder,) = Notification.objects.filter(kind="reminder")
    assert (reminder.channel, reminder.recipient) == ("email", "camat1@babulu.invalid")
    assert "Pengingat" in reminder.body and "Tandatangani SKTM" in reminder.body
    assert HumanTask.objects.get(pk=step.pk).status == "ready"  # non-interrupting: the camat still signs
    assert InstanceEvent.objects.filter(instance=step.instance, type="timer_fired").count() == 1

    human_task_complete(human_task_id=step.pk, actor=users["camat1"], data={"keputusan": "setuju"}, now=wita(1, 11, 30))
    penyerahan = HumanTask.objects.get(instance=step.instance, bpmn_id="Task_PenyerahanSurat")
    human_task_complete(
        human_task_id=penyerahan.pk, actor=users["loket1"],
        data={"tanggal_penyerahan": "2026-12-01", "diterima_oleh": "Siti"},
        now=wita(1, 13, 30),
    )  # fmt: skip
    step.instance.refresh_from_db()
    assert step.instance.status == "completed" and step.instance.outcome_bpmn_id == "EndEvent_Selesai"
