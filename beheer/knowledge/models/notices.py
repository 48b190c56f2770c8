"""Change notices: who subscribes to an article, and who acknowledged reading which version.

A subscription names exactly one target: an operator group (its members), a department (its people)
or one person. Who is told about a new version, and who is expected to acknowledge it, is the
subscribers expanded to people who may read the article (`expected_readers`): the audience rules of
`Article.visible_to` decide, so an operator-only procedure never reaches the callers of a department.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beheer.accounts.models import SERVICE_USERNAMES, Department, OperatorGroup, Role, User, UserQuerySet

from .articles import Article, ArticleVersion, Audience


def reader_condition(audience: str) -> Q:
    """People who may read a published article for `audience` (the rule of `audiences_for`, as SQL).

    Active people only; the built-in service users (mail intake, monitoring) never read."""
    active = Q(is_active=True) & ~Q(username__in=SERVICE_USERNAMES)
    if audience == Audience.CALLERS:
        return active
    if audience == Audience.OPERATORS:
        return active & (Q(role__in=[Role.OPERATOR, Role.COORDINATOR, Role.ADMIN]) | Q(is_superuser=True))
    return active & (Q(role=Role.ADMIN) | Q(is_superuser=True))


class SubscriptionQuerySet(models.QuerySet["ArticleSubscription"]):
    def for_list(self) -> SubscriptionQuerySet:
        return self.select_related("operator_group", "department", "user")


class ArticleSubscription(models.Model):
    """An operator group, a department or a person told about each new version of an article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="subscriptions")
    operator_group = models.ForeignKey(
        OperatorGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("operator group"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    created_at = models.DateTimeField(_("created"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("article subscription")
        verbose_name_plural = _("article subscriptions")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(operator_group__isnull=False, department__isnull=True, user__isnull=True)
                    | Q(operator_group__isnull=True, department__isnull=False, user__isnull=True)
                    | Q(operator_group__isnull=True, department__isnull=True, user__isnull=False)
                ),
                name="kb_subscription_one_target",
            ),
            models.UniqueConstraint(
                fields=["article", "operator_group"],
                condition=Q(operator_group__isnull=False),
                name="kb_subscription_group_unique",
            ),
            models.UniqueConstraint(
                fields=["article", "department"],
                condition=Q(department__isnull=False),
                name="kb_subscription_department_unique",
            ),
            models.UniqueConstraint(
                fields=["article", "user"],
                condition=Q(user__isnull=False),
                name="kb_subscription_user_unique",
            ),
        ]

    def __str__(self) -> str:
        return str(self.target)

    @property
    def target(self) -> Any:
        return self.operator_group or self.department or self.user

    @property
    def target_type(self) -> str:
        if self.operator_group_id:
            return "operator_group"
        if self.department_id:
            return "department"
        return "user"


def expected_readers(article: Article) -> UserQuerySet:
    """The subscribers of `article` as people who may read it, each once (subqueries, no DISTINCT)."""
    subscriptions = ArticleSubscription.objects.filter(article=article)
    members = OperatorGroup.members.through.objects.filter(
        operatorgroup_id__in=subscriptions.filter(operator_group__active=True).values("operator_group_id")
    )
    return User.objects.filter(
        Q(pk__in=subscriptions.filter(user__isnull=False).values("user_id"))
        | Q(pk__in=members.values("user_id"))
        | Q(department_id__in=subscriptions.filter(department__isnull=False).values("department_id")),
        reader_condition(article.audience),
    )


class ArticleAcknowledgement(models.Model):
    """A person confirmed having read one published version of an article."""

    version = models.ForeignKey(ArticleVersion, on_delete=models.CASCADE, related_name="acknowledgements")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"))

    class Meta:
        verbose_name = _("read acknowledgement")
        verbose_name_plural = _("read acknowledgements")
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="kb_acknowledgement_unique"),
        ]
        indexes = [
            models.Index(fields=["version", "-acknowledged_at", "-id"], name="kb_ack_list_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.user_id}"


class AcknowledgementReminder(models.Model):
    """One round of acknowledgement reminders for a version: written once, so a job run twice, or on
    two machines at once, reminds once."""

    version = models.ForeignKey(ArticleVersion, on_delete=models.CASCADE, related_name="+")
    round = models.PositiveIntegerField()
    sent_at = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "round"], name="kb_ack_reminder_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.version} round {self.round}"
