"""Writes of the documents app. Each public function is one transaction on a locked instance.

A refused command writes nothing: the file is checked (size, then content) before the
transaction starts, and a file written inside a transaction that then fails is removed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.catalogue.selectors import service_requirements
from portal.workflow import events
from portal.workflow.enums import InstanceStatus
from portal.workflow.errors import Conflict, InvalidInput, NotAllowed, NotFound
from portal.workflow.models import ProcessInstance
from portal.workflow.services import instance_lock

from .content import ContentRefused, content_detect, filename_clean, size_text
from .enums import RequirementStatus
from .models import RequirementCheck, RequirementDocument
from .selectors import may_check_requirements, may_upload_documents, may_view_documents, media_root

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


def _locked(instance: ProcessInstance) -> ProcessInstance:
    locked = instance_lock(instance.pk)
    if locked is None:
        raise NotFound(_("Permohonan tidak ditemukan."))
    _running(locked)
    return locked


def _head_copy(source: ProcessInstance, target: ProcessInstance) -> None:
    """Keep the caller's object at the new head of the event log."""
    target.last_event_seq, target.last_event_hash = source.last_event_seq, source.last_event_hash


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


def _file_write(path: Path, data: bytes, created: list[Path]) -> None:
    """Write a new file (never over an existing one) and flush it to disk before the commit."""
    path.parent.mkdir(mode=0o750, parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o640)
    created.append(path)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _files_remove(paths: list[Path]) -> None:
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            log.exception("could not remove %s after a failed upload", path)


def document_upload(
    *,
    instance: ProcessInstance,
    requirement_code: str,
    uploaded_file: Any,
    actor: Any,
    now: datetime | None = None,
    applicant_tracking_number: str = "",
) -> RequirementDocument:
    """Store a file for one requirement of a running request (the counter or the applicant's account).

    With `actor=None` and `applicant_tracking_number`: the applicant without an account, whom the
    caller let in with the request's tracking PIN (or who has just registered it online).
    The type is detected from the content (PDF, JPEG, PNG); the stored name is random, with the
    detected type's extension. Refused input raises InvalidInput keyed by `requirement` and `file`.
    """
    now = now or timezone.now()
    if applicant_tracking_number:
        if actor is not None or instance.tracking_number != applicant_tracking_number:
            raise NotFound(_("Permohonan tidak ditemukan."))
    else:
        if not may_view_documents(actor, instance):
            raise NotFound(_("Permohonan tidak ditemukan."))
        if not may_upload_documents(actor, instance):
            raise NotAllowed(_("Hanya petugas loket atau pemohon sendiri yang dapat mengunggah dokumen persyaratan."))
    _running(instance)

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

    sha256 = hashlib.sha256(data).hexdigest()
    name = uuid.uuid4().hex
    relative = f"documents/{name[:2]}/{name}.{detected.extension}"
    created: list[Path] = []
    try:
        with transaction.atomic():
            locked = _locked(instance)
            _file_write(media_root() / relative, data, created)
            document = RequirementDocument.objects.create(
                instance=locked,
                requirement_code=code,
                file_path=relative,
                original_name=filename_clean(getattr(uploaded_file, "name", "") or ""),
                content_type=detected.content_type,
                size=len(data),
                sha256=sha256,
                uploaded_by=actor,
                uploaded_at=now,
            )
            events.document_uploaded(
                locked, actor=actor, at=now,
                payload={"document_id": document.pk, "requirement_code": code, "sha256": sha256,
                         "size": document.size, "content_type": document.content_type},
            )  # fmt: skip
            locked.save(update_fields=["last_event_seq", "last_event_hash"])
    except BaseException:
        _files_remove(created)
        raise
    _head_copy(locked, instance)
    return document


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
    now = now or timezone.now()
    if not may_view_documents(actor, instance):
        raise NotFound(_("Permohonan tidak ditemukan."))
    if not may_check_requirements(actor):
        raise NotAllowed(_("Hanya petugas loket yang dapat memeriksa kelengkapan persyaratan."))
    _running(instance)
    cleaned = _items_clean(items, _requirement_codes(instance))
    note = _note_clean(note)

    with transaction.atomic():
        locked = _locked(instance)
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
                locked, actor=actor, at=now,
                payload={"check_ids": [r.pk for r in rows if r.requirement_code in changed],
                         "items": changed, "previous": previous, "note": note},
            )  # fmt: skip
            locked.save(update_fields=["last_event_seq", "last_event_hash"])
    _head_copy(locked, instance)
    return rows
