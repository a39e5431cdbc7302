"""Who may act on a request's step: its office, its role, the applicant's own account, a deputy of
the camat, and separation of duties. Reads only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

import engine
from portal.accounts.enums import RoleCode
from portal.accounts.selectors import user_roles
from portal.catalogue.selectors import service_separation_of_duties
from portal.core.errors import NotAllowed
from portal.directory.selectors import office_by_id, office_scope

from .definitions import definition_runtime
from .enums import HumanTaskStatus
from .hooks import hooks
from .models import HumanTask, ProcessInstance, Step


def office_check(user: Any, instance: ProcessInstance) -> None:
    """Refuse a member of staff who works in another office than the request's (NotAllowed, saying
    which office serves it). Applicants, the regency's staff and the system pass."""
    if user is None or not getattr(user, "is_authenticated", False):
        return
    scope = office_scope(user)
    if scope.allows(instance.office_id):
        return
    office = office_by_id(instance.office_id)
    if scope.home is None:
        raise NotAllowed(_("Akun Anda belum ditempatkan di kecamatan mana pun; hubungi administrator."))
    raise NotAllowed(
        _("Permohonan ini ditangani Kecamatan %(office)s; Anda bertugas di Kecamatan %(home)s.")
        % {"office": office.name if office else "-", "home": scope.home.name}
    )


def may_act_on(user: Any, human_task: Step, instance: ProcessInstance, *, at: datetime | None = None) -> bool:
    if user is not None and not office_scope(user).allows(instance.office_id):
        return False
    roles = user_roles(user)
    if human_task.role == RoleCode.PEMOHON:
        if instance.applicant_user_id is not None:
            return bool(instance.applicant_user_id == getattr(user, "pk", None))
        return RoleCode.LOKET in roles  # walk-in applicant: the counter records the correction
    return human_task.role in roles or delegation_for(user, human_task, instance, at=at) is not None


def delegation_for(user: Any, human_task: Step, instance: ProcessInstance, *, at: datetime | None = None) -> Any:
    """The signing delegation under which `user` acts on a camat step without holding the camat role."""
    if human_task.role != RoleCode.CAMAT or RoleCode.CAMAT in user_roles(user):
        return None
    return hooks.deputy_for(user, instance.definition.code, at, office_id=instance.office_id)


def duty_check(actor: Any, human_task: HumanTask, instance: ProcessInstance) -> None:
    """Separation of duties: whoever completed a "verify" step of the request may not take its "approve" step."""
    definition = definition_runtime(instance.definition)
    if definition.duty_of(human_task.bpmn_id) != engine.DUTY_APPROVE:
        return
    verify_steps = [bpmn_id for bpmn_id in definition.forms if definition.duty_of(bpmn_id) == engine.DUTY_VERIFY]
    if not verify_steps:
        return
    verified = HumanTask.objects.filter(
        instance=instance, bpmn_id__in=verify_steps, status=HumanTaskStatus.COMPLETED, completed_by=actor
    ).exists()
    # The service's standard says whether the rule holds: asked only of someone who did verify.
    if verified and service_separation_of_duties(instance.definition.code):
        raise NotAllowed(
            _("Anda telah memverifikasi permohonan ini, sehingga tidak dapat juga menyetujuinya (pemisahan tugas).")
        )
