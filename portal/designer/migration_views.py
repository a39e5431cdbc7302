"""/perancang/<code>/pindah/: moving the running requests of one version onto another.

The page is the dry run: every running request of the older version with its verdict. The designer
moves the ones ticked, or every safe one; each moves in its own transaction, and the page then says
which moved and which did not, and why. Requests just moved can be moved back while nothing new has
happened on them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.core.errors import ServiceError, error_texts
from portal.workflow.migration_plans import migration_dry_run, moves_undoable
from portal.workflow.models import ProcessDefinition, ProcessInstance
from portal.workflow.services.migration import instance_migration_revert, instances_migrate

from .pages import forbidden, not_found
from .selectors import may_design


def _versions(code: str, query: Any) -> tuple[ProcessDefinition, ProcessDefinition] | str:
    """The from and to versions the page names (`dari`, `ke`; by default the newest running older
    version and the active one); or the message saying what is wrong."""
    versions = list(ProcessDefinition.objects.filter(code=code).defer("bpmn_source", "spec_json").order_by("version"))
    if not versions:
        return _("Layanan %(code)s tidak ditemukan.") % {"code": code}
    by_number = {v.version: v for v in versions}
    active = next((v for v in versions if v.is_active), versions[-1])
    try:
        target = by_number[int(query.get("ke") or active.version)]
        older = [v.version for v in versions if v.version < target.version]
        source = by_number[int(query.get("dari") or (older[-1] if older else target.version))]
    except (KeyError, ValueError, TypeError):
        return _("Versi yang diminta tidak ada.")
    if source.pk == target.pk:
        return _("Pilih dua versi yang berbeda.")
    return source, target


def _page_url(code: str, source: ProcessDefinition, target: ProcessDefinition) -> str:
    query = urlencode({"dari": source.version, "ke": target.version})
    return f"{reverse('designer-migrate', args=[code])}?{query}"


@login_required
@require_http_methods(["GET", "HEAD"])
def migrate_page(request: HttpRequest, code: str) -> HttpResponse:
    if not may_design(request.user):
        return forbidden(request)
    found = _versions(code, request.GET)
    if isinstance(found, str):
        versions = ProcessDefinition.objects.filter(code=code)
        if not request.GET and versions.count() == 1:  # nothing to move between yet
            return render(request, "designer/migrate.html", {"code": code, "single": versions.get()})
        return not_found(request, found)
    source, target = found
    verdicts = migration_dry_run(source, target)
    context = {
        "code": code, "source": source, "target": target, "verdicts": verdicts,
        "safe_count": sum(1 for v in verdicts if v.safe), "undoable": moves_undoable(target),
        "versions": ProcessDefinition.objects.filter(code=code).only("version", "is_active").order_by("-version"),
    }  # fmt: skip
    return render(request, "designer/migrate.html", context)


@login_required
@require_POST
def migrate_submit(request: HttpRequest, code: str) -> HttpResponse:
    if not may_design(request.user):
        return forbidden(request)
    found = _versions(code, request.POST)
    if isinstance(found, str):
        messages.error(request, found)
        return redirect("designer-services")
    source, target = found
    if request.POST.get("semua") == "aman":
        chosen = [v.instance_id for v in migration_dry_run(source, target) if v.safe]
    else:
        numbers = [str(n)[:20] for n in request.POST.getlist("permohonan")][:5000]
        chosen = list(ProcessInstance.objects.filter(definition=source, tracking_number__in=numbers).values_list(
            "pk", flat=True))  # fmt: skip
    if not chosen:
        messages.error(request, _("Tidak ada permohonan yang dipilih untuk dipindahkan."))
        return redirect(_page_url(code, source, target))
    report = instances_migrate(instance_ids=chosen, to_definition_id=target.pk, actor=request.user)
    if report.moved:
        messages.success(request, _("%(n)s permohonan dipindahkan ke versi %(version)s.") % {
            "n": len(report.moved), "version": target.version})  # fmt: skip
    for number, why in report.refused.items():
        messages.error(request, _("%(tn)s tidak dipindahkan: %(why)s") % {"tn": number, "why": why})
    return redirect(_page_url(code, source, target))


@login_required
@require_POST
def migrate_undo(request: HttpRequest, code: str, tracking_number: str) -> HttpResponse:
    if not may_design(request.user):
        return forbidden(request)
    instance = ProcessInstance.objects.filter(tracking_number=tracking_number, definition__code=code).first()
    if instance is None:
        message = _("Tidak ada permohonan %(tn)s pada layanan ini.") % {"tn": tracking_number}
        return not_found(request, message)
    moved_to = instance.definition
    try:
        back = instance_migration_revert(instance_id=instance.pk, actor=request.user)
    except ServiceError as exc:
        messages.error(request, f"{tracking_number}: " + "; ".join(error_texts(exc)))
        return redirect(f"{reverse('designer-migrate', args=[code])}?{urlencode({'ke': moved_to.version})}")
    messages.success(request, _("%(tn)s kembali ke versi %(version)s.") % {
        "tn": tracking_number, "version": back.definition.version})  # fmt: skip
    return redirect(_page_url(code, back.definition, moved_to))
