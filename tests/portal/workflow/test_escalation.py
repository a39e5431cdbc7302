"""The designer's boundary timer escalates the camat's signing to the sekcam, driven by fire_timers --at."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from tests.scenario import FIXTURES

APPLICANT = {"nik": "6409031701700005", "name": "Suparman", "desa": "Gunung Intan", "phone": "081255604318"}
REQUEST = {
    "nama_kegiatan": "Syukuran",
    "tanggal_kegiatan": "2026-12-20",
    "lokasi_kegiatan": "Balai",
    "jumlah_peserta": 80,
}


def _step(api: Any, username: str, tn: str, data: dict[str, Any]) -> dict[str, Any]:
    listed = api(username).get("/api/v1/tasks/", {"tracking_number": tn}).json()["results"]
    assert len(listed) == 1, listed
    response = api(username).post(f"/api/v1/tasks/{listed[0]['id']}/complete/", {"data": data}, format="json")
    assert response.status_code == 200, response.content
    return dict(listed[0])


def _fire(at: Any) -> str:
    out = io.StringIO()
    call_command("fire_timers", at=at.isoformat(), stdout=out)
    return out.getvalue()


def test_signing_escalates_to_sekcam_exactly_once(api: Any, users: Any) -> None:
    from portal.workflow.models import HumanTask, InstanceEvent, ProcessInstance, TimerSchedule

    call_command("process_deploy", str(FIXTURES / "rekomendasi-uji.bpmn"), stdout=io.StringIO())
    created = api("loket1").post(
        "/api/v1/requests/", {"service": "rekomendasi-uji", "applicant": APPLICANT, "data": REQUEST}, format="json"
    )
    tn = created.json()["tracking_number"]
    _step(api, "loket1", tn, {"nomor_registrasi": "REK-1", "berkas_lengkap": True})
    _step(api, "kasi1", tn, {"hasil_verifikasi_dokumen": "valid"})
    _step(api, "sekcam1", tn, {"jadwal_bentrok": False})
    _step(api, "kasi1", tn, {"isi_rekomendasi": "Tidak berkeberatan atas kegiatan ini."})
    armed_at = timezone.now()
    instance = ProcessInstance.objects.get(tracking_number=tn)
    timer = TimerSchedule.objects.get(instance=instance, fired_at=None, cancelled_at=None)
    assert armed_at - timedelta(minutes=1) + timedelta(hours=4) <= timer.due_at <= armed_at + timedelta(hours=4)
    camat_step = api("camat1").get("/api/v1/tasks/", {"tracking_number": tn}).json()["results"]
    assert [s["bpmn_id"] for s in camat_step] == ["Activity_1fqya5j"]

    assert _fire(timer.due_at - timedelta(minutes=1)).startswith("0 timer(s) fired")
    assert api("sekcam1").get("/api/v1/tasks/", {"tracking_number": tn}).json()["results"] == []

    assert _fire(timer.due_at + timedelta(minutes=1)).startswith("1 timer(s) fired")
    assert _fire(timer.due_at + timedelta(minutes=2)).startswith("0 timer(s) fired")  # safe to run twice
    assert api("camat1").get("/api/v1/tasks/", {"tracking_number": tn}).json()["results"] == []
    assert HumanTask.objects.get(instance=instance, bpmn_id="Activity_1fqya5j").status == "cancelled"
    escalated = _step(api, "sekcam1", tn, {"ttd_an_camat": True})
    assert escalated["bpmn_id"] == "Activity_18kmfxt"
    _step(api, "loket1", tn, {"nomor_surat": "300/1/KEC-BBL/2026", "tanggal_penyerahan": "2026-12-01"})

    instance.refresh_from_db()
    assert instance.status == "completed" and instance.outcome_bpmn_id == "Event_1c0sibb"
    fired = InstanceEvent.objects.filter(instance=instance, type="timer_fired")
    assert fired.count() == 1 and fired.get().payload["bpmn_id"] == "Event_1webron"
    detail = api("loket1").get(f"/api/v1/requests/{tn}/").json()
    assert any(h["type"] == "timer_fired" for h in detail["history"])
