"""Letter numbers: the format, one gapless sequence per service and year, no reuse after a rollback."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction

from portal.letters.formatting import date_in_words, letter_number, roman_month

from .conftest import wita


def test_number_format_and_indonesian_dates() -> None:
    number = letter_number(classification="474", sequence=7, office_short="KEC-BBL", day=dt.date(2026, 11, 27))
    assert number == "474/0007/KEC-BBL/XI/2026"
    assert letter_number(classification="503", sequence=12345, office_short="KEC-BBL", day=dt.date(2027, 1, 2)) == (
        "503/12345/KEC-BBL/I/2027"
    )
    assert [roman_month(m) for m in range(1, 13)] == [
        "I",
        "II",
        "III",
        "IV",
        "V",
        "VI",
        "VII",
        "VIII",
        "IX",
        "X",
        "XI",
        "XII",
    ]
    assert date_in_words(dt.date(2026, 11, 27)) == "27 November 2026"
    assert date_in_words(dt.date(2026, 8, 1)) == "1 Agustus 2026"


def test_numbers_run_per_service_and_restart_each_year(templates: Any, register: Any, issue: Any) -> None:
    first = issue(register("sktm"), wita(2026, 11, 27, 9))
    second = issue(register("sktm"), wita(2026, 11, 27, 10))
    other_service = issue(register("sku"), wita(2026, 11, 27, 11))
    third = issue(register("sktm"), wita(2026, 12, 31, 23, 59))
    # 1 January 2027 00:30 in Babulu (WITA) is still 31 December 2026 in UTC: the office's date counts.
    next_year = issue(register("sktm"), wita(2027, 1, 1, 0, 30))
    after = issue(register("sktm"), wita(2027, 2, 3, 8))

    assert first.number == "474/0001/KEC-BBL/XI/2026"
    assert second.number == "474/0002/KEC-BBL/XI/2026"
    assert other_service.number == "503/0001/KEC-BBL/XI/2026"
    assert third.number == "474/0003/KEC-BBL/XII/2026"
    assert next_year.number == "474/0001/KEC-BBL/I/2027"
    assert after.number == "474/0002/KEC-BBL/II/2027"
    assert (next_year.year, next_year.sequence, next_year.service_code) == (2027, 1, "sktm")

    from portal.letters.models import LetterSequence

    rows = {(s.service_code, s.year): s.last_number for s in LetterSequence.objects.all()}
    assert rows == {("sktm", 2026): 3, ("sku", 2026): 1, ("sktm", 2027): 2}


def test_issuing_twice_for_one_signing_step_gives_the_same_letter(templates: Any, register: Any, issue: Any) -> None:
    instance = register("sktm")
    letter = issue(instance, wita(2026, 11, 27, 9))
    again = issue(instance, wita(2026, 11, 27, 10))
    assert again.pk == letter.pk and again.number == letter.number
    assert issue(register("sktm"), wita(2026, 11, 27, 11)).sequence == 2


def test_a_rolled_back_signing_gives_its_number_to_the_next_letter(
    templates: Any, register: Any, users: Any, letters_dir: Any
) -> None:
    from portal.letters.models import Letter, LetterSequence
    from portal.letters.services import letter_issue

    from .conftest import workflow_data

    instance = register("sktm")
    task = instance.human_tasks.first()

    class SigningFailed(Exception):
        pass

    with pytest.raises(SigningFailed), transaction.atomic():
        letter = letter_issue(
            instance=instance, human_task=task, signer=users["camat1"], capacity="camat",
            data=workflow_data(instance), now=wita(2026, 11, 27, 9),
        )  # fmt: skip
        assert letter.sequence == 1
        raise SigningFailed  # e.g. the workflow could not advance after the letter was issued

    assert not Letter.objects.exists()
    assert not LetterSequence.objects.filter(last_number__gt=0).exists()
    with transaction.atomic():
        letter = letter_issue(
            instance=instance, human_task=task, signer=users["camat1"], capacity="camat",
            data=workflow_data(instance), now=wita(2026, 11, 27, 10),
        )  # fmt: skip
    assert letter.number == "474/0001/KEC-BBL/XI/2026"


def test_a_service_without_template_issues_nothing(templates: Any, register: Any, issue: Any) -> None:
    from portal.letters.errors import LetterError
    from portal.letters.models import Letter, LetterSequence, LetterTemplate

    LetterTemplate.objects.filter(service_code="sku").delete()
    with pytest.raises(LetterError, match="Templat surat untuk layanan sku belum dimuat"):
        issue(register("sku"), wita(2026, 11, 27, 9))
    assert not Letter.objects.exists()
    assert not LetterSequence.objects.filter(last_number__gt=0).exists()
