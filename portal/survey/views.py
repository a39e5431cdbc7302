"""The survey page (/survei/<tracking number>/): the applicant of a completed request answers once."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portal.core.errors import Conflict, InvalidInput
from portal.tracking.access import is_owner, request_for_applicant
from portal.workflow.enums import InstanceStatus

from . import selectors, services
from .forms import SurveyForm

TEMPLATE = "survey/form.html"


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def survey_page(request: HttpRequest, tracking_number: str) -> HttpResponse:
    instance = request_for_applicant(user=request.user, session=request.session, tracking_number=tracking_number)
    if instance is None:
        raise Http404()
    context = {"instance": instance, "service_name": instance.definition.name}
    if instance.status != InstanceStatus.COMPLETED:
        return render(request, TEMPLATE, {**context, "state": "not_completed"}, status=409)
    if selectors.survey_done(instance):
        return render(request, TEMPLATE, {**context, "state": "done"}, status=200 if request.method != "POST" else 409)
    elements = list(selectors.survey_elements())
    form = SurveyForm(request.POST if request.method == "POST" else None, elements=elements)
    if request.method != "POST":
        return render(request, TEMPLATE, {**context, "state": "open", "form": form})
    if not form.is_valid():
        return render(request, TEMPLATE, {**context, "state": "open", "form": form}, status=400)
    try:
        services.survey_submit(
            instance=instance, answers=form.answers(), suggestion=form.cleaned_data.get("suggestion", ""),
            via=services.VIA_ACCOUNT if is_owner(request.user, instance) else services.VIA_PIN,
        )  # fmt: skip
    except InvalidInput as exc:
        for key, messages in (exc.errors.get("answers") or {}).items():
            form.add_error(key if key in form.fields else None, messages)
        return render(request, TEMPLATE, {**context, "state": "open", "form": form}, status=400)
    except Conflict:
        return render(request, TEMPLATE, {**context, "state": "done"}, status=409)
    return render(request, TEMPLATE, {**context, "state": "thanks"})
