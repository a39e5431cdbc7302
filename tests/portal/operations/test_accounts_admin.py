"""An officer who has acted is deactivated, never deleted: the admin says why a deletion is refused
(never a 500), and deactivation ends logins and tokens and gives the officer's claimed steps back."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import PASSWORD
from tests.portal.delegation.flow import sktm_at_signing

USERS = "/admin/auth/user/"


@pytest.fixture
def staff(users: dict[str, Any]) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(users["admin"])
    return client


@pytest.fixture
def claimed(api: Any, deployed: Any, users: dict[str, Any]) -> Any:
    """A request whose verification step kasi1 has claimed (loket1 completed the step before it)."""
    step = sktm_at_signing(users, stop_before="Task_VerifikasiData")
    assert api("kasi1").post(f"/api/v1/tasks/{step.pk}/claim/").status_code == 200
    step.refresh_from_db()
    assert step.status == "claimed" and step.assignee_id == users["kasi1"].pk
    return step


def _change_form_data(staff: Client, user: Any) -> dict[str, Any]:
    """What the user's change form posts back unchanged."""
    form = staff.get(f"{USERS}{user.pk}/change/").context["adminform"].form
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if name in ("last_login", "date_joined"):
            day, time = (value.strftime("%Y-%m-%d"), value.strftime("%H:%M:%S")) if value else ("", "")
            data[f"{name}_0"], data[f"{name}_1"] = day, time
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif value is not None and not field.disabled:
            data[name] = value
    return data


def test_an_officer_who_acted_cannot_be_deleted_and_the_admin_says_why(
    staff: Client, claimed: Any, users: dict[str, Any], append_only_audit_log: Any
) -> None:
    from django.contrib.auth import get_user_model

    loket = users["loket1"]
    page = staff.get(f"{USERS}{loket.pk}/delete/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "tidak dapat dihapus" in html and "Nonaktifkan akun terpilih" in html
    posted = staff.post(f"{USERS}{loket.pk}/delete/", {"post": "yes"})
    assert posted.status_code == 200
    bulk = {"action": "delete_selected", "_selected_action": [loket.pk, users["kasi1"].pk], "post": "yes"}
    refused = staff.post(USERS, bulk)
    assert refused.status_code == 200 and "tidak dapat dihapus" in refused.content.decode()
    assert get_user_model().objects.filter(username__in=["loket1", "kasi1"]).count() == 2


def test_an_account_nothing_names_can_still_be_deleted(staff: Client, users: dict[str, Any]) -> None:
    from django.contrib.auth import get_user_model

    mistake = get_user_model().objects.create_user("salah_ketik", password="x")
    assert staff.post(f"{USERS}{mistake.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not get_user_model().objects.filter(username="salah_ketik").exists()


def test_deactivating_ends_logins_and_tokens_and_releases_claimed_steps(
    staff: Client, claimed: Any, users: dict[str, Any], api: Any
) -> None:
    from portal.workflow.models import InstanceEvent

    kasi = users["kasi1"]
    browser = Client()
    assert browser.post("/masuk/", {"username": "kasi1", "password": PASSWORD}).status_code == 302
    assert api("kasi1").get("/api/v1/tasks/").status_code == 200

    done = staff.post(USERS, {"action": "deactivate", "_selected_action": [kasi.pk]}, follow=True)
    assert done.status_code == 200
    assert "1 akun dinonaktifkan" in done.content.decode() and "1 langkah dikembalikan" in done.content.decode()

    kasi.refresh_from_db()
    assert kasi.is_active is False
    assert api("kasi1").get("/api/v1/tasks/").status_code == 401
    assert browser.get("/kerja/").status_code == 302  # the open session is over
    again = Client().post("/masuk/", {"username": "kasi1", "password": PASSWORD})
    assert again.status_code == 200 and "_auth_user_id" not in again.client.session
    token = Client().post("/api/v1/auth/token/", {"username": "kasi1", "password": PASSWORD})
    assert token.status_code == 400

    claimed.refresh_from_db()
    assert claimed.status == "ready" and claimed.assignee_id is None
    released = InstanceEvent.objects.filter(instance_id=claimed.instance_id, type="human_task_released").get()
    assert released.actor_id == users["admin"].pk and released.payload["holder"] == "kasi1"


def test_clearing_active_on_the_form_does_the_same(
    staff: Client, claimed: Any, users: dict[str, Any], api: Any
) -> None:
    kasi = users["kasi1"]
    assert api("kasi1").get("/api/v1/tasks/").status_code == 200
    data = _change_form_data(staff, kasi)
    data.pop("is_active", None)
    saved = staff.post(f"{USERS}{kasi.pk}/change/", data)
    assert saved.status_code == 302, saved.context["adminform"].form.errors if saved.context else saved.content
    kasi.refresh_from_db()
    claimed.refresh_from_db()
    assert kasi.is_active is False and claimed.status == "ready"
    assert api("kasi1").get("/api/v1/tasks/").status_code == 401


def test_an_administrator_cannot_deactivate_themselves(staff: Client, users: dict[str, Any]) -> None:
    admin = users["admin"]
    done = staff.post(USERS, {"action": "deactivate", "_selected_action": [admin.pk]}, follow=True)
    assert done.status_code == 200 and "akun Anda sendiri" in done.content.decode()
    admin.refresh_from_db()
    assert admin.is_active is True
    data = _change_form_data(staff, admin)
    data.pop("is_active", None)
    refused = staff.post(f"{USERS}{admin.pk}/change/", data, follow=True)
    assert refused.status_code == 200 and "akun Anda sendiri" in refused.content.decode()
    admin.refresh_from_db()
    assert admin.is_active is True


def test_an_officers_name_printed_on_letters_refuses_control_characters(staff: Client, users: dict[str, Any]) -> None:
    camat = users["camat1"]
    data = {**_change_form_data(staff, camat), "first_name": "Ahmad \u202eCamat"}
    response = staff.post(f"{USERS}{camat.pk}/change/", data)
    assert response.status_code == 200
    assert "U+202E" in str(response.context["adminform"].form.errors["first_name"])
    camat.refresh_from_db()
    assert camat.first_name == "Ahmad"
