"""The camat's approvals inbox: draft previews, approve one or many, send back with a reason."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from tests.portal.delegation.flow import sktm_at_signing


def test_inbox_lists_camat_steps_with_a_draft_letter(api: Any, deployed: Any, users: Any, client: Any) -> None:
    from portal.letters.models import Letter

    step = sktm_at_signing(users, name="Rahmawati Dewi")
    listed = api("camat1").get("/api/v1/approvals/")
    assert listed.status_code == 200
    (item,) = listed.json()["results"]
    assert item["human_task_id"] == step.pk and item["service"] == "sktm" and item["bulk_approvable"] is True
    assert item["applicant_name"] == "Rahmawati Dewi" and item["desa"] == "Babulu Darat"
    assert "DRAF" in item["draft"]["title"] and "DRAF" in item["draft"]["number"]
    assert any("Rahmawati Dewi" in line for line in item["draft"]["text"])
    assert item["draft"]["signature_lines"] == ["Camat Babulu"] and item["on_behalf_of"] is None
    assert api("sekcam1").get("/api/v1/approvals/").json()["results"] == []
    assert not Letter.objects.exists()  # a preview issues nothing

    client.force_login(users["camat1"])
    page = client.get("/persetujuan/")
    body = page.content.decode()
    assert page.status_code == 200 and "DRAF" in body and "Rahmawati Dewi" in body and "Setujui yang dipilih" in body
    pdf = client.get(f"/persetujuan/{step.pk}/draf.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get("/").url == "/persetujuan/"  # the camat lands on the inbox
    client.force_login(users["kasi1"])
    assert client.get("/persetujuan/").status_code == 403


def test_bulk_approve_completes_each_and_issues_numbered_letters(api: Any, deployed: Any, users: Any) -> None:
    from portal.letters.models import Letter
    from portal.workflow.models import HumanTask

    steps = [sktm_at_signing(users, name=f"Pemohon {n}") for n in ("Satu", "Dua", "Tiga")]
    loket_step = HumanTask.objects.filter(role="loket", status="ready").first()
    ids = [s.pk for s in steps]
    response = api("camat1").post(
        "/api/v1/approvals/", {"human_task_ids": [*ids, 999999, loket_step.pk if loket_step else 1],
                               "decision": "approve"}, format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    results = {r["human_task_id"]: r for r in response.json()}
    assert all(results[i]["ok"] for i in ids)
    assert results[999999]["ok"] is False and results[999999]["detail"]
    numbers = sorted(results[i]["letter_number"] for i in ids)
    assert [n.split("/")[1] for n in numbers] == ["0001", "0002", "0003"]
    assert Letter.objects.count() == 3
    assert set(HumanTask.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"completed"}
    again = api("camat1").post("/api/v1/approvals/", {"human_task_ids": ids[:1], "decision": "approve"}, format="json")
    assert again.json()[0]["ok"] is False


def test_return_needs_a_reason_and_sends_the_request_back(api: Any, deployed: Any, users: Any, client: Any) -> None:
    from portal.workflow.models import HumanTask

    step = sktm_at_signing(users)
    missing = api("camat1").post("/api/v1/approvals/", {"human_task_ids": [step.pk], "decision": "return"},
                                 format="json")  # fmt: skip
    assert missing.status_code == 400 and "reason" in missing.json()
    client.force_login(users["camat1"])
    client.post("/persetujuan/", {"human_task_ids": [str(step.pk)], "decision": "return", "reason": "  "})
    assert HumanTask.objects.get(pk=step.pk).status == "ready"
    done = client.post("/persetujuan/", {"human_task_ids": [str(step.pk)], "decision": "return",
                                         "reason": "Perbaiki keperluan surat"})  # fmt: skip
    assert done.status_code == 302
    step.refresh_from_db()
    assert step.status == "completed"
    assert step.completed_data["keputusan"] == "kembalikan"
    assert step.completed_data["catatan_camat"] == "Perbaiki keperluan surat"
    assert HumanTask.objects.filter(instance_id=step.instance_id, bpmn_id="Task_SusunDraf", status="ready").exists()


def test_deputy_sees_delegated_steps_and_decisions_say_on_whose_behalf(api: Any, deployed: Any, users: Any) -> None:
    from portal.workflow.models import InstanceEvent

    step = sktm_at_signing(users)
    today = timezone.localdate().isoformat()
    made = api("camat1").post("/api/v1/delegations/", {"deputy": "sekcam1", "kind": "plh", "starts_on": today,
                                                        "ends_on": today}, format="json")  # fmt: skip
    assert made.status_code == 201
    (item,) = api("sekcam1").get("/api/v1/approvals/").json()["results"]
    assert item["on_behalf_of"] == "camat1" and item["draft"]["signature_lines"] == ["Plh. Camat Babulu"]
    result = api("sekcam1").post("/api/v1/approvals/", {"human_task_ids": [step.pk], "decision": "approve"},
                                 format="json").json()  # fmt: skip
    assert result[0]["ok"] is True, result
    event = InstanceEvent.objects.get(type="human_task_completed", payload__human_task_id=step.pk)
    assert event.payload["on_behalf_of"]["username"] == "camat1" and event.payload["on_behalf_of"]["kind"] == "plh"


def test_bad_inputs_are_400_never_500(api: Any, deployed: Any, users: Any) -> None:
    client = api("camat1")
    for body in (
        {"human_task_ids": "1,2", "decision": "approve"},
        {"human_task_ids": [], "decision": "approve"},
        {"human_task_ids": ["x"], "decision": "approve"},
        {"human_task_ids": [1], "decision": "maybe"},
        {"human_task_ids": [1], "decision": "return", "reason": ""},
        [1, 2],
    ):
        response = client.post("/api/v1/approvals/", body, format="json")
        assert response.status_code == 400, (body, response.content)
    step = sktm_at_signing(users)
    other = api("kasi1").post("/api/v1/approvals/", {"human_task_ids": [step.pk], "decision": "approve"},
                              format="json")  # fmt: skip
    assert other.status_code == 200 and other.json()[0]["ok"] is False
    assert api(None).get("/api/v1/approvals/").status_code in (401, 403)
