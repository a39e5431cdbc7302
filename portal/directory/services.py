"""Loading the village list shipped with the portal."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

VILLAGES_CSV = Path(__file__).resolve().parent / "data" / "babulu-desa.csv"


def villages_from_csv(path: Path = VILLAGES_CSV) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return [{"code": r["kode"], "name": r["nama"], "kind": r["jenis"]} for r in csv.DictReader(f)]


def villages_sync(*, village_model: Any = None) -> int:
    """Insert or update every village from the CSV; returns how many rows it holds."""
    if village_model is None:
        from .models import Village

        village_model = Village
    rows = villages_from_csv()
    for row in rows:
        village_model.objects.update_or_create(code=row["code"], defaults={"name": row["name"], "kind": row["kind"]})
    return len(rows)
