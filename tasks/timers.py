"""Timer sweep: fires due BPMN timers. Safe to run twice or on several workers at once."""

from __future__ import annotations

from django.conf import settings

from .celery import Sweep, app


@app.task(name="tasks.timers.fire_due_timers_task", base=Sweep)
def fire_due_timers_task() -> int:
    from portal.workflow.services.timers import timers_fire_due

    # A long backlog is worked off over several sweeps instead of one that outlives its schedule.
    return timers_fire_due(budget_seconds=settings.PATEN_TIMER_SWEEP_BUDGET)
