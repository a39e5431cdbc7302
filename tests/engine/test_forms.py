"""Form validation: types, required, choices, lengths and ranges, unknown keys, dates."""

from __future__ import annotations

import json
from typing import Any

import pytest

import engine
from engine import Form, FormField
from engine.forms import MAX_STRING, Option
from tests.engine.samples import load

FORM = Form(
    (
        FormField(
            "nama", "Nama", "string", required=True, constraints={"required": None, "minlength": "3", "maxlength": "10"}
        ),
        FormField("jumlah", "Jumlah", "long", constraints={"min": "0", "max": "30"}),
        FormField("setuju", "Setuju", "boolean"),
        FormField("tanggal", "Tanggal", "date"),
        FormField("hasil", "Hasil", "enum", options=(Option("lengkap", "Lengkap"), Option("tidak_lengkap", "Tidak"))),
        FormField("masa", "Masa berlaku", "long", default="14"),
        FormField("kode", "Kode", "string", constraints={"readonly": None}),
    )
)
BASE = {"nama": "Siti"}


def _codes(data: Any, form: Form = FORM) -> dict[str, list[str]]:
    """Error codes per field (empty when the data is accepted)."""
    try:
        form.validate(data)
    except engine.FormValidationError as exc:
        return {k: [e.code for e in v] for k, v in exc.errors.items()}
    return {}


def test_valid_data_is_cleaned_with_every_field_present() -> None:
    # given values of every type, some as text the way a web form sends them
    data = {"nama": "Siti", "jumlah": "7", "setuju": "true", "tanggal": "2026-02-28", "hasil": "lengkap"}

    # when validated
    cleaned = FORM.validate(data)

    # then they are converted, missing fields are None or their default
    assert cleaned == {
        "nama": "Siti",
        "jumlah": 7,
        "setuju": True,
        "tanggal": "2026-02-28",
        "hasil": "lengkap",
        "masa": 14,
        "kode": None,
    }


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("nama", 5, "invalid_type"),
        ("nama", ["Siti"], "invalid_type"),
        ("nama", {"x": 1}, "invalid_type"),
        ("nama", "ab", "min_length"),
        ("nama", "abcdefghijk", "max_length"),
        ("nama", "x" * (MAX_STRING + 1), "max_length"),
        ("nama", "Si\ud800ti", "invalid_type"),  # a lone surrogate cannot be stored or encoded
        ("nama", "Si\x00ti", "invalid_type"),
        ("hasil", "lengkap\udfff", "invalid_type"),
        ("jumlah", True, "invalid_type"),
        ("jumlah", False, "invalid_type"),
        ("jumlah", 2.5, "invalid_type"),
        ("jumlah", "2.5", "invalid_type"),
        ("jumlah", "+5", "invalid_type"),
        ("jumlah", "\u0663", "invalid_type"),  # Arabic-Indic three: not an ASCII digit
        ("jumlah", "\uff11\uff12", "invalid_type"),  # full-width 12
        ("jumlah", 10**18, "invalid_type"),
        ("jumlah", "9" * 19, "invalid_type"),
        ("jumlah", float("nan"), "invalid_type"),
        ("jumlah", [1], "invalid_type"),
        ("jumlah", -1, "min_value"),
        ("jumlah", 31, "max_value"),
        ("setuju", 1, "invalid_type"),
        ("setuju", 0, "invalid_type"),
        ("setuju", "ya", "invalid_type"),
        ("setuju", [True], "invalid_type"),
        ("tanggal", "2026-02-30", "invalid_date"),
        ("tanggal", "2026-1-5", "invalid_date"),
        ("tanggal", "05-01-2026", "invalid_date"),
        ("tanggal", "2026-01-05T10:00:00", "invalid_date"),
        ("tanggal", "2026-01-05\n", "invalid_date"),
        ("tanggal", "".join(chr(0xFF10 + int(c)) if c.isdigit() else c for c in "2026-01-05"), "invalid_date"),
        ("tanggal", 20260105, "invalid_date"),
        ("hasil", "lengkap ", "invalid_choice"),
        ("hasil", "LENGKAP", "invalid_choice"),
        ("hasil", ["lengkap"], "invalid_type"),
        ("kode", "ABC", "readonly"),
    ],
)
def test_a_bad_value_is_refused_with_its_code(field: str, value: Any, code: str) -> None:
    assert _codes({**BASE, field: value}) == {field: [code]}


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("jumlah", 0, 0),
        ("jumlah", 30, 30),
        ("jumlah", " 12 ", 12),
        ("jumlah", "-0", 0),
        ("jumlah", 12.0, 12),
        ("setuju", False, False),
        ("setuju", "FALSE", False),
        ("tanggal", "2028-02-29", "2028-02-29"),
        ("nama", "abc", "abc"),
        ("nama", "a" * 10, "a" * 10),
    ],
)
def test_boundary_values_are_accepted(field: str, value: Any, expected: Any) -> None:
    assert FORM.validate({**BASE, field: value})[field] == expected


@pytest.mark.parametrize("value", [None, ""])
def test_required_field_missing_or_empty(value: Any) -> None:
    assert _codes({"nama": value}) == {"nama": ["required"]}
    assert _codes({}) == {"nama": ["required"]}


def test_blank_optional_values_count_as_missing() -> None:
    cleaned = FORM.validate({**BASE, "jumlah": " ", "setuju": "", "tanggal": None, "hasil": "  "})
    assert (cleaned["jumlah"], cleaned["setuju"], cleaned["tanggal"], cleaned["hasil"]) == (None, None, None, None)
    assert cleaned["masa"] == 14  # the default fills a missing value


def test_unknown_keys_are_refused_each_by_name() -> None:
    # given data with two keys the form does not have, one absurdly long
    long_key = "k" * 500

    # when validated
    codes = _codes({**BASE, "admin": True, long_key: 1})

    # then each is refused, the long key shortened
    assert codes == {"admin": ["unknown_field"], "k" * 100: ["unknown_field"]}


def test_an_unknown_key_that_cannot_be_encoded_is_reported_under_a_safe_name() -> None:
    # given an unknown key holding a lone surrogate and a NUL
    with pytest.raises(engine.FormValidationError) as raised:
        FORM.validate({**BASE, "x\ud800\x00": 1})

    # then the error is keyed by a name that encodes as UTF-8, so it can be sent back
    (key,) = raised.value.errors
    assert key == "x\ufffd\ufffd"
    assert json.dumps(raised.value.errors, default=str, ensure_ascii=False).encode("utf-8")


def test_every_field_error_is_reported_at_once() -> None:
    codes = _codes({"nama": "x", "jumlah": True, "tanggal": "kemarin", "hasil": "mungkin", "lain": 1})
    assert codes == {
        "nama": ["min_length"],
        "jumlah": ["invalid_type"],
        "tanggal": ["invalid_date"],
        "hasil": ["invalid_choice"],
        "lain": ["unknown_field"],
    }


@pytest.mark.parametrize("data", [[], ["nama"], "nama=Siti", 5, True])
def test_data_that_is_not_an_object(data: Any) -> None:
    assert _codes(data) == {"data": ["invalid_type"]}


def test_none_is_an_empty_object() -> None:
    assert _codes(None) == {"nama": ["required"]}
    assert Form().validate(None) == {}


def test_errors_carry_parameters_for_translation() -> None:
    with pytest.raises(engine.FormValidationError) as raised:
        FORM.validate({"nama": "ab", "jumlah": 99, "hasil": "x"})
    errors = raised.value.errors
    assert errors["nama"][0].params == {"limit": 3}
    assert errors["jumlah"][0].params == {"limit": 30}
    assert errors["hasil"][0].params == {"choices": ["lengkap", "tidak_lengkap"]}
    assert "nama" in str(raised.value)


def test_forms_are_read_from_the_diagram() -> None:
    # given the template's start form and the counter's form
    definition = load()

    # then their fields, types and constraints come from camunda:formData
    assert [(f.id, f.type, f.required) for f in definition.start_form.fields] == [
        ("keperluan", "string", True),
        ("jumlah", "long", False),
    ]
    periksa = definition.form_for("Task_Periksa")
    assert [o.id for o in periksa.fields[0].options] == ["lengkap", "tidak_lengkap"]
    assert periksa.fields[1].constraints == {"maxlength": "100"}
    assert definition.form_for("Tidak_Ada") == Form()


def test_diagram_forms_validate_like_hand_made_ones() -> None:
    definition = load()
    assert engine.validate_start_data(definition, {"keperluan": "Sekolah", "jumlah": "4"}) == {
        "keperluan": "Sekolah",
        "jumlah": 4,
    }
    with pytest.raises(engine.FormValidationError) as raised:
        engine.validate_start_data(definition, {"keperluan": "ab", "jumlah": 11, "nik": "1"})
    assert {k: [e.code for e in v] for k, v in raised.value.errors.items()} == {
        "keperluan": ["min_length"],
        "jumlah": ["max_value"],
        "nik": ["unknown_field"],
    }


def test_form_round_trips_through_its_stored_form() -> None:
    assert Form.from_list(FORM.to_list()) == FORM
