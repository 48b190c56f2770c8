"""Attachments of a mail go through the shared upload check (beheer/core/files.py), like those added
in the screens: what fails it is left out and noted on the melding, the rest is stored."""

from __future__ import annotations

from typing import Any

import pytest

from beheer.accounts.models import OperatorGroup
from beheer.mailintake.models import Mailbox
from beheer.mailintake.services import process_message
from beheer.servicedesk.models import Attachment, Melding, Note, Visibility
from beheer.servicedesk.tests.test_attachment_checks import PROGRAM
from tests.sample_files import PDF

from .mail_helpers import message as mail


def _attachments(melding: Melding) -> list[str]:
    return list(Attachment.objects.filter(melding=melding).values_list("original_name", flat=True))


@pytest.fixture
def box(first_line: OperatorGroup) -> Mailbox:
    return Mailbox.objects.create(
        name="Servicedesk", host="127.0.0.1", username="intake", default_operator_group=first_line
    )


@pytest.fixture(autouse=True)
def _own_identity(settings: Any) -> None:
    settings.SITE_URL = "https://beheer.example"
    settings.DEFAULT_FROM_EMAIL = "servicedesk@beheer.example"


def test_mail_attachments_that_fail_the_check_are_noted_not_stored(box: Mailbox) -> None:
    raw = mail(
        sender="a@b.example",
        subject="Installatie",
        message_id="exe@b.example",
        attachments=[
            ("offerte.pdf", "application/pdf", PDF, None),
            ("setup.exe", "application/x-msdownload", PROGRAM, None),
            ("tool.exe", "application/vnd.microsoft.portable-executable", PROGRAM, None),
        ],
    )
    result = process_message(box, raw)
    assert result.melding_id is not None, result
    melding = Melding.objects.get(pk=result.melding_id)
    assert _attachments(melding) == ["offerte.pdf"]
    assert "Het werkt niet" in melding.request
    note = Note.objects.get(melding=melding)
    assert note.visibility == Visibility.INTERNAL
    assert "setup.exe" in note.text
    assert "tool.exe" in note.text
