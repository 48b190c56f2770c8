"""Demo data for changes and projects: the school's project "Wi-Fi vernieuwing" with changes in
every phase, the standard change "Laptop nieuwe medewerker" and an emergency change approved
afterwards. Every write goes through the services, each step at its own moment before now."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from beheer.accounts.models import OperatorGroup, User
from beheer.cmdb.models import ConfigurationItem
from beheer.core import clock

from . import demo_evaluation, demo_execution, demo_mail, demo_needs, demo_plan, services
from .models import ApprovalRule, Change, ChangeActivity, ChangeApproval, Phase

WIFI_ACTIVITIES = [
    ("Access points uitpakken en labelen", 60),
    ("Oude access points demonteren", 120),
    ("Nieuwe access points ophangen en aansluiten", 240),
    ("Dekking meten en vastleggen", 90),
]


class _Steps:
    """Runs each step at a moment counted back from now, so the history reads as real work."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def at(self, days_ago: float) -> AbstractContextManager[None]:
        return clock.frozen(self.now - timedelta(days=days_ago))


def _move(change: Change, actor: User, code: str) -> Change:
    change.refresh_from_db()
    if code == "execution":
        demo_plan.ensure_plan_approved(change, actor)
        change.refresh_from_db()
    if code in ("evaluation", "closed"):
        demo_plan.finish_placeholder(change, actor)
        change.refresh_from_db()
    return services.move_change(
        change, actor=actor, to_phase=Phase.objects.get(code=code), expected_version=change.version
    )


def _assess(change: Change, actor: User, likelihood: int, impact: int, rollback: str) -> Change:
    change.refresh_from_db()
    data = services.ChangeData(
        title=change.title,
        description=change.description,
        kind=change.kind,
        requester=change.requester,
        client=change.client,
        coordinator=change.coordinator,
        operator_group=change.operator_group,
        project=change.project,
        likelihood=likelihood,
        impact=impact,
        rollback_plan=rollback,
        planned_start=change.planned_start,
        planned_end=change.planned_end,
    )
    return services.update_change(change, actor=actor, data=data, expected_version=change.version)


def _vote_all(change: Change, *, approve: bool = True) -> None:
    for approval in ChangeApproval.objects.filter(change=change, decision="").select_related("approver"):
        if Change.objects.get(pk=change.pk).approval_status != "pending":
            return
        services.decide_approval(
            approval,
            actor=approval.approver,
            approve=approve,
            comment="" if approve else "Eerst de planning rond.",
        )


def create(
    *,
    coordinator: User,
    network_specialist: User,
    specialist: User,
    network: OperatorGroup,
    systems: OperatorGroup,
    client: User,
    new_employee: User,
    now: datetime,
) -> dict[str, Any]:
    """The demo's changes; returns what it made, by name."""
    steps = _Steps(now)
    cab = OperatorGroup.objects.create(name="Wijzigingsadviesraad (CAB)")
    cab.members.set([coordinator, specialist])
    ApprovalRule.objects.filter(kind="normal").update(
        operator_group=cab, service_owners=True, rule="majority"
    )
    ApprovalRule.objects.filter(kind="emergency").update(operator_group=cab, service_owners=False, rule="any")
    aps = list(ConfigurationItem.objects.filter(name__startswith="ap-hoofd").order_by("name")[:4])
    north = list(ConfigurationItem.objects.filter(name__startswith="ap-noord").order_by("name")[:3])
    firewall = ConfigurationItem.objects.filter(ci_type__code="firewall").order_by("id").first()

    with steps.at(40):
        project = services.create_project(
            actor=coordinator,
            data=services.ProjectData(
                name="Wi-Fi vernieuwing",
                goal="Betrouwbare wifi in alle lokalen, ook tijdens digitale toetsen.",
                plan=(
                    "Fase 1: meten en ontwerpen. Fase 2: hoofdgebouw. Fase 3: gebouw Noord. "
                    "Fase 4: oude controller uit."
                ),
                budget=Decimal("48000.00"),
                owner=network_specialist,
                client=client,
                start_date=(now - timedelta(days=40)).date(),
                end_date=(now + timedelta(days=60)).date(),
                status="active",
            ),
        )

    def wifi_change(title: str, days_ago: float, cis: list[ConfigurationItem], **extra: Any) -> Change:
        with steps.at(days_ago):
            return services.create_change(
                actor=network_specialist,
                data=services.ChangeData(
                    title=title,
                    description=extra.pop("description", "Onderdeel van het project Wi-Fi vernieuwing."),
                    requester=client,
                    client=client,
                    coordinator=network_specialist,
                    operator_group=network,
                    project=project,
                    **extra,
                ),
                cis=cis,
            )

    made: dict[str, Change] = {}
    made["request"] = wifi_change("Nieuwe wifi-controller plaatsen", 2, [])
    change = wifi_change("Access points gebouw Noord vervangen", 10, north)
    with steps.at(9):
        change = _move(change, network_specialist, "assessment")
        made["assessment"] = _assess(change, network_specialist, 2, 2, "Oude access points terughangen.")
    change = wifi_change("Wifi-dekking aula meten en ontwerp maken", 20, aps[:1])
    with steps.at(18):
        change = _move(change, network_specialist, "assessment")
        change = _assess(change, network_specialist, 1, 2, "Geen: alleen meten.")
        change = _move(change, network_specialist, "needs")
    demo_needs.create(change, coordinator=network_specialist, client=client, key_user=new_employee, now=now)
    with steps.at(15):
        made["design"] = _move(change, network_specialist, "design")
    change = wifi_change(
        "Access points hoofdgebouw vervangen", 25, aps, planned_start=now + timedelta(days=14)
    )
    with steps.at(20):
        change = _move(change, network_specialist, "assessment")
        change = _assess(
            change, network_specialist, 2, 3, "Oude access points terughangen, controller terugzetten."
        )
    with steps.at(3):
        change = _move(change, network_specialist, "approval")
        first = ChangeApproval.objects.filter(change=change).order_by("id").first()
        if first is not None:
            services.decide_approval(first, actor=first.approver, approve=True, comment="Akkoord.")
        made["approval"] = change

    def approved(title: str, days_ago: float, cis: list[ConfigurationItem], likelihood: int = 2) -> Change:
        change = wifi_change(title, days_ago, cis)
        with steps.at(days_ago - 1):
            change = _move(change, network_specialist, "assessment")
            change = _assess(change, network_specialist, likelihood, 2, "Vorige configuratie terugzetten.")
            change = _move(change, network_specialist, "approval")
        with steps.at(days_ago - 3):
            _vote_all(change)
        return Change.objects.get(pk=change.pk)

    change = approved("SSID eduroam omzetten naar WPA3", 12, aps[:2])
    with steps.at(8):
        change = _move(change, network_specialist, "planning")
        for title, minutes in WIFI_ACTIVITIES[:2]:
            services.add_activity(change, actor=network_specialist, title=title, estimate_minutes=minutes)
    made["planning"] = change
    change = approved("Firmware access points bijwerken", 16, aps)
    with steps.at(10):
        change = _move(change, network_specialist, "planning")
        for title, minutes in WIFI_ACTIVITIES:
            services.add_activity(change, actor=network_specialist, title=title, estimate_minutes=minutes)
        change = _move(change, network_specialist, "execution")
    with steps.at(1):
        first_activity = ChangeActivity.objects.filter(change=change).order_by("order").first()
        if first_activity is not None:
            services.complete_activity(first_activity, actor=network_specialist)
    made["execution"] = change
    made["executed"] = demo_execution.create(
        approved("Wifi-pilot aula", 14, aps[:1]), actor=network_specialist, now=now
    )
    change = approved("Gastnetwerk scheiden in een eigen VLAN", 30, aps[:1])
    with steps.at(24):
        change = _move(change, network_specialist, "execution")
    with steps.at(6):
        made["evaluation"] = _move(change, network_specialist, "evaluation")
    change = approved("Oude wifi-controller uitzetten", 38, [])
    with steps.at(33):
        change = _move(change, network_specialist, "execution")
        change = _move(change, network_specialist, "evaluation")
    with steps.at(30):
        made["closed"] = _move(change, network_specialist, "closed")

    with steps.at(5):
        urgent = services.create_change(
            actor=specialist,
            data=services.ChangeData(
                title="Noodpatch firewall tegen een actief misbruikte kwetsbaarheid",
                description="De leverancier meldt actief misbruik; patchen kan niet wachten op de CAB.",
                kind="emergency",
                coordinator=specialist,
                operator_group=systems,
                likelihood=4,
                impact=3,
                rollback_plan="Vorige firmware staat klaar op de beheer-pc; terugzetten duurt 10 minuten.",
            ),
            cis=[firewall] if firewall is not None else [],
        )
        urgent = _move(urgent, specialist, "assessment")
        urgent = _move(urgent, specialist, "execution")
    with steps.at(4):
        _vote_all(urgent)
        urgent = _move(urgent, specialist, "closed")
    made["emergency"] = urgent

    with steps.at(45):
        template = services.create_template(
            actor=coordinator,
            name="Laptop nieuwe medewerker",
            title="Laptop voor een nieuwe medewerker",
            description="Standaardwijziging: een laptop klaarzetten en uitleveren aan een nieuwe medewerker.",
            operator_group=systems,
            activities=[
                services.ActivityLine("Laptop uit voorraad halen en registreren", 15),
                services.ActivityLine("Image installeren en software uitrollen", 60),
                services.ActivityLine("Account en licenties koppelen", 20),
                services.ActivityLine("Laptop uitleveren en uitleg geven", 30),
            ],
        )
    with steps.at(2):
        standard = services.create_change_from_template(template, actor=specialist, requester=new_employee)
        standard = _move(standard, specialist, "assessment")
        standard = _move(standard, specialist, "execution")
        for activity in ChangeActivity.objects.filter(change=standard).order_by("order")[:2]:
            services.complete_activity(activity, actor=specialist)
    made["standard"] = standard
    made["mail_request"] = demo_mail.create(requester=client, now=now)
    demo_plan.create(
        made=made, coordinator=coordinator, network_specialist=network_specialist, client=client, now=now
    )
    made["evaluated"] = demo_evaluation.create(
        coordinator=coordinator,
        specialist=specialist,
        systems=systems,
        client=client,
        colleague=new_employee,
        now=now,
    )
    return made
