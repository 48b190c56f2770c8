"""The network on top of the CMDB: interfaces (ports) of CIs, the links (cables or logical links)
between two interfaces, VLANs, IP prefixes and IP addresses.

Prefixes and addresses keep their canonical text (Python's `ipaddress`) and, for sorting and range
filters that work the same on SQLite and PostgreSQL, the family and the address as 32 hexadecimal
digits (`key`, and `first_key`/`last_key` for the range of a prefix): fixed width, so text order is
numeric order. The services (`services/network.py`) check and fill these; only they write.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beheer.core import access

from . import ConfigurationItem


class InterfaceKind(models.TextChoices):
    ETHERNET = "ethernet", _("Ethernet")
    FIBRE = "fibre", _("Fibre")
    WIRELESS = "wireless", _("Wireless")
    VIRTUAL = "virtual", _("Virtual")
    LAG = "lag", _("Link aggregation")
    OTHER = "other", _("Other")


class LinkKind(models.TextChoices):
    CABLE = "cable", _("Cable")
    LOGICAL = "logical", _("Logical link")


class InterfaceQuerySet(access.RoleQuerySet, models.QuerySet["Interface"]):
    audience = access.Audience.STAFF


class Interface(models.Model):
    """A port or network interface of a CI ("Gi1/0/12", "eth0")."""

    ci = models.ForeignKey(
        ConfigurationItem,
        on_delete=models.CASCADE,
        related_name="interfaces",
        verbose_name=_("configuration item"),
    )
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(
        _("kind"), max_length=10, choices=InterfaceKind.choices, default=InterfaceKind.ETHERNET
    )
    speed_mbit = models.PositiveIntegerField(_("speed (Mbit/s)"), null=True, blank=True)
    mac_address = models.CharField(_("MAC address"), max_length=17, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    # the device's ifIndex, stored by discovery over SNMP: a renamed port stays the same interface
    if_index = models.PositiveIntegerField(_("SNMP interface index"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = InterfaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("interface")
        verbose_name_plural = _("interfaces")
        ordering = ["ci", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["ci", "name"], name="uniq_cmdb_interface_name")]
        indexes = [models.Index(fields=["mac_address"], name="cmdb_interface_mac")]

    def __str__(self) -> str:
        return f"{self.ci.name} {self.name}"


class LinkQuerySet(access.RoleQuerySet, models.QuerySet["Link"]):
    audience = access.Audience.STAFF


class Link(models.Model):
    """A cable or logical link between two interfaces; an interface is in at most one link (the
    service checks both ends under a lock; each end is unique in its own column)."""

    a_interface = models.OneToOneField(
        Interface, on_delete=models.CASCADE, related_name="link_as_a", verbose_name=_("interface")
    )
    b_interface = models.OneToOneField(
        Interface, on_delete=models.CASCADE, related_name="link_as_b", verbose_name=_("other interface")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=LinkKind.choices, default=LinkKind.CABLE)
    label = models.CharField(_("label"), max_length=80, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = LinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("link")
        verbose_name_plural = _("links")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(a_interface=models.F("b_interface")), name="cmdb_link_not_to_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.a_interface} - {self.b_interface}"

    def other_end(self, interface_id: int) -> Interface:
        return self.b_interface if self.a_interface_id == interface_id else self.a_interface


class VlanQuerySet(access.RoleQuerySet, models.QuerySet["Vlan"]):
    audience = access.Audience.STAFF


class Vlan(models.Model):
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=200, blank=True)
    branch = models.ForeignKey(
        "accounts.Branch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("branch"),
    )
    version = models.PositiveIntegerField(default=1)

    objects = VlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("VLAN")
        verbose_name_plural = _("VLANs")
        ordering = ["number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "number"], name="uniq_cmdb_vlan_branch_number"),
            models.UniqueConstraint(
                fields=["number"], condition=Q(branch=None), name="uniq_cmdb_vlan_number_no_branch"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=4094), name="cmdb_vlan_number_range"
            ),
        ]
        indexes = [models.Index(fields=["number", "id"], name="cmdb_vlan_number")]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class PrefixQuerySet(access.RoleQuerySet, models.QuerySet["Prefix"]):
    audience = access.Audience.STAFF


class Prefix(models.Model):
    """An IP network (10.20.0.0/22, 2001:db8::/64)."""

    prefix = models.CharField(_("prefix"), max_length=43, unique=True)
    family = models.PositiveSmallIntegerField(_("IP version"))
    length = models.PositiveSmallIntegerField(_("prefix length"))
    first_key = models.CharField(max_length=32)
    last_key = models.CharField(max_length=32)
    vlan = models.ForeignKey(
        Vlan,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="prefixes",
        verbose_name=_("VLAN"),
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = PrefixQuerySet.as_manager()

    class Meta:
        verbose_name = _("prefix")
        verbose_name_plural = _("prefixes")
        ordering = ["family", "first_key", "length", "id"]
        indexes = [
            models.Index(fields=["family", "first_key", "length", "id"], name="cmdb_prefix_order"),
        ]

    def __str__(self) -> str:
        return self.prefix


class IpAddressQuerySet(access.RoleQuerySet, models.QuerySet["IpAddress"]):
    audience = access.Audience.STAFF


class IpAddress(models.Model):
    address = models.CharField(_("address"), max_length=39, unique=True)
    family = models.PositiveSmallIntegerField(_("IP version"))
    key = models.CharField(max_length=32)
    interface = models.ForeignKey(
        Interface,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ip_addresses",
        verbose_name=_("interface"),
    )
    prefix = models.ForeignKey(
        Prefix,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ip_addresses",
        verbose_name=_("prefix"),
    )
    dns_name = models.CharField(_("DNS name"), max_length=255, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = IpAddressQuerySet.as_manager()

    class Meta:
        verbose_name = _("IP address")
        verbose_name_plural = _("IP addresses")
        ordering = ["family", "key", "id"]
        indexes = [
            models.Index(fields=["family", "key", "id"], name="cmdb_ip_order"),
            models.Index(fields=["prefix", "family", "key", "id"], name="cmdb_ip_prefix"),
        ]

    def __str__(self) -> str:
        return self.address
