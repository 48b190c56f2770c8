"""The CI's environment (OTAP: development, test, acceptance, production): checked and kept by the
services with its history, chosen on the form, shown and filtered in the list (page and API), read by
an import and written by an export."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.http import StreamingHttpResponse
from django.utils import translation

from beheer.accounts.models import User
from beheer.cmdb import services
from beheer.cmdb.models import CiAction, CiEnvironment, CiHistoryEntry, CiType, ConfigurationItem
from beheer.core.errors import DomainError
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

API = "/api/v1/cmdb"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def server() -> CiType:
    return CiType.objects.get(code="server")


def make(actor: User, name: str, environment: str | None = None, **extra: Any) -> ConfigurationItem:
    data = services.ItemData(name=name, ci_type=server(), environment=environment, **extra)
    return services.create_item(actor=actor, data=data)


def body(response: Any) -> str:
    if isinstance(response, StreamingHttpResponse):
        return b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[arg-type]
    return response.content.decode()


# --------------------------------------------------------------------------------------------------
# services


def test_create_and_update_keep_the_environment_with_its_history(operator: User) -> None:
    ci = make(operator, "db01", CiEnvironment.TEST)
    assert ConfigurationItem.objects.get(pk=ci.pk).environment == "test"
    assert make(operator, "plain").environment == ""

    moved = services.update_item(
        ci,
        actor=operator,
        data=services.ItemData(name="db01", ci_type=server(), environment=CiEnvironment.PRODUCTION),
        expected_version=ci.version,
    )
    assert moved.environment == "production"
    assert moved.version == ci.version + 1
    entry = CiHistoryEntry.objects.get(ci_id=ci.pk, action=CiAction.CHANGED, field="environment")
    assert (entry.old_value, entry.new_value) == ("test", "production")
    assert (entry.old_display, entry.new_display) == ("Test", "Production")

    cleared = services.update_item(
        moved,
        actor=operator,
        data=services.ItemData(name="db01", ci_type=server(), environment=""),
        expected_version=moved.version,
    )
    assert cleared.environment == ""
    assert CiHistoryEntry.objects.filter(ci_id=ci.pk, field="environment").count() == 2


def test_a_caller_that_does_not_name_the_environment_keeps_it(operator: User) -> None:
    ci = make(operator, "web01", CiEnvironment.ACCEPTANCE)
    kept = services.update_item(
        ci,
        actor=operator,
        data=services.ItemData(name="web01 renamed", ci_type=server()),
        expected_version=ci.version,
    )
    assert kept.name == "web01 renamed"
    assert ConfigurationItem.objects.get(pk=ci.pk).environment == "acceptance"
    assert not CiHistoryEntry.objects.filter(ci_id=ci.pk, field="environment").exists()


@pytest.mark.parametrize("bad", ["staging", "PRODUCTION", "prod", "x" * 40])
def test_an_unknown_environment_is_a_field_error_and_writes_nothing(operator: User, bad: str) -> None:
    with pytest.raises(DomainError) as refused:
        make(operator, "db02", bad)
    assert set(refused.value.field_errors) == {"environment"}
    assert refused.value.field_errors["environment"] == "Unknown environment."
    assert not ConfigurationItem.objects.filter(name="db02").exists()

    ci = make(operator, "db03", CiEnvironment.DEVELOPMENT)
    with pytest.raises(DomainError) as again:
        services.update_item(
            ci,
            actor=operator,
            data=services.ItemData(name="db03", ci_type=server(), environment=bad),
            expected_version=ci.version,
        )
    assert "environment" in again.value.field_errors
    assert ConfigurationItem.objects.get(pk=ci.pk).environment == "development"


def test_a_batch_writes_each_rows_environment_and_refuses_a_bad_one(operator: User) -> None:
    rows = [
        services.ItemData(name="a", ci_type=server(), environment="test"),
        services.ItemData(name="b", ci_type=server(), environment="nonsense"),
        services.ItemData(name="c", ci_type=server()),
    ]
    made = services.create_items(actor=operator, rows=rows)
    assert isinstance(made[0], ConfigurationItem)
    assert isinstance(made[1], DomainError)
    assert "environment" in made[1].field_errors
    assert isinstance(made[2], ConfigurationItem)
    found = dict(ConfigurationItem.objects.values_list("name", "environment"))
    assert found == {"a": "test", "c": ""}


# --------------------------------------------------------------------------------------------------
# screens


def _form(**values: Any) -> dict[str, Any]:
    ci_type = server()
    data = {"name": "app01", "ci_type": ci_type.pk, "shown_type": ci_type.pk, "status": "in_use"}
    data.update(values)
    return data


def test_the_form_offers_sets_and_clears_the_environment(operator: User) -> None:
    client = client_for(operator)
    page = client.get(f"/cmdb/new/?type={server().pk}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="environment"' in page
    assert '<option value="" selected>—</option>' in page
    assert '<option value="acceptance">Acceptance</option>' in page

    created = client.post("/cmdb/new/", _form(environment="acceptance"))
    assert created.status_code == 302
    ci = ConfigurationItem.objects.get(name="app01")
    assert ci.environment == "acceptance"

    detail = client.get(f"/cmdb/{ci.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<dd data-environment="acceptance">Acceptance</dd>' in detail
    edit = client.get(f"/cmdb/{ci.pk}/edit/").content.decode()
    assert '<option value="acceptance" selected>' in edit

    refused = client.post(f"/cmdb/{ci.pk}/edit/", _form(environment="staging", version=ci.version))
    assert refused.status_code == 400
    assert ConfigurationItem.objects.get(pk=ci.pk).environment == "acceptance"

    cleared = client.post(f"/cmdb/{ci.pk}/edit/", _form(environment="", version=ci.version))
    assert cleared.status_code == 302
    assert ConfigurationItem.objects.get(pk=ci.pk).environment == ""
    detail = client.get(f"/cmdb/{ci.pk}/").content.decode()
    assert '<dd data-environment="">—</dd>' in detail


def _three(operator: User) -> None:
    make(operator, "srv-dev", CiEnvironment.DEVELOPMENT)
    make(operator, "srv-prod", CiEnvironment.PRODUCTION)
    make(operator, "srv-none")


def _listed(html: str) -> set[str]:
    return {name for name in ("srv-dev", "srv-prod", "srv-none") if f">{name}</a>" in html}


def test_the_list_shows_and_filters_the_environment(
    operator: User, django_assert_max_num_queries: Any
) -> None:
    _three(operator)
    client = client_for(operator)
    everything = client.get("/cmdb/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _listed(everything) == {"srv-dev", "srv-prod", "srv-none"}
    assert '<span class="badge">Production</span>' in everything
    assert 'name="environment"' in everything

    with django_assert_max_num_queries(12):
        production = client.get("/cmdb/", {"environment": "production"})
    assert _listed(production.content.decode()) == {"srv-prod"}
    assert _listed(client.get("/cmdb/", {"environment": "none"}).content.decode()) == {"srv-none"}

    bad = client.get("/cmdb/", {"environment": "staging"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 200
    html = bad.content.decode()
    assert "Unknown environment." in html
    assert _listed(html) == set()


def test_the_list_costs_the_same_whatever_the_environment_filter_finds(operator: User) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(operator)

    def measure() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/cmdb/", {"environment": "test"}).status_code == 200
        return len(queries)

    make(operator, "t-0", CiEnvironment.TEST)
    small = measure()
    for number in range(1, 15):
        make(operator, f"t-{number}", CiEnvironment.TEST)
    assert measure() == small


# --------------------------------------------------------------------------------------------------
# API


def _post(client: Any, url: str, payload: dict[str, Any], method: str = "post") -> Any:
    return getattr(client, method)(url, data=json.dumps(payload), content_type="application/json")


def test_the_api_writes_reads_and_keeps_the_environment(operator: User) -> None:
    client = client_for(operator)
    created = _post(client, f"{API}/items", {"name": "api01", "type_id": server().pk, "environment": "test"})
    assert created.status_code == 201, created.content
    item = created.json()
    assert item["environment"] == "test"

    renamed = _post(
        client,
        f"{API}/items/{item['id']}",
        {"name": "api01b", "type_id": server().pk, "version": item["version"]},
        method="put",
    )
    assert renamed.status_code == 200, renamed.content
    assert renamed.json()["environment"] == "test"  # left out: kept

    cleared = _post(
        client,
        f"{API}/items/{item['id']}",
        {"name": "api01b", "type_id": server().pk, "environment": "", "version": renamed.json()["version"]},
        method="put",
    )
    assert cleared.status_code == 200, cleared.content
    assert cleared.json()["environment"] == ""
    assert client.get(f"{API}/items/{item['id']}").json()["environment"] == ""


@pytest.mark.parametrize("bad", ["staging", "Production", 3, None])
def test_the_api_refuses_an_unknown_environment_on_its_field(operator: User, bad: Any) -> None:
    client = client_for(operator)
    payload = {"name": "api02", "type_id": server().pk, "environment": bad}
    response = client.post(
        f"{API}/items", data=json.dumps(payload), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    if bad is None:  # null: as if left out
        assert response.status_code == 201
        assert response.json()["environment"] == ""
        return
    assert response.status_code in (400, 422)
    assert "environment" in response.json()["fields"]
    assert not ConfigurationItem.objects.filter(name="api02").exists()


def test_the_api_list_filters_on_the_environment_at_a_fixed_cost(
    operator: User, django_assert_max_num_queries: Any
) -> None:
    _three(operator)
    client = client_for(operator)
    with django_assert_max_num_queries(8):
        response = client.get(f"{API}/items", {"environment": "development"})
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(i["name"], i["environment"]) for i in items] == [("srv-dev", "development")]
    none = client.get(f"{API}/items", {"environment": "none"}).json()["items"]
    assert [(i["name"], i["environment"]) for i in none] == [("srv-none", "")]
    everything = client.get(f"{API}/items").json()["items"]
    assert {i["name"] for i in everything} == {"srv-dev", "srv-prod", "srv-none"}

    bad = client.get(f"{API}/items", {"environment": "staging"})
    assert bad.status_code in (400, 422)
    assert "environment" in bad.json()["fields"]


# --------------------------------------------------------------------------------------------------
# import and export


def test_an_import_reads_the_code_or_the_label_in_any_case(operator: User) -> None:
    text = (
        "name;type;asset_tag;environment\n"
        "imp-1;server;I-1;production\n"
        "imp-2;server;I-2;Acceptance\n"
        "imp-3;server;I-3;DEVELOPMENT\n"
        "imp-4;server;I-4;\n"
    )
    report = services.run_import(actor=operator, data=text.encode(), filename="cis.csv")
    assert [r.action for r in report.rows] == ["create"] * 4
    found = dict(ConfigurationItem.objects.values_list("name", "environment"))
    assert found == {"imp-1": "production", "imp-2": "acceptance", "imp-3": "development", "imp-4": ""}

    changed = "asset_tag;name;type;Environment\nI-1;imp-1;server;test\nI-4;imp-4;server;none-such\n"
    report = services.run_import(actor=operator, data=changed.encode(), filename="cis.csv", partial=True)
    assert [r.action for r in report.rows] == ["update", "reject"]
    assert report.rows[1].errors == [("Environment", "Unknown environment.")]
    assert ConfigurationItem.objects.get(name="imp-1").environment == "test"
    assert ConfigurationItem.objects.get(name="imp-4").environment == ""
    assert CiHistoryEntry.objects.filter(field="environment", new_value="test").count() == 1


def test_an_import_without_the_column_keeps_the_environment(operator: User) -> None:
    make(operator, "keep-1", CiEnvironment.PRODUCTION, asset_tag="K-1")
    text = "asset_tag;name;type;host_name\nK-1;keep-1;server;keep1.example\n"
    report = services.run_import(actor=operator, data=text.encode(), filename="cis.csv")
    assert [r.action for r in report.rows] == ["update"]
    ci = ConfigurationItem.objects.get(asset_tag="K-1")
    assert (ci.host_name, ci.environment) == ("keep1.example", "production")


def test_the_export_has_the_environment_in_the_readers_language_and_reimports(operator: User) -> None:
    _three(operator)
    client = client_for(operator)
    response = client.get("/cmdb/export.csv", HTTP_ACCEPT_LANGUAGE="en")
    rows = list(csv.reader(io.StringIO(body(response))))
    assert rows[0][:4] == ["Name", "Type", "Status", "Environment"]
    by_name = {row[0]: row[3] for row in rows[1:]}
    assert by_name == {"srv-dev": "Development", "srv-none": "", "srv-prod": "Production"}

    filtered = list(
        csv.reader(
            io.StringIO(
                body(client.get("/cmdb/export.csv?environment=production", HTTP_ACCEPT_LANGUAGE="en"))
            )
        )
    )
    assert [row[0] for row in filtered[1:]] == ["srv-prod"]

    exported = body(client.get("/cmdb/export.csv?key=name", HTTP_ACCEPT_LANGUAGE="en"))
    report = services.run_import(actor=operator, data=exported.encode(), filename="x.csv", key="name")
    assert [r.action for r in report.rows] == ["unchanged"] * 3
