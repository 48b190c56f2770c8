"""Approval of a change: the requests of a round, each approver's decision and the round's outcome.

Approvers are the members of the rule's operator group (the CAB) and, when the rule says so, the
owners of the service CIs the change affects (the CMDB's impact analysis). Each is asked by mail
through the outbox. The decision follows the rule (`workflow.decide`); a rejection sends a change
in the approval phase back to assessment. An emergency change carried out before approval gets its
round afterwards (`retroactive`), and `approved_afterwards` when it is granted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import access, checks, clock, history
from beheer.core.errors import Conflict, DomainError, NotFound
from beheer.notifications import services as notifications

from .. import workflow
from ..impact import service_owner_ids
from ..models import ApprovalRule, Change, ChangeAction, ChangeApproval, Vote
from ._base import active_order, lock_change, phase, record, save
from .plan_state import sync_maintenance_window


@history.stored_text
def _afterwards() -> str:
    return _("afterwards")


def approvers_of(change: Change) -> list[User]:
    """The people who approve `change` by its kind's rule, active ones only, in id order."""
    rule = ApprovalRule.objects.filter(kind=change.kind).select_related("operator_group").first()
    if rule is None:
        return []
    ids: set[int] = set()
    group = rule.operator_group
    if group is not None and group.active:
        ids.update(group.members.filter(is_active=True).values_list("pk", flat=True))
    if rule.service_owners:
        ids.update(service_owner_ids(change))
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def _link() -> str:
    return str(settings.SITE_URL).rstrip("/") + reverse("change-approvals-mine")


def _context(change: Change, *, decision: str = "", afterwards: bool = False) -> dict[str, str]:
    return {
        "change_number": change.number,
        "change_title": change.title,
        "change_kind": str(change.get_kind_display()),
        "decision": decision,
        "afterwards": "yes" if afterwards else "no",
        "link_url": _link(),
    }


def start_round(change: Change, *, actor: User | None, retroactive: bool = False) -> list[ChangeApproval]:
    """A new approval round on a locked change: one request per approver, mailed through the
    outbox. Without approvers the round cannot start (the rule needs configuring)."""
    people = approvers_of(change)
    if not people:
        raise DomainError(
            _("Nobody can approve this change: set the approval rule of %(kind)s changes first.")
            % {"kind": change.get_kind_display()}
        )
    now = clock.now()
    change.approval_round += 1
    change.approval_status = workflow.PENDING
    change.approved_at = None
    rows = ChangeApproval.objects.bulk_create(
        ChangeApproval(
            change=change, round=change.approval_round, approver=p, requested_at=now, retroactive=retroactive
        )
        for p in people
    )
    record(
        change,
        actor,
        ChangeAction.APPROVAL_REQUESTED,
        at=now,
        detail=", ".join(str(p) for p in people) + (" (" + _afterwards() + ")" if retroactive else ""),
    )
    notifications.enqueue(
        "change_approval_requested",
        key=f"change:{change.pk}:approval:{change.approval_round}",
        recipients=people,
        context=_context(change, afterwards=retroactive),
        object_ref=("changes.change", change.pk),
    )
    return rows


@transaction.atomic
def decide_approval(
    approval: ChangeApproval, *, actor: User, approve: bool, comment: str = ""
) -> ChangeApproval:
    """The approver's decision on their request; then the round's outcome by the rule: granted, or
    rejected (a change in the approval phase goes back to assessment), or still pending."""
    found = checks.locked(ChangeApproval.objects.visible_to(actor), approval.pk)
    if found is None or found.approver_id != actor.pk:
        raise NotFound(_("Approval not found."))
    comment = checks.checked_text(comment, field="comment", label=_("Comment"), max_length=4000)
    if not approve and not comment:
        message = _("Say why you reject the change.")
        raise DomainError(message, field_errors={"comment": message})
    change = checks.locked(Change.objects.all(), found.change_id)
    if change is None:
        raise NotFound(_("Change not found."))
    if found.decision:
        raise Conflict(_("You have already decided on this change."))
    if found.round != change.approval_round or change.approval_status != workflow.PENDING:
        raise Conflict(_("This approval round has ended."))
    now = clock.now()
    found.decision = Vote.APPROVED if approve else Vote.REJECTED
    found.comment = comment
    found.decided_at = now
    found.save(update_fields=["decision", "comment", "decided_at"])
    record(
        change,
        actor,
        ChangeAction.APPROVED if approve else ChangeAction.REJECTED,
        at=now,
        field="approval",
        new=str(found.get_decision_display()),
        detail=comment,
    )
    _settle(change, actor=actor, retroactive=found.retroactive)
    return found


def _settle(change: Change, *, actor: User, retroactive: bool) -> None:
    rule = ApprovalRule.objects.filter(kind=change.kind).first()
    votes = list(
        ChangeApproval.objects.filter(change=change, round=change.approval_round).values_list(
            "decision", flat=True
        )
    )
    outcome = workflow.decide(rule.rule if rule is not None else workflow.ALL, votes)
    if outcome == workflow.PENDING:
        save(change, ())
        return
    now = clock.now()
    fields = ["approval_status"]
    change.approval_status = outcome
    if outcome == workflow.GRANTED:
        change.approved_at = now
        change.approved_afterwards = retroactive
        fields += ["approved_at", "approved_afterwards"]
    old_phase = change.phase
    if outcome == workflow.REJECTED and old_phase.code == workflow.APPROVAL:
        change.phase = phase(workflow.ASSESSMENT)
        fields.append("phase")
    save(change, fields)
    record(
        change,
        actor,
        ChangeAction.APPROVAL_DECIDED,
        at=now,
        field="approval",
        new=str(change.get_approval_status_display()),
    )
    if change.phase_id != old_phase.pk:
        record(
            change, None, ChangeAction.MOVED, at=now, field="phase", old=old_phase.name, new=change.phase.name
        )
    sync_maintenance_window(change, actor=actor)
    if change.coordinator is not None and change.coordinator.is_active:
        notifications.enqueue(
            "change_approval_decided",
            key=f"change:{change.pk}:decided:{change.approval_round}",
            recipients=[change.coordinator],
            context={**_context(change, decision=outcome), "link_url": _change_link(change)},
            object_ref=("changes.change", change.pk),
        )


def _change_link(change: Change) -> str:
    return str(settings.SITE_URL).rstrip("/") + reverse("change-detail", args=[change.pk])


@transaction.atomic
def request_approval(change: Change, *, actor: User, expected_version: int | None) -> Change:
    """A new approval round by hand: after a rejected retroactive approval, or when the approvers
    changed. Only while no round is pending and the change is not approved."""
    access.ensure_staff(actor)
    current = lock_change(change, actor, expected_version)
    if current.kind == workflow.STANDARD:
        raise DomainError(_("A standard change is pre-approved."))
    if current.approval_status in (workflow.PENDING, workflow.GRANTED):
        raise DomainError(_("This change is already approved or waiting for approval."))
    retroactive = workflow.position(current.phase.code, _order()) > workflow.position(
        workflow.APPROVAL, _order()
    )
    start_round(current, actor=actor, retroactive=retroactive)
    save(current, ("approval_round", "approval_status", "approved_at"))
    return current


def _order() -> list[str]:
    return active_order()
