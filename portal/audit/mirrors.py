"""The rows the pages read against the log they mirror: a completed step's data, a letter's number
and fingerprint, a request's status. Whoever edits the row a page shows, and not the log, is found.

Each table is read once, in request order, beside the events (verification.py walks both), so the
cost stays linear and the memory that of one request.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from typing import Any, cast

from django.utils.translation import gettext as _

from portal.core.hashing import canonical_json
from portal.letters.models import Letter
from portal.workflow.enums import EventType, HumanTaskStatus, InstanceStatus
from portal.workflow.models import HumanTask, HumanTaskHistory

from .findings import Finding, Kind

_COMPLETED = HumanTaskStatus.COMPLETED


class _Stream:
    """Rows ordered by request, handed out one request at a time."""

    def __init__(self, rows: Iterator[dict[str, Any]]) -> None:
        self._rows = rows
        self._next: dict[str, Any] | None = next(rows, None)

    def take(self, instance_id: int) -> list[dict[str, Any]]:
        while self._next is not None and self._next["instance_id"] < instance_id:
            self._next = next(self._rows, None)  # a row of a request with no events: the chain check says so
        taken = []
        while self._next is not None and self._next["instance_id"] == instance_id:
            taken.append(self._next)
            self._next = next(self._rows, None)
        return taken


def _steps() -> Iterator[dict[str, Any]]:
    fields = ("instance_id", "task_guid", "bpmn_id", "completed_data")
    live = HumanTask.objects.filter(status=_COMPLETED).order_by("instance_id", "id").values(*fields).iterator(5000)
    kept = HumanTaskHistory.objects.filter(status=_COMPLETED).order_by("instance_id", "id").values(*fields)
    return heapq.merge(live, kept.iterator(5000), key=lambda row: row["instance_id"])


def _letters() -> Iterator[dict[str, Any]]:
    fields = ("instance_id", "id", "number", "sha256")
    return cast(Iterator[dict[str, Any]], Letter.objects.order_by("instance_id", "id").values(*fields).iterator(5000))


class Mirrors:
    def __init__(self) -> None:
        self._steps = _Stream(_steps())
        self._letters = _Stream(_letters())

    def findings(self, events: list[dict[str, Any]]) -> list[Finding]:
        """What of one request's mirrored rows disagrees with its (already verified) events."""
        tn, instance_id = events[0]["instance__tracking_number"], events[0]["instance_id"]
        completed: dict[str, Any] = {}
        numbered: dict[int, str] = {}
        issued: dict[int, tuple[str, str]] = {}
        for event in events:
            payload = event["payload"] if isinstance(event["payload"], dict) else {}
            if event["type"] == EventType.HUMAN_TASK_COMPLETED:
                completed[str(payload.get("task_guid"))] = payload.get("data")
            elif event["type"] == EventType.LETTER_NUMBERED:
                numbered[int(payload.get("letter_id") or 0)] = str(payload.get("number"))
            elif event["type"] == EventType.LETTER_ISSUED:
                issued[int(payload.get("letter_id") or 0)] = (str(payload.get("number")), str(payload.get("sha256")))
        found = [*self._step_findings(tn, instance_id, completed), *self._letter_findings(tn, instance_id, numbered,
                                                                                          issued)]  # fmt: skip
        status = _status_of(events)
        if events[0]["instance__status"] != status:
            found.append(Finding(Kind.MIRROR, _("status permohonan %(row)s, menurut log %(log)s") % {
                "row": events[0]["instance__status"], "log": status}, tn))  # fmt: skip
        return found

    def _step_findings(self, tn: str, instance_id: int, completed: dict[str, Any]) -> list[Finding]:
        found = []
        for step in self._steps.take(instance_id):
            logged = completed.get(step["task_guid"], _MISSING)
            if logged is _MISSING:
                found.append(Finding(Kind.MIRROR, _("langkah %(step)s tercatat selesai tanpa peristiwanya di log") % {
                    "step": step["bpmn_id"]}, tn))  # fmt: skip
            elif canonical_json(logged) != canonical_json(step["completed_data"]):
                found.append(Finding(Kind.MIRROR, _("isian langkah %(step)s berbeda dari yang tercatat di log") % {
                    "step": step["bpmn_id"]}, tn))  # fmt: skip
        return found

    def _letter_findings(
        self, tn: str, instance_id: int, numbered: dict[int, str], issued: dict[int, tuple[str, str]]
    ) -> list[Finding]:
        found = []
        for letter in self._letters.take(instance_id):
            number = numbered.get(letter["id"])
            if number is not None and number != letter["number"]:
                found.append(Finding(Kind.MIRROR, _("nomor surat %(row)s, menurut log %(log)s") % {
                    "row": letter["number"], "log": number}, tn))  # fmt: skip
            fingerprint = issued.get(letter["id"])
            if fingerprint is not None and fingerprint != (letter["number"], letter["sha256"]):
                text = _("sidik jari atau nomor surat %(number)s berbeda dari yang tercatat saat terbit")
                found.append(Finding(Kind.MIRROR, text % {"number": letter["number"]}, tn))
        return found


_MISSING = object()


def _status_of(events: list[dict[str, Any]]) -> str:
    """The request's status as its log tells it."""
    status = InstanceStatus.RUNNING
    for event in events:
        kind = event["type"]
        if kind == EventType.INSTANCE_COMPLETED:
            status = InstanceStatus.COMPLETED
        elif kind == EventType.INSTANCE_CANCELLED:
            status = InstanceStatus.CANCELLED
        elif kind == EventType.INSTANCE_FAILED:
            status = InstanceStatus.FAILED
        elif kind == EventType.INSTANCE_RETRIED:
            status = InstanceStatus.RUNNING
    return str(status)
