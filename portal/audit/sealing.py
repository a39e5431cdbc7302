"""Sealing: committed request events go into the transparency log's Merkle tree, in seal order.

A beat task runs log_seal every minute, so the request path never waits for the tree: a command
writes its events as before, and within a minute they are leaves. Only sealing runs take the log's
one lock (the LogHead row), never an instance's.

Which events are new is found above a low-water mark: every event with an id at or below it is
sealed. The mark moves up only past events older than SEAL_GRACE, since a command still open may
hold an id below the newest one committed. Each batch is one transaction; a crash loses nothing
(the next run seals what the last did not) and never seals an event twice (leaves are unique per
event).
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from portal.core.hashing import canonical_json
from portal.workflow.models import InstanceEvent

from . import merkle
from .models import LogHead, LogLeaf, LogNode

SEAL_BATCH = 5000
SEAL_GRACE = timedelta(minutes=10)  # no command stays open this long (statement and lock timeouts are far shorter)


def leaf_data(tracking_number: str, seq: int, event_hash: str) -> bytes:
    """What a leaf commits to: the event's place in its request's chain and its chain hash, which
    covers everything the event holds and everything before it."""
    return canonical_json({"tn": tracking_number, "seq": seq, "hash": event_hash}).encode("utf-8")


def leaf_hash_hex(tracking_number: str, seq: int, event_hash: str) -> str:
    return merkle.leaf_hash(leaf_data(tracking_number, seq, event_hash)).hex()


def b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


def _head_locked() -> LogHead:
    head = LogHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        LogHead.objects.get_or_create(pk=1)
        head = LogHead.objects.select_for_update().get(pk=1)
    return head


def frontier_of(head: LogHead) -> merkle.Frontier:
    if not head.frontier:
        return merkle.Frontier()
    return merkle.Frontier.from_dict(head.frontier)


def _pending(low_water: int, limit: int) -> list[dict[str, Any]]:
    sealed = LogLeaf.objects.filter(event_id=OuterRef("pk"))
    rows = (
        InstanceEvent.objects.filter(id__gt=low_water)
        .exclude(Exists(sealed))
        .order_by("id")
        .values("id", "seq", "hash", "instance__tracking_number")[:limit]
    )
    return [dict(row) for row in rows]


def _seal_batch(now: datetime, limit: int) -> int:
    with transaction.atomic():
        head = _head_locked()
        pending = _pending(int(head.frontier.get("low_water", 0)), limit)
        frontier = frontier_of(head)
        leaves, nodes = [], []
        for row in pending:
            digest = leaf_hash_hex(row["instance__tracking_number"], row["seq"], row["hash"])
            index = frontier.size
            for level, position, node in frontier.append(bytes.fromhex(digest)):
                if level:
                    nodes.append(LogNode(level=level, index=position, hash=node.hex()))
            leaves.append(
                LogLeaf(index=index, event_id=row["id"], tracking_number=row["instance__tracking_number"],
                        seq=row["seq"], leaf_hash=digest, sealed_at=now)
            )  # fmt: skip
        LogLeaf.objects.bulk_create(leaves, batch_size=1000)
        LogNode.objects.bulk_create(nodes, batch_size=1000)
        head.size = frontier.size
        head.frontier = {**head.frontier, **frontier.to_dict()}
        head.updated_at = now
        head.save(update_fields=["size", "frontier", "updated_at"])
    return len(pending)


def _raise_low_water(now: datetime, top: int) -> None:
    """Every event visible when this run began (ids up to `top`) is sealed now. An event with a
    lower id that was not yet visible belonged to a command still open; once SEAL_GRACE has passed
    since, none is, so the mark of a run that old becomes the low-water mark."""
    with transaction.atomic():
        head = _head_locked()
        marks = [[at, high] for at, high in head.frontier.get("marks", []) if high > 0] + [[now.isoformat(), top]]
        cut = (now - SEAL_GRACE).isoformat()
        ripe = [high for at, high in marks if at <= cut]
        head.frontier = {
            **head.frontier,
            "low_water": max([int(head.frontier.get("low_water", 0)), *ripe]),
            "marks": [m for m in marks if m[0] > cut][-50:],
        }
        head.save(update_fields=["frontier"])


def log_seal(*, now: datetime | None = None, batch: int = SEAL_BATCH) -> int:
    """Seal every committed event not yet in the tree, a batch per transaction; how many were sealed."""
    now = (now or timezone.now()).astimezone(UTC)
    top = InstanceEvent.objects.aggregate(top=Max("id"))["top"] or 0
    total = 0
    while True:
        done = _seal_batch(now, batch)
        total += done
        if done < batch:
            break
    _raise_low_water(now, top)
    return total
