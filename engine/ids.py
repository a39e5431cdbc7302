"""Task ids that come out the same when a request's commands are run again.

SpiffWorkflow gives every task it creates a random UUID. A request's steps are known outside the
engine by those ids (the portal's step rows and events name them), so re-running the recorded
commands from the start (replay) could never produce the same request. Here each instance draws
its tasks' ids from a counter under a seed (the portal uses the tracking number): the n-th task
the instance ever creates is uuid5(NAMESPACE, "<seed>/<n>"), and the counter is kept in the
instance's stored state. The same commands on the same definition create the same tasks in the
same order, so the ids repeat. An instance stored before this (no seed) keeps random ids.

SpiffWorkflow's Task takes `uuid4` from its module; `install` points that name at `next_id`,
which draws from the source the running command set (a context variable), else falls back to a
random UUID, as before.
"""

from __future__ import annotations

import contextlib
import contextvars
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

NAMESPACE = uuid.UUID("8f6f2f4e-3d0a-5c1b-9a7e-70a7e4a2c001")
STATE_KEY = "paten_task_ids"


@dataclass
class IdSource:
    """The seed and the number of ids drawn so far."""

    seed: str
    drawn: int = 0

    def __call__(self) -> uuid.UUID:
        value = uuid.uuid5(NAMESPACE, f"{self.seed}/{self.drawn}")
        self.drawn += 1
        return value

    def to_dict(self) -> dict[str, Any]:
        return {"seed": self.seed, "drawn": self.drawn}

    @classmethod
    def from_dict(cls, data: Any) -> IdSource | None:
        if not isinstance(data, dict) or not isinstance(data.get("seed"), str):
            return None
        drawn = data.get("drawn")
        return cls(data["seed"], drawn if isinstance(drawn, int) and drawn >= 0 else 0)


_SOURCE: contextvars.ContextVar[IdSource | None] = contextvars.ContextVar("paten_task_ids", default=None)


def next_id() -> uuid.UUID:
    source = _SOURCE.get()
    return source() if source is not None else uuid.uuid4()


@contextlib.contextmanager
def drawing_from(source: IdSource | None) -> Iterator[None]:
    """Tasks created inside take their ids from `source` (random ones when None)."""
    token = _SOURCE.set(source)
    try:
        yield
    finally:
        _SOURCE.reset(token)


def install() -> None:
    import SpiffWorkflow.task

    SpiffWorkflow.task.uuid4 = next_id
