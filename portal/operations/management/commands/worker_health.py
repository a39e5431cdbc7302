"""`worker_health [--queue NAME | --beat]`: whether beat and the sweeps run; exit code 1 when not.

For a liveness probe (systemd, a container, a monitoring system): each sweep's and beat's last run,
how long it took and its last error, then "OK" or what is late. With --queue only that queue's worker
is judged (it is late when nothing there started in time while beat sends), with --beat only beat.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.operations.selectors import SweepState, WorkerHealth, worker_health


class Command(BaseCommand):
    help = "Exit 1 when beat or a sweep has not run for its period plus PATEN_WORKER_STALE_SECONDS."

    def add_arguments(self, parser: CommandParser) -> None:
        only = parser.add_mutually_exclusive_group()
        only.add_argument("--queue", help="judge only the worker of this queue (default, sweeps)")
        only.add_argument("--beat", action="store_true", help="judge only beat")
        parser.add_argument("--stale-seconds", type=float, default=None, help="instead of the setting")

    def handle(self, *args: Any, **options: Any) -> None:
        health = worker_health(stale_seconds=options["stale_seconds"])
        for state in ([health.beat] if health.beat else []) + health.sweeps:
            self.stdout.write(self._line(state, health))
        problems = self._problems(health, queue=options["queue"], beat_only=options["beat"])
        if problems:
            raise CommandError("; ".join(problems), returncode=1)
        if health.letters_waiting or health.notifications_waiting:
            self.stdout.write(self._waiting(health))
        self.stdout.write("OK")

    def _problems(self, health: WorkerHealth, *, queue: str | None, beat_only: bool) -> list[str]:
        if health.beat_missing_or_late and (beat_only or not queue):
            return [_("beat tidak berdenyut (belum pernah berjalan atau berhenti)")]
        if beat_only:
            return []
        if queue:
            return [_("tidak ada yang mulai di antrean %(queue)s tepat waktu") % {"queue": queue}] if (
                health.queue_stalled(queue)
            ) else []  # fmt: skip
        return [_("terlambat: %(names)s") % {"names": health.late_names}] if health.late else []

    def _line(self, state: SweepState, health: WorkerHealth) -> str:
        row = state.row

        def ago(at: Any) -> str:
            seconds = 0 if at is None else round((health.checked_at - at).total_seconds())
            return "-" if at is None else _("%(seconds)d detik lalu") % {"seconds": seconds}

        status = _("TERLAMBAT") if state.late else "ok"
        error = f" | {_('kesalahan')} {ago(row.failed_at)}: {row.last_error.splitlines()[0][:200]}" if (
            row.last_error
        ) else ""  # fmt: skip
        duration = "-" if row.duration_seconds is None else f"{row.duration_seconds:.1f} s"
        return (
            f"{status:10} {row.queue or '-':8} {state.label} ({row.name}): {_('mulai')} {ago(row.started_at)}, "
            f"{_('selesai')} {ago(row.finished_at)}, {_('lama')} {duration}, {_('hasil')} {row.result or '-'}{error}"
        )

    def _waiting(self, health: WorkerHealth) -> str:
        return _("menunggu lebih dari %(minutes)d menit: %(letters)d surat, %(notices)d pemberitahuan (%(at)s)") % {
            "minutes": health.pending_minutes,
            "letters": health.letters_waiting,
            "notices": health.notifications_waiting,
            "at": timezone.localtime(health.checked_at).strftime("%Y-%m-%d %H:%M"),
        }
