"""Sending queued notifications (rows written by commands) after those commands committed."""

from __future__ import annotations

from .celery import Sweep, app


@app.task(name="tasks.notifications.send_pending_notifications_task", base=Sweep)
def send_pending_notifications_task() -> int:
    from portal.notifications.services import notifications_send_pending

    return notifications_send_pending()


@app.task(name="tasks.notifications.notify_overdue_task", base=Sweep)
def notify_overdue_task() -> int:
    """Write the messages about late steps and late requests; the sweep above sends them."""
    from portal.workflow.services.sweeps import overdue_notify

    return overdue_notify()
