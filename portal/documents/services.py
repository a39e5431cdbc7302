"""Writes of the documents app. Each public function is one transaction on a locked instance.

A refused command writes nothing: the file is checked (size, then content) before the
transaction starts, and a file written inside a transaction that then fails is removed.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.catalogue.selectors import service_requirements
from portal.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from portal.core.storage import DOCUMENTS, file_delete, file_save
from portal.workflow import events
from portal.workflow.commands import Command, instance_command
from portal.workflow.enums import InstanceStatus
from portal.workflow.models import ProcessInstance

from . import quotas
from .content import ContentRefused, DetectedContent, content_detect, filename_clean, size_text
from .enums import RequirementStatus
from .models import RequirementCheck, RequirementDocument
from .selectors import may_check_requirements, may_upload_documents, may_view_documents

log = logging.getLogger(__name__)

NOTE_MAX_LENGTH = 500
_MAX_ERRORS = 20


def max_bytes() -> int:
    return int(settings.PATEN_DOCUMENT_MAX_BYTES)


def too_large_message() -> str:
    return _("Ukuran berkas melebihi batas %(limit)s.") % {"limit": size_text(max_bytes())}


# --- shared checks ---------------------------------------------------------------------------------


def _running(instance: ProcessInstance) -> None:
    if instance.status != InstanceStatus.RUNNING:
        raise Conflict(_("Permohonan ini sudah selesai; persyaratannya tidak dapat diubah lagi."))


def _requirement_codes(instance: ProcessInstance) -> set[str]:
    return {str(r["code"]) for r in service_requirements(instance.definition.code)}


def _key_text(key: Any) -> str:
    """A client-supplied key made safe to echo back in an error (bounded, valid UTF-8)."""
    return str(key)[:64].encode("utf-8", "backslashreplace").decode("utf-8")


# --- uploads ---------------------------------------------------------------------------------------


def _read_bounded(uploaded_file: Any) -> bytes:
    """At most limit + 1 bytes of the upload; InvalidInput when it is larger than the limit."""
    limit = max_bytes()
    declared = getattr(uploaded_file, "size", None)
    if isinstance(declared, int) and declared > limit:
        raise ContentRefused(too_large_message())
    try:
        if hasattr(uploaded_file, "seek"):
            uploaded_file.seek(0)
        data = uploaded_file.read(limit + 1)
    except (AttributeError, OSError, ValueError, TypeError) as exc:
        raise ContentRefused(_("Berkas tidak dapat dibaca.")) from exc
    if not isinstance(data, bytes):
        raise ContentRefused(_("Berkas tidak dapat dibaca."))
    if len(data) > limit:
        raise ContentRefused(too_large_message())
    return data


def document_file_problem(uploaded_file: Any) -> str | None:
    """Why an upload would be refused (size or content), in Indonesian; None when it is acceptable.

    Lets a form check its files before it creates anything; document_upload checks again.
    """
    try:
        data = _read_bounded(uploaded_file)
        content_detect(data, max_pixels=int(settings.PATEN_DOCUMENT_MAX_PIXELS))
    except ContentRefused as exc:
        return str(exc.message)
    return None


def _uploader_check(instance: ProcessInstance, *, actor: Any, applicant_tracking_number: str) -> None:
    if applicant_tracking_number:
        if actor is not None or instance.tracking_number != applicant_tracking_number:
            raise NotFound(_("Permohonan tidak ditemukan."))
    else:
        if not may_view_documents(actor, instance):
            raise NotFound(_("Permohonan tidak ditemukan."))
        if not may_upload_documents(actor, instance):
            raise NotAllowed(_("Hanya petugas loket atau pemohon sendiri yang dapat mengunggah dokumen persyaratan."))
    _running(instance)


def _upload_checked(
    instance: ProcessInstance, requirement_code: Any, uploaded_file: Any
) -> tuple[str, bytes, DetectedContent]:
    """The requirement code, the bytes and their detected type; InvalidInput naming what is wrong."""
    errors: dict[str, list[str]] = {}
    code = requirement_code if isinstance(requirement_code, str) else ""
    if code not in _requirement_codes(instance):
        errors["requirement"] = [_("Persyaratan tidak dikenal untuk layanan ini.")]
    try:
        data = _read_bounded(uploaded_file)
        detected = content_detect(data, max_pixels=int(settings.PATEN_DOCUMENT_MAX_PIXELS))
    except ContentRefused as exc:
        errors["file"] = [exc.message]
    if errors:
        raise InvalidInput(errors)
    return code, data, detected


def document_upload(
    *,
    instance: ProcessInstance,
    requirement_code: str,
    uploaded_file: Any,
    actor: Any,
    now: datetime | None = None,
    applicant_tracking_number: str = "",
    client_ip: str = "",
) -> RequirementDocument:
    """Store a file for one requirement of a running request (the counter or the applicant's account).

    With `actor=None` and `applicant_tracking_number`: the applicant without an account, whom the
    caller let in with the request's tracking PIN (or who has just registered it online), counted
    against the daily budget of `client_ip`. The type is detected from the content (PDF, JPEG, PNG);
    the stored name is random, with the detected type's extension. Refused input raises InvalidInput
    keyed by `requirement` and `file`; over a quota, DocumentQuotaFull or RateLimited (quotas.py).
    """
    now = now or timezone.now()
    _uploader_check(instance, actor=actor, applicant_tracking_number=applicant_tracking_number)
    code, data, detected = _upload_checked(instance, requirement_code, uploaded_file)
    side = quotas.budget_side(actor, client_ip)

    def quota_check(held: ProcessInstance) -> None:
        quotas.quota_check(instance=held, applicant_nik=held.applicant_nik, sizes=[len(data)], side=side, now=now)

    quota_check(instance)

    sha256 = hashlib.sha256(data).hexdigest()
    name = uuid.uuid4().hex
    # Stored before the command (no lock held while writing); removed again if the command fails.
    stored = file_save(DOCUMENTS, f"documents/{name[:2]}/{name}.{detected.extension}", data)
    try:
        with instance_command(instance.pk, name="document_upload", actor=actor, now=now) as command:
            _running(command.instance)
            quota_check(command.instance)  # again, now that the request is held
            quotas.quota_record(side=side, size=len(data), now=now)
            document = RequirementDocument.objects.create(
                instance=command.instance, requirement_code=code, file_path=stored,
                original_name=filename_clean(getattr(uploaded_file, "name", "") or ""),
                content_type=detected.content_type, size=len(data), sha256=sha256, uploaded_by=actor, uploaded_at=now,
            )  # fmt: skip
            events.document_uploaded(
                command.instance, actor=actor, at=now, document_id=document.pk, requirement_code=code, sha256=sha256,
                size=document.size, content_type=document.content_type,
            )  # fmt: skip
    except BaseException:
        file_delete(DOCUMENTS, stored)
        raise
    return document


def document_quota_check(
    *,
    instance: ProcessInstance | None,
    applicant_nik: str,
    sizes: list[int],
    actor: Any,
    client_ip: str = "",
    now: datetime | None = None,
) -> None:
    """Refuse files of `sizes` together before any is stored (DocumentQuotaFull or RateLimited).

    For a page that stores several files, or registers a request with them (`instance` None), so a
    quota stops all of them before anything is kept; document_upload checks each file again.
    """
    side = quotas.budget_side(actor, client_ip)
    quotas.quota_check(
        instance=instance, applicant_nik=applicant_nik, sizes=sizes, side=side, now=now or timezone.now()
    )


# --- the counter's check -----------------------------------------------------------------------------


def _items_clean(items: Any, codes: set[str]) -> dict[str, str]:
    if not isinstance(items, dict) or not items:
        raise InvalidInput({"items": [_("Isi status paling sedikit satu persyaratan.")]})
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, str] = {}
    for key, value in items.items():
        if len(errors) >= _MAX_ERRORS:
            break
        if not isinstance(key, str) or key not in codes:
            errors[_key_text(key)] = [_("Persyaratan tidak dikenal untuk layanan ini.")]
        elif not isinstance(value, str) or value not in RequirementStatus.values:
            errors[key] = [_('Status harus "received" (diterima) atau "missing" (belum ada).')]
        else:
            cleaned[key] = value
    if errors:
        raise InvalidInput({"items": errors})
    return dict(sorted(cleaned.items()))


def _note_clean(note: Any) -> str:
    if note is None:
        return ""
    if not isinstance(note, str):
        raise InvalidInput({"note": [_("Catatan harus berupa teks.")]})
    if len(note) > NOTE_MAX_LENGTH:
        raise InvalidInput({"note": [_("Catatan paling banyak %(limit)s karakter.") % {"limit": NOTE_MAX_LENGTH}]})
    if "\x00" in note or any(0xD800 <= ord(c) <= 0xDFFF for c in note):
        raise InvalidInput({"note": [_("Catatan berisi karakter yang tidak sah.")]})
    return note.strip()


def requirements_check(
    *, instance: ProcessInstance, items: dict[str, str], actor: Any, note: str = "", now: datetime | None = None
) -> list[RequirementCheck]:
    """The counter marks requirements received or missing; returns the rows of the given codes.

    Rows are updated in place; the changed ones (status or note) are recorded in one event.
    Sending the same statuses and note again changes nothing and records nothing.
    """
    requirements_check_allowed(actor=actor, instance=instance)
    with instance_command(instance.pk, name="requirements_check", actor=actor, now=now) as command:
        return requirements_mark(command, items=items, note=note)


def requirements_check_allowed(*, actor: Any, instance: ProcessInstance) -> None:
    if not may_view_documents(actor, instance):
        raise NotFound(_("Permohonan tidak ditemukan."))
    if not may_check_requirements(actor):
        raise NotAllowed(_("Hanya petugas loket yang dapat memeriksa kelengkapan persyaratan."))


def requirements_mark(command: Command, *, items: Any, note: Any = "") -> list[RequirementCheck]:
    """The check itself, inside a command holding the request (the counter's completeness step uses it too)."""
    locked, actor, now = command.instance, command.actor, command.now
    _running(locked)
    cleaned = _items_clean(items, _requirement_codes(locked))
    note = _note_clean(note)
    existing = {
        c.requirement_code: c
        for c in RequirementCheck.objects.filter(instance=locked, requirement_code__in=list(cleaned))
    }
    rows: list[RequirementCheck] = []
    changed: dict[str, str] = {}
    previous: dict[str, str | None] = {}
    for code, status in cleaned.items():
        row = existing.get(code)
        if row is None:
            row = RequirementCheck.objects.create(
                instance=locked, requirement_code=code, status=status, checked_by=actor, checked_at=now, note=note
            )
            changed[code], previous[code] = status, None
        elif row.status != status or row.note != note:
            changed[code], previous[code] = status, row.status
            row.status, row.note, row.checked_by, row.checked_at = status, note, actor, now
            row.save(update_fields=["status", "note", "checked_by", "checked_at"])
        rows.append(row)
    if changed:
        events.requirements_checked(
            locked, actor=actor, at=now, check_ids=[r.pk for r in rows if r.requirement_code in changed],
            items=changed, previous=previous, note=note,
        )  # fmt: skip
    return rows
