"""Writes of the officers' pages: commands that combine the workflow's and the documents' services."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.errors import ServiceError
from portal.documents.services import (
    document_quota_check,
    document_upload,
    requirements_check,
    requirements_check_allowed,
    requirements_mark,
)
from portal.workflow.commands import instance_command, sandbox_outside_the_lock
from portal.workflow.models import HumanTask, ProcessInstance
from portal.workflow.services.human_tasks import step_complete, step_instance_id
from portal.workflow.services.registration import request_register

log = logging.getLogger(__name__)


@sandbox_outside_the_lock
def completeness_step_complete(
    *, human_task_id: int, actor: Any, data: dict[str, Any], items: dict[str, str], now: datetime | None = None
) -> HumanTask:
    """The counter's completeness check: mark the checklist and complete the step, one command.

    The checklist is written first so a file returned to the applicant already lists what is missing.
    """
    instance_id = step_instance_id(human_task_id)
    args = {"human_task_id": human_task_id, "data": data, "items": items}
    with instance_command(instance_id, name="human_task_complete", actor=actor, now=now, args=args) as command:
        if items:
            requirements_check_allowed(actor=actor, instance=command.instance)
            requirements_mark(command, items=items)
        return step_complete(command, human_task_id=human_task_id, data=data)


@dataclass
class CounterRegistration:
    instance: ProcessInstance
    # Follow-ups (checklist, files) that could not be saved once the request was registered.
    warnings: list[str] = field(default_factory=list)


def counter_register(
    *,
    service_code: str,
    applicant: dict[str, str],
    data: dict[str, Any],
    actor: Any,
    items: dict[str, str],
    files: dict[str, Any],
    now: datetime | None = None,
) -> CounterRegistration:
    """Register a walk-in request at the counter, then record the checklist and the files handed in.

    The registration is its own transaction (the PIN is hashed outside any lock); the checklist and
    each file follow in theirs. Files were checked by the form beforehand, so a follow-up failing is
    rare: it is reported as a warning, the request stays registered and the counter can redo it on
    the completeness step.
    """
    now = now or timezone.now()
    sizes = [int(getattr(f, "size", 0) or 0) for f in files.values()]
    document_quota_check(instance=None, applicant_nik=str(applicant.get("nik", "")), sizes=sizes, actor=actor, now=now)
    instance = request_register(service_code=service_code, applicant=applicant, data=data, actor=actor, now=now)
    result = CounterRegistration(instance)
    pin = instance.access_pin
    if items:
        try:
            requirements_check(instance=instance, items=items, actor=actor, now=now)
        except ServiceError as exc:
            log.warning("checklist after registering %s refused: %s", instance.tracking_number, exc)
            result.warnings.append(_("Status kelengkapan tidak tersimpan; periksa kembali pada langkah pemeriksaan."))
    for code, uploaded in files.items():
        try:
            document_upload(instance=instance, requirement_code=code, uploaded_file=uploaded, actor=actor, now=now)
        except ServiceError as exc:
            log.warning("file for %s of %s refused: %s", code, instance.tracking_number, exc)
            name = getattr(uploaded, "name", code)
            result.warnings.append(_("Berkas %(name)s tidak tersimpan; unggah ulang.") % {"name": name})
    instance.access_pin = pin
    return result
