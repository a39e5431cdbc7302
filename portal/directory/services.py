"""Loading the regency's kecamatan and villages shipped with the portal, and posting staff."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.db import transaction

DATA = Path(__file__).resolve().parent / "data"
OFFICES_CSV = DATA / "ppu-kecamatan.csv"
VILLAGES_CSV = DATA / "ppu-wilayah.csv"  # Kemendagri codes: province.regency.district.village


def offices_from_csv(path: Path = OFFICES_CSV) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return [
            {"code": r["kode"], "name": r["nama"], "slug": r["slug"], "short": r["kode_surat"], "city": r["tempat"]}
            for r in csv.DictReader(f)
        ]


def villages_from_csv(path: Path = VILLAGES_CSV) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return [
            {"office_code": r["kode_kecamatan"], "code": r["kode"], "name": r["nama"], "kind": r["jenis"]}
            for r in csv.DictReader(f)
        ]


def regions_sync(*, office_model: Any = None, village_model: Any = None) -> tuple[int, int]:
    """Insert or update every kecamatan and village from the CSVs (a profile edited in the admin is
    kept: only the names and codes are written). Returns (offices, villages)."""
    if office_model is None or village_model is None:
        from .models import Office, Village

        office_model, village_model = Office, Village
    offices = {}
    with transaction.atomic():
        for row in offices_from_csv():
            office, _created = office_model.objects.get_or_create(
                code=row["code"],
                defaults={
                    "name": row["name"], "slug": row["slug"], "short": row["short"], "city": row["city"],
                    "address": f"Kecamatan {row['name']}, Kabupaten Penajam Paser Utara, Kalimantan Timur",
                },
            )  # fmt: skip
            offices[row["code"]] = office
        rows = villages_from_csv()
        for row in rows:
            village_model.objects.update_or_create(
                code=row["code"],
                defaults={"name": row["name"], "kind": row["kind"], "office": offices[row["office_code"]]},
            )
    return len(offices), len(rows)


def staff_post(*, user: Any, office: Any, position: str = "") -> Any:
    """Post `user` to `office` (None: the whole regency); replaces an earlier posting."""
    from .models import Staff

    staff, _created = Staff.objects.update_or_create(user=user, defaults={"office": office, "position": position})
    if hasattr(user, "_paten_office_scope"):
        del user._paten_office_scope
    return staff


# The demo's postings: Babulu's staff keep the first wave's names; Sepaku has its own; the auditor
# and the designer work for the regency.
DEMO_POSTINGS: dict[str, str | None] = {
    "loket1": "babulu", "kasi1": "babulu", "sekcam1": "babulu", "camat1": "babulu",
    "loket_sepaku": "sepaku", "kasi_sepaku": "sepaku", "sekcam_sepaku": "sepaku", "camat_sepaku": "sepaku",
    "auditor1": None, "perancang1": None,
}  # fmt: skip
DEMO_HEADS = {"babulu": ("Ahmad Camat", "197501012000031001"), "sepaku": ("Yusuf Camat Sepaku", "197805152003121002")}


def demo_postings_ensure() -> int:
    """Post the demo staff (accounts.services.demo_users_ensure made them) to their offices."""
    from django.contrib.auth import get_user_model

    from .models import Office

    regions_sync()
    offices = {o.slug: o for o in Office.objects.all()}
    for slug, (name, nip) in DEMO_HEADS.items():
        Office.objects.filter(slug=slug, head_name="").update(head_name=name, head_nip=nip)
    users = get_user_model().objects.filter(username__in=list(DEMO_POSTINGS))
    for user in users:
        posted = DEMO_POSTINGS[user.username]
        staff_post(user=user, office=offices[posted] if posted else None)
    return len(users)
