"""The auditor in a real browser: finds an sktm request by NIK, steps through its history on the
diagram, downloads the PDF and the JSON export, and the offline check of the export passes."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.core.management import call_command

from tests.conftest import ROOT, SKTM_APPLICANT
from tests.e2e.conftest import login, visit
from tests.portal.delegation.flow import sktm_at_signing


def test_an_auditor_finds_a_request_by_nik_steps_through_it_and_checks_the_export_offline(
    page_desktop: Any, users: dict[str, Any], deployed: Any, settings: Any, tmp_path: Path
) -> None:
    from portal.audit.checkpoints import verifier
    from portal.audit.models import RecordView

    settings.PATEN_AUDIT_KEY_FILE = tmp_path / "checkpoint.key"
    call_command("audit_keygen", stdout=io.StringIO())
    tn = sktm_at_signing(users).instance.tracking_number
    sktm_at_signing(users, name="Budi Santoso")
    call_command("audit_checkpoint", stdout=io.StringIO())
    page = page_desktop

    # auditor1 searches by the applicant's NIK and opens the request
    login(page, "auditor1")
    visit(page, "/audit/")
    page.fill("#q", SKTM_APPLICANT["nik"])
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert SKTM_APPLICANT["nik"] not in page.inner_text("main")  # masked in the list
    with page.expect_navigation():
        page.click(f"a:text('{tn}')")
    assert page.locator("[data-chain] .badge.ok").count() == 1

    # the diagram shows where the request stood after each event
    page.wait_for_selector("[data-audit-stepper].is-ready")
    events = page.locator(".audit-history tbody tr").count()
    assert page.locator(".djs-element.paten-current[data-element-id='Task_TandatanganCamat']").count() == 1
    page.eval_on_selector("#stepper-position", "e => { e.value = 0; e.dispatchEvent(new Event('input')); }")
    assert page.get_attribute("[data-audit-stepper]", "data-position") == "1"
    assert page.locator(".djs-element.paten-current").count() == 0  # only registered: nothing open yet
    for _ in range(3):
        page.click(".stepper-controls [data-step='1']")
    assert page.get_attribute("[data-audit-stepper]", "data-position") == "4"
    assert page.locator(".djs-element.paten-done").count() >= 1
    assert "#4" in page.inner_text("#stepper-now")
    assert page.locator("#peristiwa-4.is-chosen").count() == 1
    page.click(".stepper-controls [data-step='-1']")
    assert page.get_attribute("[data-audit-stepper]", "data-position") == "3"
    assert events > 4

    # the PDF for the complaint file and the JSON with its proofs
    with page.expect_download() as pdf_download:
        page.click("a:text('Riwayat (PDF)')")
    pdf = Path(pdf_download.value.path()).read_bytes()
    assert pdf[:5] == b"%PDF-"
    with page.expect_download() as json_download:
        page.click("a:text('Riwayat dengan bukti inklusi (JSON)')")
    exported = tmp_path / "ekspor.json"
    exported.write_bytes(Path(json_download.value.path()).read_bytes())
    assert json.loads(exported.read_text("utf-8"))["tracking_number"] == tn

    # the documented offline check, with the key the auditor keeps herself
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PATEN_", "DJANGO_"))}
    done = subprocess.run([sys.executable, "-m", "portal.audit.offline", str(exported), "--key", verifier()],
                          cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith(": ok")
    seen = set(RecordView.objects.filter(instance__tracking_number=tn).values_list("what", flat=True))
    assert seen == {"history", "pdf", "export"}
