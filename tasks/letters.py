"""Drawing signed letters' PDFs outside the signing command. Idempotent: safe to run twice."""

from __future__ import annotations

from .celery import Sweep, app


@app.task(name="tasks.letters.render_pending_letters_task", base=Sweep)
def render_pending_letters_task() -> int:
    from portal.letters.services import letters_render_pending

    return letters_render_pending(older_than_seconds=0)
