"""The process designer in a real browser: perancang1 opens sktm in the modeler, deletes the sekcam's
initials and reconnects the flow, sees lint pass, saves a draft, compares it with the version in use
(the removed step marked), deploys it with a note, then moves the running requests: of five, four
are safe (waiting at the counter, the kasi or the camat) and one is refused (waiting at the removed
step); the four move and skip the sekcam, the fifth finishes on the old version. On a phone the
modeler page says designing needs a larger screen."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import assert_fits, login, shot, visit
from tests.migration_setup import sktm_at, step_complete

WAITS = ["Task_PeriksaKelengkapan", "Task_VerifikasiData", "Task_SusunDraf", "Task_TandatanganCamat",
         "Task_ParafSekcam"]  # fmt: skip

# Deleting with the modeler's own commands, as its context pad's bin does; then a new flow from the
# kasi's draft to the camat, as dragging the arrow from the context pad makes.
SHORTEN = """() => {
  const modeler = window.patenEditor.modeler;
  const registry = modeler.get('elementRegistry'), modeling = modeler.get('modeling');
  modeling.removeElements([registry.get('Call_ParafBerjenjang'), registry.get('Gateway_Paraf')]);
  modeling.connect(registry.get('Task_SusunDraf'), registry.get('Task_TandatanganCamat'));
  return [!!registry.get('Call_ParafBerjenjang'), !!registry.get('Gateway_Paraf')];
}"""


def _version_of(instance: Any) -> int:
    from portal.workflow.models import ProcessInstance

    return int(ProcessInstance.objects.get(pk=instance.pk).definition.version)


def _finish(users: dict[str, Any], instance: Any) -> list[str]:
    from portal.workflow.models import ProcessInstance

    done = []
    while (fresh := ProcessInstance.objects.get(pk=instance.pk)).status == "running":
        done.append(step_complete(users, fresh))
    return done


def test_a_designer_shortens_sktm_deploys_it_and_moves_the_running_requests(
    page_desktop: Any, users: dict[str, Any], deployed: Any
) -> None:
    requests = {bpmn_id: sktm_at(users, bpmn_id) for bpmn_id in WAITS}
    page = page_desktop
    login(page, "perancang1")

    # the modeler on the version in use: the initials deleted, the flow reconnected, lint passes
    visit(page, "/perancang/sktm/ubah/")
    page.wait_for_selector("[data-paten-modeler][data-ready='1']")
    assert page.locator(".djs-element[data-element-id='Call_ParafBerjenjang']").count() == 1
    page.click(".djs-element[data-element-id='Task_SusunDraf']")
    page.wait_for_selector(".bio-properties-panel-header")
    assert page.evaluate(SHORTEN) == [False, False]
    with page.expect_response(lambda r: r.url.endswith("/api/v1/definitions/lint/") and r.status == 200) as linted:
        page.mouse.click(5, 5)  # lint follows each change; wait for the one after the edit
    assert linted.value.json()["ok"] is True
    page.wait_for_function("document.getElementById('status-lint').textContent.includes('Tidak ada kesalahan')")
    assert page.locator(".paten-problem-error").count() == 0
    assert_fits(page)
    shot(page, "designer-modeler-desktop")

    # saved as a draft, compared with the version in use: the removed step is marked
    page.fill("#catatan-draf", "paraf sekcam dihapus")
    with page.expect_navigation():
        page.click("#simpan-draf button[type=submit]")
    assert "Draf 1" in page.inner_text("main")
    with page.expect_navigation():
        page.click("a:text('Bandingkan dengan versi yang dipakai')")
    page.wait_for_selector("[data-paten-compare][data-ready='1']")
    removed = "[data-side=left] .djs-element.paten-diff-removed[data-element-id='Call_ParafBerjenjang']"
    assert page.locator(removed).count() == 1
    assert "Call_ParafBerjenjang" in page.inner_text("#beda-dihapus")
    assert_fits(page)
    shot(page, "designer-compare-desktop")

    # deployed with a note: version 2 for new requests
    page.fill("#catatan-pasang", "Paraf sekcam tidak diperlukan untuk SKTM")
    with page.expect_navigation():
        page.click("#pasang button[type=submit]")
    assert "versi 2 dipasang" in page.inner_text("main")

    # the dry run over the five running requests, then the safe four moved
    visit(page, "/perancang/sktm/pindah/?dari=1&ke=2")
    assert "4 dari 5 permohonan berjalan aman dipindahkan" in page.inner_text("#ringkasan")
    shot(page, "designer-migration-desktop")
    refused = requests["Task_ParafSekcam"].tracking_number
    assert page.get_attribute(f"#putusan-{refused}", "data-safe") == "0"
    assert "tidak ada lagi di versi tujuan" in page.inner_text(f"#putusan-{refused}")
    with page.expect_navigation():
        page.click("button[name=semua]")
    assert "4 permohonan dipindahkan ke versi 2" in page.inner_text("main")
    assert {b: _version_of(r) for b, r in requests.items()} == {b: 1 if b == "Task_ParafSekcam" else 2 for b in WAITS}
    for bpmn_id, instance in requests.items():
        done = _finish(users, instance)
        assert ("Task_ParafSekcam" in done) is (bpmn_id == "Task_ParafSekcam"), (bpmn_id, done)
    assert _version_of(requests["Task_ParafSekcam"]) == 1


def test_the_modeler_tells_a_phone_that_designing_needs_a_larger_screen(
    page_phone: Any, users: dict[str, Any], deployed: Any
) -> None:
    page = page_phone
    login(page, "perancang1")
    visit(page, "/perancang/sktm/ubah/")
    assert page.locator(".designer-small-screen").is_visible()
    shot(page, "designer-modeler-phone")
    assert not page.locator("[data-paten-modeler]").is_visible()
    assert page.locator("[data-paten-modeler] .djs-container").count() == 0  # not started on a phone
    for path in ("/perancang/", "/perancang/sktm/", "/perancang/sktm/pindah/"):
        visit(page, path)
        assert_fits(page)


def test_a_draft_with_a_lint_error_shows_it_on_its_element_and_cannot_be_deployed(
    page_desktop: Any, users: dict[str, Any], deployed: Any
) -> None:
    from portal.designer.services import draft_save
    from portal.workflow.models import ProcessDefinition
    from tests.migration_setup import sktm_shortened

    # The camat's step taken out of every lane: nobody's role would do it.
    broken = sktm_shortened().decode().replace("<bpmn:flowNodeRef>Task_TandatanganCamat</bpmn:flowNodeRef>", "")
    draft = draft_save(kind="service", code="sktm", source=broken, author=users["perancang1"])
    page = page_desktop
    login(page, "perancang1")
    visit(page, f"/perancang/draf/{draft.pk}/")
    page.wait_for_selector("[data-paten-modeler][data-ready='1']")
    page.wait_for_selector(".djs-element.paten-problem-error[data-element-id='Task_TandatanganCamat']")
    assert "Task_TandatanganCamat" in page.inner_text("#daftar-masalah")
    assert page.locator("#pasang button[type=submit]").is_disabled()
    # Sent anyway (as a stale page would): the server refuses and names the element again.
    page.eval_on_selector("#pasang button[type=submit]", "b => { b.disabled = false; }")
    page.fill("#catatan-pasang", "coba")
    with page.expect_navigation():
        page.click("#pasang button[type=submit]")
    assert "belum dapat dipasang" in page.inner_text("main")
    page.wait_for_selector(".djs-element.paten-problem-error[data-element-id='Task_TandatanganCamat']")
    assert ProcessDefinition.objects.filter(code="sktm").count() == 1


def test_a_decision_table_opens_in_the_table_editor_and_saves_as_a_draft(
    page_desktop: Any, users: dict[str, Any], deployed: Any
) -> None:
    from portal.designer.models import Draft

    page = page_desktop
    login(page, "perancang1")
    visit(page, "/perancang/bagian/decisions/rekomendasi_keramaian/ubah/")
    page.wait_for_selector("[data-paten-modeler][data-ready='1']")
    page.wait_for_selector(".tjs-table")
    assert page.locator(".tjs-table tbody tr").count() >= 3  # its rules
    headings = page.inner_text(".tjs-table thead")
    assert "Jika" in headings and "Maka" in headings  # the editor's own labels in Indonesian
    page.fill("#catatan-draf", "tanpa perubahan isi")
    with page.expect_navigation():
        page.click("#simpan-draf button[type=submit]")
    draft = Draft.objects.get(kind="decisions", code="rekomendasi_keramaian")
    assert "<decisionTable" in draft.source and draft.based_on == 1
    assert "Draf 1" in page.inner_text("main")
    page.wait_for_selector("[data-paten-modeler][data-ready='1']")
    assert_fits(page)
