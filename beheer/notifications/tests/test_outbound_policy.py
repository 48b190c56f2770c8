"""Webhooks and SMTP are held to the outbound address policy: literal denied addresses are refused
when saved, names that resolve to a denied address and redirects to one are refused when sending,
with the reason in the outgoing message's last error. Real servers on 127.0.0.1 (and 127.0.0.2)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from beheer.accounts.models import User
from beheer.core.errors import DomainError
from beheer.core.tests.servers import http_recorder, listening
from beheer.notifications import services
from beheer.notifications.models import MessageStatus, OutgoingMessage, WebhookEndpoint
from tests.helpers import client_for

from .conftest import HookServer

SECRET = "a-long-webhook-secret-0123456789"

DENIED_URLS = [
    "http://169.254.169.254/latest/meta-data/",
    "http://[::ffff:169.254.169.254]/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://[2002:a9fe:a9fe::]/",
    "http://[::169.254.169.254]/",
    "http://[fd00:ec2::254]/",
    "http://168.63.129.16/machine?comp=goalstate",
    "http://192.0.0.192/",
    "http://2852039166/",  # 169.254.169.254 as one number
]


def fire(key: str = "melding:5:registered") -> list[int]:
    with transaction.atomic():
        return services.enqueue(
            "melding_registered",
            key=key,
            recipients=[],
            context={
                "melding_number": "M0000005",
                "brief_description": "Wifi",
                "link_url": "u",
                "status": {"nl": "Nieuw", "en": "New"},
            },
            object_ref=("servicedesk.melding", 5),
        )


def stored_endpoint(url: str) -> WebhookEndpoint:
    """An endpoint saved before the policy applied to webhooks (the service refuses such URLs now)."""
    endpoint = services.create_webhook(
        actor=_admin(),
        name="Legacy",
        url="https://hooks.example/",
        events=["melding_registered"],
        secret=SECRET,
        active=True,
    )
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=url)
    return endpoint


def _admin() -> User:
    from beheer.accounts.models import Role
    from tests.helpers import make_person

    return User.objects.filter(role=Role.ADMIN).first() or make_person(Role.ADMIN)


# --------------------------------------------------------------------------------------------------
# webhooks


@pytest.mark.django_db
@pytest.mark.parametrize("url", DENIED_URLS)
def test_a_webhook_url_naming_a_denied_address_is_refused_when_saved(administrator: User, url: str) -> None:
    with translation.override("en"), pytest.raises(DomainError) as refused:
        services.create_webhook(
            actor=administrator,
            name="Hook",
            url=url,
            events=["melding_registered"],
            secret=SECRET,
            active=True,
        )
    assert "Beheer may not connect to this address" in refused.value.field_errors["url"]
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db
def test_the_webhook_form_says_why_in_dutch(administrator: User) -> None:
    client = client_for(administrator)
    response = client.post(
        reverse("notification-webhooks"),
        {"name": "x", "url": "http://[fd00:ec2::254]/", "events": ["sla_breached"], "secret": "s" * 20},
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert response.status_code == 200
    [error] = response.context["form"].errors["url"]
    assert error.startswith("Beheer mag geen verbinding maken met dit adres: fd00:ec2::254 ligt in")
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("url", DENIED_URLS)
def test_a_stored_webhook_to_a_denied_address_is_refused_when_sending(administrator: User, url: str) -> None:
    stored_endpoint(url)
    with translation.override("en"):
        [pk] = fire()
    msg = OutgoingMessage.objects.get(pk=pk)
    assert msg.status == MessageStatus.DEAD
    assert msg.last_error.startswith("Refused by the outbound address policy: ")
    assert "never connects to" in msg.last_error


@pytest.mark.django_db(transaction=True)
def test_a_webhook_host_that_resolves_to_a_denied_address_gets_nothing(
    hook_server: HookServer, administrator: User, settings: Any
) -> None:
    settings.OUTBOUND_DENIED_NETWORKS = "127.0.0.0/8, ::1"
    url = hook_server.url.replace("127.0.0.1", "localhost")
    services.create_webhook(  # a name: checked when Beheer connects, what it resolves to can change
        actor=administrator, name="Hook", url=url, events=["melding_registered"], secret=SECRET, active=True
    )
    [pk] = fire()  # the default language, Dutch
    msg = OutgoingMessage.objects.get(pk=pk)
    assert msg.status == MessageStatus.DEAD
    assert msg.last_error == (
        "Geweigerd door het uitgaande adresbeleid: 127.0.0.1 ligt in het geweigerde netwerk 127.0.0.0/8"
    )
    assert hook_server.requests == []
    settings.OUTBOUND_DENIED_NETWORKS = ""
    [again] = fire("melding:6:registered")
    assert OutgoingMessage.objects.get(pk=again).status == MessageStatus.SENT
    assert len(hook_server.requests) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/iam/", "second"])
def test_a_redirect_to_a_denied_address_is_not_followed(
    administrator: User, settings: Any, target: str
) -> None:
    settings.OUTBOUND_DENIED_NETWORKS = "127.0.0.2/32"
    with http_recorder("127.0.0.2") as second:
        location = second.url + "steal" if target == "second" else target
        with http_recorder(status=302, location=location) as first:
            services.create_webhook(
                actor=administrator,
                name="Hook",
                url=first.url + "hook",
                events=["melding_registered"],
                secret=SECRET,
                active=True,
            )
            with translation.override("en"):
                [pk] = fire()
            msg = OutgoingMessage.objects.get(pk=pk)
            assert msg.status == MessageStatus.DEAD
            assert "redirects are not followed" in msg.last_error
            assert location in msg.last_error
            assert [r["path"] for r in first.requests] == ["/hook"]
        assert second.requests == []


# --------------------------------------------------------------------------------------------------
# SMTP


def _mail_server(admin: User, host: str, port: int, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "host": host,
        "port": port,
        "security": "none",
        "verify_certificate": True,
        "username": "",
        "password": None,
        "from_address": "sd@school.example",
        "from_name": "",
        "timeout": 2,
        "active": True,
    }
    values.update(overrides)
    return services.configure_mail_server(actor=admin, **values)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "host", ["169.254.169.254", "fd00:ec2::254", "::ffff:169.254.169.254", "168.63.129.16"]
)
def test_a_mail_server_at_a_denied_address_is_refused_when_saved(administrator: User, host: str) -> None:
    with translation.override("en"), pytest.raises(DomainError) as refused:
        _mail_server(administrator, host, 25)
    assert "Beheer may not connect to this address" in refused.value.field_errors["host"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("security", ["none", "starttls", "tls"])
def test_a_mail_server_name_that_resolves_to_a_denied_address_is_never_contacted(
    administrator: User, caller: User, settings: Any, security: str
) -> None:
    settings.OUTBOUND_DENIED_NETWORKS = "127.0.0.0/8, ::1"
    with listening() as smtp:
        _mail_server(administrator, "localhost", smtp.port, security=security)
        with transaction.atomic():
            [pk] = services.enqueue(
                "melding_registered",
                key="m:1",
                recipients=[caller],
                context={"melding_number": "M1", "brief_description": "x", "link_url": "u"},
                object_ref=("servicedesk.melding", 1),
            )
        msg = OutgoingMessage.objects.get(pk=pk)
        assert msg.status == MessageStatus.RETRYING  # the settings can be corrected; then it goes out
        assert msg.last_error == (
            "Geweigerd door het uitgaande adresbeleid: 127.0.0.1 ligt in het geweigerde netwerk 127.0.0.0/8"
        )
        with translation.override("en"), pytest.raises(DomainError, match="Refused by the outbound address"):
            services.send_test_email(actor=administrator, to="ada@school.example")
        assert smtp.accepted == 0


@pytest.mark.django_db(transaction=True)
def test_implicit_tls_through_the_policy_still_verifies_the_certificate(
    smtp_factory: Any, administrator: User, caller: User, settings: Any
) -> None:
    server = smtp_factory(security="tls")
    settings.SMTP_CA_FILE = str(server.cert_file)  # a certificate for "localhost"
    _mail_server(administrator, "localhost", server.port, security="tls")
    with transaction.atomic():
        [pk] = services.enqueue(
            "melding_registered",
            key="m:2",
            recipients=[caller],
            context={"melding_number": "M2", "brief_description": "x", "link_url": "u"},
            object_ref=("servicedesk.melding", 2),
        )
    assert OutgoingMessage.objects.get(pk=pk).status == MessageStatus.SENT
    assert len(server.sink.messages) == 1
