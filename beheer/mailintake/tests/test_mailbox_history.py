"""The audit trail of mailboxes: every mailbox service writes its rows, old -> new, in the transaction
of the change; secrets never; the trail outlives the mailbox; only administrators read it, on the
mailbox's page and in the API, in a fixed number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from beheer.accounts.models import OperatorGroup, User
from beheer.core.errors import Conflict, DomainError, PermissionDenied
from beheer.core.history import SECRET_CHANGED
from beheer.mailintake.models import Mailbox, MailboxAction, MailboxHistoryEntry, MailRule
from beheer.mailintake.services import mailboxes
from beheer.notifications import crypto
from beheer.servicedesk.models import Category
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

API = "/api/v1/mail/mailboxes"
PASSWORD = "canary-password-5e1f"
NEW_PASSWORD = "canary-password-new-9b3c"
CLIENT_SECRET = "canary-client-secret-71d0"


def settings_for(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "Servicedesk",
        "host": "imap.school.example",
        "port": 993,
        "security": "tls",
        "username": "servicedesk@school.example",
        "auth": "password",
        "secret": PASSWORD,
    }
    values.update(changes)
    return values


def change(box: Mailbox, actor: User, **changes: Any) -> Mailbox:
    """Save `box` again with `changes` (no secret unless given: the stored one is kept)."""
    values = settings_for(**{"secret": None, **changes})
    return mailboxes.configure_mailbox(box, actor=actor, expected_version=box.version, **values)


def trail(box: Mailbox) -> list[tuple[str, str, str, str]]:
    rows = MailboxHistoryEntry.objects.filter(mailbox=box).order_by("id")
    return [(r.action, r.field, r.old_value, r.new_value) for r in rows]


def stored_text() -> str:
    """Every value of every row of the trail, as one text."""
    return " ".join(str(v) for row in MailboxHistoryEntry.objects.values() for v in row.values())


def client_in(user: User, language: str) -> Any:
    User.objects.filter(pk=user.pk).update(language=language)
    return client_for(user)


@pytest.fixture
def box(administrator: User, first_line: OperatorGroup) -> Mailbox:
    return mailboxes.configure_mailbox(
        None, actor=administrator, default_operator_group=first_line, **settings_for()
    )


# --------------------------------------------------------------------------------------------------
# the services


def test_creating_a_mailbox_records_who_and_when(administrator: User, box: Mailbox) -> None:
    (row,) = MailboxHistoryEntry.objects.filter(mailbox=box)
    assert (row.action, row.actor, row.mailbox_name, row.field) == (
        MailboxAction.CREATED,
        administrator,
        "Servicedesk",
        "",
    )
    assert row.at == box.updated_at


def test_a_change_records_each_changed_setting_old_to_new(
    administrator: User, box: Mailbox, first_line: OperatorGroup
) -> None:
    category = Category.objects.create(name="Hardware")
    change(
        box,
        administrator,
        name="Helpdesk",
        port=143,
        security="starttls",
        default_operator_group=first_line,
        default_category=category,
        rate_limit_count=5,
    )
    changed = [row for row in trail(box) if row[0] == MailboxAction.CHANGED]
    assert sorted(changed) == sorted(
        [
            ("changed", "name", "Servicedesk", "Helpdesk"),
            ("changed", "port", "993", "143"),
            ("changed", "security", "tls", "starttls"),
            ("changed", "default_category", "", "Hardware"),
            ("changed", "rate_limit_count", "20", "5"),
        ]
    )  # the operator group stayed the same: no row for it
    newest = MailboxHistoryEntry.objects.filter(mailbox=box).latest("id")
    assert (newest.mailbox_name, newest.actor) == ("Helpdesk", administrator)


def test_saving_without_a_change_records_nothing(
    administrator: User, box: Mailbox, first_line: OperatorGroup
) -> None:
    before = MailboxHistoryEntry.objects.count()
    change(box, administrator, default_operator_group=first_line)
    box.refresh_from_db()
    assert box.version == 2  # it was saved
    assert MailboxHistoryEntry.objects.count() == before


def test_deactivating_and_activating_are_recorded_as_such(
    administrator: User, box: Mailbox, first_line: OperatorGroup
) -> None:
    box = change(box, administrator, active=False, default_operator_group=first_line, folder="Support")
    box = change(box, administrator, active=True, default_operator_group=first_line, folder="Support")
    assert trail(box)[1:] == [
        ("changed", "folder", "INBOX", "Support"),
        ("deactivated", "active", "true", "false"),
        ("activated", "active", "false", "true"),
    ]
    # the rows of one change share one moment, in one INSERT
    first, second = MailboxHistoryEntry.objects.filter(mailbox=box).order_by("id")[1:3]
    assert first.at == second.at


def test_a_new_password_is_recorded_without_the_password(
    administrator: User, box: Mailbox, first_line: OperatorGroup
) -> None:
    change(box, administrator, secret=NEW_PASSWORD, default_operator_group=first_line)
    assert trail(box)[-1] == ("changed", "secret", "", SECRET_CHANGED)
    text = stored_text()
    assert PASSWORD not in text
    assert NEW_PASSWORD not in text
    assert crypto.decrypt(Mailbox.objects.get(pk=box.pk).secret_encrypted) == NEW_PASSWORD


def test_the_same_password_entered_again_is_no_change(
    administrator: User, box: Mailbox, first_line: OperatorGroup
) -> None:
    """The stored password is encrypted anew each time; the history compares the passwords."""
    before = Mailbox.objects.get(pk=box.pk).secret_encrypted
    change(box, administrator, secret=PASSWORD, default_operator_group=first_line)
    assert Mailbox.objects.get(pk=box.pk).secret_encrypted != before
    assert [row for row in trail(box) if row[1] == "secret"] == []


def test_oauth_sign_in_and_its_client_secret_are_recorded_without_the_secrets(
    administrator: User, box: Mailbox, first_line: OperatorGroup
) -> None:
    oauth = {
        "auth": "xoauth2",
        "secret": "refresh-token-canary-0c4e",
        "oauth_client_id": "client-app",
        "oauth_client_secret": CLIENT_SECRET,
        "oauth_token_url": "https://login.microsoftonline.com/school/oauth2/v2.0/token",
        "default_operator_group": first_line,
    }
    box = change(box, administrator, **oauth)
    rows = {row[1]: row for row in trail(box) if row[0] == MailboxAction.CHANGED}
    assert rows["auth"] == ("changed", "auth", "password", "xoauth2")
    assert rows["oauth_client_id"] == ("changed", "oauth_client_id", "", "client-app")
    assert rows["secret"][2:] == ("", SECRET_CHANGED)
    assert rows["oauth_client_secret"][2:] == ("", SECRET_CHANGED)
    assert CLIENT_SECRET not in stored_text()
    assert "refresh-token-canary-0c4e" not in stored_text()
    # back to a password, the client secret kept: only the sign-in and the password change
    before = len(trail(box))
    box = change(
        box,
        administrator,
        **{**oauth, "auth": "password", "secret": PASSWORD, "oauth_client_secret": None},
    )
    assert sorted(row[1] for row in trail(box)[before:]) == ["auth", "secret"]


def test_a_stored_secret_that_cannot_be_decrypted_does_not_block_entering_a_new_one(
    administrator: User, box: Mailbox, first_line: OperatorGroup
) -> None:
    """After the encryption key changed the old password is unreadable: the administrator enters
    it again, and the history records the change (saving without one records none)."""
    Mailbox.objects.filter(pk=box.pk).update(secret_encrypted="gAAAAA-from-another-key")
    box.refresh_from_db()
    box = change(box, administrator, default_operator_group=first_line)
    assert [row for row in trail(box) if row[1] == "secret"] == []
    change(box, administrator, secret=NEW_PASSWORD, default_operator_group=first_line)
    assert trail(box)[-1] == ("changed", "secret", "", SECRET_CHANGED)


def test_a_refused_change_records_nothing(administrator: User, operator: User, box: Mailbox) -> None:
    before = MailboxHistoryEntry.objects.count()
    with pytest.raises(DomainError) as refused:  # found after the snapshot: rolled back with it
        change(box, administrator, name="Renamed", folder="Beheer", processed_folder="beheer")
    assert "processed_folder" in refused.value.field_errors
    with pytest.raises(Conflict):
        mailboxes.configure_mailbox(box, actor=administrator, expected_version=99, **settings_for())
    with pytest.raises(PermissionDenied):
        change(box, operator, name="Renamed")
    assert MailboxHistoryEntry.objects.count() == before
    assert Mailbox.objects.get(pk=box.pk).name == "Servicedesk"


def test_rules_added_and_removed_are_recorded_in_words(
    administrator: User, operator: User, box: Mailbox, first_line: OperatorGroup
) -> None:
    category = Category.objects.create(name="Hardware", name_en="Hardware")
    rule = mailboxes.add_mail_rule(
        box,
        actor=administrator,
        match_field="sender",
        pattern="conciërge@school.example",
        category=category,
        operator_group=first_line,
        order=5,
    )
    with pytest.raises(PermissionDenied):
        mailboxes.remove_mail_rule(rule, actor=operator)
    mailboxes.remove_mail_rule(rule, actor=administrator)
    mailboxes.remove_mail_rule(rule, actor=administrator)  # twice: nothing left to record
    assert not MailRule.objects.filter(pk=rule.pk).exists()
    created, added, removed = MailboxHistoryEntry.objects.filter(mailbox=box).order_by("id")
    assert created.action == MailboxAction.CREATED
    assert (added.action, added.field, added.old_value) == (MailboxAction.RULE_ADDED, "rule", "")
    assert (removed.action, removed.field, removed.new_value) == (MailboxAction.RULE_REMOVED, "rule", "")
    assert removed.old_value == added.new_value
    expected = "Sender address: conciërge@school.example \u2192 Hardware, Servicedesk (order 5)"
    with translation.override("en"):
        assert added.new_display == expected
        assert removed.old_display == expected


def test_a_bad_rule_value_is_shown_as_stored() -> None:
    assert MailboxHistoryEntry.display_value("rule", "not json") == "not json"
    assert MailboxHistoryEntry.display_value("rule", '{"match_field": "nonsense"}') == (
        '{"match_field": "nonsense"}'
    )


def test_the_trail_survives_removing_the_mailbox(administrator: User, box: Mailbox) -> None:
    mailboxes.add_mail_rule(
        box,
        actor=administrator,
        match_field="domain",
        pattern="school.example",
        operator_group=box.default_operator_group,
    )
    box_id = box.pk
    mailboxes.delete_mailbox(box, actor=administrator)
    mailboxes.delete_mailbox(box, actor=administrator)  # twice: removed already, nothing recorded
    assert not Mailbox.objects.filter(pk=box_id).exists()
    rows = list(MailboxHistoryEntry.objects.order_by("id"))
    assert [r.action for r in rows] == ["created", "rule_added", "deleted"]
    assert {(r.mailbox_id, r.mailbox_name) for r in rows} == {(None, "Servicedesk")}
    assert rows[-1].actor == administrator
    # administrators still read the orphaned trail; nobody else does
    assert MailboxHistoryEntry.objects.visible_to(administrator).count() == 3


def test_only_administrators_read_the_trail(
    administrator: User, coordinator: User, operator: User, caller: User, box: Mailbox
) -> None:
    gone = mailboxes.configure_mailbox(None, actor=administrator, **settings_for(name="Old"))
    mailboxes.delete_mailbox(gone, actor=administrator)
    assert MailboxHistoryEntry.objects.visible_to(administrator).count() == 3
    for person in (coordinator, operator, caller, None):
        assert not MailboxHistoryEntry.objects.visible_to(person).exists()


# --------------------------------------------------------------------------------------------------
# the API


def test_the_history_api_pages_newest_first_in_the_readers_language(
    administrator: User, box: Mailbox, first_line: OperatorGroup
) -> None:
    for port in (1993, 2993, 3993):
        box = change(box, administrator, port=port, default_operator_group=first_line)
    box = change(
        box,
        administrator,
        port=3993,
        auth="xoauth2",
        oauth_client_id="app",
        oauth_token_url="https://oauth2.googleapis.com/token",
        default_operator_group=first_line,
    )
    client = client_in(administrator, "en")
    seen: list[dict[str, Any]] = []
    url: str | None = f"{API}/{box.pk}/history?limit=2"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert len(body["items"]) <= 2
        seen += body["items"]
        url = f"{API}/{box.pk}/history?limit=2&cursor={body['next_cursor']}" if body["next_cursor"] else None
    assert [item["action"] for item in seen] == ["changed"] * 6 + ["created"]
    by_field = {item["field"]: item for item in seen[:3]}
    assert by_field["auth"]["field_label"] == "sign-in"
    assert by_field["auth"]["old_value"] == "User name and password"
    assert by_field["auth"]["new_value"] == "OAuth 2.0 (Microsoft 365, Google Workspace)"
    assert [item["new_value"] for item in seen if item["field"] == "port"] == ["3993", "2993", "1993"]
    assert seen[0]["actor"] == {"id": administrator.pk, "name": str(administrator)}
    dutch = client_in(administrator, "nl").get(f"{API}/{box.pk}/history?limit=1").json()["items"][0]
    assert dutch["action"] == "changed"
    assert dutch["action_label"] != "Changed"  # the label follows the reader's language


def test_the_history_api_shows_a_password_change_without_the_password(
    administrator: User, box: Mailbox, first_line: OperatorGroup
) -> None:
    change(box, administrator, secret=NEW_PASSWORD, default_operator_group=first_line)
    response = client_in(administrator, "en").get(f"{API}/{box.pk}/history")
    assert response.status_code == 200
    text = response.content.decode()
    assert PASSWORD not in text
    assert NEW_PASSWORD not in text
    assert SECRET_CHANGED not in text  # the stored marker is shown as a word
    (item,) = [i for i in response.json()["items"] if i["field"] == "secret"]
    assert (item["field_label"], item["old_value"], item["new_value"]) == (
        "password or refresh token",
        "",
        "changed",
    )


def test_the_history_api_costs_the_same_number_of_queries_for_a_long_trail(
    administrator: User, box: Mailbox, first_line: OperatorGroup
) -> None:
    client = client_for(administrator)
    url = f"{API}/{box.pk}/history?limit=50"
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries)

    short = count()
    for n in range(30):
        box = change(box, administrator, port=2000 + n, default_operator_group=first_line)
        mailboxes.add_mail_rule(
            box, actor=administrator, match_field="domain", pattern=f"s{n}.example", operator_group=first_line
        )
    assert MailboxHistoryEntry.objects.filter(mailbox=box).count() == 61
    assert count() == short


def test_the_history_api_refuses_others_and_answers_404_for_an_unknown_or_removed_mailbox(
    administrator: User, coordinator: User, operator: User, caller: User, box: Mailbox
) -> None:
    for person in (coordinator, operator, caller):
        refused = client_for(person).get(f"{API}/{box.pk}/history")
        assert refused.status_code == 403
        assert "items" not in refused.json()
        assert "Servicedesk" not in refused.content.decode()
        # an id that does not exist answers the same: nothing to learn from probing
        assert client_for(person).get(f"{API}/987654/history").json() == refused.json()
    admin = client_for(administrator)
    gone = mailboxes.configure_mailbox(None, actor=administrator, **settings_for(name="Old"))
    gone_id = gone.pk
    mailboxes.delete_mailbox(gone, actor=administrator)
    missing = admin.get(f"{API}/987654/history")
    removed = admin.get(f"{API}/{gone_id}/history")
    assert missing.status_code == removed.status_code == 404
    assert missing.json() == removed.json()


@pytest.mark.parametrize("query", ["limit=1024", "limit=0", "limit=-1", "cursor=not-a-cursor"])
def test_bad_paging_answers_400_with_the_field(administrator: User, box: Mailbox, query: str) -> None:
    response = client_for(administrator).get(f"{API}/{box.pk}/history?{query}")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {query.split("=")[0]}


# --------------------------------------------------------------------------------------------------
# the mailbox's page


def test_the_mailbox_page_shows_its_history(
    administrator: User, box: Mailbox, first_line: OperatorGroup
) -> None:
    change(
        box, administrator, host="mail.school.example", secret=NEW_PASSWORD, default_operator_group=first_line
    )
    response = client_in(administrator, "en").get(f"/mail/mailboxes/{box.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="history"' in page
    assert 'data-history-row="created"' in page
    assert "imap.school.example" in page  # the old host, in the history only
    assert "mail.school.example" in page
    assert "password or refresh token" in page
    assert PASSWORD not in page
    assert NEW_PASSWORD not in page


def test_the_new_mailbox_page_has_no_history(administrator: User) -> None:
    response = client_for(administrator).get("/mail/mailboxes/new/")
    assert response.status_code == 200
    assert 'id="history"' not in response.content.decode()


def test_the_mailbox_page_pages_its_history_and_survives_a_bad_cursor(
    administrator: User, box: Mailbox, first_line: OperatorGroup
) -> None:
    for n in range(25):
        box = change(box, administrator, port=2000 + n, default_operator_group=first_line)
    client = client_in(administrator, "en")
    first = client.get(f"/mail/mailboxes/{box.pk}/").content.decode()
    assert first.count("data-history-row=") == 20
    assert "cursor=" in first
    bad = client.get(f"/mail/mailboxes/{box.pk}/?cursor=not-a-cursor")
    assert bad.status_code == 200
    assert bad.content.decode().count("data-history-row=") == 20


def test_others_cannot_open_the_mailbox_page(
    coordinator: User, operator: User, caller: User, box: Mailbox
) -> None:
    for person in (coordinator, operator, caller):
        response = client_for(person).get(f"/mail/mailboxes/{box.pk}/")
        assert response.status_code == 403
        assert 'id="history"' not in response.content.decode()
