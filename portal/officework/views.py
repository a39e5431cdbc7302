"""The officers' pages: the worklist, a step, the counter's registration and its receipt.

Views only read the request, call one selector or service and render; rules live in the services.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from io import BytesIO
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from portal.accounts.enums import RoleCode, role_label
from portal.accounts.selectors import is_officer, user_roles
from portal.catalogue.selectors import service_find, service_requirements, standard_current
from portal.documents import selectors as documents
from portal.documents.content import download_name
from portal.documents.services import document_upload, max_bytes
from portal.documents.uploads import BoundedUploadHandler
from portal.ids import path_id
from portal.letters.selectors import letters_for_instance
from portal.tracking.presenters import date_text
from portal.workflow import services as workflow
from portal.workflow.errors import Conflict, InvalidInput, NotAllowed, NotFound, ProcessFailed, WorkflowError
from portal.workflow.models import HumanTask
from portal.workflow.selectors import request_diagram, request_for_user, request_history

from . import presenters, selectors
from .forms import (
    FIELD_PREFIX,
    ApplicantForm,
    ChecklistForm,
    ProcessForm,
    RegistrationFilesForm,
    WorklistFilterForm,
    form_fields,
)
from .services import completeness_step_complete, counter_register

PAGE_SIZE = 50
PIN_SESSION_KEY = "officework_receipt_pins"

View = Callable[..., HttpResponseBase]


# --- access ------------------------------------------------------------------------------------------


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "officework/forbidden.html", {"message": message}, status=403)


def _not_found(request: HttpRequest, message: str = "") -> HttpResponse:
    return render(
        request, "officework/not_found.html", {"message": message or _("Langkah tidak ditemukan.")}, status=404
    )


def officer_required(view: View) -> View:
    """Logged in (else the login page), and an officer (else a 403 page that says why)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_officer(request.user):
            return _forbidden(request, _("Halaman ini hanya untuk petugas kecamatan (loket, kasi, sekcam, camat)."))
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def counter_required(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not selectors.is_counter(request.user):
            return _forbidden(request, _("Halaman ini hanya untuk petugas loket."))
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def _role_forbidden(request: HttpRequest, human_task: HumanTask) -> HttpResponse:
    label = role_label(human_task.role)
    return _forbidden(request, _("Langkah ini untuk peran %(role)s.") % {"role": label})


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return reverse("worklist")


# --- the worklist ------------------------------------------------------------------------------------


@officer_required
@require_http_methods(["GET", "HEAD"])
def worklist(request: HttpRequest) -> HttpResponse:
    form = WorklistFilterForm(
        request.GET, services=selectors.worklist_service_choices(), villages=selectors.village_choices()
    )
    filters = form.valid_values()
    now = timezone.now()
    page = Paginator(selectors.worklist_for(request.user, filters=filters, now=now), PAGE_SIZE).get_page(
        request.GET.get("halaman")
    )
    rows = [presenters.worklist_row(task, user=request.user, now=now) for task in page]
    query = request.GET.copy()
    query.pop("halaman", None)
    context = {"form": form, "page": page, "rows": rows, "query": query.urlencode(), "now": now}
    return render(request, "officework/worklist.html", context)


def _step_command(request: HttpRequest, human_task_id: str, command: Callable[..., Any], done: str) -> HttpResponse:
    pk = path_id(human_task_id)
    human_task = selectors.step_find(pk) if pk is not None else None
    if human_task is None:
        return _not_found(request)
    try:
        command(human_task_id=pk, actor=request.user)
    except NotFound:
        return _not_found(request)
    except NotAllowed:
        return _role_forbidden(request, human_task)
    except (Conflict, ProcessFailed) as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return redirect(_next_url(request))


@officer_required
@require_POST
def step_claim(request: HttpRequest, human_task_id: str) -> HttpResponse:
    return _step_command(
        request, human_task_id, workflow.human_task_claim, _("Langkah diambil; Anda yang mengerjakannya.")
    )


@officer_required
@require_POST
def step_release(request: HttpRequest, human_task_id: str) -> HttpResponse:
    return _step_command(request, human_task_id, workflow.human_task_release, _("Langkah dilepas kembali ke peran."))


# --- one step ----------------------------------------------------------------------------------------


@officer_required
@require_http_methods(["GET", "HEAD", "POST"])
def step(request: HttpRequest, human_task_id: str) -> HttpResponse:
    pk = path_id(human_task_id)
    human_task = selectors.step_find(pk) if pk is not None else None
    if human_task is None:
        return _not_found(request)
    instance = human_task.instance
    if not workflow.may_act_on(request.user, human_task, instance):
        return _role_forbidden(request, human_task)
    is_open = selectors.step_is_open(human_task)
    posted = request.method == "POST"
    if posted and not is_open:
        messages.warning(request, _("Langkah ini sudah diselesaikan atau dibatalkan; tidak ada yang diubah."))
        return redirect("step", human_task_id=human_task.pk)
    form = ProcessForm(request.POST if posted else None, fields=form_fields(human_task.form))
    completeness = selectors.step_starts_clock(human_task)
    checklist = documents.checklist_for(instance)
    checklist_form = None
    if completeness and is_open:
        checklist_form = ChecklistForm(request.POST if posted else None, checklist=checklist, prefix="cek")
    if posted and form.is_valid() and (checklist_form is None or checklist_form.is_valid()):
        try:
            if checklist_form is not None:
                completeness_step_complete(
                    human_task_id=human_task.pk, actor=request.user, data=form.engine_data(),
                    items=checklist_form.statuses(),
                )  # fmt: skip
            else:
                workflow.human_task_complete(human_task_id=human_task.pk, actor=request.user, data=form.engine_data())
        except NotAllowed:
            return _role_forbidden(request, human_task)
        except NotFound:
            return _not_found(request)
        except InvalidInput as exc:
            _invalid_input_show(exc, form, checklist_form)
        except WorkflowError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _("Langkah %(step)s untuk permohonan %(tn)s selesai.")
                % {"step": human_task.name, "tn": instance.tracking_number},
            )
            return redirect("worklist")
    context = {
        "task": human_task,
        "instance": instance,
        "is_open": is_open,
        "form": form,
        "checklist": checklist,
        "checklist_form": checklist_form,
        "completeness": completeness,
        "may_upload": completeness and is_open and documents.may_upload_documents(request.user, instance),
        "request_rows": selectors.request_data_rows(instance),
        "history": presenters.history_rows(request_history(instance, show_people=True)),
        "diagram": request_diagram(instance),
        "diagram_url": reverse("request-diagram", kwargs={"tracking_number": instance.tracking_number}),
        "letters": list(letters_for_instance(instance)),
        "role": role_label(human_task.role),
        "waiting": presenters.duration_text((timezone.now() - human_task.created_at).total_seconds()),
        "overdue": bool(is_open and human_task.due_at and human_task.due_at < timezone.now()),
        "mine": human_task.assignee_id == request.user.pk,
        "max_upload": max_bytes(),
    }
    return render(request, "officework/step.html", context, status=400 if posted else 200)


def _invalid_input_show(exc: InvalidInput, form: ProcessForm, checklist_form: ChecklistForm | None) -> None:
    errors = exc.errors
    form.add_engine_errors(errors.get("data", {}))
    items = errors.get("items")
    if checklist_form is not None and isinstance(items, dict):
        for code, texts in items.items():
            name = f"req_{code}"
            for text in texts if isinstance(texts, list) else [texts]:
                checklist_form.add_error(name if name in checklist_form.fields else None, str(text))
    elif items:
        form.add_error(None, " ".join(str(t) for t in items))
    for key, texts in errors.items():
        if key not in ("data", "items"):
            form.add_error(None, " ".join(str(t) for t in (texts if isinstance(texts, list) else [texts])))


@csrf_exempt
def step_upload(request: HttpRequest, human_task_id: str) -> HttpResponseBase:
    # The upload handler must be in place before anything (the CSRF check included) reads the body.
    if request.method == "POST":
        request.upload_handlers = [BoundedUploadHandler(request, limit=max_bytes())]
    return _step_upload(request, human_task_id)


@csrf_protect
@officer_required
@require_POST
def _step_upload(request: HttpRequest, human_task_id: str) -> HttpResponse:
    pk = path_id(human_task_id)
    human_task = selectors.step_find(pk) if pk is not None else None
    if human_task is None:
        return _not_found(request)
    if not workflow.may_act_on(request.user, human_task, human_task.instance):
        return _role_forbidden(request, human_task)
    uploaded = request.FILES.get("file")
    if uploaded is None:
        messages.error(request, _("Pilih berkas yang akan diunggah."))
        return redirect("step", human_task_id=human_task.pk)
    try:
        document_upload(
            instance=human_task.instance, requirement_code=request.POST.get("requirement", "")[:64],
            uploaded_file=uploaded, actor=request.user,
        )  # fmt: skip
    except NotAllowed as exc:
        return _forbidden(request, str(exc.message))
    except InvalidInput as exc:
        texts = [str(t) for v in exc.errors.values() for t in (v if isinstance(v, list) else [v])]
        messages.error(request, _("Berkas tidak diunggah: %(why)s") % {"why": " ".join(texts)})
    except WorkflowError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Berkas diunggah."))
    return redirect("step", human_task_id=human_task.pk)


@officer_required
@require_http_methods(["GET", "HEAD"])
def document_download(request: HttpRequest, tracking_number: str, document_id: str) -> HttpResponseBase:
    pk = path_id(document_id)
    if pk is None:
        return _not_found(request, _("Dokumen tidak ditemukan."))
    try:
        instance = documents.request_for_documents(request.user, tracking_number)
        document = documents.document_for_user(request.user, instance=instance, document_id=pk)
        content = documents.document_content(document)
    except NotFound:
        return _not_found(request, _("Dokumen tidak ditemukan."))
    except documents.DocumentFileUnavailable as exc:
        return render(request, "officework/not_found.html", {"message": exc.message}, status=409)
    response = FileResponse(
        BytesIO(content),
        as_attachment=True,
        filename=download_name(document.original_name, document.file_path.rsplit(".", 1)[-1]),
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- the counter's registration ----------------------------------------------------------------------


def _requirement_items(service_code: str) -> list[dict[str, Any]]:
    return [
        {"code": str(r["code"]), "name": str(r["name"]), "required": bool(r.get("required", True)), "status": ""}
        for r in service_requirements(service_code)
    ]


@csrf_exempt
def counter_register_page(request: HttpRequest) -> HttpResponseBase:
    if request.method == "POST":
        request.upload_handlers = [BoundedUploadHandler(request, limit=max_bytes(), prefix=FIELD_PREFIX, max_files=20)]
    return _counter_register_page(request)


@csrf_protect
@never_cache
@counter_required
@require_http_methods(["GET", "HEAD", "POST"])
def _counter_register_page(request: HttpRequest) -> HttpResponse:
    posted = request.method == "POST"
    code = (request.POST if posted else request.GET).get("layanan", "")
    definition = selectors.registrable_definition(code) if code else None
    if definition is None:
        unavailable = selectors.unavailable_services()
        chosen = next((s for s in unavailable if s["code"] == code), None)
        context = {
            "services": selectors.registrable_services(),
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
                service_code=definition.code, applicant=applicant_form.cleaned_data, data=data_form.engine_data(),
                actor=request.user, items=checklist_form.statuses(), files=files_form.files_by_code(),
            )  # fmt: skip
        except NotAllowed as exc:
            return _forbidden(request, str(exc.message))
        except InvalidInput as exc:
            _registration_errors_show(exc, applicant_form, data_form)
        except WorkflowError as exc:
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
        if key == "applicant" and isinstance(value, dict):
            for name, texts in value.items():
                for text in texts if isinstance(texts, list) else [texts]:
                    applicant_form.add_error(name if name in applicant_form.fields else None, str(text))
        elif key == "data":
            data_form.add_engine_errors(value)
        else:
            for text in value if isinstance(value, list) else [value]:
                applicant_form.add_error(None, str(text))


@never_cache
@officer_required
@require_http_methods(["GET", "HEAD"])
def counter_receipt(request: HttpRequest, tracking_number: str) -> HttpResponse:
    try:
        instance = request_for_user(request.user, tracking_number)
    except NotFound:
        return _not_found(request, _("Permohonan tidak ditemukan."))
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
        "office": settings.PATEN_OFFICE,
        "expected": date_text(instance.sla_due_at) if instance.sla_due_at else "",
        "completion_text": (content.get("completion_time") or {}).get("text", ""),
        "procedure": content.get("procedure") or [],
        "tracking_url": settings.PATEN_PUBLIC_URL.rstrip("/") + reverse("tracking"),
        "may_reissue": RoleCode.LOKET in user_roles(request.user),
    }
    return render(request, "officework/receipt.html", context)


@officer_required
@require_POST
def counter_pin_reissue(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """A new PIN for an applicant who lost it, shown once on the receipt; the old one stops working."""
    try:
        request_for_user(request.user, tracking_number)
        instance = workflow.access_pin_reissue(tracking_number=tracking_number, actor=request.user)
    except NotFound:
        return _not_found(request, _("Permohonan tidak ditemukan."))
    except NotAllowed as exc:
        return _forbidden(request, str(exc.message))
    pins = request.session.get(PIN_SESSION_KEY)
    pins = dict(pins) if isinstance(pins, dict) else {}
    pins[instance.tracking_number] = instance.access_pin
    request.session[PIN_SESSION_KEY] = dict(list(pins.items())[-5:])
    messages.success(request, _("PIN baru diterbitkan; PIN lama tidak berlaku lagi."))
    return redirect("counter-receipt", tracking_number=instance.tracking_number)
