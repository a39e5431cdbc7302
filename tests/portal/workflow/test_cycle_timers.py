"""A timer cycle on a step (`R3/PT1H`, as the modeler writes it) fires each time it comes round, through
the sweep: a `timer_fired` event each time, its row armed again until the last."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from tests.conftest import SKTM_APPLICANT

DIAGRAM = Path(__file__).resolve().parents[2] / "fixtures" / "designer" / "uji-siklus.bpmn"


def test_a_cycle_fires_three_times_each_logged_then_stops(users: dict[str, Any], deployed: Any) -> None:
    from portal.workflow.models import InstanceEvent, TimerSchedule
    from portal.workflow.services.definitions import definitions_deploy
    from portal.workflow.services.registration import request_register
    from portal.workflow.services.timers import timers_fire_due

    definitions_deploy(files=[("uji-siklus.bpmn", DIAGRAM.read_bytes())], by_name="perancang1", note="uji")
    instance = request_register(service_code="uji-siklus", applicant=SKTM_APPLICANT, data={}, actor=users["loket1"])
    start = instance.created_at
    fired = [timers_fire_due(now=start + timedelta(hours=hours, minutes=1)) for hours in range(1, 6)]
    assert fired == [1, 1, 1, 0, 0]
    events = InstanceEvent.objects.filter(instance=instance, type="timer_fired").order_by("seq")
    assert [e.payload["bpmn_id"] for e in events] == ["Ingatkan"] * 3
    assert [e.payload["due_at"][:16] for e in events] == [
        (start + timedelta(hours=n)).isoformat()[:16] for n in (1, 2, 3)
    ]
    row = TimerSchedule.objects.get(instance=instance)
    assert row.fired_at is not None  # the last time round: nothing more armed
