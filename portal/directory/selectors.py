"""Reads of reference data, and which offices a user's work covers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from portal.accounts.enums import OFFICER_ROLES
from portal.accounts.selectors import user_roles
from portal.core.prepared import PreparedQuery

from .models import Office, Staff, Village

_CODE_CHARACTERS = frozenset("0123456789.")


def village_find(value: str) -> Village | None:
    """A village by its Kemendagri code, or by its name where the name is unique in the regency."""
    value = (value or "").strip()
    if not value:
        return None
    if set(value) <= _CODE_CHARACTERS:  # a name has letters: no code to look up
        found = Village.objects.select_related("office").filter(code=value).first()
        if found is not None:
            return found
    named = list(Village.objects.select_related("office").filter(name__iexact=value)[:2])
    return named[0] if len(named) == 1 else None


def villages_by_office() -> list[tuple[Office, list[Village]]]:
    """Every active office with its villages, for grouped choices."""
    groups: dict[int, tuple[Office, list[Village]]] = {}
    villages = Village.objects.select_related("office").filter(office__is_active=True)
    for village in villages.order_by("office__name", "name"):
        groups.setdefault(village.office_id, (village.office, []))[1].append(village)
    return list(groups.values())


def offices_active() -> QuerySet[Office]:
    return Office.objects.filter(is_active=True).order_by("name")


def office_find(value: str) -> Office | None:
    """An office by its slug or Kemendagri code."""
    value = (value or "").strip()[:40]
    if not value:
        return None
    return Office.objects.filter(Q(slug=value) | Q(code=value)).first()


def office_serving(value: str) -> Office | None:
    """An office still serving PATEN, by its slug or Kemendagri code (a reader's choice of kecamatan)."""
    office = office_find(value)
    return office if office is not None and office.is_active else None


def office_by_id(office_id: int | None) -> Office | None:
    return Office.objects.filter(pk=office_id).first() if office_id else None


@dataclass(frozen=True)
class OfficeScope:
    """The offices whose requests a user's work covers: every office (`everywhere`), or `office_ids`."""

    everywhere: bool
    office_ids: frozenset[int]
    home: Office | None  # the office a member of an office works in

    def allows(self, office_id: int | None) -> bool:
        return self.everywhere or office_id in self.office_ids

    def q(self, field: str = "office") -> Q:
        """A filter keeping rows of the covered offices (`field` names the office foreign key)."""
        if self.everywhere:
            return Q()
        return Q(**{f"{field}_id__in": sorted(self.office_ids)})


def scope_office_ids(scope: OfficeScope) -> list[int]:
    """The ids of the offices of `scope`, one by one: a list reads an office's index partition at a time."""
    if scope.everywhere:
        return list(Office.objects.order_by("pk").values_list("pk", flat=True))
    return sorted(scope.office_ids)


# Read on every command and page: compiled once.
_POSTING_OF_USER: PreparedQuery[Staff] = PreparedQuery(
    lambda key: Staff.objects.select_related("office").filter(user_id=key).order_by("pk")[:1]
)


def office_scope(user: Any) -> OfficeScope:
    """Where `user` works, cached on the user object for the request.

    Posted to an office: that office. Posted to the regency (no office), an administrator, or an
    account holding no officer role (auditor, designer, applicant): every office, which each page
    narrows further by role. An officer posted nowhere covers no office at all.
    """
    cached = getattr(user, "_paten_office_scope", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    posting = None
    if getattr(user, "is_authenticated", False):
        posting = _POSTING_OF_USER.first(user.pk)
    if posting is not None and posting.office_id is not None:
        assert posting.office is not None
        scope = OfficeScope(False, frozenset({posting.office_id}), posting.office)
    elif posting is not None or getattr(user, "is_superuser", False) or not user_roles(user) & OFFICER_ROLES:
        scope = OfficeScope(True, frozenset(), None)
    else:
        scope = OfficeScope(False, frozenset(), None)
    if getattr(user, "is_authenticated", False):
        user._paten_office_scope = scope
    return scope


def home_office(user: Any) -> Office | None:
    return office_scope(user).home
