"""Mailbox and dead-letter screens and API: who may do what, bad input, the raw source never as HTML."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from beheer.accounts.models import OperatorGroup, User
from beheer.mailintake.models import DeadLetter, DeadLetterStatus, Mailbox, MailRule
from beheer.mailintake.services import process_message
from beheer.notifications import crypto
from beheer.servicedesk.models import Melding
from tests.helpers import client_for

from .mail_helpers import OWN_ADDRESS, OWN_SITE, message

API = "/api/v1/mail"
HOSTILE = (
    b"X-Note: <script>alert(1)</script>\nSubject: <img src=x onerror=alert(2)>\n\n"
    b"<b>bold</b> no From header\n"
)


@pytest.fixture(autouse=True)
def _own_identity(settings: Any) -> None:
    settings.SITE_URL = OWN_SITE
    settings.DEFAULT_FROM_EMAIL = OWN_ADDRESS


@pytest.fixture
def box(first_line: OperatorGroup) -> Mailbox:
    return Mailbox.objects.create(
        name="Servicedesk",
        host="127.0.0.1",
        port=1,
        username="intake",
        secret_encrypted=crypto.encrypt("Zq8-canary-secret"),
        default_operator_group=first_line,
    )


@pytest.fixture
def dead(box: Mailbox) -> DeadLetter:
    process_message(box, HOSTILE)
    return DeadLetter.objects.get()


def _json(response: Any) -> Any:
    return response.json()


# --- permissions -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "mailboxes", "dead_letters"),
    [("caller", 403, 403), ("operator", 403, 200), ("coordinator", 403, 200), ("administrator", 200, 200)],
)
def test_screen_permission_matrix(
    request: pytest.FixtureRequest,
    box: Mailbox,
    dead: DeadLetter,
    who: str,
    mailboxes: int,
    dead_letters: int,
) -> None:
    client = client_for(request.getfixturevalue(who))
    assert client.get("/mail/mailboxes/").status_code == mailboxes
    assert client.get(f"/mail/mailboxes/{box.pk}/").status_code in ({403} if mailboxes == 403 else {200})
    assert client.get("/mail/dead-letters/").status_code == dead_letters
    assert client.get(f"/mail/dead-letters/{dead.pk}/").status_code == dead_letters


def test_anonymous_is_sent_to_login(box: Mailbox) -> None:
    response = Client().get("/mail/dead-letters/")
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize(
    ("who", "mailboxes", "dead_letters"),
    [("caller", 403, 403), ("operator", 403, 200), ("administrator", 200, 200)],
)
def test_api_permission_matrix(
    request: pytest.FixtureRequest,
    box: Mailbox,
    dead: DeadLetter,
    who: str,
    mailboxes: int,
    dead_letters: int,
) -> None:
    client = client_for(request.getfixturevalue(who))
    assert client.get(f"{API}/mailboxes").status_code == mailboxes
    assert client.get(f"{API}/dead-letters").status_code == dead_letters
    detail = client.get(f"{API}/dead-letters/{dead.pk}")
    assert detail.status_code == (404 if dead_letters == 403 else 200)  # hidden is not found


# --- dead letters ----------------------------------------------------------------------------------


def test_raw_source_is_shown_escaped(operator: User, dead: DeadLetter) -> None:
    page = client_for(operator).get(f"/mail/dead-letters/{dead.pk}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert "<b>bold</b>" not in page
    assert "style=" not in page.split("<main", 1)[-1]


def test_list_pages_by_keyset_with_bounded_queries(operator: User, box: Mailbox) -> None:
    for n in range(7):
        process_message(box, HOSTILE + b"%d" % n)
    client = client_for(operator)
    client.get("/mail/dead-letters/")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/mail/dead-letters/")
    assert response.status_code == 200
    assert len(ctx.captured_queries) <= 12
    api = _json(client.get(f"{API}/dead-letters", {"limit": 5}))
    assert len(api["items"]) == 5
    assert api["next_cursor"]
    rest = _json(client.get(f"{API}/dead-letters", {"limit": 5, "cursor": api["next_cursor"]}))
    assert len(rest["items"]) == 2
    assert rest["next_cursor"] is None
    assert client.get(f"{API}/dead-letters", {"cursor": "garbage!"}).status_code == 400
    assert client.get(f"{API}/dead-letters", {"limit": 0}).status_code == 400


def test_convert_from_the_screen(operator: User, dead: DeadLetter) -> None:
    client = client_for(operator)
    response = client.post(f"/mail/dead-letters/{dead.pk}/convert/", {"brief_description": "Onleesbare mail"})
    melding = Melding.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/meldingen/{melding.pk}/")
    dead.refresh_from_db()
    assert dead.status == DeadLetterStatus.CONVERTED
    assert dead.melding == melding
    again = client.post(f"/mail/dead-letters/{dead.pk}/convert/", {"brief_description": "Twee keer"})
    assert again.status_code == 302
    assert Melding.objects.count() == 1


def test_discard_needs_confirmation_and_a_coordinator(
    operator: User, coordinator: User, dead: DeadLetter
) -> None:
    client_for(operator).post(f"/mail/dead-letters/{dead.pk}/discard/", {"confirm": "on"})
    assert DeadLetter.objects.get().status == DeadLetterStatus.OPEN
    client_for(coordinator).post(f"/mail/dead-letters/{dead.pk}/discard/", {})
    assert DeadLetter.objects.get().status == DeadLetterStatus.OPEN
    client_for(coordinator).post(f"/mail/dead-letters/{dead.pk}/discard/", {"confirm": "on"})
    assert DeadLetter.objects.get().status == DeadLetterStatus.DISCARDED


def test_api_retry_convert_discard(operator: User, coordinator: User, box: Mailbox, dead: DeadLetter) -> None:
    client = client_for(operator)
    retry = client.post(f"{API}/dead-letters/{dead.pk}/retry", content_type="application/json")
    assert retry.status_code == 400
    assert _json(retry)["detail"]
    bad = client.post(
        f"{API}/dead-letters/{dead.pk}/convert", {"brief_description": ""}, content_type="application/json"
    )
    assert bad.status_code == 422
    assert "brief_description" in _json(bad)["fields"]
    assert client.post(f"{API}/dead-letters/{dead.pk}/discard").status_code == 403
    converted = client.post(
        f"{API}/dead-letters/{dead.pk}/convert",
        {"brief_description": "Handmatig"},
        content_type="application/json",
    )
    assert converted.status_code == 200
    assert _json(converted)["melding_id"] == Melding.objects.get().pk
    assert client_for(coordinator).post(f"{API}/dead-letters/{dead.pk}/discard").status_code == 409
    process_message(box, message(sender="flood@x.example", subject="ok", message_id="retry-ok@x"))
    assert client.get(f"{API}/dead-letters/999999").status_code == 404


# --- mailboxes -------------------------------------------------------------------------------------


def test_mailbox_form_and_rules(administrator: User, first_line: OperatorGroup) -> None:
    client = client_for(administrator)
    data = {
        "name": "Helpdesk",
        "host": "imap.school.example",
        "port": "993",
        "security": "tls",
        "username": "helpdesk@school.example",
        "auth": "password",
        "secret": "Zq8-canary-secret",
        "folder": "INBOX",
        "after_processing": "move",
        "processed_folder": "Beheer",
        "default_operator_group": first_line.pk,
        "rate_limit_count": "20",
        "rate_limit_minutes": "60",
        "active": "on",
    }
    response = client.post("/mail/mailboxes/new/", data)
    box = Mailbox.objects.get()
    assert response.status_code == 302
    assert crypto.decrypt(box.secret_encrypted) == "Zq8-canary-secret"
    page = client.get(f"/mail/mailboxes/{box.pk}/").content.decode()
    assert "Zq8-canary-secret" not in page
    assert box.secret_encrypted not in page
    # saving again without a secret keeps it; a stale version is refused
    client.post(f"/mail/mailboxes/{box.pk}/", data | {"secret": "", "version": box.version})
    box.refresh_from_db()
    assert crypto.decrypt(box.secret_encrypted) == "Zq8-canary-secret"
    assert box.version == 2
    stale = client.post(f"/mail/mailboxes/{box.pk}/", data | {"version": 1})
    assert stale.status_code == 200
    assert "Iemand anders heeft deze mailbox intussen gewijzigd" in stale.content.decode()
    # bad port and a bad folder name are field errors, not a 500
    bad = client.post("/mail/mailboxes/new/", data | {"name": "Andere", "port": "0", "folder": 'x"y'})
    assert bad.status_code == 200
    assert Mailbox.objects.count() == 1

    client.post(
        f"/mail/mailboxes/{box.pk}/rules/",
        {"order": 1, "match_field": "subject", "pattern": "(a+)+", "operator_group": first_line.pk},
    )
    assert MailRule.objects.count() == 0
    client.post(
        f"/mail/mailboxes/{box.pk}/rules/",
        {"order": 1, "match_field": "domain", "pattern": "lyceum.example", "operator_group": first_line.pk},
    )
    rule = MailRule.objects.get()
    client.post(f"/mail/mailboxes/{box.pk}/rules/{rule.pk}/delete/")
    assert MailRule.objects.count() == 0

    client.post(f"/mail/mailboxes/{box.pk}/delete/", {})
    assert Mailbox.objects.count() == 1
    client.post(f"/mail/mailboxes/{box.pk}/delete/", {"confirm": "on"})
    assert Mailbox.objects.count() == 0


def test_test_connection_reports_a_failure(administrator: User, box: Mailbox) -> None:
    response = client_for(administrator).post(f"/mail/mailboxes/{box.pk}/test/", follow=True)
    assert "failed" in response.content.decode() or "mislukt" in response.content.decode()


def test_api_mailbox_crud(administrator: User, operator: User, first_line: OperatorGroup) -> None:
    client = client_for(administrator)
    body = {
        "name": "Helpdesk",
        "host": "imap.school.example",
        "username": "h@school.example",
        "secret": "Zq8-canary-secret",
        "default_operator_group_id": first_line.pk,
    }
    created = client.post(f"{API}/mailboxes", body, content_type="application/json")
    assert created.status_code == 201
    out = _json(created)
    assert out["has_secret"] is True
    assert "secret" not in out
    assert "secret_encrypted" not in out
    assert (
        client.post(f"{API}/mailboxes", body, content_type="application/json").status_code == 400
    )  # same name
    bad = client.post(
        f"{API}/mailboxes", body | {"name": "x", "port": 70000}, content_type="application/json"
    )
    assert bad.status_code == 422
    assert "port" in _json(bad)["fields"]
    unknown = client.post(
        f"{API}/mailboxes",
        body | {"name": "y", "default_category_id": 999999},
        content_type="application/json",
    )
    assert unknown.status_code == 400
    assert "default_category_id" in _json(unknown)["fields"]
    pk = out["id"]
    no_version = client.put(f"{API}/mailboxes/{pk}", body, content_type="application/json")
    assert no_version.status_code == 400
    changed = client.put(
        f"{API}/mailboxes/{pk}",
        body | {"port": 143, "security": "starttls", "version": 1},
        content_type="application/json",
    )
    assert changed.status_code == 200
    assert _json(changed)["port"] == 143
    stale = client.put(f"{API}/mailboxes/{pk}", body | {"version": 1}, content_type="application/json")
    assert stale.status_code == 409
    assert client_for(operator).delete(f"{API}/mailboxes/{pk}").status_code == 403
    assert client.delete(f"{API}/mailboxes/{pk}").status_code == 204
    assert client.get(f"{API}/mailboxes/{pk}").status_code == 404
