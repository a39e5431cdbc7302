"""`catalogue_load [DIR]`: load service standards, the authority registry and the maklumat."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.catalogue.services import CatalogueFileError, catalogue_sync


class Command(BaseCommand):
    help = "Load processes/*.standard.yaml, authority.yaml and maklumat.yaml (new versions only when changed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", nargs="?", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["directory"]) if options["directory"] else settings.PATEN_PROCESSES_DIR
        try:
            result = catalogue_sync(directory=directory)
        except CatalogueFileError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        self.stdout.write(
            f"services: {result.services}, new standard versions: {result.standards_new}, "
            f"new authority rows: {result.authority_rules_new}, maklumat updated: {result.declaration_new}, "
            f"new letter templates: {result.letters_new}"
        )
