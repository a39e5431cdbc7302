"""The applicant's pages: submit a request online (/ajukan/), her requests (/permohonan-saya/),
correct a returned file, download the issued letter.

A request is opened only by its applicant: her own account, or this browser holding the tracking
PIN for that number (the tracking page's session grant). Anyone else gets a 404, whatever exists.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portal.accounts.enums import RoleCode
from portal.accounts.selectors import user_roles
from portal.catalogue.selectors import service_requirements
from portal.catalogue.services import refusal_record_once
from portal.core.errors import Conflict, InvalidInput, NotAllowed, NotFound, ProcessFailed, RateLimited
from portal.core.forms import ProcessForm, errors_apply
from portal.core.http import client_ip, private_file_response
from portal.core.uploads import bounded_uploads
from portal.directory.forms import ApplicantForm
from portal.documents.quotas import DocumentQuotaFull
from portal.documents.services import max_bytes
from portal.letters.errors import LetterFileCorrupt, LetterNotReady
from portal.letters.selectors import letter_pdf_bytes
from portal.tracking.access import request_for_applicant, session_access_grant
from portal.tracking.presenters import tracking_public
from portal.workflow.definitions import definition_runtime
from portal.workflow.models import ProcessDefinition, ProcessInstance

from . import presenters, selectors, services
from .forms import DocumentsForm

RECEIPT_KEY = "citizen_receipt"


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "citizen/forbidden.html", status=403)


def _applicant_request(request: HttpRequest, tracking_number: str) -> ProcessInstance:
    instance = request_for_applicant(user=request.user, session=request.session, tracking_number=tracking_number)
    if instance is None:
        raise Http404()
    return instance


UPLOAD_PREFIX = "dokumen-"  # the documents form's prefix: one file part per requirement


def _initial_applicant(user: Any) -> dict[str, str]:
    if not getattr(user, "is_authenticated", False):
        return {}
    initial = {"name": user.get_full_name()}
    last = selectors.requests_of_applicant(user).select_related("applicant_village").first()
    if last is not None:
        initial.update(
            nik=last.applicant_nik, kk=last.applicant_kk, name=last.applicant_name,
            desa=last.applicant_village.code, phone=last.applicant_phone,
        )  # fmt: skip
    return initial


@never_cache
@bounded_uploads(limit=max_bytes, prefix=UPLOAD_PREFIX, max_files=20)
@require_http_methods(["GET", "HEAD", "POST"])
def submit_page(request: HttpRequest) -> HttpResponse:
    if not selectors.may_submit_online(request.user):
        return _forbidden(request)
    raw_code = request.POST.get("layanan") if request.method == "POST" else request.GET.get("layanan")
    code = str(raw_code or "")[:64]
    services_list = selectors.services_for_submission()
    chosen = next((s for s in services_list if s["code"] == code), None)
    if chosen is None or not chosen["online"]:
        refused = chosen is not None and refusal_record_once(
            session=request.session, service_code=chosen["code"], actor=request.user
        )
        return render(request, "citizen/choose.html", {"services": services_list, "chosen": chosen, "refused": refused})
    definition = ProcessDefinition.objects.filter(code=code, is_active=True).first()
    if definition is None:
        raise Http404()
    spec = definition_runtime(definition).start_form
    requirements = service_requirements(code)
    context: dict[str, Any] = {"service": chosen, "requirements": requirements}
    if request.method != "POST":
        context.update(
            applicant_form=ApplicantForm(prefix="pemohon", initial=_initial_applicant(request.user)),
            data_form=ProcessForm(prefix="data", fields=spec),
            documents_form=DocumentsForm(prefix="dokumen", requirements=requirements),
        )
        return render(request, "citizen/submit.html", context)

    applicant_form = ApplicantForm(request.POST, prefix="pemohon")
    data_form = ProcessForm(request.POST, prefix="data", fields=spec)
    documents_form = DocumentsForm(request.POST, request.FILES, prefix="dokumen", requirements=requirements)
    context.update(applicant_form=applicant_form, data_form=data_form, documents_form=documents_form)
    forms_valid = all([applicant_form.is_valid(), data_form.is_valid(), documents_form.is_valid()])
    if not forms_valid:
        return render(request, "citizen/submit.html", context, status=400)
    try:
        instance = services.online_request_submit(
            service_code=code, applicant=applicant_form.values(), data=data_form.engine_data(),
            documents=documents_form.files_given(), user=request.user, client_ip=client_ip(request),
        )  # fmt: skip
    except (services.SubmissionRefused, RateLimited) as exc:
        context["form_error"] = str(exc.message)
        return render(request, "citizen/submit.html", context, status=429)
    except DocumentQuotaFull as exc:
        context["form_error"] = str(exc.message)
        return render(request, "citizen/submit.html", context, status=400)
    except InvalidInput as exc:
        errors_apply(applicant_form, exc.errors.get("applicant", {}))
        errors_apply(data_form, exc.errors.get("data", {}))
        errors_apply(documents_form, exc.errors.get("documents", {}))
        if "service" in exc.errors:
            context["form_error"] = " ".join(str(m) for m in exc.errors["service"])
        return render(request, "citizen/submit.html", context, status=400)
    except (NotAllowed, ProcessFailed, Conflict) as exc:
        context["form_error"] = str(exc.message)
        return render(request, "citizen/submit.html", context, status=400)
    session_access_grant(request, instance.tracking_number)
    request.session[RECEIPT_KEY] = {"tracking_number": instance.tracking_number, "pin": instance.access_pin}
    return redirect("citizen-submitted")


@never_cache
@require_http_methods(["GET", "HEAD"])
def submitted_page(request: HttpRequest) -> HttpResponse:
    """The receipt, shown once: the PIN leaves the session as soon as it is on the screen."""
    receipt = request.session.pop(RECEIPT_KEY, None)
    if not isinstance(receipt, dict):
        return redirect("tracking")
    return render(request, "citizen/submitted.html", {"receipt": receipt})


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def my_requests_page(request: HttpRequest) -> HttpResponse:
    if RoleCode.PEMOHON not in user_roles(request.user):
        return _forbidden(request)
    rows = [presenters.my_request_row(i) for i in selectors.requests_of_applicant(request.user)]
    return render(request, "citizen/my_requests.html", {"rows": rows})


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def my_request_open(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """Her own request on the tracking status page, without typing the PIN."""
    instance = selectors.request_by_tracking_number_for_owner(request.user, tracking_number)
    if instance is None:
        raise Http404()
    session_access_grant(request, instance.tracking_number)
    return redirect("tracking-status", tracking_number=instance.tracking_number)


@never_cache
@bounded_uploads(limit=max_bytes, prefix=UPLOAD_PREFIX, max_files=20)
@require_http_methods(["GET", "HEAD", "POST"])
def returned_fix_page(request: HttpRequest, tracking_number: str) -> HttpResponse:
    instance = _applicant_request(request, tracking_number)
    step = selectors.applicant_step_open(instance)
    view = tracking_public(instance)
    context: dict[str, Any] = {"instance": instance, "v": view, "step": step}
    if step is None:
        return render(request, "citizen/fix.html", context)
    requirements = service_requirements(instance.definition.code)
    missing = (view["returned"] or {}).get("missing_requirements", [])
    args: tuple[Any, ...] = (request.POST, request.FILES) if request.method == "POST" else ()
    data_form = ProcessForm(*args[:1], prefix="data", fields=step.form)
    documents_form = DocumentsForm(*args, prefix="dokumen", requirements=requirements, missing=missing)
    context.update(data_form=data_form, documents_form=documents_form)
    if request.method != "POST":
        return render(request, "citizen/fix.html", context)
    if not (data_form.is_valid() and documents_form.is_valid()):
        return render(request, "citizen/fix.html", context, status=400)
    try:
        services.returned_file_complete(
            instance=instance, user=request.user, documents=documents_form.files_given(), data=data_form.engine_data(),
            client_ip=client_ip(request),
        )  # fmt: skip
    except (DocumentQuotaFull, RateLimited) as exc:
        context["form_error"] = str(exc.message)
        return render(request, "citizen/fix.html", context, status=429 if isinstance(exc, RateLimited) else 400)
    except InvalidInput as exc:
        errors_apply(data_form, exc.errors.get("data", {}))
        errors_apply(documents_form, exc.errors.get("documents", {}))
        return render(request, "citizen/fix.html", context, status=400)
    except (Conflict, NotAllowed, NotFound, ProcessFailed) as exc:
        context["form_error"] = str(exc.message)
        return render(request, "citizen/fix.html", context, status=409)
    session_access_grant(request, instance.tracking_number)
    return redirect("tracking-status", tracking_number=instance.tracking_number)


@never_cache
@require_http_methods(["GET", "HEAD"])
def letter_download(request: HttpRequest, tracking_number: str, letter_id: int) -> HttpResponse:
    instance = _applicant_request(request, tracking_number)
    letter = instance.letters.filter(pk=letter_id).first()
    if letter is None:
        raise Http404()
    try:
        content = letter_pdf_bytes(letter)
    except (LetterNotReady, LetterFileCorrupt) as exc:
        return render(request, "citizen/letter_unavailable.html", {"message": str(exc.message)}, status=409)
    filename = re.sub(r"[^A-Za-z0-9.-]+", "-", letter.number).strip("-") + ".pdf"
    return private_file_response(content, filename=filename, content_type="application/pdf")
