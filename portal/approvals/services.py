"""Writes of the approvals inbox: approve or send back camat steps, one or many.

Every decision goes through workflow's human_task_complete, each step in its own transaction,
so one refused step never undoes the others and the event log records who decided, when and,
under a delegation, on whose behalf.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.enums import RoleCode
from portal.core.errors import InvalidInput, NotAllowed, NotFound, ServiceError, error_texts
from portal.core.text import character_problem
from portal.letters.models import Letter
from portal.workflow.access import may_act_on, office_check
from portal.workflow.models import HumanTask
from portal.workflow.services.human_tasks import human_task_complete

from .selectors import decision_plan

DECISIONS = ("approve", "return")
MAX_ITEMS = 100
MAX_REASON = 500


@dataclass(frozen=True)
class DecisionResult:
    human_task_id: int
    ok: bool
    detail: str
    tracking_number: str = ""
    letter_number: str = ""


def _decide_one(*, human_task_id: int, decision: str, reason: str, actor: Any, now: datetime) -> DecisionResult:
    step = HumanTask.objects.select_related("instance", "instance__definition").filter(pk=human_task_id).first()
    if step is None:
        raise NotFound(_("Langkah tidak ditemukan."))
    instance = step.instance
    office_check(actor, instance)  # another kecamatan's step: say so
    if step.role != RoleCode.CAMAT or not may_act_on(actor, step, instance, at=now):
        raise NotAllowed(_("Langkah ini bukan langkah persetujuan yang dapat Anda putuskan."))
    plan = decision_plan(step)
    if plan is None:
        raise InvalidInput({}, _("Keputusan langkah ini tidak dapat diambil dari daftar; buka halaman langkahnya."))
    if decision == "approve":
        if not plan.bulk_approvable:
            raise InvalidInput({}, _("Langkah ini memerlukan isian lain; setujui dari halaman langkahnya."))
        data = {plan.field: plan.approve_value}
    else:
        if not plan.returnable:
            raise InvalidInput({}, _("Langkah ini memerlukan isian lain; kembalikan dari halaman langkahnya."))
        data = {plan.field: plan.return_value}
        if plan.note_field:
            data[plan.note_field] = reason
    human_task_complete(human_task_id=step.pk, actor=actor, data=data, now=now)
    letter = Letter.objects.filter(human_task=step).only("number").first()
    detail = _("Disetujui.") if decision == "approve" else _("Dikembalikan.")
    return DecisionResult(
        human_task_id=step.pk, ok=True, detail=detail, tracking_number=instance.tracking_number,
        letter_number=letter.number if letter is not None else "",
    )  # fmt: skip


def approvals_decide(
    *, human_task_ids: Any, decision: Any, reason: Any = "", actor: Any, now: datetime | None = None
) -> list[DecisionResult]:
    """Approve or send back each step; per step whether it succeeded and, if not, why."""
    errors: dict[str, list[str]] = {}
    if not isinstance(human_task_ids, list | tuple) or not human_task_ids:
        errors["human_task_ids"] = [_("Pilih sedikitnya satu langkah.")]
    elif len(human_task_ids) > MAX_ITEMS:
        errors["human_task_ids"] = [_("Paling banyak %(n)d langkah sekaligus.") % {"n": MAX_ITEMS}]
    elif not all(isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in human_task_ids):
        errors["human_task_ids"] = [_("Harus berupa daftar nomor langkah.")]
    if decision not in DECISIONS:
        errors["decision"] = [_("Pilih approve atau return.")]
    reason_text = reason.strip() if isinstance(reason, str) else ""
    if reason is not None and not isinstance(reason, str):
        errors["reason"] = [_("Harus berupa teks.")]
    elif decision == "return" and not reason_text:
        errors["reason"] = [_("Alasan pengembalian wajib diisi.")]
    elif len(reason_text) > MAX_REASON:
        errors["reason"] = [_("Paling banyak %(limit)s karakter.") % {"limit": MAX_REASON}]
    elif problem := character_problem(reason_text, multiline=True):
        errors["reason"] = [problem]
    if errors:
        raise InvalidInput(errors)
    results = []
    for human_task_id in dict.fromkeys(human_task_ids):
        try:
            results.append(
                _decide_one(
                    human_task_id=human_task_id,
                    decision=decision,
                    reason=reason_text,
                    actor=actor,
                    now=now or timezone.now(),
                )
            )
        except ServiceError as exc:
            results.append(DecisionResult(human_task_id=human_task_id, ok=False, detail=" ".join(error_texts(exc))))
    return results
