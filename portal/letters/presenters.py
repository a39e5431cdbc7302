"""What the public may know of a letter, shared by the verification page and the API."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from .formatting import date_in_words
from .models import Letter


def letter_public(letter: Letter) -> dict[str, Any]:
    """The public facts of a letter; the only ones the page and the API show."""
    office = (letter.document or {}).get("office") or {}
    return {
        "office": str(office.get("district", "")).title(),  # "Kecamatan Babulu", as its letterhead says
        "title": letter.title,
        "number": letter.number,
        "issued_on": timezone.localdate(letter.issued_at),
        "issued_on_text": date_in_words(timezone.localdate(letter.issued_at)),
        "signer_name": letter.signer_name,
        "signer_capacity": letter.signer_capacity,
        "signer_capacity_label": letter.get_signer_capacity_display(),
        "signature_lines": list(letter.signature_lines),
        "sha256": letter.sha256,
        "ready": letter.rendered_at is not None,
    }
