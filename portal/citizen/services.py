"""Writes of the applicant's pages: an online submission (with or without an account) and the
correction of a file returned to the applicant.

Both check every field and file before anything is created, then call the workflow and documents
services, which take the instance lock themselves.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

import engine
from portal.catalogue.selectors import service_requirements
from portal.core import throttle
from portal.core.errors import Conflict, InvalidInput, ServiceError
from portal.directory.applicant import ApplicantInvalid, applicant_clean
from portal.documents.services import document_file_problem, document_quota_check, document_upload
from portal.tracking.access import is_owner
from portal.workflow.definitions import definition_runtime
from portal.workflow.messages import form_errors_text
from portal.workflow.models import HumanTask, ProcessDefinition, ProcessInstance
from portal.workflow.services.human_tasks import human_task_complete
from portal.workflow.services.registration import CHANNEL_ONLINE, request_register

from . import selectors

log = logging.getLogger(__name__)


class SubmissionRefused(ServiceError):
    """Too many anonymous submissions from this address lately."""


def _documents_errors(service_code: str, documents: dict[str, Any]) -> dict[str, list[str]]:
    codes = {str(r["code"]) for r in service_requirements(service_code)}
    errors: dict[str, list[str]] = {}
    for code, uploaded in documents.items():
        if code not in codes:
            errors[str(code)[:64]] = [_("Persyaratan tidak dikenal untuk layanan ini.")]
            continue
        problem = document_file_problem(uploaded)
        if problem:
            errors[code] = [problem]
    return errors


def _start_errors(service_code: str, applicant: Any, data: Any) -> dict[str, Any]:
    """The applicant and start-form errors request_register would report, without registering."""
    errors: dict[str, Any] = {}
    try:
        applicant_clean(applicant)
    except ApplicantInvalid as exc:
        errors["applicant"] = exc.errors
    definition = ProcessDefinition.objects.filter(code=service_code, is_active=True).first()
    if definition is not None:
        try:
            engine.validate_start_data(definition_runtime(definition), data)
        except engine.FormValidationError as exc:
            errors["data"] = form_errors_text(exc.errors)
    return errors


def _upload_all(
    instance: ProcessInstance, documents: dict[str, Any], *, actor: Any, now: datetime, client_ip: str
) -> None:
    for code, uploaded in documents.items():
        document_upload(
            instance=instance, requirement_code=code, uploaded_file=uploaded, actor=actor, now=now,
            applicant_tracking_number="" if actor is not None else instance.tracking_number, client_ip=client_ip,
        )  # fmt: skip


def _sizes(documents: dict[str, Any]) -> list[int]:
    return [int(getattr(uploaded, "size", 0) or 0) for uploaded in documents.values()]


def _applicant_nik(applicant: Any) -> str:
    """The NIK as it will be stored; empty when the applicant is refused anyway (registration says why)."""
    try:
        return applicant_clean(applicant)[0].get("nik", "")
    except ApplicantInvalid:
        return ""


def online_request_submit(
    *,
    service_code: str,
    applicant: Any,
    data: Any,
    documents: dict[str, Any],
    user: Any,
    client_ip: str,
    now: datetime | None = None,
) -> ProcessInstance:
    """Register a request from the public page, by a citizen's account or without one, with its files.

    Without an account at most throttle.SUBMISSION.per_address submissions per address per hour.
    Files over a quota (documents.quotas) refuse the whole submission before anything is registered.
    The returned instance carries the plain PIN in `access_pin`, to be shown once.
    """
    now = now or timezone.now()
    anonymous = not getattr(user, "is_authenticated", False)
    client_ip = str(client_ip)[:45]
    if anonymous and throttle.locked_until(throttle.SUBMISSION, client_ip=client_ip, now=now) is not None:
        raise SubmissionRefused(
            _(
                "Terlalu banyak permohonan dikirim dari jaringan ini dalam satu jam terakhir. "
                "Silakan coba lagi nanti, masuk dengan akun Anda, atau datang ke loket PATEN."
            )
        )
    document_errors = _documents_errors(str(service_code), documents)
    if document_errors:
        raise InvalidInput({**_start_errors(str(service_code), applicant, data), "documents": document_errors})
    document_quota_check(
        instance=None, applicant_nik=_applicant_nik(applicant), sizes=_sizes(documents),
        actor=None if anonymous else user, client_ip=client_ip, now=now,
    )  # fmt: skip
    instance = request_register(
        service_code=service_code, applicant=applicant, data=data, actor=None if anonymous else user,
        now=now, channel=CHANNEL_ONLINE,
    )  # fmt: skip
    if anonymous:
        throttle.attempt_record(throttle.SUBMISSION, client_ip=client_ip, now=now, succeeded=True)
    try:
        _upload_all(instance, documents, actor=None if anonymous else user, now=now, client_ip=client_ip)
    except ServiceError:
        # Checked above; a file refused now (a changed limit) leaves the request for the counter to complete.
        log.exception("request %s: an online upload was refused after registration", instance.tracking_number)
    return instance


def returned_file_complete(
    *,
    instance: ProcessInstance,
    user: Any,
    documents: dict[str, Any],
    data: Any,
    client_ip: str = "",
    now: datetime | None = None,
) -> HumanTask:
    """The applicant sends the missing files and completes her step, so the counter can check again.

    Her own account acts as itself (workflow rules for users); anyone else here was let in by the
    tracking PIN and is recorded as the applicant via that PIN (her uploads count against the daily
    budget of `client_ip`). Over a quota nothing is stored and the step stays open.
    """
    now = now or timezone.now()
    step = selectors.applicant_step_open(instance)
    if step is None:
        raise Conflict(_("Permohonan ini tidak sedang menunggu kelengkapan dari Anda."))
    errors: dict[str, Any] = {}
    try:
        cleaned = engine.Form.from_list(step.form).validate(data)
    except engine.FormValidationError as exc:
        errors["data"] = form_errors_text(exc.errors)
    document_errors = _documents_errors(instance.definition.code, documents)
    if document_errors:
        errors["documents"] = document_errors
    if errors:
        raise InvalidInput(errors)
    owner = is_owner(user, instance)
    actor = user if owner else None
    document_quota_check(
        instance=instance, applicant_nik=instance.applicant_nik, sizes=_sizes(documents), actor=actor,
        client_ip=client_ip, now=now,
    )  # fmt: skip
    _upload_all(instance, documents, actor=actor, now=now, client_ip=client_ip)
    return human_task_complete(
        human_task_id=step.pk, actor=actor, data=cleaned, now=now,
        applicant_tracking_number="" if owner else instance.tracking_number,
    )  # fmt: skip
