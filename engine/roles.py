"""Role codes: the lane names a PATEN diagram may use."""

from __future__ import annotations

import enum


class Role(enum.Enum):
    PEMOHON = "pemohon"
    LOKET = "loket"
    KASI = "kasi"
    SEKCAM = "sekcam"
    CAMAT = "camat"


LANE_ROLES: frozenset[str] = frozenset(r.value for r in Role)
