"""Import jobs: one import file on its way through the check (a dry run) and the import, run by the
worker in the background, with its progress and, when it is finished, its report.

The uploaded file waits in `data` until the import has run (or the check refused it, or nobody
confirmed it within the hour: `services.imports.jobs.sweep_jobs`); a finished job keeps only its
report. A person sees their own jobs, administrators everybody's.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportState(models.TextChoices):
    QUEUED = "queued", _("Waiting for the worker")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    FAILED = "failed", _("Failed")


KIND_LABELS = {
    "cis": _("Configuration items"),
    "relations": _("Relations"),
    "licences": _("Licences"),
    "people": _("People"),
}


class ImportJobQuerySet(models.QuerySet["ImportJob"]):
    def visible_to(self, user: Any) -> ImportJobQuerySet:
        """Staff see their own import jobs; administrators all of them."""
        if not getattr(user, "is_authenticated", False) or not user.is_staff_member:
            return self.none()
        if user.is_administrator:
            return self
        return self.filter(owner=user)


class ImportJob(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("owner")
    )
    kind = models.CharField(_("kind"), max_length=20)
    key = models.CharField(_("key column"), max_length=40)
    filename = models.CharField(_("file"), max_length=200, blank=True)
    partial = models.BooleanField(default=False)
    dry_run = models.BooleanField(default=True)  # the step at hand: the check, or the import itself
    language = models.CharField(max_length=5, blank=True)  # of the report's messages
    state = models.CharField(max_length=20, choices=ImportState.choices, default=ImportState.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    report = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    data = models.BinaryField(default=b"", editable=False)  # the file, until it is no longer needed
    created_at = models.DateTimeField(_("created"))
    queued_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="cmdb_importjob_owner")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.filename}"

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def active(self) -> bool:
        return self.state in (ImportState.QUEUED, ImportState.RUNNING)
