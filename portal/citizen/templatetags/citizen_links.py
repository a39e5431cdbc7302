"""The applicant's actions on the tracking status page: download the letter, fix a returned file, the survey."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from portal.tracking.selectors import request_by_tracking_number
from portal.workflow.enums import InstanceStatus

from .. import presenters, selectors

register = template.Library()


@register.inclusion_tag("citizen/_status_links.html")
def citizen_status_links(view: dict[str, Any]) -> dict[str, Any]:
    """Links for the request the status page shows (the page itself is only shown to its applicant)."""
    from portal.survey.selectors import survey_open_for

    instance = request_by_tracking_number(str(view.get("tracking_number", "")))
    if instance is None:
        return {"links": {}}
    tn = instance.tracking_number
    fix = selectors.applicant_step_open(instance) is not None
    survey = instance.status == InstanceStatus.COMPLETED and survey_open_for(instance)
    return {
        "links": {
            "letters": presenters.letter_links(instance),
            "fix_url": reverse("citizen-fix", kwargs={"tracking_number": tn}) if fix else "",
            "survey_url": reverse("survey-page", kwargs={"tracking_number": tn}) if survey else "",
        }
    }
