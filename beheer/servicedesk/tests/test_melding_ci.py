"""A melding registered on a configuration item: the service's checks and history, the operator's and
the portal's forms, the API's ci_id and ci, the melding page's impact and likely cause, the CI page's
section and the trouble source, and the data migration from the object text."""

from __future__ import annotations

import json
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from beheer.accounts.models import OperatorGroup, User
from beheer.cmdb import extensions as cmdb_extensions
from beheer.cmdb import impact
from beheer.cmdb import services as cmdb_services
from beheer.cmdb.models import CiStatus, CiType, ConfigurationItem, RelationKind
from beheer.core import config_cache
from beheer.core.errors import DomainError
from beheer.servicedesk import configuration_items, services
from beheer.servicedesk.models import CallType, EntryType, HistoryEntry, Impact, Melding, Urgency

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def make(operator: User, name: str, code: str = "printer", **kw: Any) -> ConfigurationItem:
    return cmdb_services.create_item(
        actor=operator,
        data=cmdb_services.ItemData(name=name, ci_type=CiType.objects.get(code=code), **kw),
    )


@pytest.fixture
def printer(operator: User) -> ConfigurationItem:
    """The school's printer: the caller neither owns nor uses it."""
    return make(operator, "PRN-2.14", host_name="prn-2-14")


@pytest.fixture
def laptop(operator: User, caller: User) -> ConfigurationItem:
    return make(operator, "LT-2301", "laptop", owner=caller)


def register(actor: User, **kw: Any) -> Melding:
    return services.open_melding(
        actor=actor,
        brief_description="Doet het niet",
        entry_type=kw.pop("entry_type", EntryType.PORTAL),
        **kw,
    )


def api(client: Client, method: str, path: str, body: Any = None) -> Any:
    if method == "get":
        return client.get(API + path)
    return getattr(client, method)(API + path, data=json.dumps(body or {}), content_type="application/json")


# --------------------------------------------------------------------------------------------------
# the services


def test_a_caller_registers_only_on_a_ci_of_their_own_and_the_object_takes_its_name(
    caller: User, printer: ConfigurationItem, laptop: ConfigurationItem
) -> None:
    m = register(caller, ci=laptop)
    assert m.ci_id == laptop.pk
    assert m.object_name == "LT-2301"
    assert list(laptop.meldingen.all()) == [m]

    with pytest.raises(DomainError) as refused:
        register(caller, ci=printer)
    assert set(refused.value.field_errors) == {"ci"}
    assert not Melding.objects.filter(ci=printer).exists()

    kept = register(caller, ci=laptop, object_name="de lader")
    assert kept.object_name == "de lader"  # a text of their own stays


def test_an_operator_registers_on_any_ci_not_retired(
    operator: User, caller: User, printer: ConfigurationItem
) -> None:
    m = register(operator, caller=caller, entry_type=EntryType.PHONE, ci=printer)
    assert m.ci == printer
    old = make(operator, "PRN-oud", status=CiStatus.RETIRED)
    with pytest.raises(DomainError) as refused:
        register(operator, caller=caller, entry_type=EntryType.PHONE, ci=old)
    assert "ci" in refused.value.field_errors


def test_reclassifying_changes_the_ci_in_the_history_and_keeps_it_when_not_named(
    operator: User, melding: Melding, printer: ConfigurationItem
) -> None:
    def reclassify(m: Melding, **kw: Any) -> Melding:
        return services.reclassify_melding(
            m,
            actor=operator,
            expected_version=m.version,
            brief_description=m.brief_description,
            request=m.request,
            call_type=m.call_type,
            category=None,
            subcategory=None,
            object_name=kw.pop("object_name", m.object_name),
            impact=m.impact,
            urgency=m.urgency,
            **kw,
        )

    m = reclassify(melding, ci=printer)
    assert (m.ci_id, m.object_name) == (printer.pk, "PRN-2.14")
    row = HistoryEntry.objects.get(melding=m, field="ci")
    assert (row.old_value, row.new_value, row.new_ref) == ("", "PRN-2.14", str(printer.pk))

    m = reclassify(Melding.objects.get(pk=m.pk), object_name="toner")  # ci not named: kept
    assert m.ci_id == printer.pk
    assert HistoryEntry.objects.filter(melding=m, field="ci").count() == 1

    # retired since: the melding keeps it, a new melding cannot take it
    cmdb_services.update_item(
        printer,
        actor=operator,
        expected_version=printer.version,
        data=cmdb_services.ItemData(name=printer.name, ci_type=printer.ci_type, status=CiStatus.RETIRED),
    )
    m = reclassify(Melding.objects.get(pk=m.pk), ci=ConfigurationItem.objects.get(pk=printer.pk))
    assert m.ci_id == printer.pk

    m = reclassify(Melding.objects.get(pk=m.pk), ci=None)
    assert m.ci_id is None
    assert HistoryEntry.objects.filter(melding=m, field="ci").count() == 2


# --------------------------------------------------------------------------------------------------
# the screens


def create_form(client: Client, caller: User, first_line: OperatorGroup, ci: str) -> Any:
    return client.post(
        "/meldingen/new/",
        {
            "caller": caller.pk,
            "brief_description": "Printer drukt niet af",
            "entry_type": EntryType.PHONE,
            "call_type": CallType.objects.get(code="incident").pk,
            "operator_group": first_line.pk,
            "ci": ci,
        },
    )


def test_the_operator_names_the_ci_by_number_or_name_and_sees_its_impact(
    operator: User,
    operator_client: Client,
    caller: User,
    first_line: OperatorGroup,
    printer: ConfigurationItem,
) -> None:
    printing = make(operator, "Printen", "service")
    cmdb_services.add_relation(printer, actor=operator, target=printing, kind=RelationKind.PART_OF)
    response = create_form(operator_client, caller, first_line, "prn-2.14")  # the exact name, any case
    assert response.status_code == 302, response.content.decode()
    m = Melding.objects.get(brief_description="Printer drukt niet af")
    assert (m.ci_id, m.object_name) == (printer.pk, "PRN-2.14")
    page = operator_client.get(response["Location"]).content.decode()
    assert "1 service affected (Printen)" in page  # the message after registering

    response = create_form(operator_client, caller, first_line, str(printer.pk))
    assert response.status_code == 302

    response = create_form(operator_client, caller, first_line, "PRN-9.99")
    assert response.status_code == 400
    assert "Choose one existing configuration item" in response.content.decode()
    assert Melding.objects.filter(ci=printer).count() == 2


def test_the_edit_form_changes_the_ci(
    operator_client: Client, melding: Melding, printer: ConfigurationItem
) -> None:
    form = operator_client.get(f"/meldingen/{melding.pk}/classify/").content.decode()
    assert 'name="classify-ci"' in form
    response = operator_client.post(
        f"/meldingen/{melding.pk}/classify/",
        {
            "classify-version": melding.version,
            "classify-brief_description": melding.brief_description,
            "classify-request": melding.request,
            "classify-call_type": melding.call_type_id,
            "classify-impact": melding.impact_id,
            "classify-urgency": melding.urgency_id,
            "classify-ci": "PRN-2.14",
        },
    )
    assert response.status_code in (200, 302)
    assert Melding.objects.get(pk=melding.pk).ci_id == printer.pk


def test_the_portal_offers_the_caller_only_their_own_objects(
    caller: User,
    caller_client: Client,
    other_caller: User,
    printer: ConfigurationItem,
    laptop: ConfigurationItem,
    operator: User,
) -> None:
    make(operator, "LT-9999", "laptop", owner=other_caller)
    make(operator, "LT-oud", "laptop", owner=caller, status=CiStatus.RETIRED)
    page = caller_client.get("/portal/new/").content.decode()
    assert "My objects" in page
    assert "LT-2301" in page
    assert "LT-9999" not in page
    assert "PRN-2.14" not in page
    assert "LT-oud" not in page

    response = caller_client.post(
        "/portal/new/",
        {
            "brief_description": "Laptop start niet",
            "call_type": CallType.objects.get(code="incident").pk,
            "ci": laptop.pk,
        },
    )
    assert response.status_code == 302
    assert Melding.objects.get(brief_description="Laptop start niet").ci_id == laptop.pk

    response = caller_client.post(
        "/portal/new/",
        {
            "brief_description": "Printer",
            "call_type": CallType.objects.get(code="incident").pk,
            "ci": printer.pk,
        },
    )
    assert response.status_code == 400  # not among the choices
    assert not Melding.objects.filter(ci=printer).exists()


def test_a_caller_without_objects_sees_no_field(
    caller_client: Client, other_caller: User, operator: User, printer: ConfigurationItem
) -> None:
    make(operator, "LT-9999", "laptop", owner=other_caller)
    page = caller_client.get("/portal/new/").content.decode()
    assert 'name="call_type"' in page
    assert 'name="ci"' not in page


# --------------------------------------------------------------------------------------------------
# the API


def test_the_api_takes_ci_id_and_shows_ci_only_to_who_may_see_it(
    caller: User,
    operator: User,
    caller_client: Client,
    operator_client: Client,
    printer: ConfigurationItem,
    laptop: ConfigurationItem,
) -> None:
    r = api(caller_client, "post", "/meldingen", {"brief_description": "Laptop", "ci_id": laptop.pk})
    assert r.status_code == 201, r.content
    assert r.json()["ci"] == {"id": laptop.pk, "name": "LT-2301"}
    assert r.json()["object_name"] == "LT-2301"

    foreign = api(caller_client, "post", "/meldingen", {"brief_description": "Printer", "ci_id": printer.pk})
    unknown = api(caller_client, "post", "/meldingen", {"brief_description": "Printer", "ci_id": 987654})
    assert foreign.status_code == unknown.status_code == 400
    assert foreign.json()["fields"]["ci_id"] == unknown.json()["fields"]["ci_id"]

    # the operator puts the caller's melding on the school's printer: the caller reads null
    m = register(operator, caller=caller, entry_type=EntryType.PHONE, ci=printer)
    assert api(caller_client, "get", f"/meldingen/{m.pk}").json()["ci"] is None
    assert api(operator_client, "get", f"/meldingen/{m.pk}").json()["ci"] == {
        "id": printer.pk,
        "name": "PRN-2.14",
    }

    body = {
        "version": m.version,
        "brief_description": m.brief_description,
        "call_type_id": m.call_type_id,
        "impact_id": Impact.objects.get(level=1).pk,
        "urgency_id": Urgency.objects.get(level=2).pk,
        "object_name": m.object_name,
    }
    r = api(operator_client, "put", f"/meldingen/{m.pk}/classification", body)  # no ci_id: kept
    assert r.status_code == 200, r.content
    assert r.json()["ci"]["id"] == printer.pk
    r = api(
        operator_client,
        "put",
        f"/meldingen/{m.pk}/classification",
        {**body, "version": r.json()["version"], "ci_id": laptop.pk},
    )
    assert r.json()["ci"]["id"] == laptop.pk
    r = api(
        operator_client,
        "put",
        f"/meldingen/{m.pk}/classification",
        {**body, "version": r.json()["version"], "ci_id": None},
    )
    assert r.json()["ci"] is None
    old = make(operator, "PRN-oud", status=CiStatus.RETIRED)
    r = api(
        operator_client,
        "put",
        f"/meldingen/{m.pk}/classification",
        {**body, "version": r.json()["version"], "ci_id": old.pk},
    )
    assert r.status_code == 400
    assert "ci_id" in r.json()["fields"]


# --------------------------------------------------------------------------------------------------
# the melding page, the CI page and the trouble source


@pytest.fixture
def network(operator: User, caller: User) -> dict[str, ConfigurationItem]:
    """An access switch with three printers behind it, the printing service on the printers."""
    switch = make(operator, "sw-noord01", "switch")
    printing = make(operator, "Printen", "service")
    found = {"switch": switch, "printing": printing}
    for name in ("PRN-1", "PRN-2", "PRN-3", "PRN-4"):
        prn = make(operator, name)
        cmdb_services.add_relation(prn, actor=operator, target=switch, kind=RelationKind.CONNECTED_TO)
        cmdb_services.add_relation(prn, actor=operator, target=printing, kind=RelationKind.PART_OF)
        found[name] = prn
    return found


@pytest.fixture
def cache_on(settings: Any) -> Any:
    settings.CONFIG_CACHE_SECONDS = 300
    config_cache.clear()
    yield
    config_cache.clear()


def page_queries(client: Client, m: Melding) -> tuple[str, int]:
    client.get(f"/meldingen/{m.pk}/")  # fills the configuration cache of this process
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/meldingen/{m.pk}/")
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


# A melding with a CI: the CI, its impact (the walk, the CIs shown, the people's walk and names), the
# trouble (the meldingen's CIs, the walks below them) and the cause's name: a bounded few more.
CI_QUERIES = 9


def test_the_melding_page_shows_the_ci_its_impact_and_the_likely_cause(
    cache_on: None, operator: User, caller: User, operator_client: Client, network: dict[str, Any]
) -> None:
    bare = register(operator, caller=caller, entry_type=EntryType.PHONE)
    html, without = page_queries(operator_client, bare)
    assert 'id="ci-panel"' not in html

    ms = [
        register(operator, caller=caller, entry_type=EntryType.PHONE, ci=network[n])
        for n in ("PRN-1", "PRN-2", "PRN-3", "PRN-4")
    ]
    html, with_ci = page_queries(operator_client, ms[0])
    assert f'href="/cmdb/{network["PRN-1"].pk}/"' in html
    assert "1 service affected" in html
    assert "Printen" in html
    assert "Likely cause" in html
    assert "sw-noord01" in html
    assert "shared with 3 other configuration items in trouble" in html
    assert with_ci <= without + CI_QUERIES, (with_ci, without)

    # a melding without a CI costs no query more than before
    html, again = page_queries(operator_client, bare)
    assert again == without


def test_the_trouble_source_reports_the_cis_of_open_meldingen(
    operator: User, caller: User, network: dict[str, Any]
) -> None:
    m1 = register(operator, caller=caller, entry_type=EntryType.PHONE, ci=network["PRN-1"])
    register(operator, caller=caller, entry_type=EntryType.PHONE, ci=network["PRN-1"])
    register(operator, caller=caller, entry_type=EntryType.PHONE, ci=network["PRN-2"])
    with CaptureQueriesContext(connection) as ctx:
        found = configuration_items.open_ci_ids()
    assert sorted(found) == sorted([network["PRN-1"].pk, network["PRN-2"].pk])
    assert len(ctx.captured_queries) == 1
    assert set(found) <= cmdb_extensions.troubled()
    assert impact.likely_causes()[network["PRN-1"].pk] == network["switch"].pk
    services.resolve_melding(
        m1,
        solution="Toner",
        is_workaround=False,
        closure_code=None,
        actor=operator,
        expected_version=m1.version,
    )
    assert network["PRN-1"].pk in configuration_items.open_ci_ids()  # the other is still open


def test_the_ci_page_lists_its_meldingen_for_staff_only(
    operator: User, caller: User, operator_client: Client, printer: ConfigurationItem
) -> None:
    ms = [register(operator, caller=caller, entry_type=EntryType.PHONE, ci=printer) for _ in range(3)]
    request = RequestFactory().get("/")
    request.user = operator
    with CaptureQueriesContext(connection) as ctx:
        html = configuration_items.ci_page_section(request, printer)
    few = len(ctx.captured_queries)
    assert few == 3  # the open ones, the last closed, the counts
    assert ms[2].number in html
    assert "3 calls" in html
    for _ in range(25):
        newest = register(operator, caller=caller, entry_type=EntryType.PHONE, ci=printer)
    with CaptureQueriesContext(connection) as ctx:
        html = configuration_items.ci_page_section(request, printer)
    assert len(ctx.captured_queries) <= few  # constant: twenty open ones need no closed ones
    assert html.count("/meldingen/") == configuration_items.CI_PAGE_SHOWN
    assert "28 calls" in html

    request.user = caller
    assert configuration_items.ci_page_section(request, printer) == ""

    page = operator_client.get(f"/cmdb/{printer.pk}/").content.decode()
    assert "data-ci-meldingen" in page
    assert newest.number in page
    assert ms[0].number not in page  # the oldest of 28 open ones: beyond the twenty shown


# --------------------------------------------------------------------------------------------------
# the data migration


def test_the_migration_links_an_object_text_that_names_exactly_one_ci(
    operator: User, caller: User, printer: ConfigurationItem
) -> None:
    make(operator, "Beamer", "media_equipment")
    make(operator, "beamer", "media_equipment")  # two CIs by that name: ambiguous
    by_name = register(operator, caller=caller, entry_type=EntryType.PHONE, object_name=" prn-2.14 ")
    by_host = register(operator, caller=caller, entry_type=EntryType.PHONE, object_name="PRN-2-14")
    ambiguous = register(operator, caller=caller, entry_type=EntryType.PHONE, object_name="Beamer")
    free = register(operator, caller=caller, entry_type=EntryType.PHONE, object_name="de koffieautomaat")
    before = ConfigurationItem.objects.count()

    migration = import_module("beheer.servicedesk.migrations.0028_melding_ci_from_object_name")
    migration.link_meldingen_to_cis(apps, None)
    migration.link_meldingen_to_cis(apps, None)  # idempotent

    got = {m.pk: (m.ci_id, m.object_name) for m in Melding.objects.all()}
    assert got[by_name.pk][0] == printer.pk
    assert "prn-2.14" in got[by_name.pk][1]  # the text is kept
    assert got[by_host.pk] == (printer.pk, "PRN-2-14")
    assert got[ambiguous.pk] == (None, "Beamer")
    assert got[free.pk] == (None, "de koffieautomaat")
    assert ConfigurationItem.objects.count() == before  # no CI made from a free text
