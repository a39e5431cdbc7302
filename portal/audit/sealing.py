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

from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from portal.core.hashing import canonical_json
from portal.workflow.models import InstanceEvent

from . import merkle
from .models import LogHead, LogLeaf, LogNode

SEAL_BATCH = 5000
# Complete subtrees are stored every TILE levels (16, 256, 4096, ... leaves); the levels between are
# hashed from the stored ones below when a proof needs them (proofs.node_reader), so sealing writes
# a leaf and a sixteenth of a node per event.
TILE = 4
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


def _seal_batch(now: datetime, limit: int, top: int) -> int:
    """One transaction: up to `limit` events sealed; the last batch of a run also moves the low-water mark."""
    with transaction.atomic():
        head = _head_locked()
        pending = _pending(int(head.frontier.get("low_water", 0)), limit)
        frontier = frontier_of(head)
        leaves, nodes = [], []
        stamp = connection.ops.adapt_datetimefield_value(now)
        for row in pending:
            digest = leaf_hash_hex(row["instance__tracking_number"], row["seq"], row["hash"])
            index = frontier.size
            for level, position, node in frontier.append(bytes.fromhex(digest)):
                if level and level % TILE == 0:
                    nodes.append((level, position, node.hex()))
            leaves.append((index, row["id"], row["instance__tracking_number"], row["seq"], digest, stamp))
        _insert(LogLeaf, ("index", "event_id", "tracking_number", "seq", "leaf_hash", "sealed_at"), leaves)
        _insert(LogNode, ("level", "index", "hash"), nodes)
        state = {**head.frontier, **frontier.to_dict()}
        if len(pending) < limit:
            state = _low_water_raised(state, now, top)
        if state != head.frontier:
            head.size, head.frontier, head.updated_at = frontier.size, state, now
            head.save(update_fields=["size", "frontier", "updated_at"])
    return len(pending)


def _insert(model: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Many rows in one prepared statement: sealing is the only writer of these tables, and the ORM's
    per-object work cost more than the hashing."""
    if not rows:
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(model._meta.get_field(c).column) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        statement = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608 - our own names
        cursor.executemany(statement, rows)


def _low_water_raised(state: dict[str, Any], now: datetime, top: int) -> dict[str, Any]:
    """Every event visible when this run began (ids up to `top`) is sealed now. An event with a
    lower id that was not yet visible belonged to a command still open; once SEAL_GRACE has passed
    since, none is, so the mark of a run that old becomes the low-water mark. A run that saw no new
    event adds no mark."""
    marks = [[at, high] for at, high in state.get("marks", []) if high > 0]
    if not marks or marks[-1][1] < top:
        marks.append([now.isoformat(), top])
    cut = (now - SEAL_GRACE).isoformat()
    ripe = [high for at, high in marks if at <= cut]
    low_water = max([int(state.get("low_water", 0)), *ripe])
    return {**state, "low_water": low_water, "marks": [m for m in marks if m[0] > cut][-50:]}


def log_seal(*, now: datetime | None = None, batch: int = SEAL_BATCH) -> int:
    """Seal every committed event not yet in the tree, a batch per transaction; how many were sealed."""
    now = (now or timezone.now()).astimezone(UTC)
    top = InstanceEvent.objects.aggregate(top=Max("id"))["top"] or 0
    total = 0
    while True:
        done = _seal_batch(now, batch, top)
        total += done
        if done < batch:
            break
    return total
