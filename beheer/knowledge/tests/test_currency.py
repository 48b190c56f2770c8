"""Keeping knowledge current: confirming a review, the review reminder job, stale articles in the list,
the API and the dashboard, and archived articles (administrators only, always marked)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from beheer.accounts.models import Role, User
from beheer.core import clock
from beheer.core.errors import Conflict, DomainError, PermissionDenied
from beheer.knowledge import periodic, services
from beheer.knowledge.models import Article, Audience, Kind
from beheer.notifications.models import OutgoingMessage
from beheer.reports.dashboard import Scope, build_dashboard
from tests.helpers import client_for, make_person

from .helpers import published
from .test_xss import PAYLOAD, assert_safe

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=timezone.get_default_timezone())
TODAY = NOW.date()


def _due(article: Article, day: date) -> Article:
    """Test set-up: the article's review date moved (as if published long ago)."""
    Article.objects.filter(pk=article.pk).update(next_review_on=day)
    return Article.objects.get(pk=article.pk)


def _reminders(article: Article) -> list[OutgoingMessage]:
    return list(
        OutgoingMessage.objects.filter(event="article_review_due", object_id=article.pk).order_by("pk")
    )


# --------------------------------------------------------------------------------------------------
# mark_reviewed


def test_the_owner_confirms_a_review(operator: User) -> None:
    article = published(operator, title="VPN", review_interval_days=30)
    article = _due(article, TODAY - timedelta(days=3))
    with clock.frozen(NOW):
        reviewed = services.mark_reviewed(article, actor=operator, expected_version=article.version)
    reviewed = Article.objects.get(pk=article.pk)
    assert reviewed.next_review_on == TODAY + timedelta(days=30)
    assert reviewed.last_reviewed_by == operator
    assert reviewed.last_reviewed_at == NOW
    assert reviewed.version == article.version + 1
    assert not reviewed.is_stale(TODAY)


def test_who_may_confirm_a_review(operator: User, specialist: User, coordinator: User, caller: User) -> None:
    article = published(operator, title="Wifi", audience=Audience.CALLERS)
    with pytest.raises(PermissionDenied):
        services.mark_reviewed(article, actor=specialist, expected_version=article.version)
    with pytest.raises(PermissionDenied):
        services.mark_reviewed(article, actor=caller, expected_version=article.version)
    article = services.mark_reviewed(article, actor=coordinator, expected_version=article.version)
    assert Article.objects.get(pk=article.pk).last_reviewed_by == coordinator


def test_review_needs_the_current_version_and_a_published_article(operator: User) -> None:
    article = published(operator, title="Printer")
    with pytest.raises(Conflict):
        services.mark_reviewed(article, actor=operator, expected_version=article.version - 1)
    draft = services.create_article(actor=operator, title="Draft")
    with pytest.raises(DomainError):
        services.mark_reviewed(draft, actor=operator, expected_version=draft.version)


def test_an_operator_cannot_review_an_administrators_article(operator: User, administrator: User) -> None:
    article = published(administrator, title="Root", audience=Audience.ADMINISTRATORS)
    Article.objects.filter(pk=article.pk).update(owner=operator)  # even as its (former) owner
    with pytest.raises(DomainError):  # not found for them
        services.mark_reviewed(article, actor=operator, expected_version=article.version)


# --------------------------------------------------------------------------------------------------
# the reminder job


def test_the_job_run_twice_reminds_once(operator: User) -> None:
    article = _due(published(operator, title="Back-up"), TODAY - timedelta(days=1))
    with clock.frozen(NOW):
        assert services.remind_review_due() == 1
        assert services.remind_review_due() == 0
        periodic.remind_review_due()
    with clock.frozen(NOW + timedelta(days=1)):  # the next day: still the same due date
        assert services.remind_review_due() == 0
    messages = _reminders(article)
    assert [m.recipient_user for m in messages] == [operator]
    assert messages[0].key.startswith(f"knowledge:article:{article.pk}:review:{TODAY - timedelta(days=1)}")
    assert f"/kennisbank/{article.pk}/" in messages[0].body_text


def test_one_article_whose_reminder_fails_does_not_stop_the_others(operator: User, monkeypatch: Any) -> None:
    from beheer.knowledge.services import currency
    from tests.helpers import run_job

    bad = _due(published(operator, title="Kapot"), TODAY - timedelta(days=1))  # reminded first
    good = _due(published(operator, title="Back-up"), TODAY - timedelta(days=1))
    real = currency.review_recipients

    def recipients(article: Article) -> list[User]:
        if article.pk == bad.pk:
            raise ValueError("an article whose data makes the reminder fail")
        return real(article)

    monkeypatch.setattr(currency, "review_recipients", recipients)
    with clock.frozen(NOW):
        run = run_job("knowledge.remind_review_due")
    assert len(_reminders(good)) == 1
    assert _reminders(bad) == []
    assert Article.objects.get(pk=bad.pk).review_reminded_for is None  # tried again next run
    assert run.failed_items == 1
    assert run.last_error == f"article {bad.pk}: ValueError: an article whose data makes the reminder fail"


def test_a_new_due_date_reminds_again(operator: User) -> None:
    article = _due(published(operator, title="Back-up"), TODAY)
    with clock.frozen(NOW):
        services.remind_review_due()
        article = services.mark_reviewed(
            Article.objects.get(pk=article.pk), actor=operator, expected_version=article.version
        )
        assert services.remind_review_due() == 0  # reviewed: not due any more
    # a year later the new date has come
    later = NOW + timedelta(days=article.review_interval_days)
    with clock.frozen(later):
        assert services.remind_review_due() == 1
        assert services.remind_review_due() == 0
    assert len(_reminders(article)) == 2


def test_the_same_due_date_is_not_reminded_even_if_the_outbox_key_would_differ(
    operator: User, specialist: User
) -> None:
    article = _due(published(operator, title="Back-up"), TODAY)
    with clock.frozen(NOW):
        services.remind_review_due()
        Article.objects.filter(pk=article.pk).update(owner=specialist)  # a new owner, same due date
        assert services.remind_review_due() == 0
    assert [m.recipient_user for m in _reminders(article)] == [operator]


def test_drafts_archived_and_future_articles_are_not_reminded(operator: User, coordinator: User) -> None:
    future = _due(published(operator, title="Future"), TODAY + timedelta(days=1))
    archived = _due(published(operator, title="Old"), TODAY - timedelta(days=10))
    services.archive(archived, actor=coordinator, expected_version=archived.version)
    draft = services.create_article(actor=operator, title="Draft")
    _due(draft, TODAY - timedelta(days=10))
    with clock.frozen(NOW):
        assert services.remind_review_due() == 0
    assert not OutgoingMessage.objects.filter(event="article_review_due").exists()
    assert future.next_review_on is not None


def test_an_inactive_owner_is_replaced_by_the_coordinators(operator: User, coordinator: User) -> None:
    other = make_person(Role.COORDINATOR)
    article = _due(published(operator, title="Wifi"), TODAY)
    User.objects.filter(pk=operator.pk).update(is_active=False)
    with clock.frozen(NOW):
        services.remind_review_due()
    assert {m.recipient_user for m in _reminders(article)} == {coordinator, other}


def test_an_administrators_article_without_owner_goes_to_administrators(
    administrator: User, coordinator: User
) -> None:
    owner = make_person(Role.ADMIN)
    article = _due(published(owner, title="Root", audience=Audience.ADMINISTRATORS), TODAY)
    User.objects.filter(pk=owner.pk).update(is_active=False)  # left
    with clock.frozen(NOW):
        services.remind_review_due()
    assert [m.recipient_user for m in _reminders(article)] == [administrator]


def test_the_reminder_escapes_the_title_in_html(operator: User) -> None:
    article = _due(published(operator, title=f"Title {PAYLOAD}"), TODAY)
    with clock.frozen(NOW):
        services.remind_review_due()
    message = _reminders(article)[0]
    assert_safe(message.body_html, "review e-mail")
    assert "&lt;script&gt;" in message.body_html


def test_the_jobs_are_registered() -> None:
    from beheer.core.scheduler import JOBS

    assert JOBS["knowledge.remind_review_due"].every == timedelta(hours=1)
    assert JOBS["knowledge.remind_acknowledgements"].every == timedelta(hours=1)


# --------------------------------------------------------------------------------------------------
# stale articles: list filter, API, dashboard


@pytest.fixture
def stale_world(operator: User, specialist: User, administrator: User) -> dict[str, Article]:
    return {
        "mine": _due(published(operator, title="Mine canarymine"), TODAY - timedelta(days=2)),
        "oldest": _due(published(specialist, title="Oldest canaryoldest"), TODAY - timedelta(days=90)),
        "fresh": _due(published(specialist, title="Fresh canaryfresh"), TODAY + timedelta(days=9)),
        "admin": _due(
            published(administrator, title="Admin canaryadminstale", audience=Audience.ADMINISTRATORS),
            TODAY - timedelta(days=300),
        ),
    }


def test_stale_queryset(stale_world: dict[str, Article], operator: User, administrator: User) -> None:
    stale = set(Article.objects.stale(TODAY))
    assert stale == {stale_world["mine"], stale_world["oldest"], stale_world["admin"]}
    assert set(Article.objects.visible_to(operator).stale(TODAY)) == {
        stale_world["mine"],
        stale_world["oldest"],
    }
    ordered = list(Article.objects.visible_to(administrator).stale(TODAY).review_order(operator))
    assert ordered == [stale_world["mine"], stale_world["admin"], stale_world["oldest"]]


def test_list_filter_and_api_filter(stale_world: dict[str, Article], operator: User) -> None:
    client = client_for(operator)
    with clock.frozen(NOW):
        page = client.get("/kennisbank/", {"review": "overdue"}).content.decode()
        api = client.get("/api/v1/knowledge/articles", {"review_overdue": "true"}).json()
        everything = client.get("/kennisbank/").content.decode()
    assert "canarymine" in page
    assert "canaryoldest" in page
    assert "canaryfresh" not in page
    assert "canaryadminstale" not in page
    assert {item["id"] for item in api["items"]} == {stale_world["mine"].pk, stale_world["oldest"].pk}
    assert all(item["review_overdue"] for item in api["items"])
    assert "canaryfresh" in everything
    assert everything.count("kb-review-overdue") == 2


def test_dashboard_panel(stale_world: dict[str, Article], operator: User, administrator: User) -> None:
    with clock.frozen(NOW):
        panel = build_dashboard(operator, Scope(), now=NOW).knowledge
        admin_panel = build_dashboard(administrator, Scope(), now=NOW).knowledge
        page = client_for(operator).get("/dashboard/").content.decode()
    assert panel is not None
    assert admin_panel is not None
    assert panel.count == 2
    assert panel.articles == [stale_world["mine"], stale_world["oldest"]]
    assert admin_panel.count == 3
    assert 'data-figure="knowledge_review" data-count="2"' in page
    assert "canarymine" in page
    assert "canaryadminstale" not in page
    with clock.frozen(NOW):
        api = client_for(operator).get("/api/v1/reports/dashboard").json()["knowledge_review"]
    assert api["count"] == 2
    assert [a["id"] for a in api["articles"]] == [stale_world["mine"].pk, stale_world["oldest"].pk]
    assert api["articles"][0]["next_review_on"] == (TODAY - timedelta(days=2)).isoformat()
    assert "canaryadminstale" not in str(api)


def test_dashboard_panel_escapes_titles(operator: User) -> None:
    _due(published(operator, title=f"T {PAYLOAD}"), TODAY)
    with clock.frozen(NOW):
        page = client_for(operator).get("/dashboard/figures/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-figure="knowledge_review" data-count="1"' in page
    assert_safe(page, "dashboard")


# --------------------------------------------------------------------------------------------------
# the screens and the API


def test_mark_reviewed_through_the_page_and_the_api(operator: User, specialist: User) -> None:
    article = _due(published(operator, title="VPN"), TODAY - timedelta(days=1))
    client = client_for(operator)
    with clock.frozen(NOW):
        page = client.get(f"/kennisbank/{article.pk}/").content.decode()
        assert f'data-mark-reviewed="{article.pk}"' in page
        assert "kb-review-overdue" in page
        assert (
            client.post(f"/kennisbank/{article.pk}/reviewed/", {"version": article.version}).status_code
            == 302
        )
    article = Article.objects.get(pk=article.pk)
    assert article.last_reviewed_by == operator
    # someone who is neither owner nor coordinator gets no button and a 403 from the API
    other = client_for(specialist)
    assert (
        f'data-mark-reviewed="{article.pk}"' not in other.get(f"/kennisbank/{article.pk}/").content.decode()
    )
    answer = other.post(
        f"/api/v1/knowledge/articles/{article.pk}/reviewed",
        {"version": article.version},
        content_type="application/json",
    )
    assert answer.status_code == 403
    answer = client.post(
        f"/api/v1/knowledge/articles/{article.pk}/reviewed",
        {"version": article.version},
        content_type="application/json",
    )
    assert answer.status_code == 200
    assert answer.json()["last_reviewed_at"] is not None
    stale = client.post(
        f"/api/v1/knowledge/articles/{article.pk}/reviewed",
        {"version": article.version},
        content_type="application/json",
    )
    assert stale.status_code == 409


def test_a_caller_cannot_mark_reviewed(caller: User, operator: User) -> None:
    article = published(operator, title="Wifi", audience=Audience.CALLERS, kind=Kind.INSTRUCTION)
    client = client_for(caller)
    answer = client.post(
        f"/api/v1/knowledge/articles/{article.pk}/reviewed",
        {"version": article.version},
        content_type="application/json",
    )
    assert answer.status_code == 403
    assert client.post(f"/kennisbank/{article.pk}/reviewed/", {"version": article.version}).status_code == 404
    assert Article.objects.get(pk=article.pk).last_reviewed_at is None


# --------------------------------------------------------------------------------------------------
# archived articles: administrators find them, marked; nobody else ever does


@pytest.fixture
def archived(operator: User, coordinator: User) -> Article:
    article = published(
        operator, title="Archived canaryarch", body="text canaryarch", audience=Audience.CALLERS
    )
    return services.archive(article, actor=coordinator, expected_version=article.version)


def test_administrators_find_archived_articles_marked(archived: Article, administrator: User) -> None:
    client = client_for(administrator)
    found = client.get("/kennisbank/", {"q": "canaryarch"}).content.decode()
    assert f"kennisbank/{archived.pk}/" in found
    assert "kb-archived-badge" in found
    listed = client.get("/kennisbank/", {"status": "archived"}).content.decode()
    assert f"kennisbank/{archived.pk}/" in listed
    assert "kb-archived-badge" in listed
    assert "kb-archived" in client.get(f"/kennisbank/{archived.pk}/").content.decode()
    assert "kb-archived" in client.get(f"/kennisbank/{archived.pk}/print/").content.decode()
    api = client.get("/api/v1/knowledge/articles", {"q": "canaryarch"}).json()["items"]
    assert [(item["id"], item["archived"]) for item in api] == [(archived.pk, True)]


@pytest.mark.parametrize("role", ["operator", "coordinator", "caller"])
def test_others_never_find_archived_articles(archived: Article, request: Any, role: str) -> None:
    client = client_for(request.getfixturevalue(role))
    lists = ["/kennisbank/", "/portal/kennisbank/"] if role != "caller" else ["/portal/kennisbank/"]
    for url in lists:
        for params in ({"q": "canaryarch"}, {"status": "archived"}, {}):
            page = client.get(url, params).content.decode()
            assert f"kennisbank/{archived.pk}/" not in page, (role, url, params)
    for params in ({"q": "canaryarch"}, {"status": "archived"}):
        assert client.get("/api/v1/knowledge/articles", params).json()["items"] == []
    assert client.get(f"/api/v1/knowledge/articles/{archived.pk}").status_code == 404
    assert client.get(f"/kennisbank/{archived.pk}/print/").status_code == 404


def test_the_stale_query_uses_the_review_index(operator: User) -> None:
    for n in range(3):
        _due(published(operator, title=f"A{n}"), TODAY - timedelta(days=n))
    from django.db import connection, transaction

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # tiny tables: make the planner show its index choice
                cursor.execute("SET LOCAL enable_seqscan = off")
        plan = Article.objects.stale(TODAY).order_by("next_review_on", "id").explain()
    assert "kb_article_stale_idx" in plan or "kb_article_review_idx" in plan, plan
