"""Demo data for security and privacy: the school's security and privacy officers, its measures for
a handful of controls with evidence, two risks, and one closed breach with its report. Each area has
a module here with ``create(cast)``; every write goes through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from beheer.accounts import services as accounts
from beheer.accounts.models import User

from . import incidents, measures, privacy, risks


@dataclass(frozen=True)
class Cast:
    administrator: User
    coordinator: User
    security_officer: User  # the school's systems specialist
    privacy_officer: User  # the coordinator
    desk: User  # a first-line operator
    callers: list[User]
    now: datetime


def create(
    *,
    administrator: User,
    coordinator: User,
    specialist: User,
    desk: User,
    callers: list[User],
    now: datetime,
) -> None:
    accounts.set_officer_marks(specialist, security_officer=True, privacy_officer=False, actor=administrator)
    accounts.set_officer_marks(coordinator, security_officer=False, privacy_officer=True, actor=administrator)
    cast = Cast(
        administrator=administrator,
        coordinator=coordinator,
        security_officer=specialist,
        privacy_officer=coordinator,
        desk=desk,
        callers=callers,
        now=now,
    )
    for area in (measures, risks, incidents, privacy):
        area.create(cast)
