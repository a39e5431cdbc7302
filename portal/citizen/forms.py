"""Forms of the applicant's pages besides the shared ones (core.forms, directory.forms): the files."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class DocumentsForm(forms.Form):
    """One optional file per requirement of the service's current standard."""

    def __init__(self, *args: Any, requirements: list[dict[str, Any]], missing: list[str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for item in requirements:
            label = str(item["name"])
            if missing is not None and label in missing:
                label = _("%(name)s (belum ada)") % {"name": label}
            self.fields[str(item["code"])] = forms.FileField(
                label=label,
                required=False,
                help_text=_("PDF, JPG atau PNG."),
                widget=forms.FileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
            )

    def files_given(self) -> dict[str, Any]:
        return {code: f for code, f in (self.cleaned_data or {}).items() if f}
