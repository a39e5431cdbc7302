"""`archive_history [--dry-run] [--limit N] [--at ISO_DATETIME]`: move finished requests older than
PATEN_HISTORY_AFTER_DAYS out of the hot tables now, as the nightly run does."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from portal.workflow.selectors import history_cutoff, requests_to_archive
from portal.workflow.services.archive import requests_archive


class Command(BaseCommand):
    help = (
        "Archive finished requests older than PATEN_HISTORY_AFTER_DAYS (their steps to the history table, "
        "their timer rows dropped, their state compacted). --dry-run only counts them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count what would move; change nothing")
        parser.add_argument("--limit", type=int, default=500, help="requests to move at most (default 500)")
        parser.add_argument("--at", dest="at", default=None, help="ISO 8601 date-time with offset taken as now")

    def handle(self, *args: Any, **options: Any) -> None:
        now = _moment(options["at"])
        limit = options["limit"]
        if limit < 1:
            raise CommandError("--limit: must be at least 1")
        before = history_cutoff(now)
        if before is None:
            self.stdout.write("archiving is off (PATEN_HISTORY_AFTER_DAYS is 0 or less): nothing moved")
            return
        if options["dry_run"]:
            count = len(requests_to_archive(before=before, limit=limit))
            self.stdout.write(f"{count} request(s) finished before {before.isoformat()} would be archived")
            return
        moved = requests_archive(now=now, limit=limit)
        self.stdout.write(f"{moved} request(s) finished before {before.isoformat()} archived")


def _moment(text: str | None) -> datetime:
    if not text:
        return timezone.now()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--at: not an ISO 8601 date-time: {text}") from exc
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment  # naive: the portal's time zone
