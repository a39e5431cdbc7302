"""`seed_demo`: demo users, the villages of Babulu and every process in processes/. Idempotent."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

import engine
from portal.accounts.services import demo_users_ensure
from portal.catalogue.services import CatalogueFileError, catalogue_sync
from portal.directory.services import villages_sync
from portal.workflow import services as workflow_services


class Command(BaseCommand):
    help = "Create demo users (password from PATEN_DEMO_PASSWORD), villages and deploy processes/*.bpmn."

    def handle(self, *args: Any, **options: Any) -> None:
        users = demo_users_ensure(password=settings.PATEN_DEMO_PASSWORD)
        villages = villages_sync()
        paths = sorted(settings.PATEN_PROCESSES_DIR.glob("*.bpmn"))
        files = [(str(p.relative_to(settings.BASE_DIR)), p.read_bytes()) for p in paths]
        try:
            results = workflow_services.definitions_deploy(files=files) if files else []
        except engine.DefinitionError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError("processes/ has errors; nothing deployed", returncode=1) from exc
        try:
            catalogue = catalogue_sync(directory=settings.PATEN_PROCESSES_DIR)
        except CatalogueFileError as exc:
            raise CommandError(f"processes/: {exc}", returncode=1) from exc
        self.stdout.write(f"users: {', '.join(users)}")
        self.stdout.write(f"catalogue: {catalogue.services} services, {catalogue.standards_new} new standard versions")
        self.stdout.write(f"villages: {villages}")
        for r in results:
            self.stdout.write(
                f"{r.definition.code} v{r.definition.version} ({'deployed' if r.changed else 'unchanged'})"
            )
