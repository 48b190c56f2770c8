"""Cross-cutting models without domain: localized lookup base, idempotency, scheduler, heartbeats."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .language import english_active


class LocalizedNameModel(models.Model):
    """A configurable lookup value with a Dutch and an English name (statuses, call types, ...)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_nl = models.CharField(_("name (Dutch)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80)
    order = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if english_active() else self.name_nl


class IdempotencyRecord(models.Model):
    """Remembers the answer to a POST that carried an Idempotency-Key, so a retry makes one object."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    scope = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(default=0)
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "scope", "key"], name="uniq_idempotency_key")]


class ScheduledRun(models.Model):
    """One row per periodic job; workers claim a due job with a conditional UPDATE.

    A run fails when the job raised, or when some of its items failed (`core.loops.isolated`): then
    `last_error` says why (the first failed items), `error_count` how many runs in a row failed,
    `failed_items` how many items the last run could not handle. A clean run clears the error and
    the counts; `last_error_at` keeps when it last failed."""

    name = models.CharField(_("job"), max_length=100, primary_key=True)
    next_run_at = models.DateTimeField(_("next run"))
    last_started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True, default="")
    last_error_at = models.DateTimeField(_("last failed"), null=True, blank=True)
    error_count = models.PositiveIntegerField(_("failed runs in a row"), default=0)
    failed_items = models.PositiveIntegerField(_("failed items in the last run"), default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    def __str__(self) -> str:
        return self.name


class ProcessHeartbeat(models.Model):
    """Written by every long-running process so the UI can warn when one is missing.

    `capabilities` is what the process found out about its machine that the web process cannot see
    for itself, as short strings (the monitor: ``{"icmp": "unprivileged" | "raw" | "none"}``).
    """

    kind = models.CharField(max_length=20)
    host = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)
    capabilities = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "host", "pid"], name="uniq_heartbeat")]
