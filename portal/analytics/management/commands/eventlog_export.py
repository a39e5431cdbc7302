"""`eventlog_export --format xes|csv [--service CODE] [--from DATE] [--to DATE] [--kecamatan SLUG] --out FILE`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.analytics.eventlog import log_write
from portal.analytics.params import FORMATS, export_parse
from portal.core.errors import InvalidInput, error_texts


class Command(BaseCommand):
    help = (
        "Write the event log of the requests registered in a period (WITA days, inclusive) for process mining, "
        "one trace per request, as XES or CSV."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", required=True, choices=sorted(FORMATS), help="xes or csv")
        parser.add_argument("--service", default="", help="a service code; every service when left out")
        parser.add_argument("--from", dest="date_from", default="", help="first day of registration, YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", default="", help="last day of registration, YYYY-MM-DD")
        parser.add_argument("--kecamatan", default="", help="an office's slug or code; every office when left out")
        parser.add_argument("--out", type=Path, required=True, help="the file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            export = export_parse(
                fmt=options["format"], service=options["service"], date_from=options["date_from"],
                date_to=options["date_to"], kecamatan=options["kecamatan"],
            )  # fmt: skip
        except InvalidInput as exc:
            raise CommandError("; ".join(error_texts(exc)), returncode=2) from exc
        out: Path = options["out"]
        partial = out.with_name(out.name + ".part")  # a failed export leaves no file that looks whole
        try:
            with partial.open("wb") as handle:
                counts = log_write(export.query, handle, fmt=export.fmt, title=export.title)
            partial.replace(out)
        except OSError as exc:
            raise CommandError(f"{out}: {exc.strerror or exc}", returncode=1) from exc
        self.stdout.write(f"{counts.traces} requests, {counts.events} events -> {out}")
