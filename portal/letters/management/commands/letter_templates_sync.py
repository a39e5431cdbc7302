"""Load the letter templates (`<code>.letter.yaml`) of processes/ or another folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.letters.errors import LetterTemplateInvalid
from portal.letters.services import letter_templates_sync


class Command(BaseCommand):
    help = "Load every <code>.letter.yaml of a folder (default: processes/); a new version for each changed file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", nargs="?", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["directory"] or settings.PATEN_PROCESSES_DIR)
        if not directory.is_dir():
            raise CommandError(f"{directory}: not a folder")
        try:
            stored = letter_templates_sync(directory=directory)
        except LetterTemplateInvalid as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError("letter templates refused; nothing loaded", returncode=1) from exc
        self.stdout.write(f"letter templates: {stored} new versions")
