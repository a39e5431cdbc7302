"""Django forms of the officers' pages: the worklist's filters, the checklist, the files handed in.

The step's own form and the applicant block are the shared ones (core.forms, directory.forms)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from portal.core.forms import MESSAGES
from portal.documents.content import ContentRefused, content_detect
from portal.documents.enums import RequirementStatus
from portal.documents.services import max_bytes, too_large_message

FIELD_PREFIX = "berkas_"  # one file part per requirement: berkas_<code>


# --- the worklist's filters --------------------------------------------------------------------------

STATUS_ALL, STATUS_MINE, STATUS_UNCLAIMED, STATUS_OVERDUE = "semua", "milik-saya", "belum-diambil", "terlambat"
STATUS_CHOICES = [
    (STATUS_ALL, _("Semua")),
    (STATUS_MINE, _("Milik saya")),
    (STATUS_UNCLAIMED, _("Belum diambil")),
    (STATUS_OVERDUE, _("Terlambat")),
]


class WorklistFilterForm(forms.Form):
    layanan = forms.ChoiceField(label=_("Layanan"), required=False, error_messages=MESSAGES)
    desa = forms.ChoiceField(label=_("Desa"), required=False, error_messages=MESSAGES)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES, error_messages=MESSAGES)

    def __init__(self, *args: Any, services: list[tuple[str, str]], villages: list[tuple[str, str]], **kw: Any):
        super().__init__(*args, **kw)
        self.fields["layanan"].choices = [("", _("Semua layanan")), *services]  # type: ignore[attr-defined]
        self.fields["desa"].choices = [("", _("Semua desa")), *villages]  # type: ignore[attr-defined]

    def valid_values(self) -> dict[str, str]:
        """The filters that are valid; an invalid one is ignored (its error is shown beside it)."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {k: cleaned[k] for k in ("layanan", "desa", "status") if cleaned.get(k)}


# --- the counter's registration ----------------------------------------------------------------------


def requirement_status_field(*, label: str, required: bool) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=[("", _("Belum diperiksa")), *RequirementStatus.choices],
        widget=forms.RadioSelect,
        error_messages=MESSAGES,
    )


class ChecklistForm(forms.Form):
    """The counter's received/missing mark for each requirement of the service, and a note."""

    def __init__(self, *args: Any, checklist: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = checklist
        for item in checklist:
            field = requirement_status_field(label=item["name"], required=item["required"])
            if item.get("status") in RequirementStatus.values:
                field.initial = item["status"]
            self.fields[f"req_{item['code']}"] = field

    def statuses(self) -> dict[str, str]:
        return {
            item["code"]: self.cleaned_data[f"req_{item['code']}"]
            for item in self.items
            if self.cleaned_data.get(f"req_{item['code']}")
        }

    def rows(self) -> list[tuple[dict[str, Any], forms.BoundField]]:
        return [(item, self[f"req_{item['code']}"]) for item in self.items]


class RegistrationFilesForm(forms.Form):
    """One optional file per requirement, checked (size, then content) before anything is registered."""

    def __init__(self, *args: Any, checklist: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = checklist
        for item in checklist:
            self.fields[f"{FIELD_PREFIX}{item['code']}"] = forms.FileField(
                label=item["name"],
                required=False,
                allow_empty_file=True,
                error_messages=MESSAGES,
                widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        limit = max_bytes()
        for name, uploaded in cleaned.items():
            if uploaded is None:
                continue
            if uploaded.size is not None and uploaded.size > limit:
                self.add_error(name, too_large_message())
                continue
            uploaded.seek(0)
            try:
                content_detect(uploaded.read(limit + 1), max_pixels=int(settings.PATEN_DOCUMENT_MAX_PIXELS))
            except ContentRefused as exc:
                self.add_error(name, exc.message)
            uploaded.seek(0)
        return cleaned

    def files_by_code(self) -> dict[str, Any]:
        return {
            item["code"]: self.cleaned_data[f"{FIELD_PREFIX}{item['code']}"]
            for item in self.items
            if self.cleaned_data.get(f"{FIELD_PREFIX}{item['code']}") is not None
        }

    def rows(self) -> list[tuple[dict[str, Any], forms.BoundField]]:
        return [(item, self[f"{FIELD_PREFIX}{item['code']}"]) for item in self.items]
