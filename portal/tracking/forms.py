"""The tracking form: a tracking number and a 6-digit PIN."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _lazy

from .selectors import TRACKING_NUMBER_MAX_LENGTH, tracking_number_normalize

NUMBER_FORMAT_MESSAGE = _lazy("Nomor registrasi hanya berisi huruf, angka dan tanda hubung, misalnya 261128-AB3DEF.")
PIN_FORMAT_MESSAGE = _lazy("PIN terdiri dari 6 angka.")


class TrackingForm(forms.Form):
    tracking_number = forms.CharField(
        label=_lazy("Nomor registrasi"),
        max_length=TRACKING_NUMBER_MAX_LENGTH,
        validators=[RegexValidator(r"\A[A-Za-z0-9-]+\Z", NUMBER_FORMAT_MESSAGE)],
        error_messages={"required": _lazy("Isi nomor registrasi yang tertera pada tanda terima.")},
    )
    pin = forms.CharField(
        label=_lazy("PIN"),
        max_length=6,
        strip=True,
        validators=[RegexValidator(r"\A[0-9]{6}\Z", PIN_FORMAT_MESSAGE)],
        error_messages={"required": _lazy("Isi PIN 6 angka yang tertera pada tanda terima.")},
    )

    def clean_tracking_number(self) -> Any:
        return tracking_number_normalize(self.cleaned_data["tracking_number"])
