"""Reads of reference data."""

from __future__ import annotations

from .models import Village


def village_find(value: str) -> Village | None:
    """A village by its Kemendagri code or its name (case-insensitive)."""
    value = (value or "").strip()
    if not value:
        return None
    return Village.objects.filter(code=value).first() or Village.objects.filter(name__iexact=value).first()
