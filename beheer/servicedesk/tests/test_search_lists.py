"""Searching the melding list at any size: rare words, numbers, callers; the same queries for the
operator list and the API; the quick search; the caller filter and its permissions."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from beheer.accounts.models import Role
from beheer.servicedesk import queries, services
from beheer.servicedesk.models import EntryType, Melding
from tests.helpers import client_for, make_person

API = "/api/v1/meldingen"


def _open(operator: Any, caller: Any, brief: str, request: str = "") -> Melding:
    return services.open_melding(
        actor=operator, brief_description=brief, request=request, entry_type=EntryType.PHONE, caller=caller
    )


def _api_ids(client: Any, **params: Any) -> list[int]:
    response = client.get(API, params)
    assert response.status_code == 200, response.content
    return [m["id"] for m in response.json()["items"]]


def _statements(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries]


# --------------------------------------------------------------------------------------------------
# query shape


def test_a_rare_word_is_read_from_the_index_and_looked_up_by_key(operator, caller):
    hits = [_open(operator, caller, f"Zwanenburg belde {i}") for i in range(3)]
    for i in range(5):
        _open(operator, caller, f"Printer {i} kapot")
    with CaptureQueriesContext(connection) as ctx:
        page = queries.melding_page(operator, queries.MeldingFilter(q="zwanenburg"), sort="newest")
    assert [m.pk for m in page.items] == [m.pk for m in reversed(hits)]
    keys = [sql for sql in _statements(ctx) if "servicedesk_melding" in sql and "ORDER BY" in sql]
    # the few matches are looked up by primary key; no query walks a sort order looking for them
    assert keys == [], keys


def test_a_common_word_walks_the_sort_order_and_pages_correctly(operator, caller, monkeypatch):
    monkeypatch.setattr(queries, "SEARCH_BOUND", 3)
    made = [_open(operator, caller, f"Printer {i} kapot") for i in range(7)]
    _open(operator, caller, "Laptop start niet")
    plan = queries.search_plan("printer", operator, bound=queries.SEARCH_BOUND)
    assert plan.ids == []
    assert len(plan.conditions) == 1  # more matches than the bound: checked while walking the list
    seen: list[int] = []
    cursor = None
    for _ in range(10):
        page = queries.melding_page(
            operator, queries.MeldingFilter(q="printer"), sort="newest", size=2, cursor=cursor
        )
        seen += [m.pk for m in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [m.pk for m in reversed(made)]


def test_search_pages_merge_few_and_many_matches_in_order(operator, caller, monkeypatch):
    """A text that names a caller with few calls and is a common word in others: both kinds of
    match, each read its own way, merged into one ordered list without duplicates."""
    monkeypatch.setattr(queries, "SEARCH_BOUND", 3)
    jansen = make_person(Role.CALLER, first_name="Jan", last_name="Printerman")
    theirs = [_open(operator, jansen, f"Scherm {i} flikkert") for i in range(2)]
    texts = [_open(operator, caller, f"Printerman {i} kapot") for i in range(5)]
    both = _open(operator, jansen, "Printerman belde zelf")
    plan = queries.search_plan("printerman", operator, bound=queries.SEARCH_BOUND)
    assert plan.ids == sorted([*(m.pk for m in theirs), both.pk])
    assert len(plan.conditions) == 1
    expected = sorted([*theirs, *texts, both], key=lambda m: m.pk, reverse=True)
    seen: list[int] = []
    cursor = None
    for _ in range(10):
        page = queries.melding_page(
            operator, queries.MeldingFilter(q="printerman"), sort="newest", size=3, cursor=cursor
        )
        seen += [m.pk for m in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [m.pk for m in expected]
    # the same set as the list's single condition (exports)
    everything = queries.filter_meldingen(
        Melding.objects.all(), queries.MeldingFilter(q="printerman"), operator
    )
    assert set(everything.values_list("pk", flat=True)) == set(seen)


def test_a_number_is_a_primary_key_lookup_without_the_text_index(operator, caller):
    m = _open(operator, caller, "Beamer doet het niet")
    other = _open(operator, caller, f"Zie ook {m.pk} en M{m.pk:07d}")
    for text in (m.number, m.number.lower(), f"m{m.pk}", str(m.pk), f" {m.pk} "):
        with CaptureQueriesContext(connection) as ctx:
            ids = _ids(operator, text)
        assert ids == [m.pk], text
        sql = " ".join(_statements(ctx))
        assert "core_search" not in sql, text
        assert "accounts_user" not in sql, text  # no people scan for a plain number
    assert other.pk not in _ids(operator, str(m.pk))
    assert _ids(operator, "M9999999") == []


def _ids(user: Any, text: str) -> list[int]:
    return [m.pk for m in queries.melding_page(user, queries.MeldingFilter(q=text)).items]


def _count_queries(client: Any, path: str, params: dict[str, Any]) -> tuple[int, str]:
    client.get(path, params)  # warm the per-process configuration cache
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, params)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.parametrize(
    ("path", "params", "bound"),
    [
        (API, {"q": "kwartelkoning", "limit": 25}, 8),
        (API, {"q": "kwartelkoning", "queue": "open", "sort": "priority"}, 8),
        # the page also reads the filter form's choices (statuses, groups, operators, ...)
        ("/meldingen/", {"queue": "all", "q": "kwartelkoning"}, 16),
    ],
)
def test_search_list_query_count_does_not_grow_with_the_matches(operator, caller, path, params, bound):
    client = client_for(operator)
    for i in range(3):
        _open(operator, caller, f"Kwartelkoning {i}")
    few, body = _count_queries(client, path, params)
    assert body.count("Kwartelkoning") >= 3
    for i in range(3, 40):
        _open(operator, caller, f"Kwartelkoning {i}")
    many, body = _count_queries(client, path, params)
    assert body.count("Kwartelkoning") >= 25
    assert many == few
    assert few <= bound


def test_operator_list_and_api_ask_the_database_the_same(operator, caller):
    for i in range(4):
        _open(operator, caller, f"Zwanenburg {i}")
    for i in range(3):
        _open(operator, caller, f"Printer {i}")
    ui, api = client_for(operator), client_for(operator)

    def key_queries(run: Any) -> list[str]:
        with CaptureQueriesContext(connection) as ctx:
            run()
        # the search and the keys of the page: everything but the rows' joins and the session
        return [
            sql
            for sql in _statements(ctx)
            if ("core_search" in sql or "servicedesk_melding" in sql)
            and "INNER JOIN" not in sql
            and "LEFT OUTER JOIN" not in sql
        ]

    for q in ("zwanenburg", "printer"):
        from_ui = key_queries(lambda q=q: ui.get("/meldingen/", {"queue": "all", "q": q, "sort": "newest"}))
        from_api = key_queries(lambda q=q: api.get(API, {"queue": "all", "q": q, "sort": "newest"}))
        assert from_ui, q
        assert from_ui == from_api, q


# --------------------------------------------------------------------------------------------------
# callers: by name, e-mail and phone; the caller filter; permissions


@pytest.fixture
def callers(db):
    return {
        "anna": make_person(
            Role.CALLER,
            first_name="Anna",
            last_name="Zandvoort",
            email="a.zandvoort@school.example",
            phone="06-12345678",
        ),
        "bram": make_person(
            Role.CALLER,
            first_name="Bram",
            last_name="Bakker",
            email="bram@school.example",
            phone="020 555 1234",
        ),
    }


def test_operator_finds_meldingen_by_caller_name_email_and_phone(operator, callers):
    anna, bram = callers["anna"], callers["bram"]
    mine = _open(operator, anna, "Beamer flikkert")
    other = _open(operator, bram, "Laptop traag")
    for text in (
        "Zandvoort",
        "zandv",
        "Anna Zandvoort",
        "a.zandvoort@school",
        "06-12345678",
        "0612345678",
        "06 1234 5678",
        "+31 6 12345678",
    ):
        assert _ids(operator, text) == [mine.pk], text
    assert _ids(operator, "020-5551234") == [other.pk]
    assert _ids(operator, "Anna Bakker") == []  # every word must fit the same person


def test_caller_never_finds_others_meldingen_by_name(operator, callers):
    anna, bram = callers["anna"], callers["bram"]
    _open(operator, anna, "Beamer flikkert")
    own = _open(operator, bram, "Laptop traag")
    assert _ids(bram, "Zandvoort") == []
    assert _ids(bram, "06-12345678") == []
    assert _ids(bram, "Bakker") == [own.pk]
    api = client_for(bram)
    assert _api_ids(api, q="Zandvoort") == []
    assert _api_ids(api, q="a.zandvoort@school.example") == []


def test_caller_cannot_filter_on_another_caller(operator, callers):
    anna, bram = callers["anna"], callers["bram"]
    theirs = _open(operator, anna, "Beamer flikkert")
    own = _open(operator, bram, "Laptop traag")
    api = client_for(bram)
    assert _api_ids(api, caller=anna.pk) == []
    assert _api_ids(api, caller=bram.pk) == [own.pk]
    export = api.get(f"{API}/export.csv", {"caller": anna.pk})
    assert export.status_code == 200
    body = export.getvalue().decode()
    assert theirs.number not in body
    # the operator's list is staff-only, and its caller filter offers nobody to a caller
    assert client_for(bram).get("/meldingen/", {"caller": anna.pk}).status_code == 403
    assert client_for(bram).get("/meldingen/caller-filter/", {"caller_q": "Zandvoort"}).status_code == 403


def test_caller_filter_in_api_ui_and_export_is_the_same(operator, callers):
    anna, bram = callers["anna"], callers["bram"]
    hers = [_open(operator, anna, f"Beamer {i}") for i in range(2)]
    _open(operator, bram, "Laptop traag")
    api = client_for(operator)
    assert sorted(_api_ids(api, caller=anna.pk)) == [m.pk for m in hers]
    page = client_for(operator).get("/meldingen/", {"queue": "all", "caller": anna.pk}).content.decode()
    assert all(m.number in page for m in hers)
    assert "Laptop traag" not in page
    assert f'value="{anna.pk}" checked' in page  # the chosen caller is shown in the filter
    export = api.get(f"{API}/export.csv", {"caller": anna.pk}).getvalue().decode()
    assert all(m.number in export for m in hers)
    assert "Laptop traag" not in export


def test_caller_filter_options_find_people_by_name_email_and_phone(operator, callers):
    ui = client_for(operator)
    for text in ("Zandv", "a.zandvoort", "0612345678"):
        body = ui.get("/meldingen/caller-filter/", {"caller_q": text}).content.decode()
        assert f'value="{callers["anna"].pk}"' in body, text
        assert f'value="{callers["bram"].pk}"' not in body, text
    nobody = ui.get("/meldingen/caller-filter/", {"caller_q": "Xyzzy"}, headers={"Accept-Language": "en"})
    assert 'name="caller"' not in nobody.content.decode()
    assert "Nobody found" in nobody.content.decode() or "Niemand gevonden" in nobody.content.decode()


def test_search_text_naming_a_caller_offers_their_filter(operator, callers):
    _open(operator, callers["anna"], "Beamer flikkert")
    body = client_for(operator).get("/meldingen/", {"queue": "all", "q": "Zandvoort"}).content.decode()
    assert f"caller={callers['anna'].pk}" in body
    assert "Beamer flikkert" in body


# --------------------------------------------------------------------------------------------------
# the quick search in the top bar


def test_quick_search_with_a_number_opens_the_melding(operator, caller):
    m = _open(operator, caller, "Beamer flikkert")
    ui = client_for(operator)
    for text in (m.number, m.number.lower(), f"m{m.pk}", str(m.pk)):
        response = ui.get("/meldingen/search/", {"q": text})
        assert response.status_code == 302, text
        assert response["Location"] == f"/meldingen/{m.pk}/", text


def test_quick_search_without_a_visible_melding_shows_the_results(operator, caller):
    _open(operator, caller, "Beamer flikkert")
    ui = client_for(operator)
    response = ui.get("/meldingen/search/", {"q": "M9999999"})
    assert response.status_code == 302
    assert response["Location"].startswith("/meldingen/?")
    assert "q=M9999999" in response["Location"]
    response = ui.get("/meldingen/search/", {"q": "beamer"})
    assert "/meldingen/?" in response["Location"]
    page = ui.get(response["Location"])
    assert "Beamer flikkert" in page.content.decode()
    # the hostile and the empty
    for text in ("", "M" + "9" * 40, "<script>", "\x00"):
        assert ui.get("/meldingen/search/", {"q": text}).status_code == 302
    assert client_for(caller).get("/meldingen/search/", {"q": "1"}).status_code == 403


def test_quick_search_is_in_the_top_bar(operator):
    body = client_for(operator).get("/meldingen/").content.decode()
    assert 'action="/meldingen/search/"' in body


# --------------------------------------------------------------------------------------------------
# registering: the chosen caller's open meldingen


def test_registration_shows_the_callers_open_meldingen(operator, callers):
    anna = callers["anna"]
    open_one = _open(operator, anna, "Beamer flikkert")
    done = _open(operator, anna, "Muis kapot")
    services.resolve_melding(done, solution="Nieuwe muis", actor=operator, expected_version=None)
    _open(operator, callers["bram"], "Laptop traag")
    ui = client_for(operator)
    body = ui.get("/meldingen/callers/open/", {"caller": anna.pk}).content.decode()
    assert open_one.number in body
    assert done.number not in body
    assert "Laptop traag" not in body
    empty = ui.get("/meldingen/callers/open/", {"caller": callers["bram"].pk + 1000}).content.decode()
    assert "Beamer" not in empty
    for raw in ("", "abc", "9" * 40, "-1"):
        assert ui.get("/meldingen/callers/open/", {"caller": raw}).status_code == 200
    assert client_for(anna).get("/meldingen/callers/open/", {"caller": anna.pk}).status_code == 403
    form = ui.get("/meldingen/new/").content.decode()
    assert 'hx-get="/meldingen/callers/open/"' in form


def test_registration_form_with_a_chosen_caller_shows_their_open_meldingen(operator, callers):
    anna = callers["anna"]
    open_one = _open(operator, anna, "Beamer flikkert")
    # an invalid submission re-renders the form with the chosen caller
    response = client_for(operator).post("/meldingen/new/", {"caller": anna.pk, "brief_description": ""})
    assert response.status_code == 400
    assert open_one.number in response.content.decode()


def test_registration_open_meldingen_query_count(operator, callers, django_assert_max_num_queries):
    anna = callers["anna"]
    for i in range(15):
        _open(operator, anna, f"Beamer {i}")
    ui = client_for(operator)
    ui.get("/meldingen/callers/open/", {"caller": anna.pk})
    with django_assert_max_num_queries(6):  # session, user, the person, the open calls; no N+1
        body = ui.get("/meldingen/callers/open/", {"caller": anna.pk}).content.decode()
    assert body.count("/meldingen/") >= 10
    assert f"caller={anna.pk}" in body  # more than shown: a link to all of them
