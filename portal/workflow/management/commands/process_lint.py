"""`process_lint FILE...`: one verdict line per file, or one line per problem; exit 1 on errors."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

import engine


def read_source(path: str, limit: int) -> tuple[bytes | None, str | None]:
    """The file's bytes, or why it cannot be read; never reads more than `limit` + 1 bytes."""
    try:
        with open(path, "rb") as f:
            data = f.read(limit + 1)
    except OSError as exc:
        return None, f"cannot be read: {exc.strerror or exc}"
    return data, None


class Command(BaseCommand):
    help = "Check BPMN files: prints 'FILE: ok' or one line per problem; exits 1 if any file has an error."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        failed = 0
        for path in options["files"]:
            source, why = read_source(path, engine.MAX_BPMN_BYTES)
            if source is None:
                self.stdout.write(f"{path}:-: {why}")
                failed += 1
                continue
            problems = engine.lint(source, path)
            if not problems:
                self.stdout.write(f"{path}: ok")
                continue
            for problem in problems:
                self.stdout.write(str(problem))
            if engine.errors_of(problems):
                failed += 1
        if failed:
            raise CommandError(f"{failed} file(s) with errors", returncode=1)
