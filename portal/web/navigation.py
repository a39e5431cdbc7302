"""What each role sees in the main navigation, and where each role lands after logging in.

Each area of the portal adds its entries here. An entry whose URL name is not (yet) routed is
left out, so the menu only ever offers pages that exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise, SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from portal.accounts.enums import RoleCode
from portal.accounts.selectors import user_roles
from portal.delegation.selectors import delegations_in_force
from portal.operations.selectors import worker_health
from portal.workflow.selectors import incidents

PUBLIC = "public"  # anyone, logged in or not
ANONYMOUS = "anonymous"  # only visitors who are not logged in
DEPUTY = "deputy"  # anyone a signing delegation in force names deputy of the camat


@dataclass(frozen=True)
class Entry:
    url_name: str
    label: str | Promise
    roles: frozenset[str]
    # Lower comes first; the first entry of a user's roles with `home=True` is where they land.
    order: int = 50
    home: bool = False


ENTRIES: list[Entry] = [
    Entry("worklist", _("Pekerjaan saya"), frozenset({RoleCode.LOKET, RoleCode.KASI, RoleCode.SEKCAM}), 10, True),
    Entry("approvals", _("Persetujuan camat"), frozenset({RoleCode.CAMAT, DEPUTY}), 5, True),
    Entry("worklist", _("Semua langkah saya"), frozenset({RoleCode.CAMAT}), 12),
    Entry("counter-register", _("Daftarkan permohonan"), frozenset({RoleCode.LOKET}), 15),
    Entry("delegations", _("Pelimpahan tanda tangan"), frozenset({RoleCode.CAMAT, RoleCode.ADMIN}), 20),
    Entry("my-requests", _("Permohonan saya"), frozenset({RoleCode.PEMOHON}), 10, True),
    Entry("citizen-submit", _("Ajukan permohonan"), frozenset({RoleCode.PEMOHON, ANONYMOUS}), 12),
    Entry("service-list", _("Daftar layanan"), frozenset({PUBLIC}), 30),
    Entry("tracking", _("Lacak permohonan"), frozenset({PUBLIC}), 35),
    Entry("declaration", _("Maklumat pelayanan"), frozenset({PUBLIC}), 40),
    Entry("designer-services", _("Layanan dan versi"), frozenset({RoleCode.PERANCANG}), 5, True),
    Entry("audit-search", _("Cari permohonan"), frozenset({RoleCode.AUDITOR}), 5, True),
    Entry("incidents", _("Gangguan proses"), frozenset({RoleCode.ADMIN}), 80),
    Entry("admin:index", _("Administrasi"), frozenset({RoleCode.ADMIN}), 90, True),
]


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def entries_for(user: Any) -> list[tuple[Entry, str]]:
    """(entry, url) of the menu for `user`, each URL once, in order."""
    roles = _menu_roles(user)
    seen: set[str] = set()
    found = []
    for entry in sorted(ENTRIES, key=lambda e: e.order):
        if not entry.roles & roles:
            continue
        url = _url(entry.url_name)
        if url is None or url in seen:
            continue
        seen.add(url)
        found.append((entry, url))
    return found


def _menu_roles(user: Any) -> set[str]:
    roles = set(user_roles(user)) | {PUBLIC}
    if not getattr(user, "is_authenticated", False):
        roles.add(ANONYMOUS)
    elif RoleCode.CAMAT not in roles and delegations_in_force(user):
        roles.add(DEPUTY)
    return roles


def home_for(user: Any) -> str | None:
    """Where `user` lands: the first home entry among their roles' pages, or None (the public home)."""
    roles = _menu_roles(user) - {PUBLIC, ANONYMOUS, DEPUTY}
    for entry, url in entries_for(user):
        if entry.home and entry.roles & roles:
            return url
    return None


def navigation(request: Any) -> dict[str, Any]:
    """Template context: the menu for this request's user, and their role names."""
    held = user_roles(request.user)
    # An administrator sees how many requests wait for them to retry or cancel (one count).
    incidents_waiting = incidents().count() if RoleCode.ADMIN in held else 0
    items = [
        {
            "url": url,
            "label": entry.label,
            "current": request.path == url or (url != "/" and request.path.startswith(url)),
            "count": incidents_waiting if entry.url_name == "incidents" else 0,
        }
        for entry, url in entries_for(request.user)
    ]
    roles = [str(RoleCode(code).label) for code in sorted(held) if code in RoleCode.values]
    # Whether the background processes run and keep up: read only by the admin's home, when shown.
    worker = SimpleLazyObject(worker_health) if RoleCode.ADMIN in held else None
    return {"paten_nav": items, "paten_roles": roles, "paten_incidents": incidents_waiting, "paten_worker": worker}
