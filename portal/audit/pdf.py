"""One request's history as a PDF for a complaint file: the request, the log's state, and every event
(when, what, who, on whose behalf, the data entered, how long the step waited, its seal), in the
PDF standard fonts."""

from __future__ import annotations

import io
import json
from typing import Any

from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=8, leading=10)
HEAD = ParagraphStyle("head", fontName="Helvetica-Bold", fontSize=13, leading=16, spaceAfter=6)
SMALL = ParagraphStyle("small", fontName="Helvetica", fontSize=7, leading=9)
MAX_DATA_CHARS = 600


def _p(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _row(entry: Any) -> list[Any]:
    event = entry.event
    who = entry.who + (f" [{entry.role}]" if entry.role else "")
    if entry.on_behalf_of:
        who += "\n" + _("atas nama %(who)s") % {"who": entry.on_behalf_of}
    data = json.dumps(entry.data, ensure_ascii=False)[:MAX_DATA_CHARS] if entry.data else ""
    timing = " / ".join(t for t in (entry.waited_text, entry.worked_text) if t)
    seal = (_("daun %(i)s") % {"i": entry.leaf_index}) if entry.leaf_index is not None else _("belum disegel")
    return [
        _p(str(event.seq)), _p(timezone.localtime(event.at).strftime("%d-%m-%Y %H.%M.%S")),
        _p(entry.label + (f"\n{entry.step_name}" if entry.step_name else "")), _p(who), _p(data, SMALL), _p(timing),
        _p(seal + "\n" + event.hash[:16], SMALL),
    ]  # fmt: skip


def history_pdf_bytes(history: dict[str, Any], *, reader: str) -> bytes:
    """The PDF of `history` (history.request_history), noting who printed it and when."""
    instance = history["instance"]
    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=1.5 * cm, rightMargin=1.5 * cm,
                                 topMargin=1.5 * cm, bottomMargin=1.5 * cm,
                                 title=_("Riwayat permohonan %(tn)s") % {"tn": instance.tracking_number})  # fmt: skip
    checkpoint = history["checkpoint"]
    facts = [
        _("Layanan: %(name)s versi %(v)s (sidik %(sha)s)") % {
            "name": instance.definition.name, "v": instance.definition.version, "sha": instance.definition.sha256[:16]},
        _("Pemohon: %(name)s; status: %(status)s") % {"name": instance.applicant_name,
                                                       "status": instance.get_status_display()},
        _("Rantai hash: %(state)s; %(sealed)s dari %(n)s peristiwa disegel, %(proven)s tercakup titik periksa "
          "%(size)s") % {"state": _("tidak utuh") if history["broken"] else _("utuh"), "sealed": history["sealed"],
                         "n": len(history["entries"]), "proven": history["in_checkpoint"],
                         "size": checkpoint.size if checkpoint else "-"},
        _("Dicetak oleh %(who)s pada %(at)s WITA") % {"who": reader,
                                                     "at": timezone.localtime().strftime("%d-%m-%Y %H.%M")},
    ]  # fmt: skip
    header = [_p(t, BODY) for t in (_("No."), _("Waktu (WITA)"), _("Peristiwa"), _("Oleh"), _("Isian"),
                                    _("Menunggu / dikerjakan"), _("Segel"))]  # fmt: skip
    table = LongTable([header, *(_row(e) for e in history["entries"])], repeatRows=1,
                      colWidths=[1 * cm, 3 * cm, 4.5 * cm, 4.5 * cm, 8 * cm, 2.5 * cm, 3 * cm])  # fmt: skip
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.3, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))  # fmt: skip
    title = _("Riwayat permohonan %(tn)s") % {"tn": instance.tracking_number}
    document.build([_p(title, HEAD), *(_p(f) for f in facts), Spacer(1, 0.4 * cm), table])
    return out.getvalue()
