"""The liveness check: every sweep records a heartbeat, beat records its own and what it sends; the
check (manage.py worker_health, the admin's home) says when beat or a sweep stopped and when letters
or notices wait too long."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from tests.conftest import SKTM_APPLICANT

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
TIMERS = "tasks.timers.fire_due_timers_task"
LETTERS = "tasks.letters.render_pending_letters_task"
NOTICES = "tasks.notifications.send_pending_notifications_task"


def _expect(now: datetime = T0) -> None:
    """What beat records when it starts: timers on the sweeps queue every 30 s, letters and notices
    on the default queue every 5 s (the settings' defaults)."""
    from portal.operations.services import ExpectedSweep, heartbeats_expect

    heartbeats_expect(
        sweeps=[
            ExpectedSweep(name=TIMERS, queue="sweeps", every_seconds=30),
            ExpectedSweep(name=LETTERS, queue="default", every_seconds=5),
            ExpectedSweep(name=NOTICES, queue="default", every_seconds=5),
        ],
        now=now,
    )


def _all_run(at: datetime) -> None:
    from portal.operations.services import heartbeat_beat, heartbeat_finish, heartbeat_start

    heartbeat_beat(host="test", every_seconds=5, started_at=T0, now=at)
    for name in (TIMERS, LETTERS, NOTICES):
        heartbeat_finish(name=name, started_at=heartbeat_start(name=name, host="test", now=at), result="0", now=at)


def test_a_sweep_records_when_it_ran_how_long_and_what_it_did(db: Any) -> None:
    from portal.operations.models import Heartbeat
    from tasks.core import prune_attempts_task

    assert prune_attempts_task.delay().get() == 0
    assert prune_attempts_task.delay().get() == 0
    row = Heartbeat.objects.get(name="tasks.core.prune_attempts_task")
    assert row.runs == 2 and row.failures == 0 and row.result == "0" and row.last_error == ""
    assert row.started_at is not None and row.finished_at is not None and row.finished_at >= row.started_at
    assert row.duration_seconds is not None and row.duration_seconds >= 0 and "pid" in row.host


def test_a_failing_sweep_records_its_error_and_still_fails(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from portal.core import throttle
    from portal.operations.models import Heartbeat
    from tasks.core import prune_attempts_task

    def broken(**_: Any) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(throttle, "attempts_prune", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        prune_attempts_task.apply().get()
    row = Heartbeat.objects.get(name="tasks.core.prune_attempts_task")
    assert row.failures == 1 and row.last_error == "RuntimeError: disk full" and row.failed_at is not None


def test_a_heartbeat_the_database_refuses_never_stops_the_sweep(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import OperationalError

    from portal.operations import services
    from tasks.core import prune_attempts_task

    def locked(**_: Any) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "heartbeat_start", locked)
    monkeypatch.setattr(services, "heartbeat_finish", locked)
    assert prune_attempts_task.delay().get() == 0


def test_beat_records_what_it_sends_where_and_how_often_and_that_it_ticks(db: Any, tmp_path: Path) -> None:
    from portal.operations.models import BEAT, Heartbeat
    from tasks.beat import HeartbeatScheduler
    from tasks.celery import app

    scheduler = HeartbeatScheduler(app=app, schedule_filename=str(tmp_path / "schedule"), lazy=False)
    try:
        scheduler.tick()  # nothing is due yet in a new schedule: the tick only records the heartbeat
    finally:
        scheduler.close()
    rows = {row.name: row for row in Heartbeat.objects.all()}
    assert (rows[TIMERS].queue, rows[TIMERS].every_seconds) == ("sweeps", 30.0)
    assert (rows[LETTERS].queue, rows[LETTERS].every_seconds) == ("default", 5.0)
    assert rows["tasks.notifications.notify_overdue_task"].queue == "sweeps"
    assert rows["tasks.core.prune_attempts_task"].queue == "sweeps"
    assert rows[BEAT].runs == 1 and rows[BEAT].finished_at is not None
    assert not [name for name in rows if name.startswith("celery.")]


def test_letters_and_notices_never_wait_behind_a_sweep() -> None:
    from tasks.celery import app

    def queue(name: str) -> str:
        return str(app.amqp.router.route({}, name)["queue"].name)

    assert queue(LETTERS) == queue(NOTICES) == "default" == app.conf.task_default_queue
    sweeps = (TIMERS, "tasks.notifications.notify_overdue_task", "tasks.core.prune_attempts_task")
    assert {queue(name) for name in sweeps} == {"sweeps"}
    assert set(app.amqp.queues) == {"default", "sweeps"}  # a worker without -Q consumes both


@pytest.mark.parametrize(
    ("broker", "pool"), [("sqla+sqlite:////tmp/broker.sqlite3", "threads"), ("redis://127.0.0.1:6379/0", "prefork")]
)
def test_the_pool_is_threads_over_the_embedded_broker_and_prefork_over_redis(broker: str, pool: str) -> None:
    env = {**os.environ, "PATEN_BROKER_URL": broker, "DJANGO_SETTINGS_MODULE": "portal.settings"}
    env.pop("PATEN_WORKER_POOL", None)
    code = "from tasks.celery import app; print(app.conf.worker_pool)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == pool


def test_beat_and_sweeps_are_late_after_their_period_and_the_grace(db: Any, settings: Any) -> None:
    from portal.operations.selectors import worker_health
    from portal.operations.services import heartbeat_beat

    settings.PATEN_WORKER_STALE_SECONDS = 60
    assert not worker_health(now=T0).alive  # beat never ran against this database
    _expect()
    _all_run(T0)
    assert worker_health(now=T0 + timedelta(seconds=60)).alive
    at = T0 + timedelta(seconds=66)  # letters and notices: 5 s + 60 s; timers 30 s + 60 s
    heartbeat_beat(host="test", every_seconds=5, started_at=T0, now=at)
    health = worker_health(now=at)
    assert not health.alive and {s.row.name for s in health.late} == {LETTERS, NOTICES}
    assert health.late_names == "PDF surat bertanda tangan, Pengiriman pemberitahuan"
    health = worker_health(now=at + timedelta(seconds=61))  # beat silent for longer than the grace
    assert [s.row.name for s in health.late] == ["beat", LETTERS, NOTICES, TIMERS]


def test_a_restarted_beat_gives_every_sweep_a_new_window(db: Any, settings: Any) -> None:
    from portal.operations.selectors import worker_health
    from portal.operations.services import heartbeat_beat

    settings.PATEN_WORKER_STALE_SECONDS = 60
    _expect()
    _all_run(T0)
    later = T0 + timedelta(hours=2)  # everything was down; beat starts again now
    heartbeat_beat(host="test", every_seconds=5, started_at=later, now=later)
    assert worker_health(now=later + timedelta(seconds=30)).alive
    heartbeat_beat(host="test", every_seconds=5, started_at=later, now=later + timedelta(seconds=70))
    assert {s.row.name for s in worker_health(now=later + timedelta(seconds=70)).late} == {LETTERS, NOTICES}


def test_a_queue_stalls_when_nothing_on_it_starts_while_beat_sends(db: Any, settings: Any) -> None:
    from portal.operations.selectors import worker_health
    from portal.operations.services import heartbeat_beat, heartbeat_start

    settings.PATEN_WORKER_STALE_SECONDS = 60
    _expect()
    _all_run(T0)
    at = T0 + timedelta(seconds=80)
    heartbeat_beat(host="test", every_seconds=5, started_at=T0, now=at)
    heartbeat_start(name=TIMERS, host="test", now=at - timedelta(seconds=10))  # a long sweep, still going
    health = worker_health(now=at)
    assert health.queue_stalled("default") and not health.queue_stalled("sweeps")
    assert not health.queue_stalled("default", since=at - timedelta(seconds=30))  # its worker just started
    assert not worker_health(now=T0 + timedelta(hours=1)).queue_stalled("default")  # beat is the one down


def test_worker_health_exits_1_when_something_is_late_and_says_what(db: Any, settings: Any) -> None:
    settings.PATEN_WORKER_STALE_SECONDS = 60
    with pytest.raises(CommandError, match="beat tidak berdenyut") as failed:
        call_command("worker_health", stdout=io.StringIO())
    assert failed.value.returncode == 1
    _expect()
    _all_run(T0)
    out = io.StringIO()
    with time_machine.travel(T0 + timedelta(seconds=20), tick=False):
        call_command("worker_health", stdout=out)
        call_command("worker_health", "--queue", "default", stdout=io.StringIO())
    assert out.getvalue().rstrip().endswith("OK") and "Pengatur waktu yang jatuh tempo" in out.getvalue()
    with time_machine.travel(T0 + timedelta(seconds=100), tick=False):
        from portal.operations.services import heartbeat_beat, heartbeat_start

        heartbeat_beat(host="test", every_seconds=5, started_at=T0)
        heartbeat_start(name=TIMERS, host="test")
        with pytest.raises(CommandError, match="antrean default"):
            call_command("worker_health", "--queue", "default", stdout=io.StringIO())
        call_command("worker_health", "--queue", "sweeps", stdout=io.StringIO())
        call_command("worker_health", "--beat", stdout=io.StringIO())
        with pytest.raises(CommandError, match="terlambat: PDF surat bertanda tangan, Pengiriman pemberitahuan"):
            call_command("worker_health", stdout=io.StringIO())


def _signed_sktm_long_ago(users: Any, settings: Any, *, at: datetime) -> None:
    """A signed SKTM whose letter and notices have waited since `at` (no worker drew or sent them)."""
    from portal.workflow.models import HumanTask
    from portal.workflow.services.human_tasks import human_task_complete
    from portal.workflow.services.registration import request_register
    from tests.integration.test_self_healing import SKTM_STEPS

    settings.PATEN_LETTER_RENDER = "celery"
    instance = request_register(
        service_code="sktm", applicant=SKTM_APPLICANT, data={"keperluan": "Beasiswa"}, actor=users["loket1"], now=at
    )
    for who, data in SKTM_STEPS:
        step = HumanTask.objects.get(instance=instance, status="ready")
        human_task_complete(human_task_id=step.pk, actor=users[who], data=data, now=at)


def test_the_admins_home_says_when_the_worker_stopped_and_what_waits(users: Any, deployed: Any, settings: Any) -> None:
    from django.utils import timezone

    settings.PATEN_WORKER_STALE_SECONDS = 60
    settings.PATEN_PENDING_ALERT_SECONDS = 600
    admin = Client()
    admin.force_login(users["admin"])
    page = admin.get("/admin/").content.decode()
    assert "Proses latar belakang tidak berjalan (Penjadwal (beat))" in page
    _expect(timezone.now())
    _all_run(timezone.now())
    assert 'id="paten-worker-health"' not in admin.get("/admin/").content.decode()
    _signed_sktm_long_ago(users, settings, at=timezone.now() - timedelta(minutes=30))
    page = admin.get("/admin/").content.decode()
    assert "1 surat bertanda tangan belum dibuat PDF-nya lebih dari 10 menit." in page
    assert "1 pemberitahuan menunggu dikirim lebih dari 10 menit." in page  # registered; "ready" waits the PDF
    assert "Proses latar belakang tidak berjalan" not in page
    # Officers see none of it.
    kasi = Client()
    kasi.force_login(users["kasi1"])
    assert "paten-worker-health" not in kasi.get("/kerja/").content.decode()


def test_the_heartbeats_are_read_only_in_the_admin(db: Any, users: Any) -> None:
    _expect()
    _all_run(T0)
    admin = Client()
    admin.force_login(users["admin"])
    page = admin.get("/admin/operations/heartbeat/")
    assert page.status_code == 200 and "Pengatur waktu yang jatuh tempo" in page.content.decode()
    assert admin.get("/admin/operations/heartbeat/add/").status_code == 403


def test_the_supervisors_watch_says_which_process_stopped(db: Any, settings: Any) -> None:
    from portal.operations.services import heartbeat_beat
    from tasks.supervise import Watch

    settings.PATEN_WORKER_STALE_SECONDS = 60
    _expect()
    _all_run(T0)
    beat, default, sweeps = Watch("beat"), Watch("queue:default"), Watch("queue:sweeps")
    with time_machine.travel(T0 + timedelta(seconds=50), tick=False):
        assert beat.stalled(since=T0) == default.stalled(since=T0) == sweeps.stalled(since=T0) == ""
    with time_machine.travel(T0 + timedelta(seconds=70), tick=False):
        heartbeat_beat(host="test", every_seconds=5, started_at=T0)
        assert beat.stalled(since=T0) == sweeps.stalled(since=T0) == ""
        assert default.stalled(since=T0) == "nothing started on queue default in time"
        assert default.stalled(since=T0 + timedelta(seconds=60)) == ""  # its worker started again 10 s ago
    with time_machine.travel(T0 + timedelta(seconds=140), tick=False):
        assert beat.stalled(since=T0) == "no heartbeat from beat for 70 s"
        assert beat.stalled(since=T0 + timedelta(seconds=100)) == ""  # beat itself was started again
        assert default.stalled(since=T0) == ""  # beat is the one to restart
    with pytest.raises(SystemExit):
        Watch("queue:")
