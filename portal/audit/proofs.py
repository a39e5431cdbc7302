"""Reading proofs out of the transparency log: an event's inclusion in a checkpoint's tree, two
checkpoints' consistency, and one request's history exported with its proofs for an outside check
(portal/audit/offline.py verifies such an export without the system)."""

from __future__ import annotations

from datetime import UTC
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils import timezone

from portal.workflow.models import InstanceEvent, ProcessInstance

from . import merkle
from .checkpoints import KeyMissing, verifier
from .models import Checkpoint, LogLeaf, LogNode
from .sealing import TILE

EXPORT_FORMAT = "paten-audit-export/1"


class NodeMissing(LookupError):
    pass


def _stored(level: int, start: int, end: int) -> list[bytes]:
    """Stored hashes of one level, positions [start, end): leaves at level 0, else complete subtrees."""
    leaves = LogLeaf.objects.filter(index__gte=start, index__lt=end).values_list("index", "leaf_hash")
    nodes = LogNode.objects.filter(level=level, index__gte=start, index__lt=end).values_list("index", "hash")
    found = [h for _i, h in sorted(leaves if level == 0 else nodes)]
    hashes = [bytes.fromhex(h) for h in found]
    if len(hashes) != end - start:
        raise NodeMissing(f"level {level} lacks subtrees in [{start}, {end})")
    return hashes


def node_reader() -> merkle.NodeReader:
    """Complete subtrees out of the database: stored ones read, the levels between tiles hashed from
    the tile level below (one query each); remembered for the reader's lifetime (one export)."""

    @lru_cache(maxsize=8192)
    def node(level: int, index: int) -> bytes:
        base = level - level % TILE
        if base == level:
            return _stored(level, index, index + 1)[0]
        span = 1 << (level - base)
        hashes = _stored(base, index * span, (index + 1) * span)
        while len(hashes) > 1:
            hashes = [merkle.node_hash(hashes[i], hashes[i + 1]) for i in range(0, len(hashes), 2)]
        return hashes[0]

    return node


def latest_checkpoint() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-size", "-id").first()


def consistency(old_size: int, new_size: int) -> list[str]:
    """The RFC 6962 consistency proof between the trees of two sizes, as hex; ValueError if out of range."""
    tree = LogLeaf.objects.count()
    if not 0 <= old_size <= new_size <= tree:
        raise ValueError(f"sizes must satisfy 0 <= from <= to <= {tree}")
    return [h.hex() for h in merkle.consistency_proof(node_reader(), old_size, new_size)]


def _event_row(event: InstanceEvent, leaf: LogLeaf | None, size: int, node: merkle.NodeReader) -> dict[str, Any]:
    row: dict[str, Any] = {
        "seq": event.seq, "type": event.type, "actor": event.actor_username,
        "at": event.at.astimezone(UTC).isoformat(),
        "payload": event.payload, "prev_hash": event.prev_hash, "hash": event.hash,
    }  # fmt: skip
    if leaf is not None and leaf.index < size:
        row["leaf_index"] = leaf.index
        row["inclusion_proof"] = [h.hex() for h in merkle.inclusion_proof(node, leaf.index, size)]
    return row


def request_export(instance: ProcessInstance) -> dict[str, Any]:
    """One request's whole history with, for each sealed event, its inclusion proof in the latest
    checkpoint's tree, and that signed checkpoint with the key that verifies it."""
    checkpoint = latest_checkpoint()
    size = checkpoint.size if checkpoint is not None else 0
    events = list(InstanceEvent.objects.filter(instance=instance).order_by("seq"))
    leaves = {leaf.event_id: leaf for leaf in LogLeaf.objects.filter(event_id__in=[e.pk for e in events])}
    node = node_reader()
    return {
        "format": EXPORT_FORMAT,
        "origin": settings.PATEN_AUDIT_LOG_ORIGIN,
        "tracking_number": instance.tracking_number,
        "service": instance.definition.code,
        "exported_at": timezone.now().isoformat(),
        "checkpoint": checkpoint.note if checkpoint is not None else "",
        "verifier_key": _verifier_or_blank(),
        "events": [_event_row(e, leaves.get(e.pk), size, node) for e in events],
    }


def _verifier_or_blank() -> str:
    """The key that verifies the checkpoint; blank where no key was made yet (then there is no checkpoint either)."""
    try:
        return verifier()
    except KeyMissing:
        return ""
