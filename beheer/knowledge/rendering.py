"""Markdown to safe HTML: the `markdown` package renders, nh3 sanitises.

Only a fixed list of tags and attributes survives; links may point to http, https, mailto or a
relative address and get rel="noopener noreferrer"; images only from this site or over https. The
result is cached per text, so each version is rendered once per process.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache

import markdown
import nh3

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


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        # no tracking pixels over plain http and no other schemes: this site or https only
        if value.startswith("https://") or (value.startswith("/") and not value.startswith("//")):
            return value
        return None
    if attribute == "id":
        return "kb-" + "".join(ch for ch in value if ch.isalnum() or ch in "-_")[:80]
    return value


@lru_cache(maxsize=1024)
def render_markdown(text: str) -> str:
    """The sanitised HTML of a Markdown text."""
    html = markdown.markdown(text[:MAX_BODY], extensions=["extra", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=_filter_attribute,
        strip_comments=True,
    )


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
