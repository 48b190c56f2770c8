"""What happens on a melding: notes, history, time entries, links, attachments."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beheer.accounts.models import OperatorGroup, User
from beheer.core import access
from beheer.core.history import HistoryRecord
from beheer.core.language import english_active

from .lookups import Line
from .melding import Melding, sees_every_melding, unrestricted_for
from .service_levels import escalation_reason

# Fields whose values are choices: the code is stored in old_ref/new_ref and shown in the reader's
# language when the entry is read (the stored texts are kept for rows written before).
CHOICE_FIELDS: dict[str, type[models.TextChoices]] = {"line": Line}

# The detail of an entry the SLA sweep wrote: "sla:<metric>:<kind>", a code shown in the reader's language.
SLA_DETAIL_PREFIX = "sla:"


def sla_detail(metric: str, kind: str) -> str:
    return f"{SLA_DETAIL_PREFIX}{metric}:{kind}"


class Visibility(models.TextChoices):
    INTERNAL = "internal", _("Internal note")
    CALLER = "caller", _("Visible to caller")


class NoteQuerySet(models.QuerySet["Note"]):
    def visible_to(self, user: Any) -> NoteQuerySet:
        if sees_every_melding(user):
            return self
        if access.is_staff(user):
            return self.filter(unrestricted_for(user, "melding__"))
        qs = self.filter(melding__in=Melding.objects.visible_to(user))
        return qs.filter(visibility=Visibility.CALLER)


class Note(models.Model):
    """Actie: a progress entry. Internal notes stay with operators; replies reach the caller."""

    melding = models.ForeignKey(Melding, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    text = models.TextField(_("text"))
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices)
    created_at = models.DateTimeField(_("created"))

    objects = NoteQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["melding", "created_at", "id"], name="note_melding_created")]


class HistoryQuerySet(models.QuerySet["HistoryEntry"]):
    def visible_to(self, user: Any) -> HistoryQuerySet:
        if sees_every_melding(user):
            return self
        if access.is_staff(user):
            return self.filter(unrestricted_for(user, "melding__"))
        qs = self.filter(melding__in=Melding.objects.visible_to(user))
        return qs.filter(public=True)


class HistoryEntry(HistoryRecord):
    """Who changed what, when, old -> new; written by the service layer (`core.history.record`).

    `old_value`/`new_value` hold the text as shown in Dutch, the `_en` columns as shown in English."""

    subject_field = "melding"

    melding = models.ForeignKey(Melding, on_delete=models.CASCADE, related_name="history")
    old_value_en = models.TextField(blank=True)  # as shown in English
    new_value_en = models.TextField(blank=True)
    old_ref = models.CharField(max_length=40, blank=True)  # primary key of a changed reference (status, ...)
    new_ref = models.CharField(max_length=40, blank=True)
    detail = models.TextField(blank=True)
    public = models.BooleanField(default=False)

    objects = HistoryQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["melding", "at", "id"], name="history_melding_at")]

    def _display(self, ref: str, nl: str, en: str) -> str:
        choices = CHOICE_FIELDS.get(self.field)
        if choices is not None and ref in choices.values:
            return str(choices(ref).label)
        return en if english_active() else nl

    @property
    def old_display(self) -> str:
        return self._display(self.old_ref, self.old_value, self.old_value_en)

    @property
    def new_display(self) -> str:
        return self._display(self.new_ref, self.new_value, self.new_value_en)

    @property
    def detail_display(self) -> str:
        """Free text as written; a code of the SLA sweep in the reader's language."""
        if self.detail.startswith(SLA_DETAIL_PREFIX):
            metric, _sep, kind = self.detail.removeprefix(SLA_DETAIL_PREFIX).partition(":")
            reason = escalation_reason(metric, kind)
            if reason is not None:
                return str(reason)
        return self.detail


class TimeEntryQuerySet(models.QuerySet["TimeEntry"]):
    def visible_to(self, user: Any) -> TimeEntryQuerySet:
        """Time is operator information: staff read the time of the meldingen they may see."""
        if not access.is_staff(user):
            return self.none()
        if sees_every_melding(user):
            return self
        return self.filter(unrestricted_for(user, "melding__"))


class TimeEntry(models.Model):
    """Bestede tijd: time registered on a melding, booked on the line and the operator group the
    melding was in at that moment (an escalated melding's first-line time stays the first line's)."""

    melding = models.ForeignKey(Melding, on_delete=models.CASCADE, related_name="time_entries")
    operator = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    line = models.CharField(max_length=8, choices=Line.choices)
    operator_group = models.ForeignKey(
        OperatorGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    minutes = models.PositiveIntegerField(_("minutes"))
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField()

    objects = TimeEntryQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["melding", "date"], name="time_melding_date"),
            models.Index(fields=["operator", "date"], name="time_operator_date"),
            models.Index(fields=["date"], name="time_date"),  # time spent per period (reports)
            models.Index(fields=["operator_group", "date"], name="time_group_date"),
        ]


class MeldingLinkQuerySet(models.QuerySet["MeldingLink"]):
    def visible_to(self, user: Any) -> MeldingLinkQuerySet:
        """The links whose two meldingen `user` may both see."""
        if sees_every_melding(user):
            return self
        visible = Melding.objects.visible_to(user).values("pk")
        return self.filter(from_melding__in=visible, to_melding__in=visible)


class MeldingLink(models.Model):
    """A 'related to' link between two meldingen; stored once with from.id < to.id."""

    from_melding = models.ForeignKey(Melding, on_delete=models.CASCADE, related_name="+")
    to_melding = models.ForeignKey(Melding, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField()

    objects = MeldingLinkQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_melding", "to_melding"], name="uniq_melding_link"),
            models.CheckConstraint(condition=Q(from_melding__lt=models.F("to_melding")), name="link_ordered"),
        ]
        indexes = [models.Index(fields=["to_melding"], name="link_to")]


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}"


class AttachmentQuerySet(models.QuerySet["Attachment"]):
    def visible_to(self, user: Any) -> AttachmentQuerySet:
        if sees_every_melding(user):
            return self
        if access.is_staff(user):
            return self.filter(unrestricted_for(user, "melding__"))
        qs = self.filter(melding__in=Melding.objects.visible_to(user))
        return qs.filter(visible_to_caller=True)


class Attachment(models.Model):
    melding = models.ForeignKey(Melding, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    visible_to_caller = models.BooleanField(_("visible to caller"), default=True)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField()

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["melding", "created_at"], name="attachment_melding")]
