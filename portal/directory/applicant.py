"""Validation of the applicant block of a request (NIK, KK, name, village, phone)."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from portal.core.text import character_problem

from .identity import kk_problem, nik_problem
from .models import Village
from .selectors import village_find

APPLICANT_KEYS = ("nik", "kk", "name", "desa", "phone")


def normalise_phone(raw: str) -> str | None:
    """08xxxxxxxx form of an Indonesian mobile number, or None if it is not one."""
    digits = re.sub(r"[\s\-().]", "", raw)
    if digits.startswith("+62"):
        digits = "0" + digits[3:]
    elif digits.startswith("62"):
        digits = "0" + digits[2:]
    if re.fullmatch(r"08[0-9]{7,11}", digits):
        return digits
    return None


def applicant_clean(raw: Any) -> tuple[dict[str, str], Village]:
    """Return the cleaned applicant dict and village, or raise ValueError carrying field errors."""
    errors: dict[str, list[str]] = {}
    if not isinstance(raw, dict):
        raise ApplicantInvalid({"non_field_errors": [_("Data pemohon harus berupa objek.")]})
    values: dict[str, str] = {}
    for key in APPLICANT_KEYS:
        value = raw.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors[key] = [_("Harus berupa teks.")]
            continue
        values[key] = value.strip()
    for key in raw:
        if key not in APPLICANT_KEYS:
            errors[str(key)[:50]] = [_("Isian ini tidak dikenal.")]
    village = None
    if "nik" in values:
        problem = nik_problem(values["nik"])
        if problem:
            errors["nik"] = [problem]
    if values.get("kk"):
        problem = kk_problem(values["kk"])
        if problem:
            errors["kk"] = [problem]
    if "name" in values:
        if not values["name"]:
            errors["name"] = [_("Nama pemohon wajib diisi.")]
        elif len(values["name"]) > 100:
            errors["name"] = [_("Nama paling banyak 100 karakter.")]
        elif problem := character_problem(values["name"]):
            errors["name"] = [problem]
    if "desa" in values:
        village = village_find(values["desa"][:100])
        if village is None:
            errors["desa"] = [
                _("Desa tidak dikenal. Pilih salah satu desa atau kelurahan di Kabupaten Penajam Paser Utara.")
            ]
    if values.get("phone"):
        phone = normalise_phone(values["phone"][:40])
        if phone is None:
            errors["phone"] = [_("Nomor telepon tidak valid. Contoh: 081234567890.")]
        else:
            values["phone"] = phone
    if errors:
        raise ApplicantInvalid(errors)
    assert village is not None
    values["desa"] = village.name
    return values, village


class ApplicantInvalid(ValueError):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__(str(errors))
