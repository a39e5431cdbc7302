"""`process_deploy FILE...`: lint, then deploy each changed file as a new version; all or nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

import engine
from portal.workflow import services

from .process_lint import read_source


class Command(BaseCommand):
    help = "Deploy BPMN files (a new version only when the content changed). On any error nothing is deployed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        files: list[tuple[str, bytes]] = []
        unreadable = []
        for path in options["files"]:
            source, why = read_source(path, engine.MAX_BPMN_BYTES)
            if source is None:
                unreadable.append(f"{path}:-: {why}")
            else:
                files.append((path, source))
        if unreadable:
            for line in unreadable:
                self.stdout.write(line)
            raise CommandError("nothing deployed", returncode=1)
        try:
            results = services.definitions_deploy(files=files)
        except engine.DefinitionError as exc:
            for problem in exc.problems:
                self.stdout.write(str(problem))
            raise CommandError("nothing deployed", returncode=1) from exc
        for result in results:
            d = result.definition
            note = "deployed" if result.changed else "unchanged"
            self.stdout.write(f"{d.code} version {d.version} sha256 {d.sha256} ({note})")
