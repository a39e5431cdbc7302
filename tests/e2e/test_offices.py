"""Two kecamatan in one deployment, in a real browser: a Sepaku citizen's request reaches Sepaku's
counter and not Babulu's, and each office's letter carries its own letterhead and numbering."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import login, visit
from tests.e2e.test_flows import SCENARIO, STEP_DATA, switch_user

SEPAKU_APPLICANT = {"nik": "6409044508900003", "name": "Wulan Sari", "desa": "Tengin Baru", "phone": "081234567891"}
TO_LETTER = ["Task_PeriksaKelengkapan", "Task_VerifikasiData", "Task_SusunDraf", "Task_ParafSekcam"]


def signed(tracking_number: str, users: dict[str, Any], suffix: str) -> Any:
    """Take the request through to the camat's signature with the office's own staff; its letter."""
    from portal.letters.models import Letter
    from portal.workflow.models import HumanTask
    from portal.workflow.services.human_tasks import human_task_complete

    roles = {step["bpmn_id"]: step["role"] for step in SCENARIO["steps"]}
    for bpmn_id in [*TO_LETTER, "Task_TandatanganCamat"]:
        step = HumanTask.objects.get(instance__tracking_number=tracking_number, bpmn_id=bpmn_id, status="ready")
        actor = users[f"{roles[bpmn_id]}{suffix}"]
        human_task_complete(human_task_id=step.pk, actor=actor, data=STEP_DATA[bpmn_id])
    return Letter.objects.get(instance__tracking_number=tracking_number)


def test_a_sepaku_citizen_reaches_sepaku_and_each_office_signs_its_own_letter(
    page_phone: Any, page_desktop: Any, users: dict[str, Any], deployed: Any
) -> None:
    from portal.workflow.models import HumanTask, ProcessInstance
    from portal.workflow.services.registration import request_register

    citizen, office = page_phone, page_desktop

    # A citizen of Tengin Baru (Sepaku) submits online, without an account.
    visit(citizen, "/ajukan/?layanan=sktm")
    citizen.fill("#id_pemohon-nik", SEPAKU_APPLICANT["nik"])
    citizen.fill("#id_pemohon-name", SEPAKU_APPLICANT["name"])
    citizen.select_option("#id_pemohon-desa", label=SEPAKU_APPLICANT["desa"])
    citizen.fill("#id_pemohon-phone", SEPAKU_APPLICANT["phone"])
    citizen.fill("#id_data-keperluan", "Beasiswa sekolah anak")
    citizen.fill("#id_data-nomor_pengantar_desa", "470/12/TB/XII/2026")
    citizen.fill("#id_data-jumlah_tanggungan", "3")
    with citizen.expect_navigation():
        citizen.click("main form button[type=submit]")
    assert citizen.url.endswith("/ajukan/terkirim/"), citizen.locator("main").inner_text()
    tn = citizen.inner_text(".tracking-number").strip()
    assert ProcessInstance.objects.get(tracking_number=tn).office.slug == "sepaku"

    # Sepaku's counter has it on its worklist; Babulu's does not, and cannot open it.
    step = HumanTask.objects.get(instance__tracking_number=tn, status="ready")
    login(office, "loket_sepaku")
    visit(office, "/kerja/")
    assert tn in office.inner_text("main")
    assert office.locator(f"tr[data-task='{step.pk}']").count() == 1
    switch_user(office, "loket1")
    visit(office, "/kerja/")
    assert tn not in office.inner_text("main")
    refused = office.goto(f"/kerja/langkah/{step.pk}/")
    assert refused is not None and refused.status == 403
    assert "Permohonan ini ditangani Kecamatan Sepaku; Anda bertugas di Kecamatan Babulu." in office.inner_text("main")

    # Each office signs its own request; each letter says whose it is, with its own numbering.
    sepaku_letter = signed(tn, users, "_sepaku")
    babulu = request_register(
        service_code="sktm", applicant=SCENARIO["start"]["applicant"], data=SCENARIO["start"]["data"],
        actor=users["loket1"],
    )  # fmt: skip
    babulu_letter = signed(babulu.tracking_number, users, "1")
    for letter, kecamatan, code in [(sepaku_letter, "Sepaku", "KEC-SPK"), (babulu_letter, "Babulu", "KEC-BBL")]:
        assert f"/{code}/" in letter.number and letter.sequence == 1
        visit(citizen, f"/verifikasi/{letter.verification_token}/")
        shown = citizen.inner_text("main")
        assert f"diterbitkan oleh Kecamatan {kecamatan}" in shown, shown
        assert letter.number in shown and f"Camat {kecamatan}" in shown
    assert sepaku_letter.document["office"]["district"] == "KECAMATAN SEPAKU"
