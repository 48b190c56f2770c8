"""Security incidents and the breach register.

A `SecurityIncident` belongs to one melding that has been made a security incident (restricted, see
`servicedesk.services.restricted`): it records the moment of awareness, what kind of incident it is
(a significant incident under the Cyberbeveiligingswet / NIS2, a personal-data breach under the AVG,
or both), the AVG's facts of a breach and its status. `IncidentReport` is a report made to the CSIRT,
the Autoriteit Persoonsgegevens or the people concerned; a reporting deadline (`deadlines.py`) is met
when its report is recorded. `DeadlineNotice` keeps, per incident and deadline, which warning went
out (forward only). The breach register is every incident with `breach` set.

Reads: security officers see every incident; anybody else only the incidents of meldingen they have
been given access to (`MeldingAccess`); the breach register also for privacy officers.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beheer.core import access
from beheer.core.history import HistoryRecordQuerySet, SubjectHistoryRecord, subject_index, subject_key
from beheer.servicedesk.models import Melding, MeldingAccess

from .. import deadlines


def _is_security_officer(user: Any) -> bool:
    return access.is_staff(user) and bool(getattr(user, "security_officer", False))


def _is_privacy_officer(user: Any) -> bool:
    return access.is_staff(user) and bool(getattr(user, "privacy_officer", False))


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("Being handled")
    HANDLED = "handled", _("Handled, reporting goes on")
    CLOSED = "closed", _("Closed")


class ReportKind(models.TextChoices):
    EARLY_WARNING = deadlines.EARLY_WARNING, _("Early warning (24 hours)")
    NOTIFICATION = deadlines.NOTIFICATION, _("Incident notification (72 hours)")
    PROGRESS_REPORT = deadlines.PROGRESS_REPORT, _("Progress report")
    FINAL_REPORT = deadlines.FINAL_REPORT, _("Final report")
    AP_REPORT = deadlines.AP_REPORT, _("Report to the Autoriteit Persoonsgegevens")
    PEOPLE_NOTICE = deadlines.PEOPLE_NOTICE, _("Notification of the people concerned")


class SecurityIncidentQuerySet(models.QuerySet["SecurityIncident"]):
    def visible_to(self, user: Any) -> SecurityIncidentQuerySet:
        """Security officers see every incident; other staff those of meldingen they were given
        access to; callers none."""
        if not access.is_staff(user):
            return self.none()
        if _is_security_officer(user):
            return self
        granted = MeldingAccess.objects.filter(person_id=user.pk).values("melding_id")
        return self.filter(melding_id__in=granted)

    def register_visible_to(self, user: Any) -> SecurityIncidentQuerySet:
        """The breach register: every breach for security and privacy officers, nothing for others."""
        if _is_security_officer(user) or _is_privacy_officer(user):
            return self.filter(breach=True)
        return self.none()

    def breach_filter(
        self,
        *,
        reported: str = "",
        status: str = "",
        since: date | None = None,
        until: date | None = None,
    ) -> SecurityIncidentQuerySet:
        """The register's filters: reported to the AP or not ("yes"/"no"), the status, and the
        (local) days of awareness from and until."""
        rows = self
        made = IncidentReport.objects.filter(incident=OuterRef("pk"), kind=deadlines.AP_REPORT)
        if reported == "yes":
            rows = rows.filter(Exists(made))
        elif reported == "no":
            rows = rows.filter(~Exists(made))
        if status:
            rows = rows.filter(status=status)
        zone = timezone.get_current_timezone()
        if since is not None:
            rows = rows.filter(aware_at__gte=datetime.combine(since, time.min, tzinfo=zone))
        if until is not None:
            rows = rows.filter(
                aware_at__lt=datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone)
            )
        return rows


class SecurityIncident(models.Model):
    melding = models.OneToOneField(
        Melding, on_delete=models.PROTECT, related_name="security_incident", verbose_name=_("call")
    )
    title = models.CharField(_("short description"), max_length=200)
    aware_at = models.DateTimeField(_("aware since"))
    significant = models.BooleanField(_("significant incident (Cyberbeveiligingswet)"), default=False)
    breach = models.BooleanField(_("personal-data breach (AVG)"), default=False)
    unlikely_risk = models.BooleanField(_("unlikely to pose a risk to the people concerned"), default=False)
    unlikely_risk_reason = models.TextField(_("why it is unlikely to pose a risk"), blank=True)
    high_risk = models.BooleanField(_("high risk to the people concerned"), default=False)
    nature = models.TextField(_("nature of the breach"), blank=True)
    data_categories = models.TextField(_("categories of personal data"), blank=True)
    people_categories = models.TextField(_("categories of people concerned"), blank=True)
    people_count = models.PositiveIntegerField(_("approximate number of people"), null=True, blank=True)
    records_count = models.PositiveIntegerField(_("approximate number of records"), null=True, blank=True)
    consequences = models.TextField(_("likely consequences"), blank=True)
    measures = models.TextField(_("measures taken or proposed"), blank=True)
    contact = models.CharField(_("contact for more information"), max_length=300, blank=True)
    csirt_name = models.CharField(_("CSIRT"), max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=IncidentStatus.choices, default=IncidentStatus.OPEN
    )
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    clocks_open = models.BooleanField(default=True)  # a reporting deadline is not met yet
    declared_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("declared by")
    )
    declared_at = models.DateTimeField(_("declared"))
    updated_at = models.DateTimeField(_("updated"))
    version = models.PositiveIntegerField(default=1)

    objects = SecurityIncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("security incident")
        verbose_name_plural = _("security incidents")
        indexes = [
            models.Index(fields=["aware_at", "id"], name="security_incident_aware"),
            models.Index(fields=["id"], condition=Q(clocks_open=True), name="security_incident_clocks"),
            models.Index(fields=["breach", "aware_at", "id"], name="security_breach_register"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(unlikely_risk=False) | Q(high_risk=False), name="security_incident_risk_one"
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"BI{self.pk or 0:06d}"

    @property
    def history_name(self) -> str:
        return self.number

    def facts(self) -> deadlines.Facts:
        return deadlines.Facts(
            aware_at=self.aware_at,
            significant=self.significant,
            breach=self.breach,
            unlikely_risk=self.unlikely_risk,
            high_risk=self.high_risk,
            handled_at=self.handled_at,
        )


class IncidentReportQuerySet(models.QuerySet["IncidentReport"]):
    def visible_to(self, user: Any) -> IncidentReportQuerySet:
        """The reports of the incidents `user` sees, and of the breaches in the register they read."""
        incidents = SecurityIncident.objects.visible_to(user)
        register = SecurityIncident.objects.register_visible_to(user)
        return self.filter(Q(incident__in=incidents.values("pk")) | Q(incident__in=register.values("pk")))


class IncidentReport(models.Model):
    """A report made about an incident: what, when, to whom, the reference, by whom."""

    incident = models.ForeignKey(SecurityIncident, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(_("report"), max_length=20, choices=ReportKind.choices)
    made_at = models.DateTimeField(_("made"))
    recipient = models.CharField(_("to"), max_length=200)
    reference = models.CharField(_("reference"), max_length=120, blank=True)
    note = models.TextField(_("note"), blank=True)
    made_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("made by")
    )
    recorded_at = models.DateTimeField(_("recorded"))

    objects = IncidentReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident report")
        verbose_name_plural = _("incident reports")
        indexes = [models.Index(fields=["incident", "made_at", "id"], name="security_report_incident")]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "kind"],
                condition=~Q(kind=deadlines.PROGRESS_REPORT),
                name="security_report_once_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.made_at:%Y-%m-%d})"


class DeadlineNotice(models.Model):
    """Which warning about one deadline of an incident went out: 1 near, 2 passed (forward only,
    moved by a conditional UPDATE in the transaction that queues the messages)."""

    incident = models.ForeignKey(SecurityIncident, on_delete=models.CASCADE, related_name="notices")
    deadline = models.CharField(max_length=20, choices=ReportKind.choices)
    level = models.PositiveSmallIntegerField(default=deadlines.NONE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "deadline"], name="security_notice_once"),
        ]


class IncidentAction(models.TextChoices):
    DECLARED = "declared", _("Made a security incident")
    CHANGED = "changed", _("Changed")
    REPORTED = "reported", _("Report recorded")
    ACCESS_GRANTED = "access_granted", _("Access granted")
    ACCESS_REVOKED = "access_revoked", _("Access revoked")
    WARNED = "warned", _("Deadline warning sent")


class IncidentHistoryQuerySet(HistoryRecordQuerySet["IncidentHistoryEntry"]):
    pass


class IncidentHistoryEntry(SubjectHistoryRecord):
    """Every change of a security incident (who, what, when, old -> new)."""

    subject_field = "incident"
    subject_name_field = "incident_name"
    subject_name_attr = "history_name"
    orphans_audience = None
    field_labels = {
        "report": _("report"),
        "access": _("access"),
        "warning": _("warning"),
    }

    incident = subject_key(SecurityIncident, _("security incident"))
    incident_name = models.CharField(_("security incident"), max_length=20)
    action = models.CharField(max_length=40, choices=IncidentAction.choices)

    objects = IncidentHistoryQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("security incident history entry")
        verbose_name_plural = _("security incident history")
        indexes = [subject_index("incident", "security_incident_hist_at")]
