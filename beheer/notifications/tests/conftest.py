"""Real servers on loopback for the notification tests: an aiosmtpd SMTP sink (plain, STARTTLS,
implicit TLS, AUTH, temporary failures) and an http.server that records webhook POSTs."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from beheer.accounts.models import User
from beheer.notifications import services
from beheer.notifications.models import MailServer
from tests.mailserver import make_certificate

SMTP_USER = "beheer"
SMTP_PASSWORD = "s3cret-smtp-password"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Sink:
    """The aiosmtpd handler: stores every accepted message; answers 451 to the first `fail_first`."""

    fail_first: int = 0
    refuse_with: str = ""
    attempts: int = 0
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[Any] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.attempts += 1
            if self.refuse_with:
                return self.refuse_with
            if self.attempts <= self.fail_first:
                return "451 4.3.0 Temporary failure, try again later"
            self.envelopes.append(envelope)
            self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 2.0.0 OK"

    def by_to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]


@dataclass
class SmtpServer:
    sink: Sink
    port: int
    security: str
    cert_file: Path | None = None


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = (
        isinstance(data, LoginPassword)
        and data.login == SMTP_USER.encode()
        and data.password == SMTP_PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for localhost / 127.0.0.1, made for this test run."""
    return make_certificate(tmp_path_factory.mktemp("tls"))


def _server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certificate[0]), str(certificate[1]))
    return context


@pytest.fixture
def smtp_factory(certificate: tuple[Path, Path]) -> Iterator[Callable[..., SmtpServer]]:
    """Start an aiosmtpd server on 127.0.0.1 in a thread: security none, starttls or tls."""
    controllers: list[Controller] = []

    def start(*, security: str = "none", auth: bool = False, fail_first: int = 0) -> SmtpServer:
        sink = Sink(fail_first=fail_first)
        port = free_port()
        kwargs: dict[str, Any] = {}
        if security == "starttls":
            kwargs.update(tls_context=_server_context(certificate), require_starttls=True)
        elif security == "tls":
            kwargs.update(ssl_context=_server_context(certificate))
        if auth:
            kwargs.update(
                authenticator=_authenticator, auth_required=True, auth_require_tls=security == "starttls"
            )
        controller = Controller(sink, hostname="127.0.0.1", port=port, server_hostname="sink.test", **kwargs)
        controller.start()
        controllers.append(controller)
        return SmtpServer(sink=sink, port=port, security=security, cert_file=certificate[0])

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def smtp(smtp_factory: Callable[..., SmtpServer]) -> SmtpServer:
    return smtp_factory()


def configure(server: SmtpServer, admin: User, **overrides: Any) -> MailServer:
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": server.port,
        "security": server.security,
        "verify_certificate": False,
        "username": "",
        "password": None,
        "from_address": "servicedesk@school.example",
        "from_name": "Servicedesk",
        "timeout": 5,
        "active": True,
    }
    values.update(overrides)
    return services.configure_mail_server(actor=admin, **values)


@pytest.fixture
def mail_server(smtp: SmtpServer, administrator: User) -> MailServer:
    return configure(smtp, administrator)


# --------------------------------------------------------------------------------------------------
# webhook receiver


@dataclass
class HookServer:
    url: str
    requests: list[dict[str, Any]]
    status: list[int]


@pytest.fixture
def hook_server() -> Iterator[HookServer]:
    received: list[dict[str, Any]] = []
    status = [200]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            received.append({"headers": dict(self.headers.items()), "body": body, "path": self.path})
            code = status[0]
            self.send_response(code)
            if 300 <= code < 400:
                self.send_header("Location", "http://127.0.0.1:9/elsewhere")
            self.end_headers()
            self.wfile.write(json.dumps({"ok": code == 200}).encode())

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield HookServer(
            url=f"http://127.0.0.1:{httpd.server_address[1]}/hook", requests=received, status=status
        )
    finally:
        httpd.shutdown()
        httpd.server_close()
