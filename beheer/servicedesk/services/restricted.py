"""Security incidents: making a melding restricted, who may work on it, and the log of its reads.

A melding made a security incident is seen only by security officers and the people granted
access (`MeldingAccess`); the rule is `Melding.objects.visible_to`. Making one is for operators (a
caller never can); it cannot be undone, so nothing once restricted becomes visible again by
mistake. Access is granted by security officers; the person who made it and the melding's operator
are granted at once, so the work goes on."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import access, clock
from beheer.core.errors import DomainError, NotFound, PermissionDenied
from beheer.notifications import services as notifications

from ..models import Melding, MeldingAccess, RestrictedRead
from ._base import lock_melding, record_history


def is_security_officer(user: object) -> bool:
    return access.is_staff(user) and bool(getattr(user, "security_officer", False))


def make_security_incident(melding: Melding, *, actor: User) -> Melding:
    """Restrict `melding`: from now on only security officers and the people with access see it.
    Operators may do this (callers never); the actor and the operator it is assigned to keep access
    (a security officer grants others);
    the messages already written about it lose their content.
    Restricting a restricted melding changes nothing."""
    if not access.is_staff(actor):
        raise PermissionDenied(_("Only operators may make a call a security incident."))
    if not Melding.objects.visible_to(actor).filter(pk=melding.pk).exists():
        raise NotFound(_("Call not found."))
    now = clock.now()
    with transaction.atomic():
        fresh = lock_melding(melding)
        if fresh.restricted:
            return fresh
        fresh.restricted = True
        fresh.version += 1
        fresh.updated_at = now
        fresh.save(update_fields=["restricted", "version", "updated_at"])
        for person in (actor, fresh.operator):
            if person is not None:
                _grant(fresh, person, actor, now)
        record_history(fresh, actor, "restricted", now=now, field="restricted", old=False, new=True)
        notifications.redact_messages(("servicedesk.melding", fresh.pk), texts=_redacted(fresh))
    return fresh


def _redacted(melding: Melding) -> dict[str, tuple[str, str]]:
    """What the messages about a security incident say instead of their content, per language."""
    texts = {}
    for language in ("nl", "en"):
        with translation.override(language):
            subject = _("[%(number)s] Security incident") % {"number": melding.number}
            body = _(
                "Call %(number)s became a security incident. Its content is shown only to the people "
                "who work on it; sign in to Beheer to read it."
            ) % {"number": melding.number}
        texts[language] = (subject, body)
    return texts


def _grant(melding: Melding, person: User, actor: User, now: datetime) -> bool:
    try:
        with transaction.atomic():
            MeldingAccess.objects.create(melding=melding, person=person, granted_by=actor, granted_at=now)
    except IntegrityError:
        return False
    return True


def grant_incident_access(melding: Melding, *, person: User, actor: User) -> None:
    """Let `person` (an operator) work on the restricted `melding`. Security officers only."""
    if not is_security_officer(actor):
        raise PermissionDenied(_("Only security officers may do this."))
    if not melding.restricted:
        raise DomainError(_("This call is not a security incident."))
    if not access.is_staff(person):
        raise DomainError(_("Only operators can work on a security incident."))
    now = clock.now()
    with transaction.atomic():
        if _grant(melding, person, actor, now):
            record_history(melding, actor, "access_granted", now=now, field="access", new=str(person))


def revoke_incident_access(melding: Melding, *, person: User, actor: User) -> None:
    """Take `person`'s access to the restricted `melding` away. Security officers only."""
    if not is_security_officer(actor):
        raise PermissionDenied(_("Only security officers may do this."))
    now = clock.now()
    with transaction.atomic():
        deleted, _rows = MeldingAccess.objects.filter(melding=melding, person=person).delete()
        if deleted:
            record_history(melding, actor, "access_revoked", now=now, field="access", old=str(person))


def log_restricted_read(melding: Melding, *, reader: User, route: str) -> None:
    """Write one read of a restricted melding to its log (nothing for other meldingen)."""
    if not melding.restricted:
        return
    RestrictedRead.objects.create(
        melding=melding,
        reader=reader,
        reader_name=str(reader)[:150],
        at=clock.now(),
        route=route[:200],
    )
