"""`process_migrate CODE --from N --to M [--dry-run] [--request NUMBER ...] [--by NAME]`: move the
running requests of version N onto version M.

Every running request of version N gets a verdict (safe, or refused with the step it waits at and
why); without `--dry-run` each safe one is moved in its own transaction, recorded as an
`instance_migrated` event. A request that is refused or fails to move is left as it was; the others
still move. Exits 1 when any request given by `--request` (or, without it, any safe one) did not move.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.core.errors import ServiceError
from portal.workflow.migration_plans import migration_dry_run, version_of
from portal.workflow.models import ProcessInstance
from portal.workflow.services.migration import instances_migrate


class Command(BaseCommand):
    help = "Move running requests of one version of a service onto another (only those it is safe to move)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="the service's code, e.g. sktm")
        parser.add_argument("--from", dest="source", type=int, required=True, metavar="N", help="version they run on")
        parser.add_argument("--to", dest="target", type=int, required=True, metavar="M", help="version to move them to")
        parser.add_argument("--dry-run", action="store_true", help="only list each request with its verdict")
        parser.add_argument("--request", action="append", default=[], metavar="NUMBER",
                            help="only this request (tracking number); may be repeated")  # fmt: skip
        parser.add_argument("--by", default=None, help="the portal user recorded as moving them (a designer)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            source, target = (
                version_of(options["code"], options["source"]),
                version_of(options["code"], options["target"]),
            )
            actor = self._actor(options["by"])
            ids = None
            if options["request"]:
                ids = list(ProcessInstance.objects.filter(tracking_number__in=options["request"]).values_list(
                    "pk", flat=True))  # fmt: skip
            verdicts = migration_dry_run(source, target, instance_ids=ids)
        except ServiceError as exc:
            raise CommandError(str(exc)) from exc
        for verdict in verdicts:
            waiting = ", ".join(verdict.waiting) or "-"
            status = "safe" if verdict.safe else "refused: " + "; ".join(verdict.reasons)
            self.stdout.write(f"{verdict.tracking_number}\twaits at {waiting}\t{status}")
        safe = [v.instance_id for v in verdicts if v.safe]
        self.stdout.write(f"{len(safe)} of {len(verdicts)} running requests of {source} may move to {target}")
        if options["dry_run"]:
            return
        report = instances_migrate(instance_ids=safe, to_definition_id=target.pk, actor=actor)
        for number, why in report.refused.items():
            self.stdout.write(f"{number}\tnot moved: {why}")
        self.stdout.write(f"moved {len(report.moved)} requests to {target}")
        missing = len(options["request"]) - len(report.moved) if options["request"] else len(report.refused)
        if missing > 0:
            raise CommandError(f"{missing} requests not moved", returncode=1)

    def _actor(self, name: str | None) -> Any:
        if not name:
            return None
        user = get_user_model().objects.filter(username=name).first()
        if user is None:
            raise CommandError(f"no such user: {name}")
        return user
