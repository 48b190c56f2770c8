"""The needs page, the portal's needs and the needs API: wiring, permissions and bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from beheer.accounts.models import Role, User
from beheer.changes import services
from beheer.changes.models import NeedsApproval, Requirement, Stakeholder
from tests.helpers import client_for, make_person

from .helpers import make_change

pytestmark = pytest.mark.django_db
API = "/api/v1"


def _json(client: Client, method: str, url: str, body: Any = None) -> Any:
    if body is None:
        return getattr(client, method)(url, HTTP_ACCEPT_LANGUAGE="en")
    return getattr(client, method)(
        url, data=json.dumps(body), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )


def _world(operator: User) -> tuple[Any, User, User]:
    client = make_person(Role.CALLER, email="directeur@school.test")
    requester = make_person(Role.CALLER)
    change = make_change(operator, client=client, requester=requester)
    teacher = services.add_stakeholder(
        change, actor=operator, person=client, role="client", interest="Budget"
    )
    services.add_requirement(
        change,
        actor=operator,
        text="Dekking in alle lokalen van gebouw B",
        priority="must",
        acceptance_criteria="Overal -67 dBm",
    )
    services.ask_question(change, actor=operator, question="Welke lokalen eerst?", asked_of=teacher)
    services.add_needs_note(
        change,
        actor=operator,
        held_on=change.created_at.date(),
        kind="interview",
        notes="**Belangrijk** <script>alert(1)</script>",
    )
    return change, client, requester


def test_the_needs_page_shows_the_inventory_with_safe_notes_and_the_tab(
    operator: User, django_assert_max_num_queries: Any
) -> None:
    change, _client, _requester = _world(operator)
    web = client_for(operator)
    with django_assert_max_num_queries(60):
        page = web.get(f"/changes/{change.pk}/needs/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-tab="change-needs"' in html
    assert 'data-requirement="REQ-1"' in html
    assert "<strong>Belangrijk</strong>" in html
    assert "<script>alert" not in html
    assert "data-uncovered" in html
    assert "Not covered" in html
    assert "Budget" in html  # the stakeholder's interest, for staff


def test_the_forms_add_and_remove_after_confirmation(operator: User) -> None:
    change, _client, _requester = _world(operator)
    web = client_for(operator)
    response = web.post(
        f"/changes/{change.pk}/needs/requirements/",
        {"text": "Eduroam", "priority": "should", "acceptance_criteria": ""},
    )
    assert response.status_code == 302
    assert Requirement.objects.filter(change=change).count() == 2
    bad = web.post(f"/changes/{change.pk}/needs/requirements/", {"text": "", "priority": "x"})
    assert bad.status_code == 400
    assert Requirement.objects.filter(change=change).count() == 2
    row = Stakeholder.objects.get(change=change)
    page = web.get(f"/changes/{change.pk}/needs/").content.decode()
    assert f"/needs/stakeholders/{row.pk}/remove/" in page
    assert "data-confirm" in page
    assert web.post(f"/changes/{change.pk}/needs/stakeholders/{row.pk}/remove/").status_code == 302
    assert not Stakeholder.objects.filter(change=change).exists()
    assert web.post(f"/changes/{change.pk}/needs/stakeholders/{row.pk}/remove/").status_code == 404
    assert web.get("/changes/999999/needs/").status_code == 404


def test_callers_never_see_the_staff_page_or_api(operator: User) -> None:
    change, client, _requester = _world(operator)
    web = client_for(client)
    assert web.get(f"/changes/{change.pk}/needs/").status_code in (403, 404)
    assert _json(web, "get", f"{API}/changes/{change.pk}/needs").status_code == 403
    assert _json(web, "get", f"{API}/changes/{change.pk}/needs/traceability").status_code == 403


def test_the_portal_shows_the_needs_and_only_the_client_decides(operator: User) -> None:
    change, client, requester = _world(operator)
    own = client_for(client).get(f"/portal/changes/{change.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-requirement="REQ-1"' in own
    assert "Overal -67 dBm" in own
    assert "Welke lokalen eerst?" in own  # asked of the client
    assert "data-needs-decision" in own
    assert "Belangrijk" not in own
    assert "Budget" not in own
    theirs = client_for(requester).get(f"/portal/changes/{change.pk}/").content.decode()
    assert 'data-requirement="REQ-1"' in theirs
    assert "data-needs-decision" not in theirs
    assert "Welke lokalen eerst?" not in theirs
    stranger = client_for(make_person(Role.CALLER))
    assert stranger.get(f"/portal/changes/{change.pk}/").status_code == 404
    assert stranger.post(f"/portal/changes/{change.pk}/needs/", {"decision": "approve"}).status_code == 404
    unconfirmed = client_for(client).post(
        f"/portal/changes/{change.pk}/needs/", {"decision": "approve", "needs_version": 1}
    )
    assert unconfirmed.status_code == 400
    assert not NeedsApproval.objects.exists()
    done = client_for(client).post(
        f"/portal/changes/{change.pk}/needs/", {"decision": "approve", "needs_version": 1, "confirm": "1"}
    )
    assert done.status_code == 302
    assert NeedsApproval.objects.get().approver == client
    refused = client_for(requester).post(
        f"/portal/changes/{change.pk}/needs/", {"decision": "approve", "needs_version": 1, "confirm": "1"}
    )
    assert refused.status_code == 400
    assert NeedsApproval.objects.count() == 1


def test_the_api_edits_requirements_with_versions_and_field_errors(operator: User) -> None:
    change, _client, _requester = _world(operator)
    api = client_for(operator)
    base = f"{API}/changes/{change.pk}/needs"
    created = _json(api, "post", f"{base}/requirements", {"text": "Eduroam", "priority": "should"})
    assert created.status_code == 201
    assert created.json()["code"] == "REQ-2"
    rid, version = created.json()["id"], created.json()["version"]
    bad = _json(api, "post", f"{base}/requirements", {"text": "x", "priority": "should", "source_id": 99999})
    assert bad.status_code == 400
    assert "source_id" in bad.json()["fields"]
    invalid = _json(api, "post", f"{base}/requirements", {"text": "", "priority": "maybe"})
    assert invalid.status_code == 422
    body = {"text": "Eduroam voor iedereen", "priority": "must", "version": version}
    assert _json(api, "put", f"{base}/requirements/{rid}", body).status_code == 200
    assert _json(api, "put", f"{base}/requirements/{rid}", body).status_code == 409
    assert _json(api, "delete", f"{base}/requirements/{rid}?version={version}").status_code == 409
    assert _json(api, "delete", f"{base}/requirements/{rid}?version={version + 1}").status_code == 204
    assert _json(api, "delete", f"{base}/requirements/{rid}?version={version + 1}").status_code == 404
    needs = _json(api, "get", base).json()
    assert needs["version"] == 4
    assert [r["code"] for r in needs["requirements"]] == ["REQ-1"]
    assert "<script>" not in needs["notes"][0]["notes_html"]
    trace = _json(api, "get", f"{base}/traceability").json()
    assert trace[0]["code"] == "REQ-1"
    assert trace[0]["covered"] is False
    assert _json(api, "get", f"{API}/changes/999999/needs").status_code == 404


def test_the_portal_api_decides_at_the_version_read(operator: User) -> None:
    change, client, requester = _world(operator)
    url = f"{API}/portal/changes/{change.pk}/needs"
    mine = _json(client_for(client), "get", url).json()
    assert mine["can_decide"] is True
    assert mine["requirements"][0]["code"] == "REQ-1"
    assert "interest" not in json.dumps(mine)
    theirs = _json(client_for(requester), "get", url).json()
    assert theirs["can_decide"] is False
    assert theirs["questions"] == []
    assert _json(client_for(make_person(Role.CALLER)), "get", url).status_code == 404
    stale = _json(client_for(client), "post", f"{url}/decision", {"decision": "approve", "needs_version": 0})
    assert stale.status_code == 409
    reject = _json(client_for(client), "post", f"{url}/decision", {"decision": "reject", "needs_version": 1})
    assert reject.status_code == 400
    assert "comment" in reject.json()["fields"]
    by_requester = _json(
        client_for(requester), "post", f"{url}/decision", {"decision": "approve", "needs_version": 1}
    )
    assert by_requester.status_code == 403
    ok = _json(client_for(client), "post", f"{url}/decision", {"decision": "approve", "needs_version": 1})
    assert ok.status_code == 200
    assert ok.json()["my_decision"]["decision"] == "approved"
    assert ok.json()["can_decide"] is False


def test_the_api_creates_and_links_designs(operator: User) -> None:
    change, _client, _requester = _world(operator)
    api = client_for(operator)
    made = _json(api, "post", f"{API}/changes/{change.pk}/designs", {"kind": "functional_design"})
    assert made.status_code == 201
    assert made.json()["client_decision"] == "waiting"
    article_id = made.json()["article"]["id"]
    twice = _json(api, "post", f"{API}/changes/{change.pk}/designs/link", {"article_id": article_id})
    assert twice.status_code == 400
    missing = _json(api, "post", f"{API}/changes/{change.pk}/designs/link", {"article_id": 999999})
    assert missing.status_code == 404
    link_id = made.json()["id"]
    assert _json(api, "delete", f"{API}/changes/{change.pk}/designs/{link_id}").status_code == 204
    assert _json(api, "delete", f"{API}/changes/{change.pk}/designs/{link_id}").status_code == 404
