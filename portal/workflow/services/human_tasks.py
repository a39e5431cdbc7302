"""Claiming, releasing and completing a request's steps (a person's part of the diagram)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

import engine
from portal.accounts.enums import RoleCode
from portal.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from portal.core.prepared import row_update

from .. import events
from ..access import delegation_for, duty_check, may_act_on
from ..commands import Command, instance_command, sandbox_outside_the_lock
from ..enums import OPEN_HUMAN_TASK, HumanTaskStatus
from ..hooks import LetterIssue, hooks
from ..messages import form_errors_text
from ..models import HumanTask
from ..sla import sla_start


def _instance_of(human_task_id: int) -> int:
    found = HumanTask.objects.filter(pk=human_task_id).values_list("instance_id", flat=True).first()
    if found is None:
        raise NotFound(_("Langkah tidak ditemukan."))
    return int(found)


def _open_step(command: Command, human_task_id: int, *, applicant_tracking_number: str = "") -> HumanTask:
    """The step, read under the request's lock, if the command's actor may act on it and it is open."""
    human_task = command.open_step(human_task_id) or HumanTask.objects.get(pk=human_task_id)
    instance, actor = command.instance, command.actor
    if applicant_tracking_number:
        # The applicant without an account, proven by the tracking PIN: only their own step of that request.
        if (
            actor is not None
            or human_task.role != RoleCode.PEMOHON
            or instance.tracking_number != applicant_tracking_number
        ):
            raise NotAllowed(_("Langkah ini bukan untuk peran Anda."))
    elif not may_act_on(actor, human_task, instance, at=command.now):
        raise NotAllowed(_("Langkah ini bukan untuk peran Anda."))
    if human_task.status not in OPEN_HUMAN_TASK:
        raise Conflict(_("Langkah ini sudah diselesaikan atau dibatalkan."))
    return human_task


def human_task_claim(*, human_task_id: int, actor: Any, now: datetime | None = None) -> HumanTask:
    """Take a ready step so others see it is being worked on."""
    with instance_command(step=human_task_id, name="human_task_claim", actor=actor, now=now) as command:
        human_task = _open_step(command, human_task_id)
        duty_check(actor, human_task, command.instance)
        if human_task.assignee_id == actor.pk:
            return human_task
        if human_task.assignee_id is not None:
            raise Conflict(_("Langkah ini sudah diambil petugas lain."))
        human_task.assignee, human_task.status, human_task.claimed_at = actor, HumanTaskStatus.CLAIMED, command.now
        row_update(human_task, ["assignee", "status", "claimed_at"])
        events.human_task_claimed(command.instance, actor=actor, at=command.now, human_task=human_task)
    return human_task


def human_task_release(*, human_task_id: int, actor: Any, now: datetime | None = None) -> HumanTask:
    """Give a claimed step back to the role's pool."""
    with instance_command(step=human_task_id, name="human_task_release", actor=actor, now=now) as command:
        human_task = _open_step(command, human_task_id)
        if human_task.assignee_id is None:
            return human_task
        if human_task.assignee_id != actor.pk:
            raise Conflict(_("Langkah ini diambil petugas lain."))
        human_task.assignee, human_task.status, human_task.claimed_at = None, HumanTaskStatus.READY, None
        row_update(human_task, ["assignee", "status", "claimed_at"])
        events.human_task_released(command.instance, actor=actor, at=command.now, human_task=human_task)
    return human_task


def human_tasks_release_held(*, holder: Any, actor: Any, now: datetime | None = None) -> int:
    """Give every step `holder` has claimed back to its role's pool (the officer leaves); how many."""
    claimed = HumanTask.objects.filter(assignee=holder, status=HumanTaskStatus.CLAIMED)
    released = 0
    for instance_id in sorted(set(claimed.values_list("instance_id", flat=True))):
        with instance_command(
            instance_id, name="human_task_release", actor=actor, now=now, allow_failed=True
        ) as command:  # fmt: skip
            steps = command.open_steps().values()
            held = [s for s in steps if s.assignee_id == holder.pk and s.status == HumanTaskStatus.CLAIMED]
            for human_task in sorted(held, key=lambda s: s.pk):
                human_task.assignee, human_task.status, human_task.claimed_at = None, HumanTaskStatus.READY, None
                row_update(human_task, ["assignee", "status", "claimed_at"])
                events.human_task_released(
                    command.instance, actor=actor, at=command.now, human_task=human_task, holder=holder
                )
                released += 1
    return released


@sandbox_outside_the_lock
def human_task_complete(
    *, human_task_id: int, actor: Any, data: Any, now: datetime | None = None, applicant_tracking_number: str = ""
) -> HumanTask:
    """Complete a step with the data of its form and advance the process.

    `applicant_tracking_number` (with `actor=None`): the applicant's step completed by someone the
    caller let in with the request's tracking PIN; recorded as such in the event.
    """
    args = {"human_task_id": human_task_id, "data": data, "by_pin": bool(applicant_tracking_number)}
    with instance_command(step=human_task_id, name="human_task_complete", actor=actor, now=now, args=args) as command:
        return step_complete(
            command, human_task_id=human_task_id, data=data, applicant_tracking_number=applicant_tracking_number
        )


def step_complete(command: Command, *, human_task_id: int, data: Any, applicant_tracking_number: str = "") -> HumanTask:
    """Check who completes the step, then complete it, inside a command holding its request."""
    actor = command.actor
    human_task = _open_step(command, human_task_id, applicant_tracking_number=applicant_tracking_number)
    if actor is not None:
        duty_check(actor, human_task, command.instance)
    if human_task.assignee_id is not None and human_task.assignee_id != getattr(actor, "pk", None):
        raise Conflict(_("Langkah ini sedang dikerjakan petugas lain."))
    human_task_complete_in(command, human_task, data, by_pin=bool(applicant_tracking_number))
    return human_task


def step_instance_id(human_task_id: int) -> int:
    """The id of the request a step belongs to (NotFound for an unknown step)."""
    return _instance_of(human_task_id)


def human_task_complete_in(command: Command, human_task: HumanTask, data: Any, *, by_pin: bool = False) -> None:
    """The completion itself, inside a command that holds the request (also a retried incident's)."""
    actor, now, instance = command.actor, command.now, command.instance
    delegation = delegation_for(actor, human_task, instance, at=now) if actor is not None else None
    running = command.workflow
    data = _letter_number_filled(human_task, data, running.data)
    try:
        cleaned = running.validate_human_task(human_task.task_guid, data)
    except engine.FormValidationError as exc:
        raise InvalidInput({"data": form_errors_text(exc.errors)}) from exc
    except engine.HumanTaskNotReady as exc:
        raise Conflict(_("Langkah ini tidak lagi menunggu.")) from exc
    _letter_number_check(human_task, cleaned, running.data)
    human_task.status, human_task.completed_at, human_task.completed_by = HumanTaskStatus.COMPLETED, now, actor
    human_task.assignee = human_task.assignee or actor
    human_task.completed_data = cleaned
    row_update(human_task, ["status", "assignee", "completed_at", "completed_by", "completed_data"])
    events.human_task_completed(
        instance, actor=actor, at=now, human_task=human_task, data=cleaned, by_pin=by_pin, delegation=delegation
    )
    merged = {**running.data, **cleaned}
    system_data = _letter_if_due(command, human_task, merged, delegation=delegation)
    running.complete_human_task(human_task.task_guid, data, now=now, system_data=system_data)
    command.workflow_changed()
    if engine.clock_starts(running.definition, human_task.bpmn_id, merged):
        sla_start(instance, now=now)
        command.changed("sla_working_days", "sla_started_at", "sla_due_at")


def _issued_number(data: dict[str, Any]) -> str | None:
    letter = data.get("letter")
    number = letter.get("number") if isinstance(letter, dict) else None
    return str(number) if number else None


def _letter_number_filled(human_task: HumanTask, data: Any, workflow_data: dict[str, Any]) -> Any:
    """The hand-over's letter-number field, left empty, is the number of the letter issued."""
    field = (human_task.properties or {}).get("letter_number_field")
    issued = _issued_number(workflow_data)
    if not field or not issued or not isinstance(data, dict) or str(data.get(field) or "").strip():
        return data
    return {**data, field: issued}


def _letter_number_check(human_task: HumanTask, cleaned: dict[str, Any], data: dict[str, Any]) -> None:
    """At hand-over the number typed must be the number of the letter issued for the request."""
    field = (human_task.properties or {}).get("letter_number_field")
    issued = _issued_number(data)
    if not field or not issued:
        return
    typed = str(cleaned.get(field) or "").strip()
    if typed.upper() != str(issued).upper():
        message = _("Nomor surat harus sama dengan surat yang diterbitkan untuk permohonan ini: %(number)s.")
        raise InvalidInput({"data": {field: [message % {"number": issued}]}})


def _letter_if_due(
    command: Command, human_task: HumanTask, data: dict[str, Any], *, delegation: Any
) -> dict[str, Any] | None:
    """Number the service's letter when the completed step is the signing one and its condition holds.

    Returns what the workflow keeps of it (`letter`: id and number), so later steps see the number.
    """
    if hooks.letter_issue is None or not engine.letter_due(command.definition, human_task.bpmn_id, data):
        return None
    issued = hooks.letter_issue(
        LetterIssue(instance=command.instance, human_task=human_task, signer=command.actor, delegation=delegation,
                    data=data, now=command.now)
    )  # fmt: skip
    events.letter_numbered(
        command.instance, actor=command.actor, at=command.now, letter_id=issued.letter_id, number=issued.number,
        capacity=issued.capacity, human_task=human_task,
    )  # fmt: skip
    command.after_commit(lambda: hooks.letter_after_commit(issued.letter_id))
    return {"letter": {"id": issued.letter_id, "number": issued.number}}
