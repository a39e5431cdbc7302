"""The transparency log's clocks: seal committed events each minute, issue a checkpoint every few
minutes when the tree has grown, verify everything each night. Idempotent: safe to run twice."""

from __future__ import annotations

from .celery import Sweep, app


@app.task(name="tasks.audit.seal_task", base=Sweep)
def seal_task() -> int:
    from portal.audit.sealing import log_seal

    return log_seal()


@app.task(name="tasks.audit.checkpoint_task", base=Sweep)
def checkpoint_task() -> int | None:
    from portal.audit.checkpoints import checkpoint_issue

    checkpoint = checkpoint_issue(only_if_grown=True)
    return None if checkpoint is None else checkpoint.size


@app.task(name="tasks.audit.verify_task", base=Sweep)
def verify_task() -> int:
    from portal.audit.services import verification_run

    _run, report = verification_run(trigger="beat")
    return len(report.findings)
