"""Reminding owners of implementations whose review date has come.

`remind_review_due` (the periodic job `security.remind_measure_reviews`, hourly) sends
`security_review_due` to the owner of every implementation whose review date is today or past, once
per review date: the implementation records the date it reminded of (`review_reminded_for`) in the
same transaction as the outbox row, and the outbox key names the implementation and the date. A new
review date reminds again. Without an active staff owner, the security officers are told (else the
coordinators). One implementation that fails is rolled back alone and the others go on."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import formats, timezone

from beheer.accounts.models import Role, User
from beheer.core import access, clock, history
from beheer.core.loops import isolated
from beheer.notifications import services as notifications

from ...models import ControlHistoryEntry, Implementation, MeasuresAction

BATCH = 200
EVENT = "security_review_due"


def today() -> date:
    return timezone.localdate(clock.now())


def recipients(implementation: Implementation) -> list[User]:
    owner = implementation.owner
    if owner is not None and owner.is_active and access.is_staff(owner):
        return [owner]
    officers = list(User.objects.filter(is_active=True, security_officer=True).order_by("pk")[:20])
    officers = [o for o in officers if access.is_staff(o)]
    if officers:
        return officers
    return list(
        User.objects.filter(Q(role=Role.COORDINATOR) | Q(role=Role.ADMIN), is_active=True).order_by("pk")[:20]
    )


def _remind_one(pk: int, day: date) -> bool:
    with transaction.atomic():
        found = (
            Implementation.objects.select_for_update(of=("self",))
            .select_related("control", "owner", "scope_ci")
            .filter(pk=pk)
            .first()
        )
        if found is None or found.review_on is None or found.review_on > day:
            return False
        due = found.review_on
        if found.review_reminded_for == due:  # another worker was first
            return False
        people = recipients(found)
        notifications.enqueue(
            EVENT,
            key=f"security:implementation:{found.pk}:review:{due.isoformat()}",
            recipients=people,
            context={
                "control_number": found.control.number,
                "control_title": {"nl": found.control.title_nl, "en": found.control.title_en},
                "scope": found.scope_name,
                "due_date": formats.date_format(due, "SHORT_DATE_FORMAT"),
                "owner_name": str(found.owner) if found.owner else "",
                "link_url": str(settings.SITE_URL).rstrip("/")
                + reverse("security-control", args=[found.control_id]),
            },
            object_ref=("security.implementation", found.pk),
        )
        Implementation.objects.filter(pk=found.pk).update(review_reminded_for=due)
        history.record(
            ControlHistoryEntry,
            found.control,
            actor=None,
            action=MeasuresAction.REVIEW_REMINDER,
            detail=f"{found.scope_name}: {', '.join(str(p) for p in people)}",
        )
        return True


def remind_review_due(*, day: date | None = None) -> int:
    """One reminder per implementation past its review date, per date; returns how many."""
    day = day or today()
    pending = Implementation.objects.filter(review_on__lte=day).filter(
        Q(review_reminded_for__isnull=True) | ~Q(review_reminded_for=F("review_on"))
    )
    sent = 0
    last = 0
    while True:
        ids = list(pending.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return sent
        for pk in ids:
            with isolated("implementation", pk):  # one that fails does not stop the others
                sent += _remind_one(pk, day)
        last = ids[-1]
