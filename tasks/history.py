"""The nightly archive: finished requests leave the hot tables. Idempotent: safe to run twice."""

from __future__ import annotations

from .celery import Sweep, app

# Requests one run moves at most: a backlog (switching archiving on over years of history) is worked
# off over several nights, or at once with `manage.py archive_history --limit N`.
NIGHTLY_LIMIT = 5000


@app.task(name="tasks.history.archive_history_task", base=Sweep)
def archive_history_task(limit: int = NIGHTLY_LIMIT) -> int:
    from portal.workflow.services.archive import requests_archive

    return requests_archive(limit=limit)
