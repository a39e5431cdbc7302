"""Writes of the letters app: loading letter templates and issuing letters.

letter_issue runs inside the caller's transaction (the signing step's completion, which holds the
instance row lock). The number comes from the service's LetterSequence row, locked with
select_for_update (on SQLite the write transaction is IMMEDIATE, which serializes writers), so
no number is used twice; a failed issue rolls back with the caller, so none is skipped either.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.hashing import content_sha256
from portal.core.prepared import PreparedQuery, counter_next, rows_insert
from portal.core.storage import LETTERS, file_delete, file_save_identical
from portal.core.yamltext import yaml_load
from portal.notifications.enums import NotificationKind
from portal.notifications.services import notifications_queue
from portal.workflow import events
from portal.workflow.commands import instance_command
from portal.workflow.hooks import IssuedLetter, LetterIssue

from . import selectors
from .enums import SignerCapacity
from .errors import LetterError, LetterTemplateInvalid
from .formatting import date_in_words, letter_number
from .models import Letter, LetterSequence, LetterTemplate
from .pdf import LetterDocument, document_from_json, document_to_json, letter_pdf
from .selectors import emblem_of
from .signing import capacity_for, signature_lines, signer_display_name, signer_position
from .templating import blocks_render, template_problems

LETTER_SUFFIX = ".letter.yaml"
MAX_TEMPLATE_BYTES = 256 * 1024
_SERVICE_CODE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


# --- templates -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _TemplateFile:
    service_code: str
    source: str
    sha256: str
    content: dict[str, Any]


def _template_file_read(path: Path, *, base: Path) -> tuple[_TemplateFile | None, list[str]]:
    name = path.relative_to(base).as_posix()
    code = path.name[: -len(LETTER_SUFFIX)]
    if not _SERVICE_CODE.fullmatch(code):
        return None, [f"{name}: " + _("nama berkas harus <kode layanan>.letter.yaml (huruf kecil, angka, -).")]
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [f"{name}: " + _("tidak dapat dibaca: %(error)s") % {"error": exc.strerror or exc}]
    if len(raw) > MAX_TEMPLATE_BYTES:
        limit = {"n": MAX_TEMPLATE_BYTES // 1024}
        return None, [f"{name}: " + _("berkas terlalu besar (paling besar %(n)d KB).") % limit]
    try:
        content = yaml_load(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None, [f"{name}: " + _("berkas harus berupa teks UTF-8.")]
    except yaml.YAMLError as exc:
        return None, [f"{name}: " + _("YAML tidak valid: %(error)s") % {"error": str(exc)[:300]}]
    problems = template_problems(content)
    if problems:
        return None, [f"{name}: {p}" for p in problems]
    return _TemplateFile(code, name, hashlib.sha256(raw).hexdigest(), content), []


def _classification_problems(contents: dict[str, dict[str, Any]]) -> list[str]:
    """Two services sharing a classification would print the same number for their n-th letter."""
    owners: dict[str, list[str]] = {}
    for code, content in sorted(contents.items()):
        owners.setdefault(content["classification"], []).append(code)
    return [
        _("klasifikasi %(classification)s dipakai oleh lebih dari satu layanan (%(services)s); nomor surat akan sama.")
        % {"classification": classification, "services": ", ".join(codes)}
        for classification, codes in owners.items()
        if len(codes) > 1
    ]


def _latest_contents(*, replacing: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    contents = {}
    for code in LetterTemplate.objects.values_list("service_code", flat=True).distinct():
        latest = selectors.letter_template_latest(service_code=code)
        if latest is not None:
            contents[code] = latest.content
    contents.update(replacing)
    return contents


def letter_templates_sync(*, directory: Path, now: datetime | None = None) -> int:
    """Load every `<code>.letter.yaml` in `directory`; a new version row for each changed file.

    All files are checked first; if any is refused, LetterTemplateInvalid lists every problem and
    nothing is stored. Returns how many new versions were stored.
    """
    now = now or timezone.now()
    directory = Path(directory)
    files: list[_TemplateFile] = []
    problems: list[str] = []
    for path in sorted(directory.glob(f"*{LETTER_SUFFIX}")):
        loaded, file_problems = _template_file_read(path, base=directory)
        problems.extend(file_problems)
        if loaded is not None:
            files.append(loaded)
    if problems:
        raise LetterTemplateInvalid(problems)
    with transaction.atomic():
        problems = _classification_problems(_latest_contents(replacing={f.service_code: f.content for f in files}))
        if problems:
            raise LetterTemplateInvalid(problems)
        stored = 0
        for f in files:
            latest = selectors.letter_template_latest(service_code=f.service_code)
            if latest is not None and latest.sha256 == f.sha256:
                continue
            LetterTemplate.objects.create(
                service_code=f.service_code, sha256=f.sha256, content=f.content, source=f.source, loaded_at=now
            )
            stored += 1
        return stored


def _template_content_problems(*, service_code: Any, content: Any) -> list[str]:
    problems = template_problems(content)
    if not _SERVICE_CODE.fullmatch(str(service_code)):
        problems.insert(0, _("kode layanan tidak valid (huruf kecil, angka, -)."))
    return problems


def letter_template_problems(*, service_code: Any, content: Any) -> list[str]:
    """Why letter_template_create would refuse this template now; [] when it would store it.

    The admin's form asks before saving so that a refusal comes back on the form.
    """
    problems = _template_content_problems(service_code=service_code, content=content)
    if problems:
        return problems
    return _classification_problems(_latest_contents(replacing={service_code: content}))


def letter_template_create(
    *, service_code: str, content: Any, source: str, now: datetime | None = None
) -> LetterTemplate:
    """Store a new version of a service's template (from the admin); it is used from now on."""
    now = now or timezone.now()
    problems = _template_content_problems(service_code=service_code, content=content)
    if problems:
        raise LetterTemplateInvalid(problems)
    with transaction.atomic():
        problems = _classification_problems(_latest_contents(replacing={service_code: content}))
        if problems:
            raise LetterTemplateInvalid(problems)
        return LetterTemplate.objects.create(
            service_code=service_code,
            sha256=content_sha256(content),
            content=content,
            source=source[:300],
            loaded_at=now,
        )


# --- issuing -------------------------------------------------------------------------------------


def _sequence_next(*, office_id: int, service_code: str, year: int) -> int:
    """The office's next number of the service in the year; the sequence row stays locked until the
    caller commits. One statement once the year's row exists."""
    where = {"office": office_id, "service_code": service_code, "year": year}
    number = counter_next(LetterSequence, "last_number", where)
    if number is not None:
        return number
    row, _created = LetterSequence.objects.select_for_update().get_or_create(
        office_id=office_id, service_code=service_code, year=year
    )  # the year's first letter (two racing: the unique row makes one wait for the other)
    row.last_number += 1
    row.save(update_fields=["last_number"])
    return row.last_number


_LETTER_OF_STEP: PreparedQuery[Letter] = PreparedQuery(
    lambda key: Letter.objects.filter(human_task_id=key).order_by("pk")[:1]
)  # asked at every signing: compiled once


def letter_issue(
    *,
    instance: Any,
    human_task: Any,
    signer: Any,
    capacity: SignerCapacity | str,
    data: dict[str, Any],
    now: datetime,
    position: str | None = None,
    step_open: bool = False,
) -> Letter:
    """Number the letter of a signing step and fix what it prints; returns it, not yet drawn.

    Call it inside the transaction that completes the signing step, then `letter_render` (or
    `letter_render_after_commit`) once that transaction is over, outside the instance lock:
    drawing the PDF takes tens of milliseconds. Calling it again for the same step returns the
    same letter. Raises LetterError when the service has no template. `step_open`: the caller is
    completing the step, open under its request's lock, so no letter can exist for it yet (a letter
    is made in the very transaction that completes its step; the database holds one per step).
    """
    capacity = SignerCapacity(capacity)
    with transaction.atomic():
        existing = None if step_open else _LETTER_OF_STEP.first(human_task.pk)
        if existing is not None:
            return existing
        service_code = instance.definition.code
        template = selectors.letter_template_latest(service_code=service_code)
        if template is None:
            raise LetterError(
                _("Templat surat untuk layanan %(code)s belum dimuat; surat tidak dapat diterbitkan.")
                % {"code": service_code}
            )
        office = instance.office.letterhead()
        day = timezone.localdate(now)
        sequence = _sequence_next(office_id=instance.office_id, service_code=service_code, year=day.year)
        number = letter_number(
            classification=template.content["classification"], sequence=sequence, office_short=office["short"], day=day
        )
        token = secrets.token_urlsafe(24)
        lines = signature_lines(capacity, office=office, position=position)
        signer_name = signer_display_name(signer)
        document = LetterDocument(
            office=office, title=template.content["title"], number=number,
            blocks=blocks_render(template.content, dict(data)),
            place_and_date=f"{office['city']}, {date_in_words(day)}", signature_lines=lines,
            signer_name=signer_name, verification_url=selectors.verification_url(token),
        )  # fmt: skip
        letter = Letter(
            instance=instance, office_id=instance.office_id, human_task=human_task, template=template,
            service_code=service_code, year=day.year,
            sequence=sequence, number=number, title=template.content["title"], signer=signer,
            signer_name=signer_name[:200], signer_capacity=capacity, signature_lines=lines, issued_at=now,
            document=document_to_json(document), verification_token=token,
        )  # fmt: skip
        return rows_insert([letter])[0]


def letter_render(*, letter_id: int, now: datetime | None = None) -> Letter:
    """Draw and store a numbered letter's PDF and record its fingerprint; safe to run twice.

    The drawing happens with no lock held; the same document always gives the same bytes, so two
    workers racing store identical files and only the first records the result (the other file is
    removed again).
    """
    letter = Letter.objects.get(pk=letter_id)
    if letter.rendered_at is not None:
        return letter
    document = document_from_json(letter.document)
    content = letter_pdf(document, emblem=emblem_of(document.office))
    digest = hashlib.sha256(content).hexdigest()
    wanted = f"{letter.year}/{letter.service_code}/{letter.pk}-{digest[:16]}.pdf"
    try:
        stored = file_save_identical(LETTERS, wanted, content)
    except OSError as exc:
        raise LetterError(_("Berkas surat tidak dapat disimpan: %(error)s") % {"error": exc.strerror}) from exc
    now = now or timezone.now()
    with instance_command(letter.instance_id, name="letter_render", now=now, allow_failed=True) as command:
        fresh = Letter.objects.select_for_update().get(pk=letter_id)  # lock order: the instance, then its rows
        if fresh.rendered_at is not None:
            if stored != fresh.file_path:  # our own copy; never the file another worker recorded
                file_delete(LETTERS, stored)
            return fresh
        fresh.sha256, fresh.file_path, fresh.rendered_at = digest, stored, now
        fresh.save(update_fields=["sha256", "file_path", "rendered_at"])
        events.letter_issued(
            command.instance, at=now, letter_id=fresh.pk, number=fresh.number, sha256=digest,
            capacity=fresh.signer_capacity, human_task_id=fresh.human_task_id,
        )  # fmt: skip
        notifications_queue(
            instance=command.instance, kind=NotificationKind.READY, key=f"letter-{fresh.pk}", detail=fresh.title,
            now=now,
        )  # fmt: skip
    return fresh


def letters_render_pending(*, older_than_seconds: int = 0) -> int:
    """Draw every numbered letter still without a PDF (a lost task, a crash); returns how many."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    pending = Letter.objects.filter(rendered_at=None, issued_at__lte=cutoff).values_list("id", flat=True)
    for letter_id in pending:
        letter_render(letter_id=letter_id)
    return len(pending)


def letter_issue_for_step(request: LetterIssue) -> IssuedLetter:
    """The workflow's hook at a signing step: number the letter in the signing command."""
    letter = letter_issue(
        instance=request.instance, human_task=request.human_task, signer=request.signer,
        capacity=capacity_for(request.signer, delegation=request.delegation), data=request.data, now=request.now,
        position=signer_position(request.signer), step_open=True,
    )  # fmt: skip
    return IssuedLetter(letter_id=int(letter.pk), number=letter.number, capacity=str(letter.signer_capacity))


def letter_render_after_commit(letter_id: int) -> None:
    """Draw the letter now (inline mode) or leave it to the worker's sweep (the default with `make run`).

    The numbered, undrawn row is the queue: no broker message on the signing request's path.
    """
    if settings.PATEN_LETTER_RENDER == "inline":
        letter_render(letter_id=letter_id)
