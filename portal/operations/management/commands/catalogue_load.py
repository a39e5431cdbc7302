"""`catalogue_load [DIR]`: load service standards, the authority registry, the maklumat and letter templates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.catalogue.services import CatalogueFileError
from portal.letters.errors import LetterTemplateInvalid
from portal.operations.services import catalogue_load


class Command(BaseCommand):
    help = "Load processes/*.standard.yaml, authority.yaml, maklumat.yaml and *.letter.yaml (new versions only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", nargs="?", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["directory"]) if options["directory"] else settings.PATEN_PROCESSES_DIR
        try:
            loaded = catalogue_load(directory=directory)
        except CatalogueFileError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        except LetterTemplateInvalid as exc:
            raise CommandError("\n".join(exc.problems), returncode=1) from exc
        result = loaded.catalogue
        self.stdout.write(
            f"services: {result.services}, new standard versions: {result.standards_new}, "
            f"new authority rows: {result.authority_rules_new}, maklumat updated: {result.declaration_new}, "
            f"new letter templates: {loaded.letters_new}"
        )
