"""What the audit tests share: a checkpoint signing key of the test's own."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command


@pytest.fixture
def key(tmp_path: Path, settings: Any) -> str:
    """A signing key made by `audit_keygen` in the test's directory; its verifier key."""
    from portal.audit.checkpoints import verifier

    settings.PATEN_AUDIT_KEY_FILE = tmp_path / "checkpoint.key"
    call_command("audit_keygen", stdout=io.StringIO())
    return verifier()
