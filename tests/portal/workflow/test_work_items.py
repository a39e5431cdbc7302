"""The lists' rows (WorkItem) are the open steps, whatever opened, claimed, released, completed or
cancelled them: every command leaves one work item per ready or claimed step, carrying what the
lists show, and none for the others."""

from __future__ import annotations

import importlib
import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command

from tests.conftest import ROOT, SKTM_APPLICANT
from tests.portal.delegation.flow import sktm_at_signing
from tests.scenario import FIXTURES, catalogue_parts

# What a work item copies of its step and of its request.
STEP_FIELDS = ("role", "status", "assignee_id", "claimed_at", "created_at", "due_at", "bpmn_id", "name")


def expected() -> dict[int, dict[str, Any]]:
    from portal.workflow.enums import OPEN_HUMAN_TASK
    from portal.workflow.models import HumanTask

    steps = HumanTask.objects.filter(status__in=OPEN_HUMAN_TASK).select_related(
        "instance", "instance__definition", "instance__applicant_village"
    )
    return {
        s.pk: {
            **{f: getattr(s, f) for f in STEP_FIELDS},
            "lane": "loket" if s.role == "pemohon" and s.instance.applicant_user_id is None else s.role,
            "instance_id": s.instance_id,
            "office_id": s.instance.office_id,
            "tracking_number": s.instance.tracking_number,
            "service_code": s.instance.definition.code,
            "service_name": s.instance.definition.name,
            "applicant_name": s.instance.applicant_name,
            "applicant_user_id": s.instance.applicant_user_id,
            "village_id": s.instance.applicant_village_id,
            "village_name": s.instance.applicant_village.name,
        }
        for s in steps
    }


def held() -> dict[int, dict[str, Any]]:
    from portal.workflow.models import WorkItem

    fields = [*STEP_FIELDS, "lane", "instance_id", "office_id", "tracking_number", "service_code", "service_name",
              "applicant_name", "applicant_user_id", "village_id", "village_name"]  # fmt: skip
    return {
        row["human_task_id"]: {f: row[f] for f in fields} for row in WorkItem.objects.values("human_task_id", *fields)
    }


def assert_lists_see_the_open_steps() -> None:
    assert held() == expected()


def test_registering_claiming_releasing_and_completing_keep_the_rows(deployed: Any, users: dict[str, Any]) -> None:
    from portal.workflow.models import WorkItem
    from portal.workflow.services.human_tasks import human_task_claim, human_task_complete, human_task_release
    from portal.workflow.services.registration import request_register

    instance = request_register(
        service_code="sktm", applicant=SKTM_APPLICANT, data={"keperluan": "Beasiswa"}, actor=users["loket1"]
    )
    (item,) = WorkItem.objects.filter(instance_id=instance.pk)
    assert (item.role, item.status, item.village_name) == ("loket", "ready", SKTM_APPLICANT["desa"])
    assert_lists_see_the_open_steps()

    human_task_claim(human_task_id=item.pk, actor=users["loket1"])
    item.refresh_from_db()
    assert (item.status, item.assignee_id) == ("claimed", users["loket1"].pk) and item.claimed_at is not None
    assert_lists_see_the_open_steps()

    human_task_release(human_task_id=item.pk, actor=users["loket1"])
    assert_lists_see_the_open_steps()

    human_task_claim(human_task_id=item.pk, actor=users["loket1"])
    human_task_complete(human_task_id=item.pk, actor=users["loket1"], data={"hasil_pemeriksaan": "lengkap"})
    assert not WorkItem.objects.filter(pk=item.pk).exists()
    (following,) = WorkItem.objects.filter(instance_id=instance.pk)
    assert (following.role, following.bpmn_id, following.status) == ("kasi", "Task_VerifikasiData", "ready")
    assert_lists_see_the_open_steps()


def test_an_officer_leaving_gives_the_steps_back(deployed: Any, users: dict[str, Any]) -> None:
    from portal.workflow.models import WorkItem
    from portal.workflow.services.human_tasks import human_task_claim, human_tasks_release_held

    steps = [sktm_at_signing(users, stop_before="Task_VerifikasiData") for _ in range(2)]
    for step in steps:
        human_task_claim(human_task_id=step.pk, actor=users["kasi1"])
    assert set(WorkItem.objects.filter(assignee=users["kasi1"]).values_list("pk", flat=True)) == {s.pk for s in steps}
    assert human_tasks_release_held(holder=users["kasi1"], actor=users["admin"]) == 2
    assert not WorkItem.objects.filter(assignee=users["kasi1"]).exists()
    assert_lists_see_the_open_steps()


def test_a_timer_cancels_one_step_and_opens_another(api: Any, users: dict[str, Any]) -> None:
    from portal.workflow.models import TimerSchedule, WorkItem
    from portal.workflow.services.timers import timers_fire_due

    call_command("process_deploy", str(FIXTURES / "rekomendasi-uji.bpmn"), stdout=io.StringIO())
    applicant = {"nik": "6409031701700005", "name": "Suparman", "desa": "Gunung Intan", "phone": "081255604318"}
    data = {"nama_kegiatan": "Syukuran", "tanggal_kegiatan": "2026-12-20", "lokasi_kegiatan": "Balai",
            "jumlah_peserta": 80}  # fmt: skip
    tn = (
        api("loket1")
        .post("/api/v1/requests/", {"service": "rekomendasi-uji", "applicant": applicant, "data": data}, format="json")
        .json()["tracking_number"]
    )
    for username, values in (
        ("loket1", {"nomor_registrasi": "REK-1", "berkas_lengkap": True}),
        ("kasi1", {"hasil_verifikasi_dokumen": "valid"}),
        ("sekcam1", {"jadwal_bentrok": False}),
        ("kasi1", {"isi_rekomendasi": "Tidak berkeberatan."}),
    ):
        (step,) = api(username).get("/api/v1/tasks/", {"tracking_number": tn}).json()["results"]
        done = api(username).post(f"/api/v1/tasks/{step['id']}/complete/", {"data": values}, format="json")
        assert done.status_code == 200, done.content
    (waiting,) = WorkItem.objects.filter(tracking_number=tn)
    assert waiting.role == "camat"
    timer = TimerSchedule.objects.get(instance_id=waiting.instance_id, fired_at=None, cancelled_at=None)
    assert timers_fire_due(now=timer.due_at + timedelta(minutes=1)) == 1
    (escalated,) = WorkItem.objects.filter(tracking_number=tn)
    assert escalated.role == "sekcam" and escalated.pk != waiting.pk
    assert_lists_see_the_open_steps()


SKTM = (ROOT / "processes" / "sktm.bpmn").read_text(encoding="utf-8")
CHECK = 'hasil_pemeriksaan == "lengkap"'


def incident_with_an_open_step(users: dict[str, Any]) -> Any:
    """A request whose first step's completion failed in its diagram: an incident, the step still open."""
    from portal.core.errors import ProcessFailed
    from portal.workflow.enums import OPEN_HUMAN_TASK
    from portal.workflow.models import HumanTask
    from portal.workflow.services.definitions import definitions_deploy
    from portal.workflow.services.human_tasks import human_task_complete
    from portal.workflow.services.registration import request_register

    definitions_deploy(
        files=[*catalogue_parts(), ("sktm.bpmn", SKTM.replace(CHECK, "hasil_pemeriksaan == tarif_tidak_ada").encode())]
    )
    instance = request_register(
        service_code="sktm", applicant=SKTM_APPLICANT, data={"keperluan": "Beasiswa"}, actor=users["loket1"]
    )
    step = HumanTask.objects.get(instance=instance, status__in=OPEN_HUMAN_TASK)
    with pytest.raises(ProcessFailed):
        human_task_complete(human_task_id=step.pk, actor=users["loket1"], data={"hasil_pemeriksaan": "lengkap"})
    return step


def test_an_incident_cancelled_leaves_no_rows(deployed: Any, users: dict[str, Any]) -> None:
    from portal.workflow.models import WorkItem
    from portal.workflow.services.incidents import instance_cancel

    step = incident_with_an_open_step(users)
    assert WorkItem.objects.filter(pk=step.pk).exists()  # the failure undid the completion
    assert_lists_see_the_open_steps()
    instance_cancel(instance_id=step.instance_id, actor=users["admin"], reason="Berkas ganda")
    assert not WorkItem.objects.filter(instance_id=step.instance_id).exists()
    assert_lists_see_the_open_steps()


def test_a_retry_on_another_version_renames_the_service_on_the_rows(deployed: Any, users: dict[str, Any]) -> None:
    from portal.workflow.models import WorkItem
    from portal.workflow.services.definitions import definitions_deploy
    from portal.workflow.services.incidents import instance_retry

    step = incident_with_an_open_step(users)
    renamed = SKTM.replace('name="Surat Keterangan Tidak Mampu"', 'name="Surat Keterangan Tidak Mampu (baru)"')
    definitions_deploy(files=[*catalogue_parts(), ("sktm.bpmn", renamed.encode())])
    instance_retry(instance_id=step.instance_id, actor=users["admin"])
    (following,) = WorkItem.objects.filter(instance_id=step.instance_id)
    assert following.bpmn_id == "Task_VerifikasiData"
    assert following.service_name == "Surat Keterangan Tidak Mampu (baru)"
    assert_lists_see_the_open_steps()


def test_the_migration_fills_the_rows_of_steps_open_before_it(deployed: Any, users: dict[str, Any]) -> None:
    from django.apps import apps

    from portal.workflow.models import NameKey, WorkItem

    sktm_at_signing(users, name="Siti Nur Aminah")
    sktm_at_signing(users, stop_before="Task_VerifikasiData")
    rows, keys = held(), sorted(NameKey.objects.values_list("instance_id", "office_id", "key"))
    WorkItem.objects.all().delete()
    NameKey.objects.all().delete()
    migration = importlib.import_module("portal.workflow.migrations.0013_work_items")
    migration.work_items_fill(apps, None)
    migration.name_keys_fill(apps, None)
    importlib.import_module("portal.workflow.migrations.0014_work_item_lane").lanes_fill(apps, None)
    assert held() == rows == expected()
    assert sorted(NameKey.objects.values_list("instance_id", "office_id", "key")) == keys
    assert {k for _i, _o, k in keys} >= {"siti nur aminah", "nur aminah", "aminah"}
