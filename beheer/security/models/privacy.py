"""Privacy (AVG): the register of processing activities (verwerkingsregister, AVG art. 30), the
retention periods per kind of record with the runs of the anonymisation job, and the requests of
the people concerned (access and erasure, AVG art. 15 and 17).

Reads: staff (`visible_to`); writes in `services/privacy*.py` by privacy officers and administrators."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from beheer.core import access
from beheer.core.history import SubjectHistoryRecord, subject_index, subject_key

from .catalogue import Control, StaffHistoryQuerySet


class StaffQuerySet(models.QuerySet[Any]):
    def visible_to(self, user: Any) -> Any:
        """Staff read the privacy register; callers never."""
        return self if access.is_staff(user) else self.none()


class LegalBasis(models.TextChoices):
    """AVG art. 6(1) (a) to (f)."""

    CONSENT = "consent", _("Consent")
    CONTRACT = "contract", _("Contract")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation")
    VITAL_INTERESTS = "vital_interests", _("Vital interests")
    PUBLIC_TASK = "public_task", _("Public task")
    LEGITIMATE_INTERESTS = "legitimate_interests", _("Legitimate interests")


class ProcessingActivity(models.Model):
    """One processing activity of the register (verwerkingsactiviteit)."""

    name = models.CharField(_("name"), max_length=200)
    purpose = models.TextField(_("purpose"))
    legal_basis = models.CharField(_("legal basis"), max_length=24, choices=LegalBasis.choices)
    legal_basis_note = models.TextField(_("explanation of the legal basis"), blank=True)
    people_categories = models.TextField(_("categories of people"))
    data_categories = models.TextField(_("categories of personal data"))
    special_categories = models.BooleanField(_("special categories of personal data"), default=False)
    recipients = models.TextField(_("recipients"), blank=True)
    transfer_outside_eu = models.BooleanField(_("transfer outside the EU"), default=False)
    transfer_safeguards = models.TextField(_("safeguards for the transfer"), blank=True)
    retention = models.TextField(_("retention"))
    applications = models.ManyToManyField(
        "cmdb.ConfigurationItem", blank=True, related_name="+", verbose_name=_("applications")
    )
    measures = models.ManyToManyField(
        Control, blank=True, related_name="+", verbose_name=_("security measures")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    review_date = models.DateField(_("review date"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("changed"))
    version = models.PositiveIntegerField(default=1)

    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("processing activity")
        verbose_name_plural = _("processing activities")
        indexes = [
            models.Index(fields=["name", "id"], name="sec_processing_name"),
            models.Index(fields=["review_date", "id"], name="sec_processing_review"),
        ]

    def __str__(self) -> str:
        return self.name


class PrivacyAction(models.TextChoices):
    CREATED = "created", _("Created")
    CHANGED = "changed", _("Changed")
    ARCHIVED = "archived", _("Archived")
    RESTORED = "restored", _("Restored")


class ProcessingHistoryEntry(SubjectHistoryRecord):
    """Who changed a processing activity, when, old -> new."""

    subject_field = "activity"
    subject_name_field = "activity_name"
    orphans_audience = access.Audience.STAFF
    field_labels = {"applications": _("applications"), "measures": _("security measures")}

    activity = subject_key(ProcessingActivity, _("processing activity"))
    activity_name = models.CharField(_("processing activity"), max_length=200)
    action = models.CharField(max_length=40, choices=PrivacyAction.choices)

    objects = StaffHistoryQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("processing history entry")
        verbose_name_plural = _("processing history")
        indexes = [subject_index("activity", "sec_processing_history_at")]


class RetentionKind(models.TextChoices):
    CLOSED_MELDINGEN = "closed_meldingen", _("Closed calls")
    MAIL_INTAKE = "mail_intake", _("Messages of the mail intake")
    MONITORING_RESULTS = "monitoring_results", _("Monitoring results")
    SIGN_IN_LOG = "sign_in_log", _("Sign-in log")


class RetentionSetting(models.Model):
    """How long one kind of record keeps its personal data; `months` empty = kept forever."""

    kind = models.CharField(_("kind of record"), max_length=24, choices=RetentionKind.choices, unique=True)
    months = models.PositiveIntegerField(_("retention (months)"), null=True, blank=True)
    updated_at = models.DateTimeField(_("changed"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("retention period")
        verbose_name_plural = _("retention periods")

    def __str__(self) -> str:
        return str(self.get_kind_display())

    @property
    def name(self) -> str:
        return str(self.get_kind_display())


class RetentionHistoryEntry(SubjectHistoryRecord):
    """Who changed a retention period, when, old -> new."""

    subject_field = "setting"
    subject_name_field = "setting_name"
    orphans_audience = access.Audience.STAFF

    setting = subject_key(RetentionSetting, _("retention period"))
    setting_name = models.CharField(_("retention period"), max_length=100)
    action = models.CharField(max_length=40, choices=PrivacyAction.choices)

    objects = StaffHistoryQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("retention history entry")
        verbose_name_plural = _("retention history")
        indexes = [subject_index("setting", "sec_retention_history_at")]


class RunTrigger(models.TextChoices):
    SCHEDULE = "schedule", _("Scheduled")
    MANUAL = "manual", _("Started by hand")


class AnonymisationRun(models.Model):
    """One run of the retention job, with what it did. A run that never finished (the worker was
    stopped) keeps `finished_at` empty; the next run goes on where it stopped."""

    trigger = models.CharField(_("trigger"), max_length=10, choices=RunTrigger.choices)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    meldingen = models.PositiveIntegerField(_("calls anonymised"), default=0)
    messages = models.PositiveIntegerField(_("mail messages cleared"), default=0)
    monitoring_results = models.PositiveIntegerField(_("monitoring results removed"), default=0)
    sign_ins = models.PositiveIntegerField(_("sign-in records removed"), default=0)
    failures = models.PositiveIntegerField(_("failures"), default=0)
    failure_detail = models.TextField(_("failure detail"), blank=True)
    complete = models.BooleanField(_("complete"), default=False)

    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("anonymisation run")
        verbose_name_plural = _("anonymisation runs")
        indexes = [models.Index(fields=["-started_at", "-id"], name="sec_anon_run_started")]


class AnonymisedMelding(models.Model):
    """The marker of a melding whose personal data was removed: written in the transaction that
    removed it, so a run stopped half-way leaves each melding either untouched or done, and the next
    run skips the done ones."""

    melding = models.OneToOneField(
        "servicedesk.Melding", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    at = models.DateTimeField()
    run = models.ForeignKey(
        AnonymisationRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("anonymised call")
        verbose_name_plural = _("anonymised calls")


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access: data exported")
    ERASURE = "erasure", _("Erasure: person anonymised")


class PersonRequest(models.Model):
    """The record of a request of a person concerned that was carried out: who did it, when, and the
    request's reference. Never what was removed."""

    kind = models.CharField(_("kind"), max_length=10, choices=RequestKind.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reference = models.CharField(_("reference of the request"), max_length=100)
    done_at = models.DateTimeField(_("done"))
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    meldingen = models.PositiveIntegerField(_("calls anonymised"), default=0)

    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("request of a person concerned")
        verbose_name_plural = _("requests of people concerned")
        indexes = [models.Index(fields=["-done_at", "-id"], name="sec_person_request_done")]
