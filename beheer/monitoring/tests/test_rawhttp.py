"""The probes' lean HTTP client: parsing answers (pure) and a request against a local server."""

from __future__ import annotations

import asyncio

import pytest

from beheer.monitoring import rawhttp

from .servers import HttpTarget


def test_status_headers_and_a_sized_body():
    raw = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Length: 5\r\n\r\nhello-extra"
    )
    answer = rawhttp.parse(raw, limit=1000, head_only=False)
    assert (answer.status, answer.reason, answer.body) == (200, "OK", b"hello")
    assert answer.encoding() == "iso-8859-1"


def test_chunked_bodies_are_decoded_and_bounded():
    raw = (
        b"HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"4\r\nbusy\r\n6;x=1\r\n-later\r\n0\r\n\r\n"
    )
    assert rawhttp.parse(raw, limit=1000, head_only=False).body == b"busy-later"
    assert rawhttp.parse(raw, limit=3, head_only=False).body == b"bus"
    assert rawhttp.parse(raw, limit=1000, head_only=True).body == b""


@pytest.mark.parametrize(
    "raw", [b"", b"HTTP/1.1 200 OK\r\n", b"SSH-2.0-OpenSSH\r\n\r\n", b"HTTP/1.1 abc\r\n\r\n"]
)
def test_what_is_not_http_is_refused(raw):
    with pytest.raises(rawhttp.HttpError):
        rawhttp.parse(raw, limit=10, head_only=False)


def test_the_request_names_the_host_and_never_lets_headers_override_it():
    request = rawhttp.request_bytes(
        "http://[::1]:8080/status?x=1", method="HEAD", headers={"Host": "evil", "X-Token": "t"}
    ).decode()
    assert request.startswith("HEAD /status?x=1 HTTP/1.1\r\nHost: [::1]:8080\r\n")
    assert "evil" not in request
    assert "X-Token: t\r\n" in request
    assert "Connection: close" in request


def test_a_real_server_answers():
    server = HttpTarget()
    try:
        answer = asyncio.run(rawhttp.fetch(server.url("/ok"), "127.0.0.1", want_body=True))
        assert answer.status == 200
        assert answer.body
        head = asyncio.run(rawhttp.fetch(server.url("/ok"), "127.0.0.1", method="HEAD"))
        assert head.status == 200
        assert head.body == b""
    finally:
        server.stop()
