"""The officers' pages: the worklist and a step (the counter's pages are in counter_views).

Views only read the request, call one selector or service and render; rules live in the services.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.accounts.enums import role_label
from portal.core.errors import Conflict, InvalidInput, NotAllowed, NotFound, ProcessFailed, ServiceError
from portal.core.forms import ProcessForm, errors_apply
from portal.core.http import private_file_response
from portal.core.ids import path_id
from portal.core.uploads import bounded_uploads
from portal.documents import selectors as documents
from portal.documents.content import download_name
from portal.documents.services import document_upload, max_bytes
from portal.letters.selectors import letters_for_instance
from portal.workflow.access import may_act_on
from portal.workflow.models import Step
from portal.workflow.selectors import request_diagram, request_history
from portal.workflow.services.human_tasks import human_task_claim, human_task_complete, human_task_release

from . import presenters, selectors
from .access import forbidden, not_found, officer_required, role_forbidden
from .forms import ChecklistForm, WorklistFilterForm
from .services import completeness_step_complete


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
        request.GET, services=selectors.worklist_service_choices(), villages=selectors.village_choices(request.user)
    )
    filters = form.valid_values()
    now = timezone.now()
    listed = selectors.worklist_for(request.user, filters=filters, cursor=request.GET.get("halaman"), now=now)
    rows = presenters.worklist_rows(listed.rows, user=request.user, now=now)
    query = request.GET.copy()
    query.pop("halaman", None)
    context = {"form": form, "listed": listed, "rows": rows, "query": query.urlencode(), "now": now}
    return render(request, "officework/worklist.html", context)


def _step_command(request: HttpRequest, human_task_id: str, command: Callable[..., Any], done: str) -> HttpResponse:
    pk = path_id(human_task_id)
    human_task = selectors.step_find(pk) if pk is not None else None
    if human_task is None:
        return not_found(request)
    try:
        command(human_task_id=pk, actor=request.user)
    except NotFound:
        return not_found(request)
    except NotAllowed:
        return role_forbidden(request, human_task)
    except (Conflict, ProcessFailed) as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return redirect(_next_url(request))


@officer_required
@require_POST
def step_claim(request: HttpRequest, human_task_id: str) -> HttpResponse:
    return _step_command(request, human_task_id, human_task_claim, _("Langkah diambil; Anda yang mengerjakannya."))


@officer_required
@require_POST
def step_release(request: HttpRequest, human_task_id: str) -> HttpResponse:
    return _step_command(request, human_task_id, human_task_release, _("Langkah dilepas kembali ke peran."))


# --- one step ----------------------------------------------------------------------------------------


@officer_required
@require_http_methods(["GET", "HEAD", "POST"])
def step(request: HttpRequest, human_task_id: str) -> HttpResponse:
    pk = path_id(human_task_id)
    human_task = selectors.step_find(pk) if pk is not None else None
    if human_task is None:
        return not_found(request)
    instance = human_task.instance
    if not may_act_on(request.user, human_task, instance):
        return role_forbidden(request, human_task)
    is_open = selectors.step_is_open(human_task)
    posted = request.method == "POST"
    if posted and not is_open:
        messages.warning(request, _("Langkah ini sudah diselesaikan atau dibatalkan; tidak ada yang diubah."))
        return redirect("step", human_task_id=human_task.pk)
    form = ProcessForm(
        request.POST if posted else None, fields=human_task.form, values=selectors.step_prefill(human_task)
    )
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
                human_task_complete(human_task_id=human_task.pk, actor=request.user, data=form.engine_data())
        except NotAllowed:
            return role_forbidden(request, human_task)
        except NotFound:
            return not_found(request)
        except InvalidInput as exc:
            _invalid_input_show(exc, form, checklist_form)
        except ServiceError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _("Langkah %(step)s untuk permohonan %(tn)s selesai.")
                % {"step": human_task.name, "tn": instance.tracking_number},
            )
            return redirect("worklist")
    context = _step_context(request, human_task, form=form, checklist=checklist, checklist_form=checklist_form)
    return render(request, "officework/step.html", context, status=400 if posted else 200)


def _step_context(
    request: HttpRequest, human_task: Step, *, form: ProcessForm, checklist: list[dict[str, Any]],
    checklist_form: ChecklistForm | None,
) -> dict[str, Any]:  # fmt: skip
    instance, is_open, now = human_task.instance, selectors.step_is_open(human_task), timezone.now()
    completeness = selectors.step_starts_clock(human_task)
    return {
        "task": human_task, "instance": instance, "is_open": is_open, "form": form, "checklist": checklist,
        "checklist_form": checklist_form, "completeness": completeness,
        "may_upload": completeness and is_open and documents.may_upload_documents(request.user, instance),
        "request_rows": selectors.request_data_rows(instance),
        "history": presenters.history_rows(request_history(instance, show_people=True)),
        "diagram": request_diagram(instance),
        "diagram_url": reverse("request-diagram", kwargs={"tracking_number": instance.tracking_number}),
        "letters": list(letters_for_instance(instance)),
        "draft": selectors.step_draft(human_task, request.user),
        "findings": selectors.verification_findings(instance) if is_open else [],
        "role": role_label(human_task.role),
        "waiting": presenters.duration_text((now - human_task.created_at).total_seconds()),
        "overdue": bool(is_open and human_task.due_at and human_task.due_at < now),
        "mine": human_task.assignee_id == request.user.pk, "max_upload": max_bytes(),
    }  # fmt: skip


def _invalid_input_show(exc: InvalidInput, form: ProcessForm, checklist_form: ChecklistForm | None) -> None:
    errors = exc.errors
    errors_apply(form, errors.get("data", {}))
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


@bounded_uploads(limit=max_bytes, prefix=None)
@officer_required
@require_POST
def step_upload(request: HttpRequest, human_task_id: str) -> HttpResponse:
    pk = path_id(human_task_id)
    human_task = selectors.step_find(pk) if pk is not None else None
    if human_task is None:
        return not_found(request)
    if not may_act_on(request.user, human_task, human_task.instance):
        return role_forbidden(request, human_task)
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
        return forbidden(request, str(exc.message))
    except InvalidInput as exc:
        texts = [str(t) for v in exc.errors.values() for t in (v if isinstance(v, list) else [v])]
        messages.error(request, _("Berkas tidak diunggah: %(why)s") % {"why": " ".join(texts)})
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Berkas diunggah."))
    return redirect("step", human_task_id=human_task.pk)


@officer_required
@require_http_methods(["GET", "HEAD"])
def document_download(request: HttpRequest, tracking_number: str, document_id: str) -> HttpResponseBase:
    pk = path_id(document_id)
    if pk is None:
        return not_found(request, _("Dokumen tidak ditemukan."))
    try:
        instance = documents.request_for_documents(request.user, tracking_number)
        document = documents.document_for_user(request.user, instance=instance, document_id=pk)
        content = documents.document_content(document)
    except NotFound:
        return not_found(request, _("Dokumen tidak ditemukan."))
    except documents.DocumentFileUnavailable as exc:
        return render(request, "officework/not_found.html", {"message": exc.message}, status=409)
    filename = download_name(document.original_name, document.file_path.rsplit(".", 1)[-1])
    return private_file_response(content, filename=filename, content_type=document.content_type)
