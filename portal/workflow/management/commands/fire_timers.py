"""`fire_timers [--at ISO_DATETIME]`: run one timer sweep, treating the given time as now."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from portal.workflow.services.timers import timers_fire_due


class Command(BaseCommand):
    help = "Fire every due timer once. --at lets an operator or a test move the clock."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--at", dest="at", default=None, help="ISO 8601 date-time with offset")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["at"]:
            try:
                now = datetime.fromisoformat(options["at"])
            except ValueError as exc:
                raise CommandError(f"--at: not an ISO 8601 date-time: {options['at']}") from exc
            if timezone.is_naive(now):
                now = timezone.make_aware(now)  # read in the portal's time zone (WITA)
        fired = timers_fire_due(now=now)
        self.stdout.write(f"{fired} timer(s) fired as of {now.isoformat()}")
