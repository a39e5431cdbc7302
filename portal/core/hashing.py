"""Canonical JSON (sorted keys, no spaces, UTF-8) and its SHA-256: what the audit log and versions hash."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder


def canonical_json(value: Any) -> str:
    """One spelling for equal values, so equal content always hashes the same."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder)


def sha256_hex(value: str | bytes) -> str:
    return hashlib.sha256(value.encode("utf-8") if isinstance(value, str) else value).hexdigest()


def content_sha256(value: Any) -> str:
    """The SHA-256 of a JSON-able value's canonical form."""
    return sha256_hex(canonical_json(value))
