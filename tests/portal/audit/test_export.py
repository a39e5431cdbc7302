"""The auditor's API: a request's history exported with inclusion proofs and checked offline by a short
command that needs neither the database nor Django; consistency proofs between checkpoints."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from portal.audit import merkle, offline, signed_note
from portal.audit.checkpoints import checkpoint_issue
from portal.audit.models import RecordView
from portal.workflow.events import event_hash
from portal.workflow.models import InstanceEvent
from tests.conftest import ROOT
from tests.portal.delegation.flow import sktm_at_signing


@pytest.fixture
def exported(users: dict[str, Any], deployed: Any, key: str, api: Any, tmp_path: Path) -> tuple[Path, str]:
    """An sktm request at the camat, sealed and checkpointed, its history downloaded by auditor1."""
    step = sktm_at_signing(users)
    sktm_at_signing(users, name="Budi Santoso")  # another request's events share the tree
    checkpoint_issue()
    tn = step.instance.tracking_number
    response = api("auditor1").get(f"/api/v1/audit/requests/{tn}/export/")
    assert response.status_code == 200, response.content
    assert response["Content-Disposition"] == f'attachment; filename="{tn}.audit.json"'
    path = tmp_path / f"{tn}.audit.json"
    path.write_bytes(response.content)
    return path, tn


def _offline(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The documented command, in a process with no settings of ours and no database."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PATEN_", "DJANGO_"))}
    command = [sys.executable, "-m", "portal.audit.offline", str(path), *args]
    return subprocess.run(command, cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)


def test_the_export_verifies_offline_with_every_event_proven(exported: tuple[Path, str], key: str) -> None:
    path, tn = exported
    export = json.loads(path.read_text("utf-8"))
    assert export["tracking_number"] == tn and len(export["events"]) == InstanceEvent.objects.filter(
        instance__tracking_number=tn).count()  # fmt: skip
    assert all("inclusion_proof" in e for e in export["events"])

    done = _offline(path, "--key", key)

    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == f"{tn}: {len(export['events'])} events, {len(export['events'])} proven " \
        "in the checkpoint: ok"  # fmt: skip
    assert "django" not in done.stderr.lower()


def test_an_export_altered_after_download_fails_offline_at_the_altered_event(
    exported: tuple[Path, str], key: str
) -> None:
    path, tn = exported
    export = json.loads(path.read_text("utf-8"))
    export["events"][2]["payload"]["data"] = {"hasil_verifikasi": "tidak_memenuhi"}
    path.write_text(json.dumps(export), "utf-8")

    done = _offline(path, "--key", key)

    assert done.returncode == 1
    assert f"{tn}#3: the chain does not hold here" in done.stdout.splitlines()


def test_an_export_with_a_recomputed_chain_fails_its_inclusion_proofs(exported: tuple[Path, str], key: str) -> None:
    path, tn = exported
    export = json.loads(path.read_text("utf-8"))
    prev = export["events"][0]["hash"]
    for event in export["events"][1:]:
        if event["seq"] == 2:
            event["payload"] = {**event["payload"], "catatan": "ditulis ulang"}
        event["prev_hash"] = prev
        event["hash"] = prev = offline.event_hash(prev, tn, event)
    path.write_text(json.dumps(export), "utf-8")

    problems = offline.verify_export(json.loads(path.read_text("utf-8")), [key])

    assert f"{tn}#2: not included in the checkpoint's tree as claimed" in problems
    assert not any("chain" in p for p in problems)


def test_a_checkpoint_signed_by_someone_else_is_refused_with_the_system_s_key(
    exported: tuple[Path, str], key: str
) -> None:
    path, _tn = exported
    export = json.loads(path.read_text("utf-8"))
    body = signed_note.open_note(export["checkpoint"], [key])
    impostor = signed_note.generate_signer(settings_origin(body))
    export["checkpoint"] = signed_note.sign(body, impostor)
    export["verifier_key"] = signed_note.verifier_of(impostor)

    assert offline.verify_export(export, [key])[0].startswith("checkpoint: ")
    assert offline.verify_export(export) == []  # trusting the export's own key proves nothing: the --key matters


def settings_origin(body: str) -> str:
    return body.splitlines()[0]


def test_offline_hashes_are_the_system_s_hashes(exported: tuple[Path, str]) -> None:
    path, tn = exported
    export = json.loads(path.read_text("utf-8"))
    prev = "0" * 64
    for event in export["events"]:
        ours = event_hash(prev_hash=prev, tracking_number=tn, seq=event["seq"], type=event["type"],
                          actor=event["actor"], at=event["at"], payload=event["payload"])  # fmt: skip
        assert offline.event_hash(prev, tn, event) == ours == event["hash"]
        prev = ours


def test_looking_at_a_request_is_on_record(exported: tuple[Path, str], users: dict[str, Any], client: Any) -> None:
    _path, tn = exported
    client.force_login(users["auditor1"])
    assert client.get(f"/audit/{tn}/").status_code == 200

    seen = list(RecordView.objects.filter(instance__tracking_number=tn).order_by("id").values_list(
        "viewer_username", "what"))  # fmt: skip
    assert seen == [("auditor1", "export"), ("auditor1", "history")]


def test_consistency_proof_between_two_checkpoints(users: dict[str, Any], deployed: Any, key: str, api: Any) -> None:
    sktm_at_signing(users)
    first = checkpoint_issue()
    sktm_at_signing(users, name="Rina Wati")
    second = checkpoint_issue()
    assert first is not None and second is not None and first.size < second.size

    response = api("auditor1").get("/api/v1/audit/consistency/", {"from": first.size, "to": second.size})

    assert response.status_code == 200, response.content
    proof = [bytes.fromhex(h) for h in response.json()["proof"]]
    old, new = bytes.fromhex(first.root_hash), bytes.fromhex(second.root_hash)
    assert merkle.verify_consistency(first.size, second.size, old, new, proof)
    assert not merkle.verify_consistency(first.size, second.size, merkle.leaf_hash(b"x"), new, proof)
    bad = api("auditor1").get("/api/v1/audit/consistency/", {"from": second.size, "to": first.size})
    assert bad.status_code == 400
    assert api("auditor1").get("/api/v1/audit/consistency/", {"from": "x", "to": 1}).status_code == 400


def test_the_checkpoint_and_verification_apis_are_the_auditor_s(
    users: dict[str, Any], deployed: Any, key: str, api: Any
) -> None:
    sktm_at_signing(users)
    assert api("auditor1").get("/api/v1/audit/verification/").status_code == 404  # never run yet
    assert api("loket1").get("/api/v1/audit/checkpoints/latest/").status_code == 403
    assert api("loket1").post("/api/v1/audit/verification/").status_code == 403

    ran = api("auditor1").post("/api/v1/audit/verification/")
    assert ran.status_code == 200 and ran.json()["ok"] is True and ran.json()["trigger"] == "auditor1"
    assert api("auditor1").get("/api/v1/audit/checkpoints/latest/").status_code == 404  # none issued yet
    checkpoint_issue()
    latest = api("auditor1").get("/api/v1/audit/checkpoints/latest/").json()

    body = signed_note.parse_checkpoint(signed_note.open_note(latest["note"], [latest["verifier_key"]]))
    assert body.size == latest["size"] == InstanceEvent.objects.count()
    assert api("auditor1").get("/api/v1/audit/requests/0000-NOPE/export/").status_code == 404
