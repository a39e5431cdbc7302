"""The counter's pages: registering a walk-in request, its receipt, a new PIN."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from portal.accounts.enums import RoleCode
from portal.accounts.selectors import user_roles
from portal.catalogue.selectors import service_find, service_requirements, standard_current
from portal.catalogue.services import refusal_record_once
from portal.core.errors import InvalidInput, NotAllowed, NotFound, ServiceError
from portal.core.forms import ProcessForm, errors_apply
from portal.core.http import public_url
from portal.core.uploads import bounded_uploads
from portal.directory.forms import ApplicantForm
from portal.directory.selectors import home_office
from portal.documents.services import max_bytes
from portal.tracking.presenters import date_text
from portal.workflow.selectors import request_for_user
from portal.workflow.services.registration import access_pin_reissue

from . import selectors
from .access import counter_required, forbidden, not_found, officer_required
from .forms import FIELD_PREFIX, ChecklistForm, RegistrationFilesForm
from .services import counter_register

PIN_SESSION_KEY = "officework_receipt_pins"


def _requirement_items(service_code: str) -> list[dict[str, Any]]:
    return [
        {"code": str(r["code"]), "name": str(r["name"]), "required": bool(r.get("required", True)), "status": ""}
        for r in service_requirements(service_code)
    ]


@bounded_uploads(limit=max_bytes, prefix=FIELD_PREFIX, max_files=20)
@never_cache
@counter_required
@require_http_methods(["GET", "HEAD", "POST"])
def counter_register_page(request: HttpRequest) -> HttpResponse:
    posted = request.method == "POST"
    code = (request.POST if posted else request.GET).get("layanan", "")
    office = home_office(request.user)
    office_id = office.pk if office is not None else None
    definition = selectors.registrable_definition(code, office_id=office_id) if code else None
    if definition is None:
        unavailable = selectors.unavailable_services(office=office)
        chosen = next((s for s in unavailable if s["code"] == code), None)
        if chosen is not None:
            refusal_record_once(session=request.session, service_code=chosen["code"], actor=request.user, office=office)
        context: dict[str, Any] = {
            "office": office,
            "services": selectors.registrable_services(office_id=office_id),
            "unavailable": unavailable,
            "chosen_unavailable": chosen,
            "unknown": bool(code) and chosen is None,
        }
        return render(request, "officework/register_choose.html", context)
    items = _requirement_items(definition.code)
    data = request.POST if posted else None
    applicant_form = ApplicantForm(data)
    data_form = ProcessForm(data, fields=selectors.start_form_of(definition), prefix="data")
    checklist_form = ChecklistForm(data, checklist=items, prefix="cek")
    files_form = RegistrationFilesForm(data, request.FILES if posted else None, checklist=items)
    forms_ok = posted and all(f.is_valid() for f in (applicant_form, data_form, checklist_form, files_form))
    if forms_ok:
        try:
            result = counter_register(
                service_code=definition.code, applicant=applicant_form.values(), data=data_form.engine_data(),
                actor=request.user, items=checklist_form.statuses(), files=files_form.files_by_code(),
            )  # fmt: skip
        except NotAllowed as exc:
            return forbidden(request, str(exc.message))
        except InvalidInput as exc:
            _registration_errors_show(exc, applicant_form, data_form)
        except ServiceError as exc:
            applicant_form.add_error(None, str(exc.message))
        else:
            instance = result.instance
            for warning in result.warnings:
                messages.warning(request, warning)
            pins = request.session.get(PIN_SESSION_KEY)
            pins = dict(pins) if isinstance(pins, dict) else {}
            pins[instance.tracking_number] = instance.access_pin
            request.session[PIN_SESSION_KEY] = dict(list(pins.items())[-5:])
            return redirect("counter-receipt", tracking_number=instance.tracking_number)
    context = {
        "definition": definition,
        "applicant_form": applicant_form,
        "data_form": data_form,
        "checklist_form": checklist_form,
        "files_form": files_form,
        "max_upload": max_bytes(),
    }
    return render(request, "officework/register.html", context, status=400 if posted else 200)


def _registration_errors_show(exc: InvalidInput, applicant_form: ApplicantForm, data_form: ProcessForm) -> None:
    for key, value in exc.errors.items():
        if key == "applicant":
            errors_apply(applicant_form, value)
        elif key == "data":
            errors_apply(data_form, value)
        else:
            errors_apply(applicant_form, {None: value})


@never_cache
@officer_required
@require_http_methods(["GET", "HEAD"])
def counter_receipt(request: HttpRequest, tracking_number: str) -> HttpResponse:
    try:
        instance = request_for_user(request.user, tracking_number)
    except NotFound:
        return not_found(request, _("Permohonan tidak ditemukan."))
    # The PIN is shown on the first view right after registering, then forgotten.
    pins = request.session.get(PIN_SESSION_KEY)
    pin = ""
    if isinstance(pins, dict) and instance.tracking_number in pins:
        pins = dict(pins)
        pin = str(pins.pop(instance.tracking_number))
        request.session[PIN_SESSION_KEY] = pins
    service = service_find(instance.definition.code)
    standard = standard_current(service) if service is not None else None
    content = standard.content if standard is not None else {}
    context = {
        "instance": instance,
        "pin": pin,
        "office": instance.office.letterhead(),
        "expected": date_text(instance.sla_due_at) if instance.sla_due_at else "",
        "completion_text": (content.get("completion_time") or {}).get("text", ""),
        "procedure": content.get("procedure") or [],
        "tracking_url": public_url(reverse("tracking")),
        "may_reissue": RoleCode.LOKET in user_roles(request.user),
    }
    return render(request, "officework/receipt.html", context)


@officer_required
@require_POST
def counter_pin_reissue(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """A new PIN for an applicant who lost it, shown once on the receipt; the old one stops working."""
    try:
        request_for_user(request.user, tracking_number)
        instance = access_pin_reissue(tracking_number=tracking_number, actor=request.user)
    except NotFound:
        return not_found(request, _("Permohonan tidak ditemukan."))
    except NotAllowed as exc:
        return forbidden(request, str(exc.message))
    pins = request.session.get(PIN_SESSION_KEY)
    pins = dict(pins) if isinstance(pins, dict) else {}
    pins[instance.tracking_number] = instance.access_pin
    request.session[PIN_SESSION_KEY] = dict(list(pins.items())[-5:])
    messages.success(request, _("PIN baru diterbitkan; PIN lama tidak berlaku lagi."))
    return redirect("counter-receipt", tracking_number=instance.tracking_number)
