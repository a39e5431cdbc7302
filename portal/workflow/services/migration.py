"""Moving running requests onto another version of their service, and undoing a move.

Each request moves in its own command (its row locked, its own transaction): the engine checks
again, under the lock, that everything it waits at is unchanged in the target version
(engine.migration_plan), moves its workflow (waiting steps keep their ids, timers their due times),
and the command writes the state and mirror rows as for any step. The open steps' rows take what
the new version declares of them (name, duties, letter, due time counted from when each opened).
An `instance_migrated` event records from and to (version and fingerprint) and who; the state it
had is kept beside (InstanceMigration) so the move can be undone while nothing new has happened on
the request. Moving many is many such commands: one that is refused or fails leaves the others moved
and itself unchanged.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import DatabaseError
from django.utils.translation import gettext as _

import engine
from portal.accounts.enums import RoleCode
from portal.accounts.selectors import user_roles
from portal.core.errors import Conflict, NotAllowed, NotFound, ServiceError

from .. import events
from ..commands import Command, instance_command
from ..definitions import definition_runtime, step_properties
from ..enums import InstanceStatus
from ..migration_plans import refusal_text, target_check
from ..models import HumanTask, InstanceMigration, ProcessDefinition, ProcessInstance

log = logging.getLogger(__name__)


def _designer_only(actor: Any) -> None:
    """A person moves requests only as a process designer or administrator (None: the server's command)."""
    if actor is not None and not user_roles(actor) & {RoleCode.PERANCANG, RoleCode.ADMIN}:
        raise NotAllowed(_("Hanya perancang proses dan administrator yang dapat memindahkan permohonan."))


def _open_steps_follow(command: Command, runtime: engine.Definition) -> None:
    """The open steps' rows carry what the new version declares of them; a step's due time is counted
    again from when it opened (its clock does not restart)."""
    for row in command.open_steps().values():
        name = runtime.spec.task_specs.get(row.bpmn_id)
        values: dict[str, Any] = {
            "properties": step_properties(runtime, row.bpmn_id),
            "due_at": engine.step_due(runtime, row.bpmn_id, row.data, now=row.created_at),
        }
        label = getattr(name, "bpmn_name", None)
        if label:
            values["name"] = str(label)[:200]
        changed = {key: value for key, value in values.items() if getattr(row, key) != value}
        if changed:
            for key, value in changed.items():
                setattr(row, key, value)
            HumanTask.objects.filter(pk=row.pk).update(**changed)


def instance_migrate(
    *, instance_id: int, to_definition_id: int, actor: Any = None, now: datetime | None = None
) -> InstanceMigration:
    """Move one running request onto another version of its service; Conflict (with the reason) and
    nothing changed when it may not move."""
    _designer_only(actor)
    # Its blobs only on a cache miss in definition_runtime: many requests move to the same version.
    target = ProcessDefinition.objects.filter(pk=int(to_definition_id)).defer("bpmn_source", "spec_json").first()
    if target is None:
        raise NotFound(_("Versi tujuan tidak ditemukan."))
    with instance_command(
        instance_id, name="instance_migrate", actor=actor, now=now, args={"to_definition_id": target.pk}
    ) as command:
        instance, source = command.instance, command.instance.definition
        target_check(source, target)
        if instance.status != InstanceStatus.RUNNING:
            raise Conflict(_("Hanya permohonan yang sedang berjalan yang dapat dipindahkan."))
        state_before, format_before = (
            copy.deepcopy(instance.state),
            instance.serializer_version,
        )  # restoring consumes it
        plan = _moved(command, runtime := definition_runtime(target))
        events.instance_migrated(
            instance, actor=actor, at=command.now, from_definition=source, to_definition=target,
            waiting=list(plan.waiting),
        )  # fmt: skip
        migrated_seq = events.head_seq(instance)
        instance.definition = target
        command.changed("definition")
        command.workflow_changed()
        _open_steps_follow(command, runtime)
        record = InstanceMigration(
            instance=instance, from_definition=source, to_definition=target, state_before=state_before,
            serializer_version_before=format_before, migrated_by=_user(actor), migrated_at=command.now,
            migrated_seq=migrated_seq, head_seq=migrated_seq,
        )  # fmt: skip

        def keep() -> None:  # once the command's events are written: the head a revert must find
            record.head_seq = events.head_seq(instance)
            record.save()

        command.after_save(keep)
    return record


def _moved(command: Command, runtime: engine.Definition) -> engine.MigrationPlan:
    """Move the command's workflow onto `runtime`; Conflict when it may not move or the move fails
    (the command's transaction is then undone whole: the request stays as it was, and is not made an
    incident, since nothing went wrong on the version it runs on)."""
    try:
        plan = command.workflow.migrate_to(runtime, now=command.now)
    except Conflict:
        raise
    except Exception as exc:  # the engine, or SpiffWorkflow's migration, could not move this state
        raise Conflict(_("Permohonan ini tidak dapat dipindahkan: %(why)s") % {"why": str(exc)[:300]}) from exc
    if not plan.safe:
        raise Conflict("; ".join(refusal_text(r) for r in plan.refusals))
    return plan


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def instance_migration_revert(*, instance_id: int, actor: Any = None, now: datetime | None = None) -> ProcessInstance:
    """Undo the request's last move while nothing new has happened on it: its version and state go back."""
    _designer_only(actor)
    with instance_command(instance_id, name="instance_migration_revert", actor=actor, now=now) as command:
        instance = command.instance
        record = (
            InstanceMigration.objects.select_related("from_definition")
            .filter(instance=instance, reverted_at=None)
            .order_by("-id")
            .first()
        )
        if record is None or record.to_definition_id != instance.definition_id:
            raise Conflict(_("Permohonan ini tidak baru saja dipindahkan; tidak ada yang dapat dikembalikan."))
        if record.head_seq != events.head_seq(instance) or instance.status != InstanceStatus.RUNNING:
            raise Conflict(_("Permohonan ini sudah bergerak sejak dipindahkan; pemindahannya tidak dapat dibatalkan."))
        previous = record.from_definition
        try:
            restored = engine.Instance.restore(definition_runtime(previous), record.state_before)
        except Exception as exc:  # the kept state no longer loads: the request stays where it is
            raise Conflict(
                _("Keadaan sebelum dipindahkan tidak dapat dimuat: %(why)s") % {"why": str(exc)[:300]}
            ) from exc
        command.workflow_replace(restored)
        events.instance_migration_reverted(
            instance, actor=actor, at=command.now, from_definition=instance.definition, to_definition=previous,
            migrated_seq=record.migrated_seq,
        )  # fmt: skip
        instance.definition = previous
        command.changed("definition")
        _open_steps_follow(command, definition_runtime(previous))
        record.reverted_at, record.reverted_by = command.now, _user(actor)
        record.save(update_fields=["reverted_at", "reverted_by"])
    return command.instance


@dataclass
class MigrationReport:
    """What moving many requests did: each one moved, refused (with why) or failed (the engine's words)."""

    moved: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)


def instances_migrate(
    *, instance_ids: Iterable[int], to_definition_id: int, actor: Any = None, now: datetime | None = None
) -> MigrationReport:
    """Move each request in its own command; one refused or failing leaves the others moved."""
    _designer_only(actor)
    report = MigrationReport()
    numbers = dict(ProcessInstance.objects.filter(pk__in=[int(i) for i in instance_ids]).values_list(
        "pk", "tracking_number"))  # fmt: skip
    for instance_id in [int(i) for i in instance_ids]:
        number = numbers.get(instance_id, str(instance_id))
        try:
            instance_migrate(instance_id=instance_id, to_definition_id=to_definition_id, actor=actor, now=now)
        except ServiceError as exc:
            report.refused[number] = str(exc)
        except DatabaseError as exc:  # its rows disagree with its state: it alone stays as it was
            log.exception("request %s could not be moved", number)
            report.refused[number] = _("Permohonan ini tidak dapat dipindahkan: %(why)s") % {"why": str(exc)[:300]}
        else:
            report.moved.append(number)
    return report
