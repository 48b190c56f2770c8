"""The plans behind a rare-word search: start from the search index, look the few matches up by
primary key, never walk a sort index of the meldingen in the hope of meeting them (which at a
million meldingen took a second on PostgreSQL)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from beheer.servicedesk import queries, services
from beheer.servicedesk.models import FOR_LIST, EntryType, Melding

# the list's sort indexes (models/melding.py): walking one of them is what a rare word must not do
SORT_INDEX = re.compile(
    r"(Index|Index Only) Scan(?: Backward)? using (m_\w+)|USING (?:COVERING )?INDEX (m_\w+)"
)


def _explain(sql: str, params: Any) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(" ".join(str(col) for col in row) for row in cursor.fetchall())


@pytest.fixture
def many(operator, caller):
    """A few hundred meldingen about printers, three about Zwanenburg."""
    for i in range(60):
        services.open_melding(
            actor=operator,
            brief_description=f"Printer {i} storing",
            request="De printer geeft een papierstoring",
            entry_type=EntryType.PHONE,
            caller=caller,
        )
    return [
        services.open_melding(
            actor=operator,
            brief_description=f"Zwanenburg belde over scherm {i}",
            request="",
            entry_type=EntryType.PHONE,
            caller=caller,
        )
        for i in range(3)
    ]


@pytest.mark.parametrize("sort", ["newest", "priority"])
def test_rare_word_search_starts_from_the_search_index(operator, many, sort):
    with CaptureQueriesContext(connection) as ctx:
        page = queries.melding_page(
            operator, queries.MeldingFilter(q="zwanenburg"), sort=sort, related=FOR_LIST
        )
    assert {m.pk for m in page.items} == {m.pk for m in many}
    statements = [(q["sql"], q.get("params")) for q in ctx.captured_queries]
    searched = melding_plans = 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # tiny tables: a sequential scan would win anyway; make the planner show its index choice
                cursor.execute("SET LOCAL enable_seqscan = off")
        for sql, _params in statements:
            if sql.startswith("EXPLAIN"):  # the planner's estimate of how common the words are
                continue
            raw = _explain_captured(sql)
            if "core_search" in sql:
                searched += 1
                assert "core_search_document_gin" in raw or "VIRTUAL TABLE INDEX" in raw, raw
            if "servicedesk_melding" in sql:
                melding_plans += 1
                assert not SORT_INDEX.search(raw), f"{sql}\n{raw}"
    assert searched >= 1  # the rare word is read from the search index first
    assert melding_plans >= 2  # the keys by primary key, then the rows


def _explain_captured(sql: str) -> str:
    """EXPLAIN a captured statement (Django's captured SQL has its parameters filled in)."""
    return _explain(sql, None)


def test_rare_word_keys_are_read_without_a_sort(operator, many):
    """The statement that finds the page's keys for a rare word has no ORDER BY and no LIMIT: the
    database cannot choose to walk the sort index; the few rows are sorted after."""
    with CaptureQueriesContext(connection) as ctx:
        queries.melding_page(operator, queries.MeldingFilter(q="zwanenburg", queue="open"), sort="priority")
    melding_sql = [q["sql"] for q in ctx.captured_queries if "servicedesk_melding" in q["sql"]]
    assert melding_sql
    assert not [sql for sql in melding_sql if "ORDER BY" in sql and "LIMIT" in sql], melding_sql
    assert Melding.objects.count() == 63
