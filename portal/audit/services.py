"""Writes of the auditor's app: a verification run kept with its findings, and admins told when it fails."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.mail import mail_admins
from django.utils import timezone
from django.utils.translation import gettext as _

from .checkpoints import verifier
from .models import RecordView, VerificationRun
from .verification import Report, log_verify

log = logging.getLogger(__name__)
MAX_KEPT_FINDINGS = 500


def verification_run(
    *, trigger: str, notes: Iterable[tuple[str, str]] = (), now: datetime | None = None
) -> tuple[VerificationRun, Report]:
    """Verify the whole log against the system's key and the given checkpoints; keep the run, and
    mail the admins when anything is found."""
    started = timezone.now()
    report = log_verify(notes=notes, verifiers=[verifier()], now=now)
    run = VerificationRun.objects.create(
        started_at=started, finished_at=timezone.now(), requests=report.requests, events=report.events,
        leaves=report.leaves, checkpoints=report.checkpoints, trigger=trigger[:150],
        findings=[str(f) for f in report.findings[:MAX_KEPT_FINDINGS]],
    )  # fmt: skip
    if not report.ok:
        log.error("audit log verification: %s finding(s)", len(report.findings))
        lines = "\n".join(str(f) for f in report.findings[:50])
        subject = _("Pemeriksaan log audit menemukan %(n)s masalah") % {"n": len(report.findings)}
        mail_admins(subject, lines, fail_silently=True)
    return run, report


def record_viewed(*, viewer: Any, instance: Any, what: str, now: datetime | None = None) -> RecordView:
    """Keep that `viewer` read `what` of a citizen's request (every auditor view is itself on record)."""
    return RecordView.objects.create(
        viewer=viewer, viewer_username=viewer.get_username(), instance=instance, what=what[:32],
        at=now or timezone.now(),
    )  # fmt: skip
