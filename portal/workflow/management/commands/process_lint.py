"""`process_lint FILE...`: one verdict line per file, or one line per problem; exit 1 on errors.

A service's decision tables and shared sub-processes are read from the files given and from the
`decisions/` and `shared/` folders beside it."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

import engine
from portal.workflow.services.definitions import part_kind


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
        given = [(p, s) for p in options["files"] if (s := read_source(p, engine.MAX_BPMN_BYTES)[0]) is not None]
        for path in options["files"]:
            source, why = read_source(path, engine.MAX_BPMN_BYTES)
            if source is None:
                self.stdout.write(f"{path}:-: {why}")
                failed += 1
                continue
            problems = _lint_one(path, source, given)
            if not problems:
                self.stdout.write(f"{path}: ok")
                continue
            for problem in problems:
                self.stdout.write(str(problem))
            if engine.errors_of(problems):
                failed += 1
        if failed:
            raise CommandError(f"{failed} file(s) with errors", returncode=1)


def _lint_one(path: str, source: bytes, given: list[tuple[str, bytes]]) -> list[engine.Problem]:
    if part_kind(path) == "decisions":
        return engine.lint_dmn(source, path)
    if part_kind(path) == "shared":
        return engine.lint(source, path)
    beside = os.path.dirname(os.path.abspath(path))
    try:
        library = engine.Library.from_directory(beside)
        library = library.merged(engine.Library.from_files([(p, s) for p, s in given if part_kind(p) is not None]))
    except engine.DmnError as exc:
        return list(exc.problems)
    return engine.lint(source, path, library=library)
