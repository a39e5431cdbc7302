"""Check every issued letter's PDF against its recorded sha256 and list files no letter refers to."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from portal.letters.selectors import letter_files_problems


class Command(BaseCommand):
    help = "Check the stored PDFs of issued letters (missing, changed, or not referred to by any letter)."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = letter_files_problems()
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} problems", returncode=1)
        self.stdout.write("letters: all files intact")
