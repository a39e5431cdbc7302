"""Text fields of BPMN forms refuse control and bidirectional-override characters; long text keeps its lines."""

from __future__ import annotations

import pytest

import engine
from engine import Form, FormField

FORM = Form(
    (
        FormField("nama_usaha", "Nama usaha", "string", constraints={"maxlength": "100"}),
        FormField("catatan", "Catatan", "string", constraints={"maxlength": "500"}),
        FormField("uraian", "Uraian", "string"),
    )
)


def _errors(data: dict[str, str]) -> dict[str, list[tuple[str, object]]]:
    try:
        FORM.validate(data)
    except engine.FormValidationError as exc:
        return {k: [(e.code, e.params.get("character")) for e in v] for k, v in exc.errors.items()}
    return {}


@pytest.mark.parametrize(
    ("text", "character"),
    [
        ("Warung \u202eBerkah", "U+202E"),
        ("Warung \u2067Berkah\u2069", "U+2067"),
        ("Warung\u200e Berkah", "U+200E"),
        ("Warung \x1b[2J", "U+001B"),
        ("Warung\x9bBerkah", "U+009B"),
        ("Warung\u2028Berkah", "U+2028"),
        ("Warung\x08Berkah", "U+0008"),
    ],
)
def test_every_text_field_refuses_them(text: str, character: str) -> None:
    for field in ("nama_usaha", "catatan", "uraian"):
        assert _errors({field: text}) == {field: [("invalid_characters", character)]}


def test_a_one_line_field_refuses_line_breaks_and_tabs_a_long_one_keeps_them() -> None:
    assert _errors({"nama_usaha": "Warung\nBerkah"}) == {"nama_usaha": [("invalid_characters", "U+000A")]}
    assert _errors({"nama_usaha": "Warung\tBerkah"}) == {"nama_usaha": [("invalid_characters", "U+0009")]}
    lines = "Baris satu.\r\nBaris dua.\n\tDaftar: a, b."
    assert _errors({"catatan": lines, "uraian": lines}) == {}
    cleaned = FORM.validate({"nama_usaha": "Warung Makan Berkah \u2013 Ibu Siti \U0001f35c", "catatan": lines})
    assert cleaned["catatan"] == lines and cleaned["nama_usaha"].startswith("Warung Makan Berkah")
