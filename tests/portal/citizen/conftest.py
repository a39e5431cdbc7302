"""Fixtures of the applicant's pages: media under tmp_path, the processes deployed, a second citizen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.conftest import SKTM_APPLICANT, files_under

SKTM_FORM = {
    "layanan": "sktm",
    "pemohon-nik": SKTM_APPLICANT["nik"],
    "pemohon-name": SKTM_APPLICANT["name"],
    "pemohon-desa": SKTM_APPLICANT["desa"],
    "pemohon-phone": SKTM_APPLICANT["phone"],
    "data-keperluan": "Beasiswa sekolah anak",
    "data-jumlah_tanggungan": "3",
}


@pytest.fixture(autouse=True)
def storage(settings: Any, tmp_path: Path) -> None:
    files_under(settings, tmp_path)


@pytest.fixture
def ready(users: dict[str, Any], deployed: Any) -> dict[str, Any]:
    return users


@pytest.fixture
def warga2(users: dict[str, Any]) -> Any:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user("warga2", password="uji-warga-2")
    user.groups.add(Group.objects.get(name="pemohon"))
    users["warga2"] = user
    return user


def submit(client: Client, **changes: Any) -> Any:
    body = {**SKTM_FORM, **changes}
    return client.post("/ajukan/", {k: v for k, v in body.items() if v is not None})


def complete(api: Any, username: str, tracking_number: str, bpmn_id: str, data: dict[str, Any]) -> None:
    tasks = api(username).get("/api/v1/tasks/", {"tracking_number": tracking_number}).json()["results"]
    (task,) = [t for t in tasks if t["bpmn_id"] == bpmn_id]
    response = api(username).post(f"/api/v1/tasks/{task['id']}/complete/", {"data": data}, format="json")
    assert response.status_code == 200, response.content


SKTM_TO_LETTER = [
    ("loket1", "Task_PeriksaKelengkapan", {"hasil_pemeriksaan": "lengkap"}),
    ("kasi1", "Task_VerifikasiData", {"terdaftar_dtks": True, "hasil_verifikasi": "memenuhi"}),
    ("kasi1", "Task_SusunDraf", {"isi_keterangan": "Benar keluarga tidak mampu di desa kami."}),
    ("sekcam1", "Task_ParafSekcam", {"hasil_paraf": "setuju"}),
    ("camat1", "Task_TandatanganCamat", {"keputusan": "setuju"}),
]


HANDOVER = {"tanggal_penyerahan": "2026-03-02", "diterima_oleh": "Siti Aminah"}


def run_to_completion(api: Any, tracking_number: str) -> None:
    """Through the officers' steps to the letter and its handing over: the request is completed."""
    for username, bpmn_id, data in SKTM_TO_LETTER:
        complete(api, username, tracking_number, bpmn_id, data)
    complete(api, "loket1", tracking_number, "Task_PenyerahanSurat", HANDOVER)
