"""The people a change concerns: its client, key users, other stakeholders and suppliers. The needs
inventory interviews them, the plan informs them and the evaluation asks their feedback."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beheer.core import access


class StakeholderRole(models.TextChoices):
    CLIENT = "client", _("Client")
    KEY_USER = "key_user", _("Key user")
    STAKEHOLDER = "stakeholder", _("Stakeholder")
    SUPPLIER = "supplier", _("Supplier")


class StakeholderQuerySet(models.QuerySet["Stakeholder"]):
    def visible_to(self, user: Any) -> StakeholderQuerySet:
        """Staff see every stakeholder; nobody else (the portal shows a client their own change)."""
        return self if access.is_staff(user) else self.none()


class Stakeholder(models.Model):
    """One person a change concerns: a Beheer user, or a name with an e-mail address."""

    change = models.ForeignKey("changes.Change", on_delete=models.CASCADE, related_name="stakeholders")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"), blank=True)
    role = models.CharField(
        _("role"), max_length=20, choices=StakeholderRole.choices, default=StakeholderRole.STAKEHOLDER
    )
    interest = models.TextField(_("interest"), blank=True, help_text=_("What this person needs or fears."))
    added_at = models.DateTimeField()

    objects = StakeholderQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("stakeholder")
        verbose_name_plural = _("stakeholders")
        indexes = [models.Index(fields=["change", "id"], name="change_stakeholder_change")]
        constraints = [
            models.UniqueConstraint(
                fields=["change", "person"], condition=Q(person__isnull=False), name="uniq_change_stakeholder"
            ),
            models.CheckConstraint(
                condition=Q(role__in=StakeholderRole.values), name="change_stakeholder_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def address(self) -> str:
        """Where mail to this stakeholder goes: the person's address, else the one typed in."""
        if self.person is not None and self.person.email:
            return str(self.person.email)
        return self.email
