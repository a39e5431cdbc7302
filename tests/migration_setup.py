"""Running sktm requests at given steps, and sktm as a designer shortens it (the sekcam's initials
removed): what the migration tests, the browser test and the benchmark start from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lxml import etree

from tests.conftest import SKTM_APPLICANT
from tests.scenario import PROCESSES

SKTM_SOURCE = (PROCESSES / "sktm.bpmn").read_text("utf-8")
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"

# The steps of an sktm request in order, each with who completes it and with what.
SKTM_STEPS: list[tuple[str, str, dict[str, Any]]] = [
    ("loket1", "Task_PeriksaKelengkapan", {"hasil_pemeriksaan": "lengkap", "catatan": ""}),
    ("kasi1", "Task_VerifikasiData", {"terdaftar_dtks": True, "hasil_verifikasi": "memenuhi"}),
    ("kasi1", "Task_SusunDraf", {"isi_keterangan": "Benar keluarga tidak mampu."}),
    ("sekcam1", "Task_ParafSekcam", {"hasil_paraf": "setuju"}),
    ("camat1", "Task_TandatanganCamat", {"keputusan": "setuju"}),
    ("loket1", "Task_PenyerahanSurat", {"tanggal_penyerahan": "2026-11-27", "diterima_oleh": "Siti"}),
]
STEP_INDEX = {bpmn_id: index for index, (_, bpmn_id, _) in enumerate(SKTM_STEPS)}


def without_initials(source: str) -> str:
    """sktm as a designer shortens it: the call into the initials chain and its gateway deleted, the
    draft flowing straight to the camat."""
    root = etree.fromstring(source.encode())
    gone = {"Call_ParafBerjenjang", "Gateway_Paraf", "Flow_Paraf_Gateway", "Flow_SekcamPerbaiki"}
    refs = ("flowNodeRef", "incoming", "outgoing")
    for element in list(root.iter()):
        named = element.get("id", "").removesuffix("_di") in gone
        if named or (element.text in gone and element.tag.endswith(refs)):
            element.getparent().remove(element)
    draft = root.find(f".//{BPMN}sequenceFlow[@id='Flow_Draf_Paraf']")
    draft.set("targetRef", "Task_TandatanganCamat")
    signing = root.find(f".//{BPMN}sequenceFlow[@id='Flow_Paraf_Tandatangan']")
    signing.getparent().remove(signing)
    camat = root.find(f".//{BPMN}userTask[@id='Task_TandatanganCamat']")
    for incoming in camat.findall(f"{BPMN}incoming"):
        if incoming.text == "Flow_Paraf_Tandatangan":
            incoming.text = "Flow_Draf_Paraf"
    return etree.tostring(root, encoding="unicode")


def sktm_shortened() -> bytes:
    return without_initials(SKTM_SOURCE).encode()


def sktm_at(users: dict[str, Any], bpmn_id: str, *, now: datetime | None = None) -> Any:
    """A new sktm request moved on until it waits at `bpmn_id`."""
    from portal.workflow.services.registration import request_register

    instance = request_register(
        service_code="sktm", applicant=SKTM_APPLICANT, data={"keperluan": "Beasiswa"}, actor=users["loket1"], now=now
    )
    for _ in range(STEP_INDEX[bpmn_id]):
        step_complete(users, instance, now=now)
    return instance


def step_complete(users: dict[str, Any], instance: Any, *, now: datetime | None = None) -> str:
    """Complete the request's one open step as its role's officer would; its bpmn id."""
    from portal.workflow.enums import OPEN_HUMAN_TASK
    from portal.workflow.models import HumanTask
    from portal.workflow.services.human_tasks import human_task_complete

    (step,) = HumanTask.objects.filter(instance_id=instance.pk, status__in=OPEN_HUMAN_TASK)
    username, _, data = SKTM_STEPS[STEP_INDEX[step.bpmn_id]]
    human_task_complete(human_task_id=step.pk, actor=users[username], data=dict(data), now=now)
    return step.bpmn_id


def sktm_shortened_deploy(by: Any = None) -> Any:
    """Deploy sktm without the initials as its next version; that version's row."""
    from portal.workflow.services.definitions import definitions_deploy

    (result,) = definitions_deploy(
        files=[("processes/sktm.bpmn", sktm_shortened())], deployed_by=by, note="tanpa paraf"
    )
    return result.definition
