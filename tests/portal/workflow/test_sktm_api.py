"""An sktm request from registration to hand-over through the REST API alone."""

from __future__ import annotations

from typing import Any

from tests.conftest import PASSWORD, SKTM_APPLICANT


def _token(client: Any, username: str) -> str:
    response = client.post("/api/v1/auth/token/", {"username": username, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return str(response.json()["token"])


def _only_task(api: Any, username: str, tracking_number: str) -> dict[str, Any]:
    response = api(username).get("/api/v1/tasks/", {"tracking_number": tracking_number})
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 1, results
    return dict(results[0])


def test_sktm_runs_to_completion_each_step_by_its_role(api: Any, deployed: Any) -> None:
    from rest_framework.test import APIClient

    anonymous = APIClient()
    token = _token(anonymous, "loket1")
    loket = APIClient()
    loket.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = loket.post(
        "/api/v1/requests/",
        {"service": "sktm", "applicant": SKTM_APPLICANT, "data": {"keperluan": "Beasiswa sekolah anak"}},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    tn = body["tracking_number"]
    assert body["status"] == "running"
    assert body["applicant"]["phone"] == "081234567890"  # normalised
    assert [s["bpmn_id"] for s in body["current_steps"]] == ["Task_PeriksaKelengkapan"]

    steps = [
        ("loket1", "Task_PeriksaKelengkapan", {"hasil_pemeriksaan": "lengkap", "catatan": ""}),
        ("kasi1", "Task_VerifikasiData", {"terdaftar_dtks": True, "hasil_verifikasi": "memenuhi"}),
        ("kasi1", "Task_SusunDraf", {"isi_keterangan": "Benar keluarga tidak mampu."}),
        ("sekcam1", "Task_ParafSekcam", {"hasil_paraf": "setuju"}),
        ("camat1", "Task_TandatanganCamat", {"keputusan": "setuju"}),
        (
            "loket1",
            "Task_PenyerahanSurat",
            {"tanggal_penyerahan": "2026-11-27", "diterima_oleh": "Siti"},
        ),
    ]
    role_of = {"loket1": "loket", "kasi1": "kasi", "sekcam1": "sekcam", "camat1": "camat", "warga1": "pemohon"}
    for username, bpmn_id, data in steps:
        task = _only_task(api, username, tn)
        assert task["bpmn_id"] == bpmn_id
        assert task["service"] == "sktm"
        assert {f["id"] for f in task["form"]} >= set(data)
        for other, role in role_of.items():
            if role != task["role"]:
                listed = api(other).get("/api/v1/tasks/", {"tracking_number": tn}).json()["results"]
                assert listed == [], f"{other} sees a {task['role']} step"
        claimed = api(username).post(f"/api/v1/tasks/{task['id']}/claim/")
        assert claimed.status_code == 200 and claimed.json()["assignee"] == username
        done = api(username).post(f"/api/v1/tasks/{task['id']}/complete/", {"data": data}, format="json")
        assert done.status_code == 200, done.content

    final = api("loket1").get(f"/api/v1/requests/{tn}/").json()
    assert final["status"] == "completed"
    assert final["outcome"]
    assert final["current_steps"] == []
    completed_steps = [h["step"] for h in final["history"] if h["type"] == "human_task_completed"]
    assert len(completed_steps) == len(steps)
    assert [h["by"] for h in final["history"] if h["type"] == "human_task_completed"] == [s[0] for s in steps]

    events = api("auditor1").get(f"/api/v1/instances/{final['id']}/events/")
    assert events.status_code == 200
    types = [e["type"] for e in events.json()]
    assert types[0] == "instance_started" and types[-1] == "instance_completed"
    assert types.count("human_task_completed") == len(steps)
    completed = [e for e in events.json() if e["type"] == "human_task_completed"]
    assert completed[0]["actor"] == "loket1" and completed[0]["payload"]["data"]["hasil_pemeriksaan"] == "lengkap"
    assert completed[0]["payload"]["task_guid"] and completed[0]["payload"]["bpmn_id"] == "Task_PeriksaKelengkapan"
    chain = events.json()
    assert all(chain[i]["prev_hash"] == chain[i - 1]["hash"] for i in range(1, len(chain)))


def test_token_login_refuses_wrong_password_and_slows_down_guessing(users: Any) -> None:
    from django.core.cache import cache
    from rest_framework.test import APIClient

    cache.clear()
    client = APIClient()
    wrong = client.post("/api/v1/auth/token/", {"username": "camat1", "password": "salah"}, format="json")
    assert wrong.status_code == 400 and "token" not in wrong.json()
    codes = [
        client.post("/api/v1/auth/token/", {"username": "camat1", "password": f"tebak{i}"}, format="json").status_code
        for i in range(25)
    ]
    assert 429 in codes, codes
    cache.clear()


def test_signed_sktm_has_a_letter_whose_copy_verifies_and_a_tampered_one_does_not(api: Any, deployed: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    created = api("loket1").post(
        "/api/v1/requests/", {"service": "sktm", "applicant": SKTM_APPLICANT, "data": {"keperluan": "Beasiswa"}},
        format="json",
    )  # fmt: skip
    tn = created.json()["tracking_number"]
    for username, data in [
        ("loket1", {"hasil_pemeriksaan": "lengkap"}),
        ("kasi1", {"terdaftar_dtks": True, "hasil_verifikasi": "memenuhi"}),
        ("kasi1", {"isi_keterangan": "Benar keluarga tidak mampu di desa kami."}),
        ("sekcam1", {"hasil_paraf": "setuju"}),
        ("camat1", {"keputusan": "setuju"}),
    ]:
        task = _only_task(api, username, tn)
        assert (
            api(username).post(f"/api/v1/tasks/{task['id']}/complete/", {"data": data}, format="json").status_code
            == 200
        )

    detail = api("loket1").get(f"/api/v1/requests/{tn}/").json()
    (letter,) = detail["letters"]
    assert letter["number"].startswith("474/0001/KEC-BBL/") and letter["signer_name"]
    assert any(h["type"] == "letter_issued" for h in detail["history"])
    pdf = api("loket1").get(letter["pdf_url"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    content = pdf.getvalue() if pdf.streaming else pdf.content
    token = letter["verification_url"].rstrip("/").rsplit("/", 1)[-1]

    public = _anonymous_client()
    page = public.get(f"/verifikasi/{token}/")
    assert page.status_code == 200 and letter["number"] in page.content.decode()
    assert SKTM_APPLICANT["name"] not in page.content.decode()
    same = public.post(f"/api/v1/letters/verify/{token}/", {"file": SimpleUploadedFile("s.pdf", content)})
    assert same.status_code == 200 and same.json()["valid"] is True
    tampered = content.replace(b"Siti Aminah", b"Siti Aminat") if b"Siti Aminah" in content else content + b"\n"
    changed = public.post(f"/api/v1/letters/verify/{token}/", {"file": SimpleUploadedFile("s.pdf", tampered)})
    assert changed.json()["valid"] is False
    assert public.get("/verifikasi/", {"nomor": "474/9999/KEC-BBL/I/2026"}).status_code == 404


def _anonymous_client() -> Any:
    from rest_framework.test import APIClient

    return APIClient()
