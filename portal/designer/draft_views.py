"""The modeler and the drafts: open a file in the modeler (its version in use, an earlier version, or
a draft), save what was drawn as a draft, compare a draft with the version in use, and deploy it.

A service's diagram, a decision table file and a shared sub-process go through the same pages; a
service is named by its code, a part by its kind and code. Nothing here is live until deployed:
a deploy lints first and is refused with every problem named on its element.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.core.errors import ServiceError, error_texts

from . import selectors, services
from .models import Draft
from .pages import forbidden, not_found

SERVICE = Draft.Kind.SERVICE


def file_url(kind: str, code: str, name: str) -> str:
    """The page `name` (edit, save) of a service or a part."""
    if kind == SERVICE:
        return reverse(f"designer-service-{name}", args=[code])
    return reverse(f"designer-part-{name}", args=[kind, code])


def _title(kind: str, code: str) -> str:
    if kind == SERVICE:
        live = selectors.live_version(kind, code)
        return str(getattr(live, "name", "") or code)
    return str(Draft.Kind(kind).label).capitalize() + " " + code


def _modeler(request: HttpRequest, kind: str, code: str, source: str, **extra: Any) -> HttpResponse:
    context = {
        "kind": kind, "code": code, "title": _title(kind, code), "filename": services.filename_of(kind, code),
        "source": source, "save_url": file_url(kind, code, "save"), "back_url": _back_url(kind, code),
        "problems": None, **extra,
    }  # fmt: skip
    response = render(request, "designer/modeler.html", context, status=extra.get("status", 200))
    # The decision table editor draws its watermark with a few style attributes, allowed by hash here only.
    response["Content-Security-Policy"] = settings.PATEN_DESIGNER_CSP
    return response


def _back_url(kind: str, code: str) -> str:
    if kind == SERVICE:
        return reverse("designer-service", args=[code])
    return reverse("designer-services") + f"#bagian-{kind}-{code}"


@login_required
@require_http_methods(["GET", "HEAD"])
def edit_page(request: HttpRequest, code: str, kind: str = SERVICE) -> HttpResponse:
    """The modeler on the version in use, or on version `?versi=N` (a new draft is saved from it)."""
    if not selectors.may_design(request.user):
        return forbidden(request)
    live = selectors.live_version(kind, code) if kind in Draft.Kind.values else None
    if live is None:
        return not_found(request, _("Berkas %(code)s tidak ditemukan.") % {"code": code})
    number = request.GET.get("versi") or live.version
    try:
        found = selectors.version_source(kind, code, int(number))
    except (TypeError, ValueError):
        found = None
    if found is None:
        return not_found(request, _("Versi yang diminta tidak ada."))
    return _modeler(request, kind, code, found[0], based_on=live.version, version_shown=int(number))


@login_required
@require_POST
def save_submit(request: HttpRequest, code: str, kind: str = SERVICE) -> HttpResponse:
    if not selectors.may_design(request.user):
        return forbidden(request)
    based_on = request.POST.get("based_on") or None
    try:
        draft = services.draft_save(
            kind=kind, code=code, source=request.POST.get("source", ""), author=request.user,
            note=request.POST.get("note", ""), based_on=int(based_on) if based_on else None,
        )  # fmt: skip
    except (ValueError, TypeError):
        messages.error(request, _("Versi asal tidak dikenali."))
        return redirect(file_url(kind, code, "edit"))
    except ServiceError as exc:
        messages.error(request, "; ".join(error_texts(exc)))
        if kind in Draft.Kind.values and selectors.live_version(kind, code) is not None:
            return redirect(file_url(kind, code, "edit"))
        return redirect("designer-services")
    messages.success(request, _("Draf %(n)s disimpan; belum dipakai sampai dipasang.") % {"n": draft.number})
    return redirect("designer-draft", draft.pk)


def _draft_for(request: HttpRequest, draft_id: int) -> Draft | HttpResponse:
    if not selectors.may_design(request.user):
        return forbidden(request)
    draft = selectors.draft_find(draft_id)
    return draft if draft is not None else not_found(request, _("Draf tidak ditemukan."))


@login_required
@require_http_methods(["GET", "HEAD"])
def draft_page(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = _draft_for(request, draft_id)
    if isinstance(draft, HttpResponse):
        return draft
    return _modeler(request, draft.kind, draft.code, draft.source, draft=draft, based_on=draft.based_on)


def hint_label(field: str) -> str:
    """The name a reader knows a part of the written service standard by."""
    labels = {
        "procedure": _("Prosedur"), "completion_time": _("Jangka waktu penyelesaian"),
        "staff_count": _("Jumlah pelaksana"), "staff_competence": _("Kompetensi pelaksana"),
        "requirements": _("Persyaratan"),
    }  # fmt: skip
    return str(labels.get(field, field))


def comparison_data(comparison: Any) -> dict[str, Any]:
    """The differences as the side-by-side viewers mark them (element ids)."""
    return {
        "added": [e.id for e in comparison.added], "removed": [e.id for e in comparison.removed],
        "changed": [{"id": c.id, "properties": list(c.properties)} for c in comparison.changed],
    }  # fmt: skip


@login_required
@require_http_methods(["GET", "HEAD"])
def draft_compare_page(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = _draft_for(request, draft_id)
    if isinstance(draft, HttpResponse):
        return draft
    live = selectors.live_version(draft.kind, draft.code)
    try:
        comparison, hints = services.draft_compare(draft, live)
    except ServiceError as exc:
        messages.error(request, "; ".join(error_texts(exc)))
        return redirect("designer-draft", draft.pk)
    diagram = None
    if draft.kind != Draft.Kind.DECISIONS:
        left = selectors.source_of(live) if live is not None else ""
        diagram = {"left": left, "right": draft.source, "diff": comparison_data(comparison)}
    hints = [(hint_label(field), message) for field, message in hints]
    context = {"draft": draft, "live": live, "comparison": comparison, "hints": hints, "diagram": diagram,
               "title": _title(draft.kind, draft.code)}  # fmt: skip
    return render(request, "designer/compare.html", context)


@login_required
@require_POST
def draft_deploy_submit(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = _draft_for(request, draft_id)
    if isinstance(draft, HttpResponse):
        return draft
    try:
        deployed = services.draft_deploy(draft_id=draft.pk, actor=request.user, note=request.POST.get("note", ""))
    except services.LintFailed as exc:
        problems = [services.problem_data(p) for p in exc.problems]
        messages.error(request, _("Draf ini belum dapat dipasang: %(n)s kesalahan; lihat tanda pada diagram.") % {
            "n": len(problems)})  # fmt: skip
        return _modeler(request, draft.kind, draft.code, draft.source, draft=draft, based_on=draft.based_on,
                        problems=problems, status=400)  # fmt: skip
    except ServiceError as exc:
        messages.error(request, "; ".join(error_texts(exc)))
        return redirect("designer-draft", draft.pk)
    deployed_messages(request, deployed)
    return redirect(_back_url(draft.kind, draft.code))


def deployed_messages(request: HttpRequest, deployed: services.Deployed) -> None:
    version = deployed.version
    messages.success(request, _("%(file)s versi %(v)s dipasang dan dipakai untuk permohonan baru.") % {
        "file": services.filename_of(deployed.kind, version.code), "v": version.version})  # fmt: skip
    for result in deployed.services:
        messages.info(request, _("Layanan %(code)s ikut mendapat versi %(v)s.") % {
            "code": result.definition.code, "v": result.definition.version})  # fmt: skip
    for field, message in deployed.hints:
        text = _("Standar pelayanan, %(field)s: %(message)s")
        messages.warning(request, text % {"field": hint_label(field), "message": message})
