"""History kept apart from work: a request finished more than PATEN_HISTORY_AFTER_DAYS ago leaves the
hot tables (its steps to the history table, its timer rows gone, its state compacted, its log closed
by instance_archived) and every page still tells its story; running and recent requests stay."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from tests.conftest import SKTM_APPLICANT, files_under
from tests.portal.documents.samples import pdf_bytes

OLD = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)  # a Monday, 09.00 WITA
NOW = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)  # 455 days later
BEFORE_SIGNING = [
    ("loket1", {"hasil_pemeriksaan": "lengkap"}),
    ("kasi1", {"terdaftar_dtks": True, "hasil_verifikasi": "memenuhi"}),
    ("kasi1", {"isi_keterangan": "Benar keluarga tidak mampu di desa kami."}),
    ("sekcam1", {"hasil_paraf": "setuju"}),
]
SIGNING = ("camat1", {"keputusan": "setuju"})
HANDOVER = ("loket1", {"tanggal_penyerahan": "2025-03-05", "diterima_oleh": "Siti Aminah"})


@pytest.fixture(autouse=True)
def storage(settings: Any, tmp_path: Path) -> None:
    files_under(settings, tmp_path)
    settings.PATEN_HISTORY_AFTER_DAYS = 365


def _complete_ready(instance: Any, users: dict[str, Any], who: str, data: dict[str, Any], at: datetime) -> None:
    from portal.workflow.models import HumanTask
    from portal.workflow.services.human_tasks import human_task_complete

    step = HumanTask.objects.get(instance=instance, status="ready")
    human_task_complete(human_task_id=step.pk, actor=users[who], data=data, now=at)


def registered(users: dict[str, Any], *, at: datetime) -> Any:
    from portal.workflow.services.registration import request_register

    return request_register(
        service_code="sktm", applicant=SKTM_APPLICANT, data={"keperluan": "Beasiswa"}, actor=users["loket1"], now=at
    )


def finished(users: dict[str, Any], *, at: datetime) -> Any:
    """An sktm request registered at `at` with a document, its camat's reminder fired the next day, its
    letter signed and handed over on the day after: completed at `at` + 2 days. Has the PIN."""
    from portal.documents.services import document_upload
    from portal.workflow.services.timers import timers_fire_due

    instance = registered(users, at=at)
    ktp = SimpleUploadedFile("ktp.pdf", pdf_bytes(), content_type="application/pdf")
    document_upload(instance=instance, requirement_code="ktp", uploaded_file=ktp, actor=users["loket1"], now=at)
    for who, data in BEFORE_SIGNING:
        _complete_ready(instance, users, who, data, at)
    assert timers_fire_due(now=at + timedelta(days=1)) == 1  # the camat is reminded
    for who, data in (SIGNING, HANDOVER):
        _complete_ready(instance, users, who, data, at + timedelta(days=2))
    instance.refresh_from_db()
    assert instance.status == "completed"
    return instance


def hot_rows(instance: Any) -> dict[str, int]:
    from portal.workflow.models import HumanTask, TimerSchedule, WorkItem

    return {
        "steps": HumanTask.objects.filter(instance=instance).count(),
        "timers": TimerSchedule.objects.filter(instance=instance).count(),
        "work_items": WorkItem.objects.filter(instance_id=instance.pk).count(),
    }


def snapshot(instance: Any) -> dict[str, Any]:
    """What archiving could change of a request: its row, its rows in each table, its log."""
    from portal.workflow.models import HumanTaskHistory, InstanceEvent, ProcessInstance

    row = ProcessInstance.objects.filter(pk=instance.pk).values().get()
    history = list(HumanTaskHistory.objects.filter(instance=instance).values())
    events = list(InstanceEvent.objects.filter(instance=instance).order_by("seq").values_list("seq", "hash"))
    return {"row": row, "hot": hot_rows(instance), "history": history, "events": events}


def tracking_page(instance: Any) -> str:
    client = Client()
    response = client.post("/lacak/", {"tracking_number": instance.tracking_number, "pin": instance.access_pin})
    assert response.status_code == 302, response.content.decode()
    page = client.get(response["Location"])
    assert page.status_code == 200
    return str(page.content.decode())


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def readings(instance: Any, api: Any) -> dict[str, Any]:
    """What the readers of a request show of its steps: tracking, the officers' API, the diagram."""
    from portal.tracking.presenters import tracking_public
    from portal.workflow.models import ProcessInstance

    fresh = ProcessInstance.objects.select_related("definition", "office").get(pk=instance.pk)
    detail = api("kasi1").get(f"/api/v1/requests/{instance.tracking_number}/").json()
    diagram = api("kasi1").get(f"/api/v1/requests/{instance.tracking_number}/diagram/").json()
    public = tracking_public(fresh, now=NOW)
    return {
        "timeline": public["timeline"],
        "current": public["current_steps"],
        "history": detail["history"],
        "current_steps": detail["current_steps"],
        "letters": detail["letters"],
        "done": diagram["done"],
        "current_on_diagram": diagram["current"],
    }


def test_a_request_finished_long_ago_leaves_the_hot_tables_and_reads_the_same(
    users: dict[str, Any], deployed: Any, api: Any
) -> None:
    from portal.documents.models import RequirementDocument
    from portal.letters.models import Letter
    from portal.workflow.events import chain_verify
    from portal.workflow.models import HumanTask, HumanTaskHistory, InstanceEvent
    from portal.workflow.services.archive import requests_archive

    old = finished(users, at=OLD)
    steps = {s.pk: s for s in HumanTask.objects.filter(instance=old)}
    assert hot_rows(old)["timers"] >= 1
    before = readings(old, api)
    assert "Timer_PengingatCamat" in before["done"]

    assert requests_archive(now=NOW) == 1

    old.refresh_from_db()
    assert old.archived_at == NOW
    assert hot_rows(old) == {"steps": 0, "timers": 0, "work_items": 0}
    history = {h.pk: h for h in HumanTaskHistory.objects.filter(instance=old)}
    assert set(history) == set(steps)  # under the ids they had
    for pk, step in steps.items():
        kept = history[pk]
        assert (kept.bpmn_id, kept.name, kept.role, kept.status, kept.completed_by_id, kept.completed_data) == (
            step.bpmn_id, step.name, step.role, step.status, step.completed_by_id, step.completed_data,
        )  # fmt: skip
    # The state keeps the data the request ended with, in a form that says it is no workflow any more.
    assert old.serializer_version == "archived" and set(old.state) == {"serializer_version", "data"}
    letter = Letter.objects.get(instance=old)
    assert old.state["data"]["nomor_surat"] == letter.number
    # The log still verifies and ends with the archiving.
    assert chain_verify(old) == []
    last = InstanceEvent.objects.filter(instance=old).order_by("-seq").first()
    assert last is not None and last.type == "instance_archived"
    assert last.payload["moved_steps"] == len(steps) and last.payload["removed_timers"] >= 1
    # Letters and documents stay; the letter's step is found in the history under its id.
    assert letter.human_task_id in history and letter.rendered_at is not None
    assert RequirementDocument.objects.filter(instance=old).count() == 1
    # Every reader shows the same history.
    assert readings(old, api) == before


def test_the_pages_of_an_archived_request_still_answer(users: dict[str, Any], deployed: Any) -> None:
    from portal.workflow.models import HumanTask
    from portal.workflow.services.archive import requests_archive

    old = finished(users, at=OLD)  # the object keeps the PIN registration gave
    signing = HumanTask.objects.get(instance=old, bpmn_id="Task_TandatanganCamat")
    assert requests_archive(now=NOW) == 1

    tracked = tracking_page(old)
    assert "Tandatangani SKTM" in tracked and "Serahkan surat kepada pemohon" in tracked

    camat = logged_in(users["camat1"])
    page = camat.get(f"/kerja/langkah/{signing.pk}/")
    assert page.status_code == 200
    shown = page.content.decode()
    done = re.search(r'<span class="done-list">(.*?)</span>', shown, re.S)
    assert done is not None and "Tandatangani SKTM" in done[1] and "Batas waktu tercapai" in done[1]  # the diagram
    history = shown[shown.index('<ol class="timeline">') :]
    assert "Periksa dan paraf draf" in history and "Timer_PengingatCamat" in history  # history, timer from the log
    assert camat.post(f"/kerja/langkah/{signing.pk}/ambil/").status_code == 404  # nothing left to claim

    auditor = logged_in(users["auditor1"])
    log = auditor.get(f"/audit/{old.tracking_number}/")
    assert log.status_code == 200
    text = log.content.decode()
    assert "Riwayat permohonan dipindahkan ke arsip" in text and "Tidak utuh" not in text
    assert "Task_TandatanganCamat" in text


def test_running_and_recently_finished_requests_stay(users: dict[str, Any], deployed: Any) -> None:
    from portal.workflow.services.archive import requests_archive

    old = finished(users, at=OLD)
    running = registered(users, at=OLD)
    recent = finished(users, at=NOW - timedelta(days=28))  # a Monday, as OLD
    kept = [snapshot(running), snapshot(recent)]

    assert requests_archive(now=NOW) == 1
    assert [snapshot(running), snapshot(recent)] == kept
    assert kept[0]["hot"]["work_items"] == 1 and kept[1]["hot"]["steps"] == 6
    old.refresh_from_db()
    assert old.archived_at is not None


def test_a_second_run_archives_nothing_and_changes_nothing(users: dict[str, Any], deployed: Any) -> None:
    from portal.workflow.services.archive import requests_archive

    old = finished(users, at=OLD)
    assert requests_archive(now=NOW) == 1
    first = snapshot(old)
    assert requests_archive(now=NOW) == 0
    assert requests_archive(now=NOW + timedelta(days=30)) == 0
    assert snapshot(old) == first


def test_a_run_stopped_midway_is_finished_by_the_next(
    users: dict[str, Any], deployed: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal.workflow.events import chain_verify
    from portal.workflow.services import archive

    requests = [finished(users, at=OLD + timedelta(days=day)) for day in range(3)]
    moved = archive._steps_move
    calls = []

    def crashing(instance: Any) -> int:
        calls.append(instance.pk)
        if len(calls) == 2:
            raise RuntimeError("the worker died")
        return moved(instance)

    monkeypatch.setattr(archive, "_steps_move", crashing)
    with pytest.raises(RuntimeError):
        archive.requests_archive(now=NOW)
    monkeypatch.setattr(archive, "_steps_move", moved)
    done = [snapshot(r) for r in requests]
    assert [s["row"]["archived_at"] is not None for s in done] == [True, False, False]
    assert done[1]["hot"]["steps"] == 6 and done[1]["history"] == []  # the failed one was undone whole

    assert archive.requests_archive(now=NOW) == 2
    assert snapshot(requests[0]) == done[0]  # not archived twice
    for request in requests:
        request.refresh_from_db()
        assert request.archived_at is not None and chain_verify(request) == []


@pytest.mark.parametrize("days", [0, -1])
def test_switched_off_nothing_moves(users: dict[str, Any], deployed: Any, settings: Any, days: int) -> None:
    from portal.workflow.services.archive import requests_archive

    old = finished(users, at=OLD)
    settings.PATEN_HISTORY_AFTER_DAYS = days
    kept = snapshot(old)
    assert requests_archive(now=NOW + timedelta(days=3650)) == 0
    assert snapshot(old) == kept
    out = io.StringIO()
    call_command("archive_history", "--at", NOW.isoformat(), stdout=out)
    assert "archiving is off" in out.getvalue() and snapshot(old) == kept


def test_the_age_is_the_setting(users: dict[str, Any], deployed: Any, settings: Any) -> None:
    from portal.workflow.services.archive import requests_archive

    old = finished(users, at=OLD)  # completed two days after OLD
    settings.PATEN_HISTORY_AFTER_DAYS = 30
    assert requests_archive(now=OLD + timedelta(days=31)) == 0
    assert requests_archive(now=OLD + timedelta(days=33)) == 1
    old.refresh_from_db()
    assert old.archived_at == OLD + timedelta(days=33)


def test_a_cancelled_incident_is_archived_with_its_last_data(users: dict[str, Any], failed: Any) -> None:
    from portal.workflow.events import chain_verify
    from portal.workflow.models import TimerSchedule
    from portal.workflow.services.archive import requests_archive
    from portal.workflow.services.incidents import instance_cancel
    from tests.portal.workflow.incident_flow import T0

    instance_cancel(
        instance_id=failed.pk, actor=users["admin"], reason="Tarif belum ditetapkan", now=T0 + timedelta(hours=3)
    )
    assert TimerSchedule.objects.filter(instance=failed).exists()
    assert requests_archive(now=T0 + timedelta(days=400)) == 1
    failed.refresh_from_db()
    assert failed.status == "cancelled" and failed.archived_at is not None
    assert hot_rows(failed) == {"steps": 0, "timers": 0, "work_items": 0}
    assert failed.state["data"]["applicant"]["nik"] == SKTM_APPLICANT["nik"]
    assert chain_verify(failed) == []


def test_the_command_counts_with_dry_run_and_moves_without(users: dict[str, Any], deployed: Any) -> None:
    old = [finished(users, at=OLD + timedelta(days=day)) for day in range(2)]
    kept = [snapshot(r) for r in old]

    out = io.StringIO()
    call_command("archive_history", "--dry-run", "--at", NOW.isoformat(), stdout=out)
    assert "2 request(s)" in out.getvalue() and "would be archived" in out.getvalue()
    assert [snapshot(r) for r in old] == kept

    out = io.StringIO()
    call_command("archive_history", "--limit", "1", "--at", NOW.isoformat(), stdout=out)
    assert "1 request(s)" in out.getvalue()
    assert [snapshot(r)["row"]["archived_at"] is not None for r in old] == [True, False]  # the oldest first

    out = io.StringIO()
    call_command("archive_history", "--at", NOW.isoformat(), stdout=out)
    assert "1 request(s)" in out.getvalue()
    with pytest.raises(CommandError, match="--limit"):
        call_command("archive_history", "--limit", "0", stdout=io.StringIO())
    with pytest.raises(CommandError, match="--at"):
        call_command("archive_history", "--at", "kemarin", stdout=io.StringIO())


def test_the_nightly_task_runs_the_archive(users: dict[str, Any], deployed: Any) -> None:
    from portal.operations.models import Heartbeat
    from tasks.history import archive_history_task

    old = finished(users, at=OLD)
    with time_machine.travel(NOW, tick=False):
        assert archive_history_task.delay().get() == 1
        assert archive_history_task.delay().get() == 0
    old.refresh_from_db()
    assert old.archived_at == NOW
    assert Heartbeat.objects.get(name="tasks.history.archive_history_task").runs == 2


def test_a_command_that_would_run_an_archived_workflow_is_refused(users: dict[str, Any], deployed: Any) -> None:
    from portal.core.errors import Conflict
    from portal.workflow.commands import instance_command
    from portal.workflow.services.archive import requests_archive

    old = finished(users, at=OLD)
    assert requests_archive(now=NOW) == 1
    kept = snapshot(old)
    with pytest.raises(Conflict, match="diarsipkan"), instance_command(old.pk, name="probe", now=NOW) as command:
        command.workflow.fire_due_timers(now=NOW)
    old.refresh_from_db()
    assert old.status == "completed" and old.failure is None  # refused, not an incident
    assert snapshot(old) == kept
