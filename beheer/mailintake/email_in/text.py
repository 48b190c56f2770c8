"""Text helpers for incoming mail: charsets, RFC 2047 headers, HTML to text, quoted-reply stripping.

Pure functions without Django. Every function here accepts hostile input and never raises for it:
an unknown charset falls back to UTF-8 and then Windows-1252, undecodable bytes become U+FFFD.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import html
import quopri
import re
from collections.abc import Iterable

from . import markup

# Charset labels that mail clients send but Python does not know, or knows under another name.
# ISO-8859-1 is read as Windows-1252 (a superset in practice: Outlook labels cp1252 text as
# latin-1), GB2312 as GB18030 (its superset), as browsers do.
_CHARSET_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "ansi_x3.4-1968": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "ks_c_5601-1987": "cp949",
    "x-sjis": "shift_jis",
    "shift-jis": "shift_jis",
    "x-mac-roman": "mac_roman",
    "macintosh": "mac_roman",
    "utf8": "utf-8",
    "x-utf-8": "utf-8",
    "unicode-1-1-utf-7": "utf-7",
}
_NO_CHARSET = {"", "unknown", "unknown-8bit", "x-unknown", "default", "none", "8bit", "binary"}


def codec_for(charset: str | None) -> str | None:
    """A Python codec name for a MIME charset label, or None when the label is unknown or empty."""
    if not charset:
        return None
    label = str(charset).strip().strip("\"'").lower()
    label = label.split("*", 1)[0]  # RFC 2231 language suffix: "utf-8*nl"
    if label in _NO_CHARSET or len(label) > 40:
        return None
    label = _CHARSET_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except (LookupError, ValueError):
        return None


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Bytes in a declared (possibly wrong or unknown) charset to text; never raises."""
    codec = codec_for(charset)
    if codec is not None:
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError, ValueError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if codec is not None and codec not in {"utf-8", "cp1252"}:
        # A declared (multi-byte) charset with a bad byte: keep the rest readable.
        try:
            return data.decode(codec, errors="replace")
        except (LookupError, ValueError):
            pass
    # Undeclared, or mislabelled as UTF-8: Windows-1252 is by far the most likely.
    return data.decode("cp1252", errors="replace")


def surrogate_bytes(value: str) -> bytes:
    """The original bytes of a header value that the email package kept with surrogate escapes."""
    return value.encode("utf-8", errors="surrogateescape")


def recover_8bit(value: str) -> str:
    """A header with raw 8-bit bytes (not RFC 2047): read them as UTF-8, else Windows-1252."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    return decode_bytes(surrogate_bytes(value))


_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,60})\?([bBqQ])\?([^?\s]*)\?=")
_BETWEEN_WORDS = re.compile(r"(\?=)\s+(=\?)")
_FOLD = re.compile(r"\r?\n[ \t]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _decode_word(match: re.Match[str]) -> str:
    charset, encoding, text = match.group(1), match.group(2).lower(), match.group(3)
    try:
        if encoding == "b":
            padded = text + "=" * (-len(text) % 4)
            data = base64.b64decode(padded.encode("ascii", errors="ignore"), validate=False)
        else:
            data = quopri.decodestring(text.replace("_", " ").encode("ascii", errors="ignore"), header=True)
    except (binascii.Error, ValueError):
        return match.group(0)
    return decode_bytes(data, charset)


def decode_header_value(value: object) -> str:
    """An RFC 2047 encoded (or raw 8-bit) header value as one line of text; never raises."""
    if value is None:
        return ""
    raw = recover_8bit(str(value))
    raw = _FOLD.sub(" ", raw)
    if "=?" in raw:
        # Whitespace between two adjacent encoded words is not part of the text (RFC 2047 6.2).
        previous = None
        while previous != raw:
            previous = raw
            raw = _BETWEEN_WORDS.sub(r"\1\2", raw)
        raw = _ENCODED_WORD.sub(_decode_word, raw)
    raw = _CONTROL.sub(" ", raw.replace("\r", " ").replace("\n", " "))
    return " ".join(raw.split())


# --- HTML to readable text -------------------------------------------------------------------------

_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "fieldset", "figcaption",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
    "nav", "ol", "p", "pre", "section", "table", "tr", "ul",
}  # fmt: skip
_PARAGRAPH_TAGS = {"p", "table", "blockquote", "h1", "h2", "h3"}
_SKIP_TAGS = {
    "script", "style", "head", "title", "template", "noscript", "object", "svg", "math", "iframe",
    "noembed", "noframes",
}  # fmt: skip
_WHITESPACE = re.compile(r"\s+")
MAX_TEXT_CHARS = 1_000_000  # text made from HTML beyond this is cut


class _TextBuilder:
    """Readable text from the tokens of `markup.tokens`: blocks become lines, scripts disappear."""

    def __init__(self, limit: int) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.limit = limit
        self.skip_depth = 0
        self.pre_depth = 0
        self.saw_pre = False
        self.links: list[str | None] = []

    def add(self, text: str) -> None:
        if self.size < self.limit:
            self.parts.append(text)
            self.size += len(text)

    def start(self, tag: markup.Tag) -> None:
        name = tag.name
        if tag.self_closing:  # "<br/>", "<img .../>": the element only; "<div/>" adds nothing
            if name in {"br", "hr"}:
                self.add("\n")
            elif name == "img":
                self.image(tag)
            return
        if name == "body" and self.skip_depth:  # a head that was never closed
            self.skip_depth = 0
        if name in _SKIP_TAGS:
            self.skip_depth += 1
            return
        if name == "br":
            self.add("\n")
        elif name == "img":
            self.image(tag)
        elif name in _BLOCK_TAGS:
            self.add("\n\n" if name in _PARAGRAPH_TAGS else "\n")
            if name == "li":
                self.add("- ")
        elif name in {"td", "th"}:
            self.add("\t")
        if name == "pre":
            self.pre_depth += 1
            self.saw_pre = True
        if name == "a":
            href = html.unescape(tag.attributes().get("href", ""))
            self.links.append(href if href.lower().startswith(("http:", "https:")) else None)

    def image(self, tag: markup.Tag) -> None:
        alt = html.unescape(tag.attributes().get("alt", ""))
        if alt and not self.skip_depth:
            self.add(f"[{alt}]")

    def end(self, name: str) -> None:
        if name in _SKIP_TAGS:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if name == "pre":
            self.pre_depth = max(0, self.pre_depth - 1)
        if name == "a" and self.links:
            href = self.links.pop()
            if href and not self.skip_depth and href not in "".join(self.parts[-3:]):
                self.add(f" <{href}>")
        if name in _BLOCK_TAGS and name != "li":
            self.add("\n")

    def data(self, text: str) -> None:
        if self.skip_depth:
            return
        text = html.unescape(text)
        self.add(text if self.pre_depth else _WHITESPACE.sub(" ", text))


def html_to_text(
    source: str | Iterable[markup.Token], *, limit: int = MAX_TEXT_CHARS, work: markup.Work | None = None
) -> str:
    """Readable plain text from HTML (or its tokens): blocks become lines, scripts and styles go.

    One linear pass (`markup.tokens`); the text is cut at `limit` characters.
    """
    builder = _TextBuilder(limit)
    for token in markup.tokens(source, work) if isinstance(source, str) else source:
        if isinstance(token, str):
            builder.data(token)
        elif token.end:
            builder.end(token.name)
        else:
            builder.start(token)
    text = "".join(builder.parts)[:limit]
    if not builder.saw_pre:
        text = "\n".join(line.strip() for line in text.split("\n"))
    return normalise_text(text)


def normalise_text(text: str) -> str:
    """LF line ends, no trailing spaces, at most one blank line in a row, no control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    text = _CONTROL.sub("", text.replace("\t", "    "))
    lines = [line.rstrip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    return "\n".join(out).strip("\n")


def unflow(text: str, *, delsp: bool = False) -> str:
    """Undo RFC 3676 format=flowed: a line ending in a space continues on the next line."""
    out: list[str] = []
    buffer = ""
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.startswith(" "):
            line = line[1:]  # space-stuffing
        if line.endswith(" ") and line != "-- ":
            buffer += line[:-1] if delsp else line
            continue
        out.append(buffer + line)
        buffer = ""
    if buffer:
        out.append(buffer)
    return "\n".join(out)


# --- Quoted-reply stripping ------------------------------------------------------------------------

_SEPARATOR = re.compile(
    r"^\s*-{2,}\s*(original message|oorspronkelijk bericht|origineel bericht|forwarded message|"
    r"doorgestuurd bericht|urspr\u00fcngliche nachricht|message d'origine)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_OUTLOOK_RULE = re.compile(r"^\s*_{10,}\s*$")
_ATTRIBUTION = (
    re.compile(r"^\s*on\b.{0,300}\bwrote:\s*$", re.IGNORECASE),
    re.compile(r"^\s*op\b.{0,300}\b(schreef|geschreven)\b.{0,80}:\s*$", re.IGNORECASE),
    re.compile(r"^\s*am\b.{0,300}\bschrieb\b.{0,80}:\s*$", re.IGNORECASE),
    re.compile(r"^\s*le\b.{0,300}\ba \u00e9crit\s*:\s*$", re.IGNORECASE),
)
_HEADER_START = re.compile(r"^\s*\*?(from|van|von|de)\s*:\*?\s", re.IGNORECASE)
_HEADER_NEXT = re.compile(
    r"^\s*\*?(sent|verzonden|date|datum|to|aan|subject|onderwerp|cc|gesendet|an|betreff)\s*:",
    re.IGNORECASE,
)
_MOBILE_SIGNATURE = re.compile(
    r"^\s*(sent from my|verzonden (vanaf|met|via) |verstuurd (vanaf|met|via) |get outlook for|"
    r"outlook voor (ios|android) downloaden)",
    re.IGNORECASE,
)


_ATTRIBUTION_HINT = re.compile(r"wrote|schre|schrie|\u00e9crit", re.IGNORECASE)


def _is_attribution(lines: list[str], i: int) -> bool:
    line = lines[i]
    following = lines[i + 1] if i + 1 < len(lines) else ""
    if not _ATTRIBUTION_HINT.search(line) and not _ATTRIBUTION_HINT.search(following):
        return False  # one cheap search instead of every pattern, on almost every line
    if any(p.match(line) for p in _ATTRIBUTION):
        return True
    # Gmail wraps a long attribution over two lines: "On Mon, 3 Mar 2026 at 10:12, Jan <jan@x>\nwrote:"
    if i + 1 < len(lines) and len(line) < 300 and lines[i + 1].strip():
        joined = f"{line.rstrip()} {lines[i + 1].strip()}"
        return any(p.match(joined) for p in _ATTRIBUTION) and not any(
            p.match(lines[i + 1]) for p in _ATTRIBUTION
        )
    return False


def _is_header_block(lines: list[str], i: int) -> bool:
    if not _HEADER_START.match(lines[i]):
        return False
    following = [line for line in lines[i + 1 : i + 6] if line.strip()]
    return sum(1 for line in following if _HEADER_NEXT.match(line)) >= 2


def strip_quoted_reply(text: str) -> str:
    """The new part of a reply: without the quoted original, the attribution line and the signature.

    Cuts at the first of: "On ... wrote:" / "Op ... schreef ...:" / "Op ... het volgende geschreven:",
    "-----Original Message-----" (and Dutch variants), an Outlook header block ("From:/Van:" followed
    by "Sent:/Verzonden:", "To:/Aan:", "Subject:/Onderwerp:"), a line of underscores before such a
    block, or the signature separator "-- ". Lines quoted with ">" are dropped wherever they are,
    so an answer written between quoted lines is kept. A trailing "Sent from my iPhone" goes too.
    When nothing is left, the whole text is returned: better too much than an empty reply.
    """
    lines = normalise_text(text).split("\n")
    kept: list[str] = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if line.rstrip() == "--" or line == "-- ":
            break
        if _SEPARATOR.match(line) or _is_attribution(lines, i) or _is_header_block(lines, i):
            break
        if _OUTLOOK_RULE.match(line) and i + 1 < len(lines) and _is_header_block(lines, i + 1):
            break
        if stripped.startswith(">"):
            continue
        kept.append(line)
    while kept and (not kept[-1].strip() or _MOBILE_SIGNATURE.match(kept[-1])):
        kept.pop()
    result = normalise_text("\n".join(kept))
    return result or normalise_text(text)
