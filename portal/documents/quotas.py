"""Quotas on stored documents, checked before a file is written and again, under the request's lock,
in the transaction that stores it (settings, see README):

- per request: PATEN_DOCUMENT_MAX_FILES_PER_REQUEST files and PATEN_DOCUMENT_MAX_BYTES_PER_REQUEST;
- per applicant (NIK), whoever uploaded, over the last PATEN_DOCUMENT_APPLICANT_DAYS days:
  PATEN_DOCUMENT_MAX_FILES_PER_APPLICANT files and PATEN_DOCUMENT_MAX_BYTES_PER_APPLICANT;
- per day, for what applicants upload themselves: PATEN_UPLOAD_BYTES_PER_DAY from one address without
  an account, or from one citizen's account (core.throttle.upload_limit). The counter's officers are
  not held by it: the whole office shares one address.

A full request is refused for good (DocumentQuotaFull, 400 on the file); the rolling quotas say when
there is room again (RateLimited, 429 with Retry-After). Uploads for different requests of one
applicant are not serialized, so they can pass the applicant's quota by the files in flight at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from portal.accounts.enums import RoleCode
from portal.accounts.selectors import user_roles
from portal.core import throttle
from portal.core.errors import InvalidInput, RateLimited
from portal.workflow.models import ProcessInstance

from .content import size_text
from .selectors import applicant_uploads_since, request_document_usage


class DocumentQuotaFull(InvalidInput):
    """The request holds as many files, or as many bytes, as a request may."""

    def __init__(self, message: str) -> None:
        super().__init__({"file": [message]}, message)


def budget_side(actor: Any, client_ip: str) -> tuple[str, str] | None:
    """(key, address) the daily budget counts this uploader by; None for the counter's officers."""
    if actor is None:
        return ("", str(client_ip)[:45])
    if RoleCode.LOKET in user_roles(actor):
        return None
    return (f"akun:{actor.pk}", "")


def _when_text(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return _("%(date)s pukul %(time)s WITA") % {"date": date_format(local, "j F Y"), "time": time_format(local, "H.i")}


def _request_check(instance: ProcessInstance | None, sizes: list[int]) -> None:
    max_files, max_bytes = (
        int(settings.PATEN_DOCUMENT_MAX_FILES_PER_REQUEST),
        int(settings.PATEN_DOCUMENT_MAX_BYTES_PER_REQUEST),
    )
    files, size = request_document_usage(instance) if instance is not None else (0, 0)
    if files + len(sizes) > max_files or size + sum(sizes) > max_bytes:
        message = _(
            "Permohonan ini sudah memuat %(files)d berkas (%(size)s); satu permohonan paling banyak "
            "%(max_files)d berkas dan %(max_size)s. Berkas tidak disimpan."
        ) % {"files": files, "size": size_text(size), "max_files": max_files, "max_size": size_text(max_bytes)}
        raise DocumentQuotaFull(message)


def _room_again(
    stored: list[tuple[datetime, int]], sizes: list[int], window: timedelta, now: datetime
) -> datetime | None:
    """When the applicant's stored files leave room for `sizes`; None when they fit now."""
    max_files, max_bytes = (
        int(settings.PATEN_DOCUMENT_MAX_FILES_PER_APPLICANT),
        int(settings.PATEN_DOCUMENT_MAX_BYTES_PER_APPLICANT),
    )
    files, size = len(stored), sum(s for _, s in stored)

    def fits() -> bool:
        return files + len(sizes) <= max_files and size + sum(sizes) <= max_bytes

    if fits():
        return None
    for uploaded_at, stored_size in stored:  # oldest first
        files, size = files - 1, size - stored_size
        if fits():
            return uploaded_at + window
    return now + window


def _applicant_check(applicant_nik: str, sizes: list[int], now: datetime) -> None:
    days = int(settings.PATEN_DOCUMENT_APPLICANT_DAYS)
    window = timedelta(days=days)
    until = _room_again(applicant_uploads_since(applicant_nik, now - window), sizes, window, now)
    if until is None:
        return
    message = _(
        "Dokumen untuk NIK ini sudah mencapai batas %(max_files)d berkas atau %(max_size)s dalam %(days)d hari. "
        "Berkas tidak disimpan; coba lagi setelah %(when)s, atau bawa dokumen ke loket PATEN."
    ) % {
        "max_files": int(settings.PATEN_DOCUMENT_MAX_FILES_PER_APPLICANT),
        "max_size": size_text(int(settings.PATEN_DOCUMENT_MAX_BYTES_PER_APPLICANT)),
        "days": days,
        "when": _when_text(until),
    }
    raise RateLimited(message, retry_after=int((until - now).total_seconds()) + 1)


def _budget_check(side: tuple[str, str], sizes: list[int], now: datetime) -> None:
    key, client_ip = side
    until = throttle.locked_until(throttle.upload_limit(), key=key, client_ip=client_ip, now=now, weight=sum(sizes))
    if until is None:
        return
    values = {"max_size": size_text(int(settings.PATEN_UPLOAD_BYTES_PER_DAY)), "when": _when_text(until)}
    if key:
        message = _(
            "Batas unggahan harian akun Anda (%(max_size)s) sudah tercapai. Berkas tidak disimpan; "
            "coba lagi setelah %(when)s, atau bawa dokumen ke loket PATEN."
        )
    else:
        message = _(
            "Batas unggahan harian dari jaringan ini (%(max_size)s) sudah tercapai. Berkas tidak disimpan; "
            "coba lagi setelah %(when)s, masuk dengan akun Anda, atau bawa dokumen ke loket PATEN."
        )
    raise RateLimited(message % values, retry_after=int((until - now).total_seconds()) + 1)


def quota_check(
    *,
    instance: ProcessInstance | None,
    applicant_nik: str,
    sizes: list[int],
    side: tuple[str, str] | None,
    now: datetime,
) -> None:
    """Raise DocumentQuotaFull or RateLimited unless files of `sizes` may be stored now.

    `instance` None: a request about to be registered (nothing stored for it yet).
    """
    if not sizes:
        return
    _request_check(instance, sizes)
    if applicant_nik:
        _applicant_check(applicant_nik, sizes, now)
    if side is not None:
        _budget_check(side, sizes, now)


def quota_record(*, side: tuple[str, str] | None, size: int, now: datetime) -> None:
    """Count a stored file against the daily budget (inside the transaction that stores it)."""
    if side is not None:
        key, client_ip = side
        throttle.attempt_record(
            throttle.upload_limit(), key=key, client_ip=client_ip, now=now, succeeded=True, weight=size
        )
