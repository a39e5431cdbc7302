"""Writes of the designer's workspace: drafts saved, a draft deployed as a new version, an earlier
version put back in use; and what a change of steps means for the written service standard.

A draft is never live: only draft_deploy makes one a version, through the workflow's deploy (lint
first, all or nothing), recorded in the deployments' hash-chained log with who, why and both
fingerprints. Every function checks its input before it writes and writes in one transaction."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import engine
from portal.accounts.enums import role_label
from portal.catalogue.selectors import service_find, standard_current
from portal.core.errors import Conflict, InvalidInput, NotFound
from portal.workflow import events
from portal.workflow.models import DefinitionPart, ProcessDefinition
from portal.workflow.services.definitions import DeployResult, PartResult, active_library, deploy_files, part_kind

from . import selectors
from .models import Draft

MAX_NOTE = 2000
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_RESERVED = frozenset({"drafts", "parts", "lint"})  # words of the API's own paths
Kind = Draft.Kind


class LintFailed(InvalidInput):
    """The file has errors, each located by element id: nothing was deployed."""

    def __init__(self, problems: list[engine.Problem]) -> None:
        self.problems = problems
        message = _("Rancangan belum dapat dipasang: perbaiki dulu kesalahan yang ditemukan.")
        super().__init__({"detail": str(message), "problems": [problem_data(p) for p in problems]}, message)


def problem_data(problem: engine.Problem) -> dict[str, str]:
    """A lint finding as the API gives it; `code` tells unreadable files from findings in a diagram."""
    unreadable = problem.element_id == "-" and problem.message.startswith(("refused", "cannot", "could not"))
    return {"element_id": problem.element_id, "message": problem.message, "severity": problem.severity.value,
            "code": "unreadable" if unreadable else "lint", "file": problem.file}  # fmt: skip


def max_bytes(kind: str) -> int:
    """The largest file a deploy accepts of this kind (a DMN file is read under a tighter limit)."""
    return engine.MAX_DMN_BYTES if kind == Kind.DECISIONS else engine.MAX_BPMN_BYTES


def filename_of(kind: str, code: str) -> str:
    return Draft(kind=kind, code=code).filename


def kind_code_check(kind: str, code: str) -> None:
    if kind not in Kind.values:
        raise InvalidInput({"kind": [_("Jenis berkas tidak dikenal.")]})
    if not _CODE.match(code or "") or code in _RESERVED:
        raise InvalidInput({"code": [_("Kode hanya boleh berisi huruf, angka, - dan _ (paling panjang 64).")]})


def source_size_check(kind: str, source: Any) -> bytes:
    """The text as the bytes a deploy stores, refused when empty, not UTF-8 text or over the size limit."""
    if not isinstance(source, str) or not source.strip():
        raise InvalidInput({"source": [_("Isi berkas kosong.")]})
    try:
        data = source.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInput({"source": [_("Isi berkas memuat karakter yang tidak sah.")]}) from exc
    limit = max_bytes(kind)
    if len(data) > limit:
        message = _("Berkas terlalu besar: %(size)s bait, paling banyak %(limit)s bait.")
        raise InvalidInput({"source": [message % {"size": len(data), "limit": limit}]})
    return data


def source_bytes(kind: str, source: Any) -> bytes:
    """source_size_check, and refused unless it is XML of the right kind and safe to read (no DOCTYPE,
    no entities): a draft need not pass lint, but it must be a file a modeler can open."""
    data = source_size_check(kind, source)
    try:
        compared(kind, None, data)
    except engine.DefinitionError as exc:
        why = "; ".join(_refusal(p.message) for p in exc.problems)
        raise InvalidInput({"source": [_("Berkas ditolak: %(why)s") % {"why": why}]}) from exc
    return data


def _refusal(message: str) -> str:
    """Why the XML reader refused a file, in the portal's language (its own words kept for detail)."""
    if "DOCTYPE" in message:
        return str(_("deklarasi DOCTYPE dan ENTITY tidak diizinkan"))
    if "not a BPMN" in message:
        return str(_("bukan berkas BPMN 2.0 (elemen akarnya harus bpmn:definitions)"))
    if "not a DMN" in message:
        return str(_("bukan berkas tabel keputusan DMN"))
    if "malformed XML" in message or "empty" in message:
        return _("bukan XML yang utuh (%(detail)s)") % {"detail": message}
    return message


def compared(kind: str, old: bytes | None, new: bytes) -> engine.Comparison:
    """What changed from `old` to `new`, element by element (DefinitionError if either cannot be read)."""
    labels = (_("versi aktif"), _("draf"))
    if kind == Kind.DECISIONS:
        return engine.compare_dmn(old, new, labels=labels)
    return engine.compare_bpmn(old, new, labels=labels)


def note_check(note: Any, *, required: bool) -> str:
    text = note.strip() if isinstance(note, str) else ""
    if required and not text:
        raise InvalidInput({"note": [_("Tuliskan alasan perubahan ini.")]})
    if len(text) > MAX_NOTE:
        raise InvalidInput({"note": [_("Catatan paling panjang %(n)s karakter.") % {"n": MAX_NOTE}]})
    return text


def _username(user: Any) -> str:
    return str(user.get_username())[:150] if user is not None else ""


# --- drafts ---------------------------------------------------------------------------------------


def draft_save(
    *, kind: str, code: str, source: str, author: Any, note: str = "", based_on: int | None = None,
    now: datetime | None = None,
) -> Draft:  # fmt: skip
    """Save a new revision of a file being edited (never live). `based_on`: the live version it was
    started from (default: the one in use now)."""
    kind_code_check(kind, code)
    data = source_bytes(kind, source)
    note = note_check(note, required=False)
    if based_on is None:
        live = selectors.live_version(kind, code)
        based_on = live.version if live is not None else None
    elif not selectors.version_exists(kind, code, based_on):
        raise InvalidInput({"based_on": [_("Versi %(n)s dari berkas ini tidak ada.") % {"n": based_on}]})
    try:
        with transaction.atomic():
            numbers = Draft.objects.select_for_update().filter(kind=kind, code=code).values_list("number", flat=True)
            number = max(numbers, default=0) + 1
            return Draft.objects.create(
                kind=kind, code=code, number=number, source=data.decode("utf-8"), sha256=engine.sha256_of(data),
                based_on=based_on, author=author, author_name=_username(author), saved_at=now or timezone.now(),
                note=note,
            )  # fmt: skip
    except IntegrityError as exc:  # another revision took the number first
        raise Conflict(_("Draf lain baru saja disimpan untuk berkas ini; simpan sekali lagi.")) from exc


def draft_lint(kind: str, code: str, data: bytes) -> list[engine.Problem]:
    """Every problem of a file as a deploy would find it: a service is checked with the decision
    tables and shared sub-processes in use."""
    filename = filename_of(kind, code)
    if kind == Kind.DECISIONS:
        return engine.lint_dmn(data, filename)
    if kind == Kind.SHARED:
        return engine.lint(data, filename)
    try:
        library = active_library()
    except engine.DmnError as exc:
        return list(exc.problems)
    return engine.lint(data, filename, library=library)


def file_lint(*, filename: str, source: Any) -> list[engine.Problem]:
    """Lint a file named as a deploy names it (`sktm.bpmn`, `decisions/<id>.dmn`, `shared/<id>.bpmn`);
    InvalidInput for a name of no such file, or a text too large to deploy."""
    filename = filename.replace("\\", "/")
    if not filename.lower().endswith((".bpmn", ".dmn")):
        raise InvalidInput({"filename": [_("Nama berkas harus berakhiran .bpmn atau .dmn.")]})
    kind, code = part_kind(filename) or Kind.SERVICE, engine.service_code_of(filename)
    kind_code_check(kind, code)
    return draft_lint(kind, code, source_size_check(kind, source))


@dataclass(frozen=True)
class Deployed:
    """What a deploy or a roll back made: the version in use now, the one before, and the services
    that got a new version with it (those built with a changed decision table or shared file)."""

    kind: str
    version: ProcessDefinition | DefinitionPart
    previous: ProcessDefinition | DefinitionPart | None
    services: tuple[DeployResult, ...] = ()
    hints: tuple[tuple[str, str], ...] = ()
    draft: Draft | None = field(default=None)


def draft_deploy(*, draft_id: int, actor: Any, note: str, now: datetime | None = None) -> Deployed:
    """Deploy a draft as the file's new version: refused (LintFailed, with every problem located by
    element id) unless the whole deploy passes; refused if the live version moved since the draft
    was started. The deploy event records who (`actor`), why (`note`) and both fingerprints."""
    note = note_check(note, required=True)
    now = now or timezone.now()
    draft = selectors.draft_find(draft_id)
    if draft is None:
        raise NotFound(_("Draf tidak ditemukan."))
    _deployable(draft, selectors.live_version(draft.kind, draft.code))
    data = draft.source.encode("utf-8")
    errors = engine.errors_of(draft_lint(draft.kind, draft.code, data))
    if errors:
        raise LintFailed(errors)
    with transaction.atomic():  # lock order: the draft, then the file's versions (as the deploy takes them)
        locked = Draft.objects.select_for_update().get(pk=draft.pk)
        live = _live_locked(draft.kind, draft.code)
        _deployable(locked, live)
        try:
            services, parts = deploy_files(files=[(draft.filename, data)], deployed_by=actor, note=note, now=now)
        except engine.DefinitionError as exc:
            raise LintFailed(list(exc.problems)) from exc
        own = parts[0] if parts else next(r for r in services if r.definition.code == draft.code)
        if not own.changed:
            raise Conflict(_("Isi draf sama dengan versi yang sedang dipakai; tidak ada yang dipasang."))
        row = own.part if isinstance(own, PartResult) else own.definition
        locked.deployed_version, locked.deployed_at = row.version, now
        locked.save(update_fields=["deployed_version", "deployed_at"])
    old = selectors.source_of(live).encode("utf-8") if live is not None else None
    hints = _hints_for(draft.kind, draft.code, compared(draft.kind, old, data))
    changed = tuple(r for r in services if r.changed and r.definition.code != draft.code)
    return Deployed(draft.kind, row, live, changed, tuple(hints), locked)


def _live_locked(kind: str, code: str) -> ProcessDefinition | DefinitionPart | None:
    """The version in use, read under the row locks of every version of the file: none moves until
    the transaction ends."""
    if kind == Kind.SERVICE:
        services = ProcessDefinition.objects.select_for_update().filter(code=code).defer("spec_json")
        return next((r for r in services if r.is_active), None)
    parts = DefinitionPart.objects.select_for_update().filter(kind=kind, code=code)
    return next((r for r in parts if r.is_active), None)


def _deployable(draft: Draft, live: ProcessDefinition | DefinitionPart | None) -> None:
    if draft.deployed_version is not None:
        message = _("Draf ini sudah dipasang sebagai versi %(n)s.")
        raise Conflict(message % {"n": draft.deployed_version})
    live_number = live.version if live is not None else None
    if draft.based_on != live_number:
        message = _("Versi yang dipakai sekarang (%(live)s) bukan versi asal draf ini (%(based)s): simpan draf baru "
                    "dari versi yang dipakai sekarang.")  # fmt: skip
        raise Conflict(message % {"live": live_number or "-", "based": draft.based_on or "-"})


def draft_compare(
    draft: Draft, live: ProcessDefinition | DefinitionPart | None
) -> tuple[engine.Comparison, list[tuple[str, str]]]:
    """What the draft changes in the version in use, and what that may mean for the service standard."""
    old = selectors.source_of(live).encode("utf-8") if live is not None else None
    try:
        comparison = compared(draft.kind, old, draft.source.encode("utf-8"))
    except engine.DefinitionError as exc:
        raise InvalidInput({"detail": "; ".join(str(p) for p in exc.problems)}) from exc
    return comparison, _hints_for(draft.kind, draft.code, comparison)


# --- roll back ------------------------------------------------------------------------------------


def version_rollback(*, code: str, version: int, actor: Any, note: str, now: datetime | None = None) -> Deployed:
    """Put an earlier version of a service back in use, as it was built (its decision tables and shared
    files included); a `definition_deployed` event with `rollback` records who, why and both
    fingerprints. Requests keep the version they started on."""
    note = note_check(note, required=True)
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(ProcessDefinition.objects.select_for_update().filter(code=code).defer("spec_json"))
        target = next((r for r in rows if r.version == version), None)
        if target is None:
            raise NotFound(_("Versi tidak ditemukan."))
        if target.is_active:
            raise Conflict(_("Versi %(n)s sudah dipakai.") % {"n": version})
        active = next((r for r in rows if r.is_active), None)
        if active is not None:
            ProcessDefinition.objects.filter(pk=active.pk).update(is_active=False)
        target.is_active = True
        target.save(update_fields=["is_active"])
        events.definition_deployed(
            definition=target, previous=active, actor=actor, by_name=_username(actor), at=now, note=note,
            reactivated=True, rollback=True,
        )  # fmt: skip
    old = active.bpmn_source.encode("utf-8") if active is not None else None
    hints = standard_hints(code=code, comparison=compared(Kind.SERVICE, old, target.bpmn_source.encode("utf-8")))
    return Deployed(Kind.SERVICE, target, active, (), tuple(hints))


def part_rollback(
    *, kind: str, code: str, version: int, actor: Any, note: str, now: datetime | None = None
) -> Deployed:
    """Put an earlier version of a decision table or shared file back in use: deployed again as it
    was, so its earlier row is used again and every service using the file is rebuilt with it."""
    note = note_check(note, required=True)
    if kind not in (Kind.DECISIONS, Kind.SHARED):
        raise NotFound(_("Versi tidak ditemukan."))
    target = DefinitionPart.objects.filter(kind=kind, code=code, version=version).first()
    if target is None:
        raise NotFound(_("Versi tidak ditemukan."))
    if target.is_active:
        raise Conflict(_("Versi %(n)s sudah dipakai.") % {"n": version})
    active = selectors.live_version(kind, code)
    try:
        services, parts = deploy_files(files=[(target.filename, target.source.encode("utf-8"))], deployed_by=actor,
                                       note=note, now=now)  # fmt: skip
    except engine.DefinitionError as exc:
        raise LintFailed(list(exc.problems)) from exc
    changed = tuple(r for r in services if r.changed)
    old = selectors.source_of(active).encode("utf-8") if active is not None else None
    hints = _hints_for(kind, code, compared(kind, old, target.source.encode("utf-8")))
    return Deployed(kind, parts[0].part, active, changed, tuple(hints))


# --- the written standard -------------------------------------------------------------------------


def _hints_for(kind: str, code: str, comparison: engine.Comparison) -> list[tuple[str, str]]:
    if kind == Kind.SERVICE:
        return standard_hints(code=code, comparison=comparison)
    if kind == Kind.SHARED:  # its steps are steps of every service calling it
        return [hint for service in selectors.services_using(kind, code)
                for hint in standard_hints(code=service, comparison=comparison)]  # fmt: skip
    return []


def _steps_text(elements: Any) -> str:
    return "; ".join(f"«{e.name or e.id}» ({role_label(e.lane) or e.lane or '-'})" for e in elements)


def standard_hints(*, code: str, comparison: engine.Comparison) -> list[tuple[str, str]]:
    """(field of the service standard, what may need editing there) when a change adds, removes or
    moves steps, or changes the application form. The steps published on the service's page come from
    the version in use and need no editing; the written standard (procedure, time, staff) does."""
    steps = comparison.steps
    service = service_find(code)
    standard = standard_current(service) if service is not None else None
    content: dict[str, Any] = standard.content if standard is not None else {}
    named = {"service": service.name if service is not None else code}
    if steps and standard is None:
        text = _("Layanan %(service)s belum mempunyai standar pelayanan tertulis; susun prosedurnya sesuai diagram.")
        return [("procedure", text % named)]
    hints: list[tuple[str, str]] = []
    if steps.added:
        text = _("Layanan %(service)s, langkah baru: %(steps)s. Tambahkan ke uraian prosedur standar pelayanan "
                 "(sekarang %(count)s butir).")  # fmt: skip
        count = len(content.get("procedure") or [])
        hints.append(("procedure", text % {**named, "steps": _steps_text(steps.added), "count": count}))
    if steps.removed:
        text = _("Layanan %(service)s, langkah dihapus: %(steps)s. Hapus atau ubah butirnya di uraian prosedur "
                 "standar pelayanan.")  # fmt: skip
        hints.append(("procedure", text % {**named, "steps": _steps_text(steps.removed)}))
    if steps.moved:
        text = _("Layanan %(service)s, langkah berpindah pelaksana: %(steps)s. Sesuaikan pelaksananya di uraian "
                 "prosedur.")  # fmt: skip
        hints.append(("procedure", text % {**named, "steps": _steps_text(c.after for c in steps.moved)}))
    if steps.added or steps.removed:
        text = _('Layanan %(service)s: jangka waktu penyelesaian tertulis "%(time)s"; periksa apakah masih sesuai '
                 "dengan langkah yang berubah.")  # fmt: skip
        time = str((content.get("completion_time") or {}).get("text") or "-")
        hints.append(("completion_time", text % {**named, "time": time}))
    return hints + _staff_hints(steps, named) + _requirement_hints(comparison, named)


def _staff_hints(steps: engine.StepChanges, named: dict[str, str]) -> list[tuple[str, str]]:
    gone, new = steps.roles_before - steps.roles_after, steps.roles_after - steps.roles_before
    if not (gone or new):
        return []
    roles = "; ".join(
        [*(_("%(role)s tidak lagi mengerjakan langkah") % {"role": role_label(r) or r} for r in sorted(gone)),
         *(_("%(role)s kini mengerjakan langkah") % {"role": role_label(r) or r} for r in sorted(new))]
    )  # fmt: skip
    values = {**named, "roles": roles}
    return [
        ("staff_count", _("Layanan %(service)s: %(roles)s. Sesuaikan jumlah pelaksana.") % values),
        ("staff_competence", _("Layanan %(service)s: %(roles)s. Sesuaikan kompetensi pelaksana.") % values),
    ]


def _requirement_hints(comparison: engine.Comparison, named: dict[str, str]) -> list[tuple[str, str]]:
    forms = [
        c for c in comparison.changed if c.kind == "startEvent" and any(p.startswith("form") for p in c.properties)
    ]
    if not forms:
        return []
    text = _("Layanan %(service)s: isian permohonan berubah; periksa apakah daftar persyaratan masih sesuai.")
    return [("requirements", text % named)]
