"""The whole demo school (200 meldingen), loaded once: consistent the way real work through the
services leaves it, and looking like a normal week at a school today."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone

from beheer.accounts.models import User
from beheer.core import clock, config_cache
from beheer.knowledge.models import Article, ArticleStatus, Audience
from beheer.monitoring.models import Check
from beheer.notifications.models import OutgoingMessage
from beheer.problems.models import Problem, ProblemStatus
from beheer.reports import kpis
from beheer.servicedesk.models import (
    HistoryEntry,
    Line,
    Melding,
    MeldingOla,
    StatusKind,
    TimeEntry,
)
from beheer.servicedesk.suggestions import suggest


class Demo:
    def __init__(self, now: datetime, stderr: str) -> None:
        self.now = now
        self.stderr = stderr


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """The full demo (200 meldingen), loaded once at a fixed moment and rolled back afterwards.

    Loaded with the configuration cache on, as `beheer demo` runs (the test settings turn it off)."""
    now = timezone.now().replace(microsecond=0)
    err = StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        config_cache.clear()
        try:
            with clock.frozen(now), override_settings(CONFIG_CACHE_SECONDS=10):
                call_command("load_demo", stdout=StringIO(), stderr=err)
        finally:
            config_cache.clear()
        yield Demo(now, err.getvalue())
        transaction.set_rollback(True)


def _main() -> Any:
    return Melding.objects.filter(parent=None)


@pytest.mark.django_db
def test_every_step_of_the_demo_was_accepted_by_the_services(demo: Demo) -> None:
    assert demo.stderr == ""
    # the two hundred asked for, the call a change's evaluation follow-up became, and the security
    # register's closed breach
    assert _main().exclude(entry_type="preventive").count() == 202


@pytest.mark.django_db
def test_nothing_in_the_demo_lies_in_the_future(demo: Demo) -> None:
    now = demo.now
    for field in (
        "created_at",
        "updated_at",
        "first_response_at",
        "resolved_at",
        "closed_at",
        "confirmed_at",
    ):
        assert not Melding.objects.filter(**{f"{field}__gt": now}).exists(), field
    assert not HistoryEntry.objects.filter(at__gt=now).exists()
    assert not TimeEntry.objects.filter(date__gt=timezone.localdate(now)).exists()
    assert not Problem.objects.filter(updated_at__gt=now).exists()
    assert not Article.objects.filter(updated_at__gt=now).exists()
    # spread over the last weeks, not bunched up
    oldest = _main().order_by("created_at").first()
    assert oldest is not None
    assert now - oldest.created_at > timedelta(days=40)
    assert _main().filter(created_at__gt=now - timedelta(days=7)).count() >= 10


@pytest.mark.django_db
def test_open_meldingen_are_recent_and_about_one_in_ten_is_past_its_target(demo: Demo) -> None:
    now = demo.now
    open_meldingen = list(_main().filter(is_open=True))
    states = [m.sla_state(now) for m in open_meldingen]
    breached = states.count("breached")
    assert len(open_meldingen) >= 8
    assert 1 <= breached <= max(2, round(0.2 * len(open_meldingen)))  # about one in ten, not most
    assert all(now - m.created_at < timedelta(days=30) for m in open_meldingen)
    # finished work met its targets mostly (a few late ones, as in real life)
    finished = _main().filter(is_open=False).exclude(entry_type="preventive")
    late = finished.filter(resolution_met=False).count()
    assert 0 < late <= 0.15 * finished.count()


@pytest.mark.django_db
def test_no_melding_is_closed_before_it_was_resolved(demo: Demo) -> None:
    for m in Melding.objects.select_related("status"):
        assert m.created_at <= m.updated_at
        if m.first_response_at is not None:
            assert m.first_response_at >= m.created_at
        if m.resolved_at is not None:
            assert m.resolved_at >= m.created_at, m.number
        if m.closed_at is not None:
            assert m.resolved_at is not None, m.number
            assert m.closed_at >= m.resolved_at, m.number
        if m.confirmed_at is not None:
            assert m.closed_at is not None
            assert m.confirmed_at >= m.resolved_at
        kind = m.status.kind
        assert m.is_open == (kind in (StatusKind.NEW, StatusKind.OPEN, StatusKind.WAITING)), m.number
        assert (m.resolved_at is not None) == (kind in (StatusKind.RESOLVED, StatusKind.CLOSED)), m.number
        assert (m.closed_at is not None) == (kind == StatusKind.CLOSED), m.number


@pytest.mark.django_db
def test_statuses_agree_with_their_history(demo: Demo) -> None:
    history: dict[int, list[HistoryEntry]] = defaultdict(list)
    for entry in HistoryEntry.objects.order_by("at", "id"):
        history[entry.melding_id].append(entry)
    resolved_long_ago = demo.now - timedelta(days=15)
    for m in Melding.objects.select_related("status"):
        entries = history[m.pk]
        assert entries[0].action == "created", m.number
        assert entries[0].at == m.created_at, m.number
        changes = [e for e in entries if e.field == "status"]
        if changes:
            assert changes[-1].new_ref == str(m.status_id), m.number
            for before, after in itertools.pairwise(changes):
                assert before.new_ref == after.old_ref or not after.old_ref
        else:
            assert m.status.kind == StatusKind.NEW, m.number
        assert m.reopen_count == sum(1 for e in entries if e.action == "reopened")
        if m.resolved_at is not None:
            assert max(e.at for e in entries if e.action == "resolved") == m.resolved_at
        if m.closed_at is not None:
            assert [e.at for e in entries if e.action == "closed"] == [m.closed_at]
        # the worker closes what the caller did not confirm, after the reopen period of 14 days
        if m.resolved_at is not None and m.resolved_at < resolved_long_ago:
            assert m.closed_at is not None, m.number


@pytest.mark.django_db
def test_ratings_and_comments_agree(demo: Demo) -> None:
    positive = ("top", "super", "fijn", "prima", "bedankt", "dank je", "goed geholpen")
    negative = ("lang", "niet", "pas na", "zelf steeds", "niemand", "twee keer")
    rated = list(_main().exclude(satisfaction_rating=None))
    assert len(rated) >= 40
    for m in rated:
        comment = m.satisfaction_comment.lower()
        assert m.confirmed_at is not None
        if m.satisfaction_rating >= 4:
            assert not any(word in comment for word in negative), (m.satisfaction_rating, comment)
        if m.satisfaction_rating <= 2:
            assert not any(word in comment for word in positive), (m.satisfaction_rating, comment)
    assert not _main().filter(satisfaction_rating=None).exclude(satisfaction_comment="").exists()
    on_time = [m.satisfaction_rating for m in rated if m.resolution_met and not m.reopen_count]
    late = [m.satisfaction_rating for m in rated if m.resolution_met is False or m.reopen_count]
    assert on_time
    assert late
    assert sum(late) / len(late) < sum(on_time) / len(on_time) - 0.5


@pytest.mark.django_db
def test_time_per_line_and_per_group_adds_up(demo: Demo) -> None:
    operator = User.objects.get(username="demo.coordinator")
    today = timezone.localdate(demo.now)
    period = kpis.parse_filter({"date_from": (today - timedelta(days=400)).isoformat(), "date_to": today})
    spent = kpis.time_spent(operator, period)
    registered = TimeEntry.objects.aggregate(total=Sum("minutes"))["total"]
    assert registered
    assert registered > 0
    assert spent["total_minutes"] == registered
    assert sum(row["minutes"] for row in spent["by_line"]) == registered
    assert sum(row["minutes"] for row in spent["by_group"]) == registered
    by_group = {row["id"]: row["minutes"] for row in spent["by_group"]}
    for row in kpis.per_group(operator, period):
        assert row["minutes"] == by_group.get(row["id"], 0)
    assert {row["key"] for row in spent["by_line"]} == {Line.FIRST, Line.SECOND}
    # every registration is booked on the line the melding was in then, by a member of a group of it
    escalated = dict(
        HistoryEntry.objects.filter(action="escalated").values_list("melding_id", "at").order_by("at")
    )
    for entry in TimeEntry.objects.select_related("melding", "melding__operator_group", "operator"):
        m = entry.melding
        was_second = m.pk in escalated and entry.created_at >= escalated[m.pk]
        assert entry.line == (Line.SECOND if was_second else Line.FIRST), m.number
        groups = entry.operator.operator_groups.all()
        if was_second:
            assert m.operator_group in groups
        else:
            assert any(g.is_first_line for g in groups)
        assert m.created_at <= entry.created_at
        assert m.closed_at is None or entry.created_at <= m.closed_at


@pytest.mark.django_db
def test_the_first_line_mostly_meets_its_ola(demo: Demo) -> None:
    rows = MeldingOla.objects.filter(operator_group__name="Servicedesk").exclude(met=None)
    met = rows.filter(met=True).count()
    assert rows.count() >= 150
    assert 0.75 <= met / rows.count() < 1


FAMILIES = (
    "Printer",
    "Wifi",
    "Magister",
    "Chromebook",
    "Digibord en beamer",
    "Wachtwoord",
    "Microsoft 365",
    "ELO",
)


@pytest.mark.django_db
@pytest.mark.parametrize("family", FAMILIES)
def test_similar_melding_suggestions_come_from_the_same_family(demo: Demo, family: str) -> None:
    operator = User.objects.get(username="demo.behandelaar")
    subcategory = dict(Melding.objects.values_list("pk", "subcategory__name"))
    recent = list(_main().filter(subcategory__name=family).order_by("-created_at")[:3])
    assert recent
    for m in recent:
        found = suggest(m.brief_description, m.request, operator, exclude_melding=m.pk).meldingen
        assert found, m.brief_description
        assert subcategory[found[0].id] == family, (m.brief_description, found[0].brief_description)
        same = sum(1 for s in found[:3] if subcategory[s.id] == family)
        assert same >= min(2, len(found)), [s.brief_description for s in found[:3]]


@pytest.mark.django_db
def test_problems_and_knowledge_articles(demo: Demo) -> None:
    known = Problem.objects.get(status=ProblemStatus.KNOWN_ERROR)
    assert known.workaround
    assert known.root_cause
    assert known.known_error_article is not None
    assert known.known_error_article.status == ArticleStatus.PUBLISHED
    linked = list(Melding.objects.filter(problem_link__problem=known))
    assert len(linked) >= 4
    assert any(m.is_workaround and m.solution_article_id == known.known_error_article_id for m in linked)
    closed = Problem.objects.get(status=ProblemStatus.CLOSED)
    solved = Melding.objects.filter(problem_link__problem=closed)
    assert solved.count() >= 3
    assert not solved.filter(is_open=True).exists()
    assert (
        HistoryEntry.objects.filter(melding__problem_link__problem=closed, action="problem_resolved").count()
        >= 3
    )
    assert Problem.objects.filter(status=ProblemStatus.ANALYSING).count() == 1
    assert Problem.objects.count() == 3

    published = Article.objects.filter(status=ArticleStatus.PUBLISHED)
    assert 11 <= published.count() <= 14
    assert published.filter(audience=Audience.CALLERS, kind="instruction").count() >= 5
    assert published.filter(kind__startswith="procedure").count() >= 2
    today = timezone.localdate(demo.now)
    assert published.filter(next_review_on__lte=today).exists()  # one waits for its review
    assert published.filter(next_review_on__gt=today, next_review_on__lte=today + timedelta(days=30)).exists()
    assert published.filter(current_version__number__gte=2).exists()
    approved = published.filter(kind="procedure_security").get()
    assert approved.current_version.approved_by_id not in (None, approved.current_version.author_id)
    # solutions point callers to the instructions in the portal
    assert Melding.objects.filter(
        solution_article__audience=Audience.CALLERS, solution__contains="KB-"
    ).exists()


@pytest.mark.django_db
def test_a_second_run_changes_nothing(demo: Demo) -> None:
    tables = (Melding, HistoryEntry, TimeEntry, Article, Problem, Check, OutgoingMessage, User)
    before = [model.objects.count() for model in tables]
    with clock.frozen(demo.now + timedelta(minutes=5)):
        call_command("load_demo", stdout=StringIO())
    assert [model.objects.count() for model in tables] == before
