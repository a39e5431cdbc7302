"""`process_deploy [--by NAME] [--note TEXT] FILE...`: lint, then deploy each changed file as a new version.

Services (`*.bpmn`), their decision tables (`decisions/*.dmn`) and shared sub-processes
(`shared/*.bpmn`) may be given in one call; a changed shared file also gives every active service
that uses it a new version."""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

import engine
from portal.workflow.services.definitions import deploy_files

from .process_lint import read_source


class Command(BaseCommand):
    help = "Deploy BPMN and DMN files (a new version only when the content changed). On any error nothing is deployed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--by", default=None, help="who deploys (recorded with the version; default: the operating system user)"
        )
        parser.add_argument("--note", default="", help="why: recorded with the version and its deploy event")

    def handle(self, *args: Any, **options: Any) -> None:
        files: list[tuple[str, bytes]] = []
        unreadable = []
        for path in options["files"]:
            source, why = read_source(path, engine.MAX_BPMN_BYTES)
            if source is None:
                unreadable.append(f"{path}:-: {why}")
            else:
                files.append((path, source))
        by_name = str(options["by"] or _os_user())[:150]
        user = get_user_model().objects.filter(username=by_name).first()
        if unreadable:
            for line in unreadable:
                self.stdout.write(line)
            raise CommandError("nothing deployed", returncode=1)
        try:
            results, parts = deploy_files(
                files=files, deployed_by=user, by_name=by_name, note=str(options["note"])[:2000]
            )
        except engine.DefinitionError as exc:
            for problem in exc.problems:
                self.stdout.write(str(problem))
            raise CommandError("nothing deployed", returncode=1) from exc
        for part_result in parts:
            part = part_result.part
            note = "deployed" if part_result.changed else "unchanged"
            self.stdout.write(f"{part.kind}/{part.code} version {part.version} sha256 {part.sha256} ({note})")
        for result in results:
            d = result.definition
            note = "deployed" if result.changed else "unchanged"
            self.stdout.write(f"{d.code} version {d.version} sha256 {d.sha256} ({note})")


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container, say)
        return "unknown"
