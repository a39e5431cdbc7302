"""Reads across apps for the administrator: which records name a user; whether the background
processes are alive and keep up (the liveness check)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import ForeignObjectRel
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portal.letters.models import Letter
from portal.notifications.enums import NotificationStatus
from portal.notifications.models import Notification

from .models import BEAT, Heartbeat

# Rows that belong to the account itself and go with it: its groups, permissions and API tokens.
_THE_ACCOUNTS_OWN = frozenset({"auth.user_groups", "auth.user_user_permissions", "accounts.apitoken"})


def user_records(user: Any) -> list[str]:
    """The kinds of records (plural names) that name `user`: steps, letters, the log, delegations...

    Every relation to the user counts, present and future, so an account that ever acted is never
    deleted (the audit log refuses the update a deletion would make); it is deactivated instead.
    """
    found: list[str] = []
    for relation in get_user_model()._meta.get_fields(include_hidden=True):
        if not isinstance(relation, ForeignObjectRel) or relation.many_to_many:
            continue
        model = relation.related_model
        if not isinstance(model, type) or model._meta.label_lower in _THE_ACCOUNTS_OWN:
            continue
        if model._base_manager.filter(**{relation.field.name: user}).exists():
            name = str(model._meta.verbose_name_plural)
            if name not in found:
                found.append(name)
    return found


# What the operator reads for each heartbeat (the sweeps are named after their Celery task).
SWEEP_LABELS: dict[str, str | Promise] = {
    BEAT: _("Penjadwal (beat)"),
    "tasks.timers.fire_due_timers_task": _("Pengatur waktu yang jatuh tempo"),
    "tasks.letters.render_pending_letters_task": _("PDF surat bertanda tangan"),
    "tasks.notifications.send_pending_notifications_task": _("Pengiriman pemberitahuan"),
    "tasks.notifications.notify_overdue_task": _("Pemberitahuan keterlambatan"),
    "tasks.core.prune_attempts_task": _("Pembersihan catatan percobaan"),
    "tasks.history.archive_history_task": _("Pemindahan permohonan lama ke arsip"),
}


@dataclass(frozen=True)
class SweepState:
    row: Heartbeat
    late: bool
    # The last sign of life the check counts: the last start, or when it began to be expected.
    since: datetime | None

    @property
    def label(self) -> str | Promise:
        return SWEEP_LABELS.get(self.row.name, self.row.name)


@dataclass(frozen=True)
class WorkerHealth:
    checked_at: datetime
    stale_seconds: float
    beat: SweepState | None  # None: beat has never run against this database
    sweeps: list[SweepState]
    pending_seconds: float
    letters_waiting: int  # signed letters whose PDF is not drawn after pending_seconds
    notifications_waiting: int  # messages still pending after pending_seconds

    @property
    def late(self) -> list[SweepState]:
        beat = [self.beat] if self.beat is not None and self.beat.late else []
        return beat + [sweep for sweep in self.sweeps if sweep.late]

    @property
    def beat_missing_or_late(self) -> bool:
        return self.beat is None or self.beat.late

    @property
    def alive(self) -> bool:
        """Beat ticks, and every scheduled sweep started within its period plus the grace."""
        return self.beat is not None and not self.late

    @property
    def late_names(self) -> str:
        names = [str(_("Penjadwal (beat)"))] if self.beat is None else []
        return ", ".join(names + [str(sweep.label) for sweep in self.late])

    @property
    def pending_minutes(self) -> int:
        return max(1, round(self.pending_seconds / 60))

    @property
    def needs_attention(self) -> bool:
        return not self.alive or bool(self.letters_waiting or self.notifications_waiting)

    def queue_stalled(self, queue: str, *, since: datetime | None = None) -> bool:
        """Nothing on `queue` started (after `since`, a worker's start) for longer than its most frequent
        sweep's period plus the grace, while beat sends: its worker is dead or hung. False when nothing
        is expected there."""
        expected = [sweep for sweep in self.sweeps if sweep.row.queue == queue and sweep.row.every_seconds]
        if self.beat_missing_or_late or not expected:
            return False
        last = max(t for t in [since, *(sweep.since for sweep in expected)] if t is not None)
        every = min(float(sweep.row.every_seconds or 0) for sweep in expected)
        return (self.checked_at - last).total_seconds() > every + self.stale_seconds


def worker_health(
    *, now: datetime | None = None, stale_seconds: float | None = None, count_waiting: bool = True
) -> WorkerHealth:
    """Whether beat and the sweeps run (PATEN_WORKER_STALE_SECONDS of grace) and what waits too long
    (counted unless `count_waiting` is False: a supervisor checking often only needs the first)."""
    now = now or timezone.now()
    stale = float(settings.PATEN_WORKER_STALE_SECONDS if stale_seconds is None else stale_seconds)
    rows = {row.name: row for row in Heartbeat.objects.all()}
    beat_row = rows.pop(BEAT, None)
    beat = None
    if beat_row is not None:
        last_tick = beat_row.finished_at or beat_row.created_at
        beat = SweepState(beat_row, (now - last_tick).total_seconds() > stale, last_tick)
    beat_started = beat_row.started_at if beat_row is not None else None
    sweeps = []
    for row in rows.values():
        since = max(t for t in (row.started_at or row.created_at, beat_started) if t is not None)
        late = row.every_seconds is not None and (now - since).total_seconds() > row.every_seconds + stale
        sweeps.append(SweepState(row, late, since))
    pending = float(settings.PATEN_PENDING_ALERT_SECONDS)
    cutoff = now - timedelta(seconds=pending)
    letters = Letter.objects.filter(rendered_at=None, issued_at__lt=cutoff)
    notices = Notification.objects.filter(status=NotificationStatus.PENDING, created_at__lt=cutoff)
    return WorkerHealth(
        checked_at=now, stale_seconds=stale, beat=beat, sweeps=sorted(sweeps, key=lambda s: (s.row.queue, s.row.name)),
        pending_seconds=pending,
        letters_waiting=letters.count() if count_waiting else 0,
        notifications_waiting=notices.count() if count_waiting else 0,
    )  # fmt: skip
