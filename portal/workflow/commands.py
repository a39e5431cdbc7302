"""The one way into a request: every command on an instance runs inside `instance_command`.

    with instance_command(instance_id, name="human_task_complete", actor=user, args={...}) as command:
        command.workflow.complete_human_task(...)   # restored on first use
        command.workflow_changed()                  # state and mirror tables are written on exit
        events.human_task_completed(command.instance, ...)

Lock order: the ProcessInstance row first (SELECT ... FOR UPDATE, or SKIP LOCKED for sweeps), then
the rows that belong to it (human tasks, timers, letters, documents). On SQLite the write
transaction is IMMEDIATE (settings), which serializes writers the same way. Every command re-reads
what it checks after taking the lock.

On the way out the command saves, in one place (`_save`), the workflow state, the mirror tables
(persistence.py), its events (held until then and written in one statement), the instance's
changed fields and the head of its event log. The lock, the open steps and these writes are
statements compiled once (portal/core/prepared.py): every step of every request sends the same
few, and building them anew each time cost more than running them.

When the engine fails (a script, a condition, a state that cannot be loaded) the command's
transaction is rolled back whole (no savepoint on the way of every command), and in a second
transaction the request becomes an incident (status FAILED, an `instance_failed` event with the
error and the command to retry) and the caller gets ProcessFailed. An administrator retries or
cancels it (services/incidents.py); sweeps skip it meanwhile.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from django.db import connection, transaction
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

import engine
from portal.core.errors import Conflict, NotFound, ProcessFailed
from portal.core.prepared import PreparedQuery, row_update
from portal.officecalendar.selectors import calendar_of_office

from . import events, persistence
from .access import office_check
from .definitions import definition_runtime
from .enums import OPEN_HUMAN_TASK, InstanceStatus
from .messages import engine_failure_text
from .models import HumanTask, ProcessInstance
from .selectors import OPEN_STEPS_KNOWN

log = logging.getLogger(__name__)
_F = TypeVar("_F", bound=Callable[..., Any])

# How often one service call may let go of its request to run diagram code in the sandbox; past
# that (a diagram looping over many scripts), the rest runs under the lock, each within its budget.
MAX_SANDBOX_ROUNDS = 20

# Errors of the caller's input or timing, not of the diagram: the body maps them itself.
_NOT_FAILURES = (engine.FormValidationError, engine.HumanTaskNotReady, engine.DefinitionError)


class InstanceBusy(Exception):
    """Another worker holds the request (a sweep asked not to wait for it)."""


@dataclass
class Command:
    """One command on one locked request, as the body of `instance_command` sees it."""

    instance: ProcessInstance
    name: str
    actor: Any
    now: datetime
    args: dict[str, Any]
    _workflow: engine.Instance | None = None
    _changed: bool = False
    _fields: set[str] = field(default_factory=set)
    _after: list[Callable[[], None]] = field(default_factory=list)
    _saved: list[Callable[[], None]] = field(default_factory=list)
    _head: tuple[int, str] = (0, "")
    _open_steps: dict[int, HumanTask] | None = None
    _step_marks: dict[int, tuple[Any, ...]] = field(default_factory=dict)
    _timers_before: dict[str, datetime] | None = None
    _definition_id: int | None = None
    # Set by a retry: the incident's own record (command, args, actor), kept if the retry fails too.
    retrying: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        self._head = (self.instance.last_event_seq, self.instance.last_event_hash)
        self._definition_id = self.instance.definition_id
        events.events_hold(self.instance)

    @property
    def definition(self) -> engine.Definition:
        return definition_runtime(self.instance.definition)

    @property
    def workflow(self) -> engine.Instance:
        """The request's engine workflow, restored on first use."""
        if self._workflow is None:
            if self.instance.archived_at is not None:  # its state is the data it ended with, not a workflow
                raise Conflict(_("Permohonan ini sudah diarsipkan; riwayatnya hanya dapat dibaca."))
            try:
                self._workflow = engine.Instance.restore(self.definition, self.instance.state)
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise engine.ExecutionError(f"stored state cannot be loaded: {type(exc).__name__}: {exc}") from exc
            if self._workflow.definition.has_timers:  # what the timer rows hold, to write only the change
                self._timers_before = persistence.armed_timers(self._workflow.waiting_timers())
        return self._workflow

    def workflow_started(self, running: engine.Instance) -> None:
        """A new request: its workflow was started before the command (no lock is held while it runs)."""
        self._workflow = running
        self._timers_before = {}
        self._changed = True

    def workflow_changed(self) -> None:
        """The workflow acted: its state and the mirror tables are written on the way out."""
        self._changed = True

    def open_steps(self) -> dict[int, HumanTask]:
        """The request's open steps, read once under the lock: id -> row.

        The body changes a step on these very objects (never on another copy of the row): on the way
        out the mirror tables compare the engine's ready steps against them, and the lists' rows are
        written from the difference between them and what was read.
        """
        if self._open_steps is None:
            rows = _OPEN_STEPS.all(self.instance.pk)
            for row in rows:
                row.instance = self.instance  # each row's .instance is this one
            self._open_steps = {row.pk: row for row in rows}
            self._step_marks = {pk: persistence.step_mark(row) for pk, row in self._open_steps.items()}
        return self._open_steps

    def open_step(self, human_task_id: int) -> HumanTask | None:
        """An open step of this request (see open_steps); None if not open here."""
        return self.open_steps().get(human_task_id)

    def changed(self, *fields: str) -> None:
        """Fields of the instance the body changed, saved on the way out."""
        self._fields.update(fields)

    def after_save(self, callback: Callable[[], None]) -> None:
        """Run inside the command's transaction once its writes are done (the event-log head is final)."""
        self._saved.append(callback)

    def workflow_replace(self, running: engine.Instance) -> None:
        """The request's workflow is now `running` (a move between versions undone); the timer rows
        are compared with what was armed before, as for any change."""
        _ = self.workflow  # the stored workflow, for the timers it had armed
        self._workflow = running
        self._changed = True

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run once the command's transaction is over, with no lock held (drawing a PDF, say)."""
        self._after.append(callback)


def _locking(*, skip_locked: bool, by_step: bool) -> PreparedQuery[ProcessInstance]:
    def build(key: int) -> Any:
        qs = ProcessInstance.objects.select_for_update(skip_locked=skip_locked, of=("self",)).order_by()
        # The definition's blobs are only needed on a cache miss in definition_runtime (loaded lazily then).
        # Its village (the lists' rows name it) and office (the letterhead) come in the same statement.
        qs = qs.select_related("definition", "applicant_village", "office").defer(
            "definition__spec_json", "definition__bpmn_source"
        )
        if by_step:  # the request of a step, found and locked in one statement
            return qs.filter(pk=Subquery(HumanTask.objects.filter(pk=key).order_by().values("instance_id")[:1]))[:1]
        return qs.filter(pk=key)[:1]  # one row by its key: no ORDER BY

    return PreparedQuery(build)


# Every command's first statement, compiled once: (skip locked, found by a step) -> query.
_LOCKS = {(skip, by_step): _locking(skip_locked=skip, by_step=by_step) for skip in (False, True)
          for by_step in (False, True)}  # fmt: skip


def _lock(instance_id: int | None, *, skip_locked: bool, step: int | None = None) -> ProcessInstance | None:
    skip = skip_locked and connection.features.has_select_for_update_skip_locked
    if step is not None:
        return _LOCKS[skip, True].first(int(step))
    return _LOCKS[skip, False].first(int(instance_id or 0))


_OPEN_STEPS: PreparedQuery[HumanTask] = PreparedQuery(
    lambda key: HumanTask.objects.filter(instance_id=key, status__in=OPEN_HUMAN_TASK)
)


def _save(command: Command) -> None:
    """Write what the command changed: the only place the event-log head is saved.

    Each table gets what changed, in as few statements as it takes: new step rows and new events
    in one insert each, the lists' rows from the difference the command knows of.
    """
    instance = command.instance
    fields = set(command._fields)
    if command._changed and command._workflow is not None:
        fields |= persistence.workflow_persist(
            instance, command._workflow, now=command.now, steps=command.open_steps(),
            timers_before=command._timers_before,
        )  # fmt: skip
    if instance.definition_id != command._definition_id:  # every row names the service's version anew
        persistence.work_items_sync(instance)
    elif command._open_steps is not None:
        persistence.work_items_write(instance, command._open_steps, command._step_marks)
    events.events_write(instance)
    if command._open_steps is not None:  # every open step of the request, as written: no read to answer with them
        instance.__dict__[OPEN_STEPS_KNOWN] = list(command._open_steps.values())
    if (instance.last_event_seq, instance.last_event_hash) != command._head:
        fields |= {"last_event_seq", "last_event_hash"}
    if fields:
        row_update(instance, fields)


class _EngineFailed(Exception):
    def __init__(self, command: Command, cause: engine.EngineError) -> None:
        self.command, self.cause = command, cause
        super().__init__(str(cause))


def _failure_record(command: Command, exc: engine.EngineError) -> str:
    """Make the request an incident, in a transaction of its own (the command's was rolled back).

    The request is locked again; if another command moved it on in between, the failure belonged to
    a state that no longer exists and is not recorded (the caller is still told). Returns the message.
    """
    element = str(getattr(exc, "element_id", "") or "")
    error = " ".join(str(exc).split())[:500]
    with transaction.atomic():
        instance = _lock(command.instance.pk, skip_locked=False)
        log.warning("request %s failed in %s at %s: %s", command.instance.tracking_number, command.name,
                    element or "-", error)  # fmt: skip
        failed = Command(instance, "instance_failed", command.actor, command.now, {}) if instance else None
        if failed is not None and failed._head == command._head:  # nobody moved it on in between
            _incident_write(command, failed, error=error, element=element)
    return engine_failure_text(exc)


def _incident_write(command: Command, failed: Command, *, error: str, element: str) -> None:
    instance = failed.instance
    instance.status = InstanceStatus.FAILED
    instance.failed_at = command.now
    instance.updated_at = command.now
    # What a retry repeats: the command that failed first (a failed retry does not replace it).
    origin = command.retrying or {
        "command": command.name, "args": command.args, "actor_id": getattr(command.actor, "pk", None)
    }  # fmt: skip
    attempts = origin.get("attempts")
    instance.failure = {
        "command": origin.get("command"), "args": origin.get("args") or {}, "actor_id": origin.get("actor_id"),
        "error": error, "element": element, "at": command.now.isoformat(),
        "attempts": (attempts if isinstance(attempts, int) else 0) + 1,
    }  # fmt: skip
    failed.changed("status", "failed_at", "updated_at", "failure")
    events.instance_failed(
        instance, actor=command.actor, at=command.now, command=command.name, args=command.args, error=error,
        element=element,
    )  # fmt: skip
    _save(failed)


@contextmanager
def instance_command(
    instance_id: int | None = None, *, name: str, actor: Any = None, now: datetime | None = None,
    args: dict[str, Any] | None = None, skip_locked: bool = False, allow_failed: bool = False,
    step: int | None = None, created: ProcessInstance | None = None,
) -> Iterator[Command]:  # fmt: skip
    """Lock the request, hand the body a Command, save on the way out; an engine failure becomes an incident.

    `step` (instead of `instance_id`): the request of this human task (NotFound names the step).
    `skip_locked`: raise InstanceBusy at once when another worker holds the row (sweeps).
    `allow_failed`: the command may act on an incident (retry, cancel, a letter signed before it).
    `created` (instead of `instance_id`): a request this transaction has just inserted, with its
    definition, village and office attached; no other transaction sees it, so it is not read again.
    """
    now = now or timezone.now()
    if created is not None and not connection.in_atomic_block:
        raise ValueError("a created request is handed over inside the transaction that inserted it")
    try:
        with transaction.atomic():
            instance = created if created is not None else _lock(instance_id, skip_locked=skip_locked, step=step)
            if instance is None:
                if step is not None:
                    raise NotFound(_("Langkah tidak ditemukan."))
                if skip_locked and ProcessInstance.objects.filter(pk=int(instance_id or 0)).exists():
                    raise InstanceBusy(instance_id)
                raise NotFound(_("Permohonan tidak ditemukan."))
            if instance.status == InstanceStatus.FAILED and not allow_failed:
                raise Conflict(
                    _("Permohonan ini sedang terhenti karena gangguan proses; administrator sedang menanganinya.")
                )
            office_check(actor, instance)  # a member of another office's staff acts on nothing here
            command = Command(instance, name, actor, now, dict(args or {}))
            try:
                # BPMN helpers count in its office's calendar (read once, or reused at the same version).
                with calendar_of_office(instance.office_id, version=instance.office.calendar_changed_at):
                    yield command
                    _save(command)
                    for saved in command._saved:
                        saved()
            except _NOT_FAILURES:
                raise
            except engine.EngineError as exc:
                raise _EngineFailed(command, exc) from exc  # out of the transaction: all of it is undone
    except _EngineFailed as failed:
        raise ProcessFailed(_failure_record(failed.command, failed.cause)) from failed.cause
    for callback in command._after:
        callback()


def sandbox_outside_the_lock(service: _F) -> _F:
    """Run the service so that diagram code needing the sandbox never runs while the request is locked.

    The command goes as far as the first such code, is undone (SandboxDeferred leaves its
    transaction), the code runs with no lock held, and the service runs again from the start: the
    same inputs at the same moment (`now` is fixed on the first round) find the answer at once.
    Diagrams without such code (all of the catalogue's today) run once, as before. Called inside
    an outer transaction, the rounds still happen but the outer locks stay held.
    """

    @functools.wraps(service)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if engine.sandbox_deferring_now():  # a service called by another: the outer one settles
            return service(*args, **kwargs)
        if kwargs.get("now") is None:
            kwargs["now"] = timezone.now()
        with engine.sandbox_deferring() as deferral:
            for _ in range(MAX_SANDBOX_ROUNDS):
                try:
                    return service(*args, **kwargs)
                except engine.SandboxDeferred as pending:
                    deferral.settle(pending)
            deferral.active = False
            return service(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
