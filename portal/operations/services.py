"""Writes that span apps: setting a deployment up, an officer leaving; each app keeps its own rules.
Also the background processes' heartbeats (written by the Celery tasks and beat, read by the liveness check)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.services import demo_users_ensure, user_deactivate
from portal.catalogue.services import SyncResult, catalogue_sync
from portal.core.errors import NotAllowed
from portal.directory.services import demo_postings_ensure, regions_sync
from portal.letters.services import letter_templates_sync
from portal.workflow.services.definitions import DeployResult, catalogue_files, definitions_deploy
from portal.workflow.services.human_tasks import human_tasks_release_held

from .models import BEAT, Heartbeat


@dataclass(frozen=True)
class CatalogueLoad:
    catalogue: SyncResult
    letters_new: int


def catalogue_load(*, directory: Path) -> CatalogueLoad:
    """Standards, the authority registry, the maklumat and the letter templates of `directory`; all or nothing."""
    with transaction.atomic():
        catalogue = catalogue_sync(directory=directory)
        return CatalogueLoad(catalogue, letter_templates_sync(directory=directory))


@dataclass(frozen=True)
class DemoSeed:
    users: list[str]
    villages: int
    deployed: list[DeployResult]
    catalogue: CatalogueLoad


def demo_seed(*, password: str, directory: Path | None = None) -> DemoSeed:
    """Demo users posted to Babulu and Sepaku, the kecamatan and villages, every process of `directory`
    deployed and its catalogue loaded. Idempotent."""
    directory = directory or Path(settings.PATEN_PROCESSES_DIR)
    users = demo_users_ensure(password=password)
    _offices, villages = regions_sync()
    demo_postings_ensure()
    files = catalogue_files(directory)
    deployed = definitions_deploy(files=files, by_name="seed_demo", note="demo") if files else []
    return DemoSeed(list(users), villages, deployed, catalogue_load(directory=directory))


@dataclass(frozen=True)
class Deactivation:
    tokens_revoked: int
    steps_released: int


def officer_deactivate(*, user: Any, actor: Any, now: datetime | None = None) -> Deactivation:
    """An officer leaves: the account can no longer log in or use a token, and the steps they had
    claimed go back to their role's pool. Their records (steps, letters, the log) stay theirs."""
    if actor is not None and user.pk == actor.pk:
        raise NotAllowed(_("Anda tidak dapat menonaktifkan akun Anda sendiri."))
    now = now or timezone.now()
    with transaction.atomic():
        tokens = user_deactivate(user=user, now=now)
        steps = human_tasks_release_held(holder=user, actor=actor, now=now)
    return Deactivation(tokens_revoked=tokens, steps_released=steps)


@dataclass(frozen=True)
class ExpectedSweep:
    name: str
    queue: str
    every_seconds: float | None


def heartbeats_expect(*, sweeps: Sequence[ExpectedSweep], now: datetime | None = None) -> None:
    """Beat starting: record which sweeps it sends, where and how often; others are no longer expected."""
    now = now or timezone.now()
    with transaction.atomic():
        for sweep in sweeps:
            _heartbeat_update(sweep.name, now, queue=sweep.queue, every_seconds=sweep.every_seconds)
        names = [sweep.name for sweep in sweeps]
        Heartbeat.objects.exclude(name__in=[*names, BEAT]).update(every_seconds=None)


def heartbeat_beat(*, host: str, every_seconds: float, started_at: datetime, now: datetime | None = None) -> None:
    """Beat is alive: its own row, written every few seconds from its loop (started_at: when it started)."""
    now = now or timezone.now()
    _heartbeat_update(
        BEAT, now, every_seconds=every_seconds, started_at=started_at, finished_at=now, runs=F("runs") + 1,
        host=host,
    )  # fmt: skip


def heartbeat_start(*, name: str, host: str, now: datetime | None = None) -> datetime:
    """A sweep starts; returns the time recorded, for heartbeat_finish."""
    now = now or timezone.now()
    _heartbeat_update(name, now, started_at=now, host=host)
    return now


def heartbeat_finish(*, name: str, started_at: datetime, result: str = "", error: str = "",
                     now: datetime | None = None) -> None:  # fmt: skip
    """A sweep ended, with its result or its error (kept until the next error: the operator's clue)."""
    now = now or timezone.now()
    values: dict[str, Any] = {
        "finished_at": now,
        "duration_seconds": max(0.0, (now - started_at).total_seconds()),
        "runs": F("runs") + 1,
    }
    if error:
        values.update(failures=F("failures") + 1, last_error=error[:2000], failed_at=now, result="")
    else:
        values["result"] = result[:200]
    _heartbeat_update(name, now, **values)


def _heartbeat_update(name: str, now: datetime, **values: Any) -> None:
    with transaction.atomic():
        if Heartbeat.objects.filter(name=name).update(**values):
            return
        try:
            with transaction.atomic():  # another process may create the row at the same moment
                Heartbeat.objects.create(name=name, created_at=now)
        except IntegrityError:
            pass
        Heartbeat.objects.filter(name=name).update(**values)
