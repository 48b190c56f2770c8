"""The measures register: the statement of applicability (per control of the current catalogue:
applicable or not, and why), the implementation of a control for a scope (the whole organisation or
one service/application CI) with its owner, status, review date and evidence (files, knowledge
procedures and preventive activity series), and the trails of controls and catalogues.

Who sees what: staff read everything here; callers nothing. Writes are checked in the services
(`services/measures`): register managers (security officers, coordinators, administrators) edit
everything, the owner of an implementation edits that implementation."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beheer.core import access
from beheer.core.history import SubjectHistoryRecord, subject_index, subject_key

from .catalogue import Catalogue, Control, StaffHistoryQuerySet


class Applicability(models.TextChoices):
    APPLICABLE = "applicable", _("Applicable")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class StatementQuerySet(models.QuerySet["ApplicabilityStatement"]):
    def visible_to(self, user: Any) -> StatementQuerySet:
        return self if access.is_staff(user) else self.none()


class ApplicabilityStatement(models.Model):
    """One line of the statement of applicability (verklaring van toepasselijkheid): whether a
    control applies, and why. A control without a line is not assessed yet."""

    control = models.OneToOneField(
        Control, on_delete=models.PROTECT, related_name="statement", verbose_name=_("control")
    )
    applicability = models.CharField(_("applicability"), max_length=20, choices=Applicability.choices)
    justification = models.TextField(_("justification"), blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"))

    objects = StatementQuerySet.as_manager()

    class Meta:
        verbose_name = _("statement of applicability line")
        verbose_name_plural = _("statement of applicability")

    def __str__(self) -> str:
        return f"{self.control.number}: {self.get_applicability_display()}"

    @property
    def applies(self) -> bool:
        return self.applicability == Applicability.APPLICABLE


class ImplementationStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    PLANNED = "planned", _("Planned")
    PARTLY = "partly", _("Partly implemented")
    IMPLEMENTED = "implemented", _("Implemented")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class ImplementationQuerySet(models.QuerySet["Implementation"]):
    def visible_to(self, user: Any) -> ImplementationQuerySet:
        """Staff read every implementation; callers none."""
        return self if access.is_staff(user) else self.none()

    def for_list(self) -> ImplementationQuerySet:
        return self.select_related("control", "control__catalogue", "scope_ci", "owner")

    def review_overdue(self, day: Any) -> ImplementationQuerySet:
        return self.filter(review_on__lt=day)


class Implementation(models.Model):
    """How a control is implemented for a scope: the whole organisation (no CI) or one service or
    application of the CMDB. One per control and scope."""

    control = models.ForeignKey(
        Control, on_delete=models.PROTECT, related_name="implementations", verbose_name=_("control")
    )
    scope_ci = models.ForeignKey(
        "cmdb.ConfigurationItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scope"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ImplementationStatus.choices,
        default=ImplementationStatus.NOT_STARTED,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    description = models.TextField(_("how it is done"), blank=True)
    review_on = models.DateField(_("review date"), null=True, blank=True)
    # The review date the owner was reminded of (`services.measures.reminders`); once per date.
    review_reminded_for = models.DateField(null=True, blank=True)
    articles = models.ManyToManyField(
        "knowledge.Article", blank=True, related_name="+", verbose_name=_("procedures")
    )
    series = models.ManyToManyField(
        "operations.ActivitySeries", blank=True, related_name="+", verbose_name=_("preventive activities")
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = ImplementationQuerySet.as_manager()

    class Meta:
        verbose_name = _("implementation")
        verbose_name_plural = _("implementations")
        constraints = [
            models.UniqueConstraint(
                fields=["control"], condition=Q(scope_ci__isnull=True), name="security_impl_org_unique"
            ),
            models.UniqueConstraint(
                fields=["control", "scope_ci"],
                condition=Q(scope_ci__isnull=False),
                name="security_impl_scope_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["control", "id"], name="security_impl_control"),
            models.Index(fields=["scope_ci", "id"], name="security_impl_scope"),
            models.Index(fields=["review_on", "id"], name="security_impl_review"),
        ]

    def __str__(self) -> str:
        return f"{self.control.number} {self.scope_name}"

    @property
    def scope_name(self) -> str:
        return self.scope_ci.name if self.scope_ci_id and self.scope_ci else str(_("Whole organisation"))

    @property
    def history_name(self) -> str:
        return str(self)


def evidence_path(instance: EvidenceFile, filename: str) -> str:
    return f"security/evidence/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}"


class EvidenceFileQuerySet(models.QuerySet["EvidenceFile"]):
    def visible_to(self, user: Any) -> EvidenceFileQuerySet:
        return self.filter(implementation__in=Implementation.objects.visible_to(user).values("pk"))


class EvidenceFile(models.Model):
    """A file showing a control is implemented (a screenshot, a signed report), stored under a
    random name and served only by a permission-checked download."""

    implementation = models.ForeignKey(Implementation, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField()

    objects = EvidenceFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        indexes = [models.Index(fields=["implementation", "id"], name="security_evidence_impl")]

    def __str__(self) -> str:
        return self.original_name


class MeasuresAction(models.TextChoices):
    CREATED = "created", _("Own control created")
    CHANGED = "changed", _("Control changed")
    ARCHIVED = "archived", _("Control archived")
    RESTORED = "restored", _("Control restored")
    APPLICABILITY = "applicability", _("Statement of applicability changed")
    IMPLEMENTATION_ADDED = "implementation_added", _("Implementation added")
    IMPLEMENTATION_CHANGED = "implementation_changed", _("Implementation changed")
    REVIEWED = "reviewed", _("Implementation reviewed")
    EVIDENCE_ADDED = "evidence_added", _("Evidence file added")
    EVIDENCE_REMOVED = "evidence_removed", _("Evidence file removed")
    REVIEW_REMINDER = "review_reminder", _("Review reminder queued")


class ControlHistoryEntry(SubjectHistoryRecord):
    """Every change of a control: its own texts (own controls), its line in the statement of
    applicability, its implementations (the scope in `detail`) and their evidence."""

    subject_field = "control"
    subject_name_field = "control_name"
    subject_name_attr = "number"
    orphans_audience = access.Audience.STAFF
    field_labels = {
        "applicability": _("applicability"),
        "justification": _("justification"),
        "status": _("status"),
        "owner": _("owner"),
        "description": _("how it is done"),
        "review_on": _("review date"),
        "articles": _("procedures"),
        "series": _("preventive activities"),
        "scope": _("scope"),
        "file": _("evidence file"),
    }

    control = subject_key(Control, _("control"))
    control_name = models.CharField(_("control"), max_length=40)
    action = models.CharField(max_length=40, choices=MeasuresAction.choices)

    objects = StaffHistoryQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("control history entry")
        verbose_name_plural = _("control history")
        indexes = [subject_index("control", "security_control_history_at")]


class CatalogueAction(models.TextChoices):
    LOADED = "loaded", _("Catalogue loaded")
    MADE_CURRENT = "made_current", _("Made the current catalogue")


class CatalogueHistoryEntry(SubjectHistoryRecord):
    """When a catalogue version was loaded and made current, and by whom."""

    subject_field = "catalogue"
    subject_name_field = "catalogue_name"
    subject_name_attr = "code"
    orphans_audience = access.Audience.STAFF

    catalogue = subject_key(Catalogue, _("control catalogue"))
    catalogue_name = models.CharField(_("control catalogue"), max_length=60)
    action = models.CharField(max_length=40, choices=CatalogueAction.choices)

    objects = StaffHistoryQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("catalogue history entry")
        verbose_name_plural = _("catalogue history")
        indexes = [subject_index("catalogue", "security_catalogue_history_at")]
