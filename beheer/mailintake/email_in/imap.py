"""A small IMAP client for the e-mail channel, on top of imaplib.

- TLS always: implicit TLS (port 993) or STARTTLS (port 143). Certificates are verified by default;
  `ca_file` trusts a given CA instead of the system store (a private CA, or a test server).
- Connects only through the outbound address policy (beheer/core/outbound.py): the host name is
  resolved and every address checked at connect time; a refusal is `ImapRefused`.
- Login with a password or with XOAUTH2 (an OAuth 2.0 access token obtained elsewhere).
- `list_uids` returns the folder's UIDVALIDITY with the UIDs, so the caller can tell when the server
  renumbered the folder and its remembered UIDs mean nothing any more.
- `fetch` reads the raw message with BODY.PEEK[]: it does not mark it \\Seen.
- `move` uses MOVE when the server has it, else COPY, \\Deleted and UID EXPUNGE (or EXPUNGE when
  the server lacks UIDPLUS, which also removes other messages already marked \\Deleted).
- Folder paths are written with "/" between levels ("Beheer/Processed"); the client uses the
  server's own hierarchy delimiter (dovecot's Maildir uses ".").
- `idle(timeout)` waits with IMAP IDLE for a change in the selected folder and returns early when one
  arrives; without IDLE support it returns at once.

Every failure is raised as `ImapError` (or a subclass); imaplib's and ssl's exceptions do not escape.
"""

from __future__ import annotations

import base64
import imaplib
import re
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any, Literal

from beheer.core import outbound

Security = Literal["tls", "starttls"]

IDLE_MAX_SECONDS = 29 * 60  # RFC 2177: re-issue IDLE at least every 29 minutes
_MAXLINE = 1_000_000
_FLAG = re.compile(r"^\\?[A-Za-z0-9$_.\-]{1,100}$")
_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)", re.IGNORECASE)
_FETCH_UID = re.compile(rb"UID (\d+)", re.IGNORECASE)
_FETCH_SIZE = re.compile(rb"RFC822\.SIZE (\d+)", re.IGNORECASE)
MAX_HEADER_BYTES = 64 * 1024  # the part of a header section read from a message too large to read
_CHANGE = re.compile(rb"^\* (\d+ (EXISTS|RECENT|EXPUNGE|FETCH)|VANISHED)\b", re.IGNORECASE)


class ImapError(Exception):
    """The IMAP server could not be reached or refused a command."""


class ImapAuthError(ImapError):
    """The server rejected the credentials."""


class ImapTlsError(ImapError):
    """The TLS handshake failed, for instance because the certificate could not be verified."""


class ImapRefused(ImapError):
    """The outbound address policy refused the server's address; the message is translated."""


@dataclass(frozen=True)
class FolderState:
    """What `list_uids` found: the folder's UIDVALIDITY and the matching UIDs in ascending order."""

    uidvalidity: int
    uids: tuple[int, ...]


class _Reader:
    """Reads server lines straight from the socket with a buffer of our own.

    imaplib reads through a buffered file object that cannot be used again after a timeout. IDLE
    waits with a timeout, so reading goes through this buffer instead: a timeout leaves it intact and
    it is known whether a line is already waiting.
    """

    sock: Any
    _rbuf: bytearray

    def _buffer(self) -> bytearray:
        if not hasattr(self, "_rbuf"):
            self._rbuf = bytearray()
        return self._rbuf

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise imaplib.IMAP4.abort("socket error: EOF")
        self._buffer().extend(chunk)

    def read(self, size: int) -> bytes:
        buf = self._buffer()
        while len(buf) < size:
            self._fill()
        data = bytes(buf[:size])
        del buf[:size]
        return data

    def readline(self) -> bytes:
        buf = self._buffer()
        while True:
            end = buf.find(b"\n")
            if end >= 0:
                line = bytes(buf[: end + 1])
                del buf[: end + 1]
                return line
            if len(buf) > _MAXLINE:
                raise imaplib.IMAP4.error(f"got more than {_MAXLINE} bytes")
            self._fill()

    def has_line(self) -> bool:
        return b"\n" in self._buffer()


class _Guarded:
    """Connects through the outbound address policy: the host name is resolved and each address
    checked at connect time, the socket goes to a checked address (TLS still checks the name)."""

    host: str
    port: int
    _outbound_connect: Callable[..., socket.socket]

    def _guarded_socket(self, timeout: float | None) -> socket.socket:
        if timeout is not None and not timeout:
            raise ValueError("Non-blocking socket (timeout=0) is not supported")
        return self._outbound_connect((self.host, self.port), timeout)


class _IMAP4(_Reader, _Guarded, imaplib.IMAP4):
    def __init__(
        self, host: str, port: int, *, timeout: float, connect: Callable[..., socket.socket]
    ) -> None:
        self._outbound_connect = connect
        super().__init__(host, port, timeout=timeout)

    def _create_socket(self, timeout: float | None) -> socket.socket:
        return self._guarded_socket(timeout)


class _IMAP4_SSL(_Reader, _Guarded, imaplib.IMAP4_SSL):
    def __init__(
        self,
        host: str,
        port: int,
        *,
        ssl_context: ssl.SSLContext,
        timeout: float,
        connect: Callable[..., socket.socket],
    ) -> None:
        self._outbound_connect = connect
        super().__init__(host, port, ssl_context=ssl_context, timeout=timeout)

    def _create_socket(self, timeout: float | None) -> socket.socket:
        return self.ssl_context.wrap_socket(self._guarded_socket(timeout), server_hostname=self.host)


def _ssl_context(*, verify: bool, ca_file: str | None) -> ssl.SSLContext:
    if not verify:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    return ssl.create_default_context(cafile=ca_file)


def encode_mailbox(name: str) -> str:
    """A folder name as IMAP wants it: modified UTF-7 (RFC 3501 5.1.3), quoted."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            data = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(data).decode("ascii").rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            pending.append(ch)
    flush()
    encoded = "".join(out)
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _uid_set(uids: list[int] | tuple[int, ...]) -> str:
    if not uids or any(not isinstance(u, int) or u <= 0 for u in uids):
        raise ImapError("UIDs must be positive integers")
    return ",".join(str(u) for u in uids)


class ImapClient:
    """One connection to one IMAP account. Use as a context manager, or call `logout()`."""

    def __init__(
        self,
        host: str,
        port: int | None = None,
        *,
        security: Security = "tls",
        ca_file: str | None = None,
        verify: bool = True,
        timeout: float = 30.0,
        policy: outbound.NetworkPolicy | None = None,
    ) -> None:
        self.host = host
        self.security = security
        self.timeout = timeout
        self.selected: str | None = None
        self._delimiter: str | None = None
        context = _ssl_context(verify=verify, ca_file=ca_file)
        connect = outbound.connector(policy)  # None: the configured policy
        try:
            if security == "tls":
                self._imap: imaplib.IMAP4 = _IMAP4_SSL(
                    host, port or 993, ssl_context=context, timeout=timeout, connect=connect
                )
            elif security == "starttls":
                self._imap = _IMAP4(host, port or 143, timeout=timeout, connect=connect)
                if "STARTTLS" not in self._imap.capabilities:
                    self._imap.shutdown()
                    raise ImapTlsError(f"{host} does not offer STARTTLS")
                self._imap.starttls(ssl_context=context)
            else:
                raise ImapError(f"unknown security {security!r}: use 'tls' or 'starttls'")
        except outbound.AddressRefused as exc:
            raise ImapRefused(outbound.refused_text(exc)) from exc
        except ssl.SSLError as exc:
            raise ImapTlsError(f"TLS with {host} failed: {exc}") from exc
        except (OSError, imaplib.IMAP4.error) as exc:
            raise ImapError(f"cannot connect to {host}: {exc}") from exc

    # -- session --

    def __enter__(self) -> ImapClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.logout()

    @contextmanager
    def _errors(self, what: str) -> Iterator[None]:
        try:
            yield
        except ImapError:
            raise
        except ssl.SSLError as exc:
            raise ImapTlsError(f"{what}: {exc}") from exc
        except (imaplib.IMAP4.error, OSError) as exc:
            raise ImapError(f"{what}: {exc}") from exc

    @property
    def capabilities(self) -> set[str]:
        return {str(c).upper() for c in self._imap.capabilities}

    def _refresh_capabilities(self) -> None:
        with self._errors("CAPABILITY"):
            typ, data = self._imap.capability()
        if typ == "OK" and data and data[-1]:
            self._imap.capabilities = tuple(data[-1].decode("ascii", "replace").upper().split())

    def login(self, username: str, password: str) -> None:
        try:
            self._imap.login(username, password)
        except imaplib.IMAP4.abort as exc:
            raise ImapError(f"login: {exc}") from exc
        except imaplib.IMAP4.error as exc:
            raise ImapAuthError(f"login as {username} refused: {exc}") from exc
        except OSError as exc:
            raise ImapError(f"login: {exc}") from exc
        self._refresh_capabilities()

    def login_oauth2(self, username: str, access_token: str) -> None:
        """SASL XOAUTH2 with an access token (Microsoft 365, Google Workspace)."""
        initial = f"user={username}\x01auth=Bearer {access_token}\x01\x01".encode()
        sent = False

        def respond(_challenge: bytes) -> bytes:
            nonlocal sent
            if sent:  # the server sent an error challenge: answer empty to get the tagged NO
                return b""
            sent = True
            return initial

        try:
            self._imap.authenticate("XOAUTH2", respond)
        except imaplib.IMAP4.abort as exc:
            raise ImapError(f"XOAUTH2: {exc}") from exc
        except imaplib.IMAP4.error as exc:
            raise ImapAuthError(f"XOAUTH2 login as {username} refused: {exc}") from exc
        except OSError as exc:
            raise ImapError(f"XOAUTH2: {exc}") from exc
        self._refresh_capabilities()

    def logout(self) -> None:
        try:
            self._imap.logout()
        except (imaplib.IMAP4.error, OSError):
            with suppress(OSError):
                self._imap.shutdown()

    def _check(self, what: str, typ: str, data: list[Any]) -> list[Any]:
        if typ != "OK":
            detail = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")
            raise ImapError(f"{what} failed: {detail}")
        return data

    # -- folders --

    @property
    def delimiter(self) -> str:
        """The server's hierarchy delimiter ("/" or "."), asked once with LIST "" ""."""
        if self._delimiter is None:
            with self._errors("LIST delimiter"):
                typ, data = self._imap.list('""', '""')
            self._delimiter = "/"
            for item in data if typ == "OK" else []:
                match = re.search(rb'\) "(.)"', item) if isinstance(item, bytes) else None
                if match:
                    self._delimiter = match.group(1).decode("ascii")
        return self._delimiter

    def _mailbox(self, folder: str) -> str:
        if folder.upper() == "INBOX":
            return encode_mailbox("INBOX")
        return encode_mailbox(folder.replace("/", self.delimiter) if self.delimiter != "/" else folder)

    def ensure_folder(self, folder: str) -> None:
        """Create the folder unless it exists (and subscribe to it)."""
        mailbox = self._mailbox(folder)
        with self._errors(f"LIST {folder}"):
            typ, data = self._imap.list('""', mailbox)
        if typ == "OK" and any(d for d in data if d):
            return
        with self._errors(f"CREATE {folder}"):
            typ, data = self._imap.create(mailbox)
        if typ != "OK" and not any(b"ALREADYEXISTS" in d for d in data if isinstance(d, bytes)):
            self._check(f"CREATE {folder}", typ, data)
        with self._errors(f"SUBSCRIBE {folder}"):
            self._imap.subscribe(mailbox)

    def select(self, folder: str = "INBOX", *, readonly: bool = False) -> int:
        """Open a folder; returns its UIDVALIDITY."""
        with self._errors(f"SELECT {folder}"):
            typ, data = self._imap.select(self._mailbox(folder), readonly=readonly)
            self._check(f"SELECT {folder}", typ, data)
            _, values = self._imap.response("UIDVALIDITY")
        self.selected = folder
        for value in values or []:
            if isinstance(value, bytes) and value.strip().isdigit():
                return int(value)
        with self._errors("STATUS UIDVALIDITY"):
            typ, data = self._imap.status(self._mailbox(folder), "(UIDVALIDITY)")
        match = _UIDVALIDITY.search(b" ".join(d for d in data if isinstance(d, bytes)))
        if typ != "OK" or not match:
            raise ImapError(f"{folder}: the server gave no UIDVALIDITY")
        return int(match.group(1))

    def list_uids(
        self, folder: str = "INBOX", *, unseen_only: bool = True, after_uid: int = 0
    ) -> FolderState:
        """UIDs in a folder: unseen ones, or all; only those above `after_uid` when given."""
        uidvalidity = self.select(folder)
        criteria: list[str] = []
        if after_uid > 0:
            criteria += ["UID", f"{after_uid + 1}:*"]
        if unseen_only:
            criteria.append("UNSEEN")
        with self._errors("UID SEARCH"):
            typ, data = self._imap.uid("SEARCH", *(criteria or ["ALL"]))
        data = self._check("UID SEARCH", typ, data)
        uids = sorted({int(x) for chunk in data if chunk for x in chunk.split() if x.isdigit()})
        # "n:*" always matches the highest UID, even when it is below n.
        return FolderState(uidvalidity, tuple(u for u in uids if u > after_uid))

    # -- messages --

    def _require_selected(self) -> None:
        if self.selected is None:
            raise ImapError("no folder selected")

    def fetch(self, uid: int) -> bytes | None:
        """The raw message (RFC 822 bytes) without marking it seen; None when it no longer exists."""
        self._require_selected()
        with self._errors(f"UID FETCH {uid}"):
            typ, data = self._imap.uid("FETCH", _uid_set([uid]), "(UID BODY.PEEK[])")
        data = self._check(f"UID FETCH {uid}", typ, data)
        for item in data:
            if isinstance(item, tuple) and len(item) == 2:
                uid_match = _FETCH_UID.search(item[0])
                if uid_match is None or int(uid_match.group(1)) == uid:
                    return bytes(item[1])
        return None

    def sizes(self, uids: list[int] | tuple[int, ...]) -> dict[int, int]:
        """The size in bytes of each message (RFC822.SIZE), in one command; a UID that no longer
        exists is missing from the answer."""
        self._require_selected()
        if not uids:
            return {}
        with self._errors("UID FETCH RFC822.SIZE"):
            typ, data = self._imap.uid("FETCH", _uid_set(list(uids)), "(UID RFC822.SIZE)")
        data = self._check("UID FETCH RFC822.SIZE", typ, data)
        found: dict[int, int] = {}
        for item in data:
            line = item[0] if isinstance(item, tuple) else item
            if not isinstance(line, bytes):
                continue
            uid_match, size_match = _FETCH_UID.search(line), _FETCH_SIZE.search(line)
            if uid_match and size_match:
                found[int(uid_match.group(1))] = int(size_match.group(1))
        return found

    def fetch_header(self, uid: int, limit: int = MAX_HEADER_BYTES) -> bytes | None:
        """The first `limit` bytes of a message's header section, without marking it seen."""
        self._require_selected()
        with self._errors(f"UID FETCH {uid} HEADER"):
            typ, data = self._imap.uid("FETCH", _uid_set([uid]), f"(UID BODY.PEEK[HEADER]<0.{int(limit)}>)")
        data = self._check(f"UID FETCH {uid} HEADER", typ, data)
        for item in data:
            if isinstance(item, tuple) and len(item) == 2:
                uid_match = _FETCH_UID.search(item[0])
                if uid_match is None or int(uid_match.group(1)) == uid:
                    return bytes(item[1])[:limit]
        return None

    def add_flags(self, uid: int, *flags: str) -> None:
        """Set flags or keywords: add_flags(uid, "\\\\Seen"), add_flags(uid, "$BeheerDone")."""
        self._require_selected()
        if not flags or any(not _FLAG.match(f) for f in flags):
            raise ImapError(f"invalid flags {flags!r}")
        with self._errors(f"UID STORE {uid}"):
            typ, data = self._imap.uid("STORE", _uid_set([uid]), "+FLAGS.SILENT", f"({' '.join(flags)})")
        self._check(f"UID STORE {uid}", typ, data)

    def mark_seen(self, uid: int) -> None:
        self.add_flags(uid, "\\Seen")

    def flags(self, uid: int) -> set[str]:
        self._require_selected()
        with self._errors(f"UID FETCH {uid} FLAGS"):
            typ, data = self._imap.uid("FETCH", _uid_set([uid]), "(FLAGS)")
        data = self._check(f"UID FETCH {uid} FLAGS", typ, data)
        for item in data:
            raw = item[0] if isinstance(item, tuple) else item
            if isinstance(raw, bytes):
                match = re.search(rb"FLAGS \(([^)]*)\)", raw)
                if match:
                    return set(match.group(1).decode("utf-8", "replace").split())
        return set()

    def move(self, uid: int, folder: str, *, use_move: bool | None = None) -> None:
        """Move a message to another folder (create that folder first with `ensure_folder`)."""
        self._require_selected()
        mailbox = self._mailbox(folder)
        if use_move is None:
            use_move = "MOVE" in self.capabilities
        if use_move:
            with self._errors(f"UID MOVE {uid}"):
                typ, data = self._imap.uid("MOVE", _uid_set([uid]), mailbox)
            self._check(f"UID MOVE {uid}", typ, data)
            return
        with self._errors(f"UID COPY {uid}"):
            typ, data = self._imap.uid("COPY", _uid_set([uid]), mailbox)
        self._check(f"UID COPY {uid}", typ, data)
        self.add_flags(uid, "\\Deleted")
        with self._errors("EXPUNGE"):
            if "UIDPLUS" in self.capabilities:
                typ, data = self._imap.uid("EXPUNGE", _uid_set([uid]))
            else:
                typ, data = self._imap.expunge()
        self._check("EXPUNGE", typ, data)

    # -- IDLE --

    @property
    def supports_idle(self) -> bool:
        return "IDLE" in self.capabilities

    def idle(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for a change in the selected folder.

        Returns True when the server reported new, changed or removed messages, False after the
        timeout. Without IDLE support it returns False at once (the caller polls instead).
        """
        self._require_selected()
        if not self.supports_idle:
            return False
        imap = self._imap
        if not isinstance(imap, _Reader):  # pragma: no cover - always one of ours
            return False
        timeout = max(0.0, min(float(timeout), IDLE_MAX_SECONDS))
        with self._errors("IDLE"):
            tag = imap._new_tag()
            imap.send(tag + b" IDLE\r\n")
            while True:  # untagged responses may come before the continuation
                line = imap.readline()
                if line.startswith(b"+"):
                    break
                if line.startswith(tag):
                    raise ImapError(f"IDLE refused: {line.decode('utf-8', 'replace').strip()}")
            changed = self._wait_for_change(imap, timeout)
            imap.send(b"DONE\r\n")
            imap.sock.settimeout(self.timeout)
            while True:
                line = imap.readline()
                if _CHANGE.match(line):
                    changed = True
                if line.startswith(tag + b" "):
                    imap.tagged_commands.pop(tag, None)
                    if not line[len(tag) + 1 :].upper().startswith(b"OK"):
                        raise ImapError(f"IDLE ended badly: {line.decode('utf-8', 'replace').strip()}")
                    return changed

    def _wait_for_change(self, imap: _Reader, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            while imap.has_line():
                if _CHANGE.match(imap.readline()):
                    return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            imap.sock.settimeout(remaining)
            try:
                imap._fill()
            except TimeoutError:
                return False
            except ssl.SSLError as exc:
                if "timed out" in str(exc):
                    return False
                raise
