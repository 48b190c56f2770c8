"""Access rights from request to end: request, approve or reject (the CI's approver or an
administrator), grant and revoke (staff; the approver and an open review's reviewer revoke too),
expire (the periodic job), and revoking everything a leaver still holds.

Every step locks the right, checks its status against `workflow.STEPS` and the version the actor
read, and writes a history row in the same transaction. A new request tells the approver through
the outbox (`access_request_waiting`, one message per request).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.cmdb.models import ConfigurationItem
from beheer.core import access, clock, history
from beheer.core.checks import check_version, checked_text, locked
from beheer.core.errors import DomainError, NotFound, PermissionDenied
from beheer.core.loops import isolated
from beheer.notifications import services as notifications
from beheer.servicedesk.models import Melding

from .. import workflow
from ..models import (
    CALLER_CI_KINDS,
    RIGHT_CI_KINDS,
    AccessPolicy,
    AccessRight,
    AccessRightHistoryEntry,
    CampaignStatus,
    ReviewItem,
    ReviewOutcome,
    RightAction,
    RightStatus,
)

BATCH = 200
NOTE_MAX = 2000


def approver_of(ci: ConfigurationItem) -> User | None:
    """Who approves requests for the CI's rights: its policy's approver, else the CI's owner."""
    policy = AccessPolicy.objects.filter(ci_id=ci.pk).select_related("approver").first()
    if policy is not None and policy.approver is not None:
        return policy.approver
    if ci.owner_id is None:
        return None
    return User.objects.filter(pk=ci.owner_id).first()


def may_approve(actor: Any, ci: ConfigurationItem) -> bool:
    """The CI's approver and administrators approve and reject requests for its rights."""
    if access.is_administrator(actor):
        return True
    approver = approver_of(ci)
    return approver is not None and approver.pk == getattr(actor, "pk", None) and bool(actor.is_active)


def may_revoke(actor: Any, right: AccessRight) -> bool:
    """Staff revoke any right; the CI's approver and the reviewer of an open review item revoke
    the rights they look after."""
    if access.is_staff(actor):
        return True
    if not getattr(actor, "is_active", False):
        return False
    if may_approve(actor, right.ci):
        return True
    return ReviewItem.objects.filter(
        access_right=right,
        reviewer_id=actor.pk,
        outcome=ReviewOutcome.OPEN,
        campaign__status=CampaignStatus.OPEN,
    ).exists()


def link(name: str, *args: Any) -> str:
    return str(settings.SITE_URL).rstrip("/") + reverse(name, args=list(args))


def lock_right(right: AccessRight, expected_version: int | None) -> AccessRight:
    current = locked(AccessRight.objects.select_related("ci", "person"), right.pk)
    if current is None:
        raise NotFound(_("Access right not found."))
    check_version(
        current.version,
        expected_version,
        _("Somebody else changed this access right. Reload it and try again."),
    )
    return current


def _step(current: AccessRight, action: str) -> str:
    after = workflow.next_status(action, current.status)
    if after is None:
        raise DomainError(
            _("This cannot be done to a right that is %(status)s.")
            % {"status": current.get_status_display().lower()}
        )
    return after


def _record(
    right: AccessRight, *, actor: Any, action: str, detail: str = "", old: str = "", new: str = ""
) -> None:
    history.record(
        AccessRightHistoryEntry,
        right,
        actor=actor,
        action=action,
        field="status" if old or new else "",
        old=old,
        new=new,
        detail=detail[:NOTE_MAX],
    )


# --------------------------------------------------------------------------------------------------
# request


@dataclass(frozen=True)
class RequestData:
    person: User
    ci: ConfigurationItem
    right: str
    melding: Melding | None = None
    reference: str = ""
    reason: str = ""
    valid_until: date | None = None


def _check_request(actor: User, data: RequestData) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if not access.is_staff(actor) and data.person.pk != actor.pk:
        raise PermissionDenied(_("You can only request access rights for yourself."))
    if not data.person.is_active:
        errors["person"] = _("This person is no longer active.")
    ci_kind = ConfigurationItem.objects.filter(pk=data.ci.pk).values_list("ci_type__kind", flat=True).first()
    if ci_kind not in RIGHT_CI_KINDS:
        errors["ci"] = _("Access rights are registered on applications and services only.")
    elif not access.is_staff(actor) and ci_kind not in CALLER_CI_KINDS:
        errors["ci"] = _("Choose an application.")
    right = (data.right or "").strip()
    if not right:
        errors["right"] = _("Required.")
    elif len(right) > 80:
        errors["right"] = _("At most %(limit)d characters.") % {"limit": 80}
    else:
        policy = AccessPolicy.objects.filter(ci_id=data.ci.pk).first()
        known = policy.rights if policy is not None else []
        if known and right not in known:
            errors["right"] = _("Choose one of the rights this application knows: %(rights)s.") % {
                "rights": ", ".join(known)
            }
    reference = (data.reference or "").strip()
    if len(reference) > 80:
        errors["reference"] = _("At most %(limit)d characters.") % {"limit": 80}
    if data.melding is not None and not Melding.objects.visible_to(actor).filter(pk=data.melding.pk).exists():
        errors["melding"] = _("Choose a call you can see.")
    today = timezone.localdate(clock.now())
    if data.valid_until is not None and data.valid_until < today:
        errors["valid_until"] = _("The date cannot be in the past.")
    if errors:
        raise DomainError(_("Check the highlighted fields."), field_errors=errors)
    reason = checked_text(data.reason, field="reason", label=_("Reason"), max_length=NOTE_MAX)
    return {"right": right, "reference": reference, "reason": reason}


@transaction.atomic
def request_right(*, actor: User, data: RequestData) -> AccessRight:
    """Request a right for a person on an application or service CI. Anyone signed in requests for
    themselves; staff for anybody. The approver is told through the outbox."""
    values = _check_request(actor, data)
    now = clock.now()
    right = AccessRight(
        person=data.person,
        ci=data.ci,
        melding=data.melding,
        valid_until=data.valid_until,
        requested_at=now,
        requested_by=actor,
        updated_at=now,
        status=RightStatus.REQUESTED,
        **values,
    )
    try:
        with transaction.atomic():
            right.save()
    except IntegrityError:
        message = _("%(person)s already holds or has requested this right.") % {"person": data.person}
        raise DomainError(message, field_errors={"right": message}) from None
    _record(right, actor=actor, action=RightAction.REQUESTED, detail=values["reason"])
    approver = approver_of(data.ci)
    if approver is not None and approver.is_active:
        notifications.enqueue(
            "access_request_waiting",
            key=f"rights:right:{right.pk}:requested",
            recipients=[approver],
            context={
                "right_name": right.right,
                "ci_name": data.ci.name,
                "person_name": str(data.person),
                "requested_by": str(actor),
                "reason": values["reason"],
                "link_url": link("rights-detail", right.pk),
            },
            object_ref=("rights.accessright", right.pk),
        )
    return right


# --------------------------------------------------------------------------------------------------
# decide, grant, revoke


def _decide(
    right: AccessRight, *, actor: User, action: str, note: str, expected_version: int | None
) -> AccessRight:
    current = lock_right(right, expected_version)
    after = _step(current, action)
    if not may_approve(actor, current.ci):
        raise PermissionDenied(_("Only the approver of this application or an administrator may decide."))
    note = checked_text(note, field="note", label=_("Note"), max_length=NOTE_MAX)
    now = clock.now()
    before = current.status
    current.status = after
    current.decided_at = now
    current.decided_by = actor
    current.decision_note = note
    current.version += 1
    current.updated_at = now
    current.save()
    recorded = RightAction.APPROVED if action == workflow.APPROVE else RightAction.REJECTED
    _record(current, actor=actor, action=recorded, old=before, new=after, detail=note)
    return current


@transaction.atomic
def approve_right(
    right: AccessRight, *, actor: User, note: str = "", expected_version: int | None
) -> AccessRight:
    return _decide(right, actor=actor, action=workflow.APPROVE, note=note, expected_version=expected_version)


@transaction.atomic
def reject_right(
    right: AccessRight, *, actor: User, note: str = "", expected_version: int | None
) -> AccessRight:
    return _decide(right, actor=actor, action=workflow.REJECT, note=note, expected_version=expected_version)


@transaction.atomic
def grant_right(
    right: AccessRight,
    *,
    actor: User,
    valid_until: date | None = None,
    keep_valid_until: bool = True,
    expected_version: int | None,
) -> AccessRight:
    """Staff grant an approved right (after setting it up in the application); `valid_until` sets or
    changes its end date (`keep_valid_until`: keep the requested one when none is given)."""
    access.ensure_staff(actor)
    current = lock_right(right, expected_version)
    after = _step(current, workflow.GRANT)
    until = valid_until if valid_until is not None or not keep_valid_until else current.valid_until
    if until is not None and until < timezone.localdate(clock.now()):
        message = _("The date cannot be in the past.")
        raise DomainError(message, field_errors={"valid_until": message})
    now = clock.now()
    before = current.status
    current.status = after
    current.granted_at = now
    current.granted_by = actor
    current.valid_until = until
    current.version += 1
    current.updated_at = now
    current.save()
    _record(
        current,
        actor=actor,
        action=RightAction.GRANTED,
        old=before,
        new=after,
        detail=_("valid until %(date)s") % {"date": until.isoformat()} if until else "",
    )
    return current


def _end(current: AccessRight, *, actor: Any, action: str, reason: str) -> AccessRight:
    after = _step(current, workflow.REVOKE if action == RightAction.REVOKED else workflow.EXPIRE)
    now = clock.now()
    before = current.status
    current.status = after
    current.ended_at = now
    current.revoked_by = actor
    current.revoke_reason = reason
    current.version += 1
    current.updated_at = now
    current.save()
    _record(current, actor=actor, action=action, old=before, new=after, detail=reason)
    # An open review of this right has its answer now.
    ReviewItem.objects.filter(
        access_right=current, outcome=ReviewOutcome.OPEN, campaign__status=CampaignStatus.OPEN
    ).update(outcome=ReviewOutcome.REVOKED, decided_at=now, decided_by=actor, note=reason[:NOTE_MAX])
    return current


@transaction.atomic
def revoke_right(
    right: AccessRight, *, actor: User, reason: str, expected_version: int | None = None
) -> AccessRight:
    """End a granted right, with a reason (required). Staff, the CI's approver, or the reviewer of
    an open review item of the right."""
    current = lock_right(right, expected_version)
    if not may_revoke(actor, current):
        raise PermissionDenied(_("Only operators and the approver of this application may revoke it."))
    reason = checked_text(reason, field="reason", label=_("Reason"), required=True, max_length=NOTE_MAX)
    return _end(current, actor=actor, action=RightAction.REVOKED, reason=reason)


def revoke_all_of(person: User, *, actor: User, reason: str) -> int:
    """Revoke every right `person` still holds (a leaver); returns how many. Each right is revoked
    on its own: one that cannot be (changed meanwhile) does not stop the others."""
    access.ensure_staff(actor)
    checked_text(reason, field="reason", label=_("Reason"), required=True, max_length=NOTE_MAX)
    done = 0
    ids = list(
        AccessRight.objects.filter(person=person, status=RightStatus.GRANTED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in ids:
        with isolated("access_right", pk):
            right = AccessRight.objects.get(pk=pk)
            if right.status == RightStatus.GRANTED:
                revoke_right(right, actor=actor, reason=reason)
                done += 1
    return done


# --------------------------------------------------------------------------------------------------
# expiry (the periodic job)


def _expire_one(pk: int, today: date) -> bool:
    with transaction.atomic():
        current = locked(
            AccessRight.objects.select_related("ci", "person").filter(
                status=RightStatus.GRANTED, valid_until__lt=today
            ),
            pk,
        )
        if current is None:
            return False
        assert current.valid_until is not None
        _end(
            current,
            actor=None,
            action=RightAction.EXPIRED,
            reason=_("valid until %(date)s") % {"date": current.valid_until.isoformat()},
        )
        return True


def expire_rights(*, today: date | None = None) -> int:
    """Mark every granted right whose valid-until date has passed expired; returns how many. One
    right that fails is rolled back and logged alone (`core.loops.isolated`); the others go on."""
    today = today or timezone.localdate(clock.now())
    due = AccessRight.objects.filter(status=RightStatus.GRANTED, valid_until__lt=today)
    done = 0
    last = 0
    while True:
        ids = list(due.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return done
        for pk in ids:
            with isolated("access_right", pk):
                done += _expire_one(pk, today)
        last = ids[-1]
