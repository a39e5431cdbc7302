"""Signings at the same moment, each in its own transaction: every letter gets its own number, no gaps."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, transaction

from .conftest import wita, workflow_data

SIGNERS = 6


@pytest.mark.django_db(transaction=True)
def test_simultaneous_signings_never_share_a_number(
    droppable_audit_log: Any, templates: Any, register: Any, users: Any
) -> None:
    from portal.letters.models import Letter, LetterSequence
    from portal.letters.services import letter_issue

    instances = [register("sktm") for _ in range(SIGNERS)]
    tasks = [instance.human_tasks.order_by("id").first() for instance in instances]
    now = wita(2026, 11, 27, 9)
    barrier = threading.Barrier(SIGNERS)
    numbers: dict[int, str] = {}
    failures: list[Exception] = []

    def sign(index: int) -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                letter = letter_issue(
                    instance=instances[index], human_task=tasks[index], signer=users["camat1"], capacity="camat",
                    data=workflow_data(instances[index]), now=now,
                )  # fmt: skip
            numbers[index] = letter.number
        except Exception as exc:  # noqa: BLE001 - reported below, in the test's thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign, args=(i,)) for i in range(SIGNERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert failures == []
    assert len(numbers) == SIGNERS
    expected = {f"474/{n:04d}/KEC-BBL/XI/2026" for n in range(1, SIGNERS + 1)}
    assert set(numbers.values()) == expected  # distinct and gapless
    stored = sorted(Letter.objects.values_list("sequence", flat=True))
    assert stored == list(range(1, SIGNERS + 1))
    assert LetterSequence.objects.get(service_code="sktm", year=2026).last_number == SIGNERS
    assert len(set(Letter.objects.values_list("verification_token", flat=True))) == SIGNERS
