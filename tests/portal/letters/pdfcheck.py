"""Reading back what a letter PDF shows: its text and the QR code's modules."""

from __future__ import annotations

import io

from pypdf import PdfReader
from pypdf.generic import ContentStream
from reportlab.graphics.barcode import qrencoder

from portal.letters.pdf import QR_BORDER, QR_FORM_NAME


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def qr_dark_modules(content: bytes, module_count: int) -> set[tuple[int, int]]:
    """(row, column) of every dark module drawn in the letter's QR form XObject."""
    reader = PdfReader(io.BytesIO(content))
    form = reader.pages[0]["/Resources"]["/XObject"][f"/FormXob.{QR_FORM_NAME}"].get_object()
    size = float(form["/BBox"][2])
    box = size / (module_count + 2 * QR_BORDER)
    dark = set()
    for operands, operator in ContentStream(form, reader).operations:
        if operator != b"re":
            continue
        x, y, w, _h = (float(v) for v in operands)
        row = round((size - y) / box) - QR_BORDER - 1
        first = round(x / box) - QR_BORDER
        dark.update((row, col) for col in range(first, first + round(w / box)))
    return dark


def qr_expected(text: str, level: str = "M") -> tuple[int, set[tuple[int, int]]]:
    qr = qrencoder.QRCode(None, getattr(qrencoder.QRErrorCorrectLevel, level))
    qr.addData(text)
    qr.make()
    dark = {(r, c) for r, row in enumerate(qr.modules) for c, v in enumerate(row) if v}
    return qr.getModuleCount(), dark
