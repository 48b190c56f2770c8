"""Nothing of a problem reaches a caller by any route (canary strings), and problem text is escaped."""

from __future__ import annotations

import pytest
from django.test import Client

from beheer.core import search
from beheer.notifications.models import OutgoingMessage
from beheer.problems import services as problem_services
from beheer.problems.models import Problem
from beheer.servicedesk import services
from beheer.servicedesk.models import Visibility
from beheer.servicedesk.tests.test_api import token_client

from .problem_helpers import make_melding, make_problem

pytestmark = pytest.mark.django_db

CANARY = "Kanarie7731"
PAYLOAD = '<script>alert("xss")</script><img src=x onerror=alert(1)>"><svg onload=alert(2)>'


@pytest.fixture
def setting(operator, caller, first_line, django_capture_on_commit_callbacks):
    """Two meldingen of the caller linked to a problem full of canaries, one resolved through it."""
    with django_capture_on_commit_callbacks(execute=True):
        p = make_problem(
            operator,
            title=f"Probleem {CANARY}titel",
            description=f"{CANARY}beschrijving",
            root_cause=f"{CANARY}oorzaak",
            workaround=f"{CANARY}workaround",
        )
        a = make_melding(operator, caller, first_line, brief_description="Wifi lokaal A")
        b = make_melding(operator, caller, first_line, brief_description="Wifi lokaal B")
        services.add_note(a, text="We kijken ernaar", visibility=Visibility.CALLER, actor=operator)
        for m in (a, b):
            problem_services.link_melding(p, melding=m, actor=operator)
        problem_services.resolve_problem(
            p,
            solution="De access points hebben nieuwe software.",
            resolve_meldingen=[a.pk],
            note_others=True,
            actor=operator,
            expected_version=None,
        )
    return p, a, b


def _assert_clean(text: str, p: Problem, where: str) -> None:
    assert CANARY not in text, where
    assert p.number not in text, where


def test_the_portal_shows_nothing_of_the_problem(setting, caller_client: Client) -> None:
    p, a, b = setting
    pages = [
        caller_client.get("/portal/"),
        caller_client.get(f"/portal/{a.pk}/"),
        caller_client.get(f"/portal/{b.pk}/"),
    ]
    for response in pages:
        assert response.status_code == 200
        _assert_clean(response.content.decode(), p, response.request["PATH_INFO"])


def test_the_callers_api_shows_nothing_of_the_problem(setting, caller) -> None:
    p, a, b = setting
    api = token_client(caller)
    responses = [
        api.get("/meldingen"),
        api.get("/meldingen", q=CANARY),
        api.get("/meldingen", q=p.number),
        api.get(f"/meldingen/{a.pk}"),
        api.get(f"/meldingen/{b.pk}"),
        api.get(f"/meldingen/{a.pk}/notes"),
        api.get(f"/meldingen/{b.pk}/notes"),
        api.get(f"/meldingen/{a.pk}/history"),
        api.get(f"/meldingen/{b.pk}/history"),
        api.get("/meldingen/export.csv"),
    ]
    for response in responses:
        assert response.status_code == 200, response.request["PATH_INFO"]
        body = b"".join(response.streaming_content) if response.streaming else response.content
        _assert_clean(body.decode(), p, response.request["PATH_INFO"])
    assert api.get("/meldingen", q=CANARY).json()["items"] == []
    assert api.get(f"/problems/{p.pk}").status_code == 403


def test_caller_emails_show_nothing_of_the_problem(setting, caller) -> None:
    p, a, _b = setting
    mails = list(OutgoingMessage.objects.filter(recipient=caller.email))
    assert any(m.object_id == a.pk and m.event == "status_changed" for m in mails)  # resolved: notified
    for mail in mails:
        _assert_clean(f"{mail.subject}\n{mail.body_text}\n{mail.body_html}", p, mail.event)


def test_search_documents_follow_every_change(setting, operator) -> None:
    p, _a, _b = setting
    assert Problem.objects.search(f"{CANARY}oorzaak").filter(pk=p.pk).exists()
    problem_services.edit_problem(
        p,
        actor=operator,
        expected_version=None,
        title="Nieuwe titel",
        description="",
        impact=p.impact,
        urgency=p.urgency,
        root_cause="Zonnevlam",
        workaround="Wachten",
    )
    assert Problem.objects.search("zonnevlam").filter(pk=p.pk).exists()
    assert not Problem.objects.search(f"{CANARY}oorzaak").exists()
    # the callers' melding documents never hold problem text
    ids = search.matching_ids("melding_public", CANARY)
    assert ids is not None
    from beheer.servicedesk.models import Melding

    assert not Melding.objects.filter(pk__in=ids).exists()


def test_operators_see_the_problem_on_the_melding_page(setting, operator_client: Client) -> None:
    p, _a, b = setting
    page = operator_client.get(f"/meldingen/{b.pk}/").content.decode()
    assert p.number in page
    assert f"{CANARY}workaround" in page


def test_xss_in_problem_text_is_escaped_everywhere(operator, operator_client: Client, melding) -> None:
    p = make_problem(
        operator,
        title=f"T {PAYLOAD}",
        description=PAYLOAD,
        root_cause=f"R {PAYLOAD}",
        workaround=f"W {PAYLOAD}",
    )
    problem_services.link_melding(p, melding=melding, actor=operator)
    problem_services.create_known_error_article(p, actor=operator, expected_version=None)
    urls = [
        "/problems/",
        f"/problems/{p.pk}/",
        f"/problems/{p.pk}/edit/",
        f"/problems/{p.pk}/resolve/",
        f"/meldingen/{melding.pk}/",
        "/problems/?q=alert",
    ]
    for url in urls:
        html = operator_client.get(url).content.decode()
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html, url
        assert "<svg onload" not in html, url
        assert "&lt;script&gt;" in html, url
