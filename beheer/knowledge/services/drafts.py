"""The text of a draft article from a problem and its solution (the servicedesk makes one from a
solved melding)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")


def escape_markdown(text: str) -> str:
    """Plain text as Markdown that renders as exactly that text: Markdown punctuation is
    backslash-escaped, HTML characters become entities, line breaks stay line breaks."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", (text or "").replace("\x00", "").replace("\r\n", "\n"))
    escaped = escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "  \n".join(line.rstrip() for line in escaped.strip().split("\n"))


def article_body_from(request: str, solution: str) -> str:
    return "\n\n".join(
        [
            f"## {_('Problem')}",
            escape_markdown(request) or "-",
            f"## {_('Solution')}",
            escape_markdown(solution),
        ]
    )
