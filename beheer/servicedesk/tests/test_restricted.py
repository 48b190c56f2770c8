"""Security incidents (`Melding.restricted`): after an operator makes a call one, only security
officers and the people granted access see it, by every route; every read is logged; mails about it
carry no content; reports count it without showing it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from beheer.accounts import services as accounts
from beheer.accounts.models import Role, User
from beheer.core.errors import DomainError, PermissionDenied
from beheer.notifications.models import OutgoingMessage
from beheer.servicedesk import services
from beheer.servicedesk.models import Melding, MeldingAccess, RestrictedRead
from beheer.servicedesk.tests.test_api import open_for, token_client
from tests.helpers import client_for, make_person

SECRET = "geheim7lek"


@pytest.fixture
def officer(administrator: User) -> User:
    person = make_person(Role.OPERATOR, username="bf", first_name="Bo", last_name="Beveiliging")
    accounts.set_officer_marks(person, security_officer=True, privacy_officer=False, actor=administrator)
    return person


@pytest.fixture
def incident(operator: User, caller: User, specialist: User) -> Melding:
    melding = open_for(operator, caller, f"Verdachte mail {SECRET}", request=f"Link aangeklikt {SECRET}")
    services.add_note(melding, text=f"Intern {SECRET}", actor=operator, visibility="internal")
    services.add_attachment(
        melding, upload=SimpleUploadedFile(f"{SECRET}.txt", b"kopregels", "text/plain"), actor=operator
    )
    return services.make_security_incident(melding, actor=specialist)


def test_a_caller_cannot_make_a_call_a_security_incident(operator, caller):
    melding = open_for(operator, caller, "Gewone melding")
    with pytest.raises(PermissionDenied):
        services.make_security_incident(melding, actor=caller)
    assert not Melding.objects.get(pk=melding.pk).restricted


def test_making_one_grants_the_actor_only_and_is_in_the_history(incident, specialist, operator):
    assert incident.restricted
    assert set(MeldingAccess.objects.filter(melding=incident).values_list("person", flat=True)) == {
        specialist.pk
    }
    assert incident.history.filter(action="restricted").exists()
    again = services.make_security_incident(incident, actor=specialist)  # idempotent
    assert again.version == incident.version


@pytest.mark.parametrize("who", ["operator", "coordinator", "administrator", "caller"])
def test_nobody_else_sees_it_by_any_route(request, incident, who):
    person = request.getfixturevalue(who)
    api = token_client(person)
    missing = 987654321
    for path in (
        "/meldingen/{}",
        "/meldingen/{}/notes",
        "/meldingen/{}/history",
        "/meldingen/{}/attachments",
    ):
        seen, absent = api.get(path.format(incident.pk)), api.get(path.format(missing))
        assert seen.status_code == absent.status_code == 404, path
        assert seen.content.replace(str(incident.pk).encode(), b"") == absent.content.replace(
            str(missing).encode(), b""
        )
    listing = api.get("/meldingen", q="Verdachte")
    assert SECRET not in listing.content.decode()
    assert SECRET not in api.get("/meldingen").content.decode()
    web = client_for(person)
    assert web.get(f"/meldingen/{incident.pk}/").status_code == (404 if person.is_staff_member else 403)
    assert web.get(f"/portal/{incident.pk}/").status_code == 404
    attachment = incident.attachments.get()
    assert web.get(f"/attachments/{attachment.pk}/").status_code == 404
    for page in (
        "/meldingen/?queue=all&q=Verdachte",
        "/meldingen/search/?q=Verdachte",
        "/meldingen/?queue=all",
        "/portal/",
    ):
        assert SECRET not in web.get(page).content.decode(), page
    if person.is_staff_member:
        export = b"".join(api.get("/meldingen/export.csv", queue="all").streaming_content).decode()
        assert SECRET not in export
    assert not RestrictedRead.objects.exists()


def test_suggestions_never_offer_it(incident, operator, caller, specialist, officer):
    services.resolve_melding(
        incident,
        solution=f"Wachtwoord gewijzigd {SECRET}",
        actor=specialist,
        expected_version=incident.version,
    )
    other = open_for(operator, caller, f"Verdachte mail {SECRET}")
    offered = token_client(operator).get(f"/meldingen/{other.pk}/suggestions").json()["meldingen"]
    assert incident.pk not in [m["id"] for m in offered]
    # the rule, not an empty index: the security officer is offered it
    offered = token_client(officer).get(f"/meldingen/{other.pk}/suggestions").json()["meldingen"]
    assert incident.pk in [m["id"] for m in offered]


def test_the_security_officer_and_the_granted_see_it_and_each_read_is_logged(incident, officer, specialist):
    for person in (officer, specialist):
        assert token_client(person).get(f"/meldingen/{incident.pk}").status_code == 200
        assert client_for(person).get(f"/meldingen/{incident.pk}/").status_code == 200
    reads = RestrictedRead.objects.filter(melding=incident)
    assert {r.reader_id for r in reads} == {officer.pk, specialist.pk}
    assert reads.filter(route="page").count() == 2
    assert RestrictedRead.objects.visible_to(officer).count() == reads.count()
    assert RestrictedRead.objects.visible_to(specialist).count() == 0


def test_access_is_granted_and_taken_away_by_security_officers_only(incident, officer, operator, specialist):
    with pytest.raises(PermissionDenied):
        services.grant_incident_access(incident, person=operator, actor=specialist)
    services.grant_incident_access(incident, person=operator, actor=officer)
    assert token_client(operator).get(f"/meldingen/{incident.pk}").status_code == 200
    services.revoke_incident_access(incident, person=operator, actor=officer)
    assert token_client(operator).get(f"/meldingen/{incident.pk}").status_code == 404
    actions = list(incident.history.values_list("action", flat=True))
    assert {"access_granted", "access_revoked"} <= set(actions)


def test_access_only_for_operators(incident, officer, caller):
    with pytest.raises(DomainError):
        services.grant_incident_access(incident, person=caller, actor=officer)


def test_mails_about_it_carry_no_content_and_the_caller_gets_none(incident, specialist, operator, caller):
    before = set(OutgoingMessage.objects.values_list("pk", flat=True))
    fresh = Melding.objects.get(pk=incident.pk)
    fresh = services.assign_melding(
        fresh, operator_group=fresh.operator_group, operator=operator, actor=specialist, expected_version=None
    )
    fresh = services.resolve_melding(
        fresh, solution=f"Opgelost {SECRET}", actor=specialist, expected_version=fresh.version
    )
    services.add_note(fresh, text=f"Antwoord {SECRET}", actor=specialist, visibility="caller")
    new = OutgoingMessage.objects.exclude(pk__in=before)
    assert not new.filter(recipient_user=caller).exists()
    to_operator = new.filter(recipient_user=operator, event="assigned_to_you").get()
    assert incident.number in to_operator.subject + to_operator.body_text
    for message in new:
        assert SECRET not in f"{message.subject} {message.body_text} {message.body_html}"


def test_reports_count_it_without_showing_it(incident, coordinator):
    from beheer.reports.dashboard import Scope, build_dashboard

    figures = build_dashboard(coordinator, Scope())
    shown = {row.melding.pk for row in figures.urgent}
    assert incident.pk not in shown
    assert Melding.objects.countable_by(coordinator).filter(pk=incident.pk).exists()
    assert not Melding.objects.visible_to(coordinator).filter(pk=incident.pk).exists()
