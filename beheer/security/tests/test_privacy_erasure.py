"""The bar: a person erased on request leaves no trace of their name, e-mail address or phone number
anywhere in the database (dumped whole), while the monthly report's figures stay the same."""

from __future__ import annotations

import os
import re
import subprocess
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from beheer.accounts.models import OperatorGroup, Role, User
from beheer.core.errors import DomainError, PermissionDenied
from beheer.mailintake.models import InboundMessage, Mailbox
from beheer.mailintake.services import process_message
from beheer.reports.kpis.period import ReportFilter
from beheer.reports.kpis.report import compute
from beheer.security.models import AnonymisedMelding, PersonRequest, RequestKind
from beheer.security.services import privacy
from beheer.servicedesk import services as desk
from beheer.servicedesk.models import Attachment, EntryType, Melding, Visibility
from tests.helpers import make_person, restore_default_configuration
from tests.sample_files import PDF

NAME = "Fenna van Rooijen"
EMAIL = "fenna.vanrooijen@leerling.example"
PHONE = "06-41237789"


def _dump() -> str:
    """The whole database as text: SQLite's dump, or pg_dump of the test database."""
    if connection.vendor == "sqlite":
        return "\n".join(connection.connection.iterdump())
    params = connection.get_connection_params()
    env = dict(os.environ, PGPASSWORD=str(params.get("password") or ""))
    command = [
        "pg_dump",
        "--data-only",
        "--no-owner",
        "-d",
        str(params.get("dbname") or params.get("database")),
    ]
    for flag, key in (("-h", "host"), ("-p", "port"), ("-U", "user")):
        if params.get(key):
            command += [flag, str(params[key])]
    return subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout


def _traces_in(dump: str) -> list[str]:
    lowered = dump.lower()
    found = [text for text in (NAME.lower(), EMAIL, "rooijen", "fenna") if text in lowered]
    digits = re.sub(r"\D", "", PHONE)
    if re.search(r"[\s\-.]*".join(digits), dump) or re.search(r"[\s\-.]*".join(digits[1:]), dump):
        found.append(PHONE)
    return found


def _figures(user: User) -> dict[str, Any]:
    today = timezone.localdate()
    data = compute(user, ReportFilter(date_from=today - timedelta(days=31), date_to=today))
    data.pop("filter_labels", None)
    data["sla"]["open_breached"].pop("at", None)  # the moment the figure was read
    return data


def _seed(operator: User, group: OperatorGroup) -> User:
    person = make_person(
        Role.CALLER,
        first_name="Fenna",
        last_name="van Rooijen",
        username="frooijen",
        email=EMAIL,
        phone=PHONE,
    )
    # 1. by e-mail: the intake makes a melding with her as the caller, the body names her
    box = Mailbox.objects.create(
        name="Servicedesk", host="127.0.0.1", username="intake", default_operator_group=group
    )
    raw = (
        f"From: {NAME} <{EMAIL}>\r\nTo: servicedesk@beheer.example\r\n"
        f"Subject: Laptop van {NAME} start niet\r\nMessage-ID: <laptop-1@leerling.example>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Hallo,\r\n\r\nMijn laptop start niet meer. Bel me op {PHONE} of mail {EMAIL}.\r\n"
        f"\r\nGroet, {NAME}\r\n"
    ).encode()
    result = process_message(box, raw, uid=1)
    assert result.melding_id is not None, result
    mailed = Melding.objects.get(pk=result.melding_id)
    assert mailed.caller_id == person.pk

    # 2. by phone: an operator registers it, with a note, an attachment and a change of the caller's phone
    phoned = desk.open_melding(
        actor=operator,
        brief_description="Geen toegang tot Magister",
        request=f"{NAME} ({EMAIL}, tel. 0641237789) kan niet inloggen in Magister.",
        entry_type=EntryType.PHONE,
        caller=person,
        caller_phone=PHONE,
        operator_group=group,
    )
    desk.add_note(
        phoned,
        text=f"Teruggebeld naar 06 41 23 77 89, {NAME} was niet bereikbaar.",
        visibility=Visibility.INTERNAL,
        actor=operator,
    )
    desk.add_note(
        phoned, text=f"Beste {NAME}, je wachtwoord is gereset.", visibility=Visibility.CALLER, actor=operator
    )
    desk.add_attachment(
        phoned,
        upload=SimpleUploadedFile("schermafdruk-fenna-van-rooijen.pdf", PDF, content_type="application/pdf"),
        actor=operator,
    )
    phoned.refresh_from_db()
    phoned = desk.resolve_melding(
        phoned, solution=f"Wachtwoord van {NAME} gereset.", actor=operator, expected_version=phoned.version
    )

    # 3. an unregistered caller with her address (a parent's laptop, say): found by the address
    desk.open_melding(
        actor=operator,
        brief_description="Wifi in de aula",
        request="Wifi valt weg in de aula.",
        entry_type=EntryType.PHONE,
        caller_name=NAME,
        caller_email=EMAIL,
        caller_phone=PHONE,
        operator_group=group,
    )
    return person


@pytest.mark.django_db(transaction=True)
def test_erasure_leaves_no_trace_and_the_monthly_figures_stay(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = "https://beheer.example"
    settings.DEFAULT_FROM_EMAIL = "servicedesk@beheer.example"
    restore_default_configuration()
    group = OperatorGroup.objects.create(name="Eerste lijn", is_first_line=True)
    operator = make_person(Role.OPERATOR)
    group.members.add(operator)
    privacy_officer = make_person(Role.COORDINATOR)
    administrator = make_person(Role.ADMIN)
    privacy_officer.privacy_officer = True
    privacy_officer.save(update_fields=["privacy_officer"])
    person = _seed(operator, group)

    before_dump = _dump()
    assert _traces_in(before_dump), "the seed must put her traces in the database"
    files = [a.file.path for a in Attachment.objects.all()]
    assert files
    assert all(os.path.exists(f) for f in files)
    figures = _figures(administrator)
    meldingen = Melding.objects.count()

    record = privacy.erase_person(person, actor=privacy_officer, reference="AVG-2026-017", confirm="frooijen")

    after_dump = _dump()
    assert _traces_in(after_dump) == [], [
        line[:300] for line in after_dump.splitlines() if "rooijen" in line.lower() or "fenna" in line.lower()
    ]
    assert _figures(administrator) == figures
    assert Melding.objects.count() == meldingen
    assert not any(os.path.exists(f) for f in files)
    assert Attachment.objects.count() == len(files)  # the rows stay, without content
    assert (record.kind, record.reference) == (RequestKind.ERASURE, "AVG-2026-017")
    assert (record.done_by, record.meldingen) == (privacy_officer, 3)
    assert AnonymisedMelding.objects.count() == 3
    person.refresh_from_db()
    assert not person.is_active
    assert person.email == ""
    assert not person.has_usable_password()
    assert InboundMessage.objects.get().sender == ""
    # the search no longer finds her
    assert not Melding.objects.search("Rooijen").exists()
    assert not Melding.objects.search("41237789").exists()


@pytest.mark.django_db
def test_only_privacy_officers_and_administrators_erase_and_export(
    operator: User, coordinator: User, caller: User, melding: Melding
) -> None:
    for actor in (operator, coordinator, caller):
        with pytest.raises(PermissionDenied):
            privacy.erase_person(caller, actor=actor, reference="AVG-1", confirm=caller.username)
        with pytest.raises(PermissionDenied):
            privacy.export_person(caller, actor=actor, reference="AVG-1")
    assert PersonRequest.objects.count() == 0
    caller.refresh_from_db()
    assert caller.is_active


@pytest.mark.django_db
def test_erasure_needs_the_confirmation_and_a_reference(
    administrator: User, caller: User, melding: Melding
) -> None:
    with pytest.raises(DomainError) as refused:
        privacy.erase_person(caller, actor=administrator, reference="AVG-2", confirm="someone-else")
    assert "confirm" in refused.value.field_errors
    with pytest.raises(DomainError) as no_reference:
        privacy.erase_person(caller, actor=administrator, reference=" ", confirm=caller.username)
    assert "reference" in no_reference.value.field_errors
    caller.refresh_from_db()
    melding.refresh_from_db()
    assert caller.is_active
    assert melding.caller_id == caller.pk
    assert not PersonRequest.objects.exists()


@pytest.mark.django_db
def test_nobody_erases_themself(administrator: User) -> None:
    with pytest.raises(DomainError):
        privacy.erase_person(
            administrator, actor=administrator, reference="AVG-3", confirm=administrator.username
        )
    administrator.refresh_from_db()
    assert administrator.is_active


@pytest.mark.django_db
def test_export_holds_the_persons_data_and_is_recorded(
    administrator: User, caller: User, melding: Melding
) -> None:
    data = privacy.export_person(caller, actor=administrator, reference="AVG-4")
    assert data["person"]["email"] == caller.email
    assert [m["number"] for m in data["meldingen"]] == [melding.number]
    request = PersonRequest.objects.get()
    assert (request.kind, request.reference, request.done_by) == (RequestKind.ACCESS, "AVG-4", administrator)
    pdf = privacy.person_pdf(data)
    assert pdf.startswith(b"%PDF")
