"""The register's part of the demo school: access rights on Het Baken College's applications
(Magister with its own approver and known rights, Microsoft 365 approved by its owner), a request
waiting for approval and one approved but not yet granted, a teacher who left with rights still
granted, and an open review campaign with some items answered. Every write goes through the
services, at moments in the past (`core.clock.frozen`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from beheer.accounts import services as accounts
from beheer.accounts.models import Role, User
from beheer.cmdb.models import ConfigurationItem
from beheer.core import clock

from . import services
from .models import AccessRight, ReviewItem

MAGISTER = "Magister (applicatie)"
M365 = "Microsoft 365"


def _right(actor: User, person: User, ci: ConfigurationItem, right: str, reason: str) -> AccessRight:
    return services.request_right(
        actor=actor, data=services.RequestData(person=person, ci=ci, right=right, reason=reason)
    )


def _granted(
    at: datetime, desk: User, approver: User, person: User, ci: ConfigurationItem, right: str, reason: str
) -> AccessRight:
    with clock.frozen(at):
        r = _right(desk, person, ci, right, reason)
    with clock.frozen(at + timedelta(hours=3)):
        r = services.approve_right(r, actor=approver, expected_version=r.version)
    with clock.frozen(at + timedelta(days=1)):
        return services.grant_right(r, actor=desk, expected_version=r.version)


def create(*, administrator: User, coordinator: User, desk: User, callers: list[User], now: datetime) -> None:
    cis = {ci.name: ci for ci in ConfigurationItem.objects.filter(name__in=[MAGISTER, M365])}
    magister, m365 = cis.get(MAGISTER), cis.get(M365)
    if magister is None or m365 is None or len(callers) < 4:
        return
    start = now - timedelta(days=40)
    with clock.frozen(start):
        services.save_access_policy(
            magister,
            actor=coordinator,
            approver=coordinator,
            known_rights="lezen\nmentor\nroostermaker\nbeheerder",
            expected_version=None,
        )
    m365_owner = m365.owner or administrator
    teachers = callers[:4]
    for n, person in enumerate(teachers):
        _granted(
            start + timedelta(days=n), desk, coordinator, person, magister, "mentor", "Mentor van een klas"
        )
        _granted(start + timedelta(days=n), desk, m365_owner, person, m365, "gebruiker", "Nieuwe docent")
    _granted(
        start + timedelta(days=6), desk, coordinator, teachers[0], magister, "roostermaker", "Roostergroep"
    )

    # One who left: rights still granted, the account deactivated.
    with clock.frozen(start):
        leaver = accounts.register_person(
            actor=administrator,
            first_name="Pieter",
            last_name="Verlaat",
            username="demo.verlaat",
            email="p.verlaat@hetbaken.example",
            role=Role.CALLER,
            password=None,
        )
    _granted(start + timedelta(days=2), desk, coordinator, leaver, magister, "mentor", "Mentor 2C")
    _granted(start + timedelta(days=2), desk, m365_owner, leaver, m365, "gebruiker", "Docent")
    with clock.frozen(now - timedelta(days=5)):
        accounts.deactivate_person(leaver, actor=administrator)

    # Waiting: one request for the approver, one approved for the desk to set up.
    with clock.frozen(now - timedelta(days=2)):
        _right(teachers[1], teachers[1], magister, "roostermaker", "Ik help mee met het rooster")
        pending = _right(desk, teachers[2], m365, "teams-beheerder", "Beheert de sectie-Teams")
    with clock.frozen(now - timedelta(days=1)):
        services.approve_right(pending, actor=m365_owner, expected_version=pending.version)

    # An open review, started a week ago, partly answered.
    with clock.frozen(now - timedelta(days=7)):
        campaign = services.start_campaign(
            actor=coordinator,
            name="Beoordeling toegangsrechten Magister",
            deadline=(now + timedelta(days=14)).date(),
            cis=[magister],
        )
    items = list(ReviewItem.objects.filter(campaign=campaign).select_related("access_right").order_by("id"))
    with clock.frozen(now - timedelta(days=3)):
        for item in items[:2]:
            services.review_item(item, actor=coordinator, outcome="confirmed", note="Klopt")
        for item in items[2:3]:
            services.review_item(item, actor=coordinator, outcome="revoked", note="Geen mentor meer")
