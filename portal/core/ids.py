"""Ids taken from URLs: written one way only (ASCII digits, no sign, spaces or leading zeros)."""

from __future__ import annotations

import re

_ID = re.compile(r"[1-9][0-9]{0,17}")


def path_id(raw: object) -> int | None:
    """The id `raw` spells, or None when it is not a database id written the one accepted way."""
    if not isinstance(raw, str) or not _ID.fullmatch(raw):
        return None
    return int(raw)
