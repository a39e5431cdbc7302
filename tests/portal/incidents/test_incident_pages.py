"""The administrator's incident list: see what failed, retry it once the diagram is fixed, or cancel it."""

from __future__ import annotations

from typing import Any

from django.test import Client

from tests.portal.workflow.incident_flow import FIXED, deploy


def _browser(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_admin_sees_each_incident_with_what_failed_and_where(failed: Any, users: Any) -> None:
    admin = _browser(users["admin"])
    page = admin.get("/insiden/")
    html = page.content.decode()
    assert page.status_code == 200
    assert failed.tracking_number in html and "Pengatur waktu" in html and "<code>Hitung</code>" in html
    assert "tarif_yang_tidak_ada" in html and "Coba lagi" in html and 'name="alasan"' in html
    assert f"/audit/{failed.tracking_number}/" in html  # the request's whole event log
    # The admin's home and the menu say how many wait.
    assert "1 permohonan terhenti karena gangguan proses" in admin.get("/admin/").content.decode()
    assert '<span class="badge overdue">1</span>' in html
    from portal.web.navigation import entries_for

    assert "incidents" in {e.url_name for e, _ in entries_for(users["admin"])}
    assert "incidents" not in {e.url_name for e, _ in entries_for(users["camat1"])}


def test_only_the_admin_may_open_retry_or_cancel(failed: Any, users: Any, api: Any) -> None:
    tn = failed.tracking_number
    for username in ("loket1", "kasi1", "sekcam1", "camat1", "auditor1", "perancang1", "warga1"):
        officer = _browser(users[username])
        assert officer.get("/insiden/").status_code == 403, username
        assert officer.post(f"/insiden/{tn}/coba-lagi/").status_code == 403, username
        assert officer.post(f"/insiden/{tn}/batalkan/", {"alasan": "x"}).status_code == 403, username
        assert api(username).get("/api/v1/incidents/").status_code == 403, username
        assert api(username).post(f"/api/v1/incidents/{tn}/retry/").status_code == 403, username
    assert Client().get("/insiden/").status_code == 302  # to the login page
    assert api(None).get("/api/v1/incidents/").status_code in (401, 403)
    failed.refresh_from_db()
    assert failed.status == "failed"


def test_a_retry_that_fails_again_says_so_and_keeps_the_command_to_repeat(failed: Any, users: Any) -> None:
    admin = _browser(users["admin"])
    again = admin.post(f"/insiden/{failed.tracking_number}/coba-lagi/", follow=True)
    assert any("masih gagal" in m and "tarif_yang_tidak_ada" in m for m in _messages(again))
    failed.refresh_from_db()
    assert failed.status == "failed"
    # The retry failed; what a later retry repeats is still the timer that failed first.
    assert failed.failure["command"] == "timers_fire" and failed.failure["attempts"] == 2
    assert "2 percobaan" in again.content.decode()

    deploy(FIXED, note="tarif tetap nol")
    done = admin.post(f"/insiden/{failed.tracking_number}/coba-lagi/", follow=True)
    assert any("berjalan lagi" in m for m in _messages(done))
    failed.refresh_from_db()
    assert failed.status == "completed" and failed.outcome_bpmn_id == "Selesai"
    from portal.workflow.models import InstanceEvent

    assert InstanceEvent.objects.filter(instance=failed, type="timer_fired").count() == 1
    assert "Tidak ada gangguan proses" in admin.get("/insiden/").content.decode()
    assert "terhenti karena gangguan proses" not in admin.get("/admin/").content.decode()


def test_cancelling_needs_a_reason_and_then_closes_the_request(failed: Any, users: Any) -> None:
    admin = _browser(users["admin"])
    url = f"/insiden/{failed.tracking_number}/batalkan/"
    refused = admin.post(url, {"alasan": "   "}, follow=True)
    assert any("Alasan" in m and "wajib" in m for m in _messages(refused))
    failed.refresh_from_db()
    assert failed.status == "failed"
    done = admin.post(url, {"alasan": "Tarif belum ditetapkan bupati"}, follow=True)
    assert any("dibatalkan" in m for m in _messages(done))
    failed.refresh_from_db()
    assert failed.status == "cancelled" and "Tarif belum ditetapkan" in failed.outcome_name
    # Handled: the same buttons now find nothing to act on.
    assert admin.post(url, {"alasan": "lagi"}).status_code == 404
    assert admin.post(f"/insiden/{failed.tracking_number}/coba-lagi/").status_code == 404


def test_unknown_or_running_requests_are_not_incidents(failed: Any, users: Any, deployed: Any) -> None:
    from tests.portal.delegation.flow import sktm_at_signing

    running = sktm_at_signing(users).instance.tracking_number
    admin = _browser(users["admin"])
    for tn in (running, "991231-TIDAKADA", "x" * 300):
        assert admin.post(f"/insiden/{tn}/coba-lagi/").status_code == 404, tn
        assert admin.post(f"/insiden/{tn}/batalkan/", {"alasan": "x"}).status_code == 404, tn
    assert admin.post("/insiden/%00/coba-lagi/").status_code == 400  # refused before any view
    assert admin.get("/insiden/coba-lagi/").status_code in (404, 405)
    assert admin.get(f"/insiden/{failed.tracking_number}/coba-lagi/").status_code == 405


def test_the_api_lists_retries_and_cancels(failed: Any, users: Any, api: Any) -> None:
    admin = api("admin")
    listed = admin.get("/api/v1/incidents/").json()
    assert listed["count"] == 1
    (item,) = listed["results"]
    assert item["tracking_number"] == failed.tracking_number and item["service"] == "uji-gangguan"
    assert item["command"] == "timers_fire" and item["element"] == "Hitung" and item["attempts"] == 1
    assert "tarif_yang_tidak_ada" in item["error"] and item["active_version"] is None and item["actor"] == ""
    tn = failed.tracking_number
    broken = admin.post(f"/api/v1/incidents/{tn}/retry/")
    assert broken.status_code == 400 and "detail" in broken.json()
    for body in ({}, {"reason": ""}, {"reason": "x" * 501}, {"reason": 5}, ["x"]):
        assert admin.post(f"/api/v1/incidents/{tn}/cancel/", body, format="json").status_code == 400, body
    fixed = deploy(FIXED, note="tarif tetap nol")
    assert admin.get("/api/v1/incidents/").json()["results"][0]["active_version"] == fixed.version
    retried = admin.post(f"/api/v1/incidents/{tn}/retry/")
    assert retried.status_code == 200 and retried.json() == {"tracking_number": tn, "status": "completed"}
    assert admin.post(f"/api/v1/incidents/{tn}/retry/").status_code == 404
    assert admin.get("/api/v1/incidents/").json()["count"] == 0


def test_the_api_cancels_with_a_reason(failed: Any, users: Any, api: Any) -> None:
    tn = failed.tracking_number
    done = api("admin").post(f"/api/v1/incidents/{tn}/cancel/", {"reason": "Layanan ditutup"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
