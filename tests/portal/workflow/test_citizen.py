"""A citizen registers for herself, fixes her returned file, and sees only her own requests."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from tests.conftest import SKTM_APPLICANT


def test_citizen_registers_and_completes_own_correction(api: Any, users: Any, deployed: Any) -> None:
    created = api("warga1").post(
        "/api/v1/requests/", {"service": "sktm", "applicant": SKTM_APPLICANT, "data": {"keperluan": "Sekolah"}},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    tn = created.json()["tracking_number"]
    counter = api("loket1").get("/api/v1/tasks/", {"tracking_number": tn}).json()["results"][0]
    api("loket1").post(
        f"/api/v1/tasks/{counter['id']}/complete/",
        {"data": {"hasil_pemeriksaan": "tidak_lengkap", "catatan": "KK belum ada"}},
        format="json",
    )

    mine = api("warga1").get("/api/v1/tasks/").json()["results"]
    assert [t["bpmn_id"] for t in mine] == ["Task_LengkapiBerkas"] and mine[0]["tracking_number"] == tn
    # The counter does not see a step that belongs to a citizen with an account.
    assert api("loket1").get("/api/v1/tasks/", {"tracking_number": tn}).json()["results"] == []

    other = get_user_model().objects.create_user("warga2", password="x-warga-2")
    other.groups.add(Group.objects.get(name="pemohon"))
    users["warga2"] = other
    assert api("warga2").get(f"/api/v1/requests/{tn}/").status_code == 404
    assert api("warga2").get("/api/v1/tasks/").json()["results"] == []
    refused = api("warga2").post(
        f"/api/v1/tasks/{mine[0]['id']}/complete/", {"data": {"keterangan_perbaikan": "sudah"}}, format="json"
    )
    assert refused.status_code == 403

    done = api("warga1").post(
        f"/api/v1/tasks/{mine[0]['id']}/complete/", {"data": {"keterangan_perbaikan": "KK sudah dilampirkan"}},
        format="json",
    )  # fmt: skip
    assert done.status_code == 200, done.content
    detail = api("warga1").get(f"/api/v1/requests/{tn}/").json()
    assert [s["bpmn_id"] for s in detail["current_steps"]] == ["Task_PeriksaKelengkapan"]
    assert all(h["by"] == "" for h in detail["history"]), "a citizen sees roles, not officers' names"
    officer_view = api("kasi1").get(f"/api/v1/requests/{tn}/").json()
    assert any(h["by"] == "loket1" for h in officer_view["history"])


def test_roles_that_may_not_register_are_refused(api: Any, users: Any, deployed: Any) -> None:
    from portal.workflow.models import ProcessInstance

    for username in ("kasi1", "camat1", "auditor1", "perancang1"):
        response = api(username).post(
            "/api/v1/requests/", {"service": "sktm", "applicant": SKTM_APPLICANT, "data": {"keperluan": "Sekolah"}},
            format="json",
        )  # fmt: skip
        assert response.status_code == 403, username
    assert ProcessInstance.objects.count() == 0


def test_a_valid_family_card_number_is_kept_with_the_request(api: Any, deployed: Any) -> None:
    applicant = {**SKTM_APPLICANT, "kk": "6409031203150007"}
    created = api("loket1").post(
        "/api/v1/requests/",
        {"service": "sktm", "applicant": applicant, "data": {"keperluan": "Sekolah"}},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["applicant"]["kk"] == "6409031203150007"
