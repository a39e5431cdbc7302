"""The applicant hears of registration, a returned file and a letter ready, after each command commits."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.core import mail

from tests.conftest import SKTM_APPLICANT

BODY = {"service": "sktm", "applicant": SKTM_APPLICANT, "data": {"keperluan": "Beasiswa"}}


class BrokenGateway:
    def send(self, *, recipient: str, subject: str, body: str, key: str) -> None:
        raise ConnectionError("gateway unreachable")


def test_registration_is_written_with_the_command_and_sent_by_the_sweep(api: Any, deployed: Any, caplog: Any) -> None:
    from portal.notifications.models import Notification
    from portal.notifications.services import notifications_send_pending

    caplog.set_level(logging.INFO, logger="portal.notifications.channels")
    tn = api("loket1").post("/api/v1/requests/", BODY, format="json").json()["tracking_number"]
    (row,) = Notification.objects.all()
    assert (row.kind, row.channel, row.recipient, row.status) == ("registered", "sms", "081234567890", "pending")
    assert tn in row.body and "sms to" not in caplog.text  # the request itself sends nothing
    assert notifications_send_pending() == 1
    assert notifications_send_pending() == 0  # a second sweep finds nothing left
    row.refresh_from_db()
    assert row.status == "sent" and row.attempts == 1
    assert "sms to 081234567890: " in caplog.text and tn in caplog.text


def test_a_returned_file_reaches_the_citizen_by_sms_and_email(api: Any, users: Any, deployed: Any) -> None:
    from portal.notifications.models import Notification
    from portal.notifications.services import notifications_send_pending

    users["warga1"].email = "siti@example.invalid"
    users["warga1"].save()
    tn = api("warga1").post("/api/v1/requests/", BODY, format="json").json()["tracking_number"]
    (counter,) = api("loket1").get("/api/v1/tasks/", {"tracking_number": tn}).json()["results"]
    api("loket1").post(
        f"/api/v1/tasks/{counter['id']}/complete/", {"data": {"hasil_pemeriksaan": "tidak_lengkap"}}, format="json"
    )
    assert notifications_send_pending() == 4
    returned = Notification.objects.filter(kind="returned")
    assert {(n.channel, n.status) for n in returned} == {("sms", "sent"), ("email", "sent")}
    assert [m.subject for m in mail.outbox] == ["Permohonan terdaftar", "Berkas perlu dilengkapi"]
    assert tn in mail.outbox[1].body and mail.outbox[1].to == ["siti@example.invalid"]


def test_a_failing_gateway_is_recorded_and_retried_not_lost(api: Any, deployed: Any, settings: Any) -> None:
    from portal.notifications.models import Notification
    from portal.notifications.services import NotificationNotSent, notification_send

    settings.PATEN_NOTIFICATION_CHANNELS = {**settings.PATEN_NOTIFICATION_CHANNELS, "sms": f"{__name__}.BrokenGateway"}
    api("loket1").post("/api/v1/requests/", BODY, format="json")
    row = Notification.objects.get()
    with pytest.raises(NotificationNotSent, match="gateway unreachable"):
        notification_send(notification_id=row.pk)
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 1) and "ConnectionError" in row.last_error
    settings.PATEN_NOTIFICATION_CHANNELS = {**settings.PATEN_NOTIFICATION_CHANNELS,
                                            "sms": "portal.notifications.channels.LoggingChannel"}  # fmt: skip
    assert notification_send(notification_id=row.pk).status == "sent"
    assert notification_send(notification_id=row.pk).attempts == 2  # sent once; a second run does nothing


def test_messages_to_applicants_stay_indonesian_when_the_officer_works_in_english(api: Any, deployed: Any) -> None:
    from portal.notifications.models import Notification

    response = api("loket1").post("/api/v1/requests/", BODY, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 201
    (row,) = Notification.objects.all()
    assert row.subject == "Permohonan terdaftar" and "Simpan nomor ini" in row.body
