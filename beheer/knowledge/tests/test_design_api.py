"""Design documents through the API: templates (read by staff, changed by coordinators, history),
the mandatory section check as a 400 with field errors, and decisions per version."""

from __future__ import annotations

from typing import Any

import pytest

from beheer.accounts.models import Role
from beheer.knowledge.models import DocumentTemplate, Kind, VersionApproval
from tests.helpers import client_for, make_person

from .helpers import refreshed
from .test_design_services import submitted_design

API = "/api/v1/knowledge"


@pytest.fixture
def reviewer(db):
    return make_person(Role.OPERATOR, first_name="Rob", last_name="Reviewer")


def _put(client: Any, url: str, data: dict[str, Any]) -> Any:
    return client.put(url, data, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")


def _post(client: Any, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")


def test_templates_are_read_by_staff_and_changed_by_coordinators_only(operator, coordinator, caller):
    template = DocumentTemplate.objects.get(kind=Kind.FUNCTIONAL_DESIGN)
    listing = client_for(operator).get(f"{API}/design-templates").json()
    assert {t["kind"] for t in listing} == {"functional_design", "technical_design"}
    fd = next(t for t in listing if t["kind"] == "functional_design")
    mandatory = [s["heading_en"] for s in fd["sections"] if s["mandatory"]]
    assert mandatory == ["Security and privacy"]
    assert client_for(caller).get(f"{API}/design-templates").status_code == 404

    body = {
        "version": template.version,
        "sections": [
            {"heading_nl": "Doel", "heading_en": "Goal"},
            {"heading_nl": "AVG", "heading_en": "GDPR", "mandatory": True},
        ],
    }
    url = f"{API}/design-templates/{template.pk}"
    assert _put(client_for(operator), url, body).status_code == 403
    answer = _put(client_for(coordinator), url, body)
    assert answer.status_code == 200, answer.content
    assert [s["heading_en"] for s in answer.json()["sections"]] == ["Goal", "GDPR"]
    assert answer.json()["version"] == template.version + 1
    assert _put(client_for(coordinator), url, body).status_code == 409  # the version read is stale
    bad = _put(
        client_for(coordinator),
        url,
        {"version": template.version + 1, "sections": [{"heading_nl": "X", "heading_en": " "}]},
    )
    assert bad.status_code == 400
    assert "sections.0" in bad.json()["fields"]
    trail = client_for(operator).get(f"{url}/history").json()["items"]
    assert len(trail) == 1
    assert "GDPR" in trail[0]["new_value"]


def test_submitting_a_design_without_its_mandatory_section_answers_400_naming_it(operator):
    client = client_for(operator)
    created = _post(client, f"{API}/articles", {"title": "FD", "kind": "functional_design"})
    assert created.status_code == 201, created.content
    article = created.json()
    assert "## " in article["body"]
    answer = _post(client, f"{API}/articles/{article['id']}/submit", {"version": article["version"]})
    assert answer.status_code == 400
    assert "Security and privacy" in answer.json()["fields"]["body"]


def test_a_client_named_through_the_api_and_decisions_per_version(operator, reviewer, caller):
    client = client_for(operator)
    created = _post(
        client, f"{API}/articles", {"title": "TO", "kind": "technical_design", "client": caller.pk}
    )
    assert created.json()["client"]["id"] == caller.pk
    article = submitted_design(operator, reviewer, client=caller)
    number = refreshed(article).draft_version.number
    url = f"{API}/articles/{article.pk}/versions/{number}/approvals"
    answer = _post(client_for(reviewer), url, {"decision": "approved", "comment": "Goed"})
    assert answer.status_code == 201, answer.content
    assert answer.json()["role"] == "reviewer"
    assert answer.json()["version"] == number
    assert _post(client_for(operator), url, {"decision": "approved"}).status_code == 403  # the author
    assert _post(client_for(reviewer), url, {"decision": "approved"}).status_code == 400  # twice
    listing = client_for(operator).get(url).json()
    assert [(a["approver"]["id"], a["decision"]) for a in listing] == [(reviewer.pk, "approved")]
    # callers never reach the knowledge API's versions: the client decides in the portal
    assert client_for(caller).get(url).status_code == 404
    assert _post(client_for(caller), url, {"role": "client", "decision": "approved"}).status_code == 404
    assert VersionApproval.objects.count() == 1
    assert client_for(operator).get(f"{API}/articles/{article.pk}/versions/99/approvals").status_code == 404
