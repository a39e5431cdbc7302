"""`audit_verify [--checkpoint FILE ...] [--key VERIFIER ...]`: every chain, every sealed leaf, the tree
against held checkpoints; one line per finding; exit 1 on any."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.audit.checkpoints import KeyMissing, verifier
from portal.audit.verification import log_verify

MAX_NOTE_BYTES = 64 * 1024


class Command(BaseCommand):
    help = "Verify the audit log: chains, sealed leaves, the Merkle tree against checkpoints; exit 1 on any finding."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--checkpoint", action="append", default=[], type=Path, metavar="FILE",
                            help="a signed checkpoint kept outside the system (repeatable)")  # fmt: skip
        parser.add_argument("--key", action="append", default=[], metavar="VERIFIER",
                            help="a verifier key (name+hash+key); default: the system's own")  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        notes = []
        for path in options["checkpoint"]:
            try:
                with open(path, "rb") as handle:
                    raw = handle.read(MAX_NOTE_BYTES + 1)
            except OSError as exc:
                raise CommandError(f"{path}: {exc.strerror or exc}", returncode=2) from exc
            notes.append((str(path), raw.decode("utf-8", errors="replace")))
        try:
            keys = options["key"] or [verifier()]
        except KeyMissing as exc:
            raise CommandError(str(exc), returncode=2) from exc
        report = log_verify(notes=notes, verifiers=keys)
        for finding in report.findings:
            self.stdout.write(str(finding))
        summary = (f"{report.requests} requests, {report.events} events, {report.leaves} leaves, "
                   f"{report.checkpoints} checkpoints checked: {len(report.findings)} findings")  # fmt: skip
        self.stdout.write(summary)
        if not report.ok:
            raise CommandError(f"{len(report.findings)} finding(s)", returncode=1)
