"""The structure of a design document's Markdown: its sections, the empty ones, the requirements each
names. Pure functions, no database: the services check mandatory sections with them, and the changes
app shows which design section covers each requirement (`requirement_refs`).

A section starts at a level-2 heading (`## Heading`) and runs to the next one; text before the first
heading belongs to a section without a heading (""). Headings inside fenced code blocks do not count.
HTML comments (`<!-- ... -->`, how a template's guidance is written) are no content: a section with
only its guidance is empty, and a requirement named in guidance is not covered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_HEADING = re.compile(r"^ {0,3}##(?!#)[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_SPACES = re.compile(r"\s+")
# [REQ-3], REQ-3, REQ3 or R3: a requirement code (upper case, as the changes app writes them)
_REQUIREMENT = re.compile(r"(?<![\w-])\[?((?:REQ-?|R)\d{1,6})\]?(?![\w-])")


@dataclass(frozen=True)
class Section:
    heading: str
    text: str

    @property
    def empty(self) -> bool:
        return not _COMMENT.sub("", self.text).strip()


def _lines_outside_code(markdown: str) -> Iterable[tuple[str, bool]]:
    """Each line with whether it is outside a fenced code block (fence lines count as inside)."""
    fence = ""
    for line in (markdown or "").replace("\r\n", "\n").split("\n"):
        opened = _FENCE.match(line)
        if fence:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = ""
            yield line, False
        elif opened:
            fence = opened.group(1)
            yield line, False
        else:
            yield line, True


def sections(markdown: str) -> list[Section]:
    """The document's sections in order; the text before the first heading is the section ""
    (left out when it is blank)."""
    found: list[Section] = []
    heading, lines = "", []
    for line, outside in _lines_outside_code(markdown):
        match = _HEADING.match(line) if outside else None
        if match is None:
            lines.append(line)
            continue
        found.append(Section(heading, "\n".join(lines)))
        heading, lines = match.group(1).strip(), []
    found.append(Section(heading, "\n".join(lines)))
    if found[0].heading == "" and not found[0].text.strip():
        found.pop(0)
    return found


def normalise_heading(text: str) -> str:
    """Headings compare without case, surrounding spaces or emphasis marks."""
    return _SPACES.sub(" ", text.replace("*", "").replace("_", " ")).strip().casefold()


def missing_sections(markdown: str, required: Sequence[Sequence[str]]) -> list[int]:
    """The indexes of `required` (each a list of accepted headings, e.g. the Dutch and the English
    one) that have no section with content in `markdown`. A heading that occurs twice counts as
    present when one of its sections has content."""
    filled: dict[str, bool] = {}
    for section in sections(markdown):
        key = normalise_heading(section.heading)
        filled[key] = filled.get(key, False) or not section.empty
    missing = []
    for index, names in enumerate(required):
        if not any(filled.get(normalise_heading(name), False) for name in names if name.strip()):
            missing.append(index)
    return missing


def requirement_refs(markdown: str) -> dict[str, list[str]]:
    """Each requirement code named in the text -> the headings of the sections that name it, in the
    order of the document (each heading once). `[REQ-3]` is the code `REQ-3`; codes are kept as
    written (upper case only, so an ordinary word is never a code). Text in code blocks and HTML
    comments (template guidance) is not counted."""
    refs: dict[str, list[str]] = {}
    heading = ""
    for line, outside in _lines_outside_code(_COMMENT.sub("", markdown or "")):
        if not outside:
            continue
        match = _HEADING.match(line)
        if match is not None:
            heading = match.group(1).strip()
        for code in _REQUIREMENT.findall(line):
            headings = refs.setdefault(code, [])
            if heading not in headings:
                headings.append(heading)
    return refs
