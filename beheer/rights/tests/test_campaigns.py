"""Review campaigns end to end: the snapshot, confirming and revoking (through the revoke service),
who may answer, reminders once per reviewer and day through the outbox, closing at the deadline,
and the report's figures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from beheer.accounts.models import User
from beheer.core.errors import DomainError, PermissionDenied
from beheer.notifications.models import OutgoingMessage
from beheer.rights import services
from beheer.rights.models import (
    AccessRight,
    AccessRightHistoryEntry,
    CampaignStatus,
    ReviewCampaign,
    ReviewItem,
    ReviewOutcome,
    RightStatus,
)

from .helpers import application, granted, requested

pytestmark = pytest.mark.django_db


def _world(operator: User, coordinator: User, caller: User, other_caller: User, administrator: User) -> dict:
    magister = application(administrator, "Magister", owner=coordinator)
    teams = application(administrator, "Teams", owner=administrator)
    services.save_access_policy(
        teams, actor=coordinator, approver=other_caller, known_rights="", expected_version=None
    )
    return {
        "magister": magister,
        "teams": teams,
        "a": granted(operator, coordinator, caller, magister, "read"),
        "b": granted(operator, coordinator, other_caller, magister, "editor"),
        "c": granted(operator, other_caller, caller, teams, "member"),
        "pending": requested(operator, caller, teams, "owner"),
    }


def test_a_campaign_end_to_end(
    operator: User, coordinator: User, caller: User, other_caller: User, administrator: User
) -> None:
    w = _world(operator, coordinator, caller, other_caller, administrator)
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        services.start_campaign(actor=operator, name="Spring", deadline=today + timedelta(days=7))
    campaign = services.start_campaign(actor=coordinator, name="Spring", deadline=today + timedelta(days=7))
    items = {i.access_right_id: i for i in ReviewItem.objects.filter(campaign=campaign)}
    assert set(items) == {w["a"].pk, w["b"].pk, w["c"].pk}  # granted rights only
    assert items[w["a"].pk].reviewer == coordinator
    assert items[w["c"].pk].reviewer == other_caller  # the policy's approver

    # reminders: one per reviewer with open items, once a day
    assert services.send_review_reminders(today=today) == 2
    assert services.send_review_reminders(today=today) == 0
    mails = OutgoingMessage.objects.filter(event="access_review_due")
    assert sorted(m.recipient_user_id or 0 for m in mails) == sorted([coordinator.pk, other_caller.pk])
    assert services.send_review_reminders(today=today + timedelta(days=1)) == 2

    # the reviewer answers; a stranger cannot
    with pytest.raises(PermissionDenied):
        services.review_item(items[w["c"].pk], actor=caller, outcome="confirmed")
    services.review_item(items[w["a"].pk], actor=coordinator, outcome="confirmed", note="still mentor")
    with pytest.raises(DomainError):
        services.review_item(
            items[w["c"].pk], actor=other_caller, outcome="revoked", note=""
        )  # reason needed
    services.review_item(items[w["c"].pk], actor=other_caller, outcome="revoked", note="left the team")
    assert AccessRight.objects.get(pk=w["c"].pk).status == RightStatus.REVOKED
    revoked = AccessRightHistoryEntry.objects.filter(access_right_id=w["c"].pk, action="revoked").get()
    assert revoked.actor == other_caller
    assert "left the team" in revoked.detail
    assert AccessRightHistoryEntry.objects.filter(access_right_id=w["a"].pk, action="confirmed").count() == 1
    with pytest.raises(DomainError):
        services.review_item(items[w["a"].pk], actor=coordinator, outcome="revoked", note="again")

    # only the coordinator's open item is left: one reminder the next day
    assert services.send_review_reminders(today=today + timedelta(days=2)) == 1

    # the deadline passes: the campaign closes, the open item stays not reviewed
    assert services.close_due_campaigns(today=today + timedelta(days=7)) == 0
    assert services.close_due_campaigns(today=today + timedelta(days=8)) == 1
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
    with pytest.raises(DomainError):
        services.review_item(items[w["b"].pk], actor=coordinator, outcome="confirmed")
    assert services.send_review_reminders(today=today + timedelta(days=8)) == 0

    report = services.campaign_report(campaign)
    assert report["totals"] == {"confirmed": 1, "revoked": 1, "open": 1, "total": 3}
    rows = {
        (r["ci_name"], r["reviewer_name"]): (r["confirmed"], r["revoked"], r["open"]) for r in report["rows"]
    }
    assert rows == {("Magister", str(coordinator)): (1, 0, 1), ("Teams", str(other_caller)): (0, 1, 0)}


def test_a_right_revoked_elsewhere_answers_its_open_item(
    operator: User, coordinator: User, caller: User, other_caller: User, administrator: User
) -> None:
    w = _world(operator, coordinator, caller, other_caller, administrator)
    magister = w["magister"]
    campaign = services.start_campaign(
        actor=coordinator, name="Magister only", deadline=timezone.localdate(), cis=[magister]
    )
    assert ReviewItem.objects.filter(campaign=campaign).count() == 2
    services.revoke_right(w["a"], actor=operator, reason="leaver")
    item = ReviewItem.objects.get(campaign=campaign, access_right=w["a"])
    assert item.outcome == ReviewOutcome.REVOKED
    assert item.decided_by == operator


def test_a_campaign_checks_its_input(coordinator: User, administrator: User) -> None:
    with pytest.raises(DomainError) as exc:
        services.start_campaign(
            actor=coordinator, name=" ", deadline=timezone.localdate() - timedelta(days=1)
        )
    assert set(exc.value.field_errors) == {"name", "deadline"}
    assert ReviewCampaign.objects.count() == 0


def test_a_bad_reviewer_does_not_stop_the_reminders(
    operator: User,
    coordinator: User,
    caller: User,
    other_caller: User,
    administrator: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _world(operator, coordinator, caller, other_caller, administrator)
    today = timezone.localdate()
    services.start_campaign(actor=coordinator, name="Spring", deadline=today + timedelta(days=3))
    from beheer.rights.services import campaigns as module

    real = module._remind

    def broken(campaign: ReviewCampaign, reviewer: User, open_items: int, day: object) -> bool:
        if reviewer.pk == coordinator.pk:
            raise RuntimeError("broken")
        return real(campaign, reviewer, open_items, day)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "_remind", broken)
    assert services.send_review_reminders(today=today) == 1
    assert [m.recipient_user_id for m in OutgoingMessage.objects.filter(event="access_review_due")] == [
        other_caller.pk
    ]
