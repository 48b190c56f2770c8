"""The operator's melding page: its query budget, action forms on demand, the result of an action
where it was taken, the operator list that follows the chosen group, "waiting for supplier" and the
history lines."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from beheer.accounts.models import OperatorGroup, Role, User
from beheer.cmdb.models import Supplier
from beheer.core import clock, config_cache
from beheer.core.errors import DomainError
from beheer.servicedesk import queries, services
from beheer.servicedesk.models import (
    EntryType,
    HistoryEntry,
    Impact,
    Line,
    Melding,
    Note,
    Status,
    Urgency,
    Visibility,
)
from tests.helpers import client_for, make_person

from .page_helpers import element, text

HTMX = {"HX-Request": "true", "HX-Target": "melding-main"}
HTMX_GET = {"HX-Request": "true"}
INLINE = ("note", "status")  # the common actions: on the page itself
ON_DEMAND = (
    "classify",
    "target",
    "assign",
    "escalate",
    "estimates",
    "resolve",
    "partial",
    "merge",
    "link",
    "time",
    "attachment",
)
# The page of an open melding with history, notes, attachments, links, partial incidents and time:
# session, user, melding, notes, history, partial incidents, links, time entries (the totals are
# added up from them), attachments and e-mails; the SLA clock replays the history the timeline
# read. The configuration (statuses, priorities, groups, categories, operators, suppliers, the
# SLA's policies and calendars) and the worker's heartbeat come from the configuration cache.
# (Before: 35 queries, then 14.) The linked meldingen take two: their ids from the link table, then
# the meldingen by primary key (one query with `pk IN (links) OR pk IN (links)` made PostgreSQL scan
# every melding); a melding without links skips the second. The open problems to link to load when
# that form is opened.
PAGE_QUERIES = 11
# An action form: session, user, melding; its lookups come from the configuration cache.
FORM_QUERIES = 3


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def cache_on(settings: Any) -> Iterator[None]:
    """The configuration cache as in production (the test settings switch it off)."""
    settings.CONFIG_CACHE_SECONDS = 300
    config_cache.clear()
    yield
    config_cache.clear()


def url(m: Melding, action: str = "") -> str:
    return f"/meldingen/{m.pk}/{action}/" if action else f"/meldingen/{m.pk}/"


def post(client: Client, m: Melding, name: str, data: dict[str, Any], *, htmx: bool = True) -> Any:
    payload = {f"{name}-{k}": v for k, v in data.items()}
    payload.setdefault(f"{name}-version", m.version)
    return client.post(url(m, name), payload, headers=HTMX if htmx else None)


def fresh(m: Melding) -> Melding:
    return Melding.objects.select_related("status", "supplier").get(pk=m.pk)


def enrich(m: Melding, operator: User, caller: User, second_line: OperatorGroup, n: int) -> Melding:
    """Notes (internal and for the caller), status changes, attachments, links, time, partials."""
    for i in range(n):
        services.add_note(m, text=f"Intern {i}", visibility="internal", actor=operator)
        services.add_note(m, text=f"Beste Anna {i}", visibility="caller", actor=operator)
        services.add_attachment(m, upload=SimpleUploadedFile(f"log{i}.txt", b"regel\n"), actor=operator)
        other = services.open_melding(
            actor=operator, brief_description=f"Ook kapot {i}", entry_type=EntryType.PHONE, caller=caller
        )
        services.link_meldingen(m, other=other, actor=operator)
        services.register_time(m, minutes=10 + i, on=None, note=f"stap {i}", actor=operator)
        services.create_partial(m, brief_description=f"Deel {i}", operator_group=second_line, actor=operator)
    for code in ("in_progress", "waiting_caller", "in_progress"):
        m = fresh(m)
        services.change_status(m, status=Status.objects.get(code=code), actor=operator, expected_version=None)
    return fresh(m)


def count_queries(client: Client, path: str, headers: dict[str, str] | None = None) -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, headers=headers)
    return response, [q["sql"] for q in ctx.captured_queries]


# --------------------------------------------------------------------------------------------------
# the page: common forms on the page, the others on demand, a pinned query budget


def test_a_busy_open_melding_page_stays_within_its_query_budget(
    cache_on: None,
    operator_client: Client,
    melding: Melding,
    operator: User,
    caller: User,
    second_line: OperatorGroup,
) -> None:
    m = enrich(melding, operator, caller, second_line, 3)
    operator_client.get(url(m))  # fills the configuration cache of this process
    response, queries = count_queries(operator_client, url(m))
    assert response.status_code == 200
    assert len(queries) <= PAGE_QUERIES, "\n".join(queries)
    html = response.content.decode()
    assert html.count('class="entry note') == 6
    assert html.count("/attachments/") >= 3
    assert "Ook kapot 2" in html
    assert "Deel 2" in html

    # Three times as much of everything costs no query more.
    m = enrich(m, operator, caller, second_line, 6)
    response, more = count_queries(operator_client, url(m))
    assert response.status_code == 200
    assert len(more) == len(queries), "\n".join(more)
    assert response.content.decode().count('class="entry note') == 18


def test_the_page_joins_only_the_people_into_its_own_query(
    cache_on: None, operator_client: Client, melding: Melding, operator: User
) -> None:
    """PostgreSQL plans a join of many tables for milliseconds on every page view: the melding's
    query joins only its caller, operator and registrar; department, branch and supplier come from
    the configuration cache, and another app's section (the problem link) is probed, not joined."""
    operator_client.get(url(melding))  # fills the configuration cache of this process
    response, queries = count_queries(operator_client, url(melding))
    assert response.status_code == 200
    own = [q for q in queries if "CASE WHEN EXISTS" in q]
    assert len(own) == 1, "\n".join(queries)
    main_from = own[0].rsplit(' FROM "servicedesk_melding" ', 1)[-1].split(" WHERE ")[0]
    joined = re.findall(r'JOIN "(\w+)"', own[0].split("CASE WHEN EXISTS")[0] + main_from)
    assert joined == ["accounts_user"] * 3, own[0]


def test_the_sla_clock_reads_the_history_the_page_shows(
    cache_on: None, operator_client: Client, melding: Melding, operator: User
) -> None:
    operator_client.get(url(melding))  # fills the configuration cache of this process
    response, queries = count_queries(operator_client, url(melding))
    assert response.status_code == 200
    assert 'id="sla-panel"' in response.content.decode()
    history_reads = [q for q in queries if 'FROM "servicedesk_historyentry"' in q]
    assert len(history_reads) == 1, "\n".join(history_reads)  # the timeline's, no second for the clock


def test_the_timeline_says_more_when_notes_and_history_together_pass_the_limit(
    melding: Melding, operator: User
) -> None:
    for n in range(2):
        services.add_note(melding, text=f"Notitie {n}", visibility=Visibility.INTERNAL, actor=operator)
    notes = Note.objects.filter(melding=melding).count()
    history = HistoryEntry.objects.filter(melding=melding).count()
    limit = max(notes, history)  # neither alone passes it, both together do
    entries, more = queries.timeline(melding, operator, limit=limit)
    assert len(entries) == limit
    assert more
    entries, more = queries.timeline(melding, operator, limit=notes + history)
    assert len(entries) == notes + history
    assert not more


SIDE_TABLES = (
    "servicedesk_timeentry",
    "servicedesk_attachment",
    "servicedesk_meldinglink",
)


def side_reads(queries: list[str]) -> list[str]:
    """The queries that read a side section's table (not the page's own query, which probes them)."""
    own = "CASE WHEN EXISTS"
    return [q for q in queries if own not in q and any(f'FROM "{t}"' in q for t in SIDE_TABLES)]


def test_an_empty_side_section_costs_no_query_and_a_filled_one_shows(
    cache_on: None, operator_client: Client, melding: Melding, operator: User
) -> None:
    operator_client.get(url(melding))  # fills the configuration cache of this process
    response, bare = count_queries(operator_client, url(melding))
    assert response.status_code == 200
    assert side_reads(bare) == [], "\n".join(bare)
    partial_reads = [q for q in bare if '"parent_id" =' in q and "CASE WHEN EXISTS" not in q]
    assert partial_reads == [], "\n".join(bare)
    assert len(bare) <= PAGE_QUERIES - 4, "\n".join(bare)
    # The caller's confirmation e-mail is there, so that section is read.
    assert [q for q in bare if 'FROM "notifications_outgoingmessage"' in q and "CASE WHEN" not in q]

    # One attachment: its section is read (one query more) and shown; the others stay unread.
    services.add_attachment(melding, upload=SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n"), actor=operator)
    response, one = count_queries(operator_client, url(melding))
    assert response.status_code == 200
    assert "scan.pdf" in response.content.decode()
    assert [q for q in side_reads(one) if 'FROM "servicedesk_attachment"' in q], "\n".join(one)
    assert not [q for q in side_reads(one) if 'FROM "servicedesk_timeentry"' in q]
    assert len(one) == len(bare) + 1, "\n".join(one)


def test_the_common_forms_are_on_the_page_the_others_load_on_demand(
    operator_client: Client, melding: Melding
) -> None:
    html = operator_client.get(url(melding)).content.decode()
    for name in INLINE:
        assert f'name="{name}-version"' in html, name
    assert 'name="note-text"' in html
    assert 'name="status-status"' in html
    for name in ON_DEMAND:
        slot = element(html, f"action-{name}")
        assert slot, name
        assert f'hx-get="{url(melding, name)}"' in slot, name
        assert f'href="{url(melding, name)}"' in slot, name  # without JavaScript: a page of its own
        assert f'name="{name}-version"' not in html, name


@pytest.mark.parametrize("name", [*ON_DEMAND, "deescalate", "close", "reopen"])
def test_each_action_form_loads_on_demand_within_its_budget(
    name: str,
    cache_on: None,
    operator_client: Client,
    melding: Melding,
    operator: User,
    second_line: OperatorGroup,
    specialist: User,
) -> None:
    m = melding
    if name == "deescalate":
        services.escalate_melding(
            m, to_group=second_line, reason="hardware", actor=operator, expected_version=None
        )
    if name in ("close", "reopen"):
        services.resolve_melding(m, solution="klaar", actor=operator, expected_version=None)
    m = fresh(m)
    operator_client.get(url(m, name), headers=HTMX_GET)  # fills the configuration cache
    response, queries = count_queries(operator_client, url(m, name), HTMX_GET)
    assert response.status_code == 200
    assert len(queries) <= FORM_QUERIES, "\n".join(queries)
    html = response.content.decode()
    assert "<html" not in html
    assert f'hx-post="{url(m, name)}"' in html
    assert f'name="{name}-version" value="{m.version}"' in html
    assert 'hx-target="#melding-main"' in html  # the answer replaces the page's main part

    # Without JavaScript the form is a page of its own, with the way back to the melding.
    page = operator_client.get(url(m, name))
    assert page.status_code == 200
    body = page.content.decode()
    assert "<html" in body
    assert f'action="{url(m, name)}"' in body
    assert f'href="{url(m)}#action-{name}"' in body
    for markup in (html, body):  # the Content-Security-Policy allows no inline style or script
        assert not re.search(r"\sstyle\s*=", markup)
        assert not re.search(r"<script(?![^>]*\bsrc=)", markup)


def test_an_action_that_does_not_apply_answers_without_a_form(
    operator_client: Client, melding: Melding
) -> None:
    response = operator_client.get(url(melding, "close"), headers=HTMX_GET)  # not resolved yet
    assert response.status_code == 200
    assert "<form" not in response.content.decode()
    assert "not available" in response.content.decode()
    assert operator_client.get(url(melding, "close")).status_code == 302  # back to the melding
    assert operator_client.get(url(melding, "nonsense"), headers=HTMX_GET).status_code == 404
    assert operator_client.get(url(melding, "unlink"), headers=HTMX_GET).status_code == 404


def test_callers_and_strangers_get_no_action_forms(caller_client: Client, melding: Melding) -> None:
    assert caller_client.get(url(melding, "escalate"), headers=HTMX_GET).status_code == 403
    assert Client().get(url(melding, "escalate")).status_code == 302  # to the login page
    other = make_person(Role.OPERATOR)
    assert (
        client_for(other).get(f"/meldingen/{melding.pk + 999}/escalate/", headers=HTMX_GET).status_code == 404
    )


# --------------------------------------------------------------------------------------------------
# the result of an action is shown where the action was taken


def assert_result_in(html: str, name: str, message: str) -> str:
    slot = element(html, f"action-{name}")
    assert slot, f"no action-{name} on the page"
    assert message in slot, text(slot)
    assert "data-action-result" in slot
    # Not (also) at the top of the page, where it would be out of view.
    assert message not in html.split(f'id="action-{name}"', 1)[0]
    return slot


def test_a_note_confirms_itself_in_the_note_panel(operator_client: Client, melding: Melding) -> None:
    response = post(operator_client, melding, "note", {"text": "Toner besteld", "visibility": "internal"})
    assert response.status_code == 200
    assert_result_in(response.content.decode(), "note", "The note has been added.")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("status", "The status has been changed."),
        ("escalate", "The call has been escalated to the second line."),
        ("resolve", "The call has been resolved"),
        ("time", "The time has been registered."),
    ],
)
def test_an_action_confirms_itself_where_it_was_taken(
    name: str, message: str, operator_client: Client, melding: Melding, second_line: OperatorGroup
) -> None:
    choices: dict[str, dict[str, Any]] = {
        "status": {"status": Status.objects.get(code="in_progress").pk},
        "escalate": {"to_group": second_line.pk, "reason": "Serverprobleem"},
        "resolve": {"solution": "Papier verwijderd"},
        "time": {"minutes": 15},
    }
    data = choices[name]
    before = HistoryEntry.objects.filter(melding=melding).count()
    response = post(operator_client, melding, name, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="melding-main"' in html
    assert_result_in(html, name, message)
    assert HistoryEntry.objects.filter(melding=melding).count() > before


def test_a_conflict_is_shown_in_the_action_with_the_input_kept(
    operator_client: Client, melding: Melding, second_line: OperatorGroup, operator: User
) -> None:
    stale = melding.version
    services.set_estimates(melding, minutes=30, people=1, means="", actor=operator, expected_version=None)
    response = operator_client.post(
        url(melding, "escalate"),
        {"escalate-version": stale, "escalate-to_group": second_line.pk, "escalate-reason": "te laat"},
        headers=HTMX,
    )
    # An answer the page swaps in: no error status, which the browser would log in its console.
    assert response.status_code == 200
    html = response.content.decode()
    slot = assert_result_in(html, "escalate", "Somebody else changed")
    assert "Reload the call" in slot
    assert "te laat" in slot  # the operator's input is kept
    assert re.search(r"<details[^>]*\sopen[\s>]", slot)  # the form stays open
    # The stale version stays: sending it again is refused again until the operator reloads.
    assert f'name="escalate-version" value="{stale}"' in slot
    assert fresh(melding).line == Line.FIRST


def test_bad_input_is_shown_in_the_action(
    operator_client: Client, melding: Melding, second_line: OperatorGroup, first_line: OperatorGroup
) -> None:
    response = post(operator_client, melding, "escalate", {"to_group": second_line.pk, "reason": ""})
    assert response.status_code == 200
    slot = element(response.content.decode(), "action-escalate")
    assert "This field is required." in slot
    assert "data-action-result" in slot
    response = post(operator_client, melding, "escalate", {"to_group": first_line.pk, "reason": "x"})
    assert "Choose a second-line group." in element(response.content.decode(), "action-escalate")
    response = post(operator_client, melding, "note", {"text": "", "visibility": "internal"})
    assert "This field is required." in element(response.content.decode(), "action-note")
    assert fresh(melding).version == melding.version


def test_a_closed_melding_answers_in_the_action(
    operator_client: Client, melding: Melding, operator: User
) -> None:
    services.resolve_melding(melding, solution="klaar", actor=operator, expected_version=None)
    m = fresh(melding)
    services.close_melding(m, actor=operator, expected_version=None)
    response = post(operator_client, m, "note", {"text": "te laat", "visibility": "internal"})
    assert response.status_code == 200
    assert_result_in(response.content.decode(), "note", "closed and can no longer be changed")


def test_without_javascript_the_result_is_at_the_action(
    operator_client: Client, melding: Melding, second_line: OperatorGroup, operator: User
) -> None:
    response = post(
        operator_client, melding, "note", {"text": "Zonder JS", "visibility": "internal"}, htmx=False
    )
    assert response.status_code == 302
    assert response["Location"] == f"{url(melding)}#action-note"
    page = operator_client.get(response["Location"]).content.decode()
    assert_result_in(page, "note", "The note has been added.")
    m = fresh(melding)
    response = post(
        operator_client, m, "escalate", {"to_group": second_line.pk, "reason": "Serverprobleem"}, htmx=False
    )
    assert response["Location"] == f"{url(m)}#action-escalate"
    page = operator_client.get(response["Location"]).content.decode()
    assert_result_in(page, "escalate", "escalated to the second line")  # shown though no longer offered

    # Bad input: the action's own page, the error at its top and the input kept.
    m = fresh(m)
    response = post(operator_client, m, "time", {"minutes": "0", "note": "bijna"}, htmx=False)
    assert response.status_code == 400
    page = response.content.decode()
    main = page.split("<main", 1)[1]
    assert main.index("message-error") < main.index("<form")
    assert 'value="bijna"' in page

    # A stale form: the conflict at the top, the input kept to copy from.
    stale = m.version
    services.set_estimates(m, minutes=30, people=1, means="", actor=operator, expected_version=None)
    response = operator_client.post(
        url(m, "estimates"),
        {"estimates-version": stale, "estimates-minutes": "45", "estimates-means": "ladder"},
    )
    assert response.status_code == 409
    page = response.content.decode()
    main = page.split("<main", 1)[1]
    assert main.index("Somebody else changed") < main.index("<form")
    assert 'value="ladder"' in page
    assert fresh(m).estimated_minutes == 30


# --------------------------------------------------------------------------------------------------
# the operator list follows the chosen operator group


def options(html: str) -> list[str]:
    return [v for v in re.findall(r'<option value="([^"]*)"', html) if v]


def test_the_operator_list_follows_the_chosen_group(
    operator_client: Client, melding: Melding, operator: User, specialist: User, second_line: OperatorGroup
) -> None:
    loose = make_person(Role.OPERATOR, first_name="Lou", last_name="Los")  # in no group
    response = operator_client.get("/meldingen/operators/", {"escalate-to_group": second_line.pk})
    assert response.status_code == 200
    assert options(response.content.decode()) == [str(specialist.pk)]
    everyone = options(operator_client.get("/meldingen/operators/").content.decode())
    assert {str(operator.pk), str(specialist.pk), str(loose.pk)} <= set(everyone)
    assert options(operator_client.get("/meldingen/operators/", {"operator_group": "x"}).content.decode())
    inactive = OperatorGroup.objects.create(name="Oud", is_first_line=True, active=False)
    inactive.members.add(loose)
    assert (
        options(
            operator_client.get("/meldingen/operators/", {"operator_group": inactive.pk}).content.decode()
        )
        == []
    )

    # The escalation form asks for the list when the group changes, and the assignment form starts
    # with the members of the melding's group.
    form = operator_client.get(url(melding, "escalate"), headers=HTMX_GET).content.decode()
    group_select = form.split('name="escalate-to_group"', 1)[1].split(">", 1)[0]
    assert 'hx-get="/meldingen/operators/"' in group_select
    assert 'hx-target="#id_escalate-operator"' in group_select
    form = operator_client.get(url(melding, "assign"), headers=HTMX_GET).content.decode()
    operator_select = form.split('name="assign-operator"', 1)[1].split("</select>", 1)[0]
    assert options(operator_select) == [str(operator.pk)]

    # The new-call form too.
    page = operator_client.get("/meldingen/new/").content.decode()
    group_select = page.split('name="operator_group"', 1)[1].split(">", 1)[0]
    assert 'hx-get="/meldingen/operators/"' in group_select
    assert 'hx-target="#id_operator"' in group_select


def test_an_operator_outside_the_group_is_refused_with_a_field_error(
    operator_client: Client,
    melding: Melding,
    operator: User,
    specialist: User,
    caller: User,
    first_line: OperatorGroup,
    second_line: OperatorGroup,
) -> None:
    response = post(
        operator_client,
        melding,
        "escalate",
        {"to_group": second_line.pk, "operator": operator.pk, "reason": "Server"},
        htmx=False,
    )
    assert response.status_code == 400
    form = response.content.decode().split("<form", 1)[1]
    operator_field = form.split('name="escalate-operator"', 1)[0].rsplit('class="field', 1)[-1]
    assert "is not a member of Systeembeheer" in operator_field + form.split('name="escalate-operator"', 1)[1]
    assert fresh(melding).line == Line.FIRST

    before = Melding.objects.count()
    response = operator_client.post(
        "/meldingen/new/",
        {
            "caller": caller.pk,
            "brief_description": "Scherm flikkert",
            "entry_type": "phone",
            "call_type": melding.call_type_id,
            "operator_group": first_line.pk,
            "operator": specialist.pk,
        },
    )
    assert response.status_code == 400
    assert "is not a member of Servicedesk" in response.content.decode()
    assert Melding.objects.count() == before
    # A bound form offers the members of the chosen group only (plus the operator chosen, to correct).
    page = response.content.decode()
    operator_select = page.split('name="operator"', 1)[1].split("</select>", 1)[0]
    assert set(options(operator_select)) == {str(operator.pk), str(specialist.pk)}


# --------------------------------------------------------------------------------------------------
# "waiting for supplier" asks which supplier


@pytest.fixture
def dell(db: Any) -> Supplier:
    return Supplier.objects.create(name="Dell Technologies")


def test_waiting_for_supplier_asks_which_supplier(
    operator_client: Client, melding: Melding, dell: Supplier, operator: User
) -> None:
    waiting = Status.objects.get(code="waiting_supplier")
    assert waiting.asks_supplier
    html = operator_client.get(url(melding)).content.decode()
    status_form = element(html, "action-status")
    assert f'value="{waiting.pk}" data-asks-supplier' in status_form
    assert 'name="status-supplier"' in status_form
    assert "Dell Technologies" in status_form

    response = post(operator_client, melding, "status", {"status": waiting.pk, "supplier": ""})
    slot = element(response.content.decode(), "action-status")
    assert "Choose the supplier the call is waiting for." in slot
    assert fresh(melding).status != waiting

    response = post(operator_client, melding, "status", {"status": waiting.pk, "supplier": dell.pk})
    assert response.status_code == 200
    m = fresh(melding)
    assert m.status == waiting
    assert m.supplier == dell
    assert HistoryEntry.objects.filter(melding=m, field="supplier", new_value="Dell Technologies").exists()
    head = response.content.decode().split('class="detail-grid"', 1)[0]
    assert "Waiting for supplier" in text(head)
    assert "Dell Technologies" in text(head)

    # Another working status keeps the supplier on record; it is not asked for.
    response = post(operator_client, m, "status", {"status": Status.objects.get(code="in_progress").pk})
    assert response.status_code == 200
    assert fresh(m).supplier == dell


def test_the_service_requires_an_active_supplier(melding: Melding, operator: User, dell: Supplier) -> None:
    waiting = Status.objects.get(code="waiting_supplier")
    with pytest.raises(DomainError) as refused:
        services.change_status(melding, status=waiting, actor=operator, expected_version=None)
    assert "supplier" in refused.value.field_errors
    gone = Supplier.objects.create(name="Failliet BV", active=False)
    with pytest.raises(DomainError) as refused:
        services.change_status(melding, status=waiting, supplier=gone, actor=operator, expected_version=None)
    assert "supplier" in refused.value.field_errors
    assert fresh(melding).status.code != "waiting_supplier"
    services.change_status(melding, status=waiting, supplier=dell, actor=operator, expected_version=None)
    assert fresh(melding).supplier == dell


def test_the_api_takes_the_supplier_with_the_status(melding: Melding, operator: User, dell: Supplier) -> None:
    from beheer.accounts import services as account_services

    _token, secret = account_services.issue_api_token(operator, name="test", actor=operator)
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    waiting = Status.objects.get(code="waiting_supplier")
    response = client.post(
        f"/api/v1/meldingen/{melding.pk}/status",
        {"status_id": waiting.pk, "version": melding.version},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "supplier" in response.json()["fields"]
    response = client.post(
        f"/api/v1/meldingen/{melding.pk}/status",
        {"status_id": waiting.pk, "supplier_id": dell.pk, "version": melding.version},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert fresh(melding).supplier == dell


# --------------------------------------------------------------------------------------------------
# history lines


AMS = ZoneInfo("Europe/Amsterdam")


@pytest.mark.parametrize(("language", "system"), [("en", "System"), ("nl", "Systeem")])
def test_history_lines_never_start_with_a_dash(
    language: str, system: str, settings: Any, operator: User, caller: User, first_line: OperatorGroup
) -> None:
    settings.LANGUAGE_CODE = language
    # An SLA escalation is recorded by the system, about a deadline rather than a field of the call.
    with clock.frozen(datetime(2026, 11, 30, 9, 0, tzinfo=AMS)):
        m = services.open_melding(
            actor=operator,
            brief_description="Server plat",
            entry_type=EntryType.PHONE,
            caller=caller,
            operator_group=first_line,
            impact=Impact.objects.get(code="organisation"),
            urgency=Urgency.objects.get(code="cannot_work"),
        )
    assert services.sweep_sla(now=datetime(2026, 11, 30, 11, 0, tzinfo=AMS)) >= 1
    assert HistoryEntry.objects.filter(melding=m, actor=None, action="sla_breached").exists()
    client = client_for(operator)
    client.cookies["django_language"] = language
    html = client.get(url(m), headers={"Accept-Language": language}).content.decode()
    timeline = html.split('class="timeline"', 1)[1].split("</ol>", 1)[0]
    lines = [text("<li" + li) for li in timeline.split("<li")[1:]]
    assert lines
    for line in lines:
        assert "—:" not in line, line
        assert not line.startswith("—"), line
        assert "— → —" not in line, line
    breached = next(line for line in lines if system in line and ("SLA" in line))
    assert "resolution:" not in breached
    assert "response:" not in breached


def test_preventive_activity_history_names_the_system(
    settings: Any, coordinator: User, operator: User
) -> None:
    from beheer.operations import services as operations
    from beheer.operations.tests.helpers import first_open, make_series

    utc = ZoneInfo("UTC")
    with clock.frozen(datetime(2026, 3, 1, 12, 0, tzinfo=utc)):
        series = make_series(coordinator, assignee=operator)
    occurrence = first_open(series)
    with clock.frozen(datetime(2026, 3, 2, 8, 0, tzinfo=utc)):
        assert operations.send_reminders() == 1
    client = client_for(operator)
    for language, system in (("en", "System"), ("nl", "Systeem")):
        settings.LANGUAGE_CODE = language
        client.cookies["django_language"] = language
        for path in (f"/preventief/{occurrence.pk}/", f"/preventief/reeksen/{series.pk}/"):
            html = client.get(path).content.decode()
            log = html.split('class="ops-log"', 1)[1].split("</ul>", 1)[0]
            lines = [text("<li" + li) for li in log.split("<li")[1:]]
            assert lines, path
            for line in lines:
                assert "—:" not in line, line
            if "reeksen" not in path:  # the reminder is in the occurrence's history
                assert any(f"{system}: " in line for line in lines), lines


def test_the_element_finder() -> None:
    """The helper these tests read pages with finds nested markup and stops at its end."""
    html = '<div id="a"><p>x<br>y</p><div id="b">in</div></div><p>out</p>'
    assert element(html, "a") == '<div id="a"><p>x<br>y</p><div id="b">in</div>'
    assert element(html, "b") == '<div id="b">in'
    assert element(html, "c") == ""
    assert text("<p>a &amp;  <b>b</b></p>") == "a & b"


def test_time_totals_are_the_same_added_up_or_asked_for(melding: Melding, operator: User) -> None:
    from beheer.servicedesk import queries

    for minutes in (10, 20, 30):
        services.register_time(melding, minutes=minutes, on=None, note="", actor=operator)
    added_up, entries = queries.time_shown(melding, operator, limit=5)
    asked, newest = queries.time_shown(melding, operator, limit=2)
    assert added_up == asked == queries.time_totals(melding, operator) == [{"line": "first", "minutes": 60}]
    assert len(entries) == 3
    assert len(newest) == 2


def test_action_slots_written_in_python_equal_the_template(operator: User, melding: Any) -> None:
    """`action_slot` writes a slot without form or result itself: the same HTML as the template."""
    from django.template import Context, Template
    from django.template.loader import get_template

    from beheer.servicedesk import actions as melding_actions

    available = ["classify", "escalate", "time"]
    specs = {name: melding_actions.ACTIONS[name] for name in available}
    values = {"m": melding, "available": available, "actions": specs, "forms": {}, "result": None}
    for name in available:
        fast = Template("{% load melding_tags %}{% action_slot name %}").render(
            Context({**values, "name": name})
        )
        slow = get_template("servicedesk/_action.html").render({**values, "name": name})
        assert " ".join(fast.split()) == " ".join(slow.split()), name
        assert f'hx-get="/meldingen/{melding.pk}/{name}/"' in fast
    hidden = Template('{% load melding_tags %}{% action_slot "merge" %}').render(Context(values))
    assert hidden == ""
