"""The request's service-level clock: from the file declared complete, in working days, paused
while the file is back with the applicant."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

from tests.conftest import SKTM_APPLICANT

WITA = ZoneInfo("Asia/Makassar")


def wita(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=WITA)


def _complete(users: Any, instance: Any, bpmn_id: str, username: str, data: dict[str, Any], at: datetime) -> None:
    from portal.workflow.models import HumanTask
    from portal.workflow.services.human_tasks import human_task_complete

    task = HumanTask.objects.get(instance=instance, bpmn_id=bpmn_id, status="ready")
    human_task_complete(human_task_id=task.pk, actor=users[username], data=data, now=at)


def test_due_date_skips_the_idul_fitri_holidays_and_pauses_while_with_the_applicant(
    api: Any, users: Any, deployed: Any
) -> None:
    from portal.workflow.services.registration import request_register

    business = {"nama_usaha": "Bengkel Baso", "jenis_usaha": "Bengkel", "alamat_usaha": "Jl. Poros Labangka Barat"}
    instance = request_register(
        service_code="sku", applicant=dict(SKTM_APPLICANT), data=business, actor=users["loket1"], now=wita(3, 16, 9)
    )
    assert instance.sla_started_at is None and instance.sla_due_at is None  # not complete yet: no clock

    # Declared complete the afternoon before Nyepi, cuti bersama and Idul Fitri (18-24 March 2026 off):
    # one working day (the SKU standard) ends at the close of Wednesday 25 March.
    _complete(users, instance, "Task_PeriksaKelengkapan", "loket1", {"hasil_pemeriksaan": "lengkap"}, wita(3, 17, 14))
    instance.refresh_from_db()
    assert (instance.sla_working_days, instance.sla_started_at) == (1, wita(3, 17, 14))
    assert instance.sla_due_at == wita(3, 25, 16)

    # The kasi returns the file to the applicant at 09:00 on the 25th: the clock stops ...
    returned = {"hasil_verifikasi": "perlu_perbaikan", "catatan_verifikasi": "Alamat tanpa RT"}
    _complete(users, instance, "Task_VerifikasiBerkas", "kasi1", returned, wita(3, 25, 9))
    instance.refresh_from_db()
    assert instance.sla_paused_since == wita(3, 25, 9)
    detail = api("loket1").get(f"/api/v1/requests/{instance.tracking_number}/").json()
    assert detail["sla"]["paused"] is True and detail["sla"]["overdue"] is False

    # ... and the corrected file comes back at 09:00 the next day: 7.5 office hours later
    # (09:00-16:00 less the break, then 07:30-09:00), so the due time moves by 7.5 office hours.
    fixed = {**business, "alamat_usaha": "Jl. Poros Labangka Barat RT 03", "keterangan_perbaikan": "RT ditambahkan"}
    _complete(users, instance, "Task_PerbaikiData", "loket1", fixed, wita(3, 26, 9))
    instance.refresh_from_db()
    assert instance.sla_paused_since is None and instance.sla_paused_seconds == 7.5 * 3600
    assert instance.sla_due_at == wita(3, 26, 16)

    with time_machine.travel(wita(3, 26, 15), tick=False):
        sla = api("loket1").get(f"/api/v1/requests/{instance.tracking_number}/").json()["sla"]
        assert sla["overdue"] is False and sla["paused_working_hours"] == 7.5
        assert datetime.fromisoformat(sla["due_at"]) == wita(3, 26, 16)
    with time_machine.travel(wita(3, 27, 8), tick=False):
        assert api("loket1").get(f"/api/v1/requests/{instance.tracking_number}/").json()["sla"]["overdue"] is True


def test_an_office_override_moves_the_due_date(users: Any, deployed: Any) -> None:
    from datetime import date

    from portal.officecalendar.services import calendar_override_set
    from portal.workflow.services.registration import request_register

    calendar_override_set(day=date(2026, 3, 24), open=True, reason="Cuti bersama dibatalkan")
    instance = request_register(
        service_code="sktm", applicant=dict(SKTM_APPLICANT), data={"keperluan": "Berobat"}, actor=users["loket1"],
        now=wita(3, 17, 10),
    )  # fmt: skip
    _complete(users, instance, "Task_PeriksaKelengkapan", "loket1", {"hasil_pemeriksaan": "lengkap"}, wita(3, 17, 14))
    instance.refresh_from_db()
    assert instance.sla_due_at == wita(3, 24, 16)


def test_a_step_carries_its_due_time_and_late_steps_are_counted(api: Any, users: Any, deployed: Any) -> None:
    from portal.workflow.models import HumanTask
    from portal.workflow.services.registration import request_register

    instance = request_register(
        service_code="sktm", applicant=dict(SKTM_APPLICANT), data={"keperluan": "Berobat"}, actor=users["loket1"],
        now=wita(4, 13, 8),
    )  # fmt: skip
    steps = [
        ("Task_PeriksaKelengkapan", "loket1", {"hasil_pemeriksaan": "lengkap"}),
        ("Task_VerifikasiData", "kasi1", {"terdaftar_dtks": True, "hasil_verifikasi": "memenuhi"}),
        ("Task_SusunDraf", "kasi1", {"isi_keterangan": "Benar keluarga tidak mampu di desa kami."}),
        ("Task_ParafSekcam", "sekcam1", {"hasil_paraf": "setuju"}),
    ]
    for minutes, (bpmn_id, username, data) in enumerate(steps, start=1):
        _complete(users, instance, bpmn_id, username, data, wita(4, 13, 14, minutes))
    # The camat's signing step (paten.due = working_hours(4)) became ready Monday 13 April 14:04:
    # 1 h 56 min are left that day, the rest (2 h 4 min) runs into Tuesday from 07:30.
    signing = HumanTask.objects.get(instance=instance, bpmn_id="Task_TandatanganCamat")
    assert signing.due_at == wita(4, 14, 9, 34)

    with time_machine.travel(wita(4, 14, 9, 0), tick=False):
        (listed,) = api("camat1").get("/api/v1/tasks/").json()["results"]
        assert listed["overdue"] is False and datetime.fromisoformat(listed["due_at"]) == wita(4, 14, 9, 34)
        assert api("camat1").get("/api/v1/tasks/overdue/").json() == []
    with time_machine.travel(wita(4, 14, 10, 0), tick=False):
        assert api("camat1").get("/api/v1/tasks/").json()["results"][0]["overdue"] is True
        assert api("camat1").get("/api/v1/tasks/overdue/").json() == [{"role": "camat", "officer": "", "count": 1}]
    assert api("loket1").get("/api/v1/tasks/overdue/").status_code == 403
