"""Risks and classification: the CIA classification (beschikbaarheid, integriteit,
vertrouwelijkheid) of CIs, the risk matrix settings (likelihood and impact levels 1-5 with names, the
score bands low/medium/high/critical) and the risk register (RSK-n), each with its trail."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beheer.cmdb.models import ConfigurationItem
from beheer.core import access
from beheer.core.history import SubjectHistoryRecord, subject_index, subject_key
from beheer.core.language import english_active

from .catalogue import Control, StaffHistoryQuerySet

LEVELS = (1, 2, 3, 4, 5)  # the likelihood and impact levels of the matrix


class CiaLevel(models.IntegerChoices):
    """One value of the CIA classification (BIV-classificatie)."""

    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")


CIA_FIELDS = ("availability", "integrity", "confidentiality")


# --------------------------------------------------------------------------------------------------
# classification


class ClassificationQuerySet(models.QuerySet["Classification"]):
    def visible_to(self, user: Any) -> ClassificationQuerySet:
        """Staff read the classifications; callers never."""
        return self if access.is_staff(user) else self.none()


class Classification(models.Model):
    """The CIA classification of one CI (a service or application, or anything below it), with the
    justification and who classified it when."""

    ci = models.OneToOneField(
        ConfigurationItem,
        on_delete=models.CASCADE,
        related_name="security_classification",
        verbose_name=_("configuration item"),
    )
    availability = models.PositiveSmallIntegerField(_("availability"), choices=CiaLevel.choices)
    integrity = models.PositiveSmallIntegerField(_("integrity"), choices=CiaLevel.choices)
    confidentiality = models.PositiveSmallIntegerField(_("confidentiality"), choices=CiaLevel.choices)
    justification = models.TextField(_("justification"), blank=True)
    classified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("classified by"),
    )
    classified_at = models.DateTimeField(_("classified"))
    version = models.PositiveIntegerField(default=1)

    objects = ClassificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("CIA classification")
        verbose_name_plural = _("CIA classifications")
        constraints = [
            models.CheckConstraint(
                condition=Q(availability__gte=1, availability__lte=3)
                & Q(integrity__gte=1, integrity__lte=3)
                & Q(confidentiality__gte=1, confidentiality__lte=3),
                name="security_classification_levels",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ci}: {self.code}"

    @property
    def code(self) -> str:
        """B/I/V as digits, e.g. "2-2-3" (availability, integrity, confidentiality)."""
        return f"{self.availability}-{self.integrity}-{self.confidentiality}"


class ClassificationAction(models.TextChoices):
    CLASSIFIED = "classified", _("Classified")
    CHANGED = "changed", _("Classification changed")
    ADOPTED = "adopted", _("Suggestion adopted")
    REMOVED = "removed", _("Classification removed")


class ClassificationHistoryEntry(SubjectHistoryRecord):
    """Every change of a CI's classification (the CI is the subject: the trail outlives a removed
    classification)."""

    subject_field = "ci"
    subject_name_field = "ci_name"
    orphans_audience = access.Audience.STAFF

    ci = models.ForeignKey(  # not `subject_key`: a CI's own trail is its `history`
        ConfigurationItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="security_classification_history",
        verbose_name=_("configuration item"),
    )
    ci_name = models.CharField(_("configuration item"), max_length=200)
    action = models.CharField(max_length=40, choices=ClassificationAction.choices)

    objects = StaffHistoryQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("classification history entry")
        verbose_name_plural = _("classification history")
        indexes = [subject_index("ci", "security_class_history_at")]

    @classmethod
    def subject_field_of(cls, name: str) -> models.Field[Any, Any] | None:
        """Field names of the classification (availability, ...) are labelled from it."""
        try:
            found = Classification._meta.get_field(name.split(".", 1)[0])
        except FieldDoesNotExist:
            return None
        return found if isinstance(found, models.Field) else None


# --------------------------------------------------------------------------------------------------
# the matrix


class Axis(models.TextChoices):
    LIKELIHOOD = "likelihood", _("Likelihood")
    IMPACT = "impact", _("Impact")


class Band(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class RiskSettingsQuerySet(models.QuerySet["RiskSettings"]):
    def visible_to(self, user: Any) -> RiskSettingsQuerySet:
        return self if access.is_staff(user) else self.none()


class RiskSettings(models.Model):
    """The one row of the risk matrix settings: where the score bands start (low starts at 1; a score
    is likelihood x impact, 1 to 25) and the counter of risk numbers (never handed out twice)."""

    medium_from = models.PositiveSmallIntegerField(_("medium from score"), default=5)
    high_from = models.PositiveSmallIntegerField(_("high from score"), default=10)
    critical_from = models.PositiveSmallIntegerField(_("critical from score"), default=16)
    risk_counter = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(_("changed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = RiskSettingsQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk matrix")
        verbose_name_plural = _("risk matrix")
        constraints = [
            models.CheckConstraint(
                condition=Q(medium_from__gt=1)
                & Q(high_from__gt=models.F("medium_from"))
                & Q(critical_from__gt=models.F("high_from"))
                & Q(critical_from__lte=25),
                name="security_risk_bands_ascending",
            )
        ]

    def __str__(self) -> str:
        return str(_("Risk matrix"))

    @property
    def history_name(self) -> str:
        return str(self)

    def band_of(self, score: int | None) -> str:
        """The band of a score (likelihood x impact), "" for none."""
        if not score:
            return ""
        if score >= self.critical_from:
            return Band.CRITICAL
        if score >= self.high_from:
            return Band.HIGH
        if score >= self.medium_from:
            return Band.MEDIUM
        return Band.LOW

    def band_range(self, band: str) -> tuple[int, int]:
        """The scores (from, to inclusive) of a band."""
        bounds = {
            Band.LOW: (1, self.medium_from - 1),
            Band.MEDIUM: (self.medium_from, self.high_from - 1),
            Band.HIGH: (self.high_from, self.critical_from - 1),
            Band.CRITICAL: (self.critical_from, 25),
        }
        return bounds[Band(band)]


class ScaleLevelQuerySet(models.QuerySet["ScaleLevel"]):
    def visible_to(self, user: Any) -> ScaleLevelQuerySet:
        return self if access.is_staff(user) else self.none()


class ScaleLevel(models.Model):
    """The name of one level (1-5) of likelihood or impact, in Dutch and English."""

    axis = models.CharField(_("axis"), max_length=10, choices=Axis.choices)
    value = models.PositiveSmallIntegerField(_("level"))
    name_nl = models.CharField(_("name (Dutch)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80)

    objects = ScaleLevelQuerySet.as_manager()

    class Meta:
        ordering = ["axis", "value"]
        verbose_name = _("risk matrix level")
        verbose_name_plural = _("risk matrix levels")
        constraints = [
            models.UniqueConstraint(fields=["axis", "value"], name="security_scale_level_unique"),
            models.CheckConstraint(
                condition=Q(value__gte=1, value__lte=5), name="security_scale_level_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value} {self.name}"

    @property
    def name(self) -> str:
        return self.name_en if english_active() else self.name_nl


# --------------------------------------------------------------------------------------------------
# the risk register


class Treatment(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    REDUCE = "reduce", _("Reduce")
    TRANSFER = "transfer", _("Transfer")
    AVOID = "avoid", _("Avoid")


class RiskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    TREATED = "treated", _("Treated")
    ACCEPTED = "accepted", _("Accepted")
    CLOSED = "closed", _("Closed")


class RiskQuerySet(models.QuerySet["Risk"]):
    def visible_to(self, user: Any) -> RiskQuerySet:
        """Staff read the risk register; callers never."""
        return self if access.is_staff(user) else self.none()

    def current(self) -> RiskQuerySet:
        """Risks not closed."""
        return self.exclude(status=RiskStatus.CLOSED)


def format_risk_number(number: int) -> str:
    return f"RSK-{number}"


class Risk(models.Model):
    """A risk of the register: a threat exploiting a vulnerability of services and CIs, its
    likelihood x impact before (inherent) and after (residual) its treatment."""

    number = models.PositiveIntegerField(_("number"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    threat = models.TextField(_("threat"), blank=True)
    vulnerability = models.TextField(_("vulnerability"), blank=True)
    cis = models.ManyToManyField(
        ConfigurationItem, blank=True, related_name="security_risks", verbose_name=_("services and CIs")
    )
    likelihood = models.PositiveSmallIntegerField(_("likelihood"))
    impact = models.PositiveSmallIntegerField(_("impact"))
    inherent_score = models.PositiveSmallIntegerField(_("inherent risk"))
    treatment = models.CharField(_("treatment"), max_length=10, choices=Treatment.choices, blank=True)
    treatment_plan = models.TextField(_("treatment plan"), blank=True)
    controls = models.ManyToManyField(Control, blank=True, related_name="risks", verbose_name=_("controls"))
    residual_likelihood = models.PositiveSmallIntegerField(_("residual likelihood"), null=True, blank=True)
    residual_impact = models.PositiveSmallIntegerField(_("residual impact"), null=True, blank=True)
    residual_score = models.PositiveSmallIntegerField(_("residual risk"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    review_date = models.DateField(_("review date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    acceptance_reason = models.TextField(_("reason for acceptance"), blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    reminded_for = models.DateField(null=True, blank=True, editable=False)  # review date last reminded
    created_at = models.DateTimeField(_("created"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    updated_at = models.DateTimeField(_("changed"))
    version = models.PositiveIntegerField(default=1)

    objects = RiskQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=5) & Q(impact__gte=1, impact__lte=5),
                name="security_risk_levels",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        residual_likelihood__isnull=True,
                        residual_impact__isnull=True,
                        residual_score__isnull=True,
                    )
                    | Q(
                        residual_likelihood__gte=1,
                        residual_likelihood__lte=5,
                        residual_impact__gte=1,
                        residual_impact__lte=5,
                        residual_score__isnull=False,
                    )
                ),
                name="security_risk_residual",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "number"], name="security_risk_status"),
            models.Index(fields=["inherent_score", "number"], name="security_risk_score"),
            models.Index(fields=["review_date", "number"], name="security_risk_review"),
            models.Index(fields=["owner", "number"], name="security_risk_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def code(self) -> str:
        return format_risk_number(self.number)

    @property
    def history_name(self) -> str:
        return str(self)[:200]

    @property
    def score(self) -> int:
        """The score that counts now: the residual one once estimated, else the inherent one."""
        return self.residual_score or self.inherent_score


class RiskAction(models.TextChoices):
    CREATED = "created", _("Risk registered")
    CHANGED = "changed", _("Risk changed")
    ACCEPTED = "accepted", _("Risk accepted")
    REMINDED = "reminded", _("Review reminder sent")


class RiskHistoryEntry(SubjectHistoryRecord):
    """Every change of a risk."""

    subject_field = "risk"
    subject_name_field = "risk_name"
    subject_name_attr = "history_name"
    orphans_audience = access.Audience.STAFF

    risk = subject_key(Risk, _("risk"))
    risk_name = models.CharField(_("risk"), max_length=200)
    action = models.CharField(max_length=40, choices=RiskAction.choices)

    objects = StaffHistoryQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("risk history entry")
        verbose_name_plural = _("risk history")
        indexes = [subject_index("risk", "security_risk_history_at")]


class RiskMatrixHistoryEntry(SubjectHistoryRecord):
    """Every change of the matrix settings: the bands and the names of the levels
    ("likelihood.3" for the name of likelihood level 3)."""

    subject_field = "settings"
    subject_name_field = ""
    orphans_audience = access.Audience.STAFF
    field_labels = {f"{axis}.{n}": f"{axis} {n}" for axis in ("likelihood", "impact") for n in LEVELS}

    settings = subject_key(RiskSettings, _("risk matrix"))
    action = models.CharField(max_length=40, default="changed")

    objects = StaffHistoryQuerySet.as_manager()  # type: ignore[misc]

    def __str__(self) -> str:
        return f"{_('Risk matrix')}: {self.action_label}"

    class Meta:
        verbose_name = _("risk matrix history entry")
        verbose_name_plural = _("risk matrix history")
        indexes = [subject_index("settings", "security_matrix_history_at")]
