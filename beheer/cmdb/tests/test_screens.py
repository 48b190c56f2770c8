"""The CMDB screens: the list with its filters and keyset pages, a CI's page, the create and edit
forms with custom attributes, removal, the type screens, and who may open what."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from beheer.accounts.models import User
from beheer.cmdb import services
from beheer.cmdb.models import (
    AttributeDefinition,
    AttributeKind,
    CiAttributeValue,
    CiType,
    ConfigurationItem,
    Relation,
    RelationKind,
)

pytestmark = pytest.mark.django_db


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _laptop(administrator: User) -> CiType:
    laptop = CiType.objects.get(code="laptop")
    for code, kind, choices in (
        ("ram-gb", AttributeKind.NUMBER, []),
        ("os", AttributeKind.CHOICE, ["Windows 11", "ChromeOS"]),
    ):
        services.save_attribute(
            None,
            actor=administrator,
            ci_type=laptop,
            data=services.AttributeData(code=code, label_nl=code, label_en=code, kind=kind, choices=choices),
        )
    return laptop


def _ci(actor: User, name: str, ci_type: CiType, **extra: Any) -> ConfigurationItem:
    return services.create_item(actor=actor, data=services.ItemData(name=name, ci_type=ci_type, **extra))


def _form_data(ci_type: CiType, **values: Any) -> dict[str, Any]:
    data = {"name": "LT-0001", "ci_type": ci_type.pk, "shown_type": ci_type.pk, "status": "in_use"}
    data.update(values)
    return data


def test_the_list_filters_by_type_text_and_attribute_and_shows_a_bad_filter_as_a_message(
    administrator: User, operator: User
) -> None:
    laptop = _laptop(administrator)
    server = CiType.objects.get(code="server")
    _ci(operator, "LT-16", laptop, attributes={"ram-gb": "16"}, asset_tag="HBC-16")
    _ci(operator, "LT-8", laptop, attributes={"ram-gb": "8"})
    _ci(operator, "SRV-web", server, host_name="web01.school.example")
    client = _client(operator)

    page = client.get("/cmdb/").content.decode()
    assert "LT-16" in page
    assert "SRV-web" in page

    by_attr = client.get("/cmdb/", {"attr.ram-gb": "16,0"}).content.decode()
    assert "LT-16" in by_attr
    assert "LT-8" not in by_attr
    assert "SRV-web" not in by_attr
    by_type = client.get("/cmdb/", {"type": server.pk}).content.decode()
    assert "SRV-web" in by_type
    assert "LT-16" not in by_type
    by_host = client.get("/cmdb/", {"q": "web01"}).content.decode()
    assert "SRV-web" in by_host
    assert "LT-8" not in by_host
    by_tag = client.get("/cmdb/", {"q": "hbc-16"}).content.decode()
    assert "LT-16" in by_tag
    assert "LT-8" not in by_tag

    bad = client.get("/cmdb/", {"attr.ram-gb": "zestien"})
    assert bad.status_code == 200
    text = bad.content.decode()
    assert 'class="message' in text
    assert "LT-16" not in text
    unknown_status = client.get("/cmdb/", {"status": "kapot"})
    assert unknown_status.status_code == 200


def test_the_list_pages_by_keyset(operator: User) -> None:
    server = CiType.objects.get(code="server")
    for i in range(55):
        _ci(operator, f"SRV-{i:03d}", server)
    client = _client(operator)
    first = client.get("/cmdb/")
    assert first.status_code == 200
    names = [ci.name for ci in first.context["page"].items]
    assert names[0] == "SRV-000"
    assert len(names) == 50
    next_url = first.context["next_url"]
    assert "cursor=" in next_url
    second = client.get("/cmdb/" + next_url)
    assert [ci.name for ci in second.context["page"].items] == [f"SRV-{i:03d}" for i in range(50, 55)]
    assert second.context["next_url"] == ""


def _list_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/cmdb/").status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_3_and_30_items(operator: User, caller: User) -> None:
    server = CiType.objects.get(code="server")
    client = _client(operator)
    for i in range(3):
        _ci(operator, f"A-{i}", server, owner=caller)
    few = _list_queries(client)
    for i in range(27):
        _ci(operator, f"B-{i}", server, owner=caller)
    assert _list_queries(client) == few


def test_the_detail_shows_attributes_relations_impact_and_a_picture(
    administrator: User, operator: User, caller: User
) -> None:
    laptop = _laptop(administrator)
    service = _ci(operator, "E-mail", CiType.objects.get(code="service"))
    server = _ci(operator, "SRV-mail", CiType.objects.get(code="server"))
    ci = _ci(operator, "LT-0042", laptop, attributes={"ram-gb": "16", "os": "ChromeOS"}, users=[caller])
    services.add_relation(service, actor=operator, target=server, kind=RelationKind.RUNS_ON)
    services.add_relation(ci, actor=operator, target=server, kind=RelationKind.CONNECTED_TO)
    client = _client(operator)

    page = client.get(f"/cmdb/{server.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "<svg" in text
    assert "SRV-mail" in text
    assert "E-mail" in text
    assert "LT-0042" in text
    assert "runs" in text or "draait" in text  # the reverse label of "runs on"
    upward = page.context["upward"]
    assert upward.count == 2
    assert upward.service_count == 1
    assert caller in upward.people
    assert f'href="/cmdb/{server.pk}/history/"' in text

    laptop_page = client.get(f"/cmdb/{ci.pk}/").content.decode()
    assert 'data-attribute="ram-gb">16<' in laptop_page
    assert "ChromeOS" in laptop_page
    assert client.get(f"/cmdb/{server.pk}/history/").status_code == 200


def test_relations_are_added_and_removed_after_a_confirmation(operator: User) -> None:
    server = _ci(operator, "SRV-1", CiType.objects.get(code="server"))
    app = _ci(operator, "App", CiType.objects.get(code="service"))
    client = _client(operator)
    client.post(f"/cmdb/{app.pk}/relations/add/", {"kind": "runs_on", "target": "srv-1"})
    relation = Relation.objects.get(source=app, target=server)
    again = client.post(
        f"/cmdb/{app.pk}/relations/add/", {"kind": "runs_on", "target": str(server.pk)}, follow=True
    )
    assert Relation.objects.count() == 1
    assert 'class="message' in again.content.decode()

    confirm = client.get(f"/cmdb/{server.pk}/relations/{relation.pk}/remove/")
    assert confirm.status_code == 200
    assert Relation.objects.exists()
    client.post(f"/cmdb/{server.pk}/relations/{relation.pk}/remove/", {})
    assert Relation.objects.exists()  # not confirmed
    client.post(f"/cmdb/{server.pk}/relations/{relation.pk}/remove/", {"confirm": "on"})
    assert not Relation.objects.exists()


def test_create_chooses_the_type_first_and_saves_the_attributes(administrator: User, operator: User) -> None:
    laptop = _laptop(administrator)
    client = _client(operator)
    choose = client.get("/cmdb/new/")
    assert choose.status_code == 200
    assert "ram-gb" not in choose.content.decode()
    form = client.get(f"/cmdb/new/?type={laptop.pk}").content.decode()
    assert 'name="attr_ram-gb"' in form
    assert 'name="attr_os"' in form

    response = client.post("/cmdb/new/", _form_data(laptop, **{"attr_ram-gb": "16", "attr_os": "ChromeOS"}))
    ci = ConfigurationItem.objects.get(name="LT-0001")
    assert response.status_code == 302
    assert response["Location"] == f"/cmdb/{ci.pk}/"
    assert CiAttributeValue.objects.get(ci=ci, definition__code="ram-gb").number == 16


def test_a_bad_attribute_value_is_shown_on_its_field_and_nothing_is_saved(
    administrator: User, operator: User
) -> None:
    laptop = _laptop(administrator)
    response = _client(operator).post("/cmdb/new/", _form_data(laptop, **{"attr_ram-gb": "veel"}))
    assert response.status_code == 400
    assert response.context["form"].errors.get("attr_ram-gb")
    assert not ConfigurationItem.objects.exists()


def test_another_type_on_edit_shows_its_fields_before_saving(administrator: User, operator: User) -> None:
    laptop = _laptop(administrator)
    server = CiType.objects.get(code="server")
    ci = _ci(operator, "LT-1", server)
    data = {**_form_data(server, name="LT-1", version=ci.version), "ci_type": laptop.pk}
    response = _client(operator).post(f"/cmdb/{ci.pk}/edit/", data)
    assert response.status_code == 200
    assert 'name="attr_ram-gb"' in response.content.decode()
    ci.refresh_from_db()
    assert ci.ci_type_id == server.pk  # not saved yet


def test_edit_saves_and_a_stale_version_is_a_conflict(administrator: User, operator: User) -> None:
    laptop = _laptop(administrator)
    ci = _ci(operator, "LT-1", laptop, attributes={"ram-gb": "8"})
    client = _client(operator)
    page = client.get(f"/cmdb/{ci.pk}/edit/")
    assert page.context["form"]["attr_ram-gb"].value() == "8"
    saved = client.post(
        f"/cmdb/{ci.pk}/edit/", _form_data(laptop, name="LT-1b", version=ci.version, **{"attr_ram-gb": "32"})
    )
    assert saved.status_code == 302
    ci.refresh_from_db()
    assert ci.name == "LT-1b"
    assert ci.version == 2

    stale = client.post(f"/cmdb/{ci.pk}/edit/", _form_data(laptop, name="LT-1c", version=1))
    assert stale.status_code == 400
    assert "Somebody else" in stale.content.decode() or "Iemand anders" in stale.content.decode()
    ci.refresh_from_db()
    assert ci.name == "LT-1b"


def test_delete_asks_for_a_confirmation_and_only_coordinators_remove(
    operator: User, coordinator: User
) -> None:
    ci = _ci(operator, "SRV-old", CiType.objects.get(code="server"))
    refused = _client(operator).post(f"/cmdb/{ci.pk}/delete/", {"confirm": "on", "version": ci.version})
    assert refused.status_code == 200
    assert 'class="message' in refused.content.decode()
    assert ConfigurationItem.objects.filter(pk=ci.pk).exists()

    client = _client(coordinator)
    assert client.get(f"/cmdb/{ci.pk}/delete/").status_code == 200
    client.post(f"/cmdb/{ci.pk}/delete/", {"version": ci.version})
    assert ConfigurationItem.objects.filter(pk=ci.pk).exists()  # not confirmed
    done = client.post(f"/cmdb/{ci.pk}/delete/", {"confirm": "on", "version": ci.version})
    assert done.status_code == 302
    assert not ConfigurationItem.objects.filter(pk=ci.pk).exists()


def test_who_may_open_what(operator: User, caller: User, administrator: User) -> None:
    ci = _ci(operator, "SRV-1", CiType.objects.get(code="server"), owner=caller)
    anonymous = Client().get("/cmdb/")
    assert anonymous.status_code == 302
    assert "login" in anonymous["Location"]
    assert _client(caller).get("/cmdb/").status_code in (403, 404)
    assert _client(caller).get(f"/cmdb/{ci.pk}/").status_code in (403, 404)

    as_operator = _client(operator)
    assert as_operator.get(f"/cmdb/{ci.pk}/edit/").status_code == 200
    assert as_operator.get("/cmdb/types/").status_code in (403, 404)
    before = CiType.objects.count()
    as_operator.post(
        "/cmdb/types/new/",
        {"code": "printer2", "name_nl": "P", "name_en": "P", "kind": "hardware", "order": 0},
    )
    assert CiType.objects.count() == before

    as_admin = _client(administrator)
    assert as_admin.get("/cmdb/types/").status_code == 200
    created = as_admin.post(
        "/cmdb/types/new/",
        {
            "code": "printer2",
            "name_nl": "Printer",
            "name_en": "Printer",
            "kind": "hardware",
            "order": 0,
            "active": "on",
        },
    )
    printer = CiType.objects.get(code="printer2")
    assert created.status_code == 302
    attribute = as_admin.post(
        f"/cmdb/types/{printer.pk}/attributes/new/",
        {
            "code": "pages",
            "label_nl": "Pagina's",
            "label_en": "Pages",
            "kind": "number",
            "order": 0,
            "active": "on",
        },
    )
    assert attribute.status_code == 302
    definition = AttributeDefinition.objects.get(ci_type=printer, code="pages")
    assert as_admin.get(f"/cmdb/types/{printer.pk}/attributes/{definition.pk}/").status_code == 200
    bad = as_admin.post(
        f"/cmdb/types/{printer.pk}/attributes/new/",
        {"code": "kleur", "label_nl": "Kleur", "label_en": "Colour", "kind": "choice", "order": 0},
    )
    assert bad.status_code == 400
    assert bad.context["form"].errors.get("choices")
