"""Writes of the delegation register: naming a deputy and ending a delegation early.

Each function is one transaction and writes one DelegationRecord. The principal's delegations are
locked (select_for_update) before the overlap check, so two concurrent creations cannot both pass.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.enums import RoleCode
from portal.accounts.selectors import user_roles
from portal.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from portal.core.text import character_problem
from portal.directory.selectors import home_office
from portal.workflow.models import ProcessDefinition

from .enums import DelegationAction, DelegationKind
from .models import Delegation, DelegationRecord
from .selectors import DEPUTY_ROLES

MAX_DAYS = 366
MAX_REASON = 500


def _record(delegation: Delegation, *, action: str, actor: Any, at: datetime, payload: dict[str, Any]) -> None:
    DelegationRecord.objects.create(
        delegation=delegation, action=action, actor=actor, actor_username=actor.get_username(), at=at,
        payload=payload,
    )  # fmt: skip


def _user(value: Any) -> Any:
    user_model = get_user_model()
    if isinstance(value, user_model):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return user_model.objects.filter(pk=value).first()
    if isinstance(value, str) and value:
        return user_model.objects.filter(username=value[:150]).first()
    return None


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _covers_same(a: list[str], b: list[str]) -> bool:
    return not a or not b or bool(set(a) & set(b))


def _principal_clean(principal: Any, *, actor: Any, roles: frozenset[str], errors: dict[str, list[str]]) -> Any:
    if principal is None or principal == "":
        if RoleCode.CAMAT in roles:
            return actor
        errors["principal"] = [_("Pilih camat yang melimpahkan.")]
        return None
    principal_user = _user(principal)
    if principal_user is None:
        errors["principal"] = [_("Pengguna tidak ditemukan.")]
    elif principal_user.pk != actor.pk and RoleCode.ADMIN not in roles:
        raise NotAllowed(_("Camat hanya dapat melimpahkan tanda tangannya sendiri."))
    elif RoleCode.CAMAT not in user_roles(principal_user):
        errors["principal"] = [_("Pemberi pelimpahan harus memegang peran camat.")]
    elif home_office(principal_user) is None:
        errors["principal"] = [_("Camat ini belum ditempatkan di kecamatan mana pun.")]
    return principal_user


def _deputy_clean(deputy: Any, *, principal_user: Any, errors: dict[str, list[str]]) -> Any:
    deputy_user = _user(deputy)
    if deputy_user is None or not deputy_user.is_active:
        errors["deputy"] = [_("Pengguna tidak ditemukan.")]
    elif not user_roles(deputy_user) & DEPUTY_ROLES:
        errors["deputy"] = [_("Penerima pelimpahan harus memegang peran sekretaris kecamatan atau kepala seksi.")]
    elif principal_user is not None and deputy_user.pk == principal_user.pk:
        errors["deputy"] = [_("Camat tidak dapat melimpahkan kepada dirinya sendiri.")]
    elif principal_user is not None and home_office(deputy_user) != home_office(principal_user):
        errors["deputy"] = [_("Penerima pelimpahan harus bertugas di kecamatan yang sama dengan camat.")]
    return deputy_user


def _dates_clean(starts_on: Any, ends_on: Any, *, today: date, errors: dict[str, list[str]]) -> tuple[Any, Any]:
    start, end = _date(starts_on), _date(ends_on)
    if start is None:
        errors["starts_on"] = [_("Tanggal harus berformat TTTT-BB-HH.")]
    elif start < today:
        errors["starts_on"] = [_("Tanggal mulai tidak boleh sebelum hari ini.")]
    if end is None:
        errors["ends_on"] = [_("Tanggal harus berformat TTTT-BB-HH.")]
    elif start is not None and end < start:
        errors["ends_on"] = [_("Tanggal selesai tidak boleh sebelum tanggal mulai.")]
    elif start is not None and (end - start).days >= MAX_DAYS:
        errors["ends_on"] = [_("Pelimpahan paling lama %(n)d hari.") % {"n": MAX_DAYS}]
    return start, end


def _services_clean(services: Any, errors: dict[str, list[str]]) -> list[str]:
    if services in (None, ""):
        return []
    if not isinstance(services, list | tuple) or not all(isinstance(c, str) for c in services):
        errors["services"] = [_("Harus berupa daftar kode layanan.")]
        return []
    codes = sorted({c.strip() for c in services if c.strip()})
    known = set(ProcessDefinition.objects.filter(is_active=True).values_list("code", flat=True))
    unknown = [c[:64] for c in codes if c not in known]
    if unknown:
        errors["services"] = [_("Layanan tidak dikenal: %(codes)s.") % {"codes": ", ".join(unknown[:10])}]
    return codes


def _reason_clean(reason: Any, errors: dict[str, list[str]]) -> str:
    if reason is not None and not isinstance(reason, str):
        errors["reason"] = [_("Harus berupa teks.")]
        return ""
    text = reason or ""
    if len(text) > MAX_REASON:
        errors["reason"] = [_("Paling banyak %(limit)s karakter.") % {"limit": MAX_REASON}]
    elif problem := character_problem(text, multiline=True):
        errors["reason"] = [problem]
    return text


def _overlap_check(*, principal_user: Any, deputy_user: Any, codes: list[str], start: date, end: date) -> None:
    """Refuse a second deputy for the same days and services (the principal's rows are locked)."""
    overlapping = (
        Delegation.objects.select_for_update()
        .filter(principal=principal_user, ended_at__isnull=True, starts_on__lte=end, ends_on__gte=start)
        .exclude(deputy=deputy_user)
        .select_related("deputy")
    )
    for other in overlapping:
        if _covers_same(codes, list(other.services)):
            message = _(
                "Bertumpang tindih dengan pelimpahan kepada %(deputy)s (%(start)s s.d. %(end)s) "
                "untuk layanan yang sama. Akhiri pelimpahan itu dahulu atau pilih tanggal/layanan lain."
            ) % {
                "deputy": other.deputy.get_full_name() or other.deputy.get_username(),
                "start": other.starts_on.isoformat(),
                "end": other.ends_on.isoformat(),
            }
            raise InvalidInput({"services": [message]})


def delegation_create(
    *,
    actor: Any,
    deputy: Any,
    kind: Any,
    starts_on: Any,
    ends_on: Any,
    services: Any = None,
    reason: Any = "",
    principal: Any = None,
    now: datetime | None = None,
) -> Delegation:
    """Name `deputy` to sign for the camat `principal` (the actor, unless an admin names one)."""
    now = now or timezone.now()
    roles = user_roles(actor)
    if not roles & {RoleCode.CAMAT, RoleCode.ADMIN}:
        raise NotAllowed(_("Hanya camat atau administrator yang dapat melimpahkan tanda tangan."))
    errors: dict[str, list[str]] = {}
    principal_user = _principal_clean(principal, actor=actor, roles=roles, errors=errors)
    deputy_user = _deputy_clean(deputy, principal_user=principal_user, errors=errors)
    if kind not in DelegationKind.values:
        errors["kind"] = [_("Pilih a.n. atau Plh.")]
    start, end = _dates_clean(starts_on, ends_on, today=timezone.localdate(now), errors=errors)
    codes = _services_clean(services, errors)
    reason_text = _reason_clean(reason, errors)
    if errors:
        raise InvalidInput(errors)
    assert start is not None and end is not None and principal_user is not None
    office = home_office(principal_user)
    assert office is not None  # _principal_clean refused a camat posted nowhere
    with transaction.atomic():
        _overlap_check(principal_user=principal_user, deputy_user=deputy_user, codes=codes, start=start, end=end)
        delegation = Delegation.objects.create(
            office=office, principal=principal_user, deputy=deputy_user, kind=kind,
            starts_on=start, ends_on=end, services=codes, reason=reason_text.strip(), created_by=actor, created_at=now,
        )  # fmt: skip
        _record(
            delegation, action=DelegationAction.CREATED, actor=actor, at=now,
            payload={"principal": principal_user.get_username(), "deputy": deputy_user.get_username(), "kind": kind,
                     "starts_on": start.isoformat(), "ends_on": end.isoformat(), "services": codes,
                     "reason": delegation.reason},
        )  # fmt: skip
        return delegation


def delegation_end(*, delegation_id: int, actor: Any, now: datetime | None = None) -> Delegation:
    """End a delegation at once (the principal camat or an admin)."""
    now = now or timezone.now()
    roles = user_roles(actor)
    with transaction.atomic():
        delegation = Delegation.objects.select_for_update().filter(pk=delegation_id).first()
        if delegation is None:
            raise NotFound(_("Pelimpahan tidak ditemukan."))
        if RoleCode.ADMIN not in roles and delegation.principal_id != getattr(actor, "pk", None):
            if delegation.deputy_id == getattr(actor, "pk", None):
                raise NotAllowed(_("Hanya camat pemberi pelimpahan atau administrator yang dapat mengakhirinya."))
            raise NotFound(_("Pelimpahan tidak ditemukan."))
        if delegation.ended_at is not None:
            raise Conflict(_("Pelimpahan ini sudah diakhiri."))
        if delegation.ends_on < timezone.localdate(now):
            raise Conflict(_("Pelimpahan ini sudah berakhir."))
        delegation.ended_at = now
        delegation.ended_by = actor
        delegation.save(update_fields=["ended_at", "ended_by"])
        _record(delegation, action=DelegationAction.ENDED, actor=actor, at=now, payload={"ended_at": now.isoformat()})
        return delegation
