"""Writing notifications inside a command and sending them after it commits, in a Celery worker."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .channels import channel_for
from .enums import NotificationKind, NotificationStatus
from .models import Notification

MAX_ATTEMPTS = 5


def _texts(instance: Any, kind: str, detail: str) -> tuple[str, str]:
    service = instance.definition.name
    tn = instance.tracking_number
    if kind == NotificationKind.REGISTERED:
        body = _("Permohonan %(service)s Anda terdaftar di PATEN Kecamatan Babulu dengan nomor %(tn)s. "
                 "Simpan nomor ini untuk melacak permohonan.") % {"service": service, "tn": tn}  # fmt: skip
        return _("Permohonan terdaftar"), body
    if kind == NotificationKind.RETURNED:
        body = _("Berkas permohonan %(tn)s perlu dilengkapi: %(detail)s. Silakan lengkapi di loket PATEN "
                 "atau melalui portal.") % {"tn": tn, "detail": detail or _("lihat catatan petugas")}  # fmt: skip
        return _("Berkas perlu dilengkapi"), body
    if kind == NotificationKind.READY:
        body = _("%(detail)s untuk permohonan %(tn)s sudah terbit dan dapat diambil di loket PATEN "
                 "Kecamatan Babulu.") % {"tn": tn, "detail": detail or service}  # fmt: skip
        return _("Dokumen siap diambil"), body
    body = _("Permohonan %(tn)s melewati batas waktu penyelesaian.") % {"tn": tn}
    return _("Melewati batas waktu"), body


def _recipients(instance: Any) -> list[tuple[str, str]]:
    recipients = []
    if instance.applicant_phone:
        recipients += [(channel, instance.applicant_phone) for channel in settings.PATEN_NOTIFY_PHONE_CHANNELS]
    user = instance.applicant_user
    if user is not None and user.email:
        recipients.append(("email", user.email))
    return recipients


def notifications_queue(*, instance: Any, kind: str, key: str = "", detail: str = "", now: datetime) -> list[int]:
    """Write the applicant's messages for an event inside the caller's transaction.

    Nothing is sent here: the rows are the queue, and a Celery beat sweep sends pending rows once
    the transaction has committed (so a rolled-back command notifies no one). Writing the same
    event twice adds nothing.
    """
    subject, body = _texts(instance, kind, detail)
    created_ids = []
    for channel, recipient in _recipients(instance):
        row, created = Notification.objects.get_or_create(
            instance=instance, kind=kind, key=key[:100], channel=channel, recipient=recipient,
            defaults={"subject": subject[:200], "body": body, "created_at": now},
        )  # fmt: skip
        if created:
            created_ids.append(row.pk)
    return created_ids


def notifications_send_pending(*, limit: int = 200) -> int:
    """One sweep: try every pending message (oldest first); a failing one waits for the next sweep."""
    sent = 0
    pending = Notification.objects.filter(status=NotificationStatus.PENDING).order_by("created_at", "id")
    for notification_id in list(pending.values_list("id", flat=True)[:limit]):
        try:
            notification_send(notification_id=notification_id)
        except NotificationNotSent:
            continue
        sent += 1
    return sent


def notification_send(*, notification_id: int, now: datetime | None = None) -> Notification:
    """Deliver one message; safe to run twice (a sent message is not sent again).

    A failure is recorded (attempts, error) and then raised, so the worker retries later.
    """
    error = ""
    with transaction.atomic():
        row = Notification.objects.select_for_update().get(pk=notification_id)
        if row.status == NotificationStatus.SENT:
            return row
        row.attempts += 1
        try:
            channel_for(row.channel).send(recipient=row.recipient, subject=row.subject, body=row.body)
        except Exception as exc:  # noqa: BLE001 - any channel failure is recorded and retried
            error = f"{type(exc).__name__}: {exc}"[:2000]
            row.last_error = error
            row.status = NotificationStatus.FAILED if row.attempts >= MAX_ATTEMPTS else NotificationStatus.PENDING
            row.save(update_fields=["attempts", "last_error", "status"])
        else:
            row.status = NotificationStatus.SENT
            row.sent_at = now or timezone.now()
            row.save(update_fields=["attempts", "status", "sent_at"])
    if error:
        raise NotificationNotSent(error)
    return row


class NotificationNotSent(Exception):
    """The channel refused or failed; the worker retries later."""
