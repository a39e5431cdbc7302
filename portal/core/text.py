"""The one rule for characters in names and free text that reach receipts, letters and the log.

Control characters (escape sequences, a carriage return that overprints a line) and the Unicode
bidirectional controls (a right-to-left override that turns "Siti" into a reversed name on a
printed receipt) are refused; a newline, carriage return and tab are accepted in multi-line text
only. The engine applies the same rule to the string fields of BPMN forms (engine/forms.py).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

# C0 controls and DEL, C1 controls, the bidi marks and embeddings/overrides/isolates, and the
# Unicode line and paragraph separators (a line break that no line counter sees).
_BIDI_AND_SEPARATORS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
_SINGLE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI_AND_SEPARATORS}]")
_MULTI_LINE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI_AND_SEPARATORS}]")


def refused_character(value: str, *, multiline: bool = False) -> str | None:
    """The first refused character of `value` as "U+202E", or None when the text is clean."""
    found = (_MULTI_LINE if multiline else _SINGLE_LINE).search(value)
    return f"U+{ord(found.group()):04X}" if found else None


def character_problem(value: Any, *, multiline: bool = False) -> str | None:
    """What is wrong with the characters of `value` (a user-facing message), or None."""
    if not isinstance(value, str):
        return None
    code = refused_character(value, multiline=multiline)
    return None if code is None else refused_character_text(code)


def refused_character_text(code: str) -> str:
    """The message for a refused character given as "U+202E" (also for the engine's form errors)."""
    return _(
        "Berisi karakter yang tidak diizinkan (%(code)s: karakter kendali atau pengubah arah teks). "
        "Hapus karakter itu, lalu kirim lagi."
    ) % {"code": code}


@deconstructible
class PrintableText:
    """A validator for Django form fields and DRF serializer fields applying the rule above."""

    code = "invalid_characters"

    def __init__(self, *, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, value: Any) -> None:
        problem = character_problem(value, multiline=self.multiline)
        if problem is not None:
            raise ValidationError(problem, code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PrintableText) and other.multiline == self.multiline

    def __hash__(self) -> int:
        return hash((PrintableText, self.multiline))


# --- search keys ---------------------------------------------------------------------------------

SEARCH_KEY_MAX = 100
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def search_key(value: Any) -> str:
    """A name as searches compare it: lower case, accents dropped, one space between words."""
    text = unicodedata.normalize("NFKD", str(value or ""))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return _NOT_ALNUM.sub(" ", text).strip()[:SEARCH_KEY_MAX].strip()


def word_start_keys(value: Any, *, words: int = 5) -> list[str]:
    """The keys a prefix search finds a name by: the name from each of its first `words` words on."""
    parts = search_key(value).split(" ")
    return [" ".join(parts[i:]) for i in range(min(len(parts), words)) if parts[i]]
