"""The /pelimpahan/ page: the camat's (or an admin's) delegation register, a form, "end now"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.accounts.enums import RoleCode
from portal.accounts.selectors import user_roles
from portal.core.errors import InvalidInput, ServiceError
from portal.directory.selectors import home_office

from . import selectors, services
from .forms import DelegationForm

_FIELDS = ("principal", "deputy", "kind", "starts_on", "ends_on", "services", "reason")


def _allowed(request: HttpRequest) -> bool:
    return bool(user_roles(request.user) & {RoleCode.CAMAT, RoleCode.ADMIN})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delegations_page(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        raise PermissionDenied
    is_admin = RoleCode.ADMIN in user_roles(request.user)
    form = DelegationForm(request.POST or None, with_principal=is_admin, office=home_office(request.user))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            values = form.cleaned_data
            try:
                services.delegation_create(
                    actor=request.user, deputy=values["deputy"], kind=values["kind"], starts_on=values["starts_on"],
                    ends_on=values["ends_on"], services=list(values["services"]), reason=values["reason"],
                    principal=values.get("principal") or None,
                )  # fmt: skip
            except InvalidInput as exc:
                for field, errors in exc.errors.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, _("Pelimpahan tanda tangan disimpan."))
                return redirect("delegations")
        status = 400
    now = timezone.now()
    rows = [(d, selectors.delegation_state(d, at=now)) for d in selectors.delegations_for(request.user)]
    names = dict(form.fields["services"].choices)  # type: ignore[attr-defined]
    context = {
        "form": form,
        "fields": [form[f] for f in _FIELDS if f in form.fields],
        "current": [(d, s, [names.get(c, c) for c in d.services]) for d, s in rows if s in ("active", "upcoming")],
        "past": [(d, s, [names.get(c, c) for c in d.services]) for d, s in rows if s in ("ended", "past")],
    }
    return render(request, "delegation/delegations.html", context, status=status)


@login_required
@require_POST
def delegation_end_page(request: HttpRequest, delegation_id: int) -> HttpResponse:
    if not _allowed(request):
        raise PermissionDenied
    try:
        services.delegation_end(delegation_id=delegation_id, actor=request.user)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Pelimpahan diakhiri sekarang."))
    return redirect("delegations")
