"""The address Beheer listens on (`BEHEER_BIND`) and the local address people open in a browser.

Pure functions without Django, so the `beheer` command can use them before settings load.
"""

from __future__ import annotations

import os

DEFAULT_BIND = "127.0.0.1:8000"
_ANY = {"", "0.0.0.0", "::", "[::]", "*"}  # noqa: S104 (recognised, not bound)


class BindError(ValueError):
    """`BEHEER_BIND` is not `host:port`."""


def parse_bind(value: str) -> tuple[str, int]:
    """`host:port` -> (host, port); IPv6 hosts in brackets (`[::1]:8000`). BindError when malformed."""
    text = value.strip()
    host, sep, port_text = text.rpartition(":")
    if not sep or not port_text.isdigit():
        raise BindError(f"BEHEER_BIND must be host:port (for example 127.0.0.1:8000), got {value!r}")
    port = int(port_text)
    if not 1 <= port <= 65535:
        raise BindError(f"BEHEER_BIND's port must be between 1 and 65535, got {port}")
    if ":" in host and not (host.startswith("[") and host.endswith("]")):
        raise BindError(f"BEHEER_BIND: put an IPv6 address in brackets ([::1]:8000), got {value!r}")
    return host, port


def current_bind() -> str:
    return os.environ.get("BEHEER_BIND", "").strip() or DEFAULT_BIND


def local_url(bind: str | None = None) -> str:
    """The address to open on this machine: an all-addresses bind is reached through loopback."""
    host, port = parse_bind(bind or current_bind())
    if host in _ANY:
        host = "[::1]" if host in {"::", "[::]"} else "127.0.0.1"
    return f"http://{host}:{port}"
