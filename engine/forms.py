"""User-task and start forms, read from `camunda:formData`, and validation of submitted data."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .errors import FieldError, FormValidationError

FIELD_TYPES = frozenset({"string", "long", "boolean", "date", "enum"})
CONSTRAINTS = frozenset({"required", "minlength", "maxlength", "min", "max", "readonly"})
MAX_STRING = 10_000
_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL and lone surrogates: no database or encoder takes them
# Control and bidirectional-override characters, refused in text that reaches receipts and letters
# (the portal's portal/core/text.py holds the same rule for names and reasons). A field short
# enough to be one line (the portal shows it as a text input) takes no line break or tab either.
SINGLE_LINE_MAX = 200
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
_REFUSED_SINGLE_LINE = re.compile(f"[\x01-\x1f\x7f-\x9f{_BIDI}]")
_REFUSED_MULTI_LINE = re.compile(f"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]")


@dataclass(frozen=True)
class Option:
    id: str
    name: str


@dataclass(frozen=True)
class FormField:
    id: str
    label: str
    type: str
    required: bool = False
    default: str | None = None
    options: tuple[Option, ...] = ()
    constraints: dict[str, str | None] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "type": self.type,
            "required": self.required,
            "default": self.default,
            "options": [{"id": o.id, "name": o.name} for o in self.options],
            "constraints": dict(self.constraints),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FormField:
        return cls(
            id=d["id"],
            label=d["label"],
            type=d["type"],
            required=d["required"],
            default=d["default"],
            options=tuple(Option(o["id"], o["name"]) for o in d["options"]),
            constraints=dict(d["constraints"]),
        )


@dataclass(frozen=True)
class Form:
    fields: tuple[FormField, ...] = ()

    def to_list(self) -> list[dict[str, Any]]:
        return [f.to_dict() for f in self.fields]

    @classmethod
    def from_list(cls, items: list[dict[str, Any]]) -> Form:
        return cls(tuple(FormField.from_dict(i) for i in items))

    def validate(self, data: Any) -> dict[str, Any]:
        """Return the cleaned values for every field, or raise FormValidationError."""
        return validate(self, data)


def _err(code: str, message: str, **params: Any) -> FieldError:
    return FieldError(code=code, message=message, params=params)


def _int_constraint(f: FormField, name: str) -> int | None:
    raw = f.constraints.get(name)
    if raw is None or raw == "":
        return None
    try:
        return int(str(raw))
    except ValueError:
        return None


def _refused_character(value: str, *, single_line: bool) -> FieldError | None:
    found = (_REFUSED_SINGLE_LINE if single_line else _REFUSED_MULTI_LINE).search(value)
    if found is None:
        return None
    character = f"U+{ord(found.group()):04X}"
    return _err("invalid_characters", f"must not contain control or bidi characters ({character})", character=character)


def _clean(f: FormField, value: Any) -> tuple[Any, list[FieldError]]:
    errors: list[FieldError] = []
    if f.type == "string" or f.type == "enum":
        if not isinstance(value, str):
            return None, [_err("invalid_type", "must be text", expected="string")]
        if len(value) > MAX_STRING:
            return None, [_err("max_length", f"at most {MAX_STRING} characters", limit=MAX_STRING)]
        if _UNSTORABLE.search(value):
            return None, [_err("invalid_type", "must be text without NUL or unpaired surrogates", expected="string")]
        if f.type == "enum":
            allowed = [o.id for o in f.options]
            if value not in allowed:
                return None, [_err("invalid_choice", "not one of the choices", choices=allowed)]
            return value, []
        lo, hi = _int_constraint(f, "minlength"), _int_constraint(f, "maxlength")
        refused = _refused_character(value, single_line=hi is not None and hi <= SINGLE_LINE_MAX)
        if refused is not None:
            return None, [refused]
        if lo is not None and len(value) < lo:
            errors.append(_err("min_length", f"at least {lo} characters", limit=lo))
        if hi is not None and len(value) > hi:
            errors.append(_err("max_length", f"at most {hi} characters", limit=hi))
        return value, errors
    if f.type == "long":
        if isinstance(value, bool):
            return None, [_err("invalid_type", "must be a whole number", expected="long")]
        if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,18}", value.strip()):
            value = int(value.strip())
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or abs(value) >= 10**18:
            return None, [_err("invalid_type", "must be a whole number", expected="long")]
        lo, hi = _int_constraint(f, "min"), _int_constraint(f, "max")
        if lo is not None and value < lo:
            errors.append(_err("min_value", f"at least {lo}", limit=lo))
        if hi is not None and value > hi:
            errors.append(_err("max_value", f"at most {hi}", limit=hi))
        return value, errors
    if f.type == "boolean":
        if isinstance(value, str) and value.lower() in ("true", "false"):
            value = value.lower() == "true"
        if not isinstance(value, bool):
            return None, [_err("invalid_type", "must be true or false", expected="boolean")]
        return value, []
    if f.type == "date":
        if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            return None, [_err("invalid_date", "must be a date YYYY-MM-DD")]
        try:
            date.fromisoformat(value)
        except ValueError:
            return None, [_err("invalid_date", "must be a date YYYY-MM-DD")]
        return value, []
    return None, [_err("unknown_type", f"unknown field type {f.type}")]


def _default(f: FormField) -> Any:
    if f.default in (None, ""):
        return None
    value, errors = _clean(f, f.default)
    return None if errors else value


def validate(form: Form, data: Any) -> dict[str, Any]:
    """Check `data` against the form: types, required fields, choices; refuse unknown keys."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FormValidationError({"data": [_err("invalid_type", "must be an object")]})
    known = {f.id: f for f in form.fields}
    errors: dict[str, list[FieldError]] = {}
    for key in data:
        if key not in known:
            errors[_UNSTORABLE.sub("\ufffd", str(key)[:100])] = [_err("unknown_field", "not a field of this form")]
    cleaned: dict[str, Any] = {}
    for f in form.fields:
        value = data.get(f.id)
        if value is None or (isinstance(value, str) and value.strip() == "" and f.type != "string"):
            value = None
        if value is None or (f.type == "string" and value == ""):
            if f.required:
                errors[f.id] = [_err("required", "this field is required")]
            cleaned[f.id] = _default(f) if value is None else value
            continue
        if "readonly" in f.constraints:
            errors[f.id] = [_err("readonly", "this field cannot be changed")]
            continue
        value, errs = _clean(f, value)
        if errs:
            errors[f.id] = errs
        else:
            cleaned[f.id] = value
    if errors:
        raise FormValidationError(errors)
    return cleaned


def is_identifier(value: str) -> bool:
    return bool(_IDENT.fullmatch(value))
