"""The applicant block of every registration page (counter and online): one form, checked by
applicant.applicant_clean (through the registration service), whose errors the page puts back."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.core.forms import FIELD_LIMIT

from .applicant import APPLICANT_KEYS
from .selectors import villages_by_office

_REQUIRED = ("nik", "name", "desa")


class ApplicantForm(forms.Form):
    nik = forms.CharField(
        label=_("NIK"), help_text=_("16 angka, sesuai KTP-el."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )  # fmt: skip
    kk = forms.CharField(
        label=_("Nomor KK"), widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
    )
    name = forms.CharField(label=_("Nama lengkap"))
    desa = forms.CharField(label=_("Desa"), widget=forms.Select)
    phone = forms.CharField(
        label=_("Nomor telepon/WhatsApp"), help_text=_("Contoh: 081234567890."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Grouped by kecamatan: the request goes to the kecamatan of the village chosen.
        groups = [
            (f"Kecamatan {office.name}", [(v.code, v.name) for v in villages])
            for office, villages in villages_by_office()
        ]
        self.fields["desa"].widget.choices = [("", _("- pilih desa/kelurahan -")), *groups]
        for name, field in self.fields.items():
            # Any text passes here; the service says, in its words, what is wrong with it.
            field.required, field.max_length = False, FIELD_LIMIT  # type: ignore[attr-defined]
            field.shown_required = name in _REQUIRED  # type: ignore[attr-defined]
            if name in _REQUIRED:
                field.widget.attrs["aria-required"] = "true"

    def values(self) -> dict[str, str]:
        """The raw values for the registration service (which checks NIK, KK, village and phone)."""
        return {key: str(self.cleaned_data.get(key) or "") for key in APPLICANT_KEYS}
