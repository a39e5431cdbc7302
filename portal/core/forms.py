"""Forms shared by every page: the one adapter from a BPMN form to a Django form, and the one place
where a service's field errors are put next to the fields they concern.

The engine validates a BPMN form's values (types, required fields, choices, lengths); the Django
form only renders the fields (types, required marks, choices, limits as input attributes) and
hands the raw values on, so officers and citizens see the same rules and the same messages.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

import engine

# Above this many choices an enum is a select instead of radio buttons.
RADIO_MAX = 4
# A string field allowing more than this many characters (or no limit) is a text area; a shorter
# one is a single line, and the engine refuses line breaks in it (engine/forms.py SINGLE_LINE_MAX).
SHORT_TEXT = 200
# What a post may carry into one field before the services check it.
FIELD_LIMIT = 20_000
# Django's own messages for the few fields it does check (filters, checklists, files), said our way.
MESSAGES = {
    "required": _("Wajib diisi."),
    "invalid": _("Isian tidak valid."),
    "invalid_choice": _("Pilihan tidak tersedia."),
    "max_length": _("Paling banyak %(limit_value)d karakter."),
    "min_length": _("Paling sedikit %(limit_value)d karakter."),
    "max_value": _("Paling besar %(limit_value)s."),
    "min_value": _("Paling kecil %(limit_value)s."),
}
_BOOLEAN_CHOICES = [("true", _("Ya")), ("false", _("Tidak"))]


def _shown_required(field: forms.Field, required: bool) -> forms.Field:
    """Marked required on the page (label star, aria-required); the engine checks it."""
    field.shown_required = required  # type: ignore[attr-defined]
    if required:
        field.widget.attrs["aria-required"] = "true"
    return field


def _text(label: str, widget: forms.Widget, *, max_length: int = FIELD_LIMIT) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=max_length, strip=False, widget=widget, error_messages=MESSAGES
    )


def bpmn_field(spec: engine.FormField) -> forms.Field:
    """One Django field for one field of a BPMN form."""
    label = spec.label or spec.id
    constraints = spec.constraints
    field: forms.Field
    if spec.type == "boolean" and not spec.required:
        field = forms.BooleanField(label=label, required=False)
    elif spec.type == "boolean":  # yes/no radios: a required yes/no question must still accept "no"
        field = _text(label, forms.RadioSelect(choices=_BOOLEAN_CHOICES))
    elif spec.type == "enum":
        choices = [(o.id, o.name or o.id) for o in spec.options]
        widget: forms.Widget = (
            forms.RadioSelect(choices=choices)
            if len(choices) <= RADIO_MAX
            else forms.Select(choices=[("", _("- pilih -")), *choices])
        )
        field = _text(label, widget)
    elif spec.type == "date":
        field = _text(label, forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    elif spec.type == "long":
        attrs = {"inputmode": "numeric"}
        attrs.update({k: str(constraints[k]) for k in ("min", "max") if constraints.get(k) not in (None, "")})
        field = _text(label, forms.TextInput(attrs=attrs))
    else:
        limit = str(constraints.get("maxlength") or "")
        long_text = not limit.isdigit() or int(limit) > SHORT_TEXT
        field = _text(label, forms.Textarea(attrs={"rows": "3"}) if long_text else forms.TextInput())
        if limit.isdigit():  # the browser's hint; the engine refuses longer text, with every other error
            field.widget.attrs["maxlength"] = limit
    if spec.default not in (None, ""):
        field.initial = _initial(spec)
    if "readonly" in constraints:
        field.disabled = True
    return _shown_required(field, spec.required and "readonly" not in constraints)


def _initial(spec: engine.FormField) -> Any:
    if spec.type == "boolean":
        value = str(spec.default).lower() == "true"
        return ("true" if value else "false") if spec.required else value
    return spec.default


def form_of(items: Any) -> engine.Form:
    """The engine Form of a stored form list (HumanTask.form); an empty form if it cannot be read."""
    if isinstance(items, engine.Form):
        return items
    try:
        return engine.Form.from_list(list(items or []))
    except (KeyError, TypeError, ValueError):
        return engine.Form()


class ProcessForm(forms.Form):
    """The fields of a user task or a start event, from the definition's `camunda:formData`.

    `fields` is an engine Form or its stored list; `values` prefill fields (the issued letter's
    number at hand-over, say) over the diagram's defaults.
    """

    def __init__(self, *args: Any, fields: Any, values: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.specs = {f.id: f for f in form_of(fields).fields}
        for spec in self.specs.values():
            self.fields[spec.id] = bpmn_field(spec)
        for key, value in (values or {}).items():
            if key in self.fields and value not in (None, ""):
                self.fields[key].initial = value

    def engine_data(self) -> dict[str, Any]:
        """The values as the engine takes them: readonly fields and empty non-text fields left out."""
        data: dict[str, Any] = {}
        for key, spec in self.specs.items():
            if "readonly" in spec.constraints:
                continue
            value = self.cleaned_data.get(key)
            if spec.type == "boolean" and not spec.required:
                data[key] = bool(value)
            elif value in (None, "") and spec.type != "string":
                continue
            else:
                data[key] = value if value is not None else ""
        return data


def errors_apply(form: forms.Form, errors: Any) -> None:
    """Put a service's field errors ({field: [text]}) next to the form's fields; the rest on the form."""
    if not errors:
        return
    if not isinstance(errors, dict):
        form.add_error(None, [str(t) for t in (errors if isinstance(errors, list) else [errors])])
        return
    for key, messages in errors.items():
        texts = [str(m) for m in messages] if isinstance(messages, list) else [str(messages)]
        form.add_error(key if key in form.fields else None, texts)
