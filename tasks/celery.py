"""The Celery app, and the base of its tasks: sweeps that record a heartbeat for the liveness check."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from datetime import datetime
from typing import Any

from celery import Celery
from celery.contrib.django.task import DjangoTask

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

log = logging.getLogger(__name__)

app = Celery("paten")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(
    ["tasks.timers", "tasks.letters", "tasks.notifications", "tasks.core", "tasks.history", "tasks.audit"],
    related_name=None,
)
# Brokers whose connection Celery's event loop drives (prefork then gives each child its own pipes).
EVENT_LOOP_BROKER = app.conf.broker_url.startswith(("redis://", "rediss://", "amqp://", "amqps://", "pyamqp://"))
# The long sweeps, on a queue of their own.
SWEEPS = [
    "tasks.timers.fire_due_timers_task",
    "tasks.notifications.notify_overdue_task",
    "tasks.core.prune_attempts_task",
    "tasks.history.archive_history_task",
    "tasks.audit.seal_task",
    "tasks.audit.checkpoint_task",
    "tasks.audit.verify_task",
]
app.conf.update(
    # Two queues, each with its own worker, so a long sweep never holds letters and notices behind
    # it: "default" (letters, notices, anything short) and "sweeps". A worker without -Q takes both.
    task_default_queue="default",
    task_queues={"default": {"routing_key": "default"}, "sweeps": {"routing_key": "sweeps"}},
    task_routes={name: {"queue": "sweeps"} for name in SWEEPS},
    # A task whose pool child was killed is not queued again: every task is a sweep over rows that
    # the next sweep finds still waiting, and a task that kills its child must not loop.
    task_reject_on_worker_lost=False,
    # Prefork needs a broker that drives its event loop (Redis). Over the embedded broker Celery falls
    # back to children sharing one lock on the task pipe: a child killed while it waits for a task
    # takes the lock with it and its replacement waits for ever. There the tasks run in threads of
    # the worker process, and a dead worker is started again by its supervisor (tasks.supervise).
    worker_pool=os.environ.get("PATEN_WORKER_POOL") or ("prefork" if EVENT_LOOP_BROKER else "threads"),
    # Beat records its own heartbeat and which sweeps it sends, where and how often.
    beat_scheduler="tasks.beat:HeartbeatScheduler",
)
if app.conf.broker_url.startswith("sqla+"):
    # The embedded broker is polled, one task per poll: at Kombu's default of a second, sweeps queued
    # while a worker was down took longer to clear than beat sent more. The interval is only a class
    # attribute (the transport's options all go to SQLAlchemy's create_engine).
    from kombu.transport import sqlalchemy

    sqlalchemy.Transport.polling_interval = float(os.environ.get("PATEN_BROKER_POLL_SECONDS", "0.2"))


class Sweep(DjangoTask):  # type: ignore[misc]  # celery has no type hints
    """A sweep over rows: its heartbeat row says when it last started, how long it took, what it did
    or which error stopped it (portal.operations). The heartbeat never fails the sweep itself."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from django.utils import timezone

        from portal.operations.services import heartbeat_finish, heartbeat_start

        started = timezone.now()
        host = f"{getattr(self.request, 'hostname', None) or socket.gethostname()} pid {os.getpid()}"
        _record(heartbeat_start, name=self.name, host=host, now=started)
        try:
            result = super().__call__(*args, **kwargs)
        except Exception as exc:
            _record(heartbeat_finish, name=self.name, started_at=started, error=f"{type(exc).__name__}: {exc}")
            raise
        _record(heartbeat_finish, name=self.name, started_at=started, result=str(result))
        return result


def _record(write: Callable[..., datetime | None], **kwargs: Any) -> None:
    from django.db import DatabaseError

    try:
        write(**kwargs)
    except DatabaseError:  # the database is busy or away: the check will see the sweep as late
        log.warning("heartbeat of %s not recorded", kwargs.get("name"), exc_info=True)
