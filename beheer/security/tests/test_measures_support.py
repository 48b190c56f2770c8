"""Helpers for the measures register's tests (no tests of its own)."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from django.utils import timezone

from beheer.accounts.models import Role, User
from beheer.cmdb import services as cmdb
from beheer.cmdb.models import CiType, ConfigurationItem
from beheer.core import clock
from beheer.knowledge.models import Article, Kind
from beheer.knowledge.services import articles as knowledge
from beheer.operations.models import ActivitySeries
from beheer.operations.services import series as operations
from beheer.security.models import Catalogue, Control
from tests.helpers import make_person


def officer(**kwargs: Any) -> User:
    """An operator marked security officer."""
    person = make_person(Role.OPERATOR, **kwargs)
    User.objects.filter(pk=person.pk).update(security_officer=True)
    person.refresh_from_db()
    return person


def control(number: str = "8.13") -> Control:
    return Control.objects.get(catalogue__code="iso27002-2022-bio2", number=number)


def service_ci(actor: User, name: str = "Magister") -> ConfigurationItem:
    return cmdb.create_item(
        actor=actor, data=cmdb.ItemData(name=name, ci_type=CiType.objects.get(code="service"))
    )


def hardware_ci(actor: User, name: str = "srv01") -> ConfigurationItem:
    return cmdb.create_item(
        actor=actor, data=cmdb.ItemData(name=name, ci_type=CiType.objects.get(code="server"))
    )


def procedure(actor: User, title: str = "Back-up controleren") -> Article:
    return knowledge.create_article(actor=actor, title=title, body="Stappen", kind=Kind.PROCEDURE_BACKUP)


def weekly_series(
    coordinator: User, *, name: str = "Hersteltest", start: date | None = None
) -> ActivitySeries:
    """A weekly series that started three weeks ago, its occurrences made then (so some are past)."""
    start = start or timezone.localdate(clock.now()) - timedelta(days=21)
    with clock.frozen(clock.now() - timedelta(days=22)):
        return operations.create_series(
            actor=coordinator,
            name=name,
            kind="restore_test",
            rule="FREQ=WEEKLY",
            start_date=start,
            start_time=time(9, 0),
            grace_hours=24,
        )


def shipped() -> Catalogue:
    return Catalogue.objects.get(code="iso27002-2022-bio2")
