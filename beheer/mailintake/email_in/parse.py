"""Parse one incoming e-mail message into what the servicedesk needs; never raises.

`parse_message(raw, ...)` returns a `ParsedMessage` (a new melding or a reply, or a message to
ignore, with the reason) or a `ParseFailure` (for the dead-letter list). It is pure: no database, no
settings; the caller passes the limits and its own addresses in.

Threading input: `message_id`, `in_reply_to`, `references` and `melding_number`. A melding number is
recognised in the subject in two forms only, case-insensitive:

- in square brackets, any number of digits: `[M0001234]`, `[M1234]`, `[ m1234 ]`;
- bare, with at least seven digits (the way Beheer writes them): `M0001234`, `#M0001234`.

"melding 1234", "call 1234" or a bare "M1234" are not recognised: short numbers in subjects are
mostly something else (rooms, orders, printer models), and a wrong match would add a stranger's
mail to someone's melding.

Exactly once: `message_key` is the Message-ID without angle brackets, or "sha256:<hex>" of the raw
bytes when the message has none (or of the Message-ID when it is longer than 250 characters).

Bounded work. Before anything is parsed, one scan over the raw bytes checks the size, the number of
lines, MIME parts and multipart containers (the standard library's MIME parser does work per line
for every enclosing multipart); before any HTML is sanitised, one scan over it (`markup.check`)
checks its size, element count, attributes per element and nesting depth (the sanitiser's tree
builder does work per tag for every open element). A message past a limit is a `ParseFailure` with
the limit and the value found. Every later step is linear: text is cut at `MAX_BODY_CHARS` and the
quoted-reply search looks at the first `MAX_REPLY_SCAN` characters only.
"""

from __future__ import annotations

import email.utils
import hashlib
import mimetypes
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import Message
from email.parser import BytesParser, HeaderParser
from typing import Final, Literal

import nh3

from beheer.core.sniff import is_mismatch, sniff

from . import markup
from .text import (
    decode_bytes,
    decode_header_value,
    html_to_text,
    normalise_text,
    recover_8bit,
    strip_quoted_reply,
    unflow,
)

NEW_OR_REPLY: Final = "new_or_reply"
IGNORE: Final = "ignore"
Disposition = Literal["new_or_reply", "ignore"]

# Reasons to ignore a message (ParsedMessage.ignore_reason).
AUTO_SUBMITTED: Final = "auto-submitted"
PRECEDENCE_BULK: Final = "precedence-bulk"
BOUNCE: Final = "bounce"
OWN_MESSAGE: Final = "own-message"
LOOP: Final = "loop"

# Reasons a message cannot be understood (ParseFailure.reason).
FAILURE_EMPTY: Final = "empty"
FAILURE_NO_HEADERS: Final = "no-headers"
FAILURE_NO_SENDER: Final = "no-sender"
FAILURE_UNREADABLE: Final = "unreadable"
# Over a limit (ParseFailure.limit and .found say by how much).
FAILURE_TOO_LARGE: Final = "too-large"
FAILURE_TOO_MANY_LINES: Final = "too-many-lines"
FAILURE_TOO_MANY_PARTS: Final = "mime-too-many-parts"
FAILURE_MIME_TOO_NESTED: Final = "mime-too-nested"
FAILURE_HTML_TOO_LARGE: Final = "html-too-large"
FAILURE_HTML_TOO_DEEP: Final = "html-too-deep"
FAILURE_HTML_TOO_MANY_ELEMENTS: Final = "html-too-many-elements"
FAILURE_HTML_TOO_MANY_ATTRIBUTES: Final = "html-too-many-attributes"
LIMIT_FAILURES: Final = frozenset(
    {
        FAILURE_TOO_LARGE,
        FAILURE_TOO_MANY_LINES,
        FAILURE_TOO_MANY_PARTS,
        FAILURE_MIME_TOO_NESTED,
        FAILURE_HTML_TOO_LARGE,
        FAILURE_HTML_TOO_DEEP,
        FAILURE_HTML_TOO_MANY_ELEMENTS,
        FAILURE_HTML_TOO_MANY_ATTRIBUTES,
    }
)

# Reasons an attachment was not loaded (SkippedAttachment.reason).
SKIP_TOO_LARGE: Final = "too-large"
SKIP_TOO_MANY: Final = "too-many-parts"
SKIP_UNREADABLE: Final = "unreadable"

MAX_PARTS: Final = 200  # MIME leaves looked at; the rest is listed as skipped
MAX_DEPTH: Final = 30  # multipart nesting
MAX_HOPS: Final = 50  # Received headers before a message counts as looping (Postfix's default)
MAX_SUBJECT: Final = 998
MAX_REFERENCES: Final = 50
MAX_KEY_LENGTH: Final = 250
MAX_BODY_CHARS: Final = 1_000_000  # body text beyond this is cut (a melding keeps far less)
MAX_REPLY_SCAN: Final = 200_000  # the quoted-reply search looks at the start of the text only


@dataclass(frozen=True)
class Limits:
    """What one message may hold; past any of these it is a ParseFailure, before the costly steps.

    The defaults keep the worst case to a few seconds of work for the largest message accepted
    (a mail server's usual 50 MB) and leave ordinary mail far below them (layout tables of mail
    clients and newsletters nest a few dozen elements deep at most).
    """

    max_message_bytes: int = 50 * 1024 * 1024
    max_lines: int = 1_000_000
    max_mime_parts: int = 2_000
    max_multiparts: int = 50  # multipart containers (bounds the MIME nesting)
    max_html_chars: int = 5_000_000
    max_html_depth: int = 250
    max_html_elements: int = 100_000
    max_html_attributes: int = 100

    @property
    def html(self) -> markup.Limits:
        return markup.Limits(
            max_depth=self.max_html_depth,
            max_elements=self.max_html_elements,
            max_attributes=self.max_html_attributes,
        )


DEFAULT_LIMITS: Final = Limits()

_ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel", "cid"}
_BOUNCE_SENDERS = {"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"}
_BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply", "auto-reply"}
_AUTOREPLY_HEADERS = ("x-autoreply", "x-autorespond", "x-auto-reply", "x-autogenerated")
_MESSAGE_ID = re.compile(r"<\s*([^<>\s]{1,998})\s*>")
_BRACKETED_NUMBER = re.compile(r"\[\s*M\s*(\d{1,12})\s*\]", re.IGNORECASE)
_BARE_NUMBER = re.compile(r"(?<![\w-])M(\d{7,12})(?![\w-])", re.IGNORECASE)
_ADDRESS = re.compile(r"^[^@\s<>(),;:\"\[\]\\\x00-\x1f\x7f]{1,64}@[^@\s<>(),;:\"\[\]\\\x00-\x1f\x7f]{1,253}$")
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}charset\s*=\s*[\"']?([A-Za-z0-9_.:-]{1,40})", re.IGNORECASE)
_BODY_MESSAGE_ID = re.compile(r"^\s*Message-ID:\s*<([^<>\s]{1,998})>", re.IGNORECASE | re.MULTILINE)
_FILENAME_BAD = re.compile(r"[\x00-\x1f\x7f/\\]")
_CONTENT_TYPE_LINE = re.compile(rb"^content-type[ \t]*:", re.IGNORECASE | re.MULTILINE)
_BOUNDARY_PARAM = re.compile(rb"boundary[ \t]*=", re.IGNORECASE)
_HTML_FAILURES = {
    "depth": FAILURE_HTML_TOO_DEEP,
    "elements": FAILURE_HTML_TOO_MANY_ELEMENTS,
    "attributes": FAILURE_HTML_TOO_MANY_ATTRIBUTES,
}


@dataclass(frozen=True)
class Attachment:
    """A file that came with the message, loaded (within the size limit)."""

    filename: str
    declared_type: str
    sniffed_type: str
    size: int
    content: bytes = field(repr=False)
    inline: bool = False
    content_id: str | None = None

    @property
    def type_mismatch(self) -> bool:
        """The bytes are another kind of file than the name or declared type say (an .exe as .pdf)."""
        return is_mismatch(
            filename=self.filename, declared_type=self.declared_type, sniffed_type=self.sniffed_type
        )


@dataclass(frozen=True)
class SkippedAttachment:
    """An attachment that was not loaded: too large, past the part limit, or not decodable."""

    filename: str
    declared_type: str
    size: int  # decoded size, or an estimate from the encoded size when it was not decoded
    reason: str


@dataclass(frozen=True)
class ParsedMessage:
    message_key: str
    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    subject: str
    sender: str
    sender_name: str
    reply_to: str | None
    to: tuple[str, ...]
    cc: tuple[str, ...]
    date: datetime | None
    melding_number: int | None
    body_text: str
    body_html_safe: str | None
    reply_text: str
    attachments: tuple[Attachment, ...]
    skipped_attachments: tuple[SkippedAttachment, ...]
    disposition: Disposition
    ignore_reason: str | None = None
    bounce_message_id: str | None = None  # for a bounce: the Message-ID of the mail that bounced
    defects: tuple[str, ...] = ()  # what the MIME parser tolerated (missing boundary, bad base64)

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """Message-IDs this message answers, nearest first: In-Reply-To, then References backwards."""
        seen: list[str] = []
        for ref in ([self.in_reply_to] if self.in_reply_to else []) + list(reversed(self.references)):
            if ref not in seen:
                seen.append(ref)
        return tuple(seen)


@dataclass(frozen=True)
class ParseFailure:
    """A message that cannot be understood; it goes to the dead-letter list with its raw source."""

    reason: str
    detail: str
    message_key: str
    limit: int = 0  # for a limit failure: the limit, and the value found (where the check stopped)
    found: int = 0
    sender: str = ""  # when the headers could be read
    subject: str = ""


ParseOutcome = ParsedMessage | ParseFailure


def hash_key(raw: bytes) -> str:
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def parse_message(
    raw: bytes | bytearray | memoryview,
    *,
    max_attachment_bytes: int,
    own_addresses: set[str] | frozenset[str],
    own_message_id_domain: str | None,
    limits: Limits = DEFAULT_LIMITS,
) -> ParsedMessage | ParseFailure:
    """Parse the raw bytes of one message. Never raises: anything unexpected is a ParseFailure."""
    if not isinstance(raw, bytes | bytearray | memoryview):
        return ParseFailure(FAILURE_UNREADABLE, f"not bytes but {type(raw).__name__}", hash_key(b""))
    data = bytes(raw)
    try:
        too_much = check_raw_limits(data, limits)
        if too_much is not None:
            return too_much
        return _Parser(
            data,
            max_attachment_bytes=max_attachment_bytes,
            own_addresses={a.strip().lower() for a in own_addresses},
            own_domain=(own_message_id_domain or "").strip().lower() or None,
            limits=limits,
        ).parse()
    except Exception as exc:  # the contract: never raise, dead-letter instead
        detail = f"{type(exc).__name__}: {exc}"[:500]
        return ParseFailure(FAILURE_UNREADABLE, detail, hash_key(data))


def _header_facts(raw: bytes) -> tuple[str, str, str]:
    """(message key, sender, subject) from the header section alone, for a message that is not
    parsed further; the key is the one a full parse would give."""
    end = re.search(rb"\r?\n\r?\n", raw[:1_000_000])
    head = raw[: end.start()] if end else raw[:1_000_000]
    headers = HeaderParser(policy=policy.compat32).parsestr(head.decode("ascii", "surrogateescape"))
    message_id = normalise_message_id(_first(headers, "message-id"))
    if message_id and len(message_id) <= MAX_KEY_LENGTH:
        key = message_id
    else:
        key = hash_key(message_id.encode("utf-8", "surrogatepass") if message_id else raw)
    senders = _addresses(_raw_headers(headers, "from")) or _addresses(_raw_headers(headers, "sender"))
    subject = decode_header_value(_first(headers, "subject"))[:MAX_SUBJECT]
    return key, senders[0][1] if senders else "", subject


def header_facts(raw: bytes) -> tuple[str, str, str]:
    """(message key, sender, subject) from the header section alone."""
    return _header_facts(raw)


def header_key(raw: bytes) -> str:
    """The message key from the header section alone (the Message-ID, else a hash of the bytes)."""
    return _header_facts(raw)[0]


def check_raw_limits(raw: bytes, limits: Limits = DEFAULT_LIMITS) -> ParseFailure | None:
    """The size and MIME limits, checked with a few linear scans of the raw bytes before parsing."""
    checks = (
        (FAILURE_TOO_LARGE, limits.max_message_bytes, lambda: len(raw)),
        (FAILURE_TOO_MANY_LINES, limits.max_lines, lambda: raw.count(b"\n")),
        (
            FAILURE_TOO_MANY_PARTS,
            limits.max_mime_parts,
            lambda: sum(1 for _ in _CONTENT_TYPE_LINE.finditer(raw)),
        ),
        (
            FAILURE_MIME_TOO_NESTED,
            limits.max_multiparts,
            lambda: sum(1 for _ in _BOUNDARY_PARAM.finditer(raw)),
        ),
    )
    for reason, limit, measure in checks:
        found = measure()
        if found > limit:
            detail = f"{reason}: {found} > {limit}"
            key, sender, subject = _header_facts(raw)
            return ParseFailure(reason, detail, key, limit=limit, found=found, sender=sender, subject=subject)
    return None


def check_html_limits(
    source: str,
    limits: Limits = DEFAULT_LIMITS,
    *,
    work: markup.Work | None = None,
    keep: list[markup.Token] | None = None,
) -> tuple[str, int, int] | None:
    """(reason, limit, found) for HTML past a limit, else None; one linear scan, nothing sanitised.
    With `keep`, the scan's tokens are kept there for `html_to_text`."""
    if len(source) > limits.max_html_chars:
        return FAILURE_HTML_TOO_LARGE, limits.max_html_chars, len(source)
    problem = markup.check(source, limits.html, work, keep)
    if problem is None:
        return None
    return _HTML_FAILURES[problem.limit_name], problem.limit, problem.found


# --- header helpers --------------------------------------------------------------------------------


def _raw_headers(msg: Message, name: str) -> list[str]:
    """Raw values of a header (surrogate-escaped 8-bit kept), in order; never a Header object."""
    name = name.lower()
    return [str(value) for key, value in msg.raw_items() if str(key).lower() == name]


def _first(msg: Message, name: str) -> str | None:
    values = _raw_headers(msg, name)
    return values[0] if values else None


def normalise_message_id(value: str | None) -> str | None:
    """'<abc@example.org>' -> 'abc@example.org'; a bare id with an '@' is accepted too."""
    if not value:
        return None
    text = recover_8bit(value)
    match = _MESSAGE_ID.search(text)
    if match:
        return match.group(1)
    bare = text.strip()
    if bare and "@" in bare and not any(ch.isspace() for ch in bare) and len(bare) <= 998:
        return bare.strip("<>") or None
    return None


def _message_ids(values: list[str]) -> list[str]:
    unique: dict[str, None] = {}  # ordered and O(1) per id (a list made this quadratic)
    for value in values:
        text = recover_8bit(value)
        ids = _MESSAGE_ID.findall(text)
        if not ids:
            ids = [token for token in text.split() if "@" in token]
        unique.update(dict.fromkeys(ids))
    found = list(unique)
    if len(found) > MAX_REFERENCES:  # keep the thread's root and the most recent ones
        found = found[:1] + found[-(MAX_REFERENCES - 1) :]
    return found


def _addresses(values: list[str]) -> list[tuple[str, str]]:
    """(display name, lower-cased address) pairs with a plausible address."""
    texts = [" ".join(recover_8bit(v).split()) for v in values]
    result: list[tuple[str, str]] = []
    for name, addr in email.utils.getaddresses(texts):
        addr = addr.strip().strip("<>").lower()
        if _ADDRESS.match(addr):
            result.append((decode_header_value(name).strip("\"' "), addr))
    return result


def _disposition(part: Message) -> str:
    return (_first(part, "content-disposition") or "").split(";", 1)[0].strip().lower()


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(decode_header_value(value))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def melding_number_in(subject: str) -> int | None:
    """The melding number in a subject ('[M0001234]', 'M0001234'), as the integer 1234."""
    for pattern in (_BRACKETED_NUMBER, _BARE_NUMBER):
        for match in pattern.finditer(subject):
            number = int(match.group(1))
            if number > 0:
                return number
    return None


def sanitise_html(source: str) -> str:
    """HTML that is safe to show: no scripts, no event handlers, no javascript: or data: links.

    Call it only with HTML that passed `check_html_limits`: the sanitiser's tree builder is not
    linear in the nesting depth or in the attributes of one element.
    """
    return nh3.clean(
        source,
        url_schemes=_ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def _safe_filename(name: str, index: int, content_type: str) -> str:
    name = decode_header_value(name) if name else ""
    name = _FILENAME_BAD.sub("/", name).rsplit("/", 1)[-1].strip().strip(".")
    if len(name) > 180:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 180 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:180]
    if not name:
        ext = mimetypes.guess_extension(content_type, strict=False) or ".bin"
        name = f"attachment-{index}{ext}"
    return name


# --- the parser ------------------------------------------------------------------------------------


class _Parser:
    def __init__(
        self,
        raw: bytes,
        *,
        max_attachment_bytes: int,
        own_addresses: set[str],
        own_domain: str | None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self.raw = raw
        self.limits = limits
        self.max_bytes = max(0, int(max_attachment_bytes))
        self.own_addresses = own_addresses
        self.own_domain = own_domain
        self.plain: list[str] = []
        self.html: list[str] = []
        self.attachments: list[Attachment] = []
        self.skipped: list[SkippedAttachment] = []
        self.defects: list[str] = []
        self.embedded_ids: list[str] = []  # Message-IDs of attached/quoted messages (bounces)
        self.leaves = 0
        self.is_report = False

    def parse(self) -> ParsedMessage | ParseFailure:
        raw = self.raw
        if not raw.strip():
            return ParseFailure(FAILURE_EMPTY, "the message has no content", hash_key(raw))
        msg = BytesParser(policy=policy.compat32).parsebytes(raw)
        if not list(msg.raw_items()):
            detail = "no header lines found: not an e-mail message"
            return ParseFailure(FAILURE_NO_HEADERS, detail, hash_key(raw))

        message_id = normalise_message_id(_first(msg, "message-id"))
        if message_id and len(message_id) <= MAX_KEY_LENGTH:
            key = message_id
        else:
            key = hash_key(message_id.encode("utf-8", "surrogatepass") if message_id else raw)

        senders = _addresses(_raw_headers(msg, "from")) or _addresses(_raw_headers(msg, "sender"))
        if not senders:
            given = " ".join(_raw_headers(msg, "from"))[:200]
            detail = f"no usable From address ({recover_8bit(given)!r})" if given else "no From header"
            subject = decode_header_value(_first(msg, "subject"))[:MAX_SUBJECT]
            return ParseFailure(FAILURE_NO_SENDER, detail, key, subject=subject)
        sender_name, sender = senders[0]

        subject = decode_header_value(_first(msg, "subject"))[:MAX_SUBJECT]
        self._walk(msg, depth=0, in_related=False)
        self.defects.extend(type(d).__name__ for d in getattr(msg, "defects", []))

        html = "\n".join(self.html) if self.html else ""
        html_tokens: list[markup.Token] = []
        if html:
            problem = check_html_limits(html, self.limits, keep=None if self.plain else html_tokens)
            if problem is not None:
                over, limit, found = problem
                detail = f"{over}: {found} > {limit}"
                return ParseFailure(
                    over, detail, key, limit=limit, found=found, sender=sender, subject=subject
                )
        body_html_safe = sanitise_html(html) if html else None
        if self.plain:
            body_text = normalise_text("\n\n".join(self.plain)[:MAX_BODY_CHARS])
        elif html:
            body_text = html_to_text(html_tokens, limit=MAX_BODY_CHARS)
        else:
            body_text = ""
        reply_text = strip_quoted_reply(body_text[:MAX_REPLY_SCAN]) if body_text else ""

        in_reply_to_ids = _message_ids(_raw_headers(msg, "in-reply-to"))
        references = tuple(_message_ids(_raw_headers(msg, "references")))
        reply_to = _addresses(_raw_headers(msg, "reply-to"))

        reason, bounce_id = self._ignore_reason(msg, sender, message_id, subject, body_text, references)
        return ParsedMessage(
            message_key=key,
            message_id=message_id,
            in_reply_to=in_reply_to_ids[0] if in_reply_to_ids else None,
            references=references,
            subject=subject,
            sender=sender,
            sender_name=sender_name,
            reply_to=reply_to[0][1] if reply_to else None,
            to=tuple(dict.fromkeys(a for _, a in _addresses(_raw_headers(msg, "to")))),
            cc=tuple(dict.fromkeys(a for _, a in _addresses(_raw_headers(msg, "cc")))),
            date=_date(_first(msg, "date")),
            melding_number=melding_number_in(subject),
            body_text=body_text,
            body_html_safe=body_html_safe,
            reply_text=reply_text,
            attachments=tuple(self.attachments),
            skipped_attachments=tuple(self.skipped),
            disposition=IGNORE if reason else NEW_OR_REPLY,
            ignore_reason=reason,
            bounce_message_id=bounce_id,
            defects=tuple(dict.fromkeys(self.defects)),
        )

    # -- loop and noise protection --

    def _ignore_reason(
        self,
        msg: Message,
        sender: str,
        message_id: str | None,
        subject: str,
        body_text: str,
        references: tuple[str, ...],
    ) -> tuple[str | None, str | None]:
        if sender in self.own_addresses:
            return OWN_MESSAGE, None
        if message_id and self.own_domain and message_id.lower().endswith("@" + self.own_domain):
            return OWN_MESSAGE, None
        loops = " ".join(_raw_headers(msg, "x-loop")).lower()
        own_domain = self.own_domain
        if loops and (any(a in loops for a in self.own_addresses) or (own_domain and own_domain in loops)):
            return LOOP, None
        if len(_raw_headers(msg, "received")) > MAX_HOPS:
            return LOOP, None

        content_type = msg.get_content_type()
        report_type = str(msg.get_param("report-type", "") or "").lower()
        local_part = sender.split("@", 1)[0]
        if (
            (content_type == "multipart/report" and report_type in {"delivery-status", ""})
            or local_part in _BOUNCE_SENDERS
            or _raw_headers(msg, "x-failed-recipients")
        ):
            return BOUNCE, self._bounced_message_id(msg, body_text, references)
        if content_type == "multipart/report":  # read receipts (disposition-notification) and the like
            return AUTO_SUBMITTED, None

        auto = (_first(msg, "auto-submitted") or "").strip().lower()
        if auto and not auto.startswith("no"):
            return AUTO_SUBMITTED, None
        if any(_raw_headers(msg, name) for name in _AUTOREPLY_HEADERS):
            return AUTO_SUBMITTED, None
        precedence = (_first(msg, "precedence") or "").strip().lower()
        if precedence in _BULK_PRECEDENCE:
            return PRECEDENCE_BULK, None
        return None, None

    def _bounced_message_id(self, msg: Message, body_text: str, references: tuple[str, ...]) -> str | None:
        if self.embedded_ids:
            return self.embedded_ids[0]
        in_reply_to = _message_ids(_raw_headers(msg, "in-reply-to"))
        if in_reply_to:
            return in_reply_to[0]
        if references:
            return references[-1]
        match = _BODY_MESSAGE_ID.search(body_text)
        return match.group(1) if match else None

    # -- MIME structure --

    def _walk(self, part: Message, *, depth: int, in_related: bool) -> None:
        if depth > MAX_DEPTH:
            self.defects.append("TooDeeplyNested")
            return
        content_type = part.get_content_type()
        maintype = content_type.split("/", 1)[0]
        if maintype == "message" or content_type in {"text/rfc822-headers"}:
            self._embedded(part, content_type)
            return
        if part.is_multipart():
            if depth > 0:
                self.defects.extend(type(d).__name__ for d in getattr(part, "defects", []))
            payload = part.get_payload()
            children = payload if isinstance(payload, list) else []
            related = content_type == "multipart/related"
            for child in children:
                if isinstance(child, Message):
                    self._walk(child, depth=depth + 1, in_related=related)
            return
        self._leaf(part, content_type, in_related=in_related)
        if depth > 0:  # decoding (base64 errors) adds defects to the part
            self.defects.extend(type(d).__name__ for d in getattr(part, "defects", []))

    def _embedded(self, part: Message, content_type: str) -> None:
        """message/rfc822 (a forwarded or bounced message), delivery reports and header blocks."""
        payload = part.get_payload()
        inner: Message | None = None
        if isinstance(payload, list) and payload and isinstance(payload[0], Message):
            inner = payload[0]
        elif isinstance(payload, str) and content_type in {"text/rfc822-headers", "message/rfc822-headers"}:
            inner = HeaderParser(policy=policy.compat32).parsestr(recover_8bit(payload))
        if inner is not None and content_type != "message/delivery-status":
            inner_id = normalise_message_id(_first(inner, "message-id"))
            if inner_id:
                self.embedded_ids.append(inner_id)
        if content_type == "message/rfc822" and inner is not None:
            try:
                data = inner.as_bytes(policy=policy.compat32)
            except Exception:  # a broken embedded message is skipped, not fatal
                self._skip(part, "message/rfc822", 0, SKIP_UNREADABLE)
                return
            subject = decode_header_value(_first(inner, "subject"))
            self._add(part, "message/rfc822", data, default_name=(subject[:80] + ".eml") if subject else "")

    def _leaf(self, part: Message, content_type: str, *, in_related: bool) -> None:
        self.leaves += 1
        disposition = _disposition(part)
        filename = self._filename(part)
        if content_type in {"text/plain", "text/html"} and disposition != "attachment" and not filename:
            self._body(part, content_type)
            return
        if self.leaves > MAX_PARTS:
            self._skip(part, content_type, self._estimate(part), SKIP_TOO_MANY)
            return
        estimate = self._estimate(part)
        if estimate > self.max_bytes + 4:
            self._skip(part, content_type, estimate, SKIP_TOO_LARGE)
            return
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            self._skip(part, content_type, estimate, SKIP_UNREADABLE)
            return
        self._add(part, content_type, data, default_name=filename, in_related=in_related)

    def _body(self, part: Message, content_type: str) -> None:
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            return
        charset = part.get_content_charset()
        if content_type == "text/html":
            if not charset:
                meta = _META_CHARSET.search(data[:4096])
                charset = meta.group(1).decode("ascii") if meta else None
            self.html.append(decode_bytes(data, charset))
            return
        text = decode_bytes(data, charset)
        if str(part.get_param("format", "") or "").lower() == "flowed":
            text = unflow(text, delsp=str(part.get_param("delsp", "") or "").lower() == "yes")
        self.plain.append(text)

    def _filename(self, part: Message) -> str:
        for param, header in (("filename", "content-disposition"), ("name", "content-type")):
            try:
                value = part.get_param(param, header=header)
            except Exception:  # noqa: S112 - an unparsable parameter is simply not a filename
                continue
            if isinstance(value, tuple):
                charset, _language, text = value
                text = str(text or "")
                try:
                    data = text.encode("raw-unicode-escape")
                except UnicodeError:
                    data = text.encode("utf-8", "surrogateescape")
                name = decode_bytes(data, str(charset or "") or None)
            elif value:
                name = email.utils.unquote(str(value))
            else:
                continue
            name = decode_header_value(name)
            if name:
                return name
        return ""

    def _estimate(self, part: Message) -> int:
        payload = part.get_payload()
        if not isinstance(payload, str):
            return 0
        encoding = (_first(part, "content-transfer-encoding") or "").strip().lower()
        if encoding == "base64":
            return (len(payload) - payload.count("\n") - payload.count("\r")) * 3 // 4
        return len(payload)

    def _add(
        self, part: Message, content_type: str, data: bytes, *, default_name: str, in_related: bool = False
    ) -> None:
        index = len(self.attachments) + len(self.skipped) + 1
        filename = _safe_filename(default_name, index, content_type)
        if len(data) > self.max_bytes:
            self._skip(part, content_type, len(data), SKIP_TOO_LARGE, filename=filename)
            return
        disposition = _disposition(part)
        raw_id = _first(part, "content-id")
        content_id = normalise_message_id(raw_id) if raw_id else None
        if content_id is None and raw_id:
            content_id = recover_8bit(raw_id).strip().strip("<>").strip() or None
        inline = disposition == "inline" or (not disposition and content_id is not None and in_related)
        self.attachments.append(
            Attachment(
                filename=filename,
                declared_type=content_type,
                sniffed_type=sniff(data),
                size=len(data),
                content=data,
                inline=inline,
                content_id=content_id,
            )
        )

    def _skip(self, part: Message, content_type: str, size: int, reason: str, *, filename: str = "") -> None:
        index = len(self.attachments) + len(self.skipped) + 1
        name = filename or _safe_filename(self._filename(part), index, content_type)
        self.skipped.append(
            SkippedAttachment(filename=name, declared_type=content_type, size=size, reason=reason)
        )
