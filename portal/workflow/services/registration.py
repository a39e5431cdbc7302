"""Registering a citizen's request (counter, the citizen's account, or online without one) and its PIN."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import engine
from portal.accounts.enums import RoleCode
from portal.accounts.selectors import user_roles
from portal.catalogue.enums import AuthorityStatus
from portal.catalogue.models import AuthorityRule
from portal.catalogue.selectors import authority_data, authority_in_force, not_available_message
from portal.catalogue.services import refusal_record
from portal.core.errors import Conflict, InvalidInput, NotAllowed, NotFound, ProcessFailed
from portal.core.prepared import PreparedQuery, rows_insert
from portal.directory.applicant import ApplicantInvalid, applicant_clean
from portal.directory.models import Office, Village
from portal.directory.selectors import home_office, office_find, village_find
from portal.notifications.enums import NotificationKind
from portal.notifications.services import notifications_queue
from portal.officecalendar.selectors import calendar_of_office

from .. import events, persistence
from ..commands import instance_command, sandbox_outside_the_lock
from ..definitions import definition_runtime
from ..messages import engine_failure_text, form_errors_text
from ..models import ProcessDefinition, ProcessInstance
from ..pins import pin_new

_TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CHANNEL_ONLINE = "online"  # registered on the public page by an applicant without an account


def _tracking_number(now: datetime) -> str:
    local = timezone.localtime(now)
    suffix = "".join(secrets.choice(_TRACKING_ALPHABET) for _ in range(6))
    return f"{local:%y%m%d}-{suffix}"


def _office_guess(applicant: Any, actor: Any, roles: Any, chosen: Any) -> Office | None:
    """The office the request would go to, read before its inputs are checked (None: not known yet)."""
    if RoleCode.LOKET in roles:
        return home_office(actor)
    if isinstance(chosen, Office):
        return chosen
    if chosen:
        return office_find(str(chosen))
    village = village_find(str(applicant.get("desa") or "")[:100]) if isinstance(applicant, dict) else None
    return village.office if village is not None else None


# The service's version new requests start on (its blobs only on a cache miss): compiled once.
_ACTIVE_DEFINITION: PreparedQuery[ProcessDefinition] = PreparedQuery(
    lambda code: (
        ProcessDefinition.objects.filter(code=code, is_active=True)
        .defer("spec_json", "bpmn_source")
        .order_by("code", "-version")[:1]
    ),
    keys=(str,),
)


def _definition_for(
    service_code: str, *, office: Office | None, actor: Any, now: datetime
) -> tuple[ProcessDefinition, AuthorityRule | None]:
    office_id = office.pk if office is not None else None
    rule = authority_in_force(str(service_code), on=timezone.localdate(now), office_id=office_id)
    if rule is not None and rule.status == AuthorityStatus.NOT_AVAILABLE:
        refusal_record(service=rule.service, rule=rule, actor=actor, now=now, office=office)
        raise InvalidInput({"service": [not_available_message(rule, office_name=office.name if office else "")]})
    definition = _ACTIVE_DEFINITION.first(str(service_code))
    if definition is None:
        raise InvalidInput({"service": [_("Layanan '%(code)s' tidak tersedia.") % {"code": str(service_code)[:64]}]})
    return definition, rule


def _office_for(village: Village, *, actor: Any, roles: Any, chosen: Any) -> Office:
    """The office that serves the request: the counter's own; else the one the applicant chose, if
    it takes applicants from elsewhere; else her village's. Refuses what the regency does not allow."""
    office: Office | None
    if RoleCode.LOKET in roles:
        office = home_office(actor)
        if office is None:
            raise NotAllowed(_("Akun Anda belum ditempatkan di kecamatan mana pun; hubungi administrator."))
    elif chosen:
        office = chosen if isinstance(chosen, Office) else office_find(str(chosen))
        if office is None or not office.is_active:
            raise InvalidInput({"office": [_("Kecamatan tidak dikenal.")]})
    else:
        office = village.office
    if office.pk != village.office_id and not office.accepts_other_villages:
        message = _(
            "Desa %(village)s termasuk Kecamatan %(home)s; permohonan warganya diajukan di Kecamatan %(home)s."
        ) % {"village": village.name, "home": village.office.name}
        raise InvalidInput({"applicant": {"desa": [message]}})
    return office


def _inputs_clean(runtime: engine.Definition, applicant: Any, data: Any) -> tuple[dict[str, str], Any, dict[str, Any]]:
    """The applicant block and the start form's data, cleaned; every error of both at once."""
    errors: dict[str, Any] = {}
    applicant_values: dict[str, str] = {}
    village = cleaned = None
    try:
        applicant_values, village = applicant_clean(applicant)
    except ApplicantInvalid as exc:
        errors["applicant"] = exc.errors
    try:
        cleaned = engine.validate_start_data(runtime, data)
    except engine.FormValidationError as exc:
        errors["data"] = form_errors_text(exc.errors)
    if errors or cleaned is None:
        raise InvalidInput(errors)
    return applicant_values, village, cleaned


def _registrar_roles(actor: Any, channel: str) -> frozenset[str]:
    """The roles of who registers: the counter, an applicant, or nobody online (NotAllowed otherwise)."""
    roles = user_roles(actor) if actor is not None else frozenset()
    if (actor is None and channel != CHANNEL_ONLINE) or (
        actor is not None and not roles & {RoleCode.LOKET, RoleCode.PEMOHON}
    ):
        raise NotAllowed(_("Hanya petugas loket atau pemohon yang dapat mendaftarkan permohonan."))
    return roles


def _workflow_start(runtime: engine.Definition, initial: dict[str, Any], *, office_id: int, now: datetime) -> Any:
    """The engine's new instance; its task ids are numbered from a fresh seed, recorded when it starts."""
    try:
        with calendar_of_office(office_id):  # the helpers of its diagram count in the office's calendar
            return engine.Instance.start(runtime, initial, now=now, seed=secrets.token_hex(16))
    except engine.EngineError as exc:  # nothing exists yet, so there is no incident to record
        raise ProcessFailed(engine_failure_text(exc)) from exc


def _request_start(
    instance: ProcessInstance, running: Any, *, actor: Any, now: datetime, initial: dict[str, Any], channel: str
) -> ProcessInstance:
    """In the transaction that inserted the request: its workflow, first events, message and name keys."""
    with instance_command(created=instance, name="request_register", actor=actor, now=now) as command:
        command.workflow_started(running)
        events.instance_started(
            command.instance, actor=actor, at=now, definition=instance.definition, initial_data=initial,
            channel=channel, task_id_seed=running.ids.seed if running.ids is not None else "",
        )  # fmt: skip
        notifications_queue(instance=command.instance, kind=NotificationKind.REGISTERED, now=now)
        persistence.name_keys_write(command.instance)
    return command.instance


@sandbox_outside_the_lock
def request_register(
    *,
    service_code: str,
    applicant: Any,
    data: Any,
    actor: Any,
    now: datetime | None = None,
    channel: str = "",
    office: Any = None,
) -> ProcessInstance:
    """Register a citizen's request and start its process (counter officer, the citizen, or online anonymously).

    `actor=None` is accepted only with `channel=CHANNEL_ONLINE` (the caller rate-limits those).
    The request goes to the counter's office, or to `office` (an Office or its slug) where that
    office takes applicants from other kecamatan, or to the applicant's village's kecamatan.
    The returned instance carries the plain tracking PIN in `access_pin` (only its hash is stored).
    """
    now = now or timezone.now()
    roles = _registrar_roles(actor, channel)
    # Whether the service is offered is the office's to say, so it is asked of the office the
    # request would go to before the inputs are checked (a refusal is counted even for a bad form).
    guessed = _office_guess(applicant, actor, roles, office)
    definition, rule = _definition_for(service_code, office=guessed, actor=actor, now=now)
    runtime = definition_runtime(definition)
    applicant_values, village, cleaned = _inputs_clean(runtime, applicant, data)
    serving = _office_for(village, actor=actor, roles=roles, chosen=office)
    if guessed is None or serving.pk != guessed.pk:
        definition, rule = _definition_for(service_code, office=serving, actor=actor, now=now)
    initial = {**cleaned, "applicant": applicant_values, "authority": authority_data(rule)}
    # The engine runs and the PIN is hashed before the transaction, so no lock is held meanwhile.
    running = _workflow_start(runtime, initial, office_id=serving.pk, now=now)
    pin, pin_hash = pin_new()
    citizen = actor if RoleCode.PEMOHON in roles and RoleCode.LOKET not in roles else None
    for _attempt in range(5):
        tracking_number = _tracking_number(now)
        try:
            with transaction.atomic():
                instance = ProcessInstance(
                    tracking_number=tracking_number, definition=definition, applicant_nik=applicant_values["nik"],
                    applicant_kk=applicant_values.get("kk", ""), applicant_name=applicant_values["name"],
                    applicant_village=village, office=serving, applicant_phone=applicant_values.get("phone", ""),
                    applicant_user=citizen, registered_by=actor, request_data=cleaned, access_pin_hash=pin_hash,
                    state={}, serializer_version=engine.SERIALIZER_VERSION, created_at=now, updated_at=now,
                )  # fmt: skip
                rows_insert([instance])
                registered = _request_start(instance, running, actor=actor, now=now, initial=initial, channel=channel)
                registered.access_pin = pin
                return registered
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
    found = ProcessInstance.objects.filter(tracking_number=str(tracking_number)[:32]).values_list("pk", flat=True)
    if not found:
        raise NotFound(_("Permohonan tidak ditemukan."))
    pin, digest = pin_new()
    with instance_command(found[0], name="access_pin_reissue", actor=actor, now=now, allow_failed=True) as command:
        command.instance.access_pin_hash = digest
        command.changed("access_pin_hash")
        events.pin_reissued(command.instance, actor=actor, at=now)
    instance = command.instance
    instance.access_pin = pin
    return instance
