"""A linear scan over hostile HTML: the limits check before sanitising, and the tokens for HTML to text.

Pure, no Django. `tokens(markup)` splits HTML into text, start tags and end tags the way an HTML5
tokenizer does for the parts that matter here (comments, `<!...>` and `<?...>` declarations, raw-text
elements such as `<script>`, quoted attribute values that may contain `>`), in one pass: every search
starts where the previous one of its kind stopped or reuses its result, so no character is looked at
more than a few times whatever the input (`Work` counts the characters the searches cover).

`check(markup, limits)` runs the same scan and stops at the first limit passed: the number of
elements, the attributes on one element, and the nesting depth. The depth follows the HTML5 tree
builder closely enough to bound its work (html5ever, used by nh3, spends time proportional to the
depth of its stack of open elements for every tag): void elements and elements whose end is implied
by a sibling (`p`, `li`, `td`, ...) do not nest; an end tag closes up to its element unless a
"special" element (a block such as `div` or `table`) lies above it, as in the tree builder. Where the
scan and the tree builder differ, the scan counts deeper, never shallower, except by the small
constant factor of the implied-end elements.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final, NamedTuple

VOID: Final = frozenset({
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img",
    "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
})  # fmt: skip
# Closed by their next sibling (or not allowed where they are): they never nest in the tree builder.
IMPLIED_END: Final = frozenset({
    "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead", "tbody", "tfoot",
    "caption", "colgroup", "rb", "rt", "rp", "rtc",
})  # fmt: skip
# The tree builder's "special" category: an end tag does not close elements past one of these.
SPECIAL: Final = frozenset({
    "address", "applet", "area", "article", "aside", "base", "basefont", "bgsound", "blockquote",
    "body", "br", "button", "caption", "center", "col", "colgroup", "dd", "details", "dir", "div",
    "dl", "dt", "embed", "fieldset", "figcaption", "figure", "footer", "form", "frame", "frameset",
    "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hgroup", "hr", "html", "iframe", "img",
    "input", "keygen", "li", "link", "listing", "main", "marquee", "menu", "meta", "nav", "noembed",
    "noframes", "noscript", "object", "ol", "p", "param", "plaintext", "pre", "script", "search",
    "section", "select", "source", "style", "summary", "table", "tbody", "td", "template",
    "textarea", "tfoot", "th", "thead", "title", "tr", "track", "ul", "wbr", "xmp",
})  # fmt: skip
# Their content is text up to the matching end tag (in HTML content, not inside svg or math).
RAW_TEXT: Final = frozenset({
    "script", "style", "xmp", "iframe", "noembed", "noframes", "textarea", "title",
})  # fmt: skip
FOREIGN: Final = frozenset(("svg", "math"))

_NAME = re.compile(r"[A-Za-z][^\t\n\f\r />]*")
_COMMENT_END = re.compile(r"--!?>")
_SPACE = "\t\n\f\r "
# One attribute (or the end of the tag) from a position inside a tag; group 1: ">", group 2: an
# opening quote whose closing one is searched separately (a quoted value may hold ">").
_ATTRIBUTE = re.compile(
    r"[\t\n\f\r /]*(?:(>)|[^\t\n\f\r />][^\t\n\f\r /=>]*[\t\n\f\r ]*"
    r"(?:=[\t\n\f\r ]*(?:([\"'])|[^\t\n\f\r >]*))?)"
)
_ATTRIBUTE_VALUES = re.compile(
    r"""([^\t\n\f\r />][^\t\n\f\r /=>]*)(?:[\t\n\f\r ]*=[\t\n\f\r ]*("[^"]*"|'[^']*'|[^\t\n\f\r >]*))?"""
)
_raw_end_cache: dict[str, re.Pattern[str]] = {}


def _raw_end(name: str) -> re.Pattern[str]:
    pattern = _raw_end_cache.get(name)
    if pattern is None:
        pattern = re.compile(r"</" + re.escape(name) + r"[\t\n\f\r />]", re.IGNORECASE)
        _raw_end_cache[name] = pattern
    return pattern


@dataclass
class Work:
    """Characters covered by the scan's searches, and tokens made: a measure of the work done."""

    scanned: int = 0
    tokens: int = 0


class Tag(NamedTuple):
    name: str
    end: bool
    self_closing: bool
    source: str  # the tag's attribute text (between the name and ">")
    foreign: bool = False  # inside svg or math, where "/>" closes an element

    def attributes(self) -> dict[str, str]:
        """Attribute values (first of each name wins, entities left as they are)."""
        found: dict[str, str] = {}
        for match in _ATTRIBUTE_VALUES.finditer(self.source):
            name = match.group(1).lower()
            value = match.group(2) or ""
            if value[:1] in ("'", '"'):
                value = value[1:-1]
            found.setdefault(name, value)
        return found

    def attribute_count(self) -> int:
        return sum(1 for _ in _ATTRIBUTE_VALUES.finditer(self.source))


Token = str | Tag  # text, or a tag


def tokens(markup: str, work: Work | None = None) -> Iterator[Token]:
    """Text (entities not decoded) and tags, in order; never raises, linear in len(markup).

    Each search starts past the end of the previous token (or, inside a tag, past the previous
    search's result) and stops at its own result, so the searches cover disjoint stretches of the
    text: `work.scanned` never exceeds a small multiple of its length.
    """
    work = work if work is not None else Work()
    text = markup
    find = text.find
    length = len(text)
    foreign = 0
    pos = 0
    scanned = made = 0
    try:
        while pos < length:
            lt = find("<", pos)
            scanned += (lt if lt != -1 else length) - pos
            if lt == -1:
                made += 1
                yield text[pos:]
                return
            if lt > pos:
                made += 1
                yield text[pos:lt]
            following = text[lt + 1 : lt + 2]
            if following == "!" or following == "?":
                if text.startswith("!--", lt + 1):
                    if text.startswith("<!-->", lt):
                        pos = lt + 5
                    elif text.startswith("<!--->", lt):
                        pos = lt + 6
                    else:
                        match = _COMMENT_END.search(text, lt + 4)
                        scanned += (match.end() if match else length) - lt
                        if match is None:
                            return  # the rest is an unclosed comment
                        pos = match.end()
                    continue
                gt = find(">", lt + 2)  # <!doctype>, <![CDATA[...]>, <?...>: a bogus comment
                scanned += (gt if gt != -1 else length) - lt
                if gt == -1:
                    return
                pos = gt + 1
                continue
            end = following == "/"
            name_at = lt + 2 if end else lt + 1
            match = _NAME.match(text, name_at)
            if match is None:
                if not end:
                    made += 1
                    yield "<"  # a "<" that starts no tag is text
                    pos = lt + 1
                    continue
                if text.startswith(">", name_at):  # "</>" is dropped
                    pos = name_at + 1
                    continue
                gt = find(">", name_at)  # "</ x>" is a bogus comment
                scanned += (gt if gt != -1 else length) - name_at
                if gt == -1:
                    return
                pos = gt + 1
                continue
            attributes_at = match.end()
            scanned += attributes_at - name_at
            tag_end, steps = _tag_end(text, attributes_at)
            scanned += (tag_end if tag_end != -1 else length) - attributes_at
            made += steps
            if tag_end == -1:
                return  # a tag that never ends takes the rest of the input with it
            name = match.group(0).lower()
            self_closing = tag_end > attributes_at and text[tag_end - 1] == "/"
            made += 1
            yield Tag(name, end, self_closing, text[attributes_at:tag_end], foreign > 0)
            pos = tag_end + 1
            if end:
                if foreign and name in FOREIGN:
                    foreign -= 1
            elif name in FOREIGN:
                if not self_closing:
                    foreign += 1
            elif foreign:
                continue
            elif name in RAW_TEXT:
                close = _raw_end(name).search(text, pos)
                scanned += (close.start() if close else length) - pos
                stop = close.start() if close else length
                if stop > pos:
                    made += 1
                    yield text[pos:stop]
                if close is None:
                    return
                pos = stop
            elif name == "plaintext":
                if pos < length:
                    made += 1
                    yield text[pos:]
                return
    finally:
        work.scanned += scanned
        work.tokens += made


def _tag_end(text: str, pos: int) -> tuple[int, int]:
    """(position of the ">" ending the tag whose attributes start at `pos`, or -1 at the end of the
    input; attribute steps taken). A ">" inside a quoted attribute value does not end the tag."""
    find = text.find
    steps = 0
    while True:
        close = find(">", pos)
        if close == -1:
            return -1, steps
        if find('"', pos, close) == -1 and find("'", pos, close) == -1:
            return close, steps  # no quote before the ">": that ">" ends the tag
        # A quote comes first: step through the attributes, honouring quoted values.
        while True:
            match = _ATTRIBUTE.match(text, pos)
            steps += 1
            if match is None:
                return -1, steps
            if match.group(1):
                return match.start(1), steps
            quote = match.group(2)
            if quote:
                closing = find(quote, match.end())
                if closing == -1:
                    return -1, steps  # an unclosed quoted value runs to the end of the input
                pos = closing + 1
                if closing > close:
                    break  # the ">" seen before was inside the value: look for the next one
            else:
                pos = match.end()


@dataclass(frozen=True)
class Limits:
    max_depth: int
    max_elements: int
    max_attributes: int


@dataclass(frozen=True)
class Problem:
    """The first limit an HTML text passes: which one ("depth", "elements", "attributes"), the limit
    and the value found when the scan stopped."""

    limit_name: str
    limit: int
    found: int


def check(
    markup: str, limits: Limits, work: Work | None = None, keep: list[Token] | None = None
) -> Problem | None:
    """None when the HTML is within the limits; else the first limit passed (the scan stops there).

    With `keep`, the tokens are appended to it, so converting the HTML to text needs no second scan.
    """
    stack: list[str] = []
    positions: dict[str, list[int]] = {}  # name -> its indexes in the stack
    specials: list[int] = []  # indexes of special elements in the stack
    elements = 0
    for token in tokens(markup, work):
        if keep is not None:
            keep.append(token)
        if isinstance(token, str):
            continue
        name = token.name
        if token.end:
            at = positions.get(name)
            if not at:
                continue
            top = at[-1]
            if specials and specials[-1] > top:
                continue  # a special element above it: the tree builder ignores this end tag
            while len(stack) > top:
                popped = stack.pop()
                positions[popped].pop()
                if specials and specials[-1] == len(stack):
                    specials.pop()
            continue
        elements += 1
        if elements > limits.max_elements:
            return Problem("elements", limits.max_elements, elements)
        if token.source.strip(_SPACE + "/"):
            count = token.attribute_count()
            if count > limits.max_attributes:
                return Problem("attributes", limits.max_attributes, count)
        if name in VOID or name in IMPLIED_END or (token.self_closing and token.foreign):
            continue
        positions.setdefault(name, []).append(len(stack))
        if name in SPECIAL:
            specials.append(len(stack))
        stack.append(name)
        if len(stack) > limits.max_depth:
            return Problem("depth", limits.max_depth, len(stack))
    return None
