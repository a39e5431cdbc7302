"""Writes of the workflow app. Each public function is one transaction.

Lock order: the ProcessInstance row first (select_for_update), then its human-task and timer
rows. Every command re-reads the rows it checks after taking the lock. On SQLite the write
transaction is IMMEDIATE (see settings), which serializes writers the same way.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

import engine
from portal.accounts.enums import RoleCode
from portal.accounts.selectors import user_roles
from portal.catalogue.enums import AuthorityStatus
from portal.catalogue.models import AuthorityRule
from portal.catalogue.selectors import authority_data, authority_in_force
from portal.catalogue.services import refusal_record
from portal.documents.selectors import missing_requirements
from portal.notifications.enums import NotificationKind
from portal.notifications.services import notifications_queue, officer_recipients

from . import events
from .applicant import ApplicantInvalid, applicant_clean
from .enums import OPEN_HUMAN_TASK, HumanTaskStatus, InstanceStatus
from .errors import Conflict, InvalidInput, NotAllowed, NotFound, ProcessFailed
from .messages import form_errors_text
from .models import HumanTask, ProcessDefinition, ProcessInstance, TimerSchedule
from .pins import pin_new

log = logging.getLogger(__name__)

_TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


# --- definitions -------------------------------------------------------------------------------

_CACHE_LOCK = threading.Lock()
_DEFINITIONS: OrderedDict[tuple[int, str], engine.Definition] = OrderedDict()
_CACHE_SIZE = 64


def definition_runtime(definition: ProcessDefinition) -> engine.Definition:
    """The engine Definition of a stored version, built from its stored spec once per process."""
    key = (definition.pk, definition.sha256)
    with _CACHE_LOCK:
        cached = _DEFINITIONS.get(key)
        if cached is not None:
            _DEFINITIONS.move_to_end(key)
            return cached
    built = engine.definition_from_dict(definition.spec_json)
    with _CACHE_LOCK:
        _DEFINITIONS[key] = built
        while len(_DEFINITIONS) > _CACHE_SIZE:
            _DEFINITIONS.popitem(last=False)
    return built


@dataclass(frozen=True)
class DeployResult:
    definition: ProcessDefinition
    changed: bool


def definitions_deploy(
    *, files: list[tuple[str, bytes]], deployed_by: Any = None, now: datetime | None = None
) -> list[DeployResult]:
    """Lint every file, then deploy each changed one as a new version; all or nothing."""
    now = now or timezone.now()
    built: list[tuple[bytes, engine.Definition]] = []
    problems: list[engine.Problem] = []
    for filename, source in files:
        try:
            built.append((source, engine.load_definition(source, filename)))
        except engine.DefinitionError as exc:
            problems.extend(exc.problems)
    if problems:
        raise engine.DefinitionError(problems)
    results = []
    with transaction.atomic():
        for source, definition in built:
            results.append(_definition_deploy_one(source=source, definition=definition, by=deployed_by, now=now))
    return results


def _definition_deploy_one(*, source: bytes, definition: engine.Definition, by: Any, now: datetime) -> DeployResult:
    versions = ProcessDefinition.objects.select_for_update().filter(code=definition.code)
    active = versions.filter(is_active=True).first()
    if active is not None and active.sha256 == definition.sha256:
        return DeployResult(active, changed=False)
    versions.filter(is_active=True).update(is_active=False)
    same = versions.filter(sha256=definition.sha256).first()
    if same is not None:
        # Content identical to an earlier version: reactivate it rather than duplicate it.
        same.is_active = True
        same.save(update_fields=["is_active"])
        return DeployResult(same, changed=True)
    last = versions.order_by("-version").values_list("version", flat=True).first() or 0
    row = ProcessDefinition.objects.create(
        code=definition.code,
        name=definition.name[:200],
        version=last + 1,
        sha256=definition.sha256,
        bpmn_source=source.decode("utf-8", errors="replace"),
        spec_json=engine.definition_to_dict(definition),
        deployed_by=by,
        deployed_at=now,
        is_active=True,
    )
    return DeployResult(row, changed=True)


# --- persistence of one instance -----------------------------------------------------------------


def instance_lock(instance_id: int) -> ProcessInstance | None:
    """Lock an instance row for a command of another app (call inside transaction.atomic()).

    Whoever appends events must save `last_event_seq` and `last_event_hash` afterwards.
    """
    return _lock_instance(instance_id)


def _lock_instance(instance_id: int, *, skip_locked: bool = False) -> ProcessInstance | None:
    skip = skip_locked and connection.features.has_select_for_update_skip_locked
    qs = ProcessInstance.objects.select_for_update(skip_locked=skip, of=("self",))
    # The definition's blobs are only needed on a cache miss in definition_runtime (loaded lazily then).
    qs = qs.select_related("definition").defer("definition__spec_json", "definition__bpmn_source")
    return qs.filter(pk=instance_id).first()


def _load(instance: ProcessInstance) -> engine.Instance:
    definition = definition_runtime(instance.definition)
    try:
        return engine.Instance.restore(definition, instance.state)
    except (ValueError, KeyError, TypeError) as exc:
        log.exception("instance %s: stored state cannot be loaded", instance.tracking_number)
        raise ProcessFailed(_("Status permohonan tidak dapat dimuat.")) from exc


def _persist(instance: ProcessInstance, running: engine.Instance, *, now: datetime, ready_before: set[str]) -> None:
    """Write state, human-task rows, timer rows and effect events after a command.

    `ready_before` holds the guids of the open human-task rows before the command (minus one
    the command itself closed): rows mirror the engine's ready set, so only the difference is written.
    """
    instance.state = running.dump()
    instance.serializer_version = engine.SERIALIZER_VERSION
    instance.updated_at = now
    finished = running.status is engine.InstanceStatus.COMPLETED and instance.status != InstanceStatus.COMPLETED
    if finished:
        instance.status = InstanceStatus.COMPLETED
        instance.completed_at = now
        end = running.end_event()
        if end is not None:
            instance.outcome_bpmn_id, instance.outcome_name = end[0], end[1][:200]

    ready = {h.guid: h for h in running.ready_human_tasks()}
    _sla_pause_or_resume(instance, with_applicant=any(h.role == RoleCode.PEMOHON for h in ready.values()), now=now)
    gone = ready_before - ready.keys()
    if gone:
        for row in HumanTask.objects.filter(instance=instance, task_guid__in=gone, status__in=OPEN_HUMAN_TASK):
            row.status = HumanTaskStatus.CANCELLED
            row.completed_at = now
            row.save(update_fields=["status", "completed_at"])
            events.human_task_cancelled(
                instance, at=now, payload={"human_task_id": row.pk, "task_guid": row.task_guid, "bpmn_id": row.bpmn_id}
            )
    for guid, info in ready.items():
        if guid in ready_before:
            continue
        try:
            due_at = engine.step_due(running.definition, info.bpmn_id, running.data, now=now)
        except engine.EngineError as exc:
            raise _engine_failure(exc) from exc
        row = HumanTask.objects.create(
            instance=instance, task_guid=guid, bpmn_id=info.bpmn_id, name=info.name[:200],
            role=info.role or "", form=info.form.to_list(), created_at=now, due_at=due_at,
        )  # fmt: skip
        if info.role == RoleCode.PEMOHON:
            notifications_queue(
                instance=instance, kind=NotificationKind.RETURNED, key=guid, now=now,
                detail=", ".join(missing_requirements(instance)),
            )  # fmt: skip
        events.human_task_created(
            instance, at=now,
            payload={"human_task_id": row.pk, "task_guid": guid, "bpmn_id": info.bpmn_id, "role": info.role,
                     "due_at": due_at.isoformat() if due_at else None},
        )  # fmt: skip

    if running.definition.has_timers:
        _sync_timers(instance, running, now=now)

    if finished:
        events.instance_completed(
            instance, at=now, payload={"end_event": instance.outcome_bpmn_id, "end_name": instance.outcome_name}
        )
    instance.save(update_fields=_INSTANCE_COMMAND_FIELDS)


_INSTANCE_COMMAND_FIELDS = [
    "state", "serializer_version", "updated_at", "status", "completed_at", "outcome_bpmn_id", "outcome_name",
    "last_event_seq", "last_event_hash", "sla_working_days", "sla_started_at", "sla_due_at", "sla_paused_since",
    "sla_paused_seconds",
]  # fmt: skip


def _sla_start(instance: ProcessInstance, *, now: datetime) -> None:
    """Start the service-level clock: due after the published standard's working days."""
    from portal.catalogue.selectors import service_working_days
    from portal.officecalendar.selectors import office_calendar

    days = service_working_days(instance.definition.code)
    if days is None or instance.sla_started_at is not None:
        return
    instance.sla_working_days = days
    instance.sla_started_at = now
    instance.sla_due_at = office_calendar().add_working_days(now, days)


def _sla_pause_or_resume(instance: ProcessInstance, *, with_applicant: bool, now: datetime) -> None:
    """The clock stops while the file is back with the applicant and the due time moves on by that time."""
    if instance.sla_started_at is None or instance.sla_due_at is None:
        return
    if with_applicant and instance.sla_paused_since is None and instance.status == InstanceStatus.RUNNING:
        instance.sla_paused_since = now
    elif not with_applicant and instance.sla_paused_since is not None:
        from portal.officecalendar.selectors import office_calendar

        calendar = office_calendar()
        paused = calendar.working_time_between(instance.sla_paused_since, now)
        instance.sla_paused_seconds += int(paused.total_seconds())
        if paused.total_seconds() > 0:
            instance.sla_due_at = calendar.add_working_hours(instance.sla_due_at, paused.total_seconds() / 3600)
        instance.sla_paused_since = None


def _sync_timers(instance: ProcessInstance, running: engine.Instance, *, now: datetime) -> None:
    """Mirror the engine's armed timers into TimerSchedule rows (the sweep's index)."""
    timers = running.waiting_timers()
    bpmn_ids = {t.guid: t.bpmn_id for t in timers}
    waiting = {t.guid: t.due_at for t in timers if t.due_at is not None}
    armed = {t.task_guid: t for t in TimerSchedule.objects.filter(instance=instance, fired_at=None, cancelled_at=None)}
    for guid, timer_row in armed.items():
        if guid not in waiting:
            timer_row.cancelled_at = now
            timer_row.save(update_fields=["cancelled_at"])
    for guid, due_at in waiting.items():
        existing = armed.get(guid)
        if existing is None:
            TimerSchedule.objects.update_or_create(
                instance=instance, task_guid=guid,
                defaults={"bpmn_id": bpmn_ids[guid], "due_at": due_at, "fired_at": None, "cancelled_at": None},
            )  # fmt: skip
        elif existing.due_at != due_at:
            existing.due_at = due_at
            existing.save(update_fields=["due_at"])


def _engine_failure(exc: engine.EngineError) -> ProcessFailed:
    element = getattr(exc, "element_id", "")
    log.warning("process could not advance at %s: %s", element, exc)
    return ProcessFailed(_("Proses tidak dapat dilanjutkan pada langkah %(element)s: %(error)s") % {
        "element": element or "-", "error": str(exc)[:300]})  # fmt: skip


# --- requests ------------------------------------------------------------------------------------


def not_available_message(rule: AuthorityRule) -> str:
    """Why a service cannot be served here and where to go instead, in the citizen's words."""
    text = _(
        "Layanan %(name)s tidak dapat diproses di Kecamatan Babulu karena kewenangannya tidak dilimpahkan kepada camat."
    ) % {"name": rule.service.name}
    if rule.office:
        text += " " + _("Silakan mengajukan ke %(office)s.") % {"office": rule.office}
    if rule.note:
        text += " " + rule.note
    return text


def _tracking_number(now: datetime) -> str:
    local = timezone.localtime(now)
    suffix = "".join(secrets.choice(_TRACKING_ALPHABET) for _ in range(6))
    return f"{local:%y%m%d}-{suffix}"


CHANNEL_ONLINE = "online"  # registered on the public page by an applicant without an account


def request_register(
    *, service_code: str, applicant: Any, data: Any, actor: Any, now: datetime | None = None, channel: str = ""
) -> ProcessInstance:
    """Register a citizen's request and start its process (counter officer, the citizen, or online anonymously).

    `actor=None` is accepted only with `channel=CHANNEL_ONLINE` (the caller rate-limits those).
    The returned instance carries the plain tracking PIN in `access_pin` (only its hash is stored).
    """
    now = now or timezone.now()
    roles = user_roles(actor) if actor is not None else set()
    if actor is None and channel != CHANNEL_ONLINE:
        raise NotAllowed(_("Hanya petugas loket atau pemohon yang dapat mendaftarkan permohonan."))
    if actor is not None and not roles & {RoleCode.LOKET, RoleCode.PEMOHON}:
        raise NotAllowed(_("Hanya petugas loket atau pemohon yang dapat mendaftarkan permohonan."))
    rule = authority_in_force(str(service_code), on=timezone.localdate(now))
    if rule is not None and rule.status == AuthorityStatus.NOT_AVAILABLE:
        refusal_record(service=rule.service, rule=rule, actor=actor, now=now)
        raise InvalidInput({"service": [not_available_message(rule)]})
    definition = (
        ProcessDefinition.objects.filter(code=service_code, is_active=True).defer("spec_json", "bpmn_source").first()
    )
    if definition is None:
        raise InvalidInput({"service": [_("Layanan '%(code)s' tidak tersedia.") % {"code": str(service_code)[:64]}]})
    errors: dict[str, Any] = {}
    try:
        applicant_values, village = applicant_clean(applicant)
    except ApplicantInvalid as exc:
        errors["applicant"] = exc.errors
    runtime = definition_runtime(definition)
    try:
        cleaned = engine.validate_start_data(runtime, data)
    except engine.FormValidationError as exc:
        errors["data"] = form_errors_text(exc.errors)
    if errors:
        raise InvalidInput(errors)
    initial = {
        **cleaned,
        "applicant": applicant_values,
        "authority": authority_data(rule),
    }
    try:
        running = engine.Instance.start(runtime, initial, now=now)
    except engine.EngineError as exc:
        raise _engine_failure(exc) from exc
    is_citizen = RoleCode.PEMOHON in roles and RoleCode.LOKET not in roles
    # Hashing is deliberately slow: done before the transaction so no lock is held meanwhile.
    pin, pin_hash = pin_new()
    for _attempt in range(5):
        tracking_number = _tracking_number(now)
        try:
            with transaction.atomic():
                instance = ProcessInstance.objects.create(
                    tracking_number=tracking_number,
                    definition=definition,
                    applicant_nik=applicant_values["nik"],
                    applicant_kk=applicant_values.get("kk", ""),
                    applicant_name=applicant_values["name"],
                    applicant_village=village,
                    applicant_phone=applicant_values.get("phone", ""),
                    applicant_user=actor if is_citizen else None,
                    registered_by=actor,
                    request_data=cleaned,
                    access_pin_hash=pin_hash,
                    state={},
                    serializer_version=engine.SERIALIZER_VERSION,
                    created_at=now,
                    updated_at=now,
                )
                events.instance_started(
                    instance, actor=actor, at=now,
                    payload={
                        "definition_id": definition.pk, "service": definition.code, "version": definition.version,
                        "sha256": definition.sha256, "initial_data": initial,
                        **({"channel": channel} if channel else {}),
                    },
                )  # fmt: skip
                _persist(instance, running, now=now, ready_before=set())
                notifications_queue(instance=instance, kind=NotificationKind.REGISTERED, now=now)
                instance.access_pin = pin
                return instance
        except IntegrityError:
            if not ProcessInstance.objects.filter(tracking_number=tracking_number).exists():
                raise
            continue  # tracking number collision: draw another
    raise Conflict(_("Nomor registrasi tidak dapat dibuat; coba lagi."))


def access_pin_reissue(*, tracking_number: str, actor: Any, now: datetime | None = None) -> ProcessInstance:
    """A new tracking PIN for an applicant who lost the receipt (counter only); the old one stops working.

    The returned instance carries the new plain PIN in `access_pin`, to be printed once.
    """
    now = now or timezone.now()
    if RoleCode.LOKET not in user_roles(actor):
        raise NotAllowed(_("Hanya petugas loket yang dapat menerbitkan PIN baru."))
    with transaction.atomic():
        found = ProcessInstance.objects.filter(tracking_number=str(tracking_number)[:32]).values_list("pk", flat=True)
        instance = _lock_instance(found[0]) if found else None
        if instance is None:
            raise NotFound(_("Permohonan tidak ditemukan."))
        pin, digest = pin_new()
        instance.access_pin_hash = digest
        events.pin_reissued(instance, actor=actor, at=now)
        instance.save(update_fields=["access_pin_hash", "last_event_seq", "last_event_hash"])
    instance.access_pin = pin
    return instance


# --- human tasks ---------------------------------------------------------------------------------


def may_act_on(user: Any, human_task: HumanTask, instance: ProcessInstance, *, at: datetime | None = None) -> bool:
    roles = user_roles(user)
    if human_task.role == RoleCode.PEMOHON:
        if instance.applicant_user_id is not None:
            return bool(instance.applicant_user_id == getattr(user, "pk", None))
        return RoleCode.LOKET in roles  # walk-in applicant: the counter records the correction
    return human_task.role in roles or delegation_for(user, human_task, instance, at=at) is not None


def delegation_for(user: Any, human_task: HumanTask, instance: ProcessInstance, *, at: datetime | None = None) -> Any:
    """The signing delegation under which `user` acts on a camat step without holding the camat role."""
    if human_task.role != RoleCode.CAMAT or RoleCode.CAMAT in user_roles(user):
        return None
    from portal.delegation.selectors import active_delegation

    return active_delegation(user, instance.definition.code, at)


def _duty_check(actor: Any, human_task: HumanTask, instance: ProcessInstance) -> None:
    """Separation of duties: whoever completed a "verify" step of the request may not take its "approve" step."""
    definition = definition_runtime(instance.definition)
    if definition.duty_of(human_task.bpmn_id) != engine.DUTY_APPROVE:
        return
    verify_steps = [bpmn_id for bpmn_id in definition.forms if definition.duty_of(bpmn_id) == engine.DUTY_VERIFY]
    if not verify_steps:
        return
    from portal.catalogue.selectors import service_separation_of_duties

    if not service_separation_of_duties(instance.definition.code):
        return
    verified = HumanTask.objects.filter(
        instance=instance, bpmn_id__in=verify_steps, status=HumanTaskStatus.COMPLETED, completed_by=actor
    ).exists()
    if verified:
        raise NotAllowed(
            _("Anda telah memverifikasi permohonan ini, sehingga tidak dapat juga menyetujuinya (pemisahan tugas).")
        )


def _locked_task(
    human_task_id: int, actor: Any, *, applicant_tracking_number: str = "", now: datetime | None = None
) -> tuple[HumanTask, ProcessInstance]:
    # Lock the instance found through the step (one statement), then read the step under the lock.
    instance = (
        ProcessInstance.objects.select_for_update(of=("self",))
        .select_related("definition")
        .defer("definition__spec_json", "definition__bpmn_source")
        .filter(human_tasks__pk=human_task_id)
        .first()
    )
    if instance is None:
        raise NotFound(_("Langkah tidak ditemukan."))
    human_task = HumanTask.objects.get(pk=human_task_id)
    if applicant_tracking_number:
        # The applicant without an account, proven by the tracking PIN: only their own step of that request.
        if (
            actor is not None
            or human_task.role != RoleCode.PEMOHON
            or instance.tracking_number != applicant_tracking_number
        ):
            raise NotAllowed(_("Langkah ini bukan untuk peran Anda."))
    elif not may_act_on(actor, human_task, instance, at=now):
        raise NotAllowed(_("Langkah ini bukan untuk peran Anda."))
    if human_task.status not in OPEN_HUMAN_TASK:
        raise Conflict(_("Langkah ini sudah diselesaikan atau dibatalkan."))
    return human_task, instance


def human_task_claim(*, human_task_id: int, actor: Any, now: datetime | None = None) -> HumanTask:
    """Take a ready step so others see it is being worked on."""
    now = now or timezone.now()
    with transaction.atomic():
        human_task, instance = _locked_task(human_task_id, actor, now=now)
        _duty_check(actor, human_task, instance)
        if human_task.assignee_id == actor.pk:
            return human_task
        if human_task.assignee_id is not None:
            raise Conflict(_("Langkah ini sudah diambil petugas lain."))
        human_task.assignee = actor
        human_task.status = HumanTaskStatus.CLAIMED
        human_task.claimed_at = now
        human_task.save(update_fields=["assignee", "status", "claimed_at"])
        events.human_task_claimed(
            instance, actor=actor, at=now,
            payload={"human_task_id": human_task.pk, "task_guid": human_task.task_guid, "bpmn_id": human_task.bpmn_id},
        )  # fmt: skip
        instance.save(update_fields=["last_event_seq", "last_event_hash"])
        return human_task


def human_task_release(*, human_task_id: int, actor: Any, now: datetime | None = None) -> HumanTask:
    """Give a claimed step back to the role's pool."""
    now = now or timezone.now()
    with transaction.atomic():
        human_task, instance = _locked_task(human_task_id, actor)
        if human_task.assignee_id is None:
            return human_task
        if human_task.assignee_id != actor.pk:
            raise Conflict(_("Langkah ini diambil petugas lain."))
        human_task.assignee = None
        human_task.status = HumanTaskStatus.READY
        human_task.claimed_at = None
        human_task.save(update_fields=["assignee", "status", "claimed_at"])
        events.human_task_released(
            instance, actor=actor, at=now,
            payload={"human_task_id": human_task.pk, "task_guid": human_task.task_guid, "bpmn_id": human_task.bpmn_id},
        )  # fmt: skip
        instance.save(update_fields=["last_event_seq", "last_event_hash"])
        return human_task


def human_task_complete(
    *, human_task_id: int, actor: Any, data: Any, now: datetime | None = None, applicant_tracking_number: str = ""
) -> HumanTask:
    """Complete a step with the data of its form and advance the process.

    `applicant_tracking_number` (with `actor=None`): the applicant's step completed by someone the
    caller let in with the request's tracking PIN; recorded as such in the event.
    """
    now = now or timezone.now()
    with transaction.atomic():
        human_task, instance = _locked_task(
            human_task_id, actor, applicant_tracking_number=applicant_tracking_number, now=now
        )
        if actor is not None:
            _duty_check(actor, human_task, instance)
        if human_task.assignee_id is not None and human_task.assignee_id != getattr(actor, "pk", None):
            raise Conflict(_("Langkah ini sedang dikerjakan petugas lain."))
        delegation = delegation_for(actor, human_task, instance, at=now) if actor is not None else None
        running = _load(instance)
        ready_before = {h.guid for h in running.ready_human_tasks()} - {human_task.task_guid}
        try:
            cleaned = running.complete_human_task(human_task.task_guid, data, now=now)
        except engine.FormValidationError as exc:
            raise InvalidInput({"data": form_errors_text(exc.errors)}) from exc
        except engine.HumanTaskNotReady as exc:
            raise Conflict(_("Langkah ini tidak lagi menunggu.")) from exc
        except engine.EngineError as exc:
            raise _engine_failure(exc) from exc
        human_task.status = HumanTaskStatus.COMPLETED
        human_task.assignee = human_task.assignee or actor
        human_task.completed_at = now
        human_task.completed_by = actor
        human_task.completed_data = cleaned
        human_task.save(update_fields=["status", "assignee", "completed_at", "completed_by", "completed_data"])
        events.human_task_completed(
            instance, actor=actor, at=now,
            payload={
                "human_task_id": human_task.pk, "task_guid": human_task.task_guid, "bpmn_id": human_task.bpmn_id,
                "role": human_task.role, "data": cleaned,
                **({"by": "applicant_tracking_pin"} if applicant_tracking_number else {}),
                **({"on_behalf_of": {"username": delegation.principal.get_username(), "kind": delegation.kind,
                                     "delegation_id": delegation.pk}} if delegation is not None else {}),
            },
        )  # fmt: skip
        letter_id = _letter_if_due(instance, running, human_task, actor=actor, now=now, delegation=delegation)
        try:
            declared_complete = engine.clock_starts(running.definition, human_task.bpmn_id, {**running.data, **cleaned})
        except engine.EngineError as exc:
            raise _engine_failure(exc) from exc
        if declared_complete:
            _sla_start(instance, now=now)
        _persist(instance, running, now=now, ready_before=ready_before)
    if letter_id is not None:
        # The PDF is drawn after the signing has committed, with no lock held.
        from portal.letters.services import letter_render_after_commit

        letter_render_after_commit(letter_id)
    return human_task


def _letter_if_due(
    instance: ProcessInstance, running: engine.Instance, human_task: HumanTask, *, actor: Any, now: datetime,
    delegation: Any = None,
) -> int | None:  # fmt: skip
    """Number the service's letter when the completed step is the signing one and its condition holds."""
    data = {**running.data, **(human_task.completed_data or {})}
    try:
        due = engine.letter_due(running.definition, human_task.bpmn_id, data)
    except engine.EngineError as exc:
        raise _engine_failure(exc) from exc
    if not due:
        return None
    from portal.letters.services import capacity_for, letter_issue, signer_position

    letter = letter_issue(
        instance=instance, human_task=human_task, signer=actor, capacity=capacity_for(actor, delegation=delegation),
        data=data, now=now, position=signer_position(actor),
    )  # fmt: skip
    events.letter_numbered(
        instance, actor=actor, at=now,
        payload={"letter_id": letter.pk, "number": letter.number, "capacity": letter.signer_capacity,
                 "human_task_id": human_task.pk},
    )  # fmt: skip
    return int(letter.pk)


# --- timers --------------------------------------------------------------------------------------


def instance_timers_fire(*, instance_id: int, now: datetime) -> int:
    """Fire the due timers of one instance; 0 when another worker holds it or nothing is due."""
    with transaction.atomic():
        instance = _lock_instance(instance_id, skip_locked=True)
        if instance is None or instance.status != InstanceStatus.RUNNING:
            return 0
        due = TimerSchedule.objects.filter(instance=instance, fired_at=None, cancelled_at=None, due_at__lte=now)
        if not due.exists():
            return 0  # another sweep got here first
        running = _load(instance)
        ready_before = {h.guid for h in running.ready_human_tasks()}
        try:
            fired = running.fire_due_timers(now=now)
        except engine.EngineError as exc:
            raise _engine_failure(exc) from exc
        for timer in fired:
            TimerSchedule.objects.filter(instance=instance, task_guid=timer.guid).update(fired_at=now)
            events.timer_fired(
                instance, at=now,
                payload={"task_guid": timer.guid, "bpmn_id": timer.bpmn_id,
                         "due_at": timer.due_at.isoformat() if timer.due_at else None},
            )  # fmt: skip
        _persist(instance, running, now=now, ready_before=ready_before)
        for timer in fired:
            if timer.bpmn_id in running.definition.reminders:
                _remind(instance, timer.guid, *running.definition.reminders[timer.bpmn_id], now=now)
        return len(fired)


def _remind(
    instance: ProcessInstance, timer_guid: str, step_bpmn_id: str, roles: tuple[str, ...], *, now: datetime
) -> None:
    """A reminder timer fired: tell whoever holds the step it watches (and any extra roles named)."""
    step = HumanTask.objects.filter(instance=instance, bpmn_id=step_bpmn_id, status__in=OPEN_HUMAN_TASK).first()
    if step is None:
        return
    recipients = officer_recipients(role=step.role, assignee=step.assignee)
    for role in roles:
        recipients += officer_recipients(role=role)
    notifications_queue(
        instance=instance, kind=NotificationKind.REMINDER, key=f"remind:{timer_guid}:{now:%Y%m%dT%H%M%S}",
        detail=step.name, now=now, recipients=list(dict.fromkeys(recipients)),
    )  # fmt: skip


def timers_fire_due(*, now: datetime | None = None, batch: int = 200, budget_seconds: float | None = None) -> int:
    """One sweep: fire every timer due by `now`, batch after batch, oldest first.

    Safe beside other sweeps on other workers: an instance another sweep holds is skipped (it is
    that sweep's), and firing re-checks under the row lock, so no timer fires twice. A failing
    instance is logged and left for the next sweep; it never stops the others. With a budget the
    sweep stops after that many seconds and leaves the rest to the next one.
    """
    now = now or timezone.now()
    deadline = None if budget_seconds is None else time.monotonic() + budget_seconds
    due = TimerSchedule.objects.filter(fired_at=None, cancelled_at=None, due_at__lte=now).order_by("due_at", "id")
    cursor: tuple[datetime, int] | None = None
    fired = 0
    while deadline is None or time.monotonic() < deadline:
        page = due
        if cursor is not None:
            page = due.filter(Q(due_at__gt=cursor[0]) | Q(due_at=cursor[0], id__gt=cursor[1]))
        rows = list(page.values_list("due_at", "id", "instance_id")[:batch])
        if not rows:
            break
        cursor = rows[-1][0], rows[-1][1]
        for instance_id in dict.fromkeys(row[2] for row in rows):
            try:
                fired += instance_timers_fire(instance_id=instance_id, now=now)
            except Exception:
                log.exception("timer sweep: instance %s failed; continuing with the others", instance_id)
            if deadline is not None and time.monotonic() >= deadline:
                break
    return fired


# --- late work -----------------------------------------------------------------------------------


def overdue_notify(*, now: datetime | None = None, limit: int = 500) -> int:
    """One sweep: tell the officers of each late step, and the applicant of each late request, once.

    A step is late once its `paten.due` time has passed while it is still open: whoever claimed it
    is told, else every active holder of its role. A request is late once its expected completion
    date has passed while the file is with the office (not paused). Safe on several workers.
    """
    now = now or timezone.now()
    told = 0
    late_steps = HumanTask.objects.filter(status__in=OPEN_HUMAN_TASK, due_at__lt=now, overdue_notified_at=None)
    for step_id in list(late_steps.order_by("due_at").values_list("id", flat=True)[:limit]):
        with transaction.atomic():
            step = (
                HumanTask.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("instance__definition", "assignee")
                .filter(pk=step_id, status__in=OPEN_HUMAN_TASK, overdue_notified_at=None)
                .first()
            )
            if step is None:
                continue  # another sweep has it, or it was completed meanwhile
            notifications_queue(
                instance=step.instance, kind=NotificationKind.STEP_OVERDUE, key=f"step:{step.task_guid}",
                detail=step.name, now=now, recipients=officer_recipients(role=step.role, assignee=step.assignee),
            )  # fmt: skip
            step.overdue_notified_at = now
            step.save(update_fields=["overdue_notified_at"])
            told += 1
    late_requests = ProcessInstance.objects.filter(
        status=InstanceStatus.RUNNING, sla_due_at__lt=now, sla_paused_since=None, sla_overdue_notified_at=None
    )
    for instance_id in list(late_requests.order_by("sla_due_at").values_list("id", flat=True)[:limit]):
        with transaction.atomic():
            instance = (
                ProcessInstance.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("definition")
                .filter(pk=instance_id, status=InstanceStatus.RUNNING, sla_overdue_notified_at=None)
                .first()
            )
            if instance is None or instance.sla_due_at is None or instance.sla_paused_since is not None:
                continue
            due = formats.date_format(timezone.localtime(instance.sla_due_at), "DATE_FORMAT")
            notifications_queue(instance=instance, kind=NotificationKind.OVERDUE, key="request", detail=due, now=now)
            ProcessInstance.objects.filter(pk=instance.pk).update(sla_overdue_notified_at=now)
            told += 1
    return told
