"""A lean HTTP/1.1 client for the monitor's probes: one request, one fresh connection, read to close.

A probe needs the status, a few headers and at most a bounded body, over a new connection every
time. A general client (aiohttp) spends most of a probe's CPU on machinery a probe does not use
(connection pools, cookie jars, request and response objects, happy-eyeballs racing). This module
writes the request on a bare transport and collects the answer in a protocol object: about three
times the probes per CPU-second. It asks for no compression and says `Connection: close`, so the
answer ends when the server closes; chunked bodies are decoded. The caller resolves and checks the
address (the network policy) before anything connects.

HttpError messages are untranslated msgids (gettext_noop): the probe translates them into its
detail, in the language of the task that runs it.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext_noop

HEADER_LIMIT = 64 * 1024


class HttpError(Exception):
    """The server's answer is not HTTP the probe can read; the message is an untranslated msgid."""


@dataclass(frozen=True)
class Answer:
    status: int
    reason: str
    headers: dict[str, str]  # lower-case names; the last value of a repeated header
    body: bytes

    def encoding(self) -> str:
        content_type = self.headers.get("content-type", "")
        for part in content_type.split(";")[1:]:
            name, _, value = part.strip().partition("=")
            if name.lower() == "charset" and value:
                return value.strip("\"'") or "utf-8"
        return "utf-8"


class _Collector(asyncio.Protocol):
    def __init__(
        self, request: bytes, *, want_body: bool, limit: int, loop: asyncio.AbstractEventLoop
    ) -> None:
        self.request = request
        self.want_body = want_body
        self.limit = limit
        self.buffer = bytearray()
        self.header_end = -1
        self.length: int | None = None
        self.done: asyncio.Future[None] = loop.create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.transport.write(self.request)  # type: ignore[union-attr]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.header_end < 0:
            self.header_end = self.buffer.find(b"\r\n\r\n")
            if self.header_end < 0:
                if len(self.buffer) > HEADER_LIMIT:
                    self._finish(HttpError(gettext_noop("response headers too large")))
                return
            self.length = _content_length(bytes(self.buffer[: self.header_end]))
        body = len(self.buffer) - self.header_end - 4
        if not self.want_body or body >= self.limit or (self.length is not None and body >= self.length):
            self._finish(None)

    def eof_received(self) -> bool:
        self._finish(None)
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._finish(exc if exc is not None and self.header_end < 0 else None)

    def _finish(self, error: Exception | None) -> None:
        if not self.done.done():
            if error is not None:
                self.done.set_exception(error)
            else:
                self.done.set_result(None)
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()


def _content_length(head: bytes) -> int | None:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            try:
                return max(0, int(value.strip()))
            except ValueError:
                return None
        if name.strip().lower() == b"transfer-encoding":
            return None
    return None


def _dechunk(data: bytes, limit: int) -> bytes:
    out = bytearray()
    position = 0
    while position < len(data) and len(out) < limit:
        end = data.find(b"\r\n", position)
        if end < 0:
            break
        try:
            size = int(data[position:end].split(b";", 1)[0].strip() or b"0", 16)
        except ValueError as exc:
            raise HttpError(gettext_noop("invalid chunked body")) from exc
        if size == 0:
            break
        start = end + 2
        out += data[start : start + size]
        position = start + size + 2
    return bytes(out[:limit])


def parse(raw: bytes, *, limit: int, head_only: bool) -> Answer:
    end = raw.find(b"\r\n\r\n")
    if end < 0:
        raise HttpError(gettext_noop("no complete HTTP response"))
    lines = raw[:end].decode("latin-1").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    code, _, reason = rest.partition(" ")
    if not version.startswith("HTTP/") or not code.isdigit():
        raise HttpError(gettext_noop("not an HTTP response"))
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    body = b"" if head_only else raw[end + 4 :]
    if body and "chunked" in headers.get("transfer-encoding", "").lower():
        body = _dechunk(body, limit)
    elif "content-length" in headers:
        length = _content_length(raw[:end])
        if length is not None:
            body = body[:length]
    return Answer(int(code), reason.strip(), headers, body[:limit])


def request_bytes(url: str, *, method: str, headers: dict[str, str]) -> bytes:
    parts = urlsplit(url)
    host = parts.hostname or ""
    host_header = f"[{host}]" if ":" in host else host
    default_port = 443 if parts.scheme == "https" else 80
    if parts.port and parts.port != default_port:
        host_header += f":{parts.port}"
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: {host_header}",
        "User-Agent: Beheer-monitor",
        "Accept: */*",
        "Connection: close",
    ]
    for name, value in headers.items():
        if name.lower() not in {"host", "connection", "content-length", "transfer-encoding"}:
            lines.append(f"{name}: {value}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")


async def fetch(
    url: str,
    address: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    want_body: bool = False,
    limit: int = 1024 * 1024,
    tls: ssl.SSLContext | None = None,
    loop: asyncio.AbstractEventLoop | None = None,
) -> Answer:
    """One request to `url`, connecting to the already checked `address`. OSError, ssl.SSLError or
    HttpError when it fails; the caller bounds the time."""
    parts = urlsplit(url)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    request = request_bytes(url, method=method, headers=headers or {})
    head_only = method == "HEAD"
    running = loop or asyncio.get_running_loop()
    transport, collector = await running.create_connection(
        lambda: _Collector(request, want_body=want_body and not head_only, limit=limit, loop=running),
        address,
        port,
        ssl=(tls or ssl.create_default_context()) if https else None,
        server_hostname=(parts.hostname or "") if https else None,
    )
    try:
        await collector.done
    finally:
        transport.close()
    return parse(bytes(collector.buffer), limit=limit, head_only=head_only)
