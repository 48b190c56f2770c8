"""The writes: drafts, versions, review, publishing, archiving, restoring, locking."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django.utils.translation import gettext

from beheer.core.errors import Conflict, DomainError, PermissionDenied
from beheer.knowledge import services
from beheer.knowledge.models import Article, ArticleStatus, Audience, Kind, KindSetting, VersionState

from .helpers import published, refreshed


def test_create_article_is_a_draft_with_version_one(operator):
    article = services.create_article(
        actor=operator, title="  Printer reset  ", body="Zet de printer uit.", tags="Printer, HP ,printer"
    )
    article = refreshed(article)
    assert article.status == ArticleStatus.DRAFT
    assert article.title == "Printer reset"
    assert article.tags == "printer,hp"
    assert article.current_version is None
    assert article.draft_version is not None
    assert article.draft_version.number == 1
    assert article.owner == operator


def test_title_is_required_as_a_field_error(operator):
    with pytest.raises(DomainError) as err:
        services.create_article(actor=operator, title="   ")
    assert "title" in err.value.field_errors


def test_callers_cannot_write(caller):
    with pytest.raises(PermissionDenied):
        services.create_article(actor=caller, title="Mine", audience=Audience.CALLERS)


def test_operator_cannot_create_an_administrators_only_article(operator, administrator):
    with pytest.raises(PermissionDenied) as err:
        services.create_article(actor=operator, title="Root passwords", audience=Audience.ADMINISTRATORS)
    assert "audience" in err.value.field_errors
    article = services.create_article(actor=administrator, title="Root", audience=Audience.ADMINISTRATORS)
    assert article.audience == Audience.ADMINISTRATORS


def test_publish_sets_current_version_and_next_review(operator):
    article = services.create_article(actor=operator, title="VPN", body="v1", review_interval_days=30)
    article = services.publish(article, actor=operator, expected_version=article.version)
    article = refreshed(article)
    assert article.status == ArticleStatus.PUBLISHED
    assert article.current_version is not None
    assert article.current_version.state == VersionState.PUBLISHED
    assert article.current_version.published_at is not None
    assert article.draft_version is None
    assert article.next_review_on is not None
    assert (article.next_review_on - timezone.localdate(article.current_version.published_at)).days == 30


def test_editing_a_published_article_makes_a_new_draft_version(operator, specialist):
    article = published(operator, title="Wifi", body="old text")
    article = services.save_draft(
        article,
        actor=specialist,
        expected_version=article.version,
        title="Wifi 2",
        body="new text",
        change_note="Nieuw SSID",
    )
    article = refreshed(article)
    assert article.title == "Wifi"  # readers keep the published version
    assert article.current_version.body == "old text"
    assert article.draft_version.number == 2
    assert article.draft_version.author == specialist
    # editing again changes the same draft, no third version
    article = services.save_draft(
        article, actor=specialist, expected_version=article.version, title="Wifi 3", body="x"
    )
    assert article.versions.count() == 2
    article = services.publish(article, actor=specialist, expected_version=article.version)
    article = refreshed(article)
    assert article.title == "Wifi 3"
    assert article.versions.get(number=1).state == VersionState.SUPERSEDED


def test_stale_version_is_a_conflict(operator, specialist):
    article = services.create_article(actor=operator, title="Lock", body="a")
    stale = article.version
    services.save_draft(article, actor=specialist, expected_version=stale, title="Lock", body="b")
    with pytest.raises(Conflict):
        services.save_draft(article, actor=operator, expected_version=stale, title="Lock", body="c")
    assert refreshed(article).draft_version.body == "b"


def test_review_required_author_cannot_approve_own_change(operator, specialist):
    KindSetting.objects.update_or_create(kind=Kind.KNOWN_ERROR, defaults={"review_required": True})
    article = services.create_article(
        actor=operator, title="Known error", kind=Kind.KNOWN_ERROR, body="workaround"
    )
    with pytest.raises(PermissionDenied):
        services.publish(article, actor=operator, expected_version=article.version)
    with pytest.raises(DomainError):  # not yet submitted
        services.approve_and_publish(article, actor=specialist, expected_version=article.version)
    article = services.submit_for_review(article, actor=operator, expected_version=article.version)
    assert refreshed(article).draft_version.state == VersionState.REVIEW
    with pytest.raises(PermissionDenied):
        services.approve_and_publish(article, actor=operator, expected_version=article.version)
    assert refreshed(article).status == ArticleStatus.DRAFT
    article = services.approve_and_publish(article, actor=specialist, expected_version=article.version)
    article = refreshed(article)
    assert article.status == ArticleStatus.PUBLISHED
    assert article.current_version.approved_by == specialist


def test_security_procedures_need_review_by_default(operator):
    assert services.review_required(Kind.PROCEDURE_SECURITY)
    assert not services.review_required(Kind.SOLUTION)


def test_restore_version_creates_a_new_draft_from_the_old_text(operator):
    article = published(operator, title="Backup", body="first text", tags="backup")
    article = services.save_draft(
        article, actor=operator, expected_version=article.version, title="Backup", body="second"
    )
    article = services.publish(article, actor=operator, expected_version=article.version)
    article = services.restore_version(article, actor=operator, expected_version=article.version, number=1)
    article = refreshed(article)
    assert article.draft_version.number == 3
    assert article.draft_version.body == "first text"
    assert article.draft_version.change_note == gettext("Restored version %(n)d") % {"n": 1}
    assert article.current_version.body == "second"
    with pytest.raises(DomainError):
        services.restore_version(article, actor=operator, expected_version=article.version, number=99)


def test_archive_only_by_coordinators_and_hidden_from_operators(operator, coordinator, administrator):
    article = published(operator, title="Old server")
    with pytest.raises(PermissionDenied):
        services.archive(article, actor=operator, expected_version=article.version)
    article = services.archive(article, actor=coordinator, expected_version=article.version)
    assert article.status == ArticleStatus.ARCHIVED
    assert not Article.objects.visible_to(operator).filter(pk=article.pk).exists()
    assert Article.objects.visible_to(administrator).search("server").filter(pk=article.pk).exists()
    with pytest.raises(DomainError):
        services.save_draft(
            article, actor=administrator, expected_version=article.version, title="x", body=""
        )


def test_too_many_tags_is_a_field_error(operator):
    with pytest.raises(DomainError) as err:
        services.create_article(actor=operator, title="Tags", tags=",".join(f"t{i}" for i in range(30)))
    assert "tags" in err.value.field_errors
