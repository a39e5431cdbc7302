"""Fixtures of the letters tests: letters stored under tmp_path, the fixture templates, real instances."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import ROOT, SKTM_APPLICANT, files_under

FIXTURES = ROOT / "tests" / "fixtures" / "letters"
WITA = ZoneInfo("Asia/Makassar")
PUBLIC_URL = "https://paten.babulu.example"
SKU_APPLICANT = {"nik": "6409031701700005", "name": "Suparman", "desa": "Sri Raharja", "phone": "081255604318"}
START_DATA = {
    "sktm": (SKTM_APPLICANT, {"keperluan": "Beasiswa sekolah anak", "jumlah_tanggungan": 4}),
    "sku": (
        SKU_APPLICANT,
        {"nama_usaha": "Toko Kelontong Berkah", "jenis_usaha": "Perdagangan eceran sembako",
         "alamat_usaha": "Jl. Poros Sri Raharja RT 05", "lama_usaha_tahun": 8, "keperluan": "Pengajuan KUR BRI"},
    ),
}  # fmt: skip


def wita(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=WITA)  # type: ignore[misc]


@pytest.fixture(autouse=True)
def letters_dir(settings: Any, tmp_path: Path) -> Path:
    files_under(settings, tmp_path)
    settings.PATEN_PUBLIC_URL = PUBLIC_URL
    return Path(settings.PATEN_LETTERS_DIR)


@pytest.fixture
def templates(deployed: Any) -> int:
    """Only the fixture templates: `deployed` loads processes/*.letter.yaml, which are replaced here."""
    from portal.letters.models import LetterTemplate
    from portal.letters.services import letter_templates_sync

    LetterTemplate.objects.all().delete()
    return letter_templates_sync(directory=FIXTURES)


def workflow_data(instance: Any) -> dict[str, Any]:
    """The data a signing step sees: the start data plus the applicant block."""
    return {
        **instance.request_data,
        "applicant": {"nik": instance.applicant_nik, "name": instance.applicant_name,
                      "desa": instance.applicant_village.name, "phone": instance.applicant_phone},
    }  # fmt: skip


@pytest.fixture
def register(users: dict[str, Any], deployed: Any) -> Callable[..., Any]:
    """register("sktm") -> a new instance registered at the counter (or by `actor`)."""
    from portal.workflow.services.registration import request_register

    def make(service: str = "sktm", *, actor: str = "loket1") -> Any:
        applicant, data = START_DATA[service]
        return request_register(service_code=service, applicant=dict(applicant), data=dict(data), actor=users[actor])

    return make


@pytest.fixture
def issue(users: dict[str, Any]) -> Callable[..., Any]:
    """issue(instance, now) -> a letter signed by camat1 for the instance's first step."""
    from django.db import transaction

    from portal.letters.services import letter_issue, letter_render

    def make(instance: Any, now: dt.datetime, *, signer: str = "camat1", capacity: str = "camat") -> Any:
        with transaction.atomic():
            numbered = letter_issue(
                instance=instance,
                human_task=instance.human_tasks.order_by("id").first(),
                signer=users[signer],
                capacity=capacity,
                data=workflow_data(instance),
                now=now,
            )
        return letter_render(letter_id=numbered.pk)

    return make
