"""Writing notifications inside a command and sending them after it commits, in a Celery worker."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.core.http import public_url
from portal.core.prepared import rows_insert_new

from .channels import channel_for
from .enums import NotificationKind, NotificationStatus
from .models import Notification

MAX_ATTEMPTS = 5


def _texts(instance: Any, kind: str, detail: str) -> tuple[str, str]:
    service = instance.definition.name
    tn = instance.tracking_number
    if kind == NotificationKind.REGISTERED:
        body = _("Permohonan %(service)s Anda terdaftar di PATEN Kecamatan %(office)s dengan nomor %(tn)s. "
                 "Simpan nomor ini untuk melacak permohonan.") % {"service": service, "tn": tn,
                                                                   "office": instance.office.name}  # fmt: skip
        return _("Permohonan terdaftar"), body
    if kind == NotificationKind.RETURNED:
        body = _("Berkas permohonan %(tn)s perlu dilengkapi: %(detail)s. Silakan lengkapi di loket PATEN "
                 "atau melalui portal.") % {"tn": tn, "detail": detail or _("lihat catatan petugas")}  # fmt: skip
        return _("Berkas perlu dilengkapi"), body
    if kind == NotificationKind.READY:
        body = _("%(detail)s untuk permohonan %(tn)s sudah terbit dan dapat diambil di loket PATEN "
                 "Kecamatan %(office)s.") % {"tn": tn, "detail": detail or service,
                                             "office": instance.office.name}  # fmt: skip
        return _("Dokumen siap diambil"), body
    if kind == NotificationKind.REMINDER:
        body = _("Pengingat: langkah \"%(step)s\" permohonan %(tn)s (%(service)s, %(name)s) masih menunggu "
                 "diselesaikan.") % {"step": detail, "tn": tn, "service": service,
                                     "name": instance.applicant_name}  # fmt: skip
        return _("Pengingat: %(tn)s") % {"tn": tn}, body
    if kind == NotificationKind.STEP_OVERDUE:
        body = _("Langkah \"%(step)s\" permohonan %(tn)s (%(service)s, %(name)s) melewati batas waktunya. "
                 "Mohon segera diselesaikan.") % {"step": detail, "tn": tn, "service": service,
                                                 "name": instance.applicant_name}  # fmt: skip
        return _("Langkah melewati batas waktu: %(tn)s") % {"tn": tn}, body
    body = _("Mohon maaf, permohonan %(service)s %(tn)s belum selesai pada perkiraan %(date)s. Petugas kami "
             "sedang menyelesaikannya; lacak di %(url)s/lacak/.") % {
        "service": service, "tn": tn, "date": detail, "url": public_url("/").rstrip("/")}  # fmt: skip
    return _("Permohonan melewati perkiraan selesai"), body


def _recipients(instance: Any) -> list[tuple[str, str]]:
    recipients = []
    if instance.applicant_phone:
        recipients += [(channel, instance.applicant_phone) for channel in settings.PATEN_NOTIFY_PHONE_CHANNELS]
    user = instance.applicant_user
    if user is not None and user.email:
        recipients.append(("email", user.email))
    return recipients


def notifications_queue(
    *,
    instance: Any,
    kind: str,
    key: str = "",
    detail: str = "",
    now: datetime,
    recipients: list[tuple[str, str]] | None = None,
) -> list[int]:
    """Write the messages for an event inside the caller's transaction (to the applicant by default).

    Nothing is sent here: the rows are the queue, and a Celery beat sweep sends pending rows once
    the transaction has committed (so a rolled-back command notifies no one). Writing the same
    event twice adds nothing.
    """
    # Messages go out in the office's language, whatever language the officer's page is in.
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = _texts(instance, kind, detail)
    rows = [
        Notification(instance=instance, kind=kind, key=key[:100], channel=channel, recipient=recipient,
                     subject=subject[:200], body=body, created_at=now)
        for channel, recipient in (_recipients(instance) if recipients is None else recipients)
    ]  # fmt: skip
    return rows_insert_new(rows)  # one statement; a message already queued (the unique row) is skipped


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
            channel_for(row.channel).send(
                recipient=row.recipient, subject=row.subject, body=row.body, key=f"paten-notification-{row.pk}"
            )
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


def officer_recipients(*, role: str, assignee: Any = None) -> list[tuple[str, str]]:
    """Where to tell officers of a step: whoever claimed it, else every active holder of its role."""
    from django.contrib.auth import get_user_model

    if assignee is not None:
        people = [assignee] if assignee.is_active else []
    else:
        people = list(get_user_model().objects.filter(groups__name=role, is_active=True).order_by("id"))
    return [("email", person.email) for person in people if person.email]
