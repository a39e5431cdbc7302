"""Indonesian wording of the engine's form-error codes (through Django's translation machinery)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from engine import FieldError
from portal.core.text import refused_character_text


def field_error_text(error: FieldError) -> str:
    params: dict[str, Any] = dict(error.params)
    if "choices" in params:
        params["choices"] = ", ".join(str(c) for c in params["choices"])
    texts = {
        "required": _("Wajib diisi."),
        "invalid_type": _("Jenis isian tidak sesuai."),
        "invalid_choice": _("Pilihan tidak tersedia. Pilih salah satu: %(choices)s."),
        "invalid_date": _("Tanggal harus berformat TTTT-BB-HH."),
        "min_length": _("Paling sedikit %(limit)s karakter."),
        "max_length": _("Paling banyak %(limit)s karakter."),
        "min_value": _("Paling kecil %(limit)s."),
        "max_value": _("Paling besar %(limit)s."),
        "unknown_field": _("Isian ini tidak dikenal pada formulir langkah ini."),
        "readonly": _("Isian ini tidak boleh diubah."),
    }
    if error.code == "invalid_characters":
        return refused_character_text(str(params.get("character", "")))
    template = texts.get(error.code)
    if template is None:
        return error.message
    try:
        return template % params
    except (KeyError, TypeError, ValueError):
        return template


def form_errors_text(errors: dict[str, list[FieldError]]) -> dict[str, list[str]]:
    return {field: [field_error_text(e) for e in errs] for field, errs in errors.items()}


def engine_failure_text(exc: Exception) -> str:
    """What a page or the API says when the diagram could not advance."""
    element = str(getattr(exc, "element_id", "") or "")
    error = " ".join(str(exc).split())[:300]
    return _("Proses tidak dapat dilanjutkan pada langkah %(element)s: %(error)s") % {
        "element": element or "-",
        "error": error,
    }
