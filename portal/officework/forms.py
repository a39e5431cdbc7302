"""Django forms of the officers' pages: forms built from a BPMN form definition, filters, the applicant."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

import engine
from portal.directory.identity import kk_problem, nik_problem
from portal.directory.models import Village
from portal.documents.content import ContentRefused, content_detect
from portal.documents.enums import RequirementStatus
from portal.documents.services import max_bytes, too_large_message

# Above this many choices an enum is a select instead of radio buttons.
RADIO_MAX = 4
# A string field allowing more than this many characters (or no limit) is a text area.
SHORT_TEXT = 200

_MESSAGES = {
    "required": _("Wajib diisi."),
    "invalid": _("Isian tidak valid."),
    "invalid_choice": _("Pilihan tidak tersedia."),
    "max_length": _("Paling banyak %(limit_value)d karakter."),
    "min_length": _("Paling sedikit %(limit_value)d karakter."),
    "max_value": _("Paling besar %(limit_value)s."),
    "min_value": _("Paling kecil %(limit_value)s."),
}
_BOOLEAN_CHOICES = [("true", _("Ya")), ("false", _("Tidak"))]


def _int(raw: Any) -> int | None:
    try:
        return int(str(raw))
    except (TypeError, ValueError):
        return None


def _process_field(spec: engine.FormField) -> forms.Field:
    """One Django field for one field of a BPMN form."""
    common: dict[str, Any] = {"label": spec.label or spec.id, "required": spec.required, "error_messages": _MESSAGES}
    readonly = "readonly" in spec.constraints
    field: forms.Field
    if spec.type == "long":
        field = forms.IntegerField(
            min_value=_int(spec.constraints.get("min")),
            max_value=_int(spec.constraints.get("max")),
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            **common,
        )
    elif spec.type == "boolean":
        if spec.required:
            # Yes/no radios: a required yes/no question must still accept "no".
            field = forms.TypedChoiceField(
                choices=_BOOLEAN_CHOICES, coerce=lambda v: v == "true", widget=forms.RadioSelect, **common
            )
        else:
            field = forms.BooleanField(**common)
    elif spec.type == "date":
        field = forms.DateField(
            input_formats=["%Y-%m-%d"], widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common
        )
    elif spec.type == "enum":
        choices = [(o.id, o.name or o.id) for o in spec.options]
        if len(choices) <= RADIO_MAX:
            field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
        else:
            field = forms.ChoiceField(choices=[("", _("- pilih -")), *choices], **common)
    else:
        maxlength = _int(spec.constraints.get("maxlength")) or engine.forms.MAX_STRING
        minlength = _int(spec.constraints.get("minlength"))
        widget: forms.Widget = forms.TextInput()
        if maxlength > SHORT_TEXT:
            widget = forms.Textarea(attrs={"rows": 3})
        field = forms.CharField(max_length=maxlength, min_length=minlength, widget=widget, **common)
    if spec.default not in (None, ""):
        field.initial = _initial(spec)
    if readonly:
        field.disabled = True
        field.required = False
    return field


def _initial(spec: engine.FormField) -> Any:
    if spec.type == "boolean":
        value = str(spec.default).lower() == "true"
        return ("true" if value else "false") if spec.required else value
    return spec.default


FIELD_PREFIX = "berkas_"  # one file part per requirement: berkas_<code>


class ProcessForm(forms.Form):
    """The fields of a user task or a start event, from the definition's `camunda:formData`."""

    def __init__(self, *args: Any, fields: engine.Form, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.specs = {f.id: f for f in fields.fields}
        for spec in fields.fields:
            self.fields[spec.id] = _process_field(spec)

    def engine_data(self) -> dict[str, Any]:
        """The cleaned values as the engine takes them (readonly and empty optional fields left out)."""
        data: dict[str, Any] = {}
        for key, spec in self.specs.items():
            if "readonly" in spec.constraints:
                continue
            value = self.cleaned_data.get(key)
            if value is None or (value == "" and spec.type != "string"):
                continue
            if spec.type == "date":
                value = value.isoformat()
            data[key] = value
        return data

    def add_engine_errors(self, errors: Any) -> None:
        """Put the engine's per-field messages ({field: [text]}) next to the fields they concern."""
        if not isinstance(errors, dict):
            self.add_error(None, str(errors))
            return
        for key, messages in errors.items():
            texts = messages if isinstance(messages, list) else [messages]
            for text in texts:
                self.add_error(key if key in self.fields else None, str(text))


def form_fields(items: Any) -> engine.Form:
    """The engine Form of a stored HumanTask.form list (an empty form if it cannot be read)."""
    try:
        return engine.Form.from_list(list(items or []))
    except (KeyError, TypeError, ValueError):
        return engine.Form()


# --- the worklist's filters --------------------------------------------------------------------------

STATUS_ALL, STATUS_MINE, STATUS_UNCLAIMED, STATUS_OVERDUE = "semua", "milik-saya", "belum-diambil", "terlambat"
STATUS_CHOICES = [
    (STATUS_ALL, _("Semua")),
    (STATUS_MINE, _("Milik saya")),
    (STATUS_UNCLAIMED, _("Belum diambil")),
    (STATUS_OVERDUE, _("Terlambat")),
]


class WorklistFilterForm(forms.Form):
    layanan = forms.ChoiceField(label=_("Layanan"), required=False, error_messages=_MESSAGES)
    desa = forms.ChoiceField(label=_("Desa"), required=False, error_messages=_MESSAGES)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES, error_messages=_MESSAGES)

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


class ApplicantForm(forms.Form):
    """The applicant block; the service (request_register) checks NIK, KK, village and phone itself."""

    nik = forms.CharField(
        label=_("NIK"), max_length=32, error_messages=_MESSAGES,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("16 angka, sesuai KTP-el."),
    )  # fmt: skip
    kk = forms.CharField(
        label=_("Nomor KK"), max_length=32, required=False, error_messages=_MESSAGES,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )  # fmt: skip
    name = forms.CharField(label=_("Nama pemohon"), max_length=100, error_messages=_MESSAGES)
    desa = forms.ChoiceField(label=_("Desa"), error_messages=_MESSAGES)
    phone = forms.CharField(
        label=_("Nomor telepon/WhatsApp"), max_length=40, required=False, error_messages=_MESSAGES,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}), help_text=_("Contoh: 081234567890."),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        villages = [(v.code, v.name) for v in Village.objects.order_by("name")]
        self.fields["desa"].choices = [("", _("- pilih desa -")), *villages]  # type: ignore[attr-defined]

    # The same checks as the service's, here too so every error shows at once.
    def clean_nik(self) -> str:
        value = str(self.cleaned_data["nik"]).strip()
        problem = nik_problem(value)
        if problem:
            raise forms.ValidationError(problem)
        return value

    def clean_kk(self) -> str:
        value = str(self.cleaned_data.get("kk") or "").strip()
        problem = kk_problem(value) if value else None
        if problem:
            raise forms.ValidationError(problem)
        return value


def requirement_status_field(*, label: str, required: bool) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=[("", _("Belum diperiksa")), *RequirementStatus.choices],
        widget=forms.RadioSelect,
        error_messages=_MESSAGES,
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
                error_messages=_MESSAGES,
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
