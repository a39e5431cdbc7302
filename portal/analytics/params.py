"""Who may export the event log, and an export's filters read from the API's query or the command's options."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from portal.accounts.enums import RoleCode
from portal.accounts.selectors import user_roles
from portal.core.errors import InvalidInput, NotAllowed
from portal.directory.models import Office
from portal.directory.selectors import OfficeScope, office_find, office_scope
from portal.workflow.models import ProcessDefinition

from .eventlog import LogQuery

# The heads of a kecamatan read their own office's log; auditors, administrators and the regency's
# leadership (`pimpinan`, once the accounts app defines that role) read every office's.
READERS = frozenset({RoleCode.CAMAT, RoleCode.SEKCAM, RoleCode.AUDITOR, RoleCode.ADMIN, "pimpinan"})
FORMATS = {"xes": "application/xml", "csv": "text/csv"}
EVERYWHERE = OfficeScope(True, frozenset(), None)  # the command's: whoever runs it runs the server
Offices = tuple[int, ...] | None  # the offices of an export; None: every office
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Export:
    fmt: str
    query: LogQuery
    filename: str
    title: str

    @property
    def content_type(self) -> str:
        return FORMATS[self.fmt]


def export_check(user: Any) -> OfficeScope:
    """The offices whose log `user` may export; NotAllowed for any other role."""
    if not user_roles(user) & READERS:
        raise NotAllowed(_("Hanya camat, sekcam, auditor, pimpinan, dan administrator yang dapat mengekspor log."))
    return office_scope(user)


def _day(value: str, key: str, errors: dict[str, list[str]]) -> date | None:
    if not value:
        return None
    try:
        if _DAY.fullmatch(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    errors[key] = [_("Tanggal tidak sah: tulis TTTT-BB-HH, misalnya 2026-01-31.")]
    return None


def _office(value: str, scope: OfficeScope, errors: dict[str, list[str]]) -> tuple[Office | None, Offices]:
    """The office named, and the offices exported: the one named, or all those of `scope`."""
    if value:
        office = office_find(value)
        if office is None:
            errors["kecamatan"] = [_("Kecamatan '%(value)s' tidak dikenal.") % {"value": value[:40]}]
            return None, ()
        if not scope.allows(office.pk):
            home = scope.home.name if scope.home is not None else "-"
            raise NotAllowed(
                _("Anda hanya dapat mengekspor log Kecamatan %(home)s, bukan Kecamatan %(office)s.")
                % {"home": home, "office": office.name}
            )
        return office, (office.pk,)
    if scope.everywhere:
        return None, None
    if not scope.office_ids:
        raise NotAllowed(_("Akun Anda belum ditempatkan di kecamatan mana pun; hubungi administrator."))
    return None, tuple(sorted(scope.office_ids))


def _name(fmt: str, service: str, office: Office | None, start: date | None, end: date | None) -> tuple[str, str]:
    """The file's name and the log's title, both saying what the log holds."""
    parts = [service or "semua-layanan", office.slug if office is not None else ""]
    if start or end:
        parts.append(f"{start or 'awal'}_{end or 'kini'}")
    stem = "-".join(["paten-log", *[part for part in parts if part]])
    title = f"PATEN {service or 'semua layanan'} {office.name if office else ''} {start or ''}..{end or ''}"
    return f"{stem}.{fmt}", " ".join(title.split())


def export_parse(
    *, fmt: str, service: str = "", date_from: str = "", date_to: str = "", kecamatan: str = "",
    scope: OfficeScope = EVERYWHERE,
) -> Export:  # fmt: skip
    """An export from its parameters as written; InvalidInput names each bad one, NotAllowed an office
    outside `scope`."""
    errors: dict[str, list[str]] = {}
    fmt, service = (fmt or "").strip().lower(), (service or "").strip()
    if fmt not in FORMATS:
        errors["format"] = [_("Format harus xes atau csv.")]
    if service and not ProcessDefinition.objects.filter(code=service[:64]).exists():
        errors["service"] = [_("Layanan '%(code)s' tidak dikenal.") % {"code": service[:64]}]
    start = _day((date_from or "").strip(), "from", errors)
    end = _day((date_to or "").strip(), "to", errors)
    if start is not None and end is not None and start > end:
        errors["to"] = [_("Tanggal akhir tidak boleh sebelum tanggal awal.")]
    office, office_ids = _office((kecamatan or "").strip(), scope, errors)
    if errors:
        raise InvalidInput(errors)
    filename, title = _name(fmt, service, office, start, end)
    query = LogQuery(service=service, date_from=start, date_to=end, office_ids=office_ids)
    return Export(fmt=fmt, query=query, filename=filename, title=title)
