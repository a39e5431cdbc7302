"""Sending notifications after the command that wrote them has committed; retried on failure."""

from __future__ import annotations

from .celery import app


@app.task(name="tasks.notifications.send_notification_task", bind=True, max_retries=4, default_retry_delay=30)
def send_notification_task(self, notification_id: int) -> int:  # type: ignore[no-untyped-def]
    from portal.notifications.services import NotificationNotSent, notification_send

    try:
        return int(notification_send(notification_id=notification_id).pk)
    except NotificationNotSent as exc:
        raise self.retry(exc=exc) from exc
