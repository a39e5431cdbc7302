"""Beat's scheduler: Celery's persistent one, which also records that beat is alive and which sweeps
it sends, to which queue and how often (portal.operations heartbeats, read by the liveness check)."""

from __future__ import annotations

import logging
import os
import socket
import time
from typing import Any

from celery.beat import PersistentScheduler
from celery.schedules import schedule as every_interval

log = logging.getLogger(__name__)


class HeartbeatScheduler(PersistentScheduler):  # type: ignore[misc]  # celery has no type hints
    def setup_schedule(self) -> None:
        super().setup_schedule()
        import django
        from django.utils import timezone

        django.setup()  # beat loads Django through the app's fixup; this is a no-op then
        self._beat_started = timezone.now()
        self._next_heartbeat = 0.0
        self._recorded(self._expect)

    def tick(self, *args: Any, **kwargs: Any) -> float:
        wait = float(super().tick(*args, **kwargs))
        now = time.monotonic()
        if now >= self._next_heartbeat:
            self._recorded(self._heartbeat)
            self._next_heartbeat = now + self.heartbeat_every
        return max(0.0, min(wait, self._next_heartbeat - now))

    @property
    def heartbeat_every(self) -> float:
        from django.conf import settings

        return max(1.0, min(10.0, float(settings.PATEN_WORKER_STALE_SECONDS) / 4))

    def _expect(self) -> None:
        from portal.operations.services import ExpectedSweep, heartbeats_expect

        sweeps = []
        for entry in self.schedule.values():
            if entry.task.startswith("celery."):
                continue  # Celery's own housekeeping
            every = entry.schedule.run_every.total_seconds() if isinstance(entry.schedule, every_interval) else None
            queue = self.app.amqp.router.route(dict(entry.options), entry.task)["queue"].name
            sweeps.append(ExpectedSweep(name=entry.task, queue=queue, every_seconds=every))
        heartbeats_expect(sweeps=sweeps)

    def _heartbeat(self) -> None:
        from portal.operations.services import heartbeat_beat

        host = f"{socket.gethostname()} pid {os.getpid()}"
        heartbeat_beat(host=host, every_seconds=self.heartbeat_every, started_at=self._beat_started)

    def _recorded(self, write: Any) -> None:
        from django.db import DatabaseError, close_old_connections, connection

        try:
            if not connection.in_atomic_block:
                close_old_connections()  # beat lives long: drop a connection the server closed
            write()
        except DatabaseError:  # beat keeps sending; the check will see its heartbeat as late
            log.warning("beat's heartbeat not recorded", exc_info=True)
