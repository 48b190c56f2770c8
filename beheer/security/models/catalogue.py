"""The control catalogue: the structure of ISO/IEC 27002:2022 (themes 5 to 8, 93 controls) with the
BIO2 government measures as sub-items, loaded as data with numbers and short titles in our own
words, and the organisation's own controls. Catalogues are versioned and can sit side by side."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from beheer.core import access
from beheer.core.history import HistoryRecordQuerySet


class StaffHistoryQuerySet(access.RoleQuerySet, HistoryRecordQuerySet[Any]):
    """The trails of the security register's staff-only records (controls, catalogues, risks,
    classifications, the risk matrix, processing activities): every staff member reads them, nobody
    else, without a subquery over the subjects."""

    audience = access.Audience.STAFF


class CatalogueKind(models.TextChoices):
    STANDARD = "standard", _("Standard")
    OWN = "own", _("Own controls")


class Theme(models.TextChoices):
    """The four themes of ISO/IEC 27002:2022, and the organisation's own."""

    ORGANISATIONAL = "organisational", _("Organisational")
    PEOPLE = "people", _("People")
    PHYSICAL = "physical", _("Physical")
    TECHNOLOGICAL = "technological", _("Technological")
    OWN = "own", _("Own")


class CatalogueQuerySet(models.QuerySet["Catalogue"]):
    def visible_to(self, user: Any) -> CatalogueQuerySet:
        """Staff read the catalogues; callers never."""
        return self if access.is_staff(user) else self.none()


class Catalogue(models.Model):
    """One version of a control catalogue (e.g. ISO/IEC 27002:2022 with BIO2), or the organisation's
    own controls. Several versions can be loaded side by side; one standard catalogue is current."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=CatalogueKind.choices)
    name_nl = models.CharField(_("name (Dutch)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    version_label = models.CharField(_("version"), max_length=40, blank=True)
    current = models.BooleanField(_("current"), default=False)
    loaded_at = models.DateTimeField(_("loaded"))

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("control catalogue")
        verbose_name_plural = _("control catalogues")
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=Q(current=True), name="security_one_current_catalogue_per_kind"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "nl").startswith("en") else self.name_nl


class ControlQuerySet(models.QuerySet["Control"]):
    def visible_to(self, user: Any) -> ControlQuerySet:
        """Staff read every control; callers none."""
        return self if access.is_staff(user) else self.none()

    def active(self) -> ControlQuerySet:
        return self.filter(active=True)


class Control(models.Model):
    """A control of a catalogue: a main control ("5.15") or a sub-item of one (a BIO2 government
    measure, "5.15.1"), or an own control ("EIG-3"). Titles are short, in our own words."""

    catalogue = models.ForeignKey(Catalogue, on_delete=models.PROTECT, related_name="controls")
    number = models.CharField(_("number"), max_length=20)
    theme = models.CharField(_("theme"), max_length=20, choices=Theme.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="sub_items"
    )
    title_nl = models.CharField(_("title (Dutch)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    sort_key = models.CharField(max_length=40)  # the number with zero-padded parts, for ordering
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)

    objects = ControlQuerySet.as_manager()

    class Meta:
        ordering = ["catalogue", "sort_key"]
        verbose_name = _("control")
        verbose_name_plural = _("controls")
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "number"], name="security_control_number_unique")
        ]
        indexes = [models.Index(fields=["catalogue", "sort_key"], name="security_control_order")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def title(self) -> str:
        return self.title_en if (get_language() or "nl").startswith("en") else self.title_nl


def sort_key(number: str) -> str:
    """ "5.15.1" -> "0005.0015.0001"; an own control's letters keep their place before its digits."""
    parts = number.replace("-", ".").split(".")
    return ".".join(p.zfill(4) if p.isdigit() else p for p in parts)[:40]
