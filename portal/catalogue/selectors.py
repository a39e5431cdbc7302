"""Reads of the catalogue."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.prepared import PreparedQuery

from .enums import AuthorityStatus
from .models import AuthorityRule, RefusedRequest, Service, ServiceDeclaration, ServiceStandard


def authority_in_force(
    service_code: str, *, on: date | None = None, office_id: int | None = None
) -> AuthorityRule | None:
    """The registry row that applies to `service_code` on `on` (office date), if any: in the office
    `office_id`, its own row wins over the regency's; with no office, the regency's rows only."""
    on = on or timezone.localdate()
    where = Q(kecamatan__isnull=True) | Q(kecamatan_id=office_id) if office_id else Q(kecamatan__isnull=True)
    return (
        AuthorityRule.objects.select_related("service")
        .filter(where, service__code=service_code, in_force_from__lte=on)
        .filter(Q(in_force_until__isnull=True) | Q(in_force_until__gte=on))
        .order_by(F("kecamatan_id").desc(nulls_last=True), "-in_force_from", "-id")
        .first()
    )


def authority_data(rule: AuthorityRule | None) -> dict[str, str]:
    """The `authority` dict every new instance receives (no rule: decided here)."""
    if rule is None:
        return {"status": AuthorityStatus.DELEGATED, "office": "", "legal_basis": ""}
    return {"status": rule.status, "office": rule.office, "legal_basis": rule.legal_basis_number}


def service_find(code: str) -> Service | None:
    return Service.objects.filter(code=str(code)[:64]).first()


def services_published() -> QuerySet[Service]:
    return Service.objects.order_by("name").prefetch_related("standards")


def standard_current(service: Service) -> ServiceStandard | None:
    return service.standards.filter(is_current=True).first()


def service_requirements(service_code: str) -> list[dict[str, Any]]:
    """The requirement checklist of a service's current standard: [{code, name, required}]."""
    standard = ServiceStandard.objects.filter(service__code=service_code, is_current=True).first()
    if standard is None:
        return []
    return [dict(item) for item in standard.content.get("requirements", [])]


# A service's current standard, read by commands (its clock, separation of duties): compiled once.
_CURRENT_STANDARD: PreparedQuery[ServiceStandard] = PreparedQuery(
    lambda code: ServiceStandard.objects.filter(service__code=code, is_current=True).only("content").order_by("pk")[:1],
    keys=(str,),
)


def service_working_days(service_code: str) -> int | None:
    """The completion time (working days) of a service's current standard, if it has one."""
    standard = _CURRENT_STANDARD.first(str(service_code))
    if standard is None:
        return None
    days = standard.content.get("completion_time", {}).get("working_days")
    return days if isinstance(days, int) and days >= 0 else None


def service_separation_of_duties(service_code: str) -> bool:
    """Whether who verified a request of the service may not approve it (`separation_of_duties`, default on)."""
    standard = _CURRENT_STANDARD.first(str(service_code))
    if standard is None:
        return True
    return standard.content.get("separation_of_duties", True) is not False


def declaration_current(office_id: int | None = None) -> ServiceDeclaration | None:
    """The office's latest maklumat, or the regency's (a row without an office) where it has none."""
    own = ServiceDeclaration.objects.filter(office_id=office_id).first() if office_id else None
    return own or ServiceDeclaration.objects.filter(office__isnull=True).first()


def refusals_by_month(*, year: int | None = None) -> list[dict[str, Any]]:
    """Refused requests counted per service and month."""
    qs = RefusedRequest.objects.all()
    if year is not None:
        qs = qs.filter(month__year=year)
    rows = (
        qs.values("service__code", "service__name", "month")
        .annotate(count=Count("id"))
        .order_by("month", "service__code")
    )
    return [
        {
            "service": r["service__code"],
            "name": r["service__name"],
            "month": r["month"].strftime("%Y-%m"),
            "count": r["count"],
        }
        for r in rows
    ]


def not_available_message(rule: AuthorityRule, *, office_name: str = "") -> str:
    """Why a service cannot be served here (at Kecamatan `office_name`, where known) and where to go
    instead, in the citizen's words."""
    if office_name:
        text = _(
            "Layanan %(name)s tidak dapat diproses di Kecamatan %(office)s karena kewenangannya tidak dilimpahkan "
            "kepada camat."
        ) % {"name": rule.service.name, "office": office_name}
    else:
        text = _(
            "Layanan %(name)s tidak dapat diproses di kecamatan karena kewenangannya tidak dilimpahkan kepada camat."
        ) % {"name": rule.service.name}
    if rule.office:
        text += " " + _("Silakan mengajukan ke %(office)s.") % {"office": rule.office}
    if rule.note:
        text += " " + rule.note
    return text
