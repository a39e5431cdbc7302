"""`seed_demo`: demo users posted to Babulu and Sepaku, the kecamatan and villages, and every process in
processes/. Idempotent."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

import engine
from portal.catalogue.services import CatalogueFileError
from portal.letters.errors import LetterTemplateInvalid
from portal.operations.services import demo_seed


class Command(BaseCommand):
    help = "Create demo users (password from PATEN_DEMO_PASSWORD), villages and deploy processes/*.bpmn."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            seeded = demo_seed(password=settings.PATEN_DEMO_PASSWORD)
        except engine.DefinitionError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError("processes/ has errors; nothing deployed", returncode=1) from exc
        except (CatalogueFileError, LetterTemplateInvalid) as exc:
            raise CommandError(f"processes/: {exc}", returncode=1) from exc
        catalogue = seeded.catalogue.catalogue
        self.stdout.write(f"users: {', '.join(seeded.users)}")
        self.stdout.write(f"catalogue: {catalogue.services} services, {catalogue.standards_new} new standard versions")
        self.stdout.write(f"villages: {seeded.villages}")
        for r in seeded.deployed:
            self.stdout.write(
                f"{r.definition.code} v{r.definition.version} ({'deployed' if r.changed else 'unchanged'})"
            )
