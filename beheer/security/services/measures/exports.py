"""The statement of applicability as a file: XLSX (every line, read in keyset batches) and PDF in
the house style (core/pdf.py). Both read the lines through `reading.soa`, as the reader may."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from beheer.core import clock
from beheer.core.pdf import (
    BOLD,
    FONT,
    FOOTER,
    FRAME_WIDTH,
    HEAD,
    INK,
    MARGIN,
    MUTED,
    RULE,
    canvas_maker,
    escape_markup,
)
from beheer.core.table_export import keyset_rows, xlsx_response

from ...models import Control
from .catalogue import current_catalogue
from .reading import CONTROL_ORDER, soa

STYLES = {
    "title": ParagraphStyle("soa-title", fontName=BOLD, fontSize=16, leading=20, textColor=INK),
    "muted": ParagraphStyle("soa-muted", fontName=FONT, fontSize=8.5, leading=11, textColor=MUTED),
    "cell": ParagraphStyle("soa-cell", fontName=FONT, fontSize=8, leading=10, textColor=INK),
    "head": ParagraphStyle("soa-head", fontName=BOLD, fontSize=8, leading=10, textColor=INK),
}
for _style in STYLES.values():
    _style.splitLongWords = 1


def header() -> list[str]:
    return [
        _("Number"),
        _("Title"),
        _("Theme"),
        _("Decision"),
        _("Justification"),
        _("Decided by"),
        _("Decided"),
    ]


def _row(control: Control) -> list[Any]:
    line = getattr(control, "statement", None)
    return [
        control.number,
        control.title,
        control.get_theme_display(),
        line.get_applicability_display() if line else _("Not assessed"),
        line.justification if line else "",
        str(line.updated_by) if line and line.updated_by else "",
        timezone.localtime(line.updated_at).date() if line else None,
    ]


def rows(user: Any, *, theme: str = "", decision: str = "") -> Iterator[list[Any]]:
    for control in keyset_rows(soa(user, theme=theme, decision=decision), CONTROL_ORDER):
        yield _row(control)


def soa_xlsx(user: Any, *, theme: str = "", decision: str = "") -> Any:
    return xlsx_response(
        "statement-of-applicability",
        header(),
        rows(user, theme=theme, decision=decision),
        sheet=_("Applicability"),
    )


def _p(value: Any, style: str = "cell") -> Paragraph:
    return Paragraph(escape_markup(value).replace("\n", "<br/>"), STYLES[style])


def soa_pdf(user: Any, *, theme: str = "", decision: str = "") -> bytes:
    """The statement as an A4 document: a title, the catalogue and date, one table row per line."""
    catalogue = current_catalogue()
    generated = formats.date_format(timezone.localtime(clock.now()), "j F Y H:i")
    head = [_("Number"), _("Title"), _("Decision"), _("Justification")]
    data = [[_p(h, "head") for h in head]]
    for r in rows(user, theme=theme, decision=decision):
        data.append([_p(r[0]), _p(r[1]), _p(r[3]), _p(r[4])])
    table = Table(
        data, colWidths=[FRAME_WIDTH * w for w in (0.1, 0.32, 0.16, 0.42)], repeatRows=1, hAlign="LEFT"
    )
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEAD),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    title = _("Statement of applicability")
    story = [
        _p(title, "title"),
        Spacer(1, 6),
        _p(catalogue.name if catalogue else "", "muted"),
        _p(_("Generated %(g)s.") % {"g": generated}, "muted"),
        Spacer(1, 10),
        table,
    ]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + FOOTER,
        title=title,
        subject=title,
        author="Beheer",
        creator="Beheer",
        lang=(get_language() or "nl")[:2],
    )
    doc.build(story, canvasmaker=canvas_maker(title))
    return buffer.getvalue()
