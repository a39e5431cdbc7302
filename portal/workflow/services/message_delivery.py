"""Messages from outside: "the village head's recommendation arrives", "the applicant sent the
missing file". The diagram says who may send each one (`paten.sender` on the element that waits for
it); a message nothing waits for is refused, recorded, and changes nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

import engine
from engine import wire
from portal.accounts.enums import RoleCode
from portal.accounts.selectors import user_roles
from portal.core.errors import Conflict, InvalidInput, NotAllowed, NotFound

from .. import events
from ..commands import Command, instance_command, sandbox_outside_the_lock
from ..enums import InstanceStatus
from ..models import ProcessInstance

MAX_NAME = 100
MAX_DATA_BYTES = 20_000


@dataclass(frozen=True)
class Delivered:
    instance: ProcessInstance
    caught: list[str]


def _checked(name: Any, data: Any) -> tuple[str, dict[str, Any]]:
    errors: dict[str, list[str]] = {}
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
        errors["name"] = [_("Nama pesan wajib diisi, paling banyak %(n)d karakter.") % {"n": MAX_NAME}]
    if not isinstance(data, dict):
        errors["data"] = [_("Isi pesan harus berupa objek JSON.")]
    else:
        try:
            size = len(wire.dumps(wire.encode(data, "data")))
        except (ValueError, TypeError):
            size = MAX_DATA_BYTES + 1
        if size > MAX_DATA_BYTES or any(not str(key).isidentifier() for key in data):
            errors["data"] = [
                _("Isi pesan harus JSON dengan nama kunci yang sederhana, paling besar %(n)d bita.")
                % {"n": MAX_DATA_BYTES}
            ]
    if errors:
        raise InvalidInput(errors)
    return str(name).strip(), dict(data)


def _may_send(command: Command, senders: tuple[str, ...], *, applicant: bool) -> bool:
    """Whether the command's actor is one of the message's senders: an officer of a named role (in
    the request's office: the command checked), or the applicant (her account or the tracking PIN)."""
    actor, instance = command.actor, command.instance
    if RoleCode.PEMOHON in senders:
        own = actor is not None and instance.applicant_user_id is not None and instance.applicant_user_id == actor.pk
        if applicant or own:
            return True
    return bool(actor is not None and (user_roles(actor) & set(senders)) - {RoleCode.PEMOHON})


@sandbox_outside_the_lock
def instance_message_deliver(
    *, tracking_number: str, name: Any, data: Any, actor: Any = None, applicant: bool = False,
    now: datetime | None = None,
) -> Delivered:  # fmt: skip
    """Deliver message `name` with `data` to the request; `applicant`: the caller proved to be its
    applicant with the tracking PIN. NotAllowed for someone the diagram does not name as a sender;
    Conflict (recorded as `message_undelivered`) when nothing waits for it now."""
    name, data = _checked(name, data)
    found = ProcessInstance.objects.filter(tracking_number=str(tracking_number)[:20]).values_list("pk", flat=True)
    instance_id = found.first()
    if instance_id is None:
        raise NotFound(_("Permohonan tidak ditemukan."))
    args = {"name": name, "data": data, "by_pin": applicant}
    with instance_command(instance_id, name="message_deliver", actor=actor, now=now, args=args) as command:
        caught = _deliver_in(command, name, data, applicant=applicant)
    if not caught:
        raise Conflict(
            _("Permohonan ini tidak sedang menunggu pesan '%(name)s'; tidak ada yang diubah.") % {"name": name}
        )
    return Delivered(command.instance, caught)


def _deliver_in(command: Command, name: str, data: dict[str, Any], *, applicant: bool) -> list[str]:
    """Inside the command: who may send it, then deliver; [] (and the refusal recorded) when nothing waits."""
    instance, running = command.instance, command.workflow
    senders = running.definition.message_senders.get(name)
    if senders is not None and not _may_send(command, senders, applicant=applicant):
        raise NotAllowed(_("Anda tidak termasuk pengirim pesan ini menurut diagram layanan."))
    by_pin = applicant and command.actor is None
    if senders is None or instance.status != InstanceStatus.RUNNING:
        events.message_undelivered(instance, actor=command.actor, at=command.now, name=name, by_pin=by_pin)
        return []
    try:
        caught = running.deliver_message(name, data, now=command.now)
    except engine.MessageNotAwaited:
        events.message_undelivered(instance, actor=command.actor, at=command.now, name=name, by_pin=by_pin)
        return []
    events.message_delivered(
        instance, actor=command.actor, at=command.now, name=name, data=data, caught=caught, by_pin=by_pin
    )
    command.workflow_changed()
    return caught
