"""Indonesian identity numbers: NIK (person) and No. KK (family card).

Both are 16 digits: a 6-digit area of first registration (province, regency, district), a DDMMYY
date (for a NIK the birth date, women's day + 40; for a KK the date of recording) and a 4-digit
serial. The area is never required to be local: people move, the prefix stays.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.id import nik as stdnum_nik

# Kemendagri province codes in use (including the Papua provinces formed in 2022).
PROVINCES = frozenset(
    [11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61, 62, 63, 64, 65,
     71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96]
)  # fmt: skip
_SIXTEEN = re.compile(r"[0-9]{16}")


def _area_problem(number: str, what: str) -> str | None:
    if int(number[0:2]) not in PROVINCES:
        return _("Dua angka pertama %(what)s bukan kode provinsi yang berlaku.") % {"what": what}
    if number[2:4] == "00" or number[4:6] == "00":
        return _("Kode kabupaten/kota dan kecamatan pada %(what)s (angka ke-3 sampai ke-6) tidak valid.") % {
            "what": what
        }
    return None


def nik_problem(value: str) -> str | None:
    """Why `value` is not a well-formed NIK, in Indonesian; None when it is."""
    if not _SIXTEEN.fullmatch(value):
        return _("NIK harus terdiri dari 16 angka.")
    problem = _area_problem(value, "NIK")
    if problem:
        return problem
    day = int(value[6:8])
    if not (1 <= day <= 31 or 41 <= day <= 71):  # women's days are 41-71
        return _("Tanggal lahir pada NIK (angka ke-7 sampai ke-12) bukan tanggal yang benar.")
    try:
        stdnum_nik.get_birth_date(value)  # a real calendar date (30 February is not)
    except StdnumError:
        return _("Tanggal lahir pada NIK (angka ke-7 sampai ke-12) bukan tanggal yang benar.")
    if value[12:] == "0000":
        return _("Nomor urut NIK (4 angka terakhir) tidak boleh 0000.")
    return None


def kk_problem(value: str) -> str | None:
    """Why `value` is not a well-formed No. KK, in Indonesian; None when it is."""
    if not _SIXTEEN.fullmatch(value):
        return _("Nomor KK harus terdiri dari 16 angka.")
    problem = _area_problem(value, _("Nomor KK"))
    if problem:
        return problem
    day, month, year = int(value[6:8]), int(value[8:10]), int(value[10:12])
    today = timezone.localdate()
    full_year = 2000 + year if 2000 + year <= today.year else 1900 + year
    try:
        recorded = dt.date(full_year, month, day)
    except ValueError:
        return _("Tanggal pencatatan pada Nomor KK (angka ke-7 sampai ke-12) bukan tanggal yang benar.")
    if recorded > today:
        return _("Tanggal pencatatan pada Nomor KK tidak boleh di masa depan.")
    if value[12:] == "0000":
        return _("Nomor urut pada Nomor KK (4 angka terakhir) tidak boleh 0000.")
    return None
