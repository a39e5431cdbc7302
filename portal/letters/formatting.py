"""How letters write numbers and dates: pure functions, no database."""

from __future__ import annotations

import datetime as dt

MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def date_in_words(day: dt.date) -> str:
    """27 November 2026 (Indonesian month names whatever the active language)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def roman_month(month: int) -> str:
    return ROMAN_MONTHS[month - 1]


def letter_number(*, classification: str, sequence: int, office_short: str, day: dt.date) -> str:
    """474/0007/KEC-BBL/XI/2026: classification, sequence (4 digits), office, month in Roman numerals, year."""
    return f"{classification}/{sequence:04d}/{office_short}/{roman_month(day.month)}/{day.year}"
