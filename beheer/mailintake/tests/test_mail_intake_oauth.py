"""XOAUTH2 sign-in with access-token refresh against a local token endpoint and a real dovecot.

The test dovecot checks an XOAUTH2 access token like a password, so the token endpoint hands out the
account's password as the access token.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from beheer.accounts.models import OperatorGroup, User
from beheer.core import clock
from beheer.mailintake import services as mail_intake
from beheer.mailintake.email_in.tests import conftest as imap_fixtures
from beheer.mailintake.email_in.tests.conftest import Mailbox as Account
from beheer.mailintake.models import Mailbox
from beheer.mailintake.services import mailboxes
from beheer.notifications import crypto
from beheer.servicedesk.models import Melding
from tests.mailserver import DovecotServer

from .mail_helpers import message, new_account

mailserver = imap_fixtures.mailserver  # one dovecot shared by the whole test run


@pytest.fixture
def account(mailserver: DovecotServer) -> Account:
    return new_account(mailserver)


class TokenEndpoint:
    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        self.status = 200
        self.reply: dict[str, Any] = {}
        self.url = ""


@pytest.fixture
def token_endpoint() -> Iterator[TokenEndpoint]:
    endpoint = TokenEndpoint()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
            endpoint.requests.append(form)
            body = json.dumps(endpoint.reply).encode()
            self.send_response(endpoint.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    endpoint.url = f"http://127.0.0.1:{server.server_address[1]}/oauth2/v2.0/token"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield endpoint
    finally:
        server.shutdown()
        server.server_close()


def _oauth_mailbox(
    account: Account, administrator: User, endpoint: TokenEndpoint, group: OperatorGroup
) -> Mailbox:
    server = account.server
    with open(server.ca_file, encoding="ascii") as ca:
        certificate = ca.read()
    return mailboxes.configure_mailbox(
        None,
        actor=administrator,
        name="Microsoft 365",
        host=server.host,
        port=server.imaps_port,
        security="tls",
        ca_certificate=certificate,
        username=account.user,
        auth="xoauth2",
        secret="refresh-1",
        oauth_client_id="client-app",
        oauth_client_secret="client-secret",
        oauth_token_url=endpoint.url,
        oauth_scope="https://outlook.office365.com/IMAP.AccessAsUser.All offline_access",
        processed_folder="Verwerkt",
        default_operator_group=group,
    )


def test_refresh_then_xoauth2_login_and_token_reuse(
    account: Account, administrator: User, token_endpoint: TokenEndpoint, first_line: OperatorGroup
) -> None:
    token_endpoint.reply = {
        "access_token": account.password,
        "expires_in": 3600,
        "refresh_token": "refresh-2",
    }
    box = _oauth_mailbox(account, administrator, token_endpoint, first_line)
    account.deliver(message(sender="p@school.example", subject="Via Microsoft 365", message_id="o1@s"))

    report = mail_intake.poll_mailbox(box)
    assert report.error == ""
    assert Melding.objects.count() == 1
    assert token_endpoint.requests == [
        {
            "grant_type": "refresh_token",
            "refresh_token": "refresh-1",
            "client_id": "client-app",
            "client_secret": "client-secret",
            "scope": "https://outlook.office365.com/IMAP.AccessAsUser.All offline_access",
        }
    ]
    box.refresh_from_db()
    assert crypto.decrypt(box.secret_encrypted) == "refresh-2"  # the rotated refresh token is kept
    assert account.password not in box.access_token_encrypted  # stored encrypted

    mail_intake.poll_mailbox(box)  # the access token is still valid: no new request
    assert len(token_endpoint.requests) == 1

    Mailbox.objects.filter(pk=box.pk).update(access_token_expires_at=clock.now() + timedelta(seconds=30))
    box.refresh_from_db()
    mail_intake.poll_mailbox(box)  # about to expire: refreshed with the rotated token
    assert [r["refresh_token"] for r in token_endpoint.requests] == ["refresh-1", "refresh-2"]


def test_a_refused_refresh_token_is_reported_on_the_mailbox(
    account: Account, administrator: User, token_endpoint: TokenEndpoint, first_line: OperatorGroup
) -> None:
    token_endpoint.status = 400
    token_endpoint.reply = {"error": "invalid_grant", "error_description": "AADSTS70008: expired"}
    box = _oauth_mailbox(account, administrator, token_endpoint, first_line)
    report = mail_intake.poll_mailbox(box)
    assert "AADSTS70008" in report.error
    box.refresh_from_db()
    assert "AADSTS70008" in box.last_error


def test_a_wrong_access_token_is_a_login_error(
    account: Account, administrator: User, token_endpoint: TokenEndpoint, first_line: OperatorGroup
) -> None:
    token_endpoint.reply = {"access_token": "not-the-token", "expires_in": 3600}
    box = _oauth_mailbox(account, administrator, token_endpoint, first_line)
    report = mail_intake.poll_mailbox(box)
    assert report.error
    assert report.processed == 0
