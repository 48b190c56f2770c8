"""Keeping knowledge current: confirming an article is still correct, and reminding owners.

Every published article has a review date (`next_review_on`, set on publish to today + the review
interval). `mark_reviewed` confirms the published text is still current and moves the date on.
`remind_review_due` (the periodic job `knowledge.remind_review_due`, hourly) sends each article past its
review date one reminder per due date: the article records the date it reminded of
(`review_reminded_for`), and the outbox key names the article and the due date, so a second run, a run
on the next day or a run on another machine reminds nobody twice; a new due date reminds again.

Who is reminded: the owner, when they are still an active operator who may read the article;
otherwise (the owner left or lost the role) the active coordinators who may read it, and when there
are none (an article for administrators only) the administrators.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from beheer.accounts.models import Role, User
from beheer.core import access, clock
from beheer.core.errors import DomainError, PermissionDenied
from beheer.core.loops import isolated
from beheer.notifications import services as notifications

from ..models import Article, ArticleStatus, reader_condition
from .articles import _lock, _touch

BATCH = 200


def today() -> date:
    return timezone.localdate(clock.now())


def can_mark_reviewed(article: Article, user: User) -> bool:
    return bool(access.is_staff(user) and (article.owner_id == user.pk or user.is_coordinator))


@transaction.atomic
def mark_reviewed(article: Article, *, actor: User, expected_version: int) -> Article:
    """The owner, a coordinator or an administrator confirms the published text is still current:
    the next review is one interval from today."""
    if not access.is_staff(actor):
        raise PermissionDenied(_("Only the owner, coordinators and administrators may confirm a review."))
    article = _lock(article, actor, expected_version)
    if not can_mark_reviewed(article, actor):
        raise PermissionDenied(_("Only the owner, coordinators and administrators may confirm a review."))
    if article.status != ArticleStatus.PUBLISHED:
        raise DomainError(_("Only a published article can be reviewed."))
    now = clock.now()
    article.next_review_on = timezone.localdate(now) + timedelta(days=article.review_interval_days)
    article.last_reviewed_at = now
    article.last_reviewed_by = actor
    _touch(article, now, ["next_review_on", "last_reviewed_at", "last_reviewed_by"])
    return article


def review_recipients(article: Article) -> list[User]:
    """The owner; the coordinators when the owner can no longer act on it; else the administrators."""
    readers = reader_condition(article.audience)
    staff = Q(role__in=[Role.OPERATOR, Role.COORDINATOR, Role.ADMIN]) | Q(is_superuser=True)
    owner = User.objects.filter(readers, staff, pk=article.owner_id).first()
    if owner is not None:
        return [owner]
    coordinators = list(User.objects.filter(readers, role=Role.COORDINATOR).order_by("pk")[:50])
    if coordinators:
        return coordinators
    return list(User.objects.filter(readers, Q(role=Role.ADMIN) | Q(is_superuser=True)).order_by("pk")[:50])


def _link(name: str, pk: int) -> str:
    return str(settings.SITE_URL).rstrip("/") + reverse(name, args=[pk])


def _remind_one(pk: int, day: date) -> bool:
    with transaction.atomic():
        article = (
            Article.objects.select_for_update(of=("self",))
            .select_related("owner", "current_version")
            .filter(pk=pk)
            .first()
        )
        if article is None or not article.is_stale(day) or article.next_review_on is None:
            return False
        due = article.next_review_on
        if article.review_reminded_for == due:  # another worker was first
            return False
        shown = article.current_version
        notifications.enqueue(
            "article_review_due",
            key=f"knowledge:article:{article.pk}:review:{due.isoformat()}",
            recipients=review_recipients(article),
            context={
                "article_title": shown.title if shown else article.title,
                "article_kind": str(article.get_kind_display()),
                "version_number": shown.number if shown else "",
                "due_date": formats.date_format(due, "SHORT_DATE_FORMAT"),
                "owner_name": str(article.owner),
                "link_url": _link("knowledge-detail", article.pk),
            },
            object_ref=("knowledge.article", article.pk),
        )
        Article.objects.filter(pk=article.pk).update(review_reminded_for=due)
        return True


def remind_review_due(*, day: date | None = None) -> int:
    """One reminder per published article past its review date, per due date; returns how many."""
    day = day or today()
    pending = Article.objects.stale(day).filter(
        Q(review_reminded_for__isnull=True)
        | Q(review_reminded_for__lt=F("next_review_on"))
        | Q(review_reminded_for__gt=F("next_review_on"))
    )
    sent = 0
    last = 0
    while True:
        ids = list(pending.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return sent
        for pk in ids:
            with isolated("article", pk):  # one article that fails does not stop the reminders
                sent += _remind_one(pk, day)
        last = ids[-1]
