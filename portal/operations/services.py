"""Writes that span apps when a deployment is set up; each app keeps its own rules."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from portal.accounts.services import demo_users_ensure
from portal.catalogue.services import SyncResult, catalogue_sync
from portal.directory.services import villages_sync
from portal.letters.services import letter_templates_sync
from portal.workflow.services.definitions import DeployResult, definitions_deploy


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
    """Demo users, the villages, every process of `directory` deployed and its catalogue loaded. Idempotent."""
    directory = directory or Path(settings.PATEN_PROCESSES_DIR)
    users = demo_users_ensure(password=password)
    villages = villages_sync()
    files = [(f"processes/{p.name}", p.read_bytes()) for p in sorted(directory.glob("*.bpmn"))]
    deployed = definitions_deploy(files=files, by_name="seed_demo", note="demo") if files else []
    return DemoSeed(list(users), villages, deployed, catalogue_load(directory=directory))
