"""The privacy pages and API: wiring, permissions, bad input and query counts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from beheer.accounts.models import Role, User
from beheer.security.models import LegalBasis, PersonRequest, ProcessingActivity, ProcessingHistoryEntry
from beheer.security.services import privacy
from beheer.servicedesk.models import Melding
from tests.helpers import client_for, make_person

pytestmark = pytest.mark.django_db
API = "/api/v1/security/privacy"


@pytest.fixture
def privacy_officer(db: Any) -> User:
    person = make_person(Role.OPERATOR, first_name="Pim", last_name="Privacy")
    User.objects.filter(pk=person.pk).update(privacy_officer=True)
    person.refresh_from_db()
    return person


def _body(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "Camerabewaking",
        "purpose": "Beveiliging van gebouw en bezittingen",
        "legal_basis": LegalBasis.LEGITIMATE_INTERESTS,
        "people_categories": "Leerlingen, personeel, bezoekers",
        "data_categories": "Camerabeelden",
        "retention": "4 weken, langer bij een incident",
    }
    body.update(overrides)
    return body


def _post(client: Client, url: str, body: dict[str, Any], method: str = "post") -> Any:
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def _activity(actor: User, n: int = 0) -> ProcessingActivity:
    return privacy.create_activity(
        privacy.ActivityData(
            name=f"Verwerking {n}",
            purpose="Doel",
            legal_basis=LegalBasis.PUBLIC_TASK,
            people_categories="Leerlingen",
            data_categories="NAW",
            retention="2 jaar",
        ),
        actor=actor,
    )


def test_register_api_reads_for_staff_writes_for_privacy_managers(
    operator: User, privacy_officer: User, caller: User, django_assert_max_num_queries: Any
) -> None:
    assert client_for(caller).get(f"{API}/processing").status_code in (403, 404)
    refused = _post(client_for(operator), f"{API}/processing", _body())
    assert refused.status_code == 403
    assert not ProcessingActivity.objects.exists()

    made = _post(client_for(privacy_officer), f"{API}/processing", _body())
    assert made.status_code == 201, made.content
    activity_id = made.json()["id"]
    for n in range(8):
        _activity(privacy_officer, n)
    reader = client_for(operator)
    with django_assert_max_num_queries(15):
        listed = reader.get(f"{API}/processing?limit=5")
    assert listed.status_code == 200
    assert len(listed.json()["items"]) == 5
    assert listed.json()["next_cursor"]

    stale = _post(
        client_for(privacy_officer), f"{API}/processing/{activity_id}", _body(name="Nieuw", version=99), "put"
    )
    assert stale.status_code == 409
    changed = _post(
        client_for(privacy_officer),
        f"{API}/processing/{activity_id}",
        _body(name="Camera's", version=1),
        "put",
    )
    assert changed.status_code == 200
    assert changed.json()["version"] == 2
    history = reader.get(f"{API}/processing/{activity_id}/history").json()["items"]
    assert [row["action"] for row in history][:2] == ["changed", "created"]


def test_bad_register_input_is_a_field_error_and_nothing_is_saved(privacy_officer: User) -> None:
    client = client_for(privacy_officer)
    answer = _post(client, f"{API}/processing", _body(legal_basis="omdat het kan", transfer_outside_eu=True))
    assert answer.status_code == 400
    fields = answer.json()["fields"]
    assert {"legal_basis", "transfer_safeguards"} <= set(fields)
    unknown = _post(client, f"{API}/processing", _body(application_ids=[987654]))
    assert unknown.status_code == 400
    assert "application_ids" in unknown.json()["fields"]
    assert not ProcessingActivity.objects.exists()
    assert not ProcessingHistoryEntry.objects.exists()


def test_register_pages_and_export(operator: User, privacy_officer: User, caller: User) -> None:
    activity = _activity(privacy_officer)
    assert client_for(caller).get("/security/processing/").status_code == 404
    page = client_for(operator).get("/security/processing/")
    assert page.status_code == 200
    assert "Verwerking 0" in page.content.decode()
    assert client_for(operator).get("/security/processing/new/").status_code == 404
    assert client_for(privacy_officer).get("/security/processing/new/").status_code == 200
    detail = client_for(operator).get(f"/security/processing/{activity.pk}/")
    assert detail.status_code == 200
    csv = client_for(operator).get("/security/processing/export/?format=csv")
    assert b"Verwerking 0" in csv.getvalue()
    xlsx = client_for(operator).get("/security/processing/export/?format=xlsx")
    assert xlsx.status_code == 200
    form = client_for(privacy_officer).post(
        "/security/processing/new/", {"name": "", "legal_basis": "public_task"}
    )
    assert form.status_code == 200  # shown again with the messages
    assert ProcessingActivity.objects.count() == 1


def test_retention_page_and_api(operator: User, privacy_officer: User) -> None:
    assert client_for(operator).get("/security/retention/").status_code == 200
    refused = _post(
        client_for(operator), f"{API}/retention/closed_meldingen", {"months": 12, "version": 0}, "put"
    )
    assert refused.status_code == 403
    bad = _post(
        client_for(privacy_officer), f"{API}/retention/closed_meldingen", {"months": 0, "version": 0}, "put"
    )
    assert bad.status_code in (400, 422)
    assert (
        _post(client_for(privacy_officer), f"{API}/retention/nothing", {"months": 1}, "put").status_code
        == 404
    )
    ok = _post(
        client_for(privacy_officer), f"{API}/retention/closed_meldingen", {"months": 12, "version": 0}, "put"
    )
    assert ok.status_code == 200
    assert ok.json()["months"] == 12
    page = client_for(privacy_officer).post("/security/retention/mail_intake/", {"mail_intake-forever": "on"})
    assert page.status_code == 302
    assert privacy.retention_periods()["mail_intake"] is None
    assert client_for(operator).post(f"{API}/retention-runs").status_code == 403
    run = client_for(privacy_officer).post(f"{API}/retention-runs")
    assert run.status_code == 201
    assert client_for(operator).get(f"{API}/retention-runs").json()["items"][0]["id"] == run.json()["id"]


def test_people_requests_need_a_privacy_manager_and_a_confirmation(
    operator: User, privacy_officer: User, caller: User, melding: Melding
) -> None:
    url = f"{API}/people/{caller.pk}"
    assert _post(client_for(operator), f"{url}/export", {"reference": "AVG-1"}).status_code == 403
    assert _post(client_for(caller), f"{url}/export", {"reference": "AVG-1"}).status_code in (403, 404)
    assert (
        _post(
            client_for(operator), f"{url}/anonymise", {"reference": "AVG-1", "confirm": caller.username}
        ).status_code
        == 403
    )
    assert not PersonRequest.objects.exists()

    exported = _post(client_for(privacy_officer), f"{url}/export", {"reference": "AVG-1"})
    assert exported.status_code == 200
    assert exported.json()["data"]["meldingen"][0]["number"] == melding.number
    pdf = _post(client_for(privacy_officer), f"{url}/export", {"reference": "AVG-1", "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"

    page = client_for(privacy_officer).get(f"/security/people/{caller.pk}/anonymise/")
    assert page.status_code == 200
    assert "niet ongedaan maken" in page.content.decode()  # "cannot be undone", in Dutch
    unconfirmed = client_for(privacy_officer).post(
        f"/security/people/{caller.pk}/anonymise/", {"reference": "AVG-2", "confirm": "nee"}
    )
    assert unconfirmed.status_code == 200
    caller.refresh_from_db()
    assert caller.is_active
    done = client_for(privacy_officer).post(
        f"/security/people/{caller.pk}/anonymise/", {"reference": "AVG-2", "confirm": caller.username}
    )
    assert done.status_code == 302
    caller.refresh_from_db()
    assert not caller.is_active
    erasure = PersonRequest.objects.get(kind="erasure")
    assert (erasure.reference, erasure.done_by, erasure.meldingen) == ("AVG-2", privacy_officer, 1)
    found = client_for(privacy_officer).get("/security/people/?q=Anna")
    assert found.status_code == 200
    listed = client_for(operator).get(f"{API}/requests").json()["items"]
    assert {r["kind"] for r in listed} == {"access", "erasure"}


def test_the_dashboard_shows_the_register_and_the_job_is_scheduled(
    operator: User, privacy_officer: User
) -> None:
    from beheer.core import scheduler

    _activity(privacy_officer)
    page = client_for(operator).get("/security/")
    assert page.status_code == 200
    assert "data-privacy-section" in page.content.decode()
    assert "security.privacy_retention" in scheduler.JOBS
