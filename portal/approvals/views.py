"""The /persetujuan/ page: the camat's inbox with draft letters, approve one or many, send back."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.accounts.enums import RoleCode
from portal.accounts.selectors import user_roles
from portal.core.errors import InvalidInput
from portal.core.http import private_file_response
from portal.delegation.selectors import delegations_in_force
from portal.letters.drafts import letter_draft_pdf
from portal.officework.presenters import duration_text

from . import selectors, services


def _allowed(request: HttpRequest) -> bool:
    return RoleCode.CAMAT in user_roles(request.user) or bool(delegations_in_force(request.user))


def _step_url(human_task_id: int) -> str:
    try:
        return reverse("step", kwargs={"human_task_id": str(human_task_id)})
    except NoReverseMatch:
        return ""


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isascii() and v.isdigit() and len(v) < 18 and int(v) > 0]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def approvals_page(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        raise PermissionDenied
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        ids = _ids(request.POST.getlist("human_task_ids"))
        reason = request.POST.get("reason", "")
        try:
            results = services.approvals_decide(
                human_task_ids=ids, decision=decision, reason=reason, actor=request.user
            )
        except InvalidInput as exc:
            for errors in exc.errors.values():
                for error in errors:
                    messages.error(request, str(error))
        else:
            for r in results:
                if r.ok:
                    text = f"{r.tracking_number}: {r.detail}"
                    if r.letter_number:
                        text += " " + _("Nomor surat %(number)s.") % {"number": r.letter_number}
                    messages.success(request, text)
                else:
                    messages.error(request, _("Langkah %(id)s: %(why)s") % {"id": r.human_task_id, "why": r.detail})
        return redirect("approvals")
    listed = selectors.inbox_page(request.user, cursor=request.GET.get("halaman"))
    for item in listed.rows:
        item["step_url"] = _step_url(item["step"].pk)
        item["waiting_text"] = duration_text(item["waiting_seconds"])
    return render(request, "approvals/inbox.html", {"items": listed.rows, "listed": listed})


@login_required
def draft_pdf(request: HttpRequest, human_task_id: int) -> HttpResponse:
    """The draft letter of one waiting step as a PDF marked DRAF (nothing is issued)."""
    if not _allowed(request):
        raise PermissionDenied
    item = selectors.inbox_item(request.user, human_task_id)
    if item is None or item["draft"] is None:
        raise Http404
    filename = f"draf-{item['instance'].tracking_number}.pdf"
    return private_file_response(
        letter_draft_pdf(item["draft"]), filename=filename, content_type="application/pdf", attachment=False
    )
