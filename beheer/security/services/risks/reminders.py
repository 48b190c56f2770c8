"""The review reminder of risks: on (or after) a risk's review date its owner gets one message
through the outbox (`security_risk_review_due`), once per review date: a conditional UPDATE of
`reminded_for` claims the date, so a second run (or a second worker) sends nothing. One bad risk
never stops the loop (`core.loops.isolated`). The job runs hourly (`periodic`, registered from
`extensions.register()`)."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation

from beheer.core import clock, history
from beheer.core.loops import isolated
from beheer.core.scheduler import periodic
from beheer.notifications import services as notifications

from ...models import Band, Risk, RiskAction, RiskHistoryEntry, RiskStatus
from .matrix import current_settings

EVENT = "security_risk_review_due"


def _due(today: date) -> list[int]:
    rows = (
        Risk.objects.exclude(status=RiskStatus.CLOSED)
        .filter(review_date__lte=today, owner__isnull=False, owner__is_active=True)
        .filter(Q(reminded_for__isnull=True) | ~Q(reminded_for=F("review_date")))
        .order_by("review_date", "pk")
    )
    return list(rows.values_list("pk", flat=True))


def _remind(pk: int) -> bool:
    with transaction.atomic():
        risk = Risk.objects.select_related("owner").filter(pk=pk).first()
        if risk is None or risk.owner is None or risk.review_date is None:
            return False
        claimed = (
            Risk.objects.filter(pk=pk, review_date=risk.review_date)
            .filter(Q(reminded_for__isnull=True) | ~Q(reminded_for=risk.review_date))
            .update(reminded_for=risk.review_date)
        )
        if not claimed:
            return False  # reminded for this date already (another run)
        band = current_settings().band_of(risk.score)
        level = dict.fromkeys(("nl", "en"), "")
        if band:
            for lang in level:
                with translation.override(lang):
                    level[lang] = str(Band(band).label).lower()
        notifications.enqueue(
            EVENT,
            key=f"security:risk:{risk.pk}:review:{risk.review_date.isoformat()}",
            recipients=[risk.owner],
            context={
                "risk_number": risk.code,
                "risk_title": risk.title,
                "review_date": risk.review_date.strftime("%d-%m-%Y"),
                "risk_level": level,
                "link_url": str(settings.SITE_URL).rstrip("/") + reverse("security-risk", args=[risk.pk]),
            },
            object_ref=("security.risk", risk.pk),
        )
        history.record(
            RiskHistoryEntry,
            risk,
            actor=None,
            action=RiskAction.REMINDED,
            field="review_date",
            new=risk.review_date.isoformat(),
            detail=str(risk.owner),
        )
    return True


def send_review_reminders(*, today: date | None = None) -> int:
    """Remind the owner of every risk (not closed) whose review date has come, once per date.
    Returns how many were reminded."""
    today = today or timezone.localdate(clock.now())
    sent = 0
    for pk in _due(today):
        with isolated("security_risk_review", pk):
            sent += int(_remind(pk))
    return sent


@periodic(every=timedelta(hours=1), name="security.risk_review_reminders")
def risk_review_reminders() -> int:
    """Remind risk owners of reviews that are due; safe to run twice."""
    return send_review_reminders()
