"""Markdown to safe HTML: the `markdown` package renders, nh3 sanitises.

Only a fixed list of tags and attributes survives; links may point to http, https, mailto or a
relative address and get rel="noopener noreferrer". Images: an article shows only its own image
attachments. ``![alt](attachment:12)`` or ``![alt](attachment:photo.png)`` becomes the
permission-checked address of that attachment of the same article; any other image (an external
http(s) address, another article's attachment, an unknown name) is not loaded but shown as a link
(a Markdown tree processor does this before sanitising, and nh3 then drops every image address that
is not one of the article's own). ``[text](attachment:12)`` links to the download; a reference to an
attachment the article does not have stays as plain text. The result is cached per text and set of
attachments, so each version is rendered once per process.
"""

from __future__ import annotations

import difflib
import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre",
    "s", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
    "h1": {"id"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
}
URL_SCHEMES = {"http", "https", "mailto"}
MAX_BODY = 200_000
SCHEME = "attachment:"


@dataclass(frozen=True)
class AttachmentRef:
    """What the renderer needs to know of an attachment of the article being rendered."""

    id: int
    name: str
    url: str
    is_image: bool


Refs = tuple[AttachmentRef, ...]


def _find(refs: Refs, target: str) -> AttachmentRef | None:
    key = unquote(target[len(SCHEME) :]).strip()
    for ref in refs:
        if key == str(ref.id) or key == ref.name:
            return ref
    return None


class _AttachmentLinks(Treeprocessor):
    """attachment: references become the attachment URLs; other images become plain links."""

    def __init__(self, md: markdown.Markdown, refs: Refs) -> None:
        super().__init__(md)
        self.refs = refs

    def run(self, root: etree.Element) -> None:
        for parent in root.iter():
            for index, child in enumerate(list(parent)):
                if child.tag == "img":
                    self._image(parent, index, child)
                elif child.tag == "a" and (child.get("href") or "").startswith(SCHEME):
                    ref = _find(self.refs, child.get("href") or "")
                    if ref is None:
                        child.tag = "span"
                        child.attrib.clear()
                    else:
                        child.set("href", ref.url)

    def _image(self, parent: etree.Element, index: int, img: etree.Element) -> None:
        src = img.get("src") or ""
        ref = _find(self.refs, src) if src.startswith(SCHEME) else None
        if ref is not None and ref.is_image:
            img.set("src", ref.url)
            return
        # not one of the article's own images: a link instead of loading it
        link = etree.Element("a", {"href": ref.url if ref else src})
        link.text = img.get("alt") or (ref.name if ref else src)
        link.tail = img.tail
        if ref is None and src.startswith(SCHEME):
            link.tag = "span"
            link.attrib.clear()
        parent.remove(img)
        parent.insert(index, link)


class _AttachmentExtension(Extension):
    def __init__(self, refs: Refs) -> None:
        super().__init__()
        self.refs = refs

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_AttachmentLinks(md, self.refs), "beheer_attachments", 1)


def _attribute_filter(image_urls: frozenset[str]) -> Callable[[str, str, str], str | None]:
    def keep(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src":
            return value if value in image_urls else None  # only the article's own images load
        if attribute == "id":
            return "kb-" + "".join(ch for ch in value if ch.isalnum() or ch in "-_")[:80]
        return value

    return keep


@lru_cache(maxsize=1024)
def _render(text: str, refs: Refs) -> str:
    html = markdown.markdown(
        text[:MAX_BODY],
        extensions=["extra", "sane_lists", _AttachmentExtension(refs)],
        output_format="html",
    )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=_attribute_filter(frozenset(r.url for r in refs if r.is_image)),
        strip_comments=True,
    )


def render_markdown(text: str, attachments: Iterable[AttachmentRef] = ()) -> str:
    """The sanitised HTML of a Markdown text, with `attachments` (of the same article) resolved."""
    return _render(text, tuple(sorted(attachments, key=lambda r: r.id)))


@dataclass(frozen=True)
class DiffLine:
    op: str  # "equal", "delete", "insert", "header"
    old_number: int | None
    new_number: int | None
    text: str


def diff_lines(old: str, new: str, *, context: int = 3) -> list[DiffLine]:
    """A unified line diff as rows; templates escape `text`, so any content is shown as text."""
    a, b = old.splitlines(), new.splitlines()
    rows: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        rows.append(
            DiffLine(
                "header",
                None,
                None,
                f"@@ -{first[1] + 1},{last[2] - first[1]} +{first[3] + 1},{last[4] - first[3]} @@",
            )
        )
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows.extend(DiffLine("equal", i1 + k + 1, j1 + k + 1, a[i1 + k]) for k in range(i2 - i1))
                continue
            if tag in ("replace", "delete"):
                rows.extend(DiffLine("delete", i + 1, None, a[i]) for i in range(i1, i2))
            if tag in ("replace", "insert"):
                rows.extend(DiffLine("insert", None, j + 1, b[j]) for j in range(j1, j2))
    return rows
