"""Reads for moving running requests onto another version: the dry run's verdict on each request.

A verdict is the engine's migration plan (engine/migration.py) for the request's stored state against
the target version, in words an officer reads: safe, or refused with the step it waits at and why.
Nothing is locked or written: a request may move on between the dry run and the move, which is
why the move checks again under the request's lock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F
from django.utils.translation import gettext as _

import engine
from portal.core.errors import Conflict, NotFound

from .definitions import definition_runtime
from .enums import InstanceStatus
from .models import InstanceMigration, ProcessDefinition, ProcessInstance


@dataclass(frozen=True)
class Verdict:
    instance_id: int
    tracking_number: str
    applicant_name: str
    waiting: tuple[str, ...]  # the names of the steps (timers, messages) it waits at
    reasons: tuple[str, ...]  # why it may not move; empty when it may

    @property
    def safe(self) -> bool:
        return not self.reasons


def refusal_text(refusal: engine.Refusal) -> str:
    if refusal.code == "removed":
        return _("langkah yang ditunggunya (%(name)s) tidak ada lagi di versi tujuan") % {"name": refusal.name}
    return _("langkah yang ditunggunya (%(name)s) berubah jenis, peran atau formulirnya di versi tujuan") % {
        "name": refusal.name
    }


def target_check(source: ProcessDefinition, target: ProcessDefinition) -> None:
    """Conflict unless `target` is another version of the same service."""
    if target.code != source.code:
        raise Conflict(_("Versi tujuan adalah layanan lain (%(code)s).") % {"code": target.code})
    if target.pk == source.pk:
        raise Conflict(_("Permohonan ini sudah berjalan pada versi %(version)s.") % {"version": target.version})


def version_of(code: str, version: int) -> ProcessDefinition:
    found = ProcessDefinition.objects.filter(code=str(code), version=int(version)).first()
    if found is None:
        raise NotFound(_("Layanan %(code)s versi %(version)s tidak ditemukan.") % {"code": code, "version": version})
    return found


def verdict_of(instance: ProcessInstance, target: ProcessDefinition, runtime: engine.Definition) -> Verdict:
    """The verdict on one request as it is stored now."""
    names: tuple[str, ...] = ()
    if instance.status != InstanceStatus.RUNNING or instance.archived_at is not None:
        reasons: tuple[str, ...] = (_("permohonan ini tidak sedang berjalan (%(status)s)") % {
            "status": instance.get_status_display()},)  # fmt: skip
    else:
        try:
            running = engine.Instance.restore(definition_runtime(instance.definition), instance.state)
            plan = engine.migration_plan(running, runtime)
        except (engine.EngineError, ValueError, KeyError, TypeError, AttributeError) as exc:
            reasons = (_("keadaannya tidak dapat dibaca: %(why)s") % {"why": str(exc)[:200]},)
        else:
            reasons = tuple(refusal_text(r) for r in plan.refusals)
            names = plan.waiting_names
    return Verdict(instance.pk, instance.tracking_number, instance.applicant_name, names, reasons)


def migration_dry_run(
    source: ProcessDefinition, target: ProcessDefinition, *, instance_ids: Iterable[int] | None = None
) -> list[Verdict]:
    """Every running request of `source` (or those of `instance_ids` among them), oldest first, with
    its verdict on moving onto `target`."""
    target_check(source, target)
    runtime = definition_runtime(target)
    rows = ProcessInstance.objects.filter(definition=source, status=InstanceStatus.RUNNING, archived_at=None)
    if instance_ids is not None:
        rows = rows.filter(pk__in=[int(i) for i in instance_ids])
    rows = rows.select_related("definition").defer("definition__spec_json", "definition__bpmn_source")
    rows = rows.order_by("created_at", "id")
    return [verdict_of(instance, target, runtime) for instance in rows]


def moves_undoable(target: ProcessDefinition) -> list[InstanceMigration]:
    """Requests moved onto `target` whose move may still be undone (nothing new has happened on them)."""
    rows = (
        InstanceMigration.objects.filter(to_definition=target, reverted_at=None, instance__definition=target,
                                         instance__status=InstanceStatus.RUNNING)
        .select_related("instance", "migrated_by")
        .order_by("-migrated_at", "-id")
    )  # fmt: skip
    return list(rows.filter(instance__last_event_seq=F("head_seq"))[:500])
