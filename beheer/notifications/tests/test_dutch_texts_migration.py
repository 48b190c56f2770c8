"""The migration to "je": a Dutch notification text saved unchanged follows the new built-in text,
an edited one is left alone."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps
from django.utils import timezone

from beheer.notifications.events import EVENTS
from beheer.notifications.models import NotificationTemplate

migration = import_module("beheer.notifications.migrations.0008_dutch_texts_say_je")


@pytest.mark.django_db
def test_unedited_copies_of_the_old_texts_follow_the_new_ones_and_edited_texts_stay():
    old_subject, new_subject = migration.CHANGES["melding_registered"]["subject"]
    old_body, new_body = migration.CHANGES["melding_registered"]["body"]
    assert "Uw melding" in old_subject
    assert new_subject == EVENTS["melding_registered"].subject["nl"]
    unedited = NotificationTemplate.objects.create(
        event="melding_registered",
        language="nl",
        subject=old_subject,
        body=old_body,
        updated_at=timezone.now(),
    )
    edited_body = old_body.replace("Met vriendelijke groet", "Groeten van het team")
    edited = NotificationTemplate.objects.create(
        event="operator_reply",
        language="nl",
        subject="Uw melding is beantwoord",
        body=edited_body,
        updated_at=timezone.now(),
    )
    migration.use_new_texts(apps, None)
    unedited.refresh_from_db()
    edited.refresh_from_db()
    assert (unedited.subject, unedited.body) == (new_subject, new_body)
    assert (edited.subject, edited.body) == ("Uw melding is beantwoord", edited_body)
