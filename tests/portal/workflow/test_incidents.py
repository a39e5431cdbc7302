"""A diagram that fails makes its request an incident: recorded, skipped by sweeps, retried once fixed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import SKTM_APPLICANT
from tests.portal.workflow.incident_flow import FIXED, T0, deploy
from tests.scenario import catalogue_parts


def test_an_engine_failure_in_a_timer_sweep_becomes_an_incident_with_its_error(failed: Any) -> None:
    from portal.workflow.events import chain_verify
    from portal.workflow.models import InstanceEvent, TimerSchedule
    from portal.workflow.selectors import incidents

    assert failed.status == "failed" and failed.failed_at == T0 + timedelta(hours=2)
    assert failed.failure["command"] == "timers_fire" and failed.failure["element"] == "Hitung"
    assert "tarif_yang_tidak_ada" in failed.failure["error"]
    assert list(incidents()) == [failed]
    types = list(InstanceEvent.objects.filter(instance=failed).order_by("seq").values_list("type", flat=True))
    assert types == ["instance_started", "instance_failed"]  # the firing itself left nothing behind
    assert TimerSchedule.objects.get(instance=failed).fired_at is None
    assert chain_verify(failed) == []


def test_later_sweeps_skip_an_incident(failed: Any) -> None:
    from portal.workflow.models import InstanceEvent
    from portal.workflow.services.timers import instance_timers_fire, timers_fire_due

    events = InstanceEvent.objects.filter(instance=failed).count()
    for hours in (3, 4, 5):
        assert timers_fire_due(now=T0 + timedelta(hours=hours)) == 0
    assert instance_timers_fire(instance_id=failed.pk, now=T0 + timedelta(hours=6)) == 0
    failed.refresh_from_db()
    assert failed.status == "failed"
    assert InstanceEvent.objects.filter(instance=failed).count() == events  # not retried at every beat


def test_a_retry_after_the_definition_is_fixed_completes_the_request_once(failed: Any, users: Any) -> None:
    from portal.workflow.events import chain_verify
    from portal.workflow.models import InstanceEvent
    from portal.workflow.services.incidents import instance_retry
    from portal.workflow.services.timers import timers_fire_due

    fixed = deploy(FIXED, note="tarif tetap nol")
    assert fixed.version == failed.definition.version + 1
    retried = instance_retry(instance_id=failed.pk, actor=users["admin"], now=T0 + timedelta(hours=3))
    assert retried.status == "completed" and retried.definition_id == fixed.pk
    assert retried.failure is None and retried.outcome_bpmn_id == "Selesai"
    events = InstanceEvent.objects.filter(instance=retried).order_by("seq")
    types = list(events.values_list("type", flat=True))
    assert types == ["instance_started", "instance_failed", "instance_retried", "timer_fired", "instance_completed"]
    retry = events.get(type="instance_retried")
    assert retry.actor_username == "admin" and retry.payload["to_version"] == fixed.version
    assert timers_fire_due(now=T0 + timedelta(hours=9)) == 0  # fired once
    assert InstanceEvent.objects.filter(instance=retried, type="timer_fired").count() == 1
    assert chain_verify(retried) == []


def test_a_retry_on_a_still_broken_definition_leaves_the_incident_open(failed: Any, users: Any) -> None:
    from portal.core.errors import ProcessFailed
    from portal.workflow.models import InstanceEvent
    from portal.workflow.services.incidents import instance_retry

    with pytest.raises(ProcessFailed):
        instance_retry(instance_id=failed.pk, actor=users["admin"], now=T0 + timedelta(hours=3))
    failed.refresh_from_db()
    assert failed.status == "failed" and failed.failed_at == T0 + timedelta(hours=3)
    failures = InstanceEvent.objects.filter(instance=failed, type="instance_failed")
    assert [e.actor_username for e in failures.order_by("seq")] == ["", "admin"]


def test_only_an_admin_retries_or_cancels_and_cancelling_needs_a_reason(failed: Any, users: Any) -> None:
    from portal.core.errors import InvalidInput, NotAllowed
    from portal.workflow.models import InstanceEvent, TimerSchedule
    from portal.workflow.services.incidents import instance_cancel, instance_retry

    with pytest.raises(NotAllowed):
        instance_retry(instance_id=failed.pk, actor=users["loket1"])
    with pytest.raises(NotAllowed):
        instance_cancel(instance_id=failed.pk, actor=users["camat1"], reason="x")
    with pytest.raises(InvalidInput):
        instance_cancel(instance_id=failed.pk, actor=users["admin"], reason="  ")
    cancelled = instance_cancel(instance_id=failed.pk, actor=users["admin"], reason="Tarif belum ditetapkan bupati")
    assert cancelled.status == "cancelled" and "Tarif belum ditetapkan" in cancelled.outcome_name
    assert TimerSchedule.objects.get(instance=failed).cancelled_at is not None
    event = InstanceEvent.objects.get(instance=failed, type="instance_cancelled")
    assert event.payload == {"reason": "Tarif belum ditetapkan bupati"}


def test_an_officer_cannot_act_on_an_incident(failed: Any, users: Any) -> None:
    from portal.core.errors import Conflict
    from portal.workflow.services.registration import access_pin_reissue

    # Reissuing the applicant's PIN is still possible; advancing the request is not (no open steps here).
    assert access_pin_reissue(tracking_number=failed.tracking_number, actor=users["loket1"]).access_pin
    from portal.workflow.commands import instance_command

    with pytest.raises(Conflict), instance_command(failed.pk, name="test"):
        pass


def test_a_failed_completeness_check_is_retried_with_its_checklist(users: Any, deployed: Any) -> None:
    """The failure undid the checklist with the step; the retry marks it again, as the counter gave it."""
    from portal.documents.models import RequirementCheck
    from portal.officework.services import completeness_step_complete
    from portal.workflow.enums import OPEN_HUMAN_TASK
    from portal.workflow.models import HumanTask
    from portal.workflow.services.definitions import definitions_deploy
    from portal.workflow.services.incidents import instance_retry
    from portal.workflow.services.registration import request_register
    from tests.conftest import ROOT

    source = (ROOT / "processes" / "sktm.bpmn").read_text(encoding="utf-8")
    good = 'hasil_pemeriksaan == "lengkap"'
    assert good in source
    definitions_deploy(
        files=[*catalogue_parts(), ("sktm.bpmn", source.replace(good, "hasil_pemeriksaan == tarif_tidak_ada").encode())]
    )
    instance = request_register(service_code="sktm", applicant=SKTM_APPLICANT, data={"keperluan": "Beasiswa"},
                                actor=users["loket1"])  # fmt: skip
    step = HumanTask.objects.get(instance=instance, bpmn_id="Task_PeriksaKelengkapan", status__in=OPEN_HUMAN_TASK)
    items = {
        "pengantar_desa": "received",
        "ktp": "received",
        "kk": "received",
        "surat_pernyataan_tidak_mampu": "received",
    }
    from portal.core.errors import ProcessFailed

    with pytest.raises(ProcessFailed):
        completeness_step_complete(
            human_task_id=step.pk, actor=users["loket1"], data={"hasil_pemeriksaan": "lengkap"}, items=items
        )
    instance.refresh_from_db()
    assert instance.status == "failed" and instance.failure["args"]["items"] == items
    assert not RequirementCheck.objects.filter(instance=instance).exists()  # undone with the step

    definitions_deploy(
        files=[*catalogue_parts(), ("sktm.bpmn", source.replace(good, "hasil_pemeriksaan == 'lengkap'").encode())]
    )
    retried = instance_retry(instance_id=instance.pk, actor=users["admin"])
    assert retried.status == "running"
    checks = {
        c.requirement_code: (c.status, c.checked_by.username)
        for c in RequirementCheck.objects.filter(instance=instance)
    }
    assert checks == dict.fromkeys(items, ("received", "loket1"))
    assert HumanTask.objects.get(pk=step.pk).status == "completed"
    assert HumanTask.objects.filter(
        instance=instance, bpmn_id="Task_VerifikasiData", status__in=OPEN_HUMAN_TASK
    ).exists()
