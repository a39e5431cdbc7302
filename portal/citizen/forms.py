"""Forms of the applicant's pages. Fields are plain inputs: the workflow services validate and
word the errors (in Indonesian), which the views put next to the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.directory.models import Village

FIELD_LIMIT = 20_000  # bound what a page post can carry into a field before the services check it


class ApplicantForm(forms.Form):
    nik = forms.CharField(label=_("NIK"), required=False, max_length=FIELD_LIMIT, help_text=_("16 angka sesuai KTP."))
    kk = forms.CharField(label=_("Nomor KK (tidak wajib)"), required=False, max_length=FIELD_LIMIT)
    name = forms.CharField(label=_("Nama lengkap"), required=False, max_length=FIELD_LIMIT)
    # Any text passes here; the workflow's applicant check says, in its words, when it names no village.
    desa = forms.CharField(label=_("Desa"), required=False, max_length=FIELD_LIMIT, widget=forms.Select)
    phone = forms.CharField(
        label=_("Nomor telepon/HP"), required=False, max_length=FIELD_LIMIT, help_text=_("Contoh: 081234567890.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("— pilih desa —"))] + [(v, v) for v in Village.objects.values_list("name", flat=True)]
        self.fields["desa"].widget.choices = choices
        for name in ("nik", "name", "desa"):
            self.fields[name].widget.attrs["aria-required"] = "true"

    def values(self) -> dict[str, str]:
        return {key: str(self.cleaned_data.get(key) or "") for key in self.fields}


def _form_field(spec: dict[str, Any]) -> forms.Field:
    label = spec.get("label") or spec["id"]
    constraints = spec.get("constraints") or {}
    kind = spec.get("type")
    attrs: dict[str, str] = {}
    if spec.get("required"):
        attrs["aria-required"] = "true"
    if kind == "boolean":
        return forms.BooleanField(label=label, required=False)
    if kind == "enum":
        choices = [("", _("— pilih —"))] + [(o["id"], o["name"]) for o in spec.get("options", [])]
        return forms.CharField(
            label=label, required=False, max_length=FIELD_LIMIT, widget=forms.Select(attrs=attrs, choices=choices)
        )
    if kind == "date":
        attrs["type"] = "date"
        return forms.CharField(label=label, required=False, max_length=FIELD_LIMIT, widget=forms.DateInput(attrs=attrs))
    if kind == "long":
        attrs["inputmode"] = "numeric"
        for name in ("min", "max"):
            if constraints.get(name) not in (None, ""):
                attrs[name] = str(constraints[name])
        return forms.CharField(label=label, required=False, max_length=FIELD_LIMIT, widget=forms.TextInput(attrs=attrs))
    maxlength = constraints.get("maxlength")
    if maxlength not in (None, ""):
        attrs["maxlength"] = str(maxlength)
    widget: forms.Widget = forms.TextInput(attrs=attrs)
    if maxlength not in (None, "") and str(maxlength).isdigit() and int(str(maxlength)) > 200:
        widget = forms.Textarea(attrs={**attrs, "rows": "3"})
    return forms.CharField(label=label, required=False, max_length=FIELD_LIMIT, strip=False, widget=widget)


class ProcessForm(forms.Form):
    """A start form or a step's form of a diagram (engine Form.to_list() format)."""

    def __init__(self, *args: Any, spec: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec
        for item in spec:
            if "readonly" in (item.get("constraints") or {}):
                continue
            self.fields[item["id"]] = _form_field(item)

    def values(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for item in self.spec:
            key = item["id"]
            if key not in self.fields:
                continue
            value = self.cleaned_data.get(key)
            if item.get("type") == "boolean":
                data[key] = bool(value)
            elif value in (None, "") and item.get("type") != "string":
                continue
            else:
                data[key] = value if value is not None else ""
        return data


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


def errors_apply(form: forms.Form, errors: Any) -> None:
    """Put a service's field errors next to the form's fields; the rest on the form."""
    if not isinstance(errors, dict):
        form.add_error(None, [str(errors)])
        return
    for key, messages in errors.items():
        texts = [str(m) for m in messages] if isinstance(messages, list) else [str(messages)]
        form.add_error(key if key in form.fields else None, texts)
