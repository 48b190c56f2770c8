"""The register's screens and API: the flow through POSTs and redirects, what a caller may and may
not see by any route (list, detail, API, export, the CI page's section), the approver's 403, the
portal page, leavers with their confirmation, campaigns on screen and in files, and field errors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from beheer.accounts import services as account_services
from beheer.accounts.models import User
from beheer.rights import services
from beheer.rights.models import AccessRight, ReviewItem, RightStatus

from .helpers import application, granted, requested

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_flow_through_the_screens(
    operator: User, coordinator: User, caller: User, administrator: User
) -> None:
    ci = application(administrator, "Magister", owner=coordinator)
    portal = _client(caller)
    page = portal.get(f"/rights/request/?ci={ci.pk}")
    assert page.status_code == 200
    assert "person" not in page.context["form"].fields  # a caller requests for themselves
    answer = portal.post("/rights/request/", {"ci": ci.pk, "right": "read", "reason": "Mentor 3B"})
    right = AccessRight.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/rights/{right.pk}/"
    assert right.person == caller

    # an operator who is not the approver is refused
    op = _client(operator)
    refused = op.post(f"/rights/{right.pk}/approve/", {"version": right.version}, follow=True)
    assert "Only the approver" in refused.content.decode()
    assert AccessRight.objects.get().status == RightStatus.REQUESTED

    owner = _client(coordinator)
    assert b'data-action="approve"' in owner.get(f"/rights/{right.pk}/").content
    owner.post(f"/rights/{right.pk}/approve/", {"version": right.version, "note": "ok"})
    right.refresh_from_db()
    assert right.status == RightStatus.APPROVED
    op.post(f"/rights/{right.pk}/grant/", {"version": right.version})
    right.refresh_from_db()
    assert right.status == RightStatus.GRANTED

    # revoking asks for a confirmation first
    confirm = op.get(f"/rights/{right.pk}/revoke/")
    assert confirm.status_code == 200
    op.post(f"/rights/{right.pk}/revoke/", {"reason": "left", "version": right.version})  # no tick
    right.refresh_from_db()
    assert right.status == RightStatus.GRANTED
    done = op.post(
        f"/rights/{right.pk}/revoke/", {"reason": "left", "confirm": "on", "version": right.version}
    )
    assert done.status_code == 302
    right.refresh_from_db()
    assert right.status == RightStatus.REVOKED
    detail = op.get(f"/rights/{right.pk}/").content.decode()
    assert "Revoked" in detail
    assert "left" in detail


def test_a_caller_sees_only_their_own_rights_by_any_route(
    operator: User, coordinator: User, caller: User, other_caller: User, administrator: User
) -> None:
    ci = application(administrator, "Magister", owner=coordinator)
    mine = granted(operator, coordinator, caller, ci, "read")
    theirs = granted(operator, coordinator, other_caller, ci, "secret-editor")
    portal = _client(caller)
    # the portal page
    page = portal.get("/portal/rights/").content.decode()
    assert f'data-right="{mine.pk}"' in page
    assert "secret-editor" not in page
    # the detail of someone else's right answers like a missing one
    assert portal.get(f"/rights/{theirs.pk}/").status_code == 404
    assert portal.get(f"/rights/{mine.pk}/").status_code == 200
    # staff screens: the list, the exports, the leavers, the campaigns and the CI page
    for url in (
        "/rights/",
        "/rights/export.csv",
        "/rights/export.xlsx",
        "/rights/leavers/",
        "/rights/campaigns/",
    ):
        assert portal.get(url).status_code == 403, url
    assert portal.get(f"/cmdb/{ci.pk}/").status_code in (403, 404)
    # the API
    listed = portal.get("/api/v1/rights").json()
    assert [r["id"] for r in listed["items"]] == [mine.pk]
    assert portal.get(f"/api/v1/rights/{theirs.pk}").status_code == 404
    assert portal.get(f"/api/v1/rights/{theirs.pk}/history").status_code == 404
    assert portal.get(f"/api/v1/rights?person_id={other_caller.pk}").json()["items"] == []
    assert portal.get("/api/v1/rights/leavers").status_code == 403
    # nor can a caller approve, grant or revoke by the API
    pending = requested(operator, other_caller, ci, "read")
    assert (
        portal.post(
            f"/api/v1/rights/{pending.pk}/approve", {"version": 1}, content_type="application/json"
        ).status_code
        == 404
    )
    own = requested(caller, caller, ci, "editor")
    answer = portal.post(
        f"/api/v1/rights/{own.pk}/approve", {"version": own.version}, content_type="application/json"
    )
    assert answer.status_code == 403
    assert (
        portal.post(
            f"/api/v1/rights/{mine.pk}/revoke", {"reason": "x"}, content_type="application/json"
        ).status_code
        == 403
    )


def test_the_ci_page_section_and_the_export(
    operator: User, coordinator: User, caller: User, administrator: User
) -> None:
    ci = application(administrator, "Magister", owner=coordinator)
    granted(operator, coordinator, caller, ci, "read")
    page = _client(operator).get(f"/cmdb/{ci.pk}/").content.decode()
    assert "data-ci-rights" in page
    assert "Anna" in page or str(caller) in page
    csv = b"".join(_client(operator).get("/rights/export.csv?status=granted").streaming_content).decode()  # type: ignore[attr-defined]
    assert str(caller) in csv
    assert "read" in csv
    assert _client(operator).get("/rights/export.xlsx").status_code == 200


def test_the_api_flow_and_its_field_errors(
    operator: User, coordinator: User, caller: User, administrator: User
) -> None:
    ci = application(administrator, "Magister", owner=coordinator)
    api = _client(operator)
    bad = api.post(
        "/api/v1/rights",
        {"ci_id": 987654, "right": "read", "person_id": caller.pk},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "ci_id" in bad.json()["fields"]
    empty = api.post(
        "/api/v1/rights",
        {"ci_id": ci.pk, "right": "", "person_id": caller.pk},
        content_type="application/json",
    )
    assert empty.status_code in (400, 422)
    made = api.post(
        "/api/v1/rights",
        {"ci_id": ci.pk, "right": "read", "person_id": caller.pk},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    body: dict[str, Any] = made.json()
    assert body["status"] == "requested"
    assert (
        api.post(
            f"/api/v1/rights/{body['id']}/approve",
            {"version": body["version"]},
            content_type="application/json",
        ).status_code
        == 403
    )
    approved = _client(coordinator).post(
        f"/api/v1/rights/{body['id']}/approve", {"version": body["version"]}, content_type="application/json"
    )
    assert approved.json()["status"] == "approved"
    stale = api.post(
        f"/api/v1/rights/{body['id']}/grant", {"version": body["version"]}, content_type="application/json"
    )
    assert stale.status_code == 409
    past = api.post(
        f"/api/v1/rights/{body['id']}/grant",
        {"version": approved.json()["version"], "valid_until": "2001-01-01"},
        content_type="application/json",
    )
    assert past.status_code == 400
    assert "valid_until" in past.json()["fields"]
    grant = api.post(
        f"/api/v1/rights/{body['id']}/grant",
        {"version": approved.json()["version"]},
        content_type="application/json",
    )
    assert grant.json()["status"] == "granted"
    history = api.get(f"/api/v1/rights/{body['id']}/history").json()
    assert [h["action"] for h in history["items"]] == ["granted", "approved", "requested"]
    revoked = api.post(
        f"/api/v1/rights/{body['id']}/revoke", {"reason": "done"}, content_type="application/json"
    )
    assert revoked.json()["status"] == "revoked"
    # the policy
    assert (
        api.put(
            f"/api/v1/rights/policies/{ci.pk}", {"known_rights": ["read"]}, content_type="application/json"
        ).status_code
        == 403
    )
    policy = _client(coordinator).put(
        f"/api/v1/rights/policies/{ci.pk}",
        {"known_rights": ["read", "editor"], "approver_id": caller.pk},
        content_type="application/json",
    )
    assert policy.json()["known_rights"] == ["read", "editor"]
    assert policy.json()["effective_approver"]["id"] == caller.pk
    unknown = api.post(
        "/api/v1/rights",
        {"ci_id": ci.pk, "right": "root", "person_id": caller.pk},
        content_type="application/json",
    )
    assert unknown.status_code == 400
    assert "right" in unknown.json()["fields"]


def test_leavers_on_screen_and_revoke_all_with_confirmation(
    operator: User, coordinator: User, caller: User, administrator: User
) -> None:
    ci = application(administrator, "Magister", owner=coordinator)
    granted(operator, coordinator, caller, ci, "read")
    granted(operator, coordinator, caller, ci, "editor")
    op = _client(operator)
    assert f'data-leaver="{caller.pk}"' not in op.get("/rights/leavers/").content.decode()
    account_services.deactivate_person(caller, actor=administrator)
    page = op.get("/rights/leavers/").content.decode()
    assert f'data-leaver="{caller.pk}"' in page
    assert op.get(f"/rights/leavers/{caller.pk}/revoke/").status_code == 200
    op.post(f"/rights/leavers/{caller.pk}/revoke/", {"reason": "left"})  # not confirmed
    assert AccessRight.objects.filter(person=caller, status=RightStatus.GRANTED).count() == 2
    op.post(f"/rights/leavers/{caller.pk}/revoke/", {"reason": "left", "confirm": "on"})
    assert AccessRight.objects.filter(person=caller, status=RightStatus.GRANTED).count() == 0
    assert f'data-leaver="{caller.pk}"' not in op.get("/rights/leavers/").content.decode()


def test_the_person_page_shows_their_rights(
    operator: User, coordinator: User, caller: User, administrator: User
) -> None:
    ci = application(administrator, "Magister", owner=coordinator)
    granted(operator, coordinator, caller, ci, "read")
    page = _client(administrator).get(f"/beheer-admin/accounts/user/{caller.pk}/change/").content.decode()
    assert "data-person-rights" in page
    assert "Magister" in page


def test_campaign_screens_review_and_report(
    operator: User, coordinator: User, caller: User, other_caller: User, administrator: User
) -> None:
    ci = application(administrator, "Magister", owner=other_caller)  # a caller owns it
    first = granted(operator, other_caller, caller, ci, "read")
    granted(operator, other_caller, operator, ci, "editor")
    deadline = (timezone.localdate() + timedelta(days=7)).isoformat()
    assert _client(operator).get("/rights/campaigns/new/").status_code == 403
    started = _client(coordinator).post("/rights/campaigns/new/", {"name": "Spring", "deadline": deadline})
    assert started.status_code == 302
    campaign_url = started["Location"]
    # the owner, a caller, reviews in the portal; another caller sees nothing of it
    assert _client(caller).get(campaign_url).status_code == 404
    owner = _client(other_caller)
    page = owner.get(campaign_url).content.decode()
    assert page.count("data-item=") == 2
    item = ReviewItem.objects.get(access_right=first)
    owner.post(f"{campaign_url}items/{item.pk}/confirm/", {"note": "fine"})
    other = ReviewItem.objects.exclude(pk=item.pk).get()
    assert owner.get(f"{campaign_url}items/{other.pk}/revoke/").status_code == 200
    owner.post(f"{campaign_url}items/{other.pk}/revoke/", {"reason": "not needed", "confirm": "on"})
    other.refresh_from_db()
    assert other.outcome == "revoked"
    report = _client(operator).get(f"{campaign_url}report/").content.decode()
    assert "data-campaign-report" in report
    csv = b"".join(_client(operator).get(f"{campaign_url}report.csv").streaming_content).decode()  # type: ignore[attr-defined]
    assert "Magister" in csv
    assert _client(operator).get(f"{campaign_url}report.xlsx").status_code == 200
    assert _client(caller).get(f"{campaign_url}report/").status_code == 403
    api_report = _client(operator).get(f"/api/v1/rights/campaigns/{item.campaign_id}/report").json()
    assert api_report["totals"] == {"confirmed": 1, "revoked": 1, "open": 0, "total": 2}
    assert _client(caller).get(f"/api/v1/rights/campaigns/{item.campaign_id}/items").status_code == 404
    assert services.campaign_report(item.campaign)["totals"]["total"] == 2


def test_an_approver_who_is_a_caller_sees_the_rights_of_their_application_only(
    operator: User, coordinator: User, caller: User, other_caller: User, administrator: User
) -> None:
    theirs = application(administrator, "Magister", owner=other_caller)
    elsewhere = application(administrator, "Teams", owner=coordinator)
    on_theirs = requested(operator, caller, theirs, "read")
    on_elsewhere = requested(operator, caller, elsewhere, "read")
    approver = _client(other_caller)
    ids = [r["id"] for r in approver.get("/api/v1/rights").json()["items"]]
    assert ids == [on_theirs.pk]
    assert approver.get(f"/rights/{on_elsewhere.pk}/").status_code == 404
    page = approver.get("/portal/rights/").content.decode()
    assert "data-rights-waiting" in page
    assert f"/rights/{on_theirs.pk}/" in page
    answer = approver.post(
        f"/api/v1/rights/{on_theirs.pk}/approve",
        {"version": on_theirs.version},
        content_type="application/json",
    )
    assert answer.json()["status"] == "approved"


def test_a_caller_requests_on_applications_only(caller: User, administrator: User) -> None:
    from beheer.cmdb import services as cmdb_services
    from beheer.cmdb.models import CiType

    service = cmdb_services.create_item(
        actor=administrator,
        data=cmdb_services.ItemData(name="Roosters", ci_type=CiType.objects.get(code="service")),
    )
    form = _client(caller).get("/rights/request/").context["form"]
    assert service.pk not in [ci.pk for ci in form.fields["ci"].queryset]
    answer = _client(caller).post(
        "/api/v1/rights", {"ci_id": service.pk, "right": "read"}, content_type="application/json"
    )
    assert answer.status_code == 400
    assert "ci_id" in answer.json()["fields"]
