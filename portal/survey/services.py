"""Writes of the satisfaction survey: one response per completed request, by its applicant."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.errors import Conflict, InvalidInput
from portal.workflow.enums import InstanceStatus
from portal.workflow.models import ProcessInstance

from . import selectors
from .models import SurveyAnswer, SurveyResponse

SUGGESTION_MAX_LENGTH = 2000
VIA_ACCOUNT = "account"
VIA_PIN = "pin"


def _score(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip() in {"1", "2", "3", "4"}:
        return int(value.strip())
    if isinstance(value, int) and 1 <= value <= 4:
        return value
    return None


def _answers_clean(answers: Any, codes: list[str]) -> dict[str, int]:
    if not isinstance(answers, dict):
        raise InvalidInput({"answers": [_("Jawaban harus berupa objek: kode unsur -> nilai 1 sampai 4.")]})
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, int] = {}
    for key in list(answers)[:50]:
        if key not in codes:
            errors[str(key)[:16]] = [_("Unsur survei tidak dikenal.")]
    for code in codes:
        if answers.get(code) in (None, ""):
            errors[code] = [_("Wajib dijawab.")]
            continue
        score = _score(answers[code])
        if score is None:
            errors[code] = [_("Pilih nilai 1 sampai 4.")]
        else:
            cleaned[code] = score
    if errors:
        raise InvalidInput({"answers": errors})
    return cleaned


def _suggestion_clean(suggestion: Any) -> str:
    if suggestion is None:
        return ""
    if not isinstance(suggestion, str):
        raise InvalidInput({"suggestion": [_("Saran harus berupa teks.")]})
    if len(suggestion) > SUGGESTION_MAX_LENGTH:
        raise InvalidInput(
            {"suggestion": [_("Saran paling banyak %(limit)s karakter.") % {"limit": SUGGESTION_MAX_LENGTH}]}
        )
    if "\x00" in suggestion or any(0xD800 <= ord(c) <= 0xDFFF for c in suggestion):
        raise InvalidInput({"suggestion": [_("Saran berisi karakter yang tidak sah.")]})
    return suggestion.strip()


def survey_submit(
    *, instance: ProcessInstance, answers: Any, suggestion: Any = "", via: str, now: datetime | None = None
) -> SurveyResponse:
    """Record the applicant's answers to all elements for her completed request; once only.

    The caller has established that the submitter is the applicant (account or tracking PIN).
    """
    now = now or timezone.now()
    if instance.status != InstanceStatus.COMPLETED:
        raise Conflict(_("Survei dapat diisi setelah permohonan selesai."))
    elements = {e.code: e for e in selectors.survey_elements()}
    cleaned = _answers_clean(answers, list(elements))
    text = _suggestion_clean(suggestion)
    if selectors.survey_done(instance):
        raise Conflict(_("Survei untuk permohonan ini sudah diisi. Terima kasih."))
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                instance=instance, service_code=instance.definition.code, submitted_at=now, suggestion=text, via=via
            )
            SurveyAnswer.objects.bulk_create(
                SurveyAnswer(response=response, element=elements[code], score=score) for code, score in cleaned.items()
            )
    except IntegrityError as exc:  # a second submission racing the first
        raise Conflict(_("Survei untuk permohonan ini sudah diisi. Terima kasih.")) from exc
    return response
