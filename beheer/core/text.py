"""Control characters out of text: one rule for API schemas, forms and exports.

Typed text never needs the invisible C0 and C1 control characters (U+0000-U+001F, U+007F-U+009F):
they break exports (XLSX refuses them), PostgreSQL refuses NUL, and they hide text from readers.

- `clean_line`: single-line text (a brief description, a name). Tabs, line breaks and the Unicode
  line and paragraph separators become a space; every other control character is dropped.
- `clean_text`: multi-line text (a request, a note). CR LF and lone CR become LF; LF and TAB stay;
  every other control character (and the Unicode separators, as LF) is dropped or normalised.
- `printable`: the same as `clean_text`, for exporting text that is already stored (old rows may hold
  control characters that no input path lets in any more).
"""

from __future__ import annotations

import re

_LINE_SPACES = re.compile(r"[\t\n\v\f\r\x1c-\x1e\x85\u2028\u2029]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_NEWLINES = re.compile(r"\r\n?|[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def clean_line(value: str) -> str:
    """Single-line text without control characters (whitespace controls become a space)."""
    return _CONTROLS.sub("", _LINE_SPACES.sub(" ", value))


def clean_text(value: str) -> str:
    """Multi-line text with LF line ends, tabs kept, no other control characters."""
    return _CONTROLS.sub("", _NEWLINES.sub("\n", value))


def printable(value: str) -> str:
    """Stored text made safe for a file: LF line ends and tabs kept, other controls dropped."""
    return clean_text(value)


def has_controls(value: str) -> bool:
    """True when `value` holds a control character other than LF and TAB."""
    return bool(_CONTROLS.search(value) or "\r" in value)
