"""The review reminder of risks: once per review date, to the owner, through the outbox; a second
run sends nothing; a new review date is reminded again; one bad risk does not stop the others."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from beheer.accounts.models import Role, User
from beheer.core.scheduler import JOBS
from beheer.notifications.models import OutgoingMessage
from beheer.security.models import Risk, RiskHistoryEntry, RiskStatus
from beheer.security.services import risks as services
from beheer.security.services.risks import reminders
from tests.helpers import make_person

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 7)


def _risk(owner: User, review: date | None, **kw: Any) -> Risk:
    return services.register_risk(
        actor=owner,
        data=services.RiskData(
            title="Phishing op accounts", likelihood=4, impact=4, owner=owner, review_date=review, **kw
        ),
    )


def test_the_owner_is_reminded_once_per_review_date() -> None:
    owner = make_person(Role.OPERATOR, email="eigenaar@school.example")
    due = _risk(owner, TODAY - timedelta(days=1))
    _risk(owner, TODAY + timedelta(days=5))  # not yet
    _risk(owner, TODAY - timedelta(days=9), status=RiskStatus.CLOSED, treatment="avoid")  # closed
    assert reminders.send_review_reminders(today=TODAY) == 1
    mails = list(OutgoingMessage.objects.filter(event=reminders.EVENT))
    assert [m.recipient_user_id for m in mails] == [owner.pk]
    assert "RSK-1" in mails[0].subject
    assert reminders.send_review_reminders(today=TODAY) == 0  # once per date
    assert OutgoingMessage.objects.filter(event=reminders.EVENT).count() == 1
    assert RiskHistoryEntry.objects.filter(risk=due, action="reminded").count() == 1
    services.change_risk(
        due,
        actor=owner,
        data=services.RiskData(title=due.title, likelihood=4, impact=4, owner=owner, review_date=TODAY),
        expected_version=due.version,
    )
    assert reminders.send_review_reminders(today=TODAY) == 1  # a new date, a new reminder
    assert "security.risk_review_reminders" in JOBS


def test_one_bad_risk_does_not_stop_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    owner = make_person(Role.OPERATOR)
    first = _risk(owner, TODAY)
    second = _risk(owner, TODAY)
    real = reminders.notifications.enqueue

    def failing(event: str, **kw: Any) -> list[int]:
        if str(kw["key"]).startswith(f"security:risk:{first.pk}:"):
            raise RuntimeError("mail template broken")
        return real(event, **kw)

    monkeypatch.setattr(reminders.notifications, "enqueue", failing)
    assert reminders.send_review_reminders(today=TODAY) == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.reminded_for is None  # rolled back alone: tried again next run
    assert second.reminded_for == TODAY
