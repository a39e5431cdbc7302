"""Check an exported request history away from the system: plain Python and the `cryptography`
package, no database, no Django.

    python -m portal.audit.offline permohonan.json [--key VERIFIER]

What it checks: the checkpoint's signature (with the key in the export, or the one given, which an
auditor should take from a source of her own); every event's hash from its content and the one
before it; and each sealed event's inclusion proof up to the checkpoint's root. Exit 0 when all
holds, 1 with one line per problem otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from typing import Any

from . import merkle, signed_note

GENESIS = "0" * 64
MAX_EXPORT_BYTES = 64 * 1024 * 1024


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(prev_hash: str, tracking_number: str, event: dict[str, Any]) -> str:
    """An event's chain hash, as the system computes it (portal.workflow.events.event_hash)."""
    body = {"prev": prev_hash, "tn": tracking_number, "seq": event["seq"], "type": event["type"],
            "actor": event["actor"], "at": event["at"], "payload": event["payload"]}  # fmt: skip
    return hashlib.sha256(_canonical(body).encode("utf-8")).hexdigest()


def leaf_hash(tracking_number: str, seq: int, digest: str) -> bytes:
    """The leaf that sealed an event (portal.audit.sealing.leaf_data)."""
    return merkle.leaf_hash(_canonical({"tn": tracking_number, "seq": seq, "hash": digest}).encode("utf-8"))


def _checkpoint(export: dict[str, Any], keys: Sequence[str], problems: list[str]) -> signed_note.Checkpoint | None:
    note = export.get("checkpoint") or ""
    if not note:
        problems.append("the export holds no checkpoint")
        return None
    try:
        return signed_note.parse_checkpoint(signed_note.open_note(note, keys))
    except signed_note.NoteError as exc:
        problems.append(f"checkpoint: {exc}")
        return None


def verify_export(export: Any, keys: Sequence[str] | None = None) -> list[str]:
    """Problems found in an export; empty when its chain, its proofs and its checkpoint all hold."""
    if not isinstance(export, dict) or not isinstance(export.get("events"), list):
        return ["not an export of a request's history"]
    problems: list[str] = []
    tn = str(export.get("tracking_number") or "")
    checkpoint = _checkpoint(export, list(keys or [str(export.get("verifier_key") or "")]), problems)
    prev = GENESIS
    for number, event in enumerate(export["events"], start=1):
        try:
            digest = event_hash(prev, tn, event)
            where = f"{tn}#{event['seq']}"
        except (KeyError, TypeError):
            problems.append(f"event {number}: malformed")
            break
        if event["seq"] != number or event.get("prev_hash") != prev or event.get("hash") != digest:
            problems.append(f"{where}: the chain does not hold here")
        prev = str(event.get("hash"))
        if checkpoint is None or "leaf_index" not in event:
            continue
        proof = [bytes.fromhex(h) for h in event.get("inclusion_proof", []) if isinstance(h, str)]
        leaf = leaf_hash(tn, event["seq"], digest)
        if not merkle.verify_inclusion(leaf, int(event["leaf_index"]), checkpoint.size, proof, checkpoint.root):
            problems.append(f"{where}: not included in the checkpoint's tree as claimed")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify an exported request history offline.")
    parser.add_argument("export", help="the JSON file downloaded from the auditor's page or the API")
    parser.add_argument("--key", action="append", default=[], help="a verifier key (name+hash+key) to trust")
    args = parser.parse_args(argv)
    try:
        with open(args.export, "rb") as handle:
            export = json.loads(handle.read(MAX_EXPORT_BYTES + 1))
    except (OSError, ValueError) as exc:
        print(f"{args.export}: cannot be read as JSON: {exc}")
        return 1
    problems = verify_export(export, args.key or None)
    for problem in problems:
        print(problem)
    sealed = sum(1 for e in export.get("events", []) if isinstance(e, dict) and "leaf_index" in e)
    print(f"{export.get('tracking_number')}: {len(export.get('events', []))} events, {sealed} proven in the "
          f"checkpoint: {'ok' if not problems else f'{len(problems)} problem(s)'}")  # fmt: skip
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
