"""What a verification finds: its kind, a sentence, and where (request and event) when knowable."""

from __future__ import annotations

from dataclasses import dataclass


class Kind:
    LINK = "tautan"  # the chain breaks: a missing, reordered or inserted event
    EDITED = "diubah"  # an event's content does not give its hash
    HEAD = "kepala"  # the request's head does not match its last event
    SEALED = "segel"  # an event differs from the one its leaf sealed, or its leaf was moved
    DELETED = "hilang"  # a leaf whose event is gone
    UNSEALED = "belum_disegel"
    TREE = "pohon"  # the tree itself: gaps, or a root that does not match a checkpoint
    CHECKPOINT = "titik_periksa"
    MIRROR = "cermin"  # a row the pages read disagrees with the log


@dataclass(frozen=True)
class Finding:
    kind: str
    message: str
    tracking_number: str = ""
    seq: int | None = None

    def __str__(self) -> str:
        where = f"{self.tracking_number}#{self.seq}" if self.seq is not None else self.tracking_number or "-"
        return f"{where}: {self.message}"
