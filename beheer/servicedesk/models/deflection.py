"""Portal deflection: did a caller who was shown matching articles still submit a melding?

One row per portal form session (a random token in the form). Created when suggestions are first
shown, updated when the caller opens a suggested article and when the form is submitted. It holds no
personal data beyond the user id; the query text is truncated. Rows older than
DEFLECTION_RETENTION_DAYS are deleted by the `servicedesk.purge_deflection_events` job. The table
keeps the name it had when the knowledge base held these records.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFLECTION_RETENTION_DAYS = 180
QUERY_MAX = 200
TOKEN_MAX = 64


class DeflectionEventQuerySet(models.QuerySet["DeflectionEvent"]):
    def visible_to(self, user: Any) -> DeflectionEventQuerySet:
        """Coordinators and administrators read the figures; a caller only their own sessions."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_coordinator:
            return self
        return self.filter(user_id=user.pk)

    def since(self, moment: datetime) -> DeflectionEventQuerySet:
        return self.filter(created_at__gte=moment)


class DeflectionEvent(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("caller")
    )
    token = models.CharField(max_length=TOKEN_MAX)
    query = models.CharField(_("query"), max_length=QUERY_MAX, blank=True)
    shown_article_ids = models.JSONField(default=list)
    clicked_article_ids = models.JSONField(default=list)
    submitted = models.BooleanField(_("submitted"), default=False)
    melding = models.ForeignKey(
        "servicedesk.Melding", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))

    objects = DeflectionEventQuerySet.as_manager()

    class Meta:
        db_table = "knowledge_deflectionevent"
        verbose_name = _("deflection event")
        verbose_name_plural = _("deflection events")
        constraints = [models.UniqueConstraint(fields=["user", "token"], name="kb_deflection_token_unique")]
        indexes = [models.Index(fields=["created_at"], name="kb_deflection_created")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.token[:8]}"
