"""The A4 PDF of a letter, drawn with reportlab; the same input always gives the same bytes.

Letterhead, title and number, body, place and date, the signature block and a QR code of the
public verification link. reportlab's invariant mode fixes the creation date and document id;
fonts are the PDF standard ones, so nothing depends on the machine that renders.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PIL.Image import DecompressionBombError
from reportlab.graphics.barcode.qr import QrCode
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm, mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
)  # fmt: skip

from .templating import Block, FieldsBlock, TextBlock, markup_strip, plain_markup

QR_FORM_NAME = "PatenVerifikasiQR"
QR_SIZE = 28 * mm
QR_BORDER = 2
QR_LEVEL = "M"
EMBLEM_SIZE = 2.2 * cm

_FONT, _BOLD = "Times-Roman", "Times-Bold"
_BASE = ParagraphStyle("letter", fontName=_FONT, fontSize=12, leading=16, alignment=TA_JUSTIFY, spaceAfter=6)
_STYLES = {
    "regency": ParagraphStyle("regency", parent=_BASE, fontName=_BOLD, fontSize=14, leading=17, alignment=TA_CENTER),
    "district": ParagraphStyle("district", parent=_BASE, fontName=_BOLD, fontSize=17, leading=21, alignment=TA_CENTER),
    "address": ParagraphStyle("address", parent=_BASE, fontSize=10, leading=12, alignment=TA_CENTER, spaceAfter=2),
    "title": ParagraphStyle("title", parent=_BASE, fontName=_BOLD, fontSize=13, alignment=TA_CENTER, spaceAfter=0),
    "number": ParagraphStyle("number", parent=_BASE, alignment=TA_CENTER, spaceAfter=14),
    "body": _BASE,
    "cell": ParagraphStyle("cell", parent=_BASE, alignment=TA_LEFT, spaceAfter=0),
    "sign": ParagraphStyle("sign", parent=_BASE, alignment=TA_LEFT, spaceAfter=0),
    "note": ParagraphStyle("note", parent=_BASE, fontSize=8, leading=10, alignment=TA_LEFT, spaceAfter=0),
}


@dataclass(frozen=True)
class LetterDocument:
    """Everything printed on a letter; markup fields are reportlab Paragraph markup."""

    office: Mapping[str, str]
    title: str
    number: str
    blocks: Sequence[Block]
    place_and_date: str
    signature_lines: Sequence[str]
    signer_name: str
    verification_url: str


class VerificationQr(QrCode):  # type: ignore[misc]
    """reportlab's QR flowable drawn into a named form XObject, so the code can be found in the file."""

    def draw(self) -> None:
        self.canv.beginForm(QR_FORM_NAME, 0, 0, self.width, self.height)
        super().draw()
        self.canv.endForm()
        self.canv.doForm(QR_FORM_NAME)


def document_to_json(doc: LetterDocument) -> dict[str, object]:
    """The letter's printed content as stored with it, so the PDF can be drawn again, identically."""
    return {
        "office": dict(doc.office),
        "title": doc.title,
        "number": doc.number,
        "blocks": [
            {"fields": [list(r) for r in b.rows]} if isinstance(b, FieldsBlock) else {"text": b.markup}
            for b in doc.blocks
        ],
        "place_and_date": doc.place_and_date,
        "signature_lines": list(doc.signature_lines),
        "signer_name": doc.signer_name,
        "verification_url": doc.verification_url,
    }


def document_from_json(data: Mapping[str, object]) -> LetterDocument:
    blocks: list[Block] = []
    for raw in data["blocks"]:  # type: ignore[attr-defined]
        if "fields" in raw:
            blocks.append(FieldsBlock(tuple((str(a), str(b)) for a, b in raw["fields"])))
        else:
            blocks.append(TextBlock(str(raw["text"])))
    return LetterDocument(
        office={str(k): str(v) for k, v in data["office"].items()},  # type: ignore[attr-defined]
        title=str(data["title"]),
        number=str(data["number"]),
        blocks=blocks,
        place_and_date=str(data["place_and_date"]),
        signature_lines=[str(x) for x in data["signature_lines"]],  # type: ignore[attr-defined]
        signer_name=str(data["signer_name"]),
        verification_url=str(data["verification_url"]),
    )


def _paragraph(markup: str, style: str) -> Paragraph:
    try:
        return Paragraph(markup, _STYLES[style])
    except ValueError:
        # Unbalanced tags in the template's own text: print the words without their emphasis.
        return Paragraph(markup_strip(markup), _STYLES[style])


def _fields_table(block: FieldsBlock, width: float) -> Table:
    rows = [
        [_paragraph(label, "cell"), _paragraph(":", "cell"), _paragraph(value, "cell")] for label, value in block.rows
    ]
    table = Table(rows, colWidths=[4.6 * cm, 0.5 * cm, width - 5.1 * cm - 1 * cm], hAlign="RIGHT")
    table.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)])  # fmt: skip
    return table


def _signature_block(doc: LetterDocument, width: float) -> KeepTogether:
    qr = VerificationQr(doc.verification_url, width=QR_SIZE, height=QR_SIZE, qrBorder=QR_BORDER, qrLevel=QR_LEVEL)
    qr_cell = [qr, _paragraph("Pindai kode QR untuk memeriksa keaslian surat ini.", "note")]
    sign_cell: list[Flowable] = [_paragraph(plain_markup(doc.place_and_date), "sign")]
    sign_cell += [_paragraph(f"<b>{plain_markup(line)}</b>", "sign") for line in doc.signature_lines]
    sign_cell += [Spacer(1, 1.6 * cm), _paragraph(f"<b><u>{plain_markup(doc.signer_name)}</u></b>", "sign")]
    table = Table([[qr_cell, "", sign_cell]], colWidths=[QR_SIZE + 1.2 * cm, None, 7.5 * cm])
    table.setStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0)])  # fmt: skip
    note = _paragraph(
        "Surat ini diterbitkan melalui aplikasi PATEN dan ditandatangani secara elektronik. Periksa keasliannya di "
        + plain_markup(doc.verification_url),
        "note",
    )
    return KeepTogether([Spacer(1, 0.6 * cm), table, Spacer(1, 0.4 * cm), note])


def _contact(office: Mapping[str, str]) -> list[Flowable]:
    """The office's telephone and e-mail under its address, where its profile has them."""
    parts = [f"Telepon {office['phone']}" if office.get("phone") else "", office.get("email", "")]
    line = " · ".join(p for p in parts if p)
    return [_paragraph(plain_markup(line), "address")] if line else []


def _letterhead(office: Mapping[str, str], width: float, emblem: bytes | None) -> list[Flowable]:
    """The regency, the kecamatan and its address; beside them, on the left, the regional emblem."""
    lines: list[Flowable] = [
        _paragraph(plain_markup(office.get("regency", "")), "regency"),
        _paragraph(plain_markup(office.get("district", "")), "district"),
        _paragraph(plain_markup(office.get("address", "")), "address"),
        *_contact(office),
    ]
    picture = _emblem(emblem)
    if picture is None:
        return lines
    table = Table([[picture, lines]], colWidths=[EMBLEM_SIZE + 0.3 * cm, width - EMBLEM_SIZE - 0.3 * cm])
    table.setStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0)])  # fmt: skip
    return [table]


def _emblem(emblem: bytes | None) -> Flowable | None:
    """The emblem as a square picture; None when there is none or it cannot be read as an image."""
    if not emblem:
        return None
    try:
        reader = ImageReader(io.BytesIO(emblem))
        reader.getSize()
    except (OSError, ValueError, SyntaxError, DecompressionBombError):  # unreadable: a letterhead without it
        return None
    return Image(io.BytesIO(emblem), width=EMBLEM_SIZE, height=EMBLEM_SIZE, kind="proportional")


def letter_pdf(doc: LetterDocument, *, emblem: bytes | None = None) -> bytes:
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=2.5 * cm, rightMargin=2 * cm, topMargin=1.5 * cm, bottomMargin=2 * cm,
        title=doc.title, subject=doc.number, author=doc.office.get("district", ""), creator="PATEN",
        producer="PATEN", invariant=1, lang="id",
    )  # fmt: skip
    width = template.width
    story: list[Flowable] = [
        *_letterhead(doc.office, width, emblem),
        HRFlowable(width="100%", thickness=2.2, color=colors.black, spaceBefore=2, spaceAfter=1.5),
        HRFlowable(width="100%", thickness=0.6, color=colors.black, spaceBefore=0, spaceAfter=16),
        _paragraph(f"<u>{plain_markup(doc.title)}</u>", "title"),
        _paragraph("Nomor: " + plain_markup(doc.number), "number"),
    ]
    for block in doc.blocks:
        if isinstance(block, FieldsBlock):
            story += [_fields_table(block, width), Spacer(1, 6)]
        else:
            story.append(_paragraph(block.markup, "body"))
    story.append(_signature_block(doc, width))
    template.build(story)
    return buffer.getvalue()
