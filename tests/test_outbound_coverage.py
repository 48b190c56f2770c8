"""Every outbound connection goes through the outbound address policy (beheer/core/outbound.py).

This test reads the source: a module that opens a network connection (a client library, a raw
socket, an HTTP connection) must be one of the modules below, each of which connects through the
policy. A new module that talks to another machine fails here until it uses the policy and is added
to the list with the reason it is safe.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "beheer"

# constructs that open a connection (or resolve names to open one), in any module
CONNECTS = re.compile(
    r"""
    \bsmtplib\.(?:SMTP|LMTP) | \bimaplib\.IMAP4 | \bpoplib\b | \bftplib\b | \btelnetlib\b | \bnntplib\b
    | \burllib\.request\b | \burlopen\s*\( | \burllib3\b | \bhttpx\b | \bpycurl\b
    | ^\s*(?:import|from)\s+(?:requests|aiosmtplib|aioimaplib|ldap3?|paramiko|asyncssh|websockets?)\b
    | \bhttp\.client\.HTTPS?Connection | \bHTTPS?Connection\s*\(
    | \bcreate_connection\s*\( | \bopen_connection\s*\( | \bsock_connect\s*\( | \bsocket\.socket\s*\(
    | \bcreate_datagram_endpoint\s*\( | \bgetaddrinfo\s*\(
    | \baiohttp\.(?:ClientSession|TCPConnector|request)\b
    | \bdns\.(?:asyncresolver|resolver|query)\b | \bicmplib\b | \bpysnmp\b
    | \bEmailBackend\s*\( | \bget_connection\s*\( | \bsend_mail\s*\( | \bmail_admins\s*\(
    """,
    re.MULTILINE | re.VERBOSE,
)

POLICY = re.compile(r"from beheer\.core import [^\n]*\boutbound\b|from beheer\.core\.outbound import")

# module -> why its connections are held to the policy
ALLOWED = {
    "beheer/core/outbound.py": "the policy itself: checked resolving, create_connection, http_request",
    "beheer/notifications/transports.py": "SMTP through outbound.create_connection; webhooks through "
    "outbound.http_request (no redirects)",
    "beheer/mailintake/email_in/imap.py": "IMAP sockets from outbound.connector",
    # the probes package: every probe resolves through probes/base.py's guarded_addresses
    # (outbound.checked_addresses_async) and connects to the checked address
    "beheer/monitoring/probes/http.py": "HTTP(S) to the checked address; aiohttp's GuardedResolver",
    "beheer/monitoring/probes/tls.py": "TLS handshakes with the checked address",
    "beheer/monitoring/probes/network.py": "TCP connects to the checked address; DNS to an allowed resolver",
    "beheer/monitoring/probes/ping.py": "ICMP to the checked address",
    "beheer/monitoring/probes/snmp.py": "SNMP over UDP to the checked address",
    "beheer/monitoring/discovery.py": "SNMP over UDP to the address guarded_addresses checked",
    "beheer/monitoring/probes/dispatch.py": "hands the monitor's policy (and session) to the probes above",
    "beheer/monitoring/engine.py": "the aiohttp session resolves through GuardedResolver",
}
# modules that connect only to an address a policy-holding module checked and handed them
GIVEN_CHECKED_ADDRESSES = {
    "beheer/monitoring/rawhttp.py": "probes/http.py passes the address guarded_addresses checked",
}


def _modules() -> dict[str, str]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if "/tests/" in relative or "/migrations/" in relative:
            continue
        found[relative] = path.read_text(encoding="utf-8")
    return found


def test_every_module_that_connects_out_is_held_to_the_policy():
    modules = _modules()
    connecting = {name for name, text in modules.items() if CONNECTS.search(text)}
    unknown = sorted(connecting - set(ALLOWED) - set(GIVEN_CHECKED_ADDRESSES))
    assert not unknown, (
        f"{unknown} open outbound connections without the outbound address policy: connect through "
        "beheer.core.outbound (create_connection, connector, http_request, checked_addresses) and add "
        "the module to ALLOWED with the reason"
    )
    for name in set(ALLOWED) - {"beheer/core/outbound.py"}:
        assert POLICY.search(modules[name]), f"{name} is listed but does not use beheer.core.outbound"
    for name in GIVEN_CHECKED_ADDRESSES:
        assert "getaddrinfo" not in modules[name], name
        assert not re.search(r"\bresolve\w*\(", modules[name]), name
    stale = sorted((set(ALLOWED) | set(GIVEN_CHECKED_ADDRESSES)) - connecting)
    assert not stale, f"{stale} no longer connect out: remove them from the list"


def test_the_pattern_catches_the_usual_ways_to_connect():
    for line in (
        "import requests",
        "with urllib.request.urlopen(url) as r:",
        "client = smtplib.SMTP(host, port)",
        "imap = imaplib.IMAP4_SSL(host)",
        "sock = socket.create_connection((host, port))",
        "reader, writer = await asyncio.open_connection(host, port)",
        "conn = http.client.HTTPSConnection(host)",
        "async with aiohttp.ClientSession() as s:",
        "import httpx",
        "from ldap3 import Server",
        "send_mail(subject, body, sender, [to])",
    ):
        assert CONNECTS.search(line), line
    for line in ("from urllib.parse import urlsplit", "socket.gethostname()", "# connect later"):
        assert not CONNECTS.search(line), line
