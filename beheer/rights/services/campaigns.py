"""Periodic review campaigns of access rights.

A coordinator starts a campaign (a name, a deadline, all CIs or chosen ones); it takes a snapshot:
one review item per right granted at that moment, with the CI's approver as its reviewer. Each
reviewer confirms or revokes their items (revoking through `revoke_right`, so the right ends with
its history); coordinators and administrators may answer for them. Reminders go to every reviewer
with open items (`send_review_reminders`, event `access_review_due`): at most once per reviewer,
campaign and day, because the outbox key names all three. When the deadline has passed the campaign
closes (`close_due_campaigns`); what was not answered stays "not reviewed" in the report.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.cmdb.models import ConfigurationItem
from beheer.core import access, clock, history
from beheer.core.checks import checked_text, locked
from beheer.core.errors import DomainError, NotFound, PermissionDenied
from beheer.core.loops import isolated
from beheer.notifications import services as notifications

from ..models import (
    RIGHT_CI_KINDS,
    AccessPolicy,
    AccessRight,
    AccessRightHistoryEntry,
    CampaignStatus,
    ReviewCampaign,
    ReviewItem,
    ReviewOutcome,
    ReviewReminder,
    RightAction,
    RightStatus,
)
from .rights import NOTE_MAX, link, revoke_right

MAX_CIS = 500


def _approvers(ci_ids: set[int]) -> dict[int, User | None]:
    """{CI id: its approver} for many CIs in two queries (policies, then the owners)."""
    policies = {
        p.ci_id: p.approver
        for p in AccessPolicy.objects.filter(ci_id__in=ci_ids, approver__isnull=False).select_related(
            "approver"
        )
    }
    owners = {
        ci.pk: ci.owner for ci in ConfigurationItem.objects.filter(pk__in=ci_ids).select_related("owner")
    }
    return {pk: policies.get(pk) or owners.get(pk) for pk in ci_ids}


@transaction.atomic
def start_campaign(
    *, actor: User, name: str, deadline: date | None, cis: list[ConfigurationItem] | None = None
) -> ReviewCampaign:
    """Start a campaign over every CI (`cis` None or empty) or the chosen application and service
    CIs, with one item per right granted now."""
    if not access.is_coordinator(actor):
        raise PermissionDenied(_("Only coordinators and administrators start a review."))
    errors: dict[str, str] = {}
    try:
        name = checked_text(name, field="name", label=_("Name"), required=True, max_length=120)
    except DomainError as exc:
        errors.update(exc.field_errors)
    today = timezone.localdate(clock.now())
    if deadline is None:
        errors["deadline"] = _("Required.")
    elif deadline < today:
        errors["deadline"] = _("The deadline cannot be in the past.")
    chosen = list(dict.fromkeys(cis or []))
    if len(chosen) > MAX_CIS:
        errors["cis"] = _("Choose at most %(count)d configuration items.") % {"count": MAX_CIS}
    elif any(ci.ci_type.kind not in RIGHT_CI_KINDS for ci in chosen):
        errors["cis"] = _("Access rights are registered on applications and services only.")
    if errors:
        raise DomainError(_("Check the highlighted fields."), field_errors=errors)
    assert deadline is not None
    now = clock.now()
    campaign = ReviewCampaign.objects.create(
        name=name, deadline=deadline, all_cis=not chosen, created_at=now, created_by=actor
    )
    if chosen:
        campaign.cis.set(chosen)
    granted = AccessRight.objects.filter(status=RightStatus.GRANTED).select_related("ci", "person")
    if chosen:
        granted = granted.filter(ci__in=[ci.pk for ci in chosen])
    rights = list(granted.order_by("pk"))
    approvers = _approvers({r.ci_id for r in rights})
    ReviewItem.objects.bulk_create(
        [
            ReviewItem(
                campaign=campaign,
                access_right=r,
                ci=r.ci,
                ci_name=r.ci.name[:200],
                person_name=str(r.person)[:200],
                right=r.right,
                reviewer=approvers.get(r.ci_id),
                reviewer_name=str(approvers.get(r.ci_id) or "")[:200],
            )
            for r in rights
        ]
    )
    return campaign


def may_review(actor: Any, item: ReviewItem) -> bool:
    """The item's reviewer, coordinators and administrators answer an item."""
    return access.is_coordinator(actor) or (
        item.reviewer_id is not None
        and item.reviewer_id == getattr(actor, "pk", None)
        and bool(actor.is_active)
    )


@transaction.atomic
def review_item(item: ReviewItem, *, actor: User, outcome: str, note: str = "") -> ReviewItem:
    """Confirm the item's right or revoke it (a reason is required to revoke)."""
    current = locked(ReviewItem.objects.select_related("campaign"), item.pk)
    if current is None:
        raise NotFound(_("Review item not found."))
    if not may_review(actor, current):
        raise PermissionDenied(_("Only the reviewer of this item or a coordinator may answer it."))
    if current.campaign.status != CampaignStatus.OPEN:
        raise DomainError(_("This review has been closed."))
    if current.outcome != ReviewOutcome.OPEN:
        raise DomainError(_("This item has been answered already."))
    if outcome not in (ReviewOutcome.CONFIRMED, ReviewOutcome.REVOKED):
        message = _("Choose confirm or revoke.")
        raise DomainError(message, field_errors={"outcome": message})
    right = current.access_right
    if outcome == ReviewOutcome.REVOKED:
        if right is None or right.status != RightStatus.GRANTED:
            raise DomainError(_("This right is no longer granted."))
        reason = checked_text(note, field="note", label=_("Reason"), required=True, max_length=NOTE_MAX)
        detail = _("Review %(name)s: %(reason)s") % {"name": current.campaign.name, "reason": reason}
        revoke_right(right, actor=actor, reason=detail)  # answers this item too
        current.refresh_from_db()
        return current
    note = checked_text(note, field="note", label=_("Note"), max_length=NOTE_MAX)
    now = clock.now()
    current.outcome = ReviewOutcome.CONFIRMED
    current.decided_at = now
    current.decided_by = actor
    current.note = note
    current.save(update_fields=["outcome", "decided_at", "decided_by", "note"])
    if right is not None:
        history.record(
            AccessRightHistoryEntry,
            right,
            actor=actor,
            action=RightAction.CONFIRMED,
            detail=_("Review %(name)s") % {"name": current.campaign.name} + (f": {note}" if note else ""),
        )
    return current


# --------------------------------------------------------------------------------------------------
# periodic: closing and reminders


def _close_one(pk: int, today: date) -> bool:
    with transaction.atomic():
        campaign = locked(ReviewCampaign.objects.filter(status=CampaignStatus.OPEN, deadline__lt=today), pk)
        if campaign is None:
            return False
        campaign.status = CampaignStatus.CLOSED
        campaign.closed_at = clock.now()
        campaign.save(update_fields=["status", "closed_at"])
        return True


def close_due_campaigns(*, today: date | None = None) -> int:
    """Close every open campaign whose deadline has passed; returns how many."""
    today = today or timezone.localdate(clock.now())
    done = 0
    due = ReviewCampaign.objects.filter(status=CampaignStatus.OPEN, deadline__lt=today)
    for pk in list(due.order_by("pk").values_list("pk", flat=True)):
        with isolated("review_campaign", pk):
            done += _close_one(pk, today)
    return done


def _remind(campaign: ReviewCampaign, reviewer: User, open_items: int, today: date) -> bool:
    if not reviewer.is_active:
        return False
    with transaction.atomic():
        try:
            with transaction.atomic():
                ReviewReminder.objects.create(
                    campaign=campaign, reviewer=reviewer, day=today, open_items=open_items
                )
        except IntegrityError:
            return False  # reminded today already
        notifications.enqueue(
            "access_review_due",
            key=f"rights:campaign:{campaign.pk}:reviewer:{reviewer.pk}:{today.isoformat()}",
            recipients=[reviewer],
            context={
                "campaign_name": campaign.name,
                "deadline": campaign.deadline.strftime("%d-%m-%Y"),
                "open_items": str(open_items),
                "link_url": link("rights-campaign-review", campaign.pk),
            },
            object_ref=("rights.reviewcampaign", campaign.pk),
        )
    return True


def send_review_reminders(*, today: date | None = None) -> int:
    """Remind each reviewer with open items in an open campaign; at most once a day per reviewer
    and campaign (the outbox key names the day). Returns how many reviewers were reminded."""
    today = today or timezone.localdate(clock.now())
    sent = 0
    campaigns = list(
        ReviewCampaign.objects.filter(status=CampaignStatus.OPEN, deadline__gte=today).order_by("pk")
    )
    for campaign in campaigns:
        counts = (
            ReviewItem.objects.filter(campaign=campaign, outcome=ReviewOutcome.OPEN, reviewer__isnull=False)
            .order_by()
            .values_list("reviewer_id")
            .annotate(n=Count("id"))
        )
        per_reviewer = dict(counts)
        people = {u.pk: u for u in User.objects.filter(pk__in=per_reviewer)}
        for reviewer_id, n in sorted(per_reviewer.items()):
            with isolated("review_reminder", reviewer_id):
                sent += _remind(campaign, people[reviewer_id], n, today)
    return sent


# --------------------------------------------------------------------------------------------------
# the report


def campaign_report(campaign: ReviewCampaign) -> dict[str, Any]:
    """The outcome of a campaign: totals, and per CI and reviewer the confirmed, revoked and not
    reviewed items (one grouped query)."""
    grouped = (
        ReviewItem.objects.filter(campaign=campaign)
        .order_by()
        .values("ci_name", "reviewer_name")
        .annotate(
            confirmed=Count("id", filter=Q(outcome=ReviewOutcome.CONFIRMED)),
            revoked=Count("id", filter=Q(outcome=ReviewOutcome.REVOKED)),
            open=Count("id", filter=Q(outcome=ReviewOutcome.OPEN)),
            total=Count("id"),
        )
    )
    rows = sorted(grouped, key=lambda r: (r["ci_name"].lower(), r["reviewer_name"].lower()))
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        for key in ("confirmed", "revoked", "open", "total"):
            totals[key] += row[key]
    return {
        "rows": rows,
        "totals": {k: totals[k] for k in ("confirmed", "revoked", "open", "total")},
    }
