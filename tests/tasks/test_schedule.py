"""Beat's schedule names only tasks the worker has, and each sweep task runs its service."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from celery.schedules import crontab


def test_every_scheduled_sweep_is_a_registered_task_that_expires() -> None:
    from django.conf import settings

    from tasks.celery import app

    app.loader.import_default_modules()
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert {entry["task"] for entry in schedule.values()} <= set(app.tasks)
    assert {
        "tasks.timers.fire_due_timers_task",
        "tasks.letters.render_pending_letters_task",
        "tasks.notifications.send_pending_notifications_task",
        "tasks.notifications.notify_overdue_task",
        "tasks.core.prune_attempts_task",
        "tasks.history.archive_history_task",
    } <= {entry["task"] for entry in schedule.values()}
    # A sweep every N seconds expires after N at least; one at a time of day (crontab) within a day.
    every = [entry for entry in schedule.values() if isinstance(entry["schedule"], int | float)]
    assert all(entry["options"]["expires"] >= entry["schedule"] for entry in every)
    daily = [entry for entry in schedule.values() if isinstance(entry["schedule"], crontab)]
    assert daily and all(0 < entry["options"]["expires"] < 24 * 3600 for entry in daily)


def test_the_overdue_sweep_task_writes_then_the_send_sweep_sends(users: Any, deployed: Any) -> None:
    from portal.notifications.models import Notification
    from tasks.notifications import notify_overdue_task, send_pending_notifications_task
    from tests.portal.notifications.test_overdue import _at_camat, _emails

    _emails(users)
    _at_camat(users, datetime(2026, 12, 1, 9, tzinfo=ZoneInfo("Asia/Makassar")))
    with time_machine.travel(datetime(2026, 12, 1, 16, tzinfo=ZoneInfo("Asia/Makassar")), tick=False):
        assert notify_overdue_task.delay().get() == 1
        assert notify_overdue_task.delay().get() == 0
    assert Notification.objects.get(kind="step_overdue").status == "pending"
    assert send_pending_notifications_task.delay().get() >= 1
    assert Notification.objects.get(kind="step_overdue").status == "sent"
