"""The auditor's search filters: service, village, an officer who acted on the request, a period."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.core.forms import MESSAGES


class AuditFilterForm(forms.Form):
    layanan = forms.ChoiceField(label=_("Layanan"), required=False, error_messages=MESSAGES)
    desa = forms.ChoiceField(label=_("Desa"), required=False, error_messages=MESSAGES)
    petugas = forms.CharField(label=_("Petugas (nama pengguna)"), required=False, max_length=150,
                              error_messages=MESSAGES)  # fmt: skip
    dari = forms.DateField(label=_("Didaftarkan sejak"), required=False, error_messages=MESSAGES,
                           widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    sampai = forms.DateField(label=_("sampai"), required=False, error_messages=MESSAGES,
                             widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip

    def __init__(self, *args: Any, services: list[tuple[str, str]], villages: list[tuple[str, str]], **kw: Any):
        super().__init__(*args, **kw)
        self.fields["layanan"].choices = [("", _("Semua layanan")), *services]  # type: ignore[attr-defined]
        self.fields["desa"].choices = [("", _("Semua desa")), *villages]  # type: ignore[attr-defined]

    def valid_values(self) -> dict[str, str | date]:
        """The filters that are valid; an invalid one is ignored (its error is shown beside it)."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {k: cleaned[k] for k in ("layanan", "desa", "petugas", "dari", "sampai") if cleaned.get(k)}
