"""The house style of Beheer's PDFs (management report, knowledge articles and handbooks).

A4, standard Helvetica fonts (nothing to install or embed; they cover Western European text) and a
footer with 'Page n of m'. Text must reach reportlab's Paragraph only escaped (`escape_markup`):
its mini-markup would otherwise read ``<font size=80>`` or ``&`` in a title as markup.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

PDF = "application/pdf"

MARGIN = 15 * mm
FOOTER = 9 * mm
FRAME_WIDTH = A4[0] - 2 * MARGIN
FRAME_HEIGHT = A4[1] - 2 * MARGIN - FOOTER

INK = colors.HexColor("#1d2530")
MUTED = colors.HexColor("#5b6675")
RULE = colors.HexColor("#d8dde4")
HEAD = colors.HexColor("#eef1f5")
FONT, BOLD = "Helvetica", "Helvetica-Bold"
ITALIC, BOLD_ITALIC, MONO = "Helvetica-Oblique", "Helvetica-BoldOblique", "Courier"


def escape_markup(value: Any) -> str:
    """Text for a reportlab Paragraph: <, > and & escaped, quotes too (safe inside attributes)."""
    return escape(str(value), {'"': "&quot;"})


def canvas_maker(footer_left: str) -> type[Canvas]:
    """A canvas that keeps every page until the end, to print 'Page n of m' in the footer."""
    page_of = _("Page %(page)s of %(pages)s")

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self.setFont(FONT, 7.5)
                self.setFillColor(MUTED)
                self.setStrokeColor(RULE)
                self.line(MARGIN, MARGIN + 5 * mm, A4[0] - MARGIN, MARGIN + 5 * mm)
                self.drawString(MARGIN, MARGIN + 1.5 * mm, footer_left)
                self.drawRightString(
                    A4[0] - MARGIN, MARGIN + 1.5 * mm, page_of % {"page": number, "pages": total}
                )
                super().showPage()
            super().save()

    return NumberedCanvas


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    """A generated PDF as a private download: never cached, never sniffed."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
