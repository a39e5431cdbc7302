"""Administrators see the lockouts in force in the admin and lift one; the lifting is recorded and no
try is deleted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from tests.conftest import PASSWORD
from tests.portal.accounts.test_login_throttle import ATTACKER, LOCKED, OFFICE, _fail_five_times, _page

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
LIST = "/admin/core/lockout/"


@pytest.fixture
def staff(users: dict[str, Any]) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(users["admin"])
    return client


def _locked_pairs() -> dict[str, Any]:
    """The camat locked out of the office by her own typing, and an attacker locked elsewhere."""
    from portal.core.models import Lockout

    _fail_five_times("camat1", OFFICE, T0)
    fifth = _fail_five_times("camat1", ATTACKER, T0)
    rows = {row.client_ip: row for row in Lockout.objects.filter(target="pair", key="camat1")}
    assert set(rows) == {OFFICE, ATTACKER}
    return {"rows": rows, "at": fifth}


def test_the_admin_lists_the_lockouts_in_force_with_what_is_held_and_until_when(users: Any, staff: Client) -> None:
    locked = _locked_pairs()
    with time_machine.travel(locked["at"], tick=False):
        listing = staff.get(LIST, {"keadaan": "berlaku"})
    assert listing.status_code == 200
    html = listing.content.decode()
    assert html.count("camat1") >= 2 and OFFICE in html and ATTACKER in html
    assert "nama/nomor dari alamat ini" in html and "berlaku" in html and "masuk" in html
    row = locked["rows"][OFFICE]
    assert row.until == locked["at"] + timedelta(minutes=15) and row.failures == 5
    with time_machine.travel(locked["at"] + timedelta(minutes=16), tick=False):
        assert OFFICE not in staff.get(LIST, {"keadaan": "berlaku"}).content.decode()
        assert OFFICE in staff.get(LIST, {"keadaan": "berakhir"}).content.decode()


def test_lifting_a_lockout_lets_the_camat_in_keeps_the_attacker_out_and_is_recorded(users: Any, staff: Client) -> None:
    from django.contrib.admin.models import LogEntry

    from portal.core.models import Attempt, Lockout

    locked = _locked_pairs()
    office = locked["rows"][OFFICE]
    tries = Attempt.objects.count()
    with time_machine.travel(locked["at"] + timedelta(minutes=1), tick=False):
        assert LOCKED in _page("camat1", PASSWORD, address=OFFICE).content.decode()
        # when the administrator lifts the office's lockout
        response = staff.post(LIST, {"action": "clear_lockouts", "_selected_action": [office.pk], "index": "0"})
        assert response.status_code == 302
        # then the camat gets in from the office, and the attacker is still held
        assert _page("camat1", PASSWORD, address=OFFICE).status_code == 302
        assert LOCKED in _page("camat1", PASSWORD, address=ATTACKER).content.decode()
    office.refresh_from_db()
    assert office.cleared_by == users["admin"] and office.cleared_by_name == "admin"
    assert office.cleared_at == locked["at"] + timedelta(minutes=1)
    assert Lockout.objects.get(pk=locked["rows"][ATTACKER].pk).cleared_at is None
    assert LogEntry.objects.filter(object_id=str(office.pk), user=users["admin"]).exists()
    # no try was deleted: the office's failures are still there, with the successful login after them
    assert Attempt.objects.count() == tries + 1
    with time_machine.travel(locked["at"] + timedelta(minutes=2), tick=False):
        assert "dibuka administrator" in staff.get(LIST, {"keadaan": "dibuka"}).content.decode()


def test_only_an_administrator_with_the_permission_lifts_a_lockout(users: Any) -> None:
    from django.contrib.auth.models import Permission

    from portal.core.models import Lockout

    locked = _locked_pairs()
    viewer = users["auditor1"]
    viewer.is_staff = True
    viewer.save()
    viewer.user_permissions.add(Permission.objects.get(codename="view_lockout"))
    client = Client(raise_request_exception=False)
    client.force_login(viewer)
    office = locked["rows"][OFFICE]
    with time_machine.travel(locked["at"], tick=False):
        listing = client.get(LIST)
        assert listing.status_code == 200 and "clear_lockouts" not in listing.content.decode()
        client.post(LIST, {"action": "clear_lockouts", "_selected_action": [office.pk], "index": "0"})
    assert Lockout.objects.get(pk=office.pk).cleared_at is None
