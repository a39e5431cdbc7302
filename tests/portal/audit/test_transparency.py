"""The transparency log, tampered with for real: rows edited, deleted, reordered, cut off and
rewritten with recomputed hashes, straight in the database with the append-only triggers dropped.
`audit_verify` with a checkpoint issued before the tampering names the request and the event."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from portal.audit import merkle, signed_note
from portal.audit.checkpoints import checkpoint_issue, checkpoint_read
from portal.audit.models import Checkpoint, LogHead, LogLeaf, LogNode
from portal.audit.proofs import node_reader
from portal.audit.sealing import leaf_hash_hex, log_seal
from portal.workflow import audit_sql
from portal.workflow.events import event_hash
from portal.workflow.models import InstanceEvent, ProcessInstance
from tests.portal.delegation.flow import sktm_at_signing


@pytest.fixture
def requests(users: dict[str, Any], deployed: Any, key: str) -> list[ProcessInstance]:
    """Three sktm requests at the camat's signature, every event sealed, and a checkpoint held outside."""
    made = [sktm_at_signing(users, name=name).instance for name in ("Siti Aminah", "Budi Santoso", "Rina Wati")]
    return made


def _verify(*notes: Path) -> tuple[int, list[str]]:
    out = io.StringIO()
    args = [arg for path in notes for arg in ("--checkpoint", str(path))]
    try:
        call_command("audit_verify", *args, stdout=out)
        code = 0
    except CommandError as exc:
        code = exc.returncode
    return code, out.getvalue().splitlines()


def _held(tmp_path: Path) -> Path:
    path = tmp_path / "held.checkpoint"
    call_command("audit_checkpoint", "--out", str(path), stdout=io.StringIO())
    return path


def _sql(statement: str, params: list[Any]) -> None:
    audit_sql.execute(connection, audit_sql.DROP)  # what whoever runs the database can do
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _events(instance: ProcessInstance) -> list[InstanceEvent]:
    return list(InstanceEvent.objects.filter(instance=instance).order_by("seq"))


def _findings(lines: list[str], instance: ProcessInstance) -> list[str]:
    return [line for line in lines if line.startswith(f"{instance.tracking_number}#")]


def test_an_untouched_log_verifies_against_the_checkpoint_held_outside(
    requests: list[ProcessInstance], tmp_path: Path
) -> None:
    held = _held(tmp_path)
    body = checkpoint_read(held.read_text("utf-8"))
    assert body.size == LogLeaf.objects.count() == InstanceEvent.objects.count() > 0

    code, lines = _verify(held)

    assert code == 0, lines
    assert lines[-1].endswith(": 0 findings")


def test_an_edited_payload_is_named(requests: list[ProcessInstance], tmp_path: Path) -> None:
    held = _held(tmp_path)
    target = _events(requests[1])[2]
    edited = json.dumps({"data": "lain"})
    _sql(f"UPDATE {audit_sql.INSTANCE_EVENTS} SET payload = %s WHERE id = %s", [edited, target.pk])

    code, lines = _verify(held)

    assert code == 1
    where = f"{requests[1].tracking_number}#{target.seq}"
    assert f"{where}: isi peristiwa tidak lagi menghasilkan sidiknya (diubah)" in lines
    assert _findings(lines, requests[0]) == [] and _findings(lines, requests[2]) == []


def test_a_deleted_event_is_named(requests: list[ProcessInstance], tmp_path: Path) -> None:
    held = _held(tmp_path)
    target = _events(requests[0])[3]
    _sql(f"DELETE FROM {audit_sql.INSTANCE_EVENTS} WHERE id = %s", [target.pk])

    code, lines = _verify(held)

    assert code == 1
    named = _findings(lines, requests[0])
    where = f"{requests[0].tracking_number}#{target.seq}: "
    assert any(line.startswith(where) and "tidak ada" in line for line in named)
    assert any("dihapus" in line for line in named)


def test_two_events_swapped_are_named(requests: list[ProcessInstance], tmp_path: Path) -> None:
    held = _held(tmp_path)
    first, second = _events(requests[2])[1:3]
    _sql(f"UPDATE {audit_sql.INSTANCE_EVENTS} SET seq = 999999 WHERE id = %s", [first.pk])
    _sql(f"UPDATE {audit_sql.INSTANCE_EVENTS} SET seq = %s WHERE id = %s", [first.seq, second.pk])
    _sql(f"UPDATE {audit_sql.INSTANCE_EVENTS} SET seq = %s WHERE id = %s", [second.seq, first.pk])

    code, lines = _verify(held)

    assert code == 1
    named = _findings(lines, requests[2])
    assert any(line.startswith(f"{requests[2].tracking_number}#{first.seq}: ") and "tautan" in line for line in named)
    assert any("dipindah" in line for line in named)


def test_the_last_events_cut_off_with_the_head_fixed_up_are_named(
    requests: list[ProcessInstance], tmp_path: Path
) -> None:
    held = _held(tmp_path)
    instance = requests[1]
    events = _events(instance)
    keep = events[:-3]
    for gone in events[-3:]:
        _sql(f"DELETE FROM {audit_sql.INSTANCE_EVENTS} WHERE id = %s", [gone.pk])
    _sql("UPDATE workflow_processinstance SET last_event_seq = %s, last_event_hash = %s WHERE id = %s",
         [keep[-1].seq, keep[-1].hash, instance.pk])  # fmt: skip

    code, lines = _verify(held)

    assert code == 1
    named = _findings(lines, instance)
    deleted = {int(line.split(":")[0].split("#")[1]) for line in named if "dihapus" in line}
    assert deleted == {e.seq for e in events[-3:]}


def test_a_chain_rewritten_with_recomputed_hashes_is_named(requests: list[ProcessInstance], tmp_path: Path) -> None:
    held = _held(tmp_path)
    instance = requests[0]
    events = _events(instance)
    prev = events[0].hash
    for event in events[1:]:  # the second event says something else; every hash after it recomputed
        payload = {**event.payload, "data": {"hasil_pemeriksaan": "lengkap", "catatan": "ditulis ulang"}} if (
            event.seq == 2) else event.payload  # fmt: skip
        digest = event_hash(prev_hash=prev, tracking_number=instance.tracking_number, seq=event.seq, type=event.type,
                            actor=event.actor_username, at=event.at.isoformat(), payload=payload)  # fmt: skip
        _sql(f"UPDATE {audit_sql.INSTANCE_EVENTS} SET payload = %s, prev_hash = %s, hash = %s WHERE id = %s",
             [json.dumps(payload), prev, digest, event.pk])  # fmt: skip
        prev = digest
    _sql("UPDATE workflow_processinstance SET last_event_hash = %s WHERE id = %s", [prev, instance.pk])
    assert call_command_quiet_chain_ok(instance)

    code, lines = _verify(held)

    assert code == 1
    assert f"{instance.tracking_number}#2: berbeda dari peristiwa yang disegel (ditulis ulang)" in lines


def call_command_quiet_chain_ok(instance: ProcessInstance) -> bool:
    from portal.workflow.events import chain_verify

    return chain_verify(ProcessInstance.objects.get(pk=instance.pk)) == []  # the old check sees nothing wrong


def test_a_tree_rebuilt_to_hide_the_rewrite_no_longer_gives_the_held_root(
    requests: list[ProcessInstance], tmp_path: Path
) -> None:
    held = _held(tmp_path)
    instance = requests[2]
    event = _events(instance)[1]
    payload = {**event.payload, "actor_note": "disisipkan"}
    digest = event_hash(
        prev_hash=event.prev_hash, tracking_number=instance.tracking_number, seq=event.seq, type=event.type,
        actor=event.actor_username, at=event.at.isoformat(), payload=payload,
    )  # fmt: skip
    _sql(f"UPDATE {audit_sql.INSTANCE_EVENTS} SET payload = %s, hash = %s WHERE id = %s",
         [json.dumps(payload), digest, event.pk])  # fmt: skip
    # the whole log rebuilt from the rewritten events, and the stored checkpoints removed
    _sql("DELETE FROM audit_lognode", [])
    _sql("DELETE FROM audit_logleaf", [])
    _sql("DELETE FROM audit_checkpoint", [])
    _sql("DELETE FROM audit_loghead", [])
    log_seal(now=timezone.now())

    code, lines = _verify(held)

    assert code == 1
    assert any("tidak lagi menghasilkan akar titik periksa" in line and str(held) in line for line in lines), lines


def test_a_forged_checkpoint_is_refused(requests: list[ProcessInstance], tmp_path: Path) -> None:
    held = _held(tmp_path)
    text = held.read_text("utf-8")
    body = checkpoint_read(text)
    forged_body = signed_note.checkpoint_body(body.origin, body.size, merkle.leaf_hash(b"lain"), body.extensions)
    other_key = signed_note.generate_signer(body.origin)
    forged = tmp_path / "forged.checkpoint"
    forged.write_text(signed_note.sign(forged_body, other_key), "utf-8")

    code, lines = _verify(forged)

    assert code == 1
    assert any(line.startswith("-: titik periksa") and str(forged) in line for line in lines), lines


def test_an_event_left_unsealed_too_long_is_named(requests: list[ProcessInstance], tmp_path: Path) -> None:
    held = _held(tmp_path)
    instance = requests[0]
    last = _events(instance)[-1]
    # an extra event slipped in behind the sealer's back, dated an hour ago
    at = timezone.now() - timedelta(hours=1)
    payload: dict[str, Any] = {"note": "sisipan"}
    digest = event_hash(prev_hash=last.hash, tracking_number=instance.tracking_number, seq=last.seq + 1,
                        type="instance_started", actor="", at=at.isoformat(), payload=payload)  # fmt: skip
    InstanceEvent.objects.create(instance=instance, seq=last.seq + 1, type="instance_started", at=at,
                                 payload=payload, prev_hash=last.hash, hash=digest)  # fmt: skip
    _sql("UPDATE workflow_processinstance SET last_event_seq = %s, last_event_hash = %s WHERE id = %s",
         [last.seq + 1, digest, instance.pk])  # fmt: skip

    code, lines = _verify(held)

    assert code == 1
    assert f"{instance.tracking_number}#{last.seq + 1}: peristiwa belum disegel ke dalam log" in lines


def test_sealing_is_idempotent_and_the_stored_nodes_give_the_proofs(requests: list[ProcessInstance]) -> None:
    assert log_seal() == InstanceEvent.objects.count()
    assert log_seal() == 0
    size = LogLeaf.objects.count()
    head = LogHead.objects.get()
    leaves = [bytes.fromhex(h) for h in LogLeaf.objects.order_by("index").values_list("leaf_hash", flat=True)]
    assert head.size == size and merkle.root(leaves) == bytes.fromhex(checkpoint_issue().root_hash)
    assert {n.level for n in LogNode.objects.all()} == {4} and LogNode.objects.count() == size // 16  # tiles
    root = merkle.root(leaves)
    node = node_reader()
    for index in range(size):
        proof = merkle.inclusion_proof(node, index, size)
        assert merkle.verify_inclusion(leaves[index], index, size, proof, root)
    for old in range(0, size + 1, 7):
        proof = merkle.consistency_proof(node, old, size)
        assert merkle.verify_consistency(old, size, merkle.root(leaves[:old]), root, proof)
    event = InstanceEvent.objects.order_by("id").first()
    assert event is not None
    leaf = LogLeaf.objects.get(event_id=event.pk)
    assert leaf.leaf_hash == leaf_hash_hex(event.instance.tracking_number, event.seq, event.hash)


def test_the_checkpoint_is_a_signed_note_with_origin_size_root_and_time(requests: list[ProcessInstance]) -> None:
    checkpoint = checkpoint_issue()
    assert checkpoint is not None and Checkpoint.objects.count() == 1
    lines = checkpoint.note.splitlines()
    assert lines[0] == checkpoint.origin and lines[1] == str(checkpoint.size)
    assert lines[3].startswith("time ") and lines[4] == "" and lines[5].startswith("\u2014 " + checkpoint.origin + " ")
    assert checkpoint_issue(only_if_grown=True) is None  # nothing new to state


def test_the_beat_tasks_seal_issue_and_verify_and_a_failed_night_tells_the_admins(
    requests: list[ProcessInstance], settings: Any, mailoutbox: Any
) -> None:
    from portal.audit.models import VerificationRun
    from tasks.audit import checkpoint_task, seal_task, verify_task

    settings.ADMINS = [("Admin", "admin@kecamatan.test")]
    assert seal_task.delay().get() == InstanceEvent.objects.count()
    size = checkpoint_task.delay().get()
    assert size == LogLeaf.objects.count() and checkpoint_task.delay().get() is None  # not grown since
    assert verify_task.delay().get() == 0 and mailoutbox == []

    event = _events(requests[0])[1]
    _sql(f"UPDATE {audit_sql.INSTANCE_EVENTS} SET actor_username = %s WHERE id = %s", ["orang_lain", event.pk])
    assert verify_task.delay().get() == 1

    run = VerificationRun.objects.order_by("-id").first()
    assert run is not None and not run.ok and run.trigger == "beat"
    assert run.findings == [
        f"{requests[0].tracking_number}#{event.seq}: isi peristiwa tidak lagi menghasilkan sidiknya (diubah)"
    ]
    assert len(mailoutbox) == 1 and requests[0].tracking_number in mailoutbox[0].body


def test_rows_the_pages_show_that_disagree_with_the_log_are_named(
    users: dict[str, Any], deployed: Any, key: str, api: Any, settings: Any, tmp_path: Path
) -> None:
    from portal.letters.models import Letter
    from portal.workflow.models import HumanTask
    from tests.conftest import files_under

    files_under(settings, tmp_path)
    finished = sktm_at_signing(users).instance
    run_to_completion_from_signing(api, finished.tracking_number)
    running = sktm_at_signing(users, name="Budi Santoso").instance
    held = _held(tmp_path)
    assert _verify(held)[0] == 0
    letter = Letter.objects.get(instance=finished)
    step = HumanTask.objects.get(instance=running, bpmn_id="Task_VerifikasiData")

    # the rows the pages read, edited behind the log's back (none of these tables is append-only)
    HumanTask.objects.filter(pk=step.pk).update(completed_data={**step.completed_data, "terdaftar_dtks": False})
    Letter.objects.filter(pk=letter.pk).update(number="470/9999/KEC-BBL/2026", sha256="0" * 64)
    ProcessInstance.objects.filter(pk=running.pk).update(status="completed")
    code, lines = _verify(held)

    assert code == 1
    assert f"{running.tracking_number}: isian langkah Task_VerifikasiData berbeda dari yang tercatat di log" in lines
    assert f"{running.tracking_number}: status permohonan completed, menurut log running" in lines
    assert f"{finished.tracking_number}: nomor surat 470/9999/KEC-BBL/2026, menurut log {letter.number}" in lines
    assert any(line.startswith(f"{finished.tracking_number}: sidik jari atau nomor surat") for line in lines)


def run_to_completion_from_signing(api: Any, tracking_number: str) -> None:
    from tests.portal.citizen.conftest import HANDOVER, complete

    complete(api, "camat1", tracking_number, "Task_TandatanganCamat", {"keputusan": "setuju"})
    complete(api, "loket1", tracking_number, "Task_PenyerahanSurat", HANDOVER)
