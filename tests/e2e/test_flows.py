"""Whole journeys in a real browser: an sktm request from the citizen's phone to her letter and
survey, the camat's delegation to the sekcam, and a step form sent empty."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT, SKTM_APPLICANT
from tests.e2e.conftest import assert_fits, login, shot, visit

SCENARIO = yaml.safe_load((ROOT / "processes/scenarios/sktm/disetujui-langsung.yaml").read_text(encoding="utf-8"))
STEP_DATA = {step["bpmn_id"]: step["data"] for step in SCENARIO["steps"]}
TO_CAMAT = ["Task_PeriksaKelengkapan", "Task_VerifikasiData", "Task_SusunDraf", "Task_ParafSekcam"]
USER_OF_ROLE = {"loket": "loket1", "kasi": "kasi1", "sekcam": "sekcam1", "camat": "camat1"}
SURVEY = [f"U{i}" for i in range(1, 10)]


@pytest.fixture
def skm(transactional_db: Any) -> None:
    """The survey's nine elements (a data migration's rows, which the transactional flush removes)."""
    import importlib

    from django.apps import apps

    importlib.import_module("portal.survey.migrations.0002_skm_elements").load(apps, None)


def sktm_at(users: dict[str, Any], bpmn_ids: list[str], *, name: str = SKTM_APPLICANT["name"]) -> Any:
    """An sktm request registered at the counter and taken through `bpmn_ids` with the scenario's data."""
    from portal.workflow.models import HumanTask
    from portal.workflow.services.human_tasks import human_task_complete
    from portal.workflow.services.registration import request_register

    roles = {step["bpmn_id"]: step["role"] for step in SCENARIO["steps"]}
    instance = request_register(
        service_code="sktm",
        applicant={**SCENARIO["start"]["applicant"], "name": name},
        data=SCENARIO["start"]["data"],
        actor=users["loket1"],
    )
    for bpmn_id in bpmn_ids:
        step = HumanTask.objects.get(instance=instance, bpmn_id=bpmn_id, status="ready")
        human_task_complete(human_task_id=step.pk, actor=users[USER_OF_ROLE[roles[bpmn_id]]], data=STEP_DATA[bpmn_id])
    return instance


def ready_step(tracking_number: str, bpmn_id: str) -> Any:
    from portal.workflow.models import HumanTask

    return HumanTask.objects.get(instance__tracking_number=tracking_number, bpmn_id=bpmn_id, status="ready")


def switch_user(page: Any, username: str) -> None:
    """Log out (drop the session cookie) and log in as `username`."""
    page.context.clear_cookies()
    login(page, username)
    assert "/masuk/" not in page.url, f"{username} was not logged in"


def complete_step(page: Any) -> None:
    """Press "Selesaikan langkah" and land on the worklist with the success message."""
    with page.expect_navigation():
        page.click("form.step-form button[type=submit]")
    assert page.url.endswith("/kerja/"), page.url
    assert "selesai" in page.inner_text("main")


def open_step_from_worklist(page: Any, tracking_number: str, bpmn_id: str) -> Any:
    step = ready_step(tracking_number, bpmn_id)
    visit(page, "/kerja/")
    row = page.locator(f"tr[data-task='{step.pk}']")
    assert tracking_number in row.inner_text()
    with page.expect_navigation():
        row.locator(f"a[href='/kerja/langkah/{step.pk}/']").first.click()
    assert page.locator("main h1").inner_text() == step.name
    assert_fits(page)
    return step


def test_sktm_from_the_citizens_phone_to_her_letter_and_survey(
    page_phone: Any, page_desktop: Any, users: dict[str, Any], deployed: Any, skm: None
) -> None:
    from django.utils import timezone

    from portal.documents.models import RequirementCheck
    from portal.letters.models import Letter
    from portal.survey.models import SurveyResponse
    from portal.workflow.models import HumanTask, ProcessInstance

    citizen, office = page_phone, page_desktop
    today = timezone.localdate()

    # The citizen submits online from her phone.
    login(citizen, "warga1")
    visit(citizen, "/ajukan/")
    with citizen.expect_navigation():
        citizen.click("main a[href='/ajukan/?layanan=sktm']")
    assert_fits(citizen)
    citizen.fill("#id_pemohon-nik", SKTM_APPLICANT["nik"])
    citizen.fill("#id_pemohon-name", SKTM_APPLICANT["name"])
    citizen.select_option("#id_pemohon-desa", label=SKTM_APPLICANT["desa"])
    citizen.fill("#id_pemohon-phone", SKTM_APPLICANT["phone"])
    citizen.fill("#id_data-keperluan", "Beasiswa sekolah anak")
    citizen.fill("#id_data-nomor_pengantar_desa", "470/112/BBD/XI/2026")
    citizen.fill("#id_data-jumlah_tanggungan", "4")
    shot(citizen, "citizen-submit-phone")
    with citizen.expect_navigation():
        citizen.click("main form button[type=submit]")
    assert citizen.url.endswith("/ajukan/terkirim/"), citizen.locator("main").inner_text()
    tn = citizen.inner_text(".tracking-number").strip()
    assert citizen.inner_text(".tracking-pin").strip().isdigit()
    assert_fits(citizen)
    shot(citizen, "citizen-submitted-phone")
    instance = ProcessInstance.objects.get(tracking_number=tn)
    assert instance.applicant_user == users["warga1"]

    # The counter checks the file is complete, every requirement received.
    login(office, "loket1")
    step = open_step_from_worklist(office, tn, "Task_PeriksaKelengkapan")
    visit(office, "/kerja/")
    shot(office, "loket-worklist-desktop")
    visit(office, f"/kerja/langkah/{step.pk}/")
    requirements = set(office.eval_on_selector_all("input[name^='cek-req_']", "els => els.map(e => e.name)"))
    assert requirements, "the completeness step shows no checklist"
    for name in requirements:
        office.check(f"input[name='{name}'][value=received]")
    office.check("input[name=hasil_pemeriksaan][value=lengkap]")
    complete_step(office)
    assert set(RequirementCheck.objects.filter(instance=instance).values_list("status", flat=True)) == {"received"}

    # The kasi verifies and drafts.
    switch_user(office, "kasi1")
    open_step_from_worklist(office, tn, "Task_VerifikasiData")
    office.check("input[name=terdaftar_dtks][value=true]")
    office.check("input[name=hasil_verifikasi][value=memenuhi]")
    office.fill("textarea[name=catatan_verifikasi], input[name=catatan_verifikasi]", "Terdaftar DTKS desil 1")
    office.locator("form.step-form").scroll_into_view_if_needed()
    shot(office, "kasi-step-desktop")
    # The step page draws the service's diagram: the counter's check done, this step current.
    office.wait_for_selector(".paten-diagram-canvas.is-ready svg", timeout=10_000)
    current = office.eval_on_selector_all(
        ".paten-diagram-canvas svg g.djs-element.paten-current[data-element-id]",
        "els => els.map(e => e.dataset.elementId)",
    )
    done = office.eval_on_selector_all(
        ".paten-diagram-canvas svg g.djs-element.paten-done[data-element-id]",
        "els => els.map(e => e.dataset.elementId)",
    )
    assert current == ["Task_VerifikasiData"] and "Task_PeriksaKelengkapan" in done
    complete_step(office)
    open_step_from_worklist(office, tn, "Task_SusunDraf")
    office.fill("[name=isi_keterangan]", STEP_DATA["Task_SusunDraf"]["isi_keterangan"])
    office.fill("[name=berlaku_sampai]", (today + timedelta(days=180)).isoformat())
    complete_step(office)

    # The sekcam initials the draft.
    switch_user(office, "sekcam1")
    open_step_from_worklist(office, tn, "Task_ParafSekcam")
    office.check("input[name=hasil_paraf][value=setuju]")
    complete_step(office)
    assert ready_step(tn, "Task_TandatanganCamat").role == "camat"

    # Two more requests wait for the camat; he approves the three at once.
    others = [sktm_at(users, TO_CAMAT, name=name).tracking_number for name in ("Budi Santoso", "Rina Wati")]
    batch = [tn, *others]
    switch_user(office, "camat1")
    visit(office, "/persetujuan/")
    boxes = office.locator("input[type=checkbox][name=human_task_ids]")
    assert boxes.count() == 3
    office.set_viewport_size({"width": 360, "height": 740})
    visit(office, "/persetujuan/")
    shot(office, "camat-approvals-phone")
    office.set_viewport_size({"width": 1366, "height": 900})
    visit(office, "/persetujuan/")
    for number in batch:
        office.check(f"input[type=checkbox][aria-label$='{number}']")
    shot(office, "camat-approvals-desktop")
    with office.expect_navigation():
        office.click("button[form=bulk]")
    assert office.url.endswith("/persetujuan/")
    messages = office.inner_text("body")
    for number in batch:
        assert number in messages, f"no message for {number}"
    assert "Tidak ada yang menunggu keputusan." in office.inner_text("main")
    letters = Letter.objects.filter(instance__tracking_number__in=batch)
    assert sorted(letters.values_list("instance__tracking_number", flat=True)) == sorted(batch)
    assert all(letter.rendered_at is not None and letter.signer == users["camat1"] for letter in letters)
    assert len({letter.number for letter in letters}) == 3

    # The counter hands the letter over.
    letter = letters.get(instance__tracking_number=tn)
    switch_user(office, "loket1")
    open_step_from_worklist(office, tn, "Task_PenyerahanSurat")
    if not office.input_value("[name=nomor_surat]"):
        office.fill("[name=nomor_surat]", letter.number)
    office.fill("[name=tanggal_penyerahan]", today.isoformat())
    office.fill("[name=diterima_oleh]", SKTM_APPLICANT["name"])
    complete_step(office)
    instance.refresh_from_db()
    assert instance.status == "completed"
    assert not HumanTask.objects.filter(instance=instance, status="ready").exists()

    # The citizen sees it done on her phone, downloads the letter and answers the survey.
    visit(citizen, "/permohonan-saya/")
    row = citizen.locator("main tr", has_text=tn)
    assert "Selesai" in row.inner_text(), row.inner_text()
    href = row.locator("a[href*='/surat/']").first.get_attribute("href")
    download = citizen.request.get(href)
    assert download.status == 200
    assert download.headers["content-type"] == "application/pdf"
    assert download.body()[:5] == b"%PDF-"
    with citizen.expect_navigation():
        row.locator(f"a[href='/survei/{tn}/']").click()
    survey_url = f"/survei/{tn}/"
    assert citizen.url.endswith(survey_url)
    assert_fits(citizen)
    # A second tab holds the same form, to try a second answer later.
    second = citizen.context.new_page()
    second.goto(survey_url)

    citizen.check("input[name=U1][value='4']")
    with citizen.expect_navigation() as partial:
        citizen.click("main form button[type=submit]")
    assert partial.value.status == 400
    assert citizen.locator(".has-error").count() == 8
    assert citizen.locator(".has-error .errorlist").first.inner_text() == "Wajib dijawab."
    assert SurveyResponse.objects.count() == 0
    citizen.goto(survey_url)  # a clean form for the screenshot
    for code in SURVEY:
        citizen.check(f"input[name={code}][value='4']")
    citizen.fill("[name=suggestion]", "Pelayanan cepat dan ramah.")
    citizen.locator("main form button[type=submit]").scroll_into_view_if_needed()
    shot(citizen, "citizen-survey-phone")
    with citizen.expect_navigation() as sent:
        citizen.click("main form button[type=submit]")
    assert sent.value.status == 200
    assert "Terima kasih" in citizen.inner_text("main")
    assert SurveyResponse.objects.filter(instance=instance).count() == 1

    for code in SURVEY:
        second.check(f"input[name={code}][value='1']")
    with second.expect_navigation() as again:
        second.click("main form button[type=submit]")
    assert again.value.status == 409
    assert "sudah diisi" in second.inner_text("main")
    second.close()
    assert SurveyResponse.objects.filter(instance=instance).count() == 1
    response = SurveyResponse.objects.get(instance=instance)
    assert sorted(response.answers.values_list("score", flat=True)) == [4] * 9


def test_the_sekcam_signs_an_while_the_camat_delegates_and_not_after(
    page_desktop: Any, users: dict[str, Any], deployed: Any
) -> None:
    from django.utils import timezone

    from portal.delegation.models import Delegation
    from portal.letters.models import Letter

    page = page_desktop
    login(page, "camat1")
    visit(page, "/pelimpahan/")
    page.select_option("#id_deputy", "sekcam1")
    page.check("input[name=kind][value=an]")
    # The page prefills today as 28-11-2026, which a date input cannot show (see the report), so the
    # camat picks the dates himself.
    today = timezone.localdate().isoformat()
    page.fill("#id_starts_on", today)
    page.fill("#id_ends_on", today)
    page.fill("#id_reason", "Camat dinas luar ke Penajam.")
    with page.expect_navigation():
        page.click("main form[novalidate] button[type=submit]")
    assert page.url.endswith("/pelimpahan/")
    delegation = Delegation.objects.get()
    assert delegation.deputy == users["sekcam1"] and delegation.kind == "an" and delegation.ended_at is None
    assert "Berlaku" in page.locator("main table").first.inner_text()
    assert_fits(page)
    shot(page, "camat-delegation-desktop")

    # The sekcam sees the camat's step (inbox and worklist) and signs it.
    tn = sktm_at(users, TO_CAMAT).tracking_number
    switch_user(page, "sekcam1")
    visit(page, "/persetujuan/")
    assert tn in page.inner_text("main")
    assert "Atas pelimpahan dari" in page.inner_text("main")
    step = open_step_from_worklist(page, tn, "Task_TandatanganCamat")
    page.check("input[name=keputusan][value=setuju]")
    complete_step(page)
    letter = Letter.objects.get(instance__tracking_number=tn)
    assert letter.signer == users["sekcam1"] and letter.signer_capacity == "atas_nama"
    assert letter.signature_lines[0].startswith("a.n. Camat"), letter.signature_lines
    assert letter.document["signature_lines"] == letter.signature_lines
    step.refresh_from_db()
    assert step.status == "completed" and step.completed_by == users["sekcam1"]

    # The camat ends the delegation now.
    switch_user(page, "camat1")
    visit(page, "/pelimpahan/")
    with page.expect_navigation():
        page.click("button:has-text('Akhiri sekarang')")
    delegation.refresh_from_db()
    assert delegation.ended_at is not None
    assert "Pelimpahan diakhiri sekarang." in page.inner_text("body")

    # A later request: the sekcam neither sees nor may open it.
    later = sktm_at(users, TO_CAMAT, name="Budi Santoso").tracking_number
    waiting = ready_step(later, "Task_TandatanganCamat")
    switch_user(page, "sekcam1")
    visit(page, "/kerja/")
    assert later not in page.inner_text("main")
    inbox = page.goto("/persetujuan/")
    assert inbox.status == 403
    response = page.goto(f"/kerja/langkah/{waiting.pk}/")
    assert response.status == 403
    assert page.locator("main h1").inner_text() == "Tidak diizinkan"
    assert "Langkah ini untuk peran" in page.inner_text("main [role=alert]")
    assert_fits(page)
    shot(page, "forbidden-desktop")
    waiting.refresh_from_db()
    assert waiting.status == "ready"


def test_an_empty_step_form_shows_indonesian_errors_at_the_fields_and_changes_nothing(
    page_desktop: Any, users: dict[str, Any], deployed: Any
) -> None:
    from portal.workflow.models import InstanceEvent

    page = page_desktop
    instance = sktm_at(users, ["Task_PeriksaKelengkapan"])
    step = ready_step(instance.tracking_number, "Task_VerifikasiData")
    events = InstanceEvent.objects.filter(instance=instance).count()
    login(page, "kasi1")
    visit(page, f"/kerja/langkah/{step.pk}/")
    with page.expect_navigation() as sent:
        page.click("form.step-form button[type=submit]")
    assert sent.value.status == 400
    assert page.url.endswith(f"/kerja/langkah/{step.pk}/")
    assert page.locator("main h1").inner_text() == step.name
    for name in ("terdaftar_dtks", "hasil_verifikasi"):
        container = page.locator(f"form.step-form .field:has([name={name}])")
        assert container.count() == 1
        error = container.locator(".errorlist")
        assert error.inner_text() == "Wajib diisi."
        described = container.get_attribute("aria-describedby") or ""
        assert error.get_attribute("id") in described.split(), (name, described)
    optional = page.locator("form.step-form .field:has([name=catatan_verifikasi])")
    assert optional.locator(".errorlist").count() == 0
    assert_fits(page)
    step.refresh_from_db()
    assert step.status == "ready"
    assert InstanceEvent.objects.filter(instance=instance).count() == events
