"""Demo data for the implementation plan and the forward schedule: the Wi-Fi renewal of the main
building gets eight activities with dependencies over two weeks starting in about ten days, an
approved plan and a notice to its stakeholders; a few more changes spread over the coming months
fill the forward schedule, one of them overlapping on the same access points."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from beheer.accounts.models import User
from beheer.cmdb.models import ConfigurationItem
from beheer.core import clock

from . import services
from .models import Change, ChangeActivity

PLAN = [
    # title, day offset, hours, people, means, depends on (indexes)
    ("Bekabeling en PoE-poorten controleren", 0, 6, 2, "Kabeltester, plattegrond hoofdgebouw", []),
    ("Nieuwe access points configureren in de controller", 1, 4, 1, "Beheerlaptop, licenties", []),
    ("Leerlingen en docenten informeren", 1, 1, 1, "Bericht in de nieuwsbrief", []),
    ("Oude access points verdieping 1 vervangen", 3, 8, 2, "Hoogwerker, ladder, 12 access points", [0, 1]),
    ("Oude access points verdieping 2 vervangen", 5, 8, 2, "Hoogwerker, ladder, 14 access points", [3]),
    ("Dekking meten in alle lokalen", 8, 6, 1, "Meet-app, plattegrond", [4]),
    ("Toetsopstelling in de aula testen met een klas", 10, 3, 3, "30 laptops, toetsomgeving", [5]),
    ("Oude access points afvoeren en administratie bijwerken", 12, 4, 1, "Afvoerbon leverancier", [4]),
]


PLACEHOLDER = "Uitvoeren volgens draaiboek"


def finish_placeholder(change: Change, actor: User) -> None:
    """Before a demo change leaves execution: the activity `ensure_plan_approved` added is done."""
    for activity in ChangeActivity.objects.filter(change=change, title=PLACEHOLDER, done_at__isnull=True):
        services.complete_activity(activity, actor=actor)


def ensure_plan_approved(change: Change, actor: User) -> None:
    """Before a demo change enters execution: a plan with at least one activity, approved by its
    coordinator (the workflow asks for it when the planning phase is active)."""
    change.refresh_from_db()
    if change.kind != "normal":
        return
    if not ChangeActivity.objects.filter(change=change).exists():
        services.add_activity(change, actor=actor, title=PLACEHOLDER, estimate_minutes=60)
    approver = change.coordinator or actor
    services.approve_plan(Change.objects.get(pk=change.pk), actor=approver, expected_plan_version=None)


def create(
    *, made: dict[str, Any], coordinator: User, network_specialist: User, client: User, now: datetime
) -> None:
    """The plan of the main building's Wi-Fi renewal and a few more planned changes."""
    change = made.get("approval")
    if change is None:
        return
    change = Change.objects.get(pk=change.pk)
    start = (now + timedelta(days=10)).replace(hour=8, minute=0, second=0, microsecond=0)
    with clock.frozen(now - timedelta(hours=6)):
        data = services.ChangeData(
            title=change.title,
            description=change.description,
            kind=change.kind,
            requester=change.requester,
            client=change.client,
            coordinator=change.coordinator,
            operator_group=change.operator_group,
            project=change.project,
            likelihood=change.likelihood,
            impact=change.impact,
            rollback_plan=change.rollback_plan,
            planned_start=start,
            planned_end=start + timedelta(days=13, hours=9),
        )
        change = services.update_change(
            change, actor=network_specialist, data=data, expected_version=change.version
        )
        made_rows: list[ChangeActivity] = []
        for title, day, hours, people, means, deps in PLAN:
            begin = start + timedelta(days=day)
            made_rows.append(
                services.plan_activity(
                    change,
                    actor=network_specialist,
                    data=services.ActivityData(
                        title=title,
                        assignee=network_specialist,
                        estimate_minutes=hours * 60 * people,
                        planned_start=begin,
                        planned_end=begin + timedelta(hours=hours),
                        people_count=people,
                        means=means,
                        depends_on=[made_rows[i].pk for i in deps],
                    ),
                )
            )
        stakeholders = [
            services.add_stakeholder(change, actor=network_specialist, person=client, role="client"),
            services.add_stakeholder(
                change,
                actor=network_specialist,
                name="Mediatheek (Sanne Visser)",
                email="mediatheek@school.example",
                role="key_user",
                interest="De aula wordt gebruikt voor digitale toetsen.",
            ),
        ]
    with clock.frozen(now - timedelta(hours=3)):
        approver = change.client or change.coordinator or network_specialist
        services.approve_plan(Change.objects.get(pk=change.pk), actor=approver, expected_plan_version=None)
    with clock.frozen(now - timedelta(hours=2)):
        services.inform_stakeholders(
            Change.objects.get(pk=change.pk),
            actor=network_specialist,
            subject="Wifi hoofdgebouw: werkzaamheden de komende twee weken",
            text=(
                "We vervangen de access points in het hoofdgebouw. Per verdieping kan de wifi een dagdeel "
                "wegvallen; de planning staat hieronder. Toetsen in de aula gaan gewoon door."
            ),
            stakeholders=stakeholders,
        )

    aps = list(ConfigurationItem.objects.filter(name__startswith="ap-hoofd").order_by("name")[:2])
    extra = [
        ("Switches serverruimte vervangen", 24, 6, aps[:1]),
        ("Printers gebouw Noord op nieuw VLAN", 45, 4, []),
        ("Roosterpakket bijwerken naar nieuwe versie", 70, 3, []),
        ("Firmware access points hoofdgebouw (tweede ronde)", 12, 5, aps[:1]),  # overlaps the renewal
    ]
    for title, days, hours, cis in extra:
        begin = (now + timedelta(days=days)).replace(hour=17, minute=0, second=0, microsecond=0)
        with clock.frozen(now - timedelta(days=1)):
            services.create_change(
                actor=network_specialist,
                data=services.ChangeData(
                    title=title,
                    description="Ingepland op de wijzigingskalender.",
                    requester=client,
                    coordinator=network_specialist,
                    planned_start=begin,
                    planned_end=begin + timedelta(hours=hours),
                ),
                cis=cis,
            )
