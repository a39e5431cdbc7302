"""Housekeeping of what every app shares. Idempotent: safe to run twice."""

from __future__ import annotations

from .celery import Sweep, app


@app.task(name="tasks.core.prune_attempts_task", base=Sweep)
def prune_attempts_task() -> int:
    """Forget throttle tries older than a day (logins, tracking PINs, anonymous submissions)."""
    from portal.core.throttle import attempts_prune

    return attempts_prune()
