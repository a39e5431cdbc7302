"""`audit_checkpoint [--out FILE]`: seal what is committed, issue a signed checkpoint, write it out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.audit.checkpoints import KeyMissing, checkpoint_issue


class Command(BaseCommand):
    help = "Seal committed events into the log, issue a signed checkpoint and print it (or write it to --out)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, help="write the signed checkpoint to this file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            checkpoint = checkpoint_issue()
        except KeyMissing as exc:
            raise CommandError(str(exc), returncode=1) from exc
        assert checkpoint is not None  # issued on demand whatever the size
        if options["out"] is None:
            self.stdout.write(checkpoint.note, ending="")
            return
        try:
            options["out"].write_text(checkpoint.note, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{options['out']}: {exc.strerror or exc}", returncode=1) from exc
        self.stdout.write(f"checkpoint {checkpoint.size} {checkpoint.root_hash} -> {options['out']}")
