"""Reads of the satisfaction survey: the elements, whether a request may still be surveyed, and the
index (IKM) per service and period.

IKM = sum(NRR_i x 1/n) x 25 with n elements (nine), NRR_i = sum of element i's scores / respondents.
The regulation writes the weight 1/9 as 0.111; the exact fraction is used here, so an all-4 survey
gives 100.00 rather than 99.90. `ikm_weight_0111` reports the regulation's rounded figure beside it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from portal.accounts.enums import RoleCode
from portal.accounts.selectors import user_roles
from portal.workflow.enums import InstanceStatus
from portal.workflow.models import ProcessInstance

from .models import SurveyAnswer, SurveyElement, SurveyGrade, SurveyResponse

SCALE = 25  # converts the 1..4 index to 25..100
REGULATION_WEIGHT = Fraction(111, 1000)
SUMMARY_ROLES = frozenset({RoleCode.CAMAT, RoleCode.ADMIN, RoleCode.AUDITOR})


def survey_elements() -> QuerySet[SurveyElement]:
    return SurveyElement.objects.filter(is_active=True).order_by("position", "code")


def survey_done(instance: ProcessInstance) -> bool:
    return SurveyResponse.objects.filter(instance=instance).exists()


def survey_open_for(instance: ProcessInstance) -> bool:
    """A completed request not surveyed yet."""
    return instance.status == InstanceStatus.COMPLETED and not survey_done(instance)


def may_read_summary(user: Any) -> bool:
    return bool(user_roles(user) & SUMMARY_ROLES)


def _two(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def grade_for(ikm: Decimal) -> SurveyGrade | None:
    """The interval holding the IKM rounded to two decimals (the intervals are written that way)."""
    return SurveyGrade.objects.filter(lower__lte=ikm, upper__gte=ikm).order_by("-lower").first()


def _bounds(date_from: date | None, date_to: date | None) -> tuple[datetime | None, datetime | None]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(date_from, time.min, tzinfo=tz) if date_from else None
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz) if date_to else None
    return start, end


def responses_in(
    *, service_code: str | None = None, date_from: date | None = None, date_to: date | None = None
) -> QuerySet[SurveyResponse]:
    """Responses of one service (or all) submitted within the WITA dates, both inclusive."""
    qs = SurveyResponse.objects.all()
    if service_code:
        qs = qs.filter(service_code=service_code)
    start, end = _bounds(date_from, date_to)
    if start is not None:
        qs = qs.filter(submitted_at__gte=start)
    if end is not None:
        qs = qs.filter(submitted_at__lt=end)
    return qs


def ikm_summary(
    *, service_code: str | None = None, date_from: date | None = None, date_to: date | None = None
) -> dict[str, Any]:
    """NRR per element, the IKM (exact 1/n weight) and its grade, for a service and period."""
    responses = responses_in(service_code=service_code, date_from=date_from, date_to=date_to)
    respondents = responses.count()
    elements = list(survey_elements())
    sums = {
        row["element__code"]: (row["total"], row["n"])
        for row in SurveyAnswer.objects.filter(response__in=responses)
        .values("element__code")
        .annotate(total=Sum("score"), n=Count("id"))
    }
    rows = []
    nrrs: list[Fraction] = []
    for element in elements:
        total, _n = sums.get(element.code, (0, 0))
        nrr = Fraction(total, respondents) if respondents else Fraction(0)
        nrrs.append(nrr)
        rows.append(
            {
                "code": element.code,
                "name": element.name,
                "total": total,
                "nrr": _two(nrr) if respondents else None,
                "nrr_exact": float(nrr) if respondents else None,
            }
        )
    result: dict[str, Any] = {
        "service": service_code or "",
        "date_from": date_from,
        "date_to": date_to,
        "respondents": respondents,
        "elements": rows,
        "ikm": None,
        "ikm_weight_0111": None,
        "grade": "",
        "grade_label": "",
    }
    if respondents and elements:
        weight = Fraction(1, len(elements))
        ikm = sum((nrr * weight for nrr in nrrs), Fraction(0)) * SCALE
        result["ikm"] = _two(ikm)
        result["ikm_weight_0111"] = _two(sum((nrr * REGULATION_WEIGHT for nrr in nrrs), Fraction(0)) * SCALE)
        grade = grade_for(result["ikm"])
        if grade is not None:
            result["grade"], result["grade_label"] = grade.grade, grade.label
    return result
