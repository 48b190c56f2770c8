"""Configuration of changes: the phases, the risk matrix and its levels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from beheer.core import access
from beheer.core.models import LocalizedNameModel


class PhaseQuerySet(access.RoleQuerySet, models.QuerySet["Phase"]):
    audience = access.Audience.CALLER  # a caller sees the phase of their own changes

    def active(self) -> PhaseQuerySet:
        return self.filter(active=True)


class Phase(LocalizedNameModel):
    """A phase of a change (fase). Shipped with Beheer (`workflow.PHASES`): coordinators rename and
    reorder them and deactivate the optional ones; the code, which the rules read, never changes."""

    optional = models.BooleanField(_("optional"), default=False, editable=False)
    version = models.PositiveIntegerField(default=1)

    objects = PhaseQuerySet.as_manager()

    class Meta(LocalizedNameModel.Meta):
        verbose_name = _("phase")
        verbose_name_plural = _("phases")


class Likelihood(models.IntegerChoices):
    RARE = 1, _("Rare")
    POSSIBLE = 2, _("Possible")
    LIKELY = 3, _("Likely")
    ALMOST_CERTAIN = 4, _("Almost certain")


class RiskImpact(models.IntegerChoices):
    MINOR = 1, _("Minor")
    MODERATE = 2, _("Moderate")
    MAJOR = 3, _("Major")
    SEVERE = 4, _("Severe")


class RiskLevelQuerySet(access.RoleQuerySet, models.QuerySet["RiskLevel"]):
    audience = access.Audience.STAFF


class RiskLevel(LocalizedNameModel):
    """A risk level (low, medium, high, critical); `level` 1 is the lowest risk."""

    level = models.PositiveSmallIntegerField(_("level"), unique=True, help_text=_("1 is the lowest risk."))

    objects = RiskLevelQuerySet.as_manager()

    class Meta(LocalizedNameModel.Meta):
        verbose_name = _("risk level")
        verbose_name_plural = _("risk levels")


class RiskMatrixCellQuerySet(access.RoleQuerySet, models.QuerySet["RiskMatrixCell"]):
    audience = access.Audience.STAFF


class RiskMatrixCell(models.Model):
    """Likelihood x impact -> risk level, edited by coordinators like the priority matrix."""

    likelihood = models.PositiveSmallIntegerField(_("likelihood"), choices=Likelihood.choices)
    impact = models.PositiveSmallIntegerField(_("impact"), choices=RiskImpact.choices)
    level = models.ForeignKey(
        RiskLevel, on_delete=models.PROTECT, related_name="+", verbose_name=_("risk level")
    )

    objects = RiskMatrixCellQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk matrix cell")
        verbose_name_plural = _("risk matrix")
        ordering = ["likelihood", "impact"]
        constraints = [
            models.UniqueConstraint(fields=["likelihood", "impact"], name="uniq_change_risk_cell"),
        ]

    def __str__(self) -> str:
        return f"{self.get_likelihood_display()} x {self.get_impact_display()}"
