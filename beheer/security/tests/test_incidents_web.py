"""The security incident pages: wiring, permissions (404 for whoever may not see an incident), the
confirmation that makes a call a security incident, forms with their messages, the breach register
and the sections on the melding page and the dashboard."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from beheer.accounts.models import Role, User
from beheer.core import clock
from beheer.security.models import IncidentReport, SecurityIncident
from beheer.security.services import incidents
from beheer.servicedesk.models import Melding, RestrictedRead
from tests.helpers import client_for, make_person

from .incident_helpers import declared, new_melding, officer

pytestmark = pytest.mark.django_db


def _local(minutes_ago: int = 0) -> str:
    return timezone.localtime(clock.now() - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M")


def test_the_melding_page_offers_the_action_and_the_confirmation_makes_it(operator: User) -> None:
    melding = new_melding(operator)
    client = client_for(operator)
    page = client.get(reverse("melding-detail", args=[melding.pk]))
    declare_url = reverse("security-incident-declare", args=[melding.pk])
    assert declare_url in page.content.decode()
    confirm = client.get(declare_url)
    assert confirm.status_code == 200
    refused = client.post(declare_url, {"aware_at": _local(30), "breach": "on"})  # not confirmed
    assert refused.status_code == 200
    assert not SecurityIncident.objects.exists()
    done = client.post(declare_url, {"aware_at": _local(30), "breach": "on", "confirm": "on"})
    incident = SecurityIncident.objects.get()
    assert done.status_code == 302
    assert done["Location"] == reverse("security-incident", args=[incident.pk])
    assert Melding.objects.get(pk=melding.pk).restricted
    after = client.get(reverse("melding-detail", args=[melding.pk])).content.decode()
    assert reverse("security-incident", args=[incident.pk]) in after


def test_a_caller_never_reaches_the_confirmation(operator: User, caller: User) -> None:
    melding = new_melding(operator, caller=caller)
    client = client_for(caller)
    assert client.get(reverse("security-incident-declare", args=[melding.pk])).status_code == 404
    assert (
        client.post(reverse("security-incident-declare", args=[melding.pk]), {"confirm": "on"}).status_code
        == 404
    )
    assert not Melding.objects.get(pk=melding.pk).restricted


def test_the_incident_page_shows_deadlines_and_logs_the_read(operator: User) -> None:
    so = officer()
    incident = declared(operator, significant=True, breach=True, hours_ago=3)
    page = client_for(so).get(reverse("security-incident", args=[incident.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    for kind in ("early_warning", "notification", "progress_report", "ap_report"):
        assert f'data-deadline="{kind}"' in body
    assert RestrictedRead.objects.filter(melding=incident.melding, reader=so).count() == 1


def test_who_may_not_see_an_incident_gets_404(operator: User, coordinator: User, administrator: User) -> None:
    incident = declared(operator, breach=True)
    plain = make_person(Role.OPERATOR)
    for person in (plain, coordinator, administrator, make_person(Role.CALLER)):
        client = client_for(person)
        for name in (
            "security-incident",
            "security-incident-edit",
            "security-incident-report",
            "security-incident-access",
        ):
            assert client.get(reverse(name, args=[incident.pk])).status_code == 404, (person, name)
    listing = client_for(plain).get(reverse("security-incidents"))
    assert listing.status_code == 200
    assert incident.number not in listing.content.decode()


def test_a_non_officer_with_access_reads_but_does_not_edit(operator: User) -> None:
    incident = declared(operator, breach=True)
    client = client_for(operator)
    assert client.get(reverse("security-incident", args=[incident.pk])).status_code == 200
    assert client.get(reverse("security-incident-edit", args=[incident.pk])).status_code == 404
    posted = client.post(reverse("security-incident-report", args=[incident.pk]), {"kind": "ap_report"})
    assert posted.status_code == 404
    assert not IncidentReport.objects.exists()


def test_editing_with_a_form_message_and_then_saved(operator: User) -> None:
    so = officer()
    incident = declared(operator, breach=True)
    client = client_for(so)
    url = reverse("security-incident-edit", args=[incident.pk])
    assert client.get(url).status_code == 200
    form = {
        "version": incident.version,
        "title": incident.title,
        "aware_at": _local(60),
        "status": "open",
        "breach": "on",
        "unlikely_risk": "on",
    }
    refused = client.post(url, form)
    assert refused.status_code == 200
    assert refused.context["form"].errors.get("unlikely_risk_reason")
    form["unlikely_risk_reason"] = "Het bestand was versleuteld met een sterk wachtwoord."
    saved = client.post(url, form)
    assert saved.status_code == 302
    assert SecurityIncident.objects.get(pk=incident.pk).unlikely_risk


def test_recording_a_report(operator: User) -> None:
    so = officer()
    incident = declared(operator, breach=True, hours_ago=5)
    client = client_for(so)
    url = reverse("security-incident-report", args=[incident.pk])
    page = client.get(url)
    assert [k for k, _label in page.context["form"].fields["kind"].choices] == ["ap_report", "people_notice"]
    future = timezone.localtime(clock.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    refused = client.post(url, {"kind": "ap_report", "made_at": future})
    assert refused.status_code == 200
    assert refused.context["form"].errors.get("made_at")
    done = client.post(url, {"kind": "ap_report", "made_at": _local(5), "reference": "AP-42"})
    assert done.status_code == 302
    assert IncidentReport.objects.get().reference == "AP-42"


def test_granting_and_revoking_access(operator: User, coordinator: User) -> None:
    so = officer()
    incident = declared(operator, breach=True)
    client = client_for(so)
    url = reverse("security-incident-access", args=[incident.pk])
    assert client.post(url, {"person": coordinator.pk}).status_code == 302
    assert client_for(coordinator).get(reverse("security-incident", args=[incident.pk])).status_code == 200
    revoke = reverse("security-incident-access-revoke", args=[incident.pk, coordinator.pk])
    assert client.post(revoke).status_code == 302
    assert client_for(coordinator).get(reverse("security-incident", args=[incident.pk])).status_code == 404


def test_the_breach_register_and_its_files(operator: User) -> None:
    so = officer()
    privacy = officer(security=False, privacy=True)
    incident = declared(operator, breach=True, hours_ago=10)
    incidents.record_report(incident, actor=so, kind="ap_report", made_at=clock.now(), reference="AP-7")
    client = client_for(privacy)
    page = client.get(reverse("security-breaches"))
    assert page.status_code == 200
    body = page.content.decode()
    assert incident.number in body
    assert "AP-7" in body
    assert reverse("security-incident", args=[incident.pk]) not in body  # the privacy officer has no access
    assert client.get(reverse("security-breaches") + "?reported=no").context["page"].items == []
    csv = client.get(reverse("security-breaches-csv"))
    assert incident.number in csv.getvalue().decode("utf-8-sig")
    assert client.get(reverse("security-breaches-xlsx")).status_code == 200
    plain = client_for(make_person(Role.OPERATOR)).get(reverse("security-breaches"))
    assert incident.number not in plain.content.decode()


def test_the_dashboard_shows_the_open_deadlines(operator: User) -> None:
    so = officer()
    incident = declared(operator, breach=True, hours_ago=10)
    body = client_for(so).get(reverse("security-dashboard")).content.decode()
    assert "data-dashboard-incidents" in body
    assert incident.number in body
    plain = client_for(make_person(Role.OPERATOR)).get(reverse("security-dashboard")).content.decode()
    assert incident.number not in plain


def test_the_list_reads_a_fixed_number_of_queries(operator: User, django_assert_max_num_queries: Any) -> None:
    so = officer()
    for _ in range(5):
        declared(operator, breach=True)
    client = client_for(so)
    client.get(reverse("security-incidents"))
    with django_assert_max_num_queries(12):
        page = client.get(reverse("security-incidents"))
    assert len(page.context["page"].items) == 5
    with django_assert_max_num_queries(14):
        register = client.get(reverse("security-breaches"))
    assert len(register.context["page"].items) == 5
