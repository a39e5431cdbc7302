"""Reads of the administrator's incident list: each failed request with what failed, where and for whom."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from portal.accounts.enums import RoleCode
from portal.accounts.selectors import user_roles
from portal.workflow.models import HumanTask, ProcessDefinition, ProcessInstance
from portal.workflow.selectors import incidents

# The commands a request can fail in, as an administrator reads them.
COMMAND_LABELS = {
    "human_task_complete": _("Penyelesaian langkah"),
    "timers_fire": _("Pengatur waktu"),
    "request_register": _("Pendaftaran permohonan"),
    "document_upload": _("Unggah dokumen"),
    "requirements_check": _("Pemeriksaan kelengkapan"),
    "overdue_notify": _("Pemberitahuan keterlambatan"),
    "letter_render": _("Pembuatan surat"),
}


@dataclass(frozen=True)
class Incident:
    instance: ProcessInstance
    command: str
    command_label: Any
    error: str
    element: str
    failed_at: datetime | None
    attempts: int
    step_name: str  # the step whose completion failed ("" for a timer or another command)
    actor: str  # who gave the command that failed ("" for a sweep)
    active_version: int | None  # the service's active version when it differs from the request's


def may_handle(user: Any) -> bool:
    return RoleCode.ADMIN in user_roles(user)


def incident_count() -> int:
    return incidents().count()


def incident_of(tracking_number: str) -> ProcessInstance | None:
    """The failed request with this number, or None (unknown, or not an incident)."""
    return incidents().filter(tracking_number=str(tracking_number)[:20]).first()


def incidents_described(rows: list[ProcessInstance]) -> list[Incident]:
    """What the list shows of each row, in three queries however many rows (steps, officers, versions)."""
    failures = [r.failure if isinstance(r.failure, dict) else {} for r in rows]
    step_ids = {_int(f.get("args", {}).get("human_task_id")) for f in failures if isinstance(f.get("args"), dict)}
    steps = dict(HumanTask.objects.filter(pk__in=step_ids - {0}).values_list("pk", "name"))
    actor_ids = {_int(f.get("actor_id")) for f in failures} - {0}
    actors = dict(get_user_model().objects.filter(pk__in=actor_ids).values_list("pk", "username"))
    codes = {r.definition.code for r in rows}
    active = dict(ProcessDefinition.objects.filter(code__in=codes, is_active=True).values_list("code", "version"))
    found = []
    for row, failure in zip(rows, failures, strict=True):
        found_args = failure.get("args")
        args: dict[str, Any] = found_args if isinstance(found_args, dict) else {}
        command = str(failure.get("command") or "")
        version = active.get(row.definition.code)
        found.append(
            Incident(
                instance=row, command=command, command_label=COMMAND_LABELS.get(command, command),
                error=str(failure.get("error") or ""), element=str(failure.get("element") or ""),
                failed_at=row.failed_at or parse_datetime(str(failure.get("at") or "")),
                attempts=_int(failure.get("attempts")) or 1,
                step_name=str(steps.get(_int(args.get("human_task_id")), "")),
                actor=str(actors.get(_int(failure.get("actor_id")), "")),
                active_version=version if version != row.definition.version else None,
            )
        )  # fmt: skip
    return found


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
