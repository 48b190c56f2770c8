"""Knowledge articles and section handbooks as PDF, in the house style of `beheer.core.pdf`.

The input is the sanitised HTML of the renderer (never the Markdown itself): it is parsed with the
standard library and turned into reportlab flowables: headings, paragraphs with bold, italic, code
and links, lists, code blocks, simple tables, and images from the article's own attachments. Every
piece of text goes into reportlab's Paragraph mini-markup through `escape_markup`, so a title such as
``<font size=80>`` or ``R&D`` is printed as it is. The handbook has a table of contents with page
numbers and a PDF outline (bookmarks) of chapters and articles.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from typing import Any

from django.http import HttpResponse
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    KeepTogether,
    ListFlowable,
    ListItem,
    PageBreak,
    Paragraph,
    Preformatted,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable
from reportlab.platypus.tableofcontents import TableOfContents

from beheer.core.pdf import (
    BOLD,
    FONT,
    FOOTER,
    FRAME_HEIGHT,
    FRAME_WIDTH,
    HEAD,
    INK,
    ITALIC,
    MARGIN,
    MONO,
    MUTED,
    PDF,
    RULE,
    canvas_maker,
    escape_markup,
)

from .handbook import Entry, Handbook
from .models import ArticleAttachment

MAX_TABLE_COLUMNS = 12
MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINK_SCHEMES = ("http://", "https://", "mailto:")

STYLES = {
    "title": ParagraphStyle("kb-title", fontName=BOLD, fontSize=17, leading=21, textColor=INK, spaceAfter=4),
    "chapter": ParagraphStyle(
        "kb-chapter", fontName=BOLD, fontSize=15, leading=19, textColor=INK, spaceBefore=6, spaceAfter=6
    ),
    "article": ParagraphStyle(
        "kb-article", fontName=BOLD, fontSize=13.5, leading=17, textColor=INK, spaceBefore=8, spaceAfter=3
    ),
    "h1": ParagraphStyle(
        "kb-h1", fontName=BOLD, fontSize=13, leading=16, textColor=INK, spaceBefore=8, spaceAfter=4
    ),
    "h2": ParagraphStyle(
        "kb-h2", fontName=BOLD, fontSize=12, leading=15, textColor=INK, spaceBefore=7, spaceAfter=3
    ),
    "h3": ParagraphStyle(
        "kb-h3", fontName=BOLD, fontSize=11, leading=14, textColor=INK, spaceBefore=6, spaceAfter=3
    ),
    "h4": ParagraphStyle(
        "kb-h4", fontName=BOLD, fontSize=10, leading=13, textColor=INK, spaceBefore=5, spaceAfter=2
    ),
    "body": ParagraphStyle("kb-body", fontName=FONT, fontSize=9.5, leading=12.5, textColor=INK, spaceAfter=4),
    "quote": ParagraphStyle(
        "kb-quote", fontName=ITALIC, fontSize=9.5, leading=12.5, textColor=MUTED, leftIndent=12, spaceAfter=4
    ),
    "muted": ParagraphStyle("kb-muted", fontName=FONT, fontSize=8, leading=10.5, textColor=MUTED),
    "cell": ParagraphStyle("kb-cell", fontName=FONT, fontSize=8.5, leading=10.5, textColor=INK),
    "head": ParagraphStyle("kb-head", fontName=BOLD, fontSize=8.5, leading=10.5, textColor=INK),
    "code": ParagraphStyle(
        "kb-code",
        fontName=MONO,
        fontSize=8,
        leading=10,
        textColor=INK,
        backColor=HEAD,
        borderPadding=4,
        spaceBefore=2,
        spaceAfter=6,
    ),
    "toc0": ParagraphStyle("kb-toc0", fontName=BOLD, fontSize=10, leading=14, textColor=INK, leftIndent=0),
    "toc1": ParagraphStyle(
        "kb-toc1", fontName=FONT, fontSize=9.5, leading=12.5, textColor=INK, leftIndent=14
    ),
}


def plain(value: Any) -> str:
    """Text without control characters (for the outline and the document properties)."""
    return _CONTROL.sub("", str(value))


def text(value: Any, style: str = "body") -> Paragraph:
    """A paragraph of plain text: nothing in `value` is read as markup."""
    return Paragraph(escape_markup(plain(value)), STYLES[style])


# --------------------------------------------------------------------------------------------------
# sanitised HTML -> a small tree


@dataclass
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)


_VOID = {"br", "img", "hr"}


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


# --------------------------------------------------------------------------------------------------
# the tree -> flowables


_INLINE_TAGS = {
    "strong": ("<b>", "</b>"),
    "b": ("<b>", "</b>"),
    "em": ("<i>", "</i>"),
    "i": ("<i>", "</i>"),
    "code": (f'<font face="{MONO}">', "</font>"),
    "kbd": (f'<font face="{MONO}">', "</font>"),
    "del": ("<strike>", "</strike>"),
    "s": ("<strike>", "</strike>"),
    "sub": ("<sub>", "</sub>"),
    "sup": ("<super>", "</super>"),
}
_BLOCK_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "pre", "blockquote", "table", "hr", "div",
    "dl", "dt", "dd", "img",
}  # fmt: skip


def _text_of(node: Node | str) -> str:
    if isinstance(node, str):
        return node
    return "".join(_text_of(child) for child in node.children)


class Converter:
    """Turns one article's sanitised HTML into flowables; `images` maps the attachment URLs of the
    article's own images to their attachments (nothing else is ever read from disk)."""

    def __init__(self, images: dict[str, ArticleAttachment]) -> None:
        self.images = images

    def inline(self, nodes: Iterable[Node | str]) -> str:
        out: list[str] = []
        for node in nodes:
            if isinstance(node, str):
                out.append(escape_markup(plain(node)))
            elif node.tag == "br":
                out.append("<br/>")
            elif node.tag == "img":
                alt = node.attrs.get("alt") or ""
                out.append(escape_markup(plain(f"[{alt}]")) if alt else "")
            elif node.tag == "a":
                href = node.attrs.get("href", "")
                inner = self.inline(node.children)
                if href.startswith(_LINK_SCHEMES):
                    out.append(f'<link href="{escape_markup(plain(href))}" color="#1f5fbf">{inner}</link>')
                else:
                    out.append(inner)
            elif node.tag in _INLINE_TAGS:
                start, end = _INLINE_TAGS[node.tag]
                out.append(start + self.inline(node.children) + end)
            else:
                out.append(self.inline(node.children))
        return "".join(out)

    def image(self, node: Node) -> Flowable | None:
        attachment = self.images.get(node.attrs.get("src", ""))
        if attachment is None:
            return None
        try:
            if attachment.size > MAX_IMAGE_BYTES:
                raise ValueError("too large")
            with attachment.file.open("rb") as handle:
                data = handle.read(MAX_IMAGE_BYTES + 1)
            width, height = ImageReader(io.BytesIO(data)).getSize()
            if width <= 0 or height <= 0 or width * height > MAX_IMAGE_PIXELS:
                raise ValueError("bad size")
            scale = min(1.0, FRAME_WIDTH / width, (FRAME_HEIGHT * 0.6) / height, 0.75)
            picture = Image(io.BytesIO(data), width=width * scale, height=height * scale)
            picture.hAlign = "LEFT"
            return picture
        except Exception:
            return text(f"[{attachment.original_name}]", "muted")

    def blocks(self, nodes: Sequence[Node | str], style: str = "body") -> list[Flowable]:
        out: list[Flowable] = []
        run: list[Node | str] = []

        def flush() -> None:
            markup = self.inline(run).strip()
            if markup and markup != "<br/>":
                out.append(Paragraph(markup, STYLES[style]))
            run.clear()

        for node in nodes:
            if isinstance(node, str) or node.tag not in _BLOCK_TAGS:
                run.append(node)
                continue
            flush()
            out.extend(self.block(node))
        flush()
        return out

    def block(self, node: Node) -> list[Flowable]:
        tag = node.tag
        if tag == "img":
            picture = self.image(node)
            return [picture] if picture is not None else []
        if tag == "p":
            return self.blocks(node.children)
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            level = tag if tag in STYLES else "h4"
            return [Paragraph(self.inline(node.children) or "&nbsp;", STYLES[level])]
        if tag in {"ul", "ol"}:
            return [self.listing(node)]
        if tag == "pre":
            return [Preformatted(plain(_text_of(node)).rstrip("\n"), STYLES["code"], maxLineLength=100)]
        if tag == "blockquote":
            return self.blocks(node.children, "quote")
        if tag == "table":
            return self.table(node)
        if tag == "hr":
            return [HRFlowable(width="100%", thickness=0.5, color=RULE, spaceBefore=4, spaceAfter=4)]
        if tag == "dt":
            return [Paragraph("<b>" + self.inline(node.children) + "</b>", STYLES["body"])]
        return self.blocks(node.children)  # div, dl, dd

    def listing(self, node: Node) -> Flowable:
        items: list[ListItem] = []
        for child in node.children:
            if isinstance(child, Node) and child.tag == "li":
                content = self.blocks(child.children) or [Paragraph("&nbsp;", STYLES["body"])]
                items.append(ListItem(content))
        ordered = node.tag == "ol"
        start = node.attrs.get("start", "1")
        return ListFlowable(
            items or [ListItem(Paragraph("&nbsp;", STYLES["body"]))],
            bulletType="1" if ordered else "bullet",
            start=int(start) if ordered and start.isdigit() and len(start) < 7 else (1 if ordered else None),
            leftIndent=14,
            bulletFontName=FONT,
            bulletFontSize=8.5,
        )

    def table(self, node: Node) -> list[Flowable]:
        rows: list[list[Paragraph]] = []
        header_rows = 0
        for section in node.children:
            if not isinstance(section, Node):
                continue
            trs = [section] if section.tag == "tr" else [c for c in section.children if isinstance(c, Node)]
            for tr in trs:
                if tr.tag != "tr":
                    continue
                cells = [c for c in tr.children if isinstance(c, Node) and c.tag in {"td", "th"}]
                is_head = section.tag == "thead" or all(c.tag == "th" for c in cells)
                row = [
                    Paragraph(self.inline(c.children), STYLES["head" if c.tag == "th" else "cell"])
                    for c in cells[:MAX_TABLE_COLUMNS]
                ]
                if row:
                    if is_head and len(rows) == header_rows:
                        header_rows += 1
                    rows.append(row)
        if not rows:
            return []
        columns = max(len(r) for r in rows)
        for r in rows:
            r.extend(Paragraph("", STYLES["cell"]) for _ in range(columns - len(r)))
        table = Table(
            rows, colWidths=[FRAME_WIDTH / columns] * columns, repeatRows=header_rows, hAlign="LEFT"
        )
        style = [
            ("GRID", (0, 0), (-1, -1), 0.4, RULE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        if header_rows:
            style.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), HEAD))
        table.setStyle(TableStyle(style))
        return [table, Spacer(1, 6)]


def body_flowables(entry: Entry) -> list[Flowable]:
    from .queries import attachment_url

    images = {attachment_url(a.pk): a for a in entry.attachments if a.is_image}
    return Converter(images).blocks(parse_html(entry.html).children)


# --------------------------------------------------------------------------------------------------
# documents


class _Marked(Paragraph):
    """A heading that becomes a table-of-contents entry and a bookmark in the PDF outline."""

    def __init__(self, markup: str, style: ParagraphStyle, *, level: int, outline: str, key: str) -> None:
        super().__init__(markup, style)
        self.markup, self.toc_level, self.outline, self.key = markup, level, outline, key


class _Document(SimpleDocTemplate):
    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, _Marked):
            self.canv.bookmarkPage(flowable.key)
            self.canv.addOutlineEntry(flowable.outline, flowable.key, level=flowable.toc_level, closed=True)
            self.notify("TOCEntry", (flowable.toc_level, flowable.markup, self.page, flowable.key))

    def __init__(self, out: Any, **kwargs: Any) -> None:
        super().__init__(
            out,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN + FOOTER,
            author="Beheer",
            creator="Beheer",
            lang=(get_language() or "nl")[:2],
            **kwargs,
        )


def _marked(label: str, style: str, *, level: int, key: str) -> _Marked:
    return _Marked(
        escape_markup(plain(label)), STYLES[style], level=level, outline=plain(label)[:200], key=key
    )


def _date(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "j F Y")
    return formats.date_format(value, "j F Y")


def entry_header(entry: Entry) -> list[Flowable]:
    """Kind, version, owner, published date, next review, category, tags and change note."""
    a, v = entry.article, entry.version
    facts = [
        (_("Kind"), a.get_kind_display()),
        (_("Version"), str(v.number)),
        (_("Owner"), str(a.owner)),
        (_("Published"), _date(v.published_at)),
        (_("Next review"), _date(a.next_review_on)),
        (_("Category"), a.category.path() if a.category else "—"),
        (_("Tags"), ", ".join(v.tag_list) or "—"),
    ]
    if v.change_note:
        facts.append((_("Change note"), v.change_note))
    line = " · ".join(f"<b>{escape_markup(k)}:</b> {escape_markup(plain(val))}" for k, val in facts)
    return [Paragraph(line, STYLES["muted"]), Spacer(1, 6)]


def entry_attachments(entry: Entry) -> list[Flowable]:
    files = [a for a in entry.attachments if not a.is_image]
    if not files:
        return []
    out: list[Flowable] = [text(_("Attachments"), "h4")]
    out.extend(
        text(f"• {a.original_name} ({formats.number_format(max(1, a.size // 1024))} kB)") for a in files
    )
    return out


def _stamp(generated: datetime) -> str:
    return _("Generated %(g)s.") % {"g": formats.date_format(timezone.localtime(generated), "j F Y H:i")}


def article_pdf(entry: Entry, *, generated: datetime) -> bytes:
    buffer = io.BytesIO()
    title = plain(entry.version.title)
    doc = _Document(buffer, title=title, subject=entry.article.get_kind_display())
    story: list[Flowable] = [text(title, "title"), *entry_header(entry), *body_flowables(entry)]
    story.extend(entry_attachments(entry))
    doc.build(story, canvasmaker=canvas_maker(f"{title[:80]} · {_stamp(generated)}"))
    return buffer.getvalue()


def handbook_pdf(handbook: Handbook, *, generated: datetime) -> bytes:
    buffer = io.BytesIO()
    title = plain(_("Handbook: %(name)s") % {"name": handbook.category.path()})
    doc = _Document(buffer, title=title, subject=_("Handbook"))
    toc = TableOfContents(levelStyles=[STYLES["toc0"], STYLES["toc1"]], dotsMinLevel=0)
    story: list[Flowable] = [text(title, "title"), text(_stamp(generated), "muted"), Spacer(1, 10)]
    if not handbook.chapters:
        story.append(text(_("This section has no published articles you may read.")))
    else:
        story += [text(_("Contents"), "h2"), toc]
    if handbook.truncated:
        story.append(
            text(_("Only the first %(n)d articles are included.") % {"n": len(handbook.entries)}, "muted")
        )
    for chapter in handbook.chapters:
        story.append(PageBreak())
        story.append(
            _marked(f"{chapter.number}  {chapter.category.path()}", "chapter", level=0, key=chapter.anchor)
        )
        for entry in chapter.entries:
            story.append(CondPageBreak(80))
            heading = _marked(f"{entry.number}  {entry.version.title}", "article", level=1, key=entry.anchor)
            story.append(KeepTogether([heading, *entry_header(entry)]))
            story.extend(body_flowables(entry))
            story.extend(entry_attachments(entry))
            story.append(Spacer(1, 10))
    doc.multiBuild(story, canvasmaker=canvas_maker(f"{title[:80]} · {_stamp(generated)}"))
    return buffer.getvalue()


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=PDF)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
