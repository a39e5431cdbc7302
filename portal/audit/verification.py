"""Verifying the record: every request's hash chain, every sealed leaf against its event, the tree
against the checkpoints an auditor holds, and events left unsealed too long.

One pass over the events (in request order, each with the leaf that sealed it, read by its unique
event id) and one over the leaves (in tree order), so the cost is linear in the number of events
and the memory is that of one request and the tree's right edge. Each finding names the request
and the event where that is knowable; a tree that no longer gives a held checkpoint's root is a
finding of its own (the checkpoint cannot say which leaf changed, the leaf check above can).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.workflow.events import GENESIS, event_hash
from portal.workflow.models import InstanceEvent

from . import merkle, signed_note
from .findings import Finding, Kind
from .mirrors import Mirrors
from .models import Checkpoint, LogHead, LogLeaf
from .sealing import SEAL_GRACE, leaf_hash_hex

UNSEALED_AFTER = SEAL_GRACE + timedelta(minutes=5)  # a beat run each minute seals well within this


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    requests: int = 0
    events: int = 0
    leaves: int = 0
    checkpoints: int = 0

    @property
    def ok(self) -> bool:
        return not self.findings


def _events() -> Iterator[dict[str, Any]]:
    leaf = LogLeaf.objects.filter(event_id=OuterRef("pk"))
    rows = (
        InstanceEvent.objects.order_by("instance_id", "seq")
        .annotate(
            leaf_hash=Subquery(leaf.values("leaf_hash")[:1]),
            leaf_seq=Subquery(leaf.values("seq")[:1]),
            leaf_tn=Subquery(leaf.values("tracking_number")[:1]),
        )
        .values(
            "instance_id",
            "seq",
            "type",
            "actor_username",
            "at",
            "payload",
            "prev_hash",
            "hash",
            "leaf_hash",
            "leaf_seq",
            "leaf_tn",
            "instance__tracking_number",
            "instance__last_event_seq",
            "instance__last_event_hash",
            "instance__status",
        )
    )
    return cast(Iterator[dict[str, Any]], rows.iterator(chunk_size=2000))


def _by_request(rows: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        if batch and row["instance_id"] != batch[0]["instance_id"]:
            yield batch
            batch = []
        batch.append(row)
    if batch:
        yield batch


def _chain_finding(tn: str, expected_seq: int, prev: str, row: dict[str, Any], digest: str) -> Finding | None:
    seq = row["seq"]
    if seq != expected_seq:
        return Finding(Kind.LINK, _("peristiwa nomor %(n)s tidak ada; rantai melompat ke %(m)s") % {
            "n": expected_seq, "m": seq}, tn, expected_seq)  # fmt: skip
    if row["prev_hash"] != prev:
        return Finding(Kind.LINK, _("tautan ke peristiwa sebelumnya putus (tertukar atau disisipkan)"), tn, seq)
    if row["hash"] != digest:
        return Finding(Kind.EDITED, _("isi peristiwa tidak lagi menghasilkan sidiknya (diubah)"), tn, seq)
    return None


def _seal_finding(tn: str, row: dict[str, Any], digest: str, stale: bool) -> Finding | None:
    seq = row["seq"]
    if row["leaf_hash"] is None:
        return Finding(Kind.UNSEALED, _("peristiwa belum disegel ke dalam log"), tn, seq) if stale else None
    if (row["leaf_tn"], row["leaf_seq"]) != (tn, seq):
        return Finding(Kind.SEALED, _("disegel sebagai %(where)s, kini berada di tempat lain (dipindah)") % {
            "where": f"{row['leaf_tn']}#{row['leaf_seq']}"}, tn, seq)  # fmt: skip
    if row["leaf_hash"] != leaf_hash_hex(tn, seq, digest):
        return Finding(Kind.SEALED, _("berbeda dari peristiwa yang disegel (ditulis ulang)"), tn, seq)
    return None


def _check_request(rows: list[dict[str, Any]], stale_before: datetime) -> list[Finding]:
    tn = rows[0]["instance__tracking_number"]
    found: list[Finding] = []
    prev, expected = GENESIS, 1
    for row in rows:
        digest = event_hash(
            prev_hash=row["prev_hash"], tracking_number=tn, seq=row["seq"], type=row["type"],
            actor=row["actor_username"], at=row["at"].astimezone(UTC).isoformat(), payload=row["payload"],
        )  # fmt: skip
        broken = _chain_finding(tn, expected, prev, row, digest)
        # an edited event also differs from its leaf: one finding says it
        edited = broken is not None and broken.kind == Kind.EDITED
        sealed = None if edited else _seal_finding(tn, row, digest, row["at"] < stale_before)
        for finding in (broken, sealed):
            if finding is not None and all(f.kind != finding.kind for f in found):
                found.append(finding)
        prev, expected = row["hash"], row["seq"] + 1
    last = rows[-1]
    if (last["seq"], last["hash"]) != (last["instance__last_event_seq"], last["instance__last_event_hash"]):
        found.append(Finding(Kind.HEAD, _("kepala rantai permohonan tidak sama dengan peristiwa terakhirnya"), tn))
    return found


def _deleted() -> list[Finding]:
    gone = LogLeaf.objects.exclude(Exists(InstanceEvent.objects.filter(pk=OuterRef("event_id")))).order_by("index")
    return [
        Finding(
            Kind.DELETED,
            _("peristiwa yang disegel di posisi %(i)s sudah tidak ada (dihapus)") % {"i": leaf.index},
            leaf.tracking_number,
            leaf.seq,
        )
        for leaf in gone[:1000]
    ]


@dataclass(frozen=True)
class Held:
    """A checkpoint to check the tree against: one an auditor brought, or one the system issued."""

    size: int
    root: bytes
    source: str


def _tree(held: list[Held], report: Report) -> None:
    frontier = merkle.Frontier()
    wanted = sorted(held, key=lambda h: h.size)
    position = 0
    for index, digest in LogLeaf.objects.order_by("index").values_list("index", "leaf_hash").iterator(5000):
        if index != frontier.size:
            report.findings.append(Finding(Kind.TREE, _("posisi daun %(i)s hilang dari pohon") % {"i": frontier.size}))
            return
        while position < len(wanted) and wanted[position].size == frontier.size:
            _compare(wanted[position], frontier.root(), report)
            position += 1
        frontier.append(bytes.fromhex(digest))
    report.leaves = frontier.size
    for checkpoint in wanted[position:]:
        if checkpoint.size == frontier.size:
            _compare(checkpoint, frontier.root(), report)
        else:
            report.findings.append(Finding(Kind.TREE, _(
                "pohon hanya %(n)s daun, lebih pendek dari titik periksa %(source)s (%(size)s daun): ada yang dipotong"
            ) % {"n": frontier.size, "source": checkpoint.source, "size": checkpoint.size}))  # fmt: skip
    head = LogHead.objects.filter(pk=1).first()
    if head is not None and head.size != frontier.size:
        report.findings.append(Finding(Kind.TREE, _("kepala log mencatat %(h)s daun, pohon berisi %(n)s") % {
            "h": head.size, "n": frontier.size}))  # fmt: skip


def _compare(checkpoint: Held, root: bytes, report: Report) -> None:
    report.checkpoints += 1
    if root != checkpoint.root:
        report.findings.append(Finding(Kind.TREE, _(
            "pohon dengan %(size)s daun tidak lagi menghasilkan akar titik periksa %(source)s: isi log diubah"
        ) % {"size": checkpoint.size, "source": checkpoint.source}))  # fmt: skip


def held_checkpoints(notes: Iterable[tuple[str, str]], verifiers: list[str], report: Report) -> list[Held]:
    """Checkpoints from signed notes (source, text); a note that does not verify is a finding."""
    held = []
    for source, note in notes:
        try:
            body = signed_note.open_note(note, verifiers)
            checkpoint = signed_note.parse_checkpoint(body)
        except signed_note.NoteError as exc:
            report.findings.append(Finding(Kind.CHECKPOINT, _("titik periksa %(source)s tidak sah: %(why)s") % {
                "source": source, "why": exc}))  # fmt: skip
            continue
        held.append(Held(checkpoint.size, checkpoint.root, source))
    return held


def log_verify(*, notes: Iterable[tuple[str, str]] = (), verifiers: list[str], now: datetime | None = None) -> Report:
    """Verify every chain, every leaf and the tree against the given and the stored checkpoints."""
    now = now or timezone.now()
    report = Report()
    stale_before = now - UNSEALED_AFTER
    mirrors = Mirrors()
    for rows in _by_request(_events()):
        report.requests += 1
        report.events += len(rows)
        report.findings.extend(_check_request(rows, stale_before))
        report.findings.extend(mirrors.findings(rows))
    report.findings.extend(_deleted())
    stored = ((f"#{c.pk}", c.note) for c in Checkpoint.objects.order_by("size", "id").iterator())
    held = held_checkpoints([*notes, *stored], verifiers, report)
    _tree(held, report)
    return report
