"""The final report of a change (eindrapport): one content model, shown as a print-friendly page and
written as a PDF in the house style of the management reports (`beheer.core.pdf`).

The report has a cover (number, title, client, coordinator, period), then: the goals (the
description), what was done (the activities, done or deviated from), the deviations with their
reasons (only when there are any), the sections other apps add, the evaluation (the feedback
summary and answers, findings, lessons learned, follow-up actions) and the coordinator's advice.

Other apps add a section through `register_section(provider)`: a provider gets the change and the
reader and returns a `ReportSection`, or None when it has nothing to say (so no empty heading). Their
sections come after the deviations, before the evaluation (the test report goes there).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from beheer.accounts.models import User
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

from ..models import (
    Change,
    ChangeActivity,
    Evaluation,
    FeedbackRequest,
    Finding,
    FindingKind,
    FollowUp,
)
from .evaluation import follow_up_target

MAX_ROWS = 1000


@dataclass(frozen=True)
class Text:
    """A paragraph; `style` is "body", "muted" or "h3" (a small heading inside a section)."""

    text: str
    style: str = "body"


@dataclass(frozen=True)
class Rows:
    """A table with a header row."""

    head: Sequence[str]
    rows: Sequence[Sequence[str]]


Block = Text | Rows


@dataclass
class ReportSection:
    key: str
    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class FinalReport:
    change: Change
    title: str
    cover: list[tuple[str, str]]
    sections: list[ReportSection]
    generated: datetime


SectionProvider = Callable[[Change, User], ReportSection | None]
SECTION_PROVIDERS: list[SectionProvider] = []


def register_section(provider: SectionProvider) -> SectionProvider:
    """Add a section to every final report (after the deviations, before the evaluation); usable
    as a decorator. Registering the same provider twice adds it once."""
    if provider not in SECTION_PROVIDERS:
        SECTION_PROVIDERS.append(provider)
    return provider


def _date(value: datetime | None) -> str:
    if value is None:
        return "—"
    return formats.date_format(timezone.localtime(value), "j F Y")


def _person(user: Any) -> str:
    if user is None:
        return "—"
    return str(user.get_full_name() or user.username)


def _goals(change: Change) -> ReportSection:
    text = change.description.strip()
    return ReportSection(
        "goals",
        _("Goals"),
        [Text(text) if text else Text(_("The change has no description."), "muted")],
    )


def _work(activities: list[ChangeActivity]) -> ReportSection:
    if not activities:
        return ReportSection("work", _("What was done"), [Text(_("No activities were planned."), "muted")])
    rows = []
    for a in activities:
        if a.done_at is not None:
            state = _("Done %(date)s") % {"date": _date(a.done_at)}
        elif a.deviation:
            state = _("Deviation")
        else:
            state = _("Open")
        rows.append((a.title, _person(a.assignee) if a.assignee else str(a.operator_group or "—"), state))
    done = sum(1 for a in activities if a.done_at is not None)
    summary = _("%(done)d of %(total)d activities done.") % {"done": done, "total": len(activities)}
    return ReportSection(
        "work",
        _("What was done"),
        [Text(summary), Rows((_("Activity"), _("Assignee"), _("Status")), rows)],
    )


def _deviations(activities: list[ChangeActivity]) -> ReportSection | None:
    rows = [(a.title, a.deviation) for a in activities if a.deviation]
    if not rows:
        return None
    return ReportSection(
        "deviations", _("Deviations"), [Rows((_("Activity"), _("Deviation and decision")), rows)]
    )


def satisfaction_text(summary: dict[str, Any]) -> str:
    if not summary["asked"]:
        return _("No feedback was asked.")
    answered = _("%(answered)d of %(asked)d stakeholders answered.") % summary
    if summary["average"] is None:
        return answered
    average = formats.number_format(summary["average"], 1)
    return f"{answered} " + _("Average satisfaction: %(average)s out of 5.") % {"average": average}


def _evaluation(change: Change) -> ReportSection:
    blocks: list[Block] = [Text(_("Feedback"), "h3")]
    requests = FeedbackRequest.objects.filter(change=change)
    blocks.append(Text(satisfaction_text(requests.summary())))
    answers = list(requests.filter(answered_at__isnull=False).order_by("answered_at", "id")[:MAX_ROWS])
    if answers:
        blocks.append(
            Rows(
                (_("Stakeholder"), _("Score"), _("What went well"), _("What could be better")),
                [
                    (a.name, f"{a.satisfaction}/5", a.went_well or "—", a.could_be_better or "—")
                    for a in answers
                ],
            )
        )
    findings = list(Finding.objects.filter(change=change).order_by("kind", "id")[:MAX_ROWS])
    for kind, title, none in (
        (FindingKind.FINDING, _("Findings"), _("No findings were noted.")),
        (FindingKind.LESSON, _("Lessons learned"), _("No lessons were noted.")),
    ):
        blocks.append(Text(title, "h3"))
        rows = [(str(f.get_category_display()), f.text) for f in findings if f.kind == kind]
        blocks.append(Rows((_("Category"), _("Text")), rows) if rows else Text(none, "muted"))
    follow_ups = list(FollowUp.objects.filter(change=change).with_targets().order_by("id")[:MAX_ROWS])
    if follow_ups:
        blocks.append(Text(_("Follow-up actions"), "h3"))
        blocks.append(
            Rows(
                (_("Action"), _("Became")),
                [
                    (
                        f.title,
                        f"{f.get_converted_to_display()} {follow_up_target(f)}" if f.converted_to else "—",
                    )
                    for f in follow_ups
                ],
            )
        )
    return ReportSection("evaluation", _("Evaluation"), blocks)


def _advice(change: Change) -> ReportSection:
    row = Evaluation.objects.filter(change=change).first()
    text = row.advice.strip() if row else ""
    return ReportSection(
        "advice", _("Advice"), [Text(text) if text else Text(_("No advice has been written."), "muted")]
    )


def final_report(change: Change, *, user: User, generated: datetime) -> FinalReport:
    """The content of the final report of `change` (read by staff: the caller checks visibility)."""
    activities = list(
        ChangeActivity.objects.filter(change=change).select_related("assignee", "operator_group")[:MAX_ROWS]
    )
    sections: list[ReportSection] = [_goals(change), _work(activities)]
    deviations = _deviations(activities)
    if deviations is not None:
        sections.append(deviations)
    for provider in SECTION_PROVIDERS:
        extra = provider(change, user)
        if extra is not None:
            sections.append(extra)
    sections += [_evaluation(change), _advice(change)]
    period = f"{_date(change.created_at)} – {_date(change.closed_at)}"
    cover = [
        (_("Change"), change.number),
        (_("Client"), _person(change.client)),
        (_("Change coordinator"), _person(change.coordinator)),
        (_("Kind"), str(change.get_kind_display())),
        (_("Project"), change.project.name if change.project else "—"),
        (_("Period"), period),
        (_("Status"), f"{change.phase.name} ({change.get_status_display()})"),
    ]
    return FinalReport(change, change.title, cover, sections, generated)


# -- PDF ---------------------------------------------------------------------------------------------

STYLES = {
    "kicker": ParagraphStyle("fr-kicker", fontName=FONT, fontSize=11, leading=14, textColor=MUTED),
    "title": ParagraphStyle("fr-title", fontName=BOLD, fontSize=22, leading=27, textColor=INK, spaceAfter=8),
    "h2": ParagraphStyle(
        "fr-h2", fontName=BOLD, fontSize=12.5, leading=16, textColor=INK, spaceBefore=10, spaceAfter=5
    ),
    "h3": ParagraphStyle(
        "fr-h3", fontName=BOLD, fontSize=10.5, leading=13, textColor=INK, spaceBefore=6, spaceAfter=3
    ),
    "body": ParagraphStyle("fr-body", fontName=FONT, fontSize=9.5, leading=12.5, textColor=INK, spaceAfter=4),
    "muted": ParagraphStyle(
        "fr-muted", fontName=FONT, fontSize=8.5, leading=11, textColor=MUTED, spaceAfter=4
    ),
    "cell": ParagraphStyle("fr-cell", fontName=FONT, fontSize=8.5, leading=10.5, textColor=INK),
    "head": ParagraphStyle("fr-head", fontName=BOLD, fontSize=8.5, leading=10.5, textColor=INK),
}
for _style in STYLES.values():
    _style.splitLongWords = 1


def paragraph(value: Any, style: str = "body") -> Paragraph:
    """Plain text as a paragraph: escaped (never read as markup), line breaks kept."""
    return Paragraph(escape_markup(value).replace("\n", "<br/>"), STYLES[style])


def table(block: Rows) -> Table:
    """A `Rows` block as a table in the house style, the first column a little wider."""
    count = len(block.head)
    first = FRAME_WIDTH * (0.3 if count > 2 else 0.35)
    widths = [first] + [(FRAME_WIDTH - first) / (count - 1)] * (count - 1) if count > 1 else [FRAME_WIDTH]
    if count == 4:
        widths = [FRAME_WIDTH * w for w in (0.2, 0.1, 0.35, 0.35)]
    data = [[paragraph(h, "head") for h in block.head]]
    data += [[paragraph(v, "cell") for v in row] for row in block.rows]
    drawn = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    drawn.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEAD),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    return drawn


def facts(rows: Sequence[tuple[str, str]]) -> Table:
    """Label and value pairs (a report's cover) as a two-column table."""
    drawn = Table(
        [[paragraph(label, "head"), paragraph(value, "cell")] for label, value in rows],
        colWidths=[FRAME_WIDTH * 0.3, FRAME_WIDTH * 0.7],
        hAlign="LEFT",
    )
    drawn.setStyle(
        TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    )
    return drawn


def sections_story(sections: Sequence[ReportSection]) -> list[Flowable]:
    """The sections as flowables: each heading kept with its first block."""
    story: list[Flowable] = []
    for section in sections:
        first: list[Flowable] = [paragraph(section.title, "h2")]
        rest: list[Flowable] = []
        for block in section.blocks:
            flowable = paragraph(block.text, block.style) if isinstance(block, Text) else table(block)
            (rest if first[1:] else first).append(flowable)
        story.append(KeepTogether(first))  # a heading never ends a page alone
        story.extend(rest)
    return story


def build_pdf(story: list[Flowable], *, title: str, subject: str, footer: str) -> bytes:
    """An A4 document in the house style (margins, the footer with 'Page n of m')."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + FOOTER,
        title=title,
        subject=subject,
        author="Beheer",
        creator="Beheer",
        lang=(get_language() or "nl")[:2],
    )
    doc.build(story, canvasmaker=canvas_maker(footer[:100]))
    return buffer.getvalue()


def _cover(report: FinalReport) -> list[Flowable]:
    generated = _("Generated %(g)s.") % {
        "g": formats.date_format(timezone.localtime(report.generated), "j F Y H:i")
    }
    return [
        Spacer(1, 60),
        paragraph(_("Final report"), "kicker"),
        paragraph(f"{report.change.number} {report.title}", "title"),
        Spacer(1, 12),
        facts(report.cover),
        Spacer(1, 12),
        paragraph(generated, "muted"),
        PageBreak(),
    ]


def report_pdf(report: FinalReport) -> bytes:
    title = f"{report.change.number} {report.title}"
    return build_pdf(
        _cover(report) + sections_story(report.sections),
        title=_("Final report %(title)s") % {"title": title},
        subject=_("Final report"),
        footer=f"{_('Final report')} {title}",
    )
