"""Melding attachments go through the shared upload check (beheer/core/files.py), as knowledge
attachments do: programs and files that are not the image their name says are refused in the
operator screens, the API and the portal (from e-mail: beheer/mailintake/tests/test_mail_attachments.py)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from beheer.accounts.models import User
from beheer.servicedesk.models import Attachment, HistoryEntry, Melding, Note
from beheer.servicedesk.tests.test_api import token_client
from tests.helpers import client_for
from tests.sample_files import PDF, PNG

PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
FAKE_IMAGE = b"<html><script>alert(1)</script></html>"
BAD = [
    ("setup.exe", PROGRAM),
    ("rapport.txt", PROGRAM),  # a program that calls itself text
    ("foto.png", FAKE_IMAGE),
]


def _attachments(melding: Melding) -> list[str]:
    return list(Attachment.objects.filter(melding=melding).values_list("original_name", flat=True))


@pytest.mark.parametrize(("name", "content"), BAD)
def test_operator_screen_refuses(operator: User, melding: Melding, name: str, content: bytes) -> None:
    history = HistoryEntry.objects.filter(melding=melding).count()
    response = client_for(operator).post(
        f"/meldingen/{melding.pk}/attachment/",
        {"attachment-file": SimpleUploadedFile(name, content), "attachment-visible_to_caller": "on"},
    )
    assert response.status_code in (200, 400)
    assert _attachments(melding) == []
    assert HistoryEntry.objects.filter(melding=melding).count() == history


def test_operator_screen_accepts_a_real_image(operator: User, melding: Melding) -> None:
    response = client_for(operator).post(
        f"/meldingen/{melding.pk}/attachment/", {"attachment-file": SimpleUploadedFile("foto.png", PNG)}
    )
    assert response.status_code == 302
    stored = Attachment.objects.get(melding=melding)
    assert (stored.original_name, stored.content_type) == ("foto.png", "image/png")


@pytest.mark.parametrize(("name", "content"), BAD)
def test_api_refuses(operator: User, melding: Melding, name: str, content: bytes) -> None:
    response = token_client(operator).upload(f"/meldingen/{melding.pk}/attachments", name, content)
    assert response.status_code == 400, response.content
    assert "file" in response.json()["fields"]
    assert _attachments(melding) == []


def test_api_stores_the_sniffed_type(operator: User, melding: Melding) -> None:
    response = token_client(operator).upload(f"/meldingen/{melding.pk}/attachments", "offerte.pdf", PDF)
    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == "application/pdf"


@pytest.mark.parametrize(("name", "content"), BAD)
def test_portal_reply_refuses(caller: User, melding: Melding, name: str, content: bytes) -> None:
    notes = Note.objects.filter(melding=melding).count()
    response = client_for(caller).post(
        f"/portal/{melding.pk}/reply/",
        {"text": "Zie bijlage", "attachment": SimpleUploadedFile(name, content)},
    )
    assert response.status_code in (200, 302, 400)
    assert _attachments(melding) == []
    assert Note.objects.filter(melding=melding).count() == notes  # nothing half-saved


@pytest.mark.parametrize(("name", "content"), BAD)
def test_portal_create_refuses(caller: User, name: str, content: bytes) -> None:
    response = client_for(caller).post(
        "/portal/new/",
        {
            "brief_description": "Geen toegang",
            "request": "Zie bijlage",
            "call_type": "1",
            "attachment": SimpleUploadedFile(name, content),
        },
    )
    assert response.status_code == 400
    assert not Melding.objects.exists()
    assert not Attachment.objects.exists()
