"""Helpers for the mail intake tests: messages to deliver and mailboxes pointing at the test dovecot."""

from __future__ import annotations

import base64
import re
import time
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from django.utils import timezone

from beheer.mailintake.email_in.tests import conftest as imap_fixtures
from beheer.mailintake.models import AfterProcessing, Mailbox
from beheer.notifications import crypto
from tests.mailserver import DovecotServer

CORPUS = Path(__file__).resolve().parents[3] / "tests" / "mail_corpus"
OWN_ADDRESS = "servicedesk@beheer.example"
OWN_SITE = "https://beheer.example"


def make_mailbox(server: DovecotServer, user: str, password: str, **fields: Any) -> Mailbox:
    values: dict[str, Any] = {
        "name": f"Mailbox {user}",
        "host": server.host,
        "port": server.imaps_port,
        "security": "tls",
        "ca_certificate": Path(server.ca_file).read_text(encoding="ascii"),
        "username": user,
        "secret_encrypted": crypto.encrypt(password),
        "after_processing": AfterProcessing.MOVE,
        "processed_folder": "Beheer/Verwerkt",
        "rate_limit_count": 20,
    }
    values.update(fields)
    return Mailbox.objects.create(**values)


def message(
    *,
    sender: str,
    subject: str,
    body: str = "Hallo servicedesk,\n\nHet werkt niet.\n",
    message_id: str | None = None,
    in_reply_to: str | None = None,
    headers: dict[str, str] | None = None,
    charset: str = "utf-8",
    html: bool = False,
    attachments: list[tuple[str, str, bytes, str | None]] | None = None,
    to: str = OWN_ADDRESS,
) -> bytes:
    """A message as a mail client sends it. attachments: (filename, type, content, content-id)."""
    lines = [
        f"From: {sender}",
        f"To: {to}",
        f"Subject: {_header(subject)}",
        f"Date: {format_datetime(timezone.now())}",
        "MIME-Version: 1.0",
    ]
    if message_id:
        lines.append(f"Message-ID: <{message_id}>")
    if in_reply_to:
        lines.append(f"In-Reply-To: <{in_reply_to}>")
        lines.append(f"References: <{in_reply_to}>")
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    kind = "html" if html else "plain"
    text = f"<html><body><p>{body}</p></body></html>" if html else body
    encoded = base64.encodebytes(text.encode(charset, "replace")).decode("ascii")
    text_part = [
        f"Content-Type: text/{kind}; charset={charset}",
        "Content-Transfer-Encoding: base64",
        "",
        encoded,
    ]
    if not attachments:
        return ("\r\n".join(lines + text_part)).encode("ascii")
    boundary = "b-" + base64.b32encode((message_id or subject).encode()[:20]).decode().strip("=")
    parts = ["\r\n".join(text_part)]
    for filename, content_type, content, content_id in attachments:
        header = [f'Content-Type: {content_type}; name="{filename}"', "Content-Transfer-Encoding: base64"]
        if content_id:
            header += [f"Content-ID: <{content_id}>", f'Content-Disposition: inline; filename="{filename}"']
        else:
            header.append(f'Content-Disposition: attachment; filename="{filename}"')
        parts.append("\r\n".join([*header, "", base64.encodebytes(content).decode("ascii")]))
    lines.append(f'Content-Type: multipart/mixed; boundary="{boundary}"')
    body_text = "".join(f"--{boundary}\r\n{part}\r\n" for part in parts) + f"--{boundary}--\r\n"
    return ("\r\n".join(lines) + "\r\n\r\n" + body_text).encode("ascii")


def _header(value: str) -> str:
    if value.isascii():
        return value
    return "=?utf-8?b?" + base64.b64encode(value.encode()).decode("ascii") + "?="


_HEADER_END = re.compile(rb"\r?\n\r?\n")


def uniquify(raw: bytes, n: int) -> bytes:
    """A corpus message as a new message: its own Message-ID (same domain), no thread headers."""
    match = _HEADER_END.search(raw)
    head, rest = (raw[: match.start()], raw[match.start() :]) if match else (raw, b"")
    out: list[bytes] = []
    skipping = False
    found = False
    for line in head.splitlines():
        if line[:1] in (b" ", b"\t") and skipping:
            continue
        skipping = False
        name = line.split(b":", 1)[0].strip().lower()
        if name in (b"in-reply-to", b"references"):
            skipping = True
            continue
        if name == b"message-id":
            found = True
            domain = re.search(rb"@([^>\s]+)", line)
            out.append(b"Message-ID: <bulk-%d@%s>" % (n, domain.group(1) if domain else b"school.example"))
            skipping = True
            continue
        out.append(line)
    if not found:
        out.insert(0, b"X-Bulk-Seq: %d" % n)
    return b"\n".join(out) + rest


def new_account(server: DovecotServer) -> imap_fixtures.Mailbox:
    """A fresh, empty account on the shared test dovecot (like the `mailbox` fixture of email_in)."""
    n = next(imap_fixtures._seq)
    if n < len(imap_fixtures.POOL):
        user = imap_fixtures.POOL[n]
        return imap_fixtures.Mailbox(server, user, f"pw-{user}")
    user = f"extra{n}"
    server.add_user(user, f"pw-{user}")
    time.sleep(1.1)  # dovecot re-reads its passwd-file at most once a second
    return imap_fixtures.Mailbox(server, user, f"pw-{user}")
