"""The change screens, the melding's button, the portal and the API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from beheer.accounts.models import User
from beheer.changes import services
from beheer.changes.models import Change, ChangeApproval, Phase
from beheer.servicedesk.models import Melding
from tests.helpers import client_for

from .helpers import assessed, cab, make_change, make_ci, move

pytestmark = pytest.mark.django_db
API = "/api/v1"


def _json(client: Client, method: str, url: str, body: Any = None) -> Any:
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def test_the_change_page_shows_the_phase_bar_with_the_blocking_rules(operator: User) -> None:
    change = move(operator, make_change(operator), "assessment")
    page = client_for(operator).get(f"/changes/{change.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-next-phase="needs"' in html
    assert "Assess the risk first" in html
    assert 'data-next-phase="request"' in html
    # earlier phases are one "back to" choice, not a button each; a change without a window says so
    back_form = html[html.index("data-move-back") :]
    assert 'data-next-phase="request"' in back_form[: back_form.index("</form>")]
    assert html.count('data-next-phase="request"') == 1
    assert "Not planned yet" in html


def test_a_phase_move_is_a_post_and_a_blocked_move_says_why(operator: User) -> None:
    change = make_change(operator)
    client = client_for(operator)
    target = Phase.objects.get(code="assessment")
    response = client.post(f"/changes/{change.pk}/move/", {"phase": target.pk, "version": change.version})
    assert response.status_code == 302
    assert Change.objects.get(pk=change.pk).phase == target
    blocked = Phase.objects.get(code="approval")
    response = client.post(
        f"/changes/{change.pk}/move/",
        {"phase": blocked.pk, "version": change.version + 1},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "rollback plan" in response.content.decode()
    assert Change.objects.get(pk=change.pk).phase == target


def test_the_list_filters_by_phase_kind_and_approved_afterwards(operator: User, coordinator: User) -> None:
    cab([coordinator], kind="emergency")
    normal = make_change(operator, title="Gewone wijziging")
    urgent = move(
        operator,
        assessed(operator, make_change(operator, kind="emergency", title="Spoed firewall")),
        "execution",
    )
    services.decide_approval(ChangeApproval.objects.get(change=urgent), actor=coordinator, approve=True)
    client = client_for(operator)
    html = client.get("/changes/?afterwards=1").content.decode()
    assert f'data-change="{urgent.pk}"' in html
    assert f'data-change="{normal.pk}"' not in html
    html = client.get("/changes/?kind=normal").content.decode()
    assert f'data-change="{normal.pk}"' in html
    assert f'data-change="{urgent.pk}"' not in html
    html = client.get(f"/changes/?q={normal.number}").content.decode()
    assert f'data-change="{normal.pk}"' in html
    assert f'data-change="{urgent.pk}"' not in html


def test_the_melding_page_offers_staff_a_change_in_one_click(
    operator: User, caller: User, melding: Melding
) -> None:
    client = client_for(operator)
    page = client.get(f"/meldingen/{melding.pk}/").content.decode()
    assert f"/changes/from-call/{melding.pk}/" in page
    response = client.post(f"/changes/from-call/{melding.pk}/")
    change = Change.objects.get(origin_melding=melding)
    assert response.status_code == 302
    assert response["Location"] == f"/changes/{change.pk}/"
    portal = client_for(caller).get(f"/portal/{melding.pk}/").content.decode()
    assert "/changes/from-call/" not in portal
    assert client_for(caller).post(f"/changes/from-call/{melding.pk}/").status_code in (403, 404)


def test_an_approver_decides_on_their_page_and_others_get_404(
    operator: User, coordinator: User, caller: User
) -> None:
    cab([coordinator])
    change = move(operator, assessed(operator, make_change(operator)), "approval")
    approval = ChangeApproval.objects.get(change=change)
    assert client_for(operator).get(f"/changes/approvals/{approval.pk}/").status_code == 404
    assert client_for(caller).get(f"/changes/approvals/{approval.pk}/").status_code == 404
    client = client_for(coordinator)
    refused = client.post(f"/changes/approvals/{approval.pk}/", {"decision": "reject", "comment": ""})
    assert refused.status_code == 200
    assert ChangeApproval.objects.get(pk=approval.pk).decision == ""
    assert client.post(f"/changes/approvals/{approval.pk}/", {"decision": "approve"}).status_code == 302
    assert Change.objects.get(pk=change.pk).approval_status == "granted"


def test_the_portal_shows_a_caller_their_own_changes_and_nothing_internal(
    operator: User, caller: User, other_caller: User
) -> None:
    laptop = make_ci(operator, "Laptop Anna", "laptop", owner=caller)
    anna = client_for(caller)
    response = anna.post(
        "/portal/changes/new/", {"title": "Tweede scherm", "description": "Voor roosters", "ci": laptop.pk}
    )
    change = Change.objects.get(title="Tweede scherm")
    assert response.status_code == 302
    assert change.requester == caller
    services.update_change(
        change,
        actor=operator,
        data=services.ChangeData(
            title="Tweede scherm",
            description="Voor roosters",
            client=caller,
            requester=caller,
            rollback_plan="GEHEIM-PLAN",
        ),
        expected_version=change.version,
    )
    theirs = make_change(operator, title="Bram zijn wijziging", requester=other_caller)
    mine = anna.get("/portal/changes/").content.decode()
    assert "Tweede scherm" in mine
    assert "Bram zijn wijziging" not in mine
    page = anna.get(f"/portal/changes/{change.pk}/").content.decode()
    assert "Voor roosters" in page
    assert "GEHEIM-PLAN" not in page
    assert anna.get(f"/portal/changes/{theirs.pk}/").status_code == 404
    assert anna.get(f"/changes/{change.pk}/").status_code in (403, 404)
    api = _json(anna, "get", f"{API}/portal/changes/{change.pk}")
    assert api.status_code == 200
    assert "rollback_plan" not in api.json()
    assert "GEHEIM" not in api.content.decode()
    assert _json(anna, "get", f"{API}/portal/changes/{theirs.pk}").status_code == 404
    assert _json(anna, "get", f"{API}/changes/{change.pk}").status_code == 403


def test_the_api_registers_moves_and_reports_the_blocking_rules(operator: User, coordinator: User) -> None:
    api = client_for(operator)
    created = _json(api, "post", f"{API}/changes", {"title": "Nieuwe firewall", "kind": "normal"})
    assert created.status_code == 201
    body = created.json()
    assert body["number"].startswith("W")
    assert body["phase"]["code"] == "request"
    pk = body["id"]
    phases = {p.code: p.pk for p in Phase.objects.all()}
    moved = _json(
        api,
        "post",
        f"{API}/changes/{pk}/move",
        {"phase_id": phases["assessment"], "version": body["version"]},
    )
    assert moved.status_code == 200
    blocked = _json(
        api,
        "post",
        f"{API}/changes/{pk}/move",
        {"phase_id": phases["approval"], "version": moved.json()["version"]},
    )
    assert blocked.status_code == 400
    assert "phase" in blocked.json()["fields"]
    stale = _json(api, "put", f"{API}/changes/{pk}", {"title": "x", "version": 1})
    assert stale.status_code == 409
    history = _json(api, "get", f"{API}/changes/{pk}/history")
    assert [row["action"] for row in history.json()["items"]][:2] == ["moved", "created"]
    listed = _json(api, "get", f"{API}/changes?kind=normal")
    assert [item["id"] for item in listed.json()["items"]] == [pk]


def test_the_overview_summarises_the_activities_and_sends_the_work_to_the_plan_and_execution_tabs(
    operator: User,
) -> None:
    change = make_change(operator)
    services.add_activity(change, actor=operator, title="Controller bestellen")
    html = client_for(operator).get(f"/changes/{change.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    panel = html[html.index('id="activities"') :]
    panel = panel[: panel.index("</section>")]
    assert "Controller bestellen" in panel
    assert "<form" not in panel  # planning and carrying out happen on their own tabs
    assert f"/changes/{change.pk}/plan/" in panel
    assert f"/changes/{change.pk}/execution/" in panel
