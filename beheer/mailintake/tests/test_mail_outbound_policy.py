"""The mail intake is held to the outbound address policy: IMAP servers and OAuth token endpoints.

The token endpoint URL is parsed (never compared by its beginning), a literal denied address is
refused when saved, a name that resolves to a denied address is refused when connecting, and a
redirect from the token endpoint is never followed. Real servers on 127.0.0.1 (and 127.0.0.2) and
the test dovecot.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import translation

from beheer.accounts.models import OperatorGroup, User
from beheer.core.errors import DomainError
from beheer.core.tests.servers import http_recorder, listening
from beheer.mailintake import services as mail_intake
from beheer.mailintake.email_in.tests import conftest as imap_fixtures
from beheer.mailintake.email_in.tests.conftest import Mailbox as Account
from beheer.mailintake.models import Mailbox
from beheer.mailintake.services import mailboxes
from tests.helpers import client_for
from tests.mailserver import DovecotServer

from .mail_helpers import new_account
from .test_mail_intake_oauth import _oauth_mailbox

mailserver = imap_fixtures.mailserver  # one dovecot shared by the whole test run

REFUSED_IN_DUTCH = (
    "Geweigerd door het uitgaande adresbeleid: 127.0.0.1 ligt in het geweigerde netwerk 127.0.0.0/8"
)


def configure(admin: User, **overrides: Any) -> Mailbox:
    values: dict[str, Any] = {
        "name": "Helpdesk",
        "host": "imap.school.example",
        "port": 993,
        "security": "tls",
        "username": "helpdesk@school.example",
        "auth": "xoauth2",
        "secret": "refresh-1",
        "oauth_client_id": "client-app",
        "oauth_client_secret": "client-secret",
        "oauth_token_url": "https://login.microsoftonline.com/school/oauth2/v2.0/token",
    }
    values.update(overrides)
    return mailboxes.configure_mailbox(None, actor=admin, **values)


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost.evil.example/token",  # passed the old prefix check
        "http://127.0.0.1.evil.example/token",
        "http://localhost@evil.example/token",
        "http://localhost:8080@evil.example/token",
        "http://localhost:notaport/token",
        "http://evil.example/token",
        "https://169.254.169.254/latest/meta-data/",
        "https://[fd00:ec2::254]/token",
        "https://[64:ff9b::a9fe:a9fe]/token",
        "https://168.63.129.16/token",
        "ftp://login.example/token",
        "localhost/token",
    ],
)
def test_a_token_endpoint_url_is_parsed_and_refused(administrator: User, url: str) -> None:
    with pytest.raises(DomainError) as refused:
        configure(administrator, oauth_token_url=url)
    assert set(refused.value.field_errors) == {"oauth_token_url"}
    assert not Mailbox.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "https://login.microsoftonline.com/school/oauth2/v2.0/token",
        "https://oauth2.googleapis.com/token",
        "http://localhost:8080/token",
        "http://LOCALHOST/token",
        "http://127.0.0.1:9000/token",
        "http://[::1]:9000/token",
    ],
)
def test_https_and_this_machine_are_accepted_as_token_endpoints(administrator: User, url: str) -> None:
    assert configure(administrator, oauth_token_url=url).oauth_token_url == url


@pytest.mark.parametrize("host", ["169.254.169.254", "fd00:ec2::254", "::ffff:a9fe:a9fe", "192.0.0.192"])
def test_an_imap_server_at_a_denied_address_is_refused_when_saved(administrator: User, host: str) -> None:
    with translation.override("en"), pytest.raises(DomainError) as refused:
        configure(administrator, host=host)
    assert "Beheer may not connect to this address" in refused.value.field_errors["host"]


def test_the_mailbox_form_shows_the_token_url_refusal(administrator: User, first_line: OperatorGroup) -> None:
    client = client_for(administrator)
    data = {
        "name": "Microsoft 365",
        "host": "outlook.office365.com",
        "port": "993",
        "security": "tls",
        "username": "helpdesk@school.example",
        "auth": "xoauth2",
        "secret": "refresh-1",
        "oauth_client_id": "client-app",
        "oauth_token_url": "http://localhost.evil.example/token",
        "folder": "INBOX",
        "after_processing": "move",
        "processed_folder": "Beheer",
        "default_operator_group": first_line.pk,
        "rate_limit_count": "20",
        "rate_limit_minutes": "60",
        "active": "on",
    }
    response = client.post("/mail/mailboxes/new/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["oauth_token_url"]
    assert not Mailbox.objects.exists()


def test_a_stored_token_url_that_is_not_allowed_is_refused_when_refreshing(administrator: User) -> None:
    box = configure(administrator)
    Mailbox.objects.filter(pk=box.pk).update(oauth_token_url="http://localhost.evil.example/token")
    box.refresh_from_db()
    with translation.override("en"), pytest.raises(DomainError, match="cannot be used"):
        mailboxes.refresh_access_token(box)


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/iam/", "second"])
def test_a_redirect_from_the_token_endpoint_is_not_followed(
    administrator: User, settings: Any, target: str
) -> None:
    settings.OUTBOUND_DENIED_NETWORKS = "127.0.0.2/32"
    with http_recorder("127.0.0.2") as second:
        location = second.url + "steal" if target == "second" else target
        with http_recorder(status=302, location=location) as token_endpoint:
            box = configure(administrator, oauth_token_url=token_endpoint.url + "oauth2/v2.0/token")
            with (
                translation.override("en"),
                pytest.raises(DomainError, match=r"redirect \(302\), which is not"),
            ):
                mailboxes.refresh_access_token(box)
            [request] = token_endpoint.requests
            assert request["method"] == "POST"
            assert b"refresh-1" in request["body"]
        assert second.requests == []  # neither the refresh token nor anything else went on
    box.refresh_from_db()
    assert not box.access_token_encrypted


def test_a_token_endpoint_name_that_resolves_to_a_denied_address_is_refused(
    administrator: User, settings: Any
) -> None:
    settings.OUTBOUND_DENIED_NETWORKS = "127.0.0.0/8, ::1"
    with http_recorder() as token_endpoint:
        url = token_endpoint.url.replace("127.0.0.1", "localhost") + "token"
        box = configure(administrator, oauth_token_url=url)
        with pytest.raises(DomainError) as refused:
            mailboxes.refresh_access_token(box)
        assert refused.value.message == ("Het tokenendpoint is niet bereikbaar: " + REFUSED_IN_DUTCH)
        assert token_endpoint.requests == []


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_an_imap_name_that_resolves_to_a_denied_address_is_never_contacted(
    administrator: User, settings: Any, security: str
) -> None:
    settings.OUTBOUND_DENIED_NETWORKS = "127.0.0.0/8, ::1"
    with listening() as imap:
        box = configure(
            administrator, host="localhost", port=imap.port, security=security, auth="password", secret="pw"
        )
        report = mail_intake.poll_mailbox(box)
        assert report.error == REFUSED_IN_DUTCH
        box.refresh_from_db()
        assert box.last_error == REFUSED_IN_DUTCH
        with translation.override("en"), pytest.raises(DomainError) as failed:
            mailboxes.check_connection(box, actor=administrator)
        assert (
            "Refused by the outbound address policy: 127.0.0.1 is in the denied network"
            in failed.value.message
        )
        assert imap.accepted == 0


@pytest.fixture
def account(mailserver: DovecotServer) -> Account:
    return new_account(mailserver)


def test_the_real_imap_server_by_name_still_works_and_a_redirecting_token_endpoint_is_reported(
    account: Account, administrator: User, first_line: OperatorGroup
) -> None:
    """Through the policy, IMAP over TLS to "localhost" verifies the certificate against that name;
    the token endpoint's redirect lands on the mailbox as its poll error."""
    with http_recorder() as second, http_recorder(status=302, location=second.url) as endpoint:
        box = _oauth_mailbox(account, administrator, SimpleNamespace(url=endpoint.url), first_line)  # type: ignore[arg-type]
        Mailbox.objects.filter(pk=box.pk).update(host="localhost")
        box.refresh_from_db()
        report = mail_intake.poll_mailbox(box)
        assert report.error.startswith("Het tokenendpoint antwoordde met een doorverwijzing (302)")
        box.refresh_from_db()
        assert box.last_error == report.error
        assert second.requests == []
    password_box = mailboxes.configure_mailbox(
        box,
        actor=administrator,
        name=box.name,
        host="localhost",
        port=box.port,
        security="tls",
        ca_certificate=box.ca_certificate,
        username=account.user,
        auth="password",
        secret=account.password,
        processed_folder="Verwerkt",
    )
    assert mailboxes.check_connection(password_box, actor=administrator) == 0
