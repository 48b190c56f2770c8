"""Who may do what in the security register.

Beheer's roles (caller, operator, coordinator, administrator) stay; two marks that administrators
give sit beside them: the security officer (beveiligingsfunctionaris) and the privacy officer
(functionaris gegevensbescherming / privacy). Every route of the app is for staff; the checks below
narrow it down. Reads are filtered by each model's `visible_to`, writes checked in the services."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from beheer.core import access
from beheer.core.errors import PermissionDenied


def is_security_officer(user: Any) -> bool:
    """An active staff member whom an administrator made security officer."""
    return access.is_staff(user) and bool(getattr(user, "security_officer", False))


def is_privacy_officer(user: Any) -> bool:
    """An active staff member whom an administrator made privacy officer."""
    return access.is_staff(user) and bool(getattr(user, "privacy_officer", False))


def manages_register(user: Any) -> bool:
    """Who edits the measures register, the statement of applicability, classifications and risks:
    security officers, coordinators and administrators. Other operators read them."""
    return is_security_officer(user) or access.is_coordinator(user)


def manages_privacy(user: Any) -> bool:
    """Who edits the register of processing activities, retention and requests of the people
    concerned: privacy officers and administrators."""
    return is_privacy_officer(user) or access.is_administrator(user)


def ensure_register_manager(actor: Any) -> None:
    if not manages_register(actor):
        raise PermissionDenied(_("Only security officers, coordinators and administrators may do this."))


def ensure_security_officer(actor: Any) -> None:
    if not is_security_officer(actor):
        raise PermissionDenied(_("Only security officers may do this."))


def ensure_privacy_manager(actor: Any) -> None:
    if not manages_privacy(actor):
        raise PermissionDenied(_("Only privacy officers and administrators may do this."))
