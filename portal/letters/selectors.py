"""Reads of the letters app: templates, letters for the public check and for authorised users."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.accounts.selectors import can_read_any_request
from portal.core.errors import NotFound
from portal.core.http import public_url
from portal.core.prepared import PreparedQuery
from portal.core.storage import LETTERS, StoredFileMissing, file_names, file_read
from portal.workflow.access import office_check

from .errors import LetterFileCorrupt, LetterNotReady
from .models import Letter, LetterTemplate

_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


_TEMPLATE_LATEST: PreparedQuery[LetterTemplate] = PreparedQuery(
    lambda code: LetterTemplate.objects.filter(service_code=code).order_by("-id")[:1], keys=(str,)
)  # read at every signing: compiled once


def letter_template_latest(*, service_code: str) -> LetterTemplate | None:
    """The template a new letter of the service uses: the row stored last."""
    return _TEMPLATE_LATEST.first(str(service_code))


def letter_templates_latest(service_codes: set[str]) -> dict[str, LetterTemplate]:
    """The template each of the services uses now, in one query."""
    latest: dict[str, LetterTemplate] = {}
    for template in LetterTemplate.objects.filter(service_code__in=sorted(service_codes)).order_by("-id"):
        latest.setdefault(template.service_code, template)
    return latest


# --- public verification -------------------------------------------------------------------------


def verification_url(token: str) -> str:
    """The public link printed as the letter's QR code."""
    return public_url(reverse("letter-verify-page", kwargs={"token": token}))


def letter_by_token(token: str) -> Letter | None:
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        return None
    return Letter.objects.filter(verification_token=token).first()


def letter_by_number(number: str) -> Letter | None:
    """The letter with exactly this number (spaces around it and letter case do not matter)."""
    cleaned = str(number).strip()[:100]
    if not cleaned:
        return None
    return Letter.objects.filter(number__iexact=cleaned).order_by("id").first()


def sha256_of_chunks(chunks: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def letter_copy_matches(letter: Letter, *, sha256: str) -> bool:
    """Whether a copy whose bytes hash to `sha256` is exactly the PDF that was issued."""
    return bool(sha256) and bool(letter.sha256) and sha256 == letter.sha256


# --- authorised access ---------------------------------------------------------------------------


def letter_for_user(user: Any, letter_id: int) -> Letter:
    """The letter if `user` may download it (officers, auditors, admins, the applicant); NotFound otherwise."""
    letter = Letter.objects.select_related("instance").filter(pk=letter_id).first()
    if letter is None:
        raise NotFound(_("Surat tidak ditemukan."))
    applicant_id = letter.instance.applicant_user_id
    if applicant_id is not None and applicant_id == getattr(user, "pk", None):
        return letter
    if can_read_any_request(user):
        office_check(user, letter.instance)  # another kecamatan's letter: NotAllowed, saying whose
        return letter
    raise NotFound(_("Surat tidak ditemukan."))


def letters_for_instance(instance: Any) -> QuerySet[Letter]:
    return Letter.objects.filter(instance=instance).order_by("issued_at", "id")


def letter_pdf_bytes(letter: Letter) -> bytes:
    """The stored PDF, checked against the sha256 recorded when it was issued."""
    if letter.rendered_at is None:
        raise LetterNotReady(_("Surat %(number)s sedang disiapkan; coba lagi sebentar.") % {"number": letter.number})
    try:
        content = file_read(LETTERS, letter.file_path)
    except StoredFileMissing as exc:
        raise LetterFileCorrupt(_("Berkas surat %(number)s tidak ditemukan.") % {"number": letter.number}) from exc
    if hashlib.sha256(content).hexdigest() != letter.sha256:
        raise LetterFileCorrupt(_("Berkas surat %(number)s telah berubah.") % {"number": letter.number})
    return content


def letter_files_problems() -> list[str]:
    """Issued letters whose PDF is missing or changed, and stored PDFs no letter refers to.

    A file nobody refers to is left by a signing whose transaction rolled back after the file was
    written; it is harmless (never served) and may be deleted.
    """
    problems = []
    known = set()
    for letter in (
        Letter.objects.exclude(rendered_at=None)
        .order_by("id")
        .only("id", "number", "file_path", "sha256", "rendered_at")
    ):
        known.add(letter.file_path)
        try:
            letter_pdf_bytes(letter)
        except LetterFileCorrupt as exc:
            problems.append(str(exc.message))
    for name in file_names(LETTERS):
        if name.endswith(".pdf") and name not in known:
            problems.append(_("Berkas %(path)s bukan milik surat mana pun.") % {"path": name})
    return problems


def emblem_of(office: Mapping[str, str]) -> bytes | None:
    """The emblem the office's letterhead names, if its file can be read; None otherwise."""
    name = office.get("emblem") or ""
    if not name:
        return None
    try:
        return file_read(LETTERS, name)
    except StoredFileMissing:
        return None
