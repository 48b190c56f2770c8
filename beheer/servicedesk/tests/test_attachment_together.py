"""A melding or a note with a file attached is one service call: both are stored, or neither."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from beheer.accounts.models import User
from beheer.core.errors import DomainError
from beheer.servicedesk import services
from beheer.servicedesk.models import Attachment, EntryType, HistoryEntry, Melding, Note, Visibility

PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def _file(
    name: str = "foutmelding.txt", content: bytes = b"Printer: papierstoring lade 2"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_a_melding_registered_with_a_refused_file_is_not_registered(caller: User) -> None:
    with pytest.raises(DomainError):
        services.open_melding(
            actor=caller,
            brief_description="Geen toegang",
            entry_type=EntryType.PORTAL,
            attachment=_file("setup.exe", PROGRAM),
        )
    assert not Melding.objects.exists()
    assert not Attachment.objects.exists()

    melding = services.open_melding(
        actor=caller, brief_description="Geen toegang", entry_type=EntryType.PORTAL, attachment=_file()
    )
    stored = Attachment.objects.get(melding=melding)
    assert (stored.original_name, stored.visible_to_caller, stored.uploaded_by) == (
        "foutmelding.txt",
        True,
        caller,
    )
    assert list(
        HistoryEntry.objects.filter(melding=melding).order_by("pk").values_list("action", flat=True)
    ) == [
        "created",
        "attachment",
    ]


def test_a_reply_with_a_refused_file_is_not_stored(caller: User, melding: Melding) -> None:
    with pytest.raises(DomainError):
        services.add_note(
            melding,
            text="Zie bijlage",
            visibility=Visibility.CALLER,
            actor=caller,
            attachment=_file("a.exe", PROGRAM),
        )
    assert not Note.objects.filter(melding=melding).exists()
    assert not Attachment.objects.exists()

    note = services.add_note(
        melding, text="Zie bijlage", visibility=Visibility.CALLER, actor=caller, attachment=_file()
    )
    assert note.text == "Zie bijlage"
    assert Attachment.objects.get(melding=melding).visible_to_caller


def test_an_internal_note_keeps_its_file_from_the_caller(operator: User, melding: Melding) -> None:
    services.add_note(
        melding,
        text="Log van de printserver",
        visibility=Visibility.INTERNAL,
        actor=operator,
        attachment=_file(),
    )
    assert not Attachment.objects.get(melding=melding).visible_to_caller
    assert HistoryEntry.objects.get(melding=melding, action="attachment").public is False
