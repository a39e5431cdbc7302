"""Sending queued notifications (rows written by commands) after those commands committed."""

from __future__ import annotations

from .celery import app


@app.task(name="tasks.notifications.send_pending_notifications_task")
def send_pending_notifications_task() -> int:
    from portal.notifications.services import notifications_send_pending

    return notifications_send_pending()
