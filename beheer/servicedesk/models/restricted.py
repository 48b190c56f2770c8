"""Restricted meldingen (security incidents): who may work on one, and every read of one.

A melding an operator made a security incident (`Melding.restricted`) is visible only to security
officers and the people in its `MeldingAccess` rows, by every route: `Melding.objects.visible_to`
applies the rule, so lists, search, exports, suggestions and the API follow. Every read of such a
melding's page or API detail is written to `RestrictedRead` (append-only)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from beheer.accounts.models import User

from .melding import Melding


class MeldingAccess(models.Model):
    """A person who may work on a restricted melding (granted by a security officer, or the operator
    and the person who made it a security incident)."""

    melding = models.ForeignKey(Melding, on_delete=models.CASCADE, related_name="access_grants")
    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", verbose_name=_("person"))
    granted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    granted_at = models.DateTimeField(_("granted"))

    class Meta:
        verbose_name = _("access to a security incident")
        verbose_name_plural = _("access to security incidents")
        constraints = [
            models.UniqueConstraint(fields=["person", "melding"], name="melding_access_unique"),
        ]


class RestrictedReadQuerySet(models.QuerySet["RestrictedRead"]):
    def visible_to(self, user: Any) -> RestrictedReadQuerySet:
        """Security officers read the log of reads."""
        from beheer.core import access

        if access.is_staff(user) and getattr(user, "security_officer", False):
            return self
        return self.none()


class RestrictedRead(models.Model):
    """One read of a restricted melding: who, when, by which route (append-only)."""

    melding = models.ForeignKey(Melding, on_delete=models.CASCADE, related_name="restricted_reads")
    reader = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    reader_name = models.CharField(max_length=150)
    at = models.DateTimeField()
    route = models.CharField(max_length=200)

    objects = RestrictedReadQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["melding", "at", "id"], name="restricted_read_melding_at")]
