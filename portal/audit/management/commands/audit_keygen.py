"""`audit_keygen`: create the key that signs the transparency log's checkpoints, if there is none."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from portal.audit.checkpoints import key_create, key_file, verifier


class Command(BaseCommand):
    help = "Create the checkpoint signing key (settings.PATEN_AUDIT_KEY_FILE) unless it exists; print its public half."

    def handle(self, *args: Any, **options: Any) -> None:
        created = key_create()
        self.stdout.write(f"{'created' if created else 'kept'} {key_file()}")
        self.stdout.write(f"verifier key: {verifier()}")
