"""Design documents on the screens: the article form and page with approvals, the template screen
(coordinators only) and the client's approval pages in the portal."""

from __future__ import annotations

from typing import Any

import pytest

from beheer.accounts.models import Role
from beheer.knowledge import services
from beheer.knowledge.models import (
    ApprovalRole,
    Audience,
    DocumentTemplate,
    DocumentTemplateHistoryEntry,
    Kind,
    VersionApproval,
)
from tests.helpers import client_for, make_person

from .helpers import published, refreshed
from .test_design_services import complete_fd, submitted_design


@pytest.fixture
def reviewer(db):
    return make_person(Role.OPERATOR, first_name="Rob", last_name="Reviewer")


def test_the_new_design_form_starts_with_the_template_and_saves_the_client(operator, caller):
    client = client_for(operator)
    page = client.get("/kennisbank/new/?kind=technical_design", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "## Technical (im)possibilities" in page
    response = client.post(
        "/kennisbank/new/",
        {
            "title": "Wifi vernieuwen",
            "kind": Kind.FUNCTIONAL_DESIGN,
            "audience": Audience.OPERATORS,
            "body": "",
            "review_interval_days": 365,
            "client": caller.pk,
        },
    )
    assert response.status_code == 302
    article = refreshed(services_article("Wifi vernieuwen"))
    assert article.client == caller
    assert "## Beveiliging en privacy" in article.draft_version.body or "## Security and privacy" in (
        article.draft_version.body
    )


def services_article(title):
    from beheer.knowledge.models import Article

    return Article.objects.get(title=title)


def test_submitting_without_the_mandatory_section_shows_the_section(operator):
    article = services.create_article(actor=operator, title="FD", kind=Kind.FUNCTIONAL_DESIGN)
    client = client_for(operator)
    response = client.post(
        f"/kennisbank/{article.pk}/submit/",
        {"version": article.version},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Security and privacy" in response.content.decode()
    assert refreshed(article).draft_version.state == "draft"


def test_the_article_page_shows_approvals_per_version(operator, reviewer, caller):
    article = submitted_design(operator, reviewer, client=caller)
    v1 = refreshed(article).draft_version
    services.approve_version(v1, actor=caller, role=ApprovalRole.CLIENT, decision="approved")
    article = services.approve_and_publish(article, actor=reviewer, expected_version=article.version)
    article = services.save_draft(
        article, actor=operator, expected_version=article.version, title="Wifi", body=v1.body + "\nMeer."
    )
    page = client_for(operator).get(f"/kennisbank/{article.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Approved by the client: version 1; current: version 2, not yet approved." in page
    assert 'data-approval="1-approved"' in page
    assert str(caller) in page


def test_a_reviewer_records_a_decision_on_the_screen(operator, reviewer):
    article = submitted_design(operator, reviewer)
    version = refreshed(article).draft_version
    response = client_for(reviewer).post(
        f"/kennisbank/{article.pk}/versions/{version.number}/decide/",
        {"decision": "rejected", "comment": "Te vaag"},
    )
    assert response.status_code == 302
    approval = VersionApproval.objects.get(version=version)
    assert (approval.approver, approval.role, approval.comment) == (reviewer, "reviewer", "Te vaag")


def test_template_screen_for_coordinators_only_with_history(operator, coordinator):
    template = DocumentTemplate.objects.get(kind=Kind.TECHNICAL_DESIGN)
    assert client_for(operator).get(f"/kennisbank/design-templates/{template.pk}/").status_code == 403
    assert client_for(operator).get("/kennisbank/design-templates/").status_code == 403
    client = client_for(coordinator)
    page = client.get(
        f"/kennisbank/design-templates/{template.pk}/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert 'value="Rollback"' in page
    data: dict[str, Any] = {"version": template.version}
    for row, section in enumerate(template.sections.order_by("position")):
        data.update(
            {
                f"position_{row}": (row + 1) * 10,
                f"heading_nl_{row}": section.heading_nl,
                f"heading_en_{row}": section.heading_en,
                f"guidance_nl_{row}": section.guidance_nl,
                f"guidance_en_{row}": section.guidance_en,
            }
        )
        if section.mandatory:
            data[f"mandatory_{row}"] = "on"
    data["remove_4"] = "on"  # Terugvalplan / Rollback
    data.update({"position_6": 5, "heading_nl_6": "Samenvatting", "heading_en_6": "Summary"})
    response = client.post(f"/kennisbank/design-templates/{template.pk}/", data)
    assert response.status_code == 302
    headings = [s.heading_en for s in template.sections.order_by("position")]
    assert headings[0] == "Summary"
    assert "Rollback" not in headings
    assert DocumentTemplateHistoryEntry.objects.filter(template=template, actor=coordinator).count() == 1
    page = client.get(
        f"/kennisbank/design-templates/{template.pk}/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert 'data-history-row="changed"' in page
    # a stale form is refused
    response = client.post(f"/kennisbank/design-templates/{template.pk}/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Somebody else changed this template" in response.content.decode()


# --------------------------------------------------------------------------------------------------
# the portal


def test_the_client_sees_and_approves_only_their_design_versions(operator, reviewer, caller):
    article = submitted_design(operator, reviewer, client=caller)
    version = refreshed(article).draft_version
    other_design = submitted_design(operator, reviewer, client=make_person(Role.CALLER))
    other_version = refreshed(other_design).draft_version
    client = client_for(caller)
    assert 'href="/portal/ontwerpen/"' in client.get("/portal/kennisbank/").content.decode()
    assert (
        'href="/portal/ontwerpen/"'
        not in client_for(make_person(Role.CALLER)).get("/portal/kennisbank/").content.decode()
    )
    listing = client.get("/portal/ontwerpen/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'data-design-version="{version.pk}"' in listing
    assert f'data-design-version="{other_version.pk}"' not in listing
    assert "Waiting for your decision" in listing
    page = client.get(f"/portal/ontwerpen/{version.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Only teachers" not in page  # sanity: the Dutch text below is the body
    assert "Alleen docenten zien de cijfers" in page
    assert client.get(f"/portal/ontwerpen/{other_version.pk}/").status_code == 404
    # the design itself stays closed to the client on the knowledge routes
    assert client.get(f"/kennisbank/{article.pk}/").status_code == 404
    assert client.get(f"/portal/kennisbank/{article.pk}/").status_code == 404

    unconfirmed = client.post(
        f"/portal/ontwerpen/{version.pk}/", {"decision": "approved"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Confirm your decision." in unconfirmed.content.decode()
    assert not VersionApproval.objects.exists()
    response = client.post(f"/portal/ontwerpen/{version.pk}/", {"decision": "approved", "confirm": "1"})
    assert response.status_code == 302
    approval = VersionApproval.objects.get()
    assert (approval.approver, approval.role, approval.version) == (caller, "client", version)
    page = client.get(f"/portal/ontwerpen/{version.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-my-decision="approved"' in page


def test_another_caller_and_operator_articles_answer_404_on_the_portal_route(operator, reviewer, caller):
    article = submitted_design(operator, reviewer, client=caller)
    version = refreshed(article).draft_version
    operator_article = published(operator, title="Intern", body="geheim", audience=Audience.OPERATORS)
    intruder = client_for(make_person(Role.CALLER))
    assert intruder.get(f"/portal/ontwerpen/{version.pk}/").status_code == 404
    assert (
        intruder.post(
            f"/portal/ontwerpen/{version.pk}/", {"decision": "approved", "confirm": "1"}
        ).status_code
        == 404
    )
    assert b"Wifi" not in intruder.get("/portal/ontwerpen/").content
    # an operator article's version is never reachable by this route, not even for its client
    internal = refreshed(operator_article).current_version
    assert client_for(caller).get(f"/portal/ontwerpen/{internal.pk}/").status_code == 404
    assert not VersionApproval.objects.exists()


def test_a_rejection_without_comment_is_refused_on_the_portal(operator, reviewer, caller):
    article = submitted_design(operator, reviewer, client=caller)
    version = refreshed(article).draft_version
    response = client_for(caller).post(
        f"/portal/ontwerpen/{version.pk}/",
        {"decision": "rejected", "confirm": "1"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Say why you reject this version." in response.content.decode()
    assert not VersionApproval.objects.exists()


def test_complete_fd_helper_fills_the_mandatory_section():
    assert "Alleen docenten" in complete_fd("## Beveiliging en privacy\n")


def test_versions_and_diff_of_a_design_on_the_screens(operator, reviewer):
    article = submitted_design(operator, reviewer)
    article = services.approve_and_publish(article, actor=reviewer, expected_version=article.version)
    body = refreshed(article).current_version.body.replace("logging 1 jaar", "logging 6 maanden")
    article = services.save_draft(
        article, actor=operator, expected_version=article.version, title="Wifi", body=body
    )
    client = client_for(operator)
    versions = client.get(f"/kennisbank/{article.pk}/versions/").content.decode()
    assert f"/kennisbank/{article.pk}/versions/2/" in versions
    diff = client.get(f"/kennisbank/{article.pk}/diff/?a=1&b=2").content.decode()
    assert "6 maanden" in diff
    assert "1 jaar" in diff


def test_the_portal_shows_a_hostile_design_text_sanitised(operator, reviewer, caller):
    article = submitted_design(operator, reviewer, client=caller)
    draft = refreshed(article).draft_version
    hostile = (
        draft.body
        + '\n<script>alert("x")</script>\n<img src=x onerror="alert(1)">\n[klik](javascript:alert(2))\n'
    )
    article = services.save_draft(
        article, actor=operator, expected_version=article.version, title="Wifi", body=hostile
    )
    article = services.submit_for_review(article, actor=operator, expected_version=article.version)
    page = (
        client_for(caller).get(f"/portal/ontwerpen/{refreshed(article).draft_version.pk}/").content.decode()
    )
    assert "Alleen docenten zien de cijfers" in page
    assert "<script>alert" not in page
    assert "onerror" not in page
    assert "javascript:alert" not in page
