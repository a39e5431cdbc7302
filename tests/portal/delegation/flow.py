"""Drive an sktm request to the camat's signing step through the services."""

from __future__ import annotations

from typing import Any

from tests.conftest import SKTM_APPLICANT

STEPS = [
    ("loket1", "Task_PeriksaKelengkapan", {"hasil_pemeriksaan": "lengkap"}),
    ("kasi1", "Task_VerifikasiData", {"terdaftar_dtks": True, "hasil_verifikasi": "memenuhi"}),
    ("kasi1", "Task_SusunDraf", {"isi_keterangan": "Benar keluarga tidak mampu."}),
    ("sekcam1", "Task_ParafSekcam", {"hasil_paraf": "setuju"}),
]


def sktm_at_signing(
    users: dict[str, Any], *, name: str = SKTM_APPLICANT["name"], verifier: Any = None,
    stop_before: str = "Task_TandatanganCamat",
) -> Any:  # fmt: skip
    """A registered sktm request whose open step is Task_TandatanganCamat (or `stop_before`); returns that step."""
    from portal.workflow.enums import OPEN_HUMAN_TASK
    from portal.workflow.models import HumanTask
    from portal.workflow.services.human_tasks import human_task_complete
    from portal.workflow.services.registration import request_register

    instance = request_register(
        service_code="sktm", applicant={**SKTM_APPLICANT, "name": name}, data={"keperluan": "Beasiswa"},
        actor=users["loket1"],
    )  # fmt: skip
    for username, bpmn_id, data in STEPS:
        if bpmn_id == stop_before:
            break
        actor = verifier if (verifier is not None and bpmn_id == "Task_VerifikasiData") else users[username]
        step = HumanTask.objects.get(instance=instance, bpmn_id=bpmn_id, status__in=OPEN_HUMAN_TASK)
        human_task_complete(human_task_id=step.pk, actor=actor, data=data)
    return HumanTask.objects.get(instance=instance, bpmn_id=stop_before, status__in=OPEN_HUMAN_TASK)
