"""Annotated types for API input (django-ninja / Pydantic), shared by every app's schemas and routers.

- `Id`: a database id in a path, a query or a body: 1 .. 2**63-1. A bigger number (which the
  database driver cannot even bind) or zero/negative is a 422 before any query runs.
- `Int64`: any other integer parameter, limited to the signed 64-bit range.
- `TextLine`: single-line text; control characters are removed before the length checks (tabs and line
  breaks become a space, see core/text.py), so invisible characters never reach the database.
- `Text`: multi-line text; line ends become LF, tabs stay, other control characters are removed.

Use them in place of `int` and `str` for every input field: `brief_description: TextLine = Field(...)`,
`def get_melding(request, melding_id: Id)`. `Field(min_length=..., max_length=...)` still applies,
after cleaning.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from .text import clean_line, clean_text

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


def _line(value: Any) -> Any:
    return clean_line(value) if isinstance(value, str) else value


def _text(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value


Id = Annotated[int, Field(ge=1, le=INT64_MAX)]
Int64 = Annotated[int, Field(ge=INT64_MIN, le=INT64_MAX)]
TextLine = Annotated[str, BeforeValidator(_line)]
Text = Annotated[str, BeforeValidator(_text)]


def bounded(default: int, *, ge: int = INT64_MIN, le: int = INT64_MAX, **kwargs: Any) -> Any:
    """`Field` for an integer parameter with a default, within the 64-bit range unless narrower."""
    return Field(default, ge=max(ge, INT64_MIN), le=min(le, INT64_MAX), **kwargs)
