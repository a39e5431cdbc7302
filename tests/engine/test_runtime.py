"""Running an instance: start, complete, dump and restore, timers on the clock passed in."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

import engine
from tests.engine.samples import START_DATA, T0, load

HOUR = timedelta(hours=1)


@pytest.fixture(scope="module")
def definition() -> engine.Definition:
    return load()


def _restored(definition: engine.Definition, instance: engine.Instance) -> engine.Instance:
    """Save to JSON and back, as the portal does between commands."""
    return engine.Instance.restore(definition, json.loads(json.dumps(instance.dump())))


def _start(definition: engine.Definition) -> engine.Instance:
    return engine.Instance.start(definition, dict(START_DATA), now=T0)


def _at_camat(definition: engine.Definition, now: datetime) -> engine.Instance:
    instance = _start(definition)
    (counter,) = instance.ready_human_tasks()
    instance.complete_human_task(counter.guid, {"hasil": "lengkap"}, now=now)
    return instance


def test_start_waits_for_the_counter_with_its_form(definition: engine.Definition) -> None:
    # when an instance starts with the request data
    instance = _start(definition)

    # then the counter's check is the only ready step, with its role and form, and nothing else runs
    (task,) = instance.ready_human_tasks()
    assert (task.bpmn_id, task.name, task.role) == ("Task_Periksa", "Periksa berkas", "loket")
    assert [f.id for f in task.form.fields] == ["hasil", "catatan"]
    assert instance.status is engine.InstanceStatus.RUNNING
    assert instance.waiting_timers() == []
    assert instance.data == START_DATA


def test_completing_steps_drives_the_process_to_its_end(definition: engine.Definition) -> None:
    # given a started instance, saved and restored before every command
    instance = _restored(definition, _start(definition))
    (counter,) = instance.ready_human_tasks()

    # when the counter completes with lengkap and the camat approves
    cleaned = instance.complete_human_task(counter.guid, {"hasil": "lengkap"}, now=T0 + HOUR)
    instance = _restored(definition, instance)
    (camat,) = instance.ready_human_tasks()
    instance.complete_human_task(camat.guid, {"setuju": "true", "tanggal_surat": "2026-03-03"}, now=T0 + 2 * HOUR)

    # then the cleaned form data went into the process, and it ended at Selesai
    assert cleaned == {"hasil": "lengkap", "catatan": None}
    assert camat.role == "camat"
    assert instance.status is engine.InstanceStatus.COMPLETED
    assert instance.ready_human_tasks() == []
    assert instance.end_event() == ("EndEvent_Selesai", "Selesai")
    assert instance.data["setuju"] is True and instance.data["tanggal_surat"] == "2026-03-03"
    assert instance.data["total"] == 6


def test_the_default_flow_ends_elsewhere(definition: engine.Definition) -> None:
    instance = _start(definition)
    (counter,) = instance.ready_human_tasks()
    instance.complete_human_task(counter.guid, {"hasil": "tidak_lengkap", "catatan": "KK belum ada"}, now=T0)
    assert instance.end_event() == ("EndEvent_Ditolak", "Berkas dikembalikan")
    assert "total" not in instance.data


def test_dump_holds_no_spec_and_restores_to_the_same_state(definition: engine.Definition) -> None:
    # given an instance waiting at a user task with an armed timer
    instance = _at_camat(definition, T0)

    # when dumped
    state = instance.dump()
    text = json.dumps(state)

    # then it is JSON, carries the serializer version, and leaves the spec to the definition
    assert "spec" not in state and "subprocess_specs" not in state
    assert state["serializer_version"] == engine.SERIALIZER_VERSION
    assert len(text) < len(json.dumps(engine.definition_to_dict(definition)))
    # and a restore gives the same state, the same ready tasks and the same timers
    restored = engine.Instance.restore(definition, json.loads(text))
    assert json.loads(json.dumps(restored.dump())) == json.loads(text)
    assert restored.ready_human_tasks() == instance.ready_human_tasks()
    assert restored.waiting_timers() == instance.waiting_timers()


def _keys_reordered(value: Any, key: Any) -> Any:
    if isinstance(value, dict):
        return {k: _keys_reordered(value[k], key) for k in sorted(value, key=key)}
    if isinstance(value, list):
        return [_keys_reordered(v, key) for v in value]
    return value


@pytest.mark.parametrize("tasks_reversed", [False, True], ids=["jsonb", "children-first"])
def test_restore_does_not_depend_on_the_order_of_keys(definition: engine.Definition, tasks_reversed: bool) -> None:
    # Task data is stored as deltas against the parent task; a store that reorders keys (PostgreSQL's
    # jsonb sorts them by length, then bytes) must not lose it.
    instance = _start(definition)
    state = json.loads(json.dumps(instance.dump()))
    if tasks_reversed:
        state["tasks"] = dict(reversed(state["tasks"].items()))
    state = _keys_reordered(state, lambda k: (len(k.encode()), k.encode()))
    reordered = engine.Instance.restore(definition, state)
    (counter,) = reordered.ready_human_tasks()
    reordered.complete_human_task(counter.guid, {"hasil": "lengkap"}, now=T0 + HOUR)
    (signing,) = reordered.ready_human_tasks()
    assert signing.bpmn_id == "Task_Setujui"
    assert reordered.data["keperluan"] == START_DATA["keperluan"] and reordered.data["hasil"] == "lengkap"


def test_a_stored_definition_runs_a_restored_instance(definition: engine.Definition) -> None:
    # given the definition as stored once per version, and an instance's stored state
    stored = engine.definition_from_dict(json.loads(json.dumps(engine.definition_to_dict(definition))))
    state = json.loads(json.dumps(_at_camat(definition, T0).dump()))

    # when restored on the stored definition and completed
    instance = engine.Instance.restore(stored, state)
    (camat,) = instance.ready_human_tasks()
    instance.complete_human_task(camat.guid, {"setuju": False}, now=T0 + HOUR)

    # then it runs as before
    assert instance.end_event() == ("EndEvent_Selesai", "Selesai")
    assert stored.form_for("Task_Setujui") == definition.form_for("Task_Setujui")


def test_state_from_another_serializer_version_is_refused(definition: engine.Definition) -> None:
    state = _start(definition).dump()
    state["serializer_version"] = "0.0-lama"
    with pytest.raises(ValueError, match="serializer"):
        engine.Instance.restore(definition, state)


def test_timer_due_time_comes_from_the_clock_passed_in(definition: engine.Definition) -> None:
    # given the camat's task reached at a time far from the wall clock
    reached = datetime(2031, 7, 1, 2, 15, tzinfo=UTC)
    instance = _at_camat(definition, reached)

    # when the timers are listed (also after a save and restore)
    timers = instance.waiting_timers()

    # then the PT4H escalation is due four hours after that time
    assert [(t.bpmn_id, t.name, t.due_at) for t in timers] == [("Timer_Eskalasi", "4 jam", reached + 4 * HOUR)]
    assert _restored(definition, instance).waiting_timers() == timers


def test_fire_due_timers_before_due_does_nothing(definition: engine.Definition) -> None:
    # given an armed timer due at T0+4h
    instance = _at_camat(definition, T0)
    before = json.dumps(instance.dump(), sort_keys=True)

    # when a sweep runs one second early
    fired = instance.fire_due_timers(now=T0 + 4 * HOUR - timedelta(seconds=1))

    # then nothing fired and nothing changed
    assert fired == []
    assert json.dumps(instance.dump(), sort_keys=True) == before
    assert [h.bpmn_id for h in instance.ready_human_tasks()] == ["Task_Setujui"]


def test_fire_due_timers_at_due_time_escalates(definition: engine.Definition) -> None:
    # given an armed timer due at T0+4h, in a restored instance
    instance = _restored(definition, _at_camat(definition, T0))
    (timer,) = instance.waiting_timers()

    # when a sweep runs exactly at the due time, given in WITA
    fired = instance.fire_due_timers(now=(T0 + 4 * HOUR).astimezone(timezone(timedelta(hours=8))))

    # then the timer fired once, the camat's task is gone and the sekcam signs instead
    assert fired == [engine.FiredTimer(timer.guid, "Timer_Eskalasi", T0 + 4 * HOUR)]
    assert [(h.bpmn_id, h.role) for h in instance.ready_human_tasks()] == [("Task_Eskalasi", "sekcam")]
    assert instance.waiting_timers() == []
    # and a second sweep finds nothing more
    assert instance.fire_due_timers(now=T0 + 5 * HOUR) == []


def test_completing_the_task_cancels_its_boundary_timer(definition: engine.Definition) -> None:
    instance = _at_camat(definition, T0)
    (camat,) = instance.ready_human_tasks()
    instance.complete_human_task(camat.guid, {"setuju": True}, now=T0 + HOUR)
    assert instance.waiting_timers() == []
    assert instance.fire_due_timers(now=T0 + 10 * HOUR) == []
    assert instance.status is engine.InstanceStatus.COMPLETED


def test_naive_datetimes_are_refused_everywhere(definition: engine.Definition) -> None:
    naive = datetime(2026, 3, 2, 8, 30)
    with pytest.raises(ValueError, match="naive"):
        engine.Instance.start(definition, dict(START_DATA), now=naive)

    # given an instance at the camat's task
    instance = _at_camat(definition, T0)
    before = json.dumps(instance.dump(), sort_keys=True)
    (camat,) = instance.ready_human_tasks()

    # when a command passes a naive time
    with pytest.raises(ValueError, match="naive"):
        instance.complete_human_task(camat.guid, {"setuju": True}, now=naive)
    with pytest.raises(ValueError, match="naive"):
        instance.fire_due_timers(now=naive + timedelta(days=1))

    # then nothing changed
    assert json.dumps(instance.dump(), sort_keys=True) == before
    assert instance.ready_human_tasks() == [camat]


def _assert_not_ready(instance: engine.Instance, guid: str) -> None:
    before = json.dumps(instance.dump(), sort_keys=True)
    with pytest.raises(engine.HumanTaskNotReady):
        instance.validate_human_task(guid, {"setuju": True})
    with pytest.raises(engine.HumanTaskNotReady):
        instance.complete_human_task(guid, {"setuju": True}, now=T0)
    assert json.dumps(instance.dump(), sort_keys=True) == before


@pytest.mark.parametrize("what", ["not a uuid", "empty", "sql", "the waiting timer", "the root task"])
def test_a_guid_that_is_not_a_ready_human_task_is_refused(definition: engine.Definition, what: str) -> None:
    # given an instance at the camat's task, and the guid of something that is not a ready human task
    instance = _at_camat(definition, T0)
    guid = {
        "not a uuid": "bukan-guid",
        "empty": "",
        "sql": "1; DROP TABLE x",
        "the waiting timer": instance.waiting_timers()[0].guid,
        "the root task": str(instance.workflow.task_tree.id),
    }[what]

    # when it is validated or completed
    # then HumanTaskNotReady is raised and nothing changed
    _assert_not_ready(instance, guid)


@pytest.mark.parametrize("what", ["random uuid", "another instance's task"])
def test_an_unknown_uuid_is_refused_as_not_ready(definition: engine.Definition, what: str) -> None:
    instance = _at_camat(definition, T0)
    guid = str(uuid.uuid4()) if what == "random uuid" else _start(definition).ready_human_tasks()[0].guid
    _assert_not_ready(instance, guid)


def test_a_completed_task_cannot_be_completed_again(definition: engine.Definition) -> None:
    instance = _start(definition)
    (counter,) = instance.ready_human_tasks()
    instance.complete_human_task(counter.guid, {"hasil": "lengkap"}, now=T0)
    with pytest.raises(engine.HumanTaskNotReady, match=counter.guid):
        instance.complete_human_task(counter.guid, {"hasil": "lengkap"}, now=T0)
    assert [h.bpmn_id for h in instance.ready_human_tasks()] == ["Task_Setujui"]


@pytest.mark.parametrize(
    "data",
    [{}, {"hasil": "mungkin"}, {"hasil": "lengkap", "catatan": 5}, {"hasil": "lengkap", "x": 1}, ["lengkap"]],
)
def test_form_errors_leave_the_task_open_and_the_state_unchanged(definition: engine.Definition, data: Any) -> None:
    # given the counter's task
    instance = _start(definition)
    before = json.dumps(instance.dump(), sort_keys=True)
    (counter,) = instance.ready_human_tasks()

    # when completed with data its form refuses
    with pytest.raises(engine.FormValidationError):
        instance.complete_human_task(counter.guid, copy.deepcopy(data), now=T0)

    # then the task is still ready and nothing changed
    assert instance.ready_human_tasks() == [counter]
    assert json.dumps(instance.dump(), sort_keys=True) == before


def test_validate_human_task_changes_nothing(definition: engine.Definition) -> None:
    instance = _start(definition)
    before = json.dumps(instance.dump(), sort_keys=True)
    (counter,) = instance.ready_human_tasks()
    assert instance.validate_human_task(counter.guid, {"hasil": "lengkap"}) == {"hasil": "lengkap", "catatan": None}
    assert json.dumps(instance.dump(), sort_keys=True) == before
