"""Configuration management: suppliers, configuration items (CIs) of typed kinds with custom
attributes, the relations between them and each CI's history.

A CI's custom attributes are rows of `CiAttributeValue` (one per CI and attribute, with a typed
column per kind of value) rather than a JSON column, so a list filtered on an attribute is an indexed
lookup on SQLite and PostgreSQL alike. A relation stores, besides its source, target and kind, which
of the two depends on the other (`dependent`, `dependency`), so the impact analysis follows one
indexed column whatever the kind (`impact.py`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beheer.core import access
from beheer.core.history import HistoryRecordQuerySet, SubjectHistoryRecord, subject_index, subject_key
from beheer.core.language import english_active
from beheer.core.models import LocalizedNameModel


class Supplier(models.Model):
    """Leverancier."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=120, blank=True)
    contract_reference = models.CharField(_("contract reference"), max_length=80, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")

    def __str__(self) -> str:
        return self.name


# --------------------------------------------------------------------------------------------------
# types and their attributes


class CiKind(models.TextChoices):
    """What a type of CI is, for the impact analysis (which affected CIs are services) and lists."""

    SERVICE = "service", _("Service")
    SOFTWARE = "software", _("Software")
    HARDWARE = "hardware", _("Hardware")
    NETWORK = "network", _("Network")
    OTHER = "other", _("Other")


class CiTypeQuerySet(access.RoleQuerySet, models.QuerySet["CiType"]):
    audience = access.Audience.CALLER  # a caller's own CIs show their type in the portal

    def active(self) -> CiTypeQuerySet:
        return self.filter(active=True)


class CiType(LocalizedNameModel):
    """A type of configuration item (server, laptop, switch, ...); Beheer ships a set (`shipped`,
    which can be deactivated but not removed) and administrators add their own."""

    kind = models.CharField(_("kind"), max_length=10, choices=CiKind.choices, default=CiKind.OTHER)
    shipped = models.BooleanField(_("shipped with Beheer"), default=False, editable=False)
    version = models.PositiveIntegerField(default=1)

    objects = CiTypeQuerySet.as_manager()

    class Meta(LocalizedNameModel.Meta):
        verbose_name = _("CI type")
        verbose_name_plural = _("CI types")


class AttributeKind(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    BOOLEAN = "boolean", _("Yes/no")
    CHOICE = "choice", _("Choice")
    CI = "ci", _("Configuration item")
    PERSON = "person", _("Person")


class AttributeDefinitionQuerySet(access.RoleQuerySet, models.QuerySet["AttributeDefinition"]):
    audience = access.Audience.STAFF

    def active(self) -> AttributeDefinitionQuerySet:
        return self.filter(active=True)


class AttributeDefinition(models.Model):
    """A custom attribute of one CI type: its code (the API's key and the list filter's name), its
    labels, the kind of value and, for a choice, the values allowed."""

    ci_type = models.ForeignKey(
        CiType, on_delete=models.CASCADE, related_name="attributes", verbose_name=_("CI type")
    )
    code = models.SlugField(_("code"), max_length=40)
    label_nl = models.CharField(_("label (Dutch)"), max_length=80)
    label_en = models.CharField(_("label (English)"), max_length=80)
    kind = models.CharField(_("kind of value"), max_length=10, choices=AttributeKind.choices)
    choices = models.JSONField(_("values to choose from"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)

    objects = AttributeDefinitionQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("attribute")
        verbose_name_plural = _("attributes")
        constraints = [models.UniqueConstraint(fields=["ci_type", "code"], name="uniq_cmdb_attribute_code")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.label_en if english_active() else self.label_nl


# --------------------------------------------------------------------------------------------------
# configuration items


class CiStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_STOCK = "in_stock", _("In stock")
    IN_USE = "in_use", _("In use")
    IN_REPAIR = "in_repair", _("In repair")
    RETIRED = "retired", _("Retired")


class CiEnvironment(models.TextChoices):
    """OTAP: the environment a CI belongs to; empty for CIs outside that distinction."""

    DEVELOPMENT = "development", _("Development")
    TEST = "test", _("Test")
    ACCEPTANCE = "acceptance", _("Acceptance")
    PRODUCTION = "production", _("Production")


class ConfigurationItemQuerySet(models.QuerySet["ConfigurationItem"]):
    def visible_to(self, user: Any) -> ConfigurationItemQuerySet:
        """Staff see every CI; a caller only the CIs they own or use (shown in the portal)."""
        if access.is_staff(user):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        used = ConfigurationItem.users.through.objects.filter(user_id=user.pk).values("configurationitem_id")
        return self.filter(Q(owner_id=user.pk) | Q(pk__in=used))

    def in_use(self) -> ConfigurationItemQuerySet:
        return self.exclude(status=CiStatus.RETIRED)


class ConfigurationItem(models.Model):
    """Configuratie-item: a service, an application, a device or a link that Beheer keeps track of."""

    name = models.CharField(_("name"), max_length=200)
    ci_type = models.ForeignKey(
        CiType, on_delete=models.PROTECT, related_name="items", verbose_name=_("type")
    )
    status = models.CharField(_("status"), max_length=10, choices=CiStatus.choices, default=CiStatus.IN_USE)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="configuration_items", verbose_name=_("users")
    )
    branch = models.ForeignKey(
        "accounts.Branch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("branch"),
    )
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    location = models.ForeignKey(
        "accounts.Location",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("location"),
    )
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("supplier"),
    )
    asset_tag = models.CharField(_("asset tag"), max_length=60, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    host_name = models.CharField(_("host name"), max_length=255, blank=True)
    addresses = models.TextField(
        _("addresses"), blank=True, help_text=_("IP or MAC addresses, one per line.")
    )
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    warranty_until = models.DateField(_("warranty until"), null=True, blank=True)
    cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=2, null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    environment = models.CharField(
        _("environment"), max_length=12, choices=CiEnvironment.choices, blank=True, db_default=""
    )

    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("changed"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ConfigurationItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("configuration item")
        verbose_name_plural = _("configuration items")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name", "id"], name="cmdb_ci_name"),
            models.Index(fields=["ci_type", "name", "id"], name="cmdb_ci_type_name"),
            models.Index(fields=["status", "name", "id"], name="cmdb_ci_status_name"),
            models.Index(fields=["host_name"], name="cmdb_ci_host"),
            models.Index(fields=["owner", "name", "id"], name="cmdb_ci_owner_name"),
            models.Index(fields=["environment", "name", "id"], name="cmdb_ci_env_name"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["asset_tag"], condition=~Q(asset_tag=""), name="uniq_cmdb_ci_asset_tag"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CiAttributeValue(models.Model):
    """The value of one custom attribute of one CI, in the column of its kind (text and choice in
    `text`, yes/no in `flag`, references in `ref_ci` and `ref_person`)."""

    ci = models.ForeignKey(ConfigurationItem, on_delete=models.CASCADE, related_name="attribute_values")
    definition = models.ForeignKey(AttributeDefinition, on_delete=models.CASCADE, related_name="values")
    text = models.CharField(max_length=500, blank=True)
    number = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    date = models.DateField(null=True, blank=True)
    flag = models.BooleanField(null=True, blank=True)
    ref_ci = models.ForeignKey(
        ConfigurationItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ref_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ci", "definition"], name="uniq_cmdb_attribute_value")]
        indexes = [
            models.Index(fields=["definition", "text", "ci"], name="cmdb_attr_text"),
            models.Index(fields=["definition", "number", "ci"], name="cmdb_attr_number"),
            models.Index(fields=["definition", "date", "ci"], name="cmdb_attr_date"),
            models.Index(fields=["definition", "flag", "ci"], name="cmdb_attr_flag"),
            models.Index(fields=["definition", "ref_ci", "ci"], name="cmdb_attr_ref_ci"),
            models.Index(fields=["definition", "ref_person", "ci"], name="cmdb_attr_ref_person"),
        ]

    def __str__(self) -> str:
        return f"{self.definition.code}={self.text or self.number or self.date or self.flag}"


# --------------------------------------------------------------------------------------------------
# relations


class RelationKind(models.TextChoices):
    RUNS_ON = "runs_on", _("runs on")
    DEPENDS_ON = "depends_on", _("depends on")
    CONNECTED_TO = "connected_to", _("connected to")
    INSTALLED_ON = "installed_on", _("installed on")
    USED_BY = "used_by", _("used by")
    PART_OF = "part_of", _("part of")


# How each kind reads from its target's side, on the target's page.
REVERSE_LABELS: dict[str, Any] = {
    RelationKind.RUNS_ON: _("runs"),
    RelationKind.DEPENDS_ON: _("is needed by"),
    RelationKind.CONNECTED_TO: _("has connected"),
    RelationKind.INSTALLED_ON: _("has installed"),
    RelationKind.USED_BY: _("uses"),
    RelationKind.PART_OF: _("consists of"),
}
# The kinds where the target depends on the source (a whole on its part, a user on what it uses);
# for every other kind the source depends on the target (an application on the server it runs on,
# a device on the switch it is connected to).
TARGET_DEPENDS = frozenset({RelationKind.USED_BY, RelationKind.PART_OF})


def dependency_ends(source_id: int, target_id: int, kind: str) -> tuple[int, int]:
    """(dependent, dependency) of a relation: which CI fails when the other one does."""
    return (target_id, source_id) if kind in TARGET_DEPENDS else (source_id, target_id)


class RelationQuerySet(access.RoleQuerySet, models.QuerySet["Relation"]):
    audience = access.Audience.STAFF


class Relation(models.Model):
    """A typed, directed relation between two CIs: "source <kind> target"."""

    source = models.ForeignKey(
        ConfigurationItem, on_delete=models.CASCADE, related_name="relations_out", verbose_name=_("from")
    )
    target = models.ForeignKey(
        ConfigurationItem, on_delete=models.CASCADE, related_name="relations_in", verbose_name=_("to")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=RelationKind.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    dependent = models.ForeignKey(ConfigurationItem, on_delete=models.CASCADE, related_name="+")
    dependency = models.ForeignKey(ConfigurationItem, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = RelationQuerySet.as_manager()

    class Meta:
        verbose_name = _("relation")
        verbose_name_plural = _("relations")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="uniq_cmdb_relation"),
            models.CheckConstraint(
                condition=~Q(source=models.F("target")), name="cmdb_relation_not_to_itself"
            ),
        ]
        indexes = [
            models.Index(fields=["dependency", "dependent"], name="cmdb_rel_upward"),
            models.Index(fields=["dependent", "dependency"], name="cmdb_rel_downward"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.get_kind_display()} {self.target}"

    @property
    def reverse_label(self) -> str:
        return str(REVERSE_LABELS.get(self.kind, self.kind))


# --------------------------------------------------------------------------------------------------
# history


class CiAction(models.TextChoices):
    CREATED = "created", _("Created")
    CHANGED = "changed", _("Changed")
    RELATION_ADDED = "relation_added", _("Relation added")
    RELATION_REMOVED = "relation_removed", _("Relation removed")
    DELETED = "deleted", _("Deleted")


class CiHistoryQuerySet(HistoryRecordQuerySet["CiHistoryEntry"]):
    def visible_to(self, user: Any) -> CiHistoryQuerySet:
        """Staff only: a CI's trail names people and other CIs a caller has no business with."""
        return self if access.is_staff(user) else self.none()


class CiHistoryEntry(SubjectHistoryRecord):
    """Who created, changed or removed a CI, its attributes or its relations, when, old -> new
    (`core.history`), written by the CMDB services in the transaction of the change. The CI's name is
    kept, so the trail of a removed CI still says whose it was. A custom attribute's row names it
    `attributes.<code>`."""

    subject_field = "ci"
    subject_name_field = "ci_name"
    orphans_audience = access.Audience.STAFF
    field_labels = {"attributes": _("attribute"), "relation": _("relation")}

    ci = subject_key(ConfigurationItem, _("configuration item"))
    ci_name = models.CharField(_("configuration item"), max_length=200)
    action = models.CharField(max_length=40, choices=CiAction.choices)

    objects = CiHistoryQuerySet.as_manager()  # type: ignore[misc]  # staff only, not the subject's readers

    class Meta:
        verbose_name = _("CI history entry")
        verbose_name_plural = _("CI history")
        indexes = [subject_index("ci", "cmdb_ci_history_at")]


from .contracts import Contract, ContractAction, ContractHistoryEntry, ContractKind  # noqa: E402, F401
from .imports import ImportJob, ImportState  # noqa: E402, F401
from .licence_files import LicenceFile, LicenceFileVersion, licence_file_path  # noqa: E402, F401
from .licences import Licence, LicenceAction, LicenceAssignment, LicenceHistoryEntry, LicenceModel  # noqa: E402, F401
from .network import Interface, InterfaceKind, IpAddress, Link, LinkKind, Prefix, Vlan  # noqa: E402, F401
