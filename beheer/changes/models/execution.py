"""The execution of a change: the installation log, the documents kept with the change and the
updates to the CMDB that its activities bring about.

All of it is staff work: operators only, by every route (`access.RoleQuerySet`). The log is
append-only (a correction is a new entry). Documents are stored under a random name (0600 in a 0700
folder, the project's upload settings) and served only through permission-checked downloads
(`core.files.download_response`). A proposed CMDB update is tied to one activity and applied when
that activity is marked done.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beheer.cmdb.models import CiType, ConfigurationItem, RelationKind
from beheer.core import access

from .templates import ChangeActivity

# --------------------------------------------------------------------------------------------------
# the state of an activity during execution


class ActivityState(models.TextChoices):
    OPEN = "open", _("Open")
    LATE = "late", _("Late")
    DONE = "done", _("Done")
    DEVIATING = "deviating", _("Deviating")


def activity_state(activity: ChangeActivity, *, now: datetime, deadline: datetime | None = None) -> str:
    """Done, deviating (a deviation noted and not done), late (its planned end, else the change's
    `deadline`, has passed) or open."""
    if activity.done_at is not None:
        return ActivityState.DONE
    if activity.deviation:
        return ActivityState.DEVIATING
    end = activity.planned_end or deadline
    if end is not None and end < now:
        return ActivityState.LATE
    return ActivityState.OPEN


# --------------------------------------------------------------------------------------------------
# the installation log


class LogEntryQuerySet(access.RoleQuerySet, models.QuerySet["InstallationLogEntry"]):
    audience = access.Audience.STAFF


class InstallationLogEntry(models.Model):
    """One line of a change's installation log: what was done or seen, by whom, when. Never edited
    or deleted; a correction is a new entry."""

    change = models.ForeignKey(
        "changes.Change", on_delete=models.CASCADE, related_name="log_entries", verbose_name=_("change")
    )
    activity = models.ForeignKey(
        ChangeActivity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("activity"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    at = models.DateTimeField(_("time"))
    text = models.TextField(_("text"))

    objects = LogEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("log entry")
        verbose_name_plural = _("installation log")
        indexes = [models.Index(fields=["change", "-at", "-id"], name="change_log_at")]

    def __str__(self) -> str:
        return self.text[:80]


# --------------------------------------------------------------------------------------------------
# documents


def change_document_path(instance: ChangeDocument, filename: str) -> str:
    return f"changes/{instance.uploaded_at:%Y/%m}/{uuid.uuid4().hex}"


class ChangeDocumentQuerySet(access.RoleQuerySet, models.QuerySet["ChangeDocument"]):
    audience = access.Audience.STAFF


class ChangeDocument(models.Model):
    """A file kept with a change: a configuration export, a floor plan, a test report."""

    change = models.ForeignKey(
        "changes.Change", on_delete=models.CASCADE, related_name="documents", verbose_name=_("change")
    )
    file = models.FileField(upload_to=change_document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"))

    objects = ChangeDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [models.Index(fields=["change", "-uploaded_at", "-id"], name="change_document_at")]

    def __str__(self) -> str:
        return self.original_name


# --------------------------------------------------------------------------------------------------
# proposed CMDB updates


class CmdbUpdateKind(models.TextChoices):
    NEW_CI = "new_ci", _("New configuration item")
    ATTRIBUTE = "attribute", _("Changed attribute")
    RELATION = "relation", _("New relation")


class CmdbUpdateStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPLIED = "applied", _("Applied")
    FAILED = "failed", _("Failed")


class CmdbUpdateQuerySet(access.RoleQuerySet, models.QuerySet["CmdbUpdate"]):
    audience = access.Audience.STAFF

    def for_list(self) -> CmdbUpdateQuerySet:
        return self.select_related(
            "activity",
            "ci",
            "ci_type",
            "target",
            "source_new",
            "target_new",
            "result_ci",
            "proposed_by",
        )


class CmdbUpdate(models.Model):
    """A change to the CMDB that an activity brings about, recorded when the work is planned and
    applied when the activity is done: a new CI (name, type, attributes), a changed field or
    attribute of a CI (the old value as it was when proposed), or a new relation (source, kind,
    target; an end may be the new CI of another proposal of the same change)."""

    change = models.ForeignKey(
        "changes.Change", on_delete=models.CASCADE, related_name="cmdb_updates", verbose_name=_("change")
    )
    activity = models.ForeignKey(
        ChangeActivity, on_delete=models.CASCADE, related_name="cmdb_updates", verbose_name=_("activity")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CmdbUpdateKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=CmdbUpdateStatus.choices, default=CmdbUpdateStatus.PROPOSED
    )
    # a changed attribute: the CI; a new relation: its source
    ci = models.ForeignKey(
        ConfigurationItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("configuration item"),
    )
    ci_name = models.CharField(_("configuration item"), max_length=200, blank=True)
    # a new CI
    ci_type = models.ForeignKey(
        CiType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("type")
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    # a changed attribute: `status`, `host_name` ... or `attributes.<code>`
    field = models.CharField(_("field"), max_length=60, blank=True)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)
    # a new relation
    relation_kind = models.CharField(_("relation"), max_length=20, choices=RelationKind.choices, blank=True)
    target = models.ForeignKey(
        ConfigurationItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("target"),
    )
    target_name = models.CharField(_("target"), max_length=200, blank=True)
    source_new = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("new CI as source"),
    )
    target_new = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("new CI as target"),
    )
    # the outcome
    result_ci = models.ForeignKey(
        ConfigurationItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resulting CI"),
    )
    message = models.TextField(_("message"), blank=True)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed"))

    objects = CmdbUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("proposed CMDB update")
        verbose_name_plural = _("proposed CMDB updates")
        indexes = [
            models.Index(fields=["change", "id"], name="change_cmdb_update"),
            models.Index(fields=["activity", "status", "id"], name="change_cmdb_update_activity"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CmdbUpdateKind.values), name="change_cmdb_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=CmdbUpdateStatus.values), name="change_cmdb_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.summary

    @property
    def source_label(self) -> str:
        if self.source_new_id is not None and self.source_new is not None:
            return self.source_new.name
        return self.ci.name if self.ci is not None else self.ci_name

    @property
    def target_label(self) -> str:
        if self.target_new_id is not None and self.target_new is not None:
            return self.target_new.name
        return self.target.name if self.target is not None else self.target_name

    @property
    def field_label(self) -> str:
        return self.field.removeprefix("attributes.")

    @property
    def summary(self) -> str:
        """One line saying what the update does, in the reader's language."""
        if self.kind == CmdbUpdateKind.NEW_CI:
            type_name = self.ci_type.name if self.ci_type is not None else "?"
            return f"{self.name} ({type_name})"
        if self.kind == CmdbUpdateKind.ATTRIBUTE:
            old = self.old_value or "—"
            return f"{self.ci_name} {self.field_label}: {old} → {self.new_value or '—'}"
        return f"{self.source_label} {self.get_relation_kind_display()} {self.target_label}"

    @property
    def attribute_items(self) -> list[tuple[str, Any]]:
        return sorted((self.attributes or {}).items())
