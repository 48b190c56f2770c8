"""Notification screens and API: the permission matrix, forms with errors (never a 500), the live
preview, retry, preferences, and a constant number of queries on the outbox list."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from beheer.accounts.models import User
from beheer.notifications import services
from beheer.notifications.models import (
    MailServer,
    MessageStatus,
    NotificationTemplate,
    OutgoingMessage,
    WebhookEndpoint,
)
from tests.helpers import client_for

API = "/api/v1/notifications"
CONTEXT = {"melding_number": "M0000009", "brief_description": "Scherm <zwart>", "link_url": "https://x/9/"}


def make_messages(n: int, recipient: str = "someone@school.example", start: int = 0) -> list[int]:
    with transaction.atomic():
        return [
            pk
            for i in range(start, start + n)
            for pk in services.enqueue(
                "melding_registered",
                key=f"m:{i}",
                recipients=[f"{i}-{recipient}"],
                context=CONTEXT,
                object_ref=("servicedesk.melding", i),
            )
        ]


@pytest.fixture
def message(db: Any) -> OutgoingMessage:
    [pk] = make_messages(1)
    return OutgoingMessage.objects.get(pk=pk)


@pytest.fixture
def dead(message: OutgoingMessage) -> OutgoingMessage:
    OutgoingMessage.objects.filter(pk=message.pk).update(status=MessageStatus.DEAD, last_error="550 gone")
    message.refresh_from_db()
    return message


@pytest.fixture
def people(caller: User, operator: User, coordinator: User, administrator: User) -> dict[str, User]:
    return {"caller": caller, "operator": operator, "coordinator": coordinator, "admin": administrator}


ADMIN_PAGES = [
    "notification-mail-server",
    "notification-templates",
    "notification-webhooks",
]

# role -> expected status of: outbox, message detail, admin pages, preferences
MATRIX = {
    "anonymous": (302, 302, 302, 302),
    "caller": (403, 403, 403, 200),
    "operator": (403, 403, 403, 200),
    "coordinator": (200, 200, 403, 200),
    "admin": (200, 200, 200, 200),
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(MATRIX))
def test_ui_permission_matrix(role: str, people: dict[str, User], message: OutgoingMessage) -> None:
    client = Client() if role == "anonymous" else client_for(people[role])
    outbox, detail, admin_pages, prefs = MATRIX[role]
    assert client.get(reverse("notification-outbox")).status_code == outbox
    assert client.get(reverse("notification-message", args=[message.pk])).status_code == detail
    for name in ADMIN_PAGES:
        assert client.get(reverse(name)).status_code == admin_pages, name
    assert (
        client.get(reverse("notification-template-edit", args=["operator_reply", "nl"])).status_code
        == admin_pages
    )
    assert (
        client.get(reverse("notification-template-event", args=["operator_reply"])).status_code == admin_pages
    )
    assert client.get(reverse("notification-preferences")).status_code == prefs


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["caller", "operator", "coordinator"])
def test_only_administrators_retry(role: str, people: dict[str, User], dead: OutgoingMessage) -> None:
    response = client_for(people[role]).post(reverse("notification-message-retry", args=[dead.pk]))
    assert response.status_code == 403
    assert OutgoingMessage.objects.get(pk=dead.pk).status == MessageStatus.DEAD


@pytest.mark.django_db
def test_outbox_list_and_filter(administrator: User, dead: OutgoingMessage) -> None:
    make_messages(2, start=10)
    client = client_for(administrator)
    response = client.get(reverse("notification-outbox"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("notifications/outbox/") >= 3
    assert "Scherm &lt;zwart&gt;" in body  # user text escaped
    response = client.get(reverse("notification-outbox"), {"status": "dead"})
    assert list(response.context["page"].items) == [dead]
    response = client.get(reverse("notification-outbox"), {"cursor": "garbage"})
    assert response.status_code == 200


@pytest.mark.django_db
def test_outbox_pages_with_a_cursor(administrator: User, monkeypatch: Any) -> None:
    from beheer.notifications import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    make_messages(5)
    client = client_for(administrator)
    seen: list[int] = []
    url = reverse("notification-outbox")
    while url:
        response = client.get(url)
        seen += [m.pk for m in response.context["page"].items]
        url = response.context["next_url"] and reverse("notification-outbox") + response.context["next_url"]
    assert len(seen) == 5 == len(set(seen))


@pytest.mark.django_db
def test_outbox_query_count_is_constant(coordinator: User) -> None:
    client = client_for(coordinator)
    make_messages(3)
    client.get(reverse("notification-outbox"))
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("notification-outbox")).status_code == 200
    make_messages(30, start=100)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("notification-outbox"))
    assert len(response.context["page"].items) == 33
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(many.captured_queries) <= 8


@pytest.mark.django_db(transaction=True)
def test_retry_button_sends_again(
    administrator: User, dead: OutgoingMessage, smtp: Any, mail_server: MailServer
) -> None:
    response = client_for(administrator).post(
        reverse("notification-message-retry", args=[dead.pk]), follow=True
    )
    assert response.status_code == 200
    assert OutgoingMessage.objects.get(pk=dead.pk).status == MessageStatus.SENT
    assert len(smtp.sink.messages) == 1
    # a second press: a message, no error page
    response = client_for(administrator).post(
        reverse("notification-message-retry", args=[dead.pk]), follow=True
    )
    assert response.status_code == 200
    assert len(smtp.sink.messages) == 1


@pytest.mark.django_db
def test_mail_server_form(administrator: User) -> None:
    client = client_for(administrator)
    url = reverse("notification-mail-server")
    bad = client.post(
        url, {"host": "x", "port": "70000", "security": "starttls", "from_address": "no", "timeout": "5"}
    )
    assert bad.status_code == 200
    assert bad.context["form"].errors
    assert not MailServer.objects.exists()
    good = client.post(
        url,
        {
            "host": "smtp.school.example",
            "port": "587",
            "security": "starttls",
            "verify_certificate": "on",
            "username": "u",
            "password": "pw-123",
            "from_address": "sd@school.example",
            "timeout": "10",
            "active": "on",
        },
    )
    assert good.status_code == 302
    server = MailServer.objects.get()
    assert server.host == "smtp.school.example"
    assert server.has_password
    page = client.get(url).content.decode()
    assert "pw-123" not in page
    assert server.password_encrypted not in page


@pytest.mark.django_db(transaction=True)
def test_test_email_button(administrator: User, smtp: Any, mail_server: MailServer) -> None:
    response = client_for(administrator).post(
        reverse("notification-mail-test"), {"to": "me@school.example"}, follow=True
    )
    assert response.status_code == 200
    assert [str(m["To"]) for m in smtp.sink.messages] == ["me@school.example"]


@pytest.mark.django_db
def test_test_email_without_server_shows_a_message(administrator: User) -> None:
    User.objects.filter(pk=administrator.pk).update(language="en")  # texts checked in English
    administrator.refresh_from_db()
    response = client_for(administrator).post(
        reverse("notification-mail-test"), {"to": "me@school.example"}, follow=True
    )
    assert response.status_code == 200
    assert any("mail server" in str(m) for m in response.context["messages"])


@pytest.mark.django_db
def test_template_edit_errors_preview_and_save(administrator: User) -> None:
    User.objects.filter(pk=administrator.pk).update(language="en")  # texts checked in English
    administrator.refresh_from_db()
    client = client_for(administrator)
    url = reverse("notification-template-edit", args=["operator_reply", "en"])
    page = client.get(url)
    assert page.status_code == 200
    assert "Dear Anna de Vries" in page.content.decode()  # preview of the built-in text

    bad = client.post(url, {"subject": "{{ ''.__class__ }}", "body": "{% if %}"})
    assert bad.status_code == 200
    assert set(bad.context["form"].errors) == {"subject", "body"}
    assert not NotificationTemplate.objects.exists()

    preview = client.post(
        reverse("notification-template-preview", args=["operator_reply", "en"]),
        {"subject": "Re {{ melding_number }}", "body": "{{ reply_text|upper }}"},
        headers={"HX-Request": "true"},
    )
    assert preview.status_code == 200
    assert "Re M0001234" in preview.content.decode()
    assert "THE TONER HAS BEEN REPLACED" in preview.content.decode()
    broken = client.post(
        reverse("notification-template-preview", args=["operator_reply", "en"]),
        {"subject": "x", "body": "{{ a.b }}"},
    )
    assert broken.status_code == 200
    assert "errors" in broken.content.decode()

    ok = client.post(
        url, {"subject": "Re {{ melding_number }}", "body": "Hi {{ recipient_name }}", "body_html": ""}
    )
    assert ok.status_code == 302
    assert NotificationTemplate.objects.get().subject == "Re {{ melding_number }}"
    event_page = client.get(reverse("notification-template-event", args=["operator_reply"])).content.decode()
    assert "Re M0001234" in event_page
    assert "Beste Anna de Vries" in event_page
    client.post(reverse("notification-template-reset", args=["operator_reply", "en"]))
    assert not NotificationTemplate.objects.exists()
    assert client.get(reverse("notification-template-edit", args=["nope", "en"])).status_code == 404
    assert client.get(reverse("notification-template-edit", args=["operator_reply", "de"])).status_code == 404


@pytest.mark.django_db
def test_webhook_screens(administrator: User) -> None:
    client = client_for(administrator)
    url = reverse("notification-webhooks")
    bad = client.post(
        url, {"name": "x", "url": "ftp://host/x", "events": ["sla_breached"], "secret": "short"}
    )
    assert bad.status_code == 200
    assert bad.context["form"].errors
    ok = client.post(
        url,
        {
            "name": "Chat",
            "url": "https://chat.example/hook",
            "events": ["sla_breached"],
            "secret": "s" * 20,
            "active": "on",
        },
    )
    assert ok.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    page = client.get(reverse("notification-webhook-edit", args=[endpoint.pk])).content.decode()
    assert "https://chat.example/hook" in page
    assert "s" * 20 not in page  # the secret is never shown
    edit = client.post(
        reverse("notification-webhook-edit", args=[endpoint.pk]),
        {"name": "Chat 2", "url": "https://chat.example/hook2", "events": ["sla_breached", "sla_at_risk"]},
    )
    assert edit.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.name == "Chat 2"
    assert not endpoint.active
    assert len(endpoint.events) == 2
    assert client.post(reverse("notification-webhook-delete", args=[endpoint.pk])).status_code == 302
    assert not WebhookEndpoint.objects.exists()
    assert client.get(reverse("notification-webhook-edit", args=[endpoint.pk])).status_code == 404


@pytest.mark.django_db
def test_own_preferences_page(caller: User, operator: User) -> None:
    client = client_for(caller)
    page = client.get(reverse("notification-preferences"))
    assert set(page.context["form"].fields) == {
        "melding_registered",
        "operator_reply",
        "status_changed",
        "article_changed",
        "article_acknowledgement_due",
        "change_request_received",
        "design_client_approval_waiting",
        "change_plan_notice",
        "change_feedback_requested",
        "acceptance_invitation",
        "acceptance_signoff_requested",
    }
    response = client.post(
        reverse("notification-preferences"), {"melding_registered": "on", "status_changed": "on"}
    )
    assert response.status_code == 302
    prefs = services.preferences_of(caller)
    assert prefs["operator_reply"] is False
    assert prefs["melding_registered"] is True
    assert (
        "sla_breached" in client_for(operator).get(reverse("notification-preferences")).context["form"].fields
    )
    # reachable from the profile page
    assert reverse("notification-preferences") in client.get(reverse("profile")).content.decode()


# --------------------------------------------------------------------------------------------------
# API


def api(user: User | None) -> Client:
    return client_for(user) if user else Client()


API_MATRIX = {
    # role: outbox list, detail, retry, preview, preferences
    "caller": (403, 403, 403, 403, 200),
    "operator": (403, 403, 403, 403, 200),
    "coordinator": (200, 200, 403, 403, 200),
    "admin": (200, 200, 200, 200, 200),
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(API_MATRIX))
def test_api_permission_matrix(role: str, people: dict[str, User], dead: OutgoingMessage) -> None:
    client = api(people[role])
    listing, detail, retry, preview, prefs = API_MATRIX[role]
    assert client.get(f"{API}/outbox").status_code == listing
    assert client.get(f"{API}/outbox/{dead.pk}").status_code == detail
    assert client.post(f"{API}/outbox/{dead.pk}/retry").status_code == retry
    body = {"event": "operator_reply", "language": "nl", "subject": "S {{ melding_number }}", "body": "B"}
    assert (
        client.post(f"{API}/templates/preview", body, content_type="application/json").status_code == preview
    )
    assert client.get(f"{API}/preferences").status_code == prefs


@pytest.mark.django_db
def test_api_anonymous_is_401(message: OutgoingMessage) -> None:
    assert Client().get(f"{API}/outbox").status_code == 401
    assert Client().get(f"{API}/preferences").status_code == 401


@pytest.mark.django_db
def test_api_outbox_list_detail_and_errors(
    coordinator: User, administrator: User, dead: OutgoingMessage
) -> None:
    make_messages(3, start=20)
    client = api(coordinator)
    data = client.get(f"{API}/outbox", {"limit": 2}).json()
    assert len(data["items"]) == 2
    assert data["next_cursor"]
    cursor: str = data["next_cursor"]
    rest = client.get(f"{API}/outbox", {"limit": "2", "cursor": cursor}).json()
    assert len(rest["items"]) == 2
    assert rest["next_cursor"] is None
    assert [m["id"] for m in client.get(f"{API}/outbox", {"status": "dead"}).json()["items"]] == [dead.pk]
    by_object = client.get(f"{API}/outbox", {"object_type": "servicedesk.melding", "object_id": "21"}).json()
    assert len(by_object["items"]) == 1
    assert client.get(f"{API}/outbox", {"status": "bogus"}).status_code == 400
    assert client.get(f"{API}/outbox", {"limit": 0}).status_code == 400
    assert client.get(f"{API}/outbox", {"cursor": "!!"}).status_code == 400
    detail = client.get(f"{API}/outbox/{dead.pk}").json()
    assert detail["headers"]["Auto-Submitted"] == "auto-generated"
    assert "M0000009" in detail["body_text"]
    assert client.get(f"{API}/outbox/999999").status_code == 404
    admin = api(administrator)
    assert admin.post(f"{API}/outbox/999999/retry").status_code == 404
    assert admin.post(f"{API}/outbox/{dead.pk}/retry").json()["status"] == "pending"
    conflict = admin.post(f"{API}/outbox/{dead.pk}/retry")
    assert conflict.status_code == 409
    assert conflict.json()["error"] == "conflict"


@pytest.mark.django_db
def test_api_outbox_query_count_is_constant(coordinator: User) -> None:
    client = api(coordinator)
    make_messages(3)
    client.get(f"{API}/outbox")
    with CaptureQueriesContext(connection) as few:
        client.get(f"{API}/outbox")
    make_messages(30, start=200)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(f"{API}/outbox").json()["items"]) == 33
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.django_db
def test_api_preferences(caller: User) -> None:
    client = api(caller)
    assert all(client.get(f"{API}/preferences").json()["preferences"].values())
    put = client.put(
        f"{API}/preferences", {"preferences": {"operator_reply": False}}, content_type="application/json"
    )
    assert put.status_code == 200
    assert put.json()["preferences"]["operator_reply"] is False
    bad = client.put(f"{API}/preferences", {"preferences": {"nope": False}}, content_type="application/json")
    assert bad.status_code == 400
    assert "nope" in bad.json()["fields"]
    shape = client.put(f"{API}/preferences", {"preferences": "x"}, content_type="application/json")
    assert shape.status_code == 422


@pytest.mark.django_db
def test_api_preview(administrator: User) -> None:
    client = api(administrator)
    ok = client.post(
        f"{API}/templates/preview",
        {
            "event": "operator_reply",
            "language": "en",
            "subject": "Re {{ melding_number }}",
            "body": "{{ reply_text }}",
            "body_html": "<p>{{ reply_text }}</p>",
        },
        content_type="application/json",
    )
    assert ok.status_code == 200
    assert ok.json()["subject"] == "Re M0001234"
    bad = client.post(
        f"{API}/templates/preview",
        {"event": "operator_reply", "subject": "{{ ''.__class__ }}", "body": "{% for x in y %}{% endfor %}"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert set(bad.json()["fields"]) == {"subject", "body"}
    unknown = client.post(
        f"{API}/templates/preview",
        {"event": "nope", "subject": "s", "body": "b"},
        content_type="application/json",
    )
    assert unknown.status_code == 400
    lang = client.post(
        f"{API}/templates/preview",
        {"event": "operator_reply", "language": "de", "subject": "s", "body": "b"},
        content_type="application/json",
    )
    assert lang.status_code == 400
    assert json.loads(lang.content)["fields"]["language"]
