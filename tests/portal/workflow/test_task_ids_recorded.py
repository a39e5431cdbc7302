"""A request's task ids come from a seed recorded when it starts, so replaying its log repeats them."""

from __future__ import annotations

import uuid
from typing import Any

from engine.ids import NAMESPACE
from tests.portal.delegation.flow import sktm_at_signing


def test_the_seed_is_in_the_first_event_and_every_step_id_is_drawn_from_it(
    users: dict[str, Any], deployed: Any
) -> None:
    from portal.workflow.models import HumanTask, InstanceEvent

    step = sktm_at_signing(users)
    started = InstanceEvent.objects.get(instance=step.instance, seq=1)
    seed = started.payload["task_id_seed"]
    assert len(seed) == 32

    drawn = {str(uuid.uuid5(NAMESPACE, f"{seed}/{n}")) for n in range(200)}
    guids = set(HumanTask.objects.filter(instance=step.instance).values_list("task_guid", flat=True))
    assert len(guids) == 5 and guids <= drawn
    other = sktm_at_signing(users, name="Budi Santoso")
    assert InstanceEvent.objects.get(instance=other.instance, seq=1).payload["task_id_seed"] != seed
