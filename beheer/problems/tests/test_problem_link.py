"""The link of a melding to its problem is problems' own row (ProblemMelding), shown on the melding
page and in the API's melding detail through the servicedesk's extension points."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from beheer.problems import services as problem_services
from beheer.problems.models import Problem, ProblemMelding
from beheer.servicedesk import extensions
from beheer.servicedesk.tests.test_api import token_client

from .problem_helpers import linked_problem_id, make_melding, make_problem

pytestmark = pytest.mark.django_db


def _page_queries(client: Client, pk: int) -> tuple[int, int, str]:
    """The page's query count, the queries of its own that read the link, and the page."""
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(f"/meldingen/{pk}/")
    assert r.status_code == 200
    own = [
        q
        for q in ctx.captured_queries
        if 'FROM "problems_problemmelding"' in q["sql"] and "page_sections" not in q["sql"]
    ]
    return len(ctx.captured_queries), len(own), r.content.decode()


def test_the_problem_comes_with_the_melding_page_only_when_linked(
    operator_client: Client, operator, caller
) -> None:
    assert "problem_link__problem" in extensions.page_related()
    assert "problem_link" in extensions.detail_related()
    p = make_problem(operator, title="Beamers PRB-LINK", workaround="Kabel WKA-LINK")
    linked = make_melding(operator, caller)
    plain = make_melding(operator, caller)
    problem_services.link_melding(p, melding=linked, actor=operator)
    _page_queries(operator_client, plain.pk)  # warm the per-process caches
    with_link, link_reads, page = _page_queries(operator_client, linked.pk)
    without, no_reads, other = _page_queries(operator_client, plain.pk)
    assert "PRB-LINK" in page
    assert "WKA-LINK" in page
    assert "PRB-LINK" not in other
    assert 'id="problem-panel"' in other
    # Unlinked (nearly every melding): the melding's own query asks whether a link exists, nothing
    # more is read and nothing is joined in. Linked: the link and its problem, read on their own.
    assert no_reads == 0
    assert link_reads == 1
    assert with_link == without + 2


def test_the_link_row_records_who_linked_and_goes_with_its_melding(operator, caller) -> None:
    p = make_problem(operator)
    melding = make_melding(operator, caller)
    assert problem_services.link_melding(p, melding=melding, actor=operator) is True
    link = ProblemMelding.objects.get(melding=melding)
    assert (link.problem_id, link.linked_by_id) == (p.pk, operator.pk)
    assert link.linked_at is not None
    assert problem_services.link_melding(p, melding=melding, actor=operator) is False  # already
    assert ProblemMelding.objects.filter(problem=p).count() == 1
    # a deleted problem takes its links along; the melding stays, unlinked
    Problem.objects.filter(pk=p.pk).delete()
    assert linked_problem_id(melding) is None
    assert type(melding).objects.filter(pk=melding.pk).exists()


def test_the_api_detail_shows_the_problem_to_staff_only(operator, caller) -> None:
    p = make_problem(operator)
    melding = make_melding(operator, caller)
    problem_services.link_melding(p, melding=melding, actor=operator)
    staff = token_client(operator).get(f"/meldingen/{melding.pk}").json()
    assert staff["problem"] == {"id": p.pk, "number": p.number}
    own = token_client(caller).get(f"/meldingen/{melding.pk}")
    assert own.status_code == 200
    assert own.json()["problem"] is None
    # a melding whose link was removed shows none
    problem_services.unlink_melding(p, melding=melding, actor=operator)
    assert token_client(operator).get(f"/meldingen/{melding.pk}").json()["problem"] is None
