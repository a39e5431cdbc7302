"""Incidents: requests whose diagram failed. An administrator retries the failed command (on the
service's active version, which may carry the fix) or cancels the request with a reason."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from portal.accounts.enums import RoleCode
from portal.accounts.selectors import user_roles
from portal.core.errors import Conflict, InvalidInput, NotAllowed
from portal.core.text import character_problem

from .. import events
from ..commands import Command, instance_command, sandbox_outside_the_lock
from ..enums import HumanTaskStatus, InstanceStatus
from ..hooks import hooks
from ..models import ProcessDefinition, ProcessInstance, TimerSchedule
from .human_tasks import human_task_complete_in
from .timers import timers_fire_in

MAX_REASON = 500


def _admin_only(actor: Any) -> None:
    if RoleCode.ADMIN not in user_roles(actor):
        raise NotAllowed(_("Hanya administrator yang dapat menangani gangguan proses."))


def _rerun_completion(command: Command, args: dict[str, Any], original_actor: Any) -> None:
    human_task = command.open_step(int(args.get("human_task_id") or 0))
    if human_task is None:
        raise Conflict(_("Langkah yang gagal tidak lagi menunggu; batalkan permohonan ini bila perlu."))
    # The officer's own command, repeated as it was given: their name, their checklist, their data.
    command.actor = original_actor
    items = args.get("items")
    if isinstance(items, dict) and items:
        hooks.checklist_mark(command, items)
    human_task_complete_in(command, human_task, args.get("data") or {}, by_pin=bool(args.get("by_pin")))


def _rerun_timers(command: Command, args: dict[str, Any], original_actor: Any) -> None:
    timers_fire_in(command)


# The commands an incident can be retried from: what each one re-runs inside the retry.
RETRYABLE: dict[str, Callable[[Command, dict[str, Any], Any], None]] = {
    "human_task_complete": _rerun_completion,
    "timers_fire": _rerun_timers,
}


@sandbox_outside_the_lock
def instance_retry(*, instance_id: int, actor: Any, now: datetime | None = None) -> ProcessInstance:
    """Run the failed command again, on the service's active version; a new failure leaves the incident open."""
    _admin_only(actor)
    with instance_command(instance_id, name="instance_retry", actor=actor, now=now, allow_failed=True) as command:
        instance = command.instance
        if instance.status != InstanceStatus.FAILED or not isinstance(instance.failure, dict):
            raise Conflict(_("Permohonan ini tidak sedang terhenti karena gangguan."))
        failure = instance.failure
        command.retrying = failure
        rerun = RETRYABLE.get(str(failure.get("command")))
        previous = instance.definition
        active = ProcessDefinition.objects.filter(code=previous.code, is_active=True).first() or previous
        events.instance_retried(
            instance, actor=actor, at=command.now, command=str(failure.get("command")), from_definition=previous,
            to_definition=active,
        )  # fmt: skip
        instance.definition = active
        instance.status, instance.failure, instance.failed_at = InstanceStatus.RUNNING, None, None
        instance.updated_at = command.now
        command.changed("definition", "status", "failure", "failed_at", "updated_at")
        original = get_user_model().objects.filter(pk=int(failure.get("actor_id") or 0)).first()
        try:
            if rerun is not None:
                rerun(command, dict(failure.get("args") or {}), original)
            else:  # nothing to repeat: the state must at least load on the version it now runs on
                assert command.workflow is not None
                command.workflow_changed()
        finally:
            command.actor = actor  # a new failure is recorded as the administrator's retry
    return command.instance


def instance_cancel(*, instance_id: int, actor: Any, reason: Any, now: datetime | None = None) -> ProcessInstance:
    """Close an incident for good: its open steps and timers end, the applicant's file is closed."""
    _admin_only(actor)
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise InvalidInput({"reason": [_("Alasan pembatalan wajib diisi.")]})
    if len(text) > MAX_REASON:
        raise InvalidInput({"reason": [_("Paling banyak %(limit)s karakter.") % {"limit": MAX_REASON}]})
    if problem := character_problem(text, multiline=True):
        raise InvalidInput({"reason": [problem]})
    with instance_command(instance_id, name="instance_cancel", actor=actor, now=now, allow_failed=True) as command:
        instance, at = command.instance, command.now
        if instance.status != InstanceStatus.FAILED:
            raise Conflict(_("Hanya permohonan yang terhenti karena gangguan yang dapat dibatalkan di sini."))
        for step in list(command.open_steps().values()):
            step.status, step.completed_at = HumanTaskStatus.CANCELLED, at
            step.save(update_fields=["status", "completed_at"])
            events.human_task_cancelled(instance, at=at, human_task=step)
        TimerSchedule.objects.filter(instance=instance, fired_at=None, cancelled_at=None).update(cancelled_at=at)
        events.instance_cancelled(instance, actor=actor, at=at, reason=text)
        instance.status, instance.completed_at, instance.updated_at = InstanceStatus.CANCELLED, at, at
        instance.outcome_name = _("Dibatalkan: %(reason)s") % {"reason": text[:150]}
        command.changed("status", "completed_at", "updated_at", "outcome_name")
    return command.instance
