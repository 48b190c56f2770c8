"""Configuration management. For now: suppliers, to whom partial incidents can be handed."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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
