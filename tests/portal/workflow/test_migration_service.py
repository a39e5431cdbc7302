"""Moving running sktm requests onto the version without the sekcam's initials: the dry run's
verdicts, moving a selection each in its own transaction (one that fails leaves the others moved
and itself unchanged), the rows and events that follow, undoing a move, the command line, and
replay across the move."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.migration_setup import sktm_at, sktm_shortened_deploy, step_complete

WAITS = ["Task_PeriksaKelengkapan", "Task_VerifikasiData", "Task_SusunDraf", "Task_TandatanganCamat",
         "Task_ParafSekcam"]  # fmt: skip


@pytest.fixture
def five(users: dict[str, Any], deployed: Any) -> dict[str, Any]:
    """Five running sktm requests on version 1 (one per waiting step), then version 2 deployed."""
    requests = {bpmn_id: sktm_at(users, bpmn_id) for bpmn_id in WAITS}
    new = sktm_shortened_deploy(users["perancang1"])
    assert (deployed["sktm"].version, new.version) == (1, 2)
    return {"old": deployed["sktm"], "new": new, "requests": requests}


def _fresh(instance: Any) -> Any:
    from portal.workflow.models import ProcessInstance

    return ProcessInstance.objects.select_related("definition").get(pk=instance.pk)


def test_dry_run_finds_four_safe_and_refuses_the_one_at_the_removed_step(five: dict[str, Any]) -> None:
    from portal.workflow.migration_plans import migration_dry_run
    from portal.workflow.models import InstanceEvent

    before = InstanceEvent.objects.count()
    verdicts = {v.tracking_number: v for v in migration_dry_run(five["old"], five["new"])}
    requests = five["requests"]
    assert set(verdicts) == {r.tracking_number for r in requests.values()}
    for bpmn_id, instance in requests.items():
        verdict = verdicts[instance.tracking_number]
        assert verdict.safe is (bpmn_id != "Task_ParafSekcam"), (bpmn_id, verdict)
    refused = verdicts[requests["Task_ParafSekcam"].tracking_number]
    assert "tidak ada lagi di versi tujuan" in refused.reasons[0]
    assert "Paraf" in " ".join(refused.waiting)
    assert InstanceEvent.objects.count() == before  # a dry run writes nothing


def test_the_safe_four_move_skip_the_sekcam_and_the_fifth_finishes_on_the_old_version(
    users: dict[str, Any], five: dict[str, Any]
) -> None:
    from portal.workflow.models import HumanTask, InstanceEvent, InstanceMigration
    from portal.workflow.services.migration import instances_migrate

    requests, new = five["requests"], five["new"]
    safe = [r for bpmn_id, r in requests.items() if bpmn_id != "Task_ParafSekcam"]
    steps_before = {r.pk: list(HumanTask.objects.filter(instance=r).values_list("pk", "task_guid", "status"))
                    for r in safe}  # fmt: skip
    report = instances_migrate(instance_ids=[r.pk for r in requests.values()], to_definition_id=new.pk,
                               actor=users["perancang1"])  # fmt: skip
    assert sorted(report.moved) == sorted(r.tracking_number for r in safe)
    assert list(report.refused) == [requests["Task_ParafSekcam"].tracking_number]
    for instance in safe:
        moved = _fresh(instance)
        assert moved.definition_id == new.pk
        assert (
            list(HumanTask.objects.filter(instance=moved).values_list("pk", "task_guid", "status"))
            == steps_before[instance.pk]
        )  # the waiting step keeps its row and id
        event = InstanceEvent.objects.filter(instance=moved, type="instance_migrated").get()
        assert event.actor_username == "perancang1"
        assert (event.payload["from_version"], event.payload["to_version"]) == (1, 2)
        assert (event.payload["from_sha256"], event.payload["to_sha256"]) == (five["old"].sha256, new.sha256)
        record = InstanceMigration.objects.get(instance=moved)
        assert record.migrated_seq == event.seq and record.head_seq == moved.last_event_seq
        done = [step_complete(users, moved) for _ in range(6) if _fresh(moved).status == "running"]
        assert "Task_ParafSekcam" not in done and done[-1] == "Task_PenyerahanSurat"
        assert _fresh(moved).status == "completed"
    stayed = _fresh(requests["Task_ParafSekcam"])
    assert stayed.definition_id == five["old"].pk
    assert [step_complete(users, stayed) for _ in range(3)] == [
        "Task_ParafSekcam", "Task_TandatanganCamat", "Task_PenyerahanSurat"]  # fmt: skip
    assert _fresh(stayed).status == "completed"


def test_one_that_fails_to_move_is_left_unchanged_and_the_others_move(
    users: dict[str, Any], five: dict[str, Any]
) -> None:
    from portal.workflow.models import InstanceEvent, ProcessInstance
    from portal.workflow.services.migration import instances_migrate

    requests = five["requests"]
    broken = requests["Task_VerifikasiData"]
    state = dict(_fresh(broken).state)
    # The stored state of one request is damaged for real: its task tree points nowhere.
    damaged = {**state, "root": "00000000-0000-0000-0000-000000000000", "tasks": {}}
    ProcessInstance.objects.filter(pk=broken.pk).update(state=damaged)
    head = _fresh(broken).last_event_seq
    others = [r for bpmn_id, r in requests.items() if bpmn_id not in ("Task_ParafSekcam", "Task_VerifikasiData")]
    report = instances_migrate(instance_ids=[broken.pk, *(r.pk for r in others)], to_definition_id=five["new"].pk,
                               actor=users["perancang1"])  # fmt: skip
    assert sorted(report.moved) == sorted(r.tracking_number for r in others)
    assert "tidak dapat dipindahkan" in report.refused[broken.tracking_number]
    after = _fresh(broken)
    assert (after.definition_id, after.status, after.last_event_seq, after.state) == (
        five["old"].pk, "running", head, damaged)  # fmt: skip
    assert not InstanceEvent.objects.filter(instance=broken, type__in=["instance_migrated", "instance_failed"]).exists()


def test_a_move_is_undone_while_nothing_new_has_happened(users: dict[str, Any], five: dict[str, Any]) -> None:
    from portal.audit.replay import _without_clock
    from portal.core.errors import Conflict
    from portal.workflow.models import HumanTask, InstanceEvent
    from portal.workflow.services.migration import instance_migrate, instance_migration_revert

    instance = five["requests"]["Task_SusunDraf"]
    state_before = _fresh(instance).state
    instance_migrate(instance_id=instance.pk, to_definition_id=five["new"].pk, actor=users["perancang1"])
    instance_migration_revert(instance_id=instance.pk, actor=users["perancang1"])
    back = _fresh(instance)
    assert back.definition_id == five["old"].pk
    # The same state; PostgreSQL's JSON may give the keys a task's data lost in another order.
    assert _without_clock(back.state) == _without_clock(state_before)
    event = InstanceEvent.objects.filter(instance=back).order_by("-seq").first()
    assert event is not None and event.type == "instance_migration_reverted"
    assert (event.payload["from_version"], event.payload["to_version"]) == (2, 1)
    with pytest.raises(Conflict):  # nothing left to undo
        instance_migration_revert(instance_id=instance.pk, actor=users["perancang1"])
    assert step_complete(users, back) == "Task_SusunDraf"
    assert HumanTask.objects.filter(instance=back, status="ready").get().bpmn_id == "Task_ParafSekcam"

    again = five["requests"]["Task_PeriksaKelengkapan"]
    instance_migrate(instance_id=again.pk, to_definition_id=five["new"].pk, actor=users["perancang1"])
    step_complete(users, _fresh(again))
    with pytest.raises(Conflict, match="sudah bergerak"):
        instance_migration_revert(instance_id=again.pk, actor=users["perancang1"])
    assert _fresh(again).definition_id == five["new"].pk


def test_only_designers_move_requests_and_wrong_targets_are_refused(
    users: dict[str, Any], five: dict[str, Any], deployed: Any
) -> None:
    from portal.core.errors import Conflict, NotAllowed, NotFound
    from portal.workflow.models import InstanceEvent
    from portal.workflow.services.migration import instance_migrate, instance_migration_revert

    instance = five["requests"]["Task_PeriksaKelengkapan"]
    events = InstanceEvent.objects.count()
    with pytest.raises(NotAllowed):
        instance_migrate(instance_id=instance.pk, to_definition_id=five["new"].pk, actor=users["loket1"])
    with pytest.raises(NotAllowed):
        instance_migration_revert(instance_id=instance.pk, actor=users["camat1"])
    with pytest.raises(Conflict, match="layanan lain"):
        instance_migrate(instance_id=instance.pk, to_definition_id=deployed["sku"].pk, actor=users["perancang1"])
    with pytest.raises(Conflict, match="sudah berjalan pada versi"):
        instance_migrate(instance_id=instance.pk, to_definition_id=five["old"].pk, actor=users["perancang1"])
    with pytest.raises(NotFound):
        instance_migrate(instance_id=instance.pk, to_definition_id=10**9, actor=users["perancang1"])
    assert InstanceEvent.objects.count() == events
    assert _fresh(instance).definition_id == five["old"].pk


def test_the_camats_reminder_keeps_its_due_time(users: dict[str, Any], five: dict[str, Any]) -> None:
    from portal.workflow.models import TimerSchedule
    from portal.workflow.services.migration import instance_migrate

    instance = five["requests"]["Task_TandatanganCamat"]
    timers = list(TimerSchedule.objects.filter(instance=instance).values_list("task_guid", "bpmn_id", "due_at"))
    instance_migrate(instance_id=instance.pk, to_definition_id=five["new"].pk, actor=users["perancang1"])
    assert list(TimerSchedule.objects.filter(instance=instance).values_list("task_guid", "bpmn_id", "due_at")) == timers


def test_process_migrate_lists_verdicts_then_moves_the_safe_ones(users: dict[str, Any], five: dict[str, Any]) -> None:
    out = StringIO()
    call_command("process_migrate", "sktm", "--from", "1", "--to", "2", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "4 of 5 running requests" in text
    assert text.count("\tsafe") == 4 and text.count("refused:") == 1
    assert all(_fresh(r).definition_id == five["old"].pk for r in five["requests"].values())
    out = StringIO()
    call_command("process_migrate", "sktm", "--from", "1", "--to", "2", "--by", "perancang1", stdout=out)
    assert "moved 4 requests" in out.getvalue()
    moved = {bpmn_id: _fresh(r).definition_id == five["new"].pk for bpmn_id, r in five["requests"].items()}
    assert moved == {bpmn_id: bpmn_id != "Task_ParafSekcam" for bpmn_id in WAITS}
    with pytest.raises(CommandError):
        call_command("process_migrate", "sktm", "--from", "1", "--to", "9", stdout=StringIO())
    with pytest.raises(CommandError):  # the one at the removed step, asked for by name, does not move
        call_command("process_migrate", "sktm", "--from", "1", "--to", "2", "--request",
                     five["requests"]["Task_ParafSekcam"].tracking_number, stdout=StringIO())  # fmt: skip


def test_replay_runs_across_a_move_and_its_undoing(users: dict[str, Any], five: dict[str, Any]) -> None:
    from portal.audit.replay import request_replay
    from portal.workflow.services.migration import instance_migrate, instance_migration_revert

    moved, undone = five["requests"]["Task_VerifikasiData"], five["requests"]["Task_SusunDraf"]
    for instance in (moved, undone):
        instance_migrate(instance_id=instance.pk, to_definition_id=five["new"].pk, actor=users["perancang1"])
    instance_migration_revert(instance_id=undone.pk, actor=users["perancang1"])
    assert request_replay(_fresh(moved)) is None and request_replay(_fresh(undone)) is None  # still running
    for instance in (moved, undone):
        while _fresh(instance).status == "running":
            step_complete(users, _fresh(instance))
        assert request_replay(_fresh(instance)) is None
    from portal.audit.sealing import log_seal
    from portal.audit.verification import log_verify

    log_seal()
    report = log_verify(verifiers=[])
    assert report.findings == [], report.findings  # the log, its seals and the page rows agree after the moves


def test_one_whose_rows_disagree_with_its_state_is_left_and_the_others_move(
    users: dict[str, Any], deployed: Any
) -> None:
    from portal.workflow.models import ProcessInstance
    from portal.workflow.services.migration import instances_migrate

    behind, other = sktm_at(users, "Task_PeriksaKelengkapan"), sktm_at(users, "Task_SusunDraf")
    earlier = _fresh(behind).state
    step_complete(users, _fresh(behind))
    # Its state is put back one step while its rows moved on: the move would open a step whose row exists.
    ProcessInstance.objects.filter(pk=behind.pk).update(state=earlier)
    new = sktm_shortened_deploy(users["perancang1"])
    report = instances_migrate(instance_ids=[behind.pk, other.pk], to_definition_id=new.pk, actor=users["perancang1"])
    assert report.moved == [other.tracking_number]
    assert "tidak dapat dipindahkan" in report.refused[behind.tracking_number]
    assert (_fresh(behind).definition_id, _fresh(behind).status) == (deployed["sktm"].pk, "running")
