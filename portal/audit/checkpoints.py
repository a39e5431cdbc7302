"""Signed checkpoints of the transparency log, and the key that signs them.

A checkpoint is a C2SP tlog-checkpoint note (origin, tree size, root hash, and a `time` line)
signed with Ed25519 by the key in settings.PATEN_AUDIT_KEY_FILE. The key never enters the
database: whoever can rewrite the database cannot sign a checkpoint for a rewritten tree, and an
auditor who keeps a checkpoint outside the system can later prove that nothing it covers changed.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.errors import ServiceError

from . import merkle, signed_note
from .models import Checkpoint, LogHead
from .sealing import frontier_of, log_seal

TIME_PREFIX = "time "


class KeyMissing(ServiceError):
    pass


def key_file() -> Path:
    return Path(settings.PATEN_AUDIT_KEY_FILE)


def key_create(path: Path | None = None) -> bool:
    """Create the signing key file if there is none (readable by its owner only); True if created."""
    path = path or key_file()
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    text = signed_note.generate_signer(settings.PATEN_AUDIT_LOG_ORIGIN)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")
    return True


def signer() -> str:
    try:
        return key_file().read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise KeyMissing(
            _("Kunci penanda tangan titik periksa tidak ada (%(path)s): jalankan `python manage.py audit_keygen`.")
            % {"path": key_file()}
        ) from exc


def verifier() -> str:
    """The public half of the signing key, as auditors hold it (name+hash+key)."""
    return signed_note.verifier_of(signer())


def checkpoint_issue(*, now: datetime | None = None, only_if_grown: bool = False) -> Checkpoint | None:
    """Seal what is committed, then sign and keep a checkpoint of the tree as it stands.

    With only_if_grown (the beat's periodic run), nothing is issued while the tree has not grown
    since the last checkpoint; None then.
    """
    now = (now or timezone.now()).astimezone(UTC)
    key = signer()  # before sealing: a missing key is said at once
    log_seal(now=now)
    with transaction.atomic():
        head = LogHead.objects.select_for_update().filter(pk=1).first()
        size = head.size if head else 0
        last = Checkpoint.objects.order_by("-size", "-id").first()
        if only_if_grown and last is not None and last.size >= size:
            return None
        root = frontier_of(head).root() if head else merkle.EMPTY_ROOT
        stamp = now.replace(microsecond=0).isoformat().replace("+00:00", "Z")
        body = signed_note.checkpoint_body(settings.PATEN_AUDIT_LOG_ORIGIN, size, root, [TIME_PREFIX + stamp])
        return Checkpoint.objects.create(
            size=size, root_hash=root.hex(), origin=settings.PATEN_AUDIT_LOG_ORIGIN, issued_at=now,
            note=signed_note.sign(body, key),
        )  # fmt: skip


def checkpoint_read(note: str, verifiers: list[str] | None = None) -> signed_note.Checkpoint:
    """The checkpoint a signed note states, if signed by our key (or one of `verifiers`); NoteError if not."""
    body = signed_note.open_note(note, verifiers if verifiers is not None else [verifier()])
    return signed_note.parse_checkpoint(body)
