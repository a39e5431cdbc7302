"""The applicant's tracking page in a real browser: a wrong PIN, and the diagram of a request."""

from __future__ import annotations

from typing import Any

from tests.conftest import SKTM_APPLICANT
from tests.e2e.conftest import assert_fits, shot, visit


def register_sktm(users: Any, steps: list[tuple[str, str, dict[str, Any]]]) -> tuple[str, str]:
    """An sktm request registered at the counter and advanced through `steps`; (number, PIN)."""
    from portal.workflow.models import HumanTask
    from portal.workflow.services.human_tasks import human_task_complete
    from portal.workflow.services.registration import request_register

    instance = request_register(
        service_code="sktm",
        applicant=SKTM_APPLICANT,
        data={"keperluan": "Beasiswa sekolah anak"},
        actor=users["loket1"],
    )
    for username, bpmn_id, data in steps:
        step = HumanTask.objects.get(instance=instance, bpmn_id=bpmn_id, status="ready")
        human_task_complete(human_task_id=step.pk, actor=users[username], data=data)
    return instance.tracking_number, instance.access_pin


def track(page: Any, tracking_number: str, pin: str) -> None:
    visit(page, "/lacak/")
    page.fill("#id_tracking_number", tracking_number)
    page.fill("#id_pin", pin)
    with page.expect_navigation():
        page.click("form.track-form button[type=submit]")


def test_a_wrong_pin_shows_the_error_next_to_the_form(page_phone: Any, users: Any, deployed: Any) -> None:
    tracking_number, pin = register_sktm(users, [])
    wrong = f"{(int(pin) + 1) % 1_000_000:06d}"
    track(page_phone, tracking_number, wrong)
    error = page_phone.locator("#form-error")
    assert error.is_visible()
    assert error.inner_text() == "Nomor registrasi atau PIN tidak cocok."
    # The message sits right before the form it is about.
    assert page_phone.evaluate("document.getElementById('form-error').nextElementSibling.tagName") == "FORM"
    assert page_phone.url.endswith("/lacak/")
    assert_fits(page_phone)
    shot(page_phone, "tracking-wrong-pin-phone")


DONE = ["Task_PeriksaKelengkapan", "Task_VerifikasiData"]


def test_the_status_page_shows_the_diagram_with_done_and_current_steps(
    page_phone: Any, users: Any, deployed: Any
) -> None:
    tracking_number, pin = register_sktm(
        users,
        [
            ("loket1", "Task_PeriksaKelengkapan", {"hasil_pemeriksaan": "lengkap"}),
            ("kasi1", "Task_VerifikasiData", {"terdaftar_dtks": True, "hasil_verifikasi": "memenuhi"}),
        ],
    )
    page = page_phone
    track(page, tracking_number, pin)
    assert page.url.endswith(f"/lacak/{tracking_number}/")

    page.wait_for_selector(".paten-diagram-canvas.is-ready svg", timeout=10_000)
    shapes = page.eval_on_selector_all(
        ".paten-diagram-canvas svg g.djs-element[data-element-id]", "els => els.map(e => e.dataset.elementId)"
    )
    assert {"StartEvent_Permohonan", "Lane_Kasi", *DONE, "Task_SusunDraf"} <= set(shapes)

    def marked(css_class: str) -> list[str]:
        return sorted(
            page.eval_on_selector_all(
                f".paten-diagram-canvas g.djs-element.{css_class}", "els => els.map(e => e.dataset.elementId)"
            )
        )

    assert marked("paten-done") == sorted(DONE)
    assert marked("paten-current") == ["Task_SusunDraf"]

    steps = page.inner_text("#paten-diagram-steps")
    assert "Langkah selesai:" in steps and "Sedang berjalan:" in steps
    assert steps.index("Langkah selesai:") < steps.index("Sedang berjalan:")
    current_text = page.inner_text("#paten-diagram-steps .current-list")
    assert "Susun" in current_text, current_text
    # The diagram box stays inside the phone's width.
    assert_fits(page)
    page.locator(".paten-diagram").scroll_into_view_if_needed()
    shot(page, "tracking-diagram-phone")
