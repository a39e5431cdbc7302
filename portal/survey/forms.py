"""The survey page's form: one 1..4 choice per element (from the data), all required, and a suggestion."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SurveyElement
from .services import SUGGESTION_MAX_LENGTH


class SurveyForm(forms.Form):
    def __init__(self, *args: Any, elements: list[SurveyElement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for element in elements:
            self.fields[element.code] = forms.TypedChoiceField(
                label=f"{element.code}. {element.question}",
                choices=[(str(score), f"{score} - {text}") for score, text in element.answers()],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Wajib dijawab."), "invalid_choice": _("Pilih nilai 1 sampai 4.")},
            )
        self.fields["suggestion"] = forms.CharField(
            label=_("Saran dan masukan (tidak wajib)"),
            required=False,
            max_length=SUGGESTION_MAX_LENGTH,
            widget=forms.Textarea(attrs={"rows": "4"}),
            error_messages={"max_length": _("Saran paling banyak %(limit_value)d karakter.")},
        )

    def answers(self) -> dict[str, int]:
        return {k: v for k, v in self.cleaned_data.items() if k != "suggestion"}
