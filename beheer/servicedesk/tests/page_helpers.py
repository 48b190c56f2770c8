"""Helpers for the tests of the melding page: find one element of a rendered page by its id."""

from __future__ import annotations

import re
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Finder(HTMLParser):
    def __init__(self, wanted: str) -> None:
        super().__init__(convert_charrefs=False)
        self.wanted = wanted
        self.depth = 0  # > 0 while inside the wanted element
        self.start: tuple[int, int] | None = None
        self.end: tuple[int, int] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.end is not None or tag in VOID:
            return
        if self.depth:
            self.depth += 1
        elif dict(attrs).get("id") == self.wanted:
            self.start = self.getpos()
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag not in VOID:
            self.depth -= 1
            if self.depth == 0:
                self.end = self.getpos()


def element(html: str, element_id: str) -> str:
    """The markup of the element with this id, from its start tag up to its end tag ("" if absent)."""
    finder = _Finder(element_id)
    finder.feed(html)
    finder.close()
    if finder.start is None:
        return ""
    lines = html.splitlines(keepends=True)

    def offset(pos: tuple[int, int]) -> int:
        return sum(len(line) for line in lines[: pos[0] - 1]) + pos[1]

    stop = offset(finder.end) if finder.end is not None else len(html)
    return html[offset(finder.start) : stop]


def text(html: str) -> str:
    """The visible text of some markup, whitespace collapsed."""
    plain = re.sub(r"<[^>]+>", " ", html)
    for entity, char in (("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">"), ("&#x27;", "'"), ("&quot;", '"')):
        plain = plain.replace(entity, char)
    return re.sub(r"\s+", " ", plain).strip()
