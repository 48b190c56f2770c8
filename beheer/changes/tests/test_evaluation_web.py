"""The evaluation screens, the feedback form (portal and link), the final report (page and PDF) and
who sees what by each route."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from beheer.accounts.models import Role, User
from beheer.changes import services
from beheer.changes.models import Change, FeedbackRequest, Finding, FollowUp
from beheer.changes.services import report
from beheer.notifications.models import OutgoingMessage
from tests.helpers import client_for, make_person

from .helpers import fresh, make_change
from .test_evaluation import evaluated_change, token_of

pytestmark = pytest.mark.django_db


def _world(operator: User, coordinator: User) -> tuple[Change, User, FeedbackRequest, str]:
    change = evaluated_change(operator, coordinator)
    teacher = make_person(Role.CALLER, email="docent@school.test")
    row = services.add_stakeholder(change, actor=operator, person=teacher)
    (request,) = services.request_feedback(fresh(change), actor=operator, stakeholders=[row])
    token = token_of(OutgoingMessage.objects.get(event="change_feedback_requested"))
    return fresh(change), teacher, request, token


def test_the_evaluation_page_shows_the_tab_summary_and_forms(
    operator: User, coordinator: User, django_assert_max_num_queries: Any
) -> None:
    change, teacher, request, _token = _world(operator, coordinator)
    services.answer_feedback(request, actor=teacher, satisfaction=4, went_well="Goed geregeld")
    services.add_finding(change, actor=operator, text="Planning te krap", category="planning")
    services.add_finding(change, actor=operator, text="Eerder communiceren", kind="lesson")
    follow_up = services.add_follow_up(change, actor=operator, title="Handleiding maken")
    for n in range(3):  # more rows, no more queries
        services.add_follow_up(change, actor=operator, title=f"Actie {n}")
        services.add_finding(change, actor=operator, text=f"Bevinding {n}")
    client = client_for(operator)
    with django_assert_max_num_queries(30):
        page = client.get(f"/changes/{change.pk}/evaluation/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-tab="change-evaluation"' in html
    assert "1 of 1 stakeholders answered" in html
    assert "Goed geregeld" in html
    assert "Planning te krap" in html
    assert "Eerder communiceren" in html
    response = client.post(
        f"/changes/{change.pk}/evaluation/follow-ups/convert/", {"follow_up": follow_up.pk, "to": "melding"}
    )
    assert response.status_code == 302
    assert fresh(follow_up).melding_id is not None
    again = client.post(
        f"/changes/{change.pk}/evaluation/follow-ups/convert/",
        {"follow_up": follow_up.pk, "to": "change"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "already been converted" in again.content.decode()
    assert fresh(follow_up).new_change_id is None
    finding = Finding.objects.filter(change=change).first()
    assert finding is not None
    removed = client.post(f"/changes/{change.pk}/evaluation/findings/remove/", {"finding": finding.pk})
    assert removed.status_code == 302
    assert not Finding.objects.filter(pk=finding.pk).exists()
    assert (
        client.post(f"/changes/{change.pk}/evaluation/findings/remove/", {"finding": "x"}).status_code == 404
    )


def test_bad_input_on_the_page_gives_field_messages(operator: User, coordinator: User) -> None:
    change = evaluated_change(operator, coordinator)
    client = client_for(operator)
    response = client.post(
        f"/changes/{change.pk}/evaluation/findings/",
        {"kind": "finding", "text": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    response = client.post(
        f"/changes/{change.pk}/evaluation/advice/", {"advice": "x", "version": 7}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Somebody else changed the advice" in response.content.decode()
    services.add_stakeholder(change, actor=operator, name="Ouder", email="ouder@thuis.test")
    response = client.post(f"/changes/{change.pk}/evaluation/feedback/", {}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Choose at least one stakeholder" in response.content.decode()
    missing = client.post(
        f"/changes/{change.pk}/evaluation/follow-ups/convert/", {"follow_up": 999, "to": "melding"}
    )
    assert missing.status_code == 404
    assert client.get("/changes/999999/evaluation/").status_code == 404


def test_the_token_form_answers_once_and_says_what_is_wrong(operator: User, coordinator: User) -> None:
    _change, _teacher, request, token = _world(operator, coordinator)
    anonymous = Client()
    form = anonymous.get(f"/feedback/{token}/", HTTP_ACCEPT_LANGUAGE="en")
    assert form.status_code == 200
    assert "data-feedback-form" in form.content.decode()
    bad = anonymous.post(f"/feedback/{token}/", {"satisfaction": "9"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 200
    assert "data-feedback-form" in bad.content.decode()
    done = anonymous.post(
        f"/feedback/{token}/", {"satisfaction": "5", "went_well": "Top"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert 'data-feedback-state="thanks"' in done.content.decode()
    assert fresh(request).satisfaction == 5
    used = anonymous.post(f"/feedback/{token}/", {"satisfaction": "1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert 'data-feedback-state="answered"' in used.content.decode()
    assert fresh(request).satisfaction == 5
    unknown = anonymous.get("/feedback/not-a-token/", HTTP_ACCEPT_LANGUAGE="en")
    assert unknown.status_code == 404
    assert 'data-feedback-state="unknown"' in unknown.content.decode()
    FeedbackRequest.objects.filter(pk=request.pk).update(answered_at=None)
    FeedbackRequest.objects.filter(pk=request.pk).update(expires_at=request.requested_at)
    expired = anonymous.get(f"/feedback/{token}/", HTTP_ACCEPT_LANGUAGE="en")
    assert expired.status_code == 410
    assert 'data-feedback-state="expired"' in expired.content.decode()


def test_the_portal_lists_and_answers_only_ones_own_requests(operator: User, coordinator: User) -> None:
    _change, teacher, request, _token = _world(operator, coordinator)
    other = make_person(Role.CALLER)
    mine = client_for(teacher)
    listing = mine.get("/portal/changes/feedback/", HTTP_ACCEPT_LANGUAGE="en")
    assert f'data-feedback-request="{request.pk}"' in listing.content.decode()
    assert client_for(other).get(f"/portal/changes/feedback/{request.pk}/").status_code == 404
    assert (
        f'data-feedback-request="{request.pk}"'
        not in client_for(other).get("/portal/changes/feedback/").content.decode()
    )
    response = mine.post(
        f"/portal/changes/feedback/{request.pk}/", {"satisfaction": "3", "may_contact": "on"}
    )
    assert response.status_code == 302
    assert fresh(request).satisfaction == 3
    assert fresh(request).may_contact


def test_callers_and_anonymous_visitors_see_no_evaluation_or_report(
    operator: User, coordinator: User, caller: User
) -> None:
    change, teacher, _request, _token = _world(operator, coordinator)
    Change.objects.filter(pk=change.pk).update(client=caller)
    for user in (caller, teacher):
        client = client_for(user)
        for url in (
            f"/changes/{change.pk}/evaluation/",
            f"/changes/{change.pk}/report/",
            f"/changes/{change.pk}/report.pdf",
        ):
            assert client.get(url).status_code in (403, 404)
        assert client.post(f"/changes/{change.pk}/evaluation/findings/", {"text": "x"}).status_code in (
            403,
            404,
        )
    assert Client().get(f"/changes/{change.pk}/report.pdf").status_code == 302  # to the sign-in page
    assert not FollowUp.objects.exists()


def test_the_final_report_pdf_has_its_sections(operator: User, coordinator: User) -> None:
    change, teacher, request, _token = _world(operator, coordinator)
    services.answer_feedback(request, actor=teacher, satisfaction=4, went_well="Goed <b>geregeld</b> & snel")
    services.add_finding(change, actor=operator, text="Planning te krap", category="planning")
    services.add_finding(change, actor=operator, text="Eerder communiceren", kind="lesson")
    services.set_advice(change, actor=operator, advice="Plan een reservedag.", expected_version=0)
    preview = client_for(operator).get(f"/changes/{change.pk}/report/", HTTP_ACCEPT_LANGUAGE="en")
    assert 'data-section="advice"' in preview.content.decode()
    response = client_for(operator).get(f"/changes/{change.pk}/report.pdf", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for heading in ("Final report", "Goals", "What was done", "Evaluation", "Lessons learned", "Advice"):
        assert heading in text
    assert change.number in text
    assert "Plan een reservedag." in text
    assert "Goed <b>geregeld</b> & snel" in text
    assert "Deviations" not in text  # no empty heading
    assert "Test outcomes" not in text


def test_a_registered_section_appears_in_the_report(operator: User, coordinator: User) -> None:
    change = evaluated_change(operator, coordinator)

    def tests_section(c: Change, user: User) -> report.ReportSection | None:
        return report.ReportSection("tests", "Test outcomes", [report.Text("12 of 12 passed")])

    report.register_section(tests_section)
    try:
        content = report.final_report(change, user=operator, generated=change.updated_at)
        keys = [s.key for s in content.sections]
        assert keys.index("tests") < keys.index("evaluation")
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(report.report_pdf(content))).pages)
        assert "Test outcomes" in text
        assert "12 of 12 passed" in text
    finally:
        report.SECTION_PROVIDERS.remove(tests_section)


def test_a_change_before_evaluation_shows_a_read_only_page(operator: User) -> None:
    change = make_change(operator)
    html = (
        client_for(operator)
        .get(f"/changes/{change.pk}/evaluation/", HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assert "data-evaluation-waits" in html
    assert "data-finding-form" not in html
