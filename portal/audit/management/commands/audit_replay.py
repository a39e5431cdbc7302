"""`audit_replay TRACKING_NUMBER ... | --all`: run each request's recorded commands again and report
the first divergence; exit 1 on any."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.audit.replay import request_replay
from portal.workflow.models import ProcessInstance


class Command(BaseCommand):
    help = "Replay requests from their event logs and report the first divergence of each; exit 1 on any."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("tracking_numbers", nargs="*", metavar="TRACKING_NUMBER")
        parser.add_argument("--all", action="store_true", help="every request")

    def handle(self, *args: Any, **options: Any) -> None:
        numbers = options["tracking_numbers"]
        if bool(numbers) == bool(options["all"]):
            raise CommandError("give tracking numbers or --all", returncode=2)
        rows = ProcessInstance.objects.select_related("definition").order_by("id")
        if numbers:
            rows = rows.filter(tracking_number__in=numbers)
            missing = sorted(set(numbers) - set(rows.values_list("tracking_number", flat=True)))
            for number in missing:
                self.stdout.write(f"{number}: no such request")
        else:
            missing = []
        diverged, replayed = len(missing), 0
        for instance in rows.iterator(chunk_size=200):
            replayed += 1
            divergence = request_replay(instance)
            if divergence is not None:
                diverged += 1
                where = f"#{divergence.seq}" if divergence.seq is not None else ""
                self.stdout.write(f"{instance.tracking_number}{where}: {divergence.message}")
        self.stdout.write(f"{replayed} requests replayed: {diverged} diverged")
        if diverged:
            raise CommandError(f"{diverged} request(s) diverged", returncode=1)
