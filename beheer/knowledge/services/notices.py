"""Change notices and read acknowledgements of procedures and user instructions.

When a procedure or user instruction publishes a new version, `announce_new_version` (called by
`_publish`) writes one `article_changed` message per subscriber who may read the article, in the
publishing transaction (the outbox sends it after the commit). Subscribers are operator groups (their
active members), departments (their active people) and named people; a person reached twice gets one
message, because the outbox key names the article, the version and the person.

An article may require a read acknowledgement. Readers confirm the current version (`acknowledge`);
`remind_acknowledgements` (the periodic job `knowledge.remind_acknowledgements`, hourly) reminds the
expected readers who have not, `ACK_REMINDER_AFTER_DAYS` after publication and then every
`ACK_REMINDER_EVERY_DAYS`, at most `ACK_REMINDER_ROUNDS` times per version. Each round is recorded
once (`AcknowledgementReminder`, unique per version and round) and its outbox key names the round, so
a job run twice reminds once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from beheer.accounts.models import Department, OperatorGroup, User
from beheer.core import clock
from beheer.core.errors import Conflict, DomainError, NotFound
from beheer.core.loops import isolated
from beheer.notifications import services as notifications

from ..models import (
    NOTICE_KINDS,
    AcknowledgementReminder,
    Article,
    ArticleAcknowledgement,
    ArticleStatus,
    ArticleSubscription,
    ArticleVersion,
    expected_readers,
    reader_condition,
)
from .articles import _lock, _require_editor, _touch

ACK_REMINDER_AFTER_DAYS = 7  # the first reminder, counted from publication
ACK_REMINDER_EVERY_DAYS = 7  # the next rounds
ACK_REMINDER_ROUNDS = 4  # then the readers are left alone for this version


def _link(name: str, pk: int) -> str:
    return str(settings.SITE_URL).rstrip("/") + reverse(name, args=[pk])


def _require_notice_kind(article: Article, field: str) -> None:
    if article.kind not in NOTICE_KINDS:
        message = _("Only procedures and user instructions have change notices and acknowledgements.")
        raise DomainError(message, field_errors={field: message})


# --------------------------------------------------------------------------------------------------
# subscriptions


@transaction.atomic
def subscribe(
    article: Article,
    *,
    actor: User,
    operator_group: OperatorGroup | None = None,
    department: Department | None = None,
    user: User | None = None,
) -> ArticleSubscription:
    """Subscribe one operator group, department or person to the article's change notices (editors).

    Subscribing a target twice returns the existing subscription."""
    _require_editor(actor)
    article = _lock(article, actor, None)
    _require_editor(actor, article.audience)
    _require_notice_kind(article, "article")
    targets = [t for t in (operator_group, department, user) if t is not None]
    if len(targets) != 1:
        message = _("Choose one operator group, department or person.")
        raise DomainError(message, field_errors={"target": message})
    if user is not None and not User.objects.filter(reader_condition(article.audience), pk=user.pk).exists():
        message = _("This person may not read this article.")
        raise DomainError(message, field_errors={"user": message})
    if operator_group is not None and not operator_group.active:
        message = _("This operator group is not active.")
        raise DomainError(message, field_errors={"operator_group": message})
    lookup: dict[str, Any] = {
        "operator_group": operator_group,
        "department": department,
        "user": user,
    }
    try:
        with transaction.atomic():
            return ArticleSubscription.objects.create(
                article=article, created_at=clock.now(), created_by=actor, **lookup
            )
    except IntegrityError:
        existing = ArticleSubscription.objects.filter(article=article, **lookup).first()
        if existing is None:  # pragma: no cover - the constraint names exactly this row
            raise
        return existing


@transaction.atomic
def unsubscribe(subscription: ArticleSubscription, *, actor: User) -> None:
    _require_editor(actor)
    article = _lock(subscription.article, actor, None)
    _require_editor(actor, article.audience)
    deleted, _rows = ArticleSubscription.objects.filter(pk=subscription.pk, article=article).delete()
    if not deleted:
        raise NotFound(_("Subscription not found."))


@transaction.atomic
def set_acknowledgement_required(
    article: Article, *, actor: User, expected_version: int, required: bool
) -> Article:
    """Whether readers must confirm they have read each new version (procedures, user instructions)."""
    _require_editor(actor)
    article = _lock(article, actor, expected_version)
    _require_editor(actor, article.audience)
    if required:
        _require_notice_kind(article, "requires_acknowledgement")
    if article.requires_acknowledgement != required:
        article.requires_acknowledgement = required
        _touch(article, clock.now(), ["requires_acknowledgement"])
    return article


# --------------------------------------------------------------------------------------------------
# the notice on publish


def _split(people: list[User]) -> tuple[list[User], list[User]]:
    staff = [p for p in people if p.is_staff_member]
    return staff, [p for p in people if not p.is_staff_member]


def _enqueue_per_reader(
    event: str, article: Article, *, key: str, people: list[User], context: dict[str, Any]
) -> int:
    """Staff get the article page, callers the portal page; one outbox row per person."""
    staff, callers = _split(people)
    written = 0
    for group, url_name in ((staff, "knowledge-detail"), (callers, "portal-knowledge-detail")):
        if group:
            written += len(
                notifications.enqueue(
                    event,
                    key=key,
                    recipients=group,
                    context={**context, "link_url": _link(url_name, article.pk)},
                    object_ref=("knowledge.article", article.pk),
                )
            )
    return written


def _version_context(article: Article, version: ArticleVersion) -> dict[str, Any]:
    return {
        "article_title": version.title,
        "article_kind": str(article.get_kind_display()),
        "version_number": version.number,
        "change_note": version.change_note,
    }


def announce_new_version(article: Article, version: ArticleVersion) -> int:
    """Tell every subscriber who may read the article about its new version (inside `_publish`)."""
    if not article.sends_notices or article.status != ArticleStatus.PUBLISHED:
        return 0
    people = list(expected_readers(article).order_by("pk"))
    if not people:
        return 0
    context = {
        **_version_context(article, version),
        "acknowledgement_required": "yes" if article.acknowledgement_required else "",
    }
    return _enqueue_per_reader(
        "article_changed",
        article,
        key=f"knowledge:article:{article.pk}:v{version.number}:changed",
        people=people,
        context=context,
    )


# --------------------------------------------------------------------------------------------------
# acknowledgements


def can_acknowledge(article: Article, user: Any) -> bool:
    """The article asks for it and `user` may read its published version."""
    return bool(
        article.acknowledgement_required
        and article.status == ArticleStatus.PUBLISHED
        and article.current_version_id
        and getattr(user, "is_authenticated", False)
        and Article.objects.visible_to(user).filter(pk=article.pk).exists()
    )


@transaction.atomic
def acknowledge(article: Article, *, actor: User, number: int | None = None) -> ArticleAcknowledgement:
    """`actor` confirms having read the current published version; doing it twice changes nothing.

    `number` is the version the reader saw: when a newer version was published since, Conflict."""
    if not Article.objects.visible_to(actor).filter(pk=article.pk).exists():
        raise NotFound(_("Article not found."))
    article = Article.objects.select_related("current_version").get(pk=article.pk)
    version = article.current_version
    if article.status != ArticleStatus.PUBLISHED or version is None:
        raise DomainError(_("Only a published article can be acknowledged."))
    if not article.acknowledgement_required:
        raise DomainError(_("This article does not ask for a read acknowledgement."))
    if number is not None and number != version.number:
        raise Conflict(_("A newer version has been published. Read it and confirm again."))
    try:
        with transaction.atomic():
            return ArticleAcknowledgement.objects.create(
                version=version, user=actor, acknowledged_at=clock.now()
            )
    except IntegrityError:
        return ArticleAcknowledgement.objects.get(version=version, user=actor)


def reminder_round(published_at: datetime, now: datetime) -> int:
    """0 before the first reminder is due; then 1, 2, ... one per `ACK_REMINDER_EVERY_DAYS`."""
    waited = now - published_at - timedelta(days=ACK_REMINDER_AFTER_DAYS)
    if waited < timedelta(0):
        return 0
    return 1 + waited // timedelta(days=ACK_REMINDER_EVERY_DAYS)


def _remind_article(pk: int, now: datetime) -> int:
    with transaction.atomic():
        article = Article.objects.select_related("current_version").filter(pk=pk).first()
        if article is None or not article.acknowledgement_required:
            return 0
        version = article.current_version
        if article.status != ArticleStatus.PUBLISHED or version is None or version.published_at is None:
            return 0
        round_ = reminder_round(version.published_at, now)
        if not 1 <= round_ <= ACK_REMINDER_ROUNDS:
            return 0
        try:
            with transaction.atomic():
                reminder = AcknowledgementReminder.objects.create(version=version, round=round_, sent_at=now)
        except IntegrityError:  # this round was done by an earlier run
            return 0
        people = list(
            expected_readers(article)
            .exclude(pk__in=ArticleAcknowledgement.objects.filter(version=version).values("user_id"))
            .order_by("pk")
        )
        context = {
            **_version_context(article, version),
            "published_on": formats.date_format(
                timezone.localdate(version.published_at), "SHORT_DATE_FORMAT"
            ),
        }
        written = _enqueue_per_reader(
            "article_acknowledgement_due",
            article,
            key=f"knowledge:article:{article.pk}:v{version.number}:ack-reminder:{round_}",
            people=people,
            context=context,
        )
        AcknowledgementReminder.objects.filter(pk=reminder.pk).update(recipients=len(people))
        return written


def remind_acknowledgements(*, now: datetime | None = None) -> int:
    """Remind the expected readers who have not acknowledged the current version; returns messages."""
    now = now or clock.now()
    cutoff = now - timedelta(days=ACK_REMINDER_AFTER_DAYS)
    too_old = cutoff - timedelta(days=ACK_REMINDER_EVERY_DAYS * ACK_REMINDER_ROUNDS)
    ids = list(
        Article.objects.filter(
            requires_acknowledgement=True,
            status=ArticleStatus.PUBLISHED,
            kind__in=NOTICE_KINDS,
            current_version__published_at__lte=cutoff,
            current_version__published_at__gt=too_old,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    sent = 0
    for pk in ids:
        with isolated("article", pk):  # one article that fails does not stop the reminders
            sent += _remind_article(pk, now)
    return sent
