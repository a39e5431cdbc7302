"""Draft previews of a signing step's letter: what the signing would print, unnumbered, marked DRAF.

Nothing is issued, numbered or stored: the same template and data as letter_issue, read only.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from . import selectors
from .enums import SignerCapacity
from .formatting import date_in_words
from .models import LetterTemplate
from .pdf import LetterDocument, letter_pdf
from .signing import signature_lines, signer_display_name
from .templating import FieldsBlock, blocks_render, markup_strip

DRAFT_MARK = "DRAF"


@dataclass(frozen=True)
class DraftPreview:
    document: LetterDocument

    def paragraphs(self) -> list[dict[str, Any]]:
        """The body as plain text for an HTML page: {"text": ...} or {"fields": [(label, value), ...]}."""
        out: list[dict[str, Any]] = []
        for block in self.document.blocks:
            if isinstance(block, FieldsBlock):
                out.append({"fields": [(_plain(label), _plain(value)) for label, value in block.rows]})
            else:
                out.append({"text": _plain(block.markup)})
        return out


def _plain(markup: str) -> str:
    return html.unescape(markup_strip(markup))


def letter_draft_for(
    *, service_code: str, office: dict[str, Any], signer: Any, capacity: SignerCapacity | str,
    data: dict[str, Any], position: str | None = None,
) -> DraftPreview | None:  # fmt: skip
    """The letter the signing would produce, marked DRAF and unnumbered; None when the service has no template."""
    template = selectors.letter_template_latest(service_code=service_code)
    if template is None:
        return None
    return letter_draft(
        template=template, office=office, signer=signer, capacity=capacity, data=data, position=position
    )


def letter_draft(
    *, template: LetterTemplate, office: dict[str, Any], signer: Any, capacity: SignerCapacity | str,
    data: dict[str, Any], position: str | None = None,
) -> DraftPreview:  # fmt: skip
    """The draft of a letter from a given template (the caller read it, once for many drafts)."""
    document = LetterDocument(
        office=office,
        title=f"{template.content['title']} ({DRAFT_MARK})",
        number=f"{DRAFT_MARK} - belum bernomor",
        blocks=blocks_render(template.content, dict(data)),
        place_and_date=f"{office['city']}, {date_in_words(timezone.localdate())}",
        signature_lines=signature_lines(capacity, office=office, position=position),
        signer_name=signer_display_name(signer),
        verification_url=DRAFT_MARK,
    )
    return DraftPreview(document)


def letter_draft_pdf(draft: DraftPreview) -> bytes:
    """The draft as a PDF (its QR code says DRAF, not a verification link)."""
    return letter_pdf(draft.document, emblem=selectors.emblem_of(draft.document.office))
