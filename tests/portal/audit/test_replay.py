"""Replay: a request's recorded commands run again give back what was recorded, and an altered event
or an altered stored definition shows as a divergence at its event."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from portal.audit.replay import request_replay
from portal.workflow import audit_sql
from portal.workflow.models import InstanceEvent, ProcessDefinition, ProcessInstance
from tests.portal.delegation.flow import sktm_at_signing


def _finished(users: dict[str, Any], api: Any, name: str = "Siti Aminah") -> ProcessInstance:
    from tests.portal.citizen.conftest import HANDOVER, complete

    step = sktm_at_signing(users, name=name)
    tn = step.instance.tracking_number
    complete(api, "camat1", tn, "Task_TandatanganCamat", {"keputusan": "kembalikan", "catatan_camat": "Perbaiki"})
    for username, bpmn_id, data in [("kasi1", "Task_SusunDraf", {"isi_keterangan": "Benar tidak mampu."}),
                                    ("sekcam1", "Task_ParafSekcam", {"hasil_paraf": "setuju"}),
                                    ("camat1", "Task_TandatanganCamat", {"keputusan": "setuju"}),
                                    ("loket1", "Task_PenyerahanSurat", HANDOVER)]:  # fmt: skip
        complete(api, username, tn, bpmn_id, data)
    return ProcessInstance.objects.get(tracking_number=tn)


def _replay(*args: str) -> tuple[int, list[str]]:
    out = io.StringIO()
    try:
        call_command("audit_replay", *args, stdout=out)
        return 0, out.getvalue().splitlines()
    except CommandError as exc:
        return exc.returncode, out.getvalue().splitlines()


def test_a_finished_and_a_running_request_replay_without_divergence(
    users: dict[str, Any], deployed: Any, api: Any
) -> None:
    finished = _finished(users, api)
    running = sktm_at_signing(users, name="Budi Santoso").instance

    assert finished.status == "completed" and request_replay(finished) is None
    assert request_replay(running) is None
    assert _replay("--all") == (0, ["2 requests replayed: 0 diverged"])


def test_an_altered_event_diverges_at_it(users: dict[str, Any], deployed: Any, api: Any) -> None:
    instance = _finished(users, api)
    event = InstanceEvent.objects.get(instance=instance, type="human_task_completed", bpmn_id="Task_VerifikasiData")
    payload = {**event.payload, "data": {**event.payload["data"], "hasil_verifikasi": "tidak_memenuhi"}}
    audit_sql.execute(connection, audit_sql.DROP)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {audit_sql.INSTANCE_EVENTS} SET payload = %s WHERE id = %s", [json.dumps(payload), event.pk]
        )

    divergence = request_replay(instance)

    assert divergence is not None and divergence.seq is not None and divergence.seq > event.seq
    code, lines = _replay(instance.tracking_number)
    assert code == 1 and lines[0].startswith(f"{instance.tracking_number}#{divergence.seq}: ")


def test_an_altered_stored_definition_diverges_at_the_start(users: dict[str, Any], deployed: Any, api: Any) -> None:
    instance = _finished(users, api)
    ProcessDefinition.objects.filter(pk=instance.definition_id).update(
        bpmn_source=instance.definition.bpmn_source.replace("Tandatangani SKTM", "Tandatangani SKTM (ubah)")
    )

    divergence = request_replay(instance)

    assert divergence is not None and divergence.seq == 1 and "definisi proses" in divergence.message


@pytest.mark.parametrize("args", [[], ["--all", "X"]])
def test_the_command_wants_numbers_or_all(db: Any, args: list[str]) -> None:
    assert _replay(*args)[0] == 2


def test_a_signature_whose_letter_number_is_gone_from_the_log_diverges(
    users: dict[str, Any], deployed: Any, api: Any
) -> None:
    instance = _finished(users, api)
    numbered = InstanceEvent.objects.get(instance=instance, type="letter_numbered")
    audit_sql.execute(connection, audit_sql.DROP)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {audit_sql.INSTANCE_EVENTS} WHERE id = %s", [numbered.pk])

    divergence = request_replay(instance)

    assert divergence is not None and divergence.seq == numbered.seq - 1  # the camat's signature before it
    assert "surat" in divergence.message
