"""History kept apart from work: requests finished long ago leave the hot tables, so what today's work
reads never holds years of history.

Archiving a request is one command under its row lock: its step rows move to HumanTaskHistory under
the ids they had, its timer rows go (its timer_fired events tell them) with any list row left behind,
its workflow state shrinks to the data it ended with, and `instance_archived` closes its log. Its
events, letters and documents stay where they are; pages read its steps through
selectors.request_steps. No command restores the workflow of a finished request (it has no open
step, no armed timer and is no incident), so the compacted state need not load: it says so itself
(ARCHIVED_STATE), and an attempt fails with that message instead of a missing key.

Safe to run twice, beside another run, and again after a crash: each request is archived in a
transaction of its own and checked again under its lock, and an archived one is never picked again.
"""

from __future__ import annotations

import copy
import logging
from datetime import datetime
from typing import Any

from django.utils import timezone

import engine
from portal.core.errors import ServiceError
from portal.core.hashing import content_sha256

from .. import events
from ..commands import Command, InstanceBusy, instance_command
from ..enums import FINISHED_INSTANCE
from ..models import HumanTask, HumanTaskHistory, ProcessInstance, TimerSchedule, WorkItem
from ..selectors import history_cutoff, requests_to_archive

log = logging.getLogger(__name__)

# The serializer version of a compacted state: not SpiffWorkflow's format, never restored.
ARCHIVED_STATE = "archived"
# What a history row copies of its step: every column it has, under the same names.
_HISTORY_COLUMNS = tuple(f.attname for f in HumanTaskHistory._meta.concrete_fields)


def requests_archive(*, now: datetime | None = None, limit: int = 500) -> int:
    """Archive up to `limit` requests finished more than PATEN_HISTORY_AFTER_DAYS ago, the oldest
    first; returns how many. One request that cannot be archived never stops the others."""
    now = now or timezone.now()
    before = history_cutoff(now)
    if before is None:
        return 0
    archived = 0
    for instance_id in requests_to_archive(before=before, limit=limit):
        try:
            archived += request_archive(instance_id=instance_id, before=before, now=now)
        except ServiceError as exc:
            log.warning("archive: request %s: %s", instance_id, exc)
    return archived


def request_archive(*, instance_id: int, before: datetime, now: datetime) -> bool:
    """Archive one request if, under its lock, it is still finished before `before` and not archived;
    False when it is not (any more), or another worker holds it (the next run sees it again)."""
    try:
        with instance_command(instance_id, name="instance_archive", now=now, skip_locked=True) as command:
            if not _archivable(command.instance, before):
                return False
            _archive(command)
            return True
    except InstanceBusy:
        return False


def _archivable(instance: ProcessInstance, before: datetime) -> bool:
    finished_at = instance.completed_at
    return (
        instance.status in FINISHED_INSTANCE and instance.archived_at is None
        and finished_at is not None and finished_at < before
    )  # fmt: skip


def _archive(command: Command) -> None:
    instance, now = command.instance, command.now
    WorkItem.objects.filter(instance_id=instance.pk).delete()  # none is expected: no step of it is open
    moved = _steps_move(instance)
    removed, _ = TimerSchedule.objects.filter(instance=instance).delete()
    fingerprint = content_sha256(instance.state)
    instance.state = _state_compacted(command)
    instance.serializer_version = ARCHIVED_STATE
    instance.archived_at = now
    command.changed("state", "serializer_version", "archived_at")
    events.instance_archived(
        instance, at=now, moved_steps=moved, removed_timers=removed, state_sha256=fingerprint
    )  # fmt: skip


def _steps_move(instance: ProcessInstance) -> int:
    """Copy the request's step rows into the history table under their ids, then drop them here."""
    steps = list(HumanTask.objects.filter(instance=instance).order_by("created_at", "id"))
    HumanTaskHistory.objects.bulk_create(
        [HumanTaskHistory(**{column: getattr(step, column) for column in _HISTORY_COLUMNS}) for step in steps]
    )
    HumanTask.objects.filter(pk__in=[step.pk for step in steps]).delete()  # letters keep the id (letters.models)
    return len(steps)


def _state_compacted(command: Command) -> dict[str, Any]:
    """What a finished request keeps of its workflow state: the data it ended with (what the diagram's
    scripts computed is kept nowhere else). The task tree goes: the log and the history rows tell the
    request's past, and nothing moves a finished request on."""
    return {"serializer_version": ARCHIVED_STATE, "data": _data_at_end(command)}


def _data_at_end(command: Command) -> dict[str, Any]:
    """The workflow's data as the request ended: the finished workflow's own, or for a request cancelled
    midway what its last completed task saw; read from a copy restored here, never run. A state that
    does not load (the incident that was cancelled may have been just that) keeps its top-level data."""
    state = command.instance.state if isinstance(command.instance.state, dict) else {}
    try:
        return engine.Instance.restore(command.definition, copy.deepcopy(state)).data
    except (engine.EngineError, ValueError, KeyError, TypeError, AttributeError):
        data = state.get("data")
        return dict(data) if isinstance(data, dict) else {}
