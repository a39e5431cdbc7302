"""Signing delegation: the camat names a deputy; the deputy acts on the camat's steps while it lasts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import officer_of
from tests.portal.delegation.flow import sktm_at_signing


def _delegate(api: Any, **body: Any) -> Any:
    today = timezone.localdate().isoformat()
    payload = {"deputy": "sekcam1", "kind": "an", "starts_on": today, "ends_on": today, **body}
    return api("camat1").post("/api/v1/delegations/", payload, format="json")


def _task_ids(api: Any, username: str) -> list[int]:
    return [t["id"] for t in api(username).get("/api/v1/tasks/").json()["results"]]


def test_sekcam_signs_on_behalf_of_the_camat_while_delegated_and_not_after(api: Any, deployed: Any, users: Any) -> None:
    from portal.letters.models import Letter
    from portal.workflow.models import InstanceEvent

    step = sktm_at_signing(users)
    assert step.pk not in _task_ids(api, "sekcam1")
    refused = api("sekcam1").post(f"/api/v1/tasks/{step.pk}/claim/")
    assert refused.status_code == 403

    created = _delegate(api, services=["sktm"], reason="Camat dinas luar")
    assert created.status_code == 201, created.content
    assert created.json()["state"] == "active" and created.json()["services"] == ["sktm"]
    assert step.pk in _task_ids(api, "sekcam1")
    assert api("sekcam1").post(f"/api/v1/tasks/{step.pk}/claim/").status_code == 200
    done = api("sekcam1").post(f"/api/v1/tasks/{step.pk}/complete/", {"data": {"keputusan": "setuju"}}, format="json")
    assert done.status_code == 200, done.content

    letter = Letter.objects.get(human_task_id=step.pk)
    assert letter.signer_capacity == "atas_nama"
    assert letter.signature_lines == ["a.n. Camat Babulu", "Sekretaris Kecamatan"]
    event = InstanceEvent.objects.get(instance_id=step.instance_id, type="human_task_completed",
                                      payload__human_task_id=step.pk)  # fmt: skip
    assert event.actor_username == "sekcam1"
    assert event.payload["on_behalf_of"]["username"] == "camat1" and event.payload["on_behalf_of"]["kind"] == "an"

    # The deputy reads the delegations naming them; ending it takes effect at once.
    listed = api("sekcam1").get("/api/v1/delegations/").json()
    assert [d["id"] for d in listed] == [created.json()["id"]]
    assert api("sekcam1").post(f"/api/v1/delegations/{created.json()['id']}/end/").status_code == 403
    ended = api("camat1").post(f"/api/v1/delegations/{created.json()['id']}/end/")
    assert ended.status_code == 200 and ended.json()["state"] == "ended"
    second = sktm_at_signing(users, name="Budi Santoso")
    assert second.pk not in _task_ids(api, "sekcam1")
    assert api("sekcam1").post(f"/api/v1/tasks/{second.pk}/claim/").status_code == 403
    complete = api("sekcam1").post(
        f"/api/v1/tasks/{second.pk}/complete/", {"data": {"keputusan": "setuju"}}, format="json"
    )
    assert complete.status_code == 403
    assert api("camat1").post(f"/api/v1/delegations/{created.json()['id']}/end/").status_code == 409

    from portal.delegation.models import DelegationRecord

    assert list(DelegationRecord.objects.order_by("id").values_list("action", "actor_username")) == [
        ("delegation_created", "camat1"), ("delegation_ended", "camat1"),
    ]  # fmt: skip


def test_plh_delegation_prints_plh_wording(api: Any, deployed: Any, users: Any) -> None:
    from portal.letters.models import Letter

    step = sktm_at_signing(users)
    assert _delegate(api, kind="plh").status_code == 201  # no services: every service
    done = api("sekcam1").post(f"/api/v1/tasks/{step.pk}/complete/", {"data": {"keputusan": "setuju"}}, format="json")
    assert done.status_code == 200, done.content
    letter = Letter.objects.get(human_task_id=step.pk)
    assert letter.signer_capacity == "plh" and letter.signature_lines == ["Plh. Camat Babulu"]


def test_delegation_for_one_service_does_not_cover_another(api: Any, deployed: Any, users: Any) -> None:
    step = sktm_at_signing(users)
    assert _delegate(api, services=["sku"]).status_code == 201
    assert step.pk not in _task_ids(api, "sekcam1")
    assert api("sekcam1").post(f"/api/v1/tasks/{step.pk}/claim/").status_code == 403


def test_overlap_with_another_deputy_is_refused_clearly(api: Any, deployed: Any, users: Any) -> None:
    assert _delegate(api, services=["sktm"]).status_code == 201
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    overlap = _delegate(api, deputy="kasi1", services=["sktm", "sku"], ends_on=tomorrow)
    assert overlap.status_code == 400
    assert "tumpang tindih" in overlap.json()["services"][0]
    assert _delegate(api, deputy="kasi1", services=["sku"]).status_code == 201  # other services: fine


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"deputy": "loket1"}, "deputy"),
        ({"deputy": "camat1"}, "deputy"),
        ({"deputy": "nobody"}, "deputy"),
        ({"starts_on": "2020-01-01", "ends_on": "2020-01-02"}, "starts_on"),
        ({"ends_on": "2000-01-01"}, "ends_on"),
        ({"kind": "boss"}, "kind"),
        ({"services": ["tidak-ada"]}, "services"),
        ({"services": "sktm"}, "services"),
        ({"starts_on": "besok"}, "starts_on"),
    ],
)
def test_bad_input_is_a_400_with_the_field(api: Any, deployed: Any, body: dict[str, Any], field: str) -> None:
    response = _delegate(api, **body)
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_only_camat_or_admin_creates(api: Any, deployed: Any, users: Any) -> None:
    today = timezone.localdate().isoformat()
    body = {"deputy": "kasi1", "kind": "an", "starts_on": today, "ends_on": today}
    assert api("sekcam1").post("/api/v1/delegations/", body, format="json").status_code == 403
    assert api("kasi1").post("/api/v1/delegations/", body, format="json").status_code == 403
    assert api("admin").post("/api/v1/delegations/", body, format="json").status_code == 400  # names no camat
    made = api("admin").post("/api/v1/delegations/", {**body, "principal": "camat1"}, format="json")
    assert made.status_code == 201 and made.json()["principal"] == "camat1"
    assert api("loket1").get("/api/v1/delegations/").json() == []
    assert api("camat1").post("/api/v1/delegations/x1/end/").status_code == 404


def test_page_lists_creates_and_ends(deployed: Any, users: Any, client: Any) -> None:
    from portal.delegation.models import Delegation

    client.force_login(users["camat1"])
    page = client.get("/pelimpahan/")
    assert page.status_code == 200 and "Akhiri sekarang" not in page.content.decode()
    today = timezone.localdate().isoformat()
    bad = client.post("/pelimpahan/", {"deputy": users["sekcam1"].username, "kind": "an", "starts_on": today,
                                       "ends_on": "2000-01-01"})  # fmt: skip
    assert bad.status_code == 400 and "sebelum tanggal mulai" in bad.content.decode()
    made = client.post("/pelimpahan/", {"deputy": "sekcam1", "kind": "plh", "starts_on": today, "ends_on": today,
                                        "services": ["sktm"], "reason": "Cuti"})  # fmt: skip
    assert made.status_code == 302
    delegation = Delegation.objects.get()
    listing = client.get("/pelimpahan/").content.decode()
    assert "Akhiri sekarang" in listing and "Surat Keterangan Tidak Mampu" in listing
    assert client.post(f"/pelimpahan/{delegation.pk}/akhiri/").status_code == 302
    delegation.refresh_from_db()
    assert delegation.ended_at is not None
    client.force_login(users["sekcam1"])
    assert client.get("/pelimpahan/").status_code == 403


def test_separation_of_duties_refuses_the_verifier(api: Any, deployed: Any, users: Any) -> None:
    from rest_framework.test import APIClient

    from portal.accounts.services import api_token_issue

    both = officer_of("kasicamat", "kasi", "camat")
    step = sktm_at_signing(users, verifier=both)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=both).key}")
    claim = client.post(f"/api/v1/tasks/{step.pk}/claim/")
    assert claim.status_code == 403 and "pemisahan tugas" in claim.json()["detail"]
    done = client.post(f"/api/v1/tasks/{step.pk}/complete/", {"data": {"keputusan": "setuju"}}, format="json")
    assert done.status_code == 403
    assert api("camat1").post(f"/api/v1/tasks/{step.pk}/complete/", {"data": {"keputusan": "setuju"}},
                              format="json").status_code == 200  # fmt: skip


def test_separation_of_duties_can_be_switched_off_per_service(api: Any, deployed: Any, users: Any) -> None:

    from portal.catalogue.models import ServiceStandard
    from portal.workflow.services.human_tasks import human_task_complete

    standard = ServiceStandard.objects.get(service__code="sktm", is_current=True)
    standard.content = {**standard.content, "separation_of_duties": False}
    standard.save()
    both = officer_of("kasicamat2", "kasi", "camat")
    step = sktm_at_signing(users, verifier=both)
    done = human_task_complete(human_task_id=step.pk, actor=both, data={"keputusan": "setuju"})
    assert done.status == "completed"


def test_the_admin_lists_delegations_read_only(client: Any, users: Any) -> None:
    client.force_login(users["admin"])
    assert client.get("/admin/delegation/delegation/").status_code == 200
    assert client.get("/admin/delegation/delegationrecord/").status_code == 200
    assert client.get("/admin/delegation/delegation/add/").status_code == 403


def test_delegations_in_force_are_read_once_per_moment_and_again_after_a_change(
    api: Any, deployed: Any, users: Any, django_assert_num_queries: Any
) -> None:
    """A page asks twice (menu and lists) for one read; a delegation saved or a clock moved on is seen."""
    import time_machine

    from portal.delegation.models import Delegation
    from portal.delegation.selectors import delegations_in_force

    deputy = users["sekcam1"]
    with django_assert_num_queries(1):
        assert delegations_in_force(deputy) == [] and delegations_in_force(deputy) == []
    assert _delegate(api, services=["sktm"]).status_code == 201  # saved through the API, another user object
    with django_assert_num_queries(1):
        assert [d.services for d in delegations_in_force(deputy)] == [["sktm"]]
        assert len(delegations_in_force(deputy)) == 1
    Delegation.objects.update(ended_at=timezone.now())  # no signal: only the moment passing drops it
    assert len(delegations_in_force(deputy)) == 1
    with time_machine.travel(timezone.now() + timedelta(seconds=3), tick=False):
        assert delegations_in_force(deputy) == []
    just_before = Delegation.objects.get().ended_at - timedelta(microseconds=1)
    with django_assert_num_queries(1):  # a moment given is always read
        assert len(delegations_in_force(deputy, at=just_before)) == 1
