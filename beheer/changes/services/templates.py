"""Archiving a standard change template (coordinators): it is no longer offered for new changes;
changes made from it keep it."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import checks

from ..models import ChangeTemplate
from .configuration import _ensure_coordinator


@transaction.atomic
def archive_template(
    template: ChangeTemplate, *, actor: User, expected_version: int | None
) -> ChangeTemplate:
    """Archive `template` at the version the coordinator read; archiving an archived one changes nothing."""
    _ensure_coordinator(actor)
    current = checks.locked_at(
        ChangeTemplate.objects.all(),
        template.pk,
        expected_version,
        missing=_("Template not found."),
        changed=_("Somebody else changed this template. Reload it and try again."),
    )
    if not current.active:
        return current
    current.active = False
    current.version += 1
    current.save(update_fields=["active", "version"])
    return current
