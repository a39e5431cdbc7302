"""Messages and timers in the log: each under the name of the element that waits for it, by whoever sent
it (the applicant as `pemohon`), so a miner sees which message came, not just that one did."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from tests.conftest import SKTM_APPLICANT

from .flow import wita
from .readback import csv_rows, export

DIAGRAM = Path(__file__).resolve().parents[2] / "fixtures" / "designer" / "uji-pesan.bpmn"


def _waiting(users: dict[str, Any], at: Any) -> Any:
    """A request of the test service whose file was checked: it waits for a message, or 14 days."""
    from portal.workflow.models import HumanTask
    from portal.workflow.services.human_tasks import human_task_complete
    from portal.workflow.services.registration import request_register

    instance = request_register(
        service_code="uji-pesan", applicant=SKTM_APPLICANT, data={}, actor=users["loket1"], now=at
    )  # fmt: skip
    step = HumanTask.objects.get(instance=instance, bpmn_id="Periksa")
    human_task_complete(human_task_id=step.pk, actor=users["loket1"], data={"catatan": "lengkap"}, now=at)
    return instance


def test_messages_and_timers_are_named_by_the_elements_that_wait_for_them(
    users: dict[str, Any], deployed: Any, tmp_path: Path
) -> None:
    from portal.workflow.models import HumanTask
    from portal.workflow.services.definitions import definitions_deploy
    from portal.workflow.services.human_tasks import human_task_complete
    from portal.workflow.services.message_delivery import instance_message_deliver
    from portal.workflow.services.timers import instance_timers_fire

    definitions_deploy(files=[("uji-pesan.bpmn", DIAGRAM.read_bytes())], by_name="perancang1", note="uji")
    at = wita(3, 2, 9)
    answered, corrected, lapsed = _waiting(users, at), _waiting(users, at + timedelta(hours=1)), _waiting(users, at)
    instance_message_deliver(
        tracking_number=answered.tracking_number, name="rekomendasi_desa", data={"nomor": "12/DS/2026"},
        actor=users["kasi1"], now=at + timedelta(minutes=10),
    )  # fmt: skip
    archive = HumanTask.objects.get(instance=answered, bpmn_id="Arsipkan")
    human_task_complete(human_task_id=archive.pk, actor=users["loket1"], data={}, now=at + timedelta(minutes=20))
    instance_message_deliver(
        tracking_number=corrected.tracking_number, name="berkas_perbaikan", data={"berkas": "ktp-baru.pdf"},
        applicant=True, now=at + timedelta(hours=2),
    )  # fmt: skip
    assert instance_timers_fire(instance_id=lapsed.pk, now=at + timedelta(days=15)) == 1

    _path, content = export(tmp_path, "csv", service="uji-pesan")
    rows = csv_rows(content)

    def told(instance: Any) -> list[tuple[str, ...]]:
        keys = ("activity", "lifecycle", "resource", "role", "bpmn_id")
        return [tuple(row[k] for k in keys) for row in rows if row["case_id"] == instance.tracking_number]

    assert told(answered)[-4:] == [
        ("Rekomendasi desa tiba", "complete", "kasi1", "", "Rekomendasi"),
        ("Arsipkan berkas", "schedule", "", "loket", "Arsipkan"),
        ("Arsipkan berkas", "complete", "loket1", "loket", "Arsipkan"),
        ("Selesai", "complete", "", "", "Selesai"),
    ]
    assert ("Pemohon mengirim perbaikan", "complete", "pemohon", "pemohon", "Perbaikan") in told(corrected)
    assert told(lapsed)[-2:] == [
        ("14 hari berlalu", "complete", "", "", "Lewat"),
        ("Ditutup karena lewat waktu", "complete", "", "", "Ditutup"),
    ]
    assert told(answered)[0] == ("Permohonan didaftarkan", "complete", "loket1", "loket", "")
