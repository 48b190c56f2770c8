"""Demo data for the execution of a change: the Wi-Fi pilot in the aula, carried out last week, with
its installation log, a measurement report, a deviation with its decision and the CMDB updates its
activities applied (a new access point, a firmware update, the new access point's cable to its
switch). Every write goes through the services, each step at its own moment before now."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from beheer.accounts.models import User
from beheer.cmdb.models import CiType, ConfigurationItem, RelationKind
from beheer.core import clock

from . import demo_plan, services
from .models import Change, Phase

PILOT_ACTIVITIES = [
    ("Access point aula uitpakken en registreren", 30),
    ("Access point ophangen en aansluiten op de switch", 90),
    ("Firmware van het bestaande access point bijwerken", 30),
    ("Dekking meten tijdens een toets in de aula", 60),
]
MEASUREMENTS = (
    b"plek;signaal_dbm;snelheid_mbit\npodium;-52;410\nmidden;-58;350\nachterin;-71;96\nbalkon;-67;140\n"
)


def _move(change: Change, actor: User, code: str) -> Change:
    if code == "execution":
        demo_plan.ensure_plan_approved(change, actor)
    change.refresh_from_db()
    return services.move_change(
        change, actor=actor, to_phase=Phase.objects.get(code=code), expected_version=change.version
    )


def create(change: Change, *, actor: User, now: datetime) -> Change:
    """Plan and carry out the approved `change`: four activities, three of them done, the last one
    deviating with a decision."""
    ap_type = CiType.objects.filter(code="access_point").first()
    existing_ap = ConfigurationItem.objects.filter(ci_type__code="access_point").order_by("name").first()
    switch = ConfigurationItem.objects.filter(name="sw-hoofd01").first() or (
        ConfigurationItem.objects.filter(ci_type__code="switch").order_by("id").first()
    )
    with clock.frozen(now - timedelta(days=9)):
        change = _move(change, actor, "planning")
        activities = [
            services.add_activity(
                change,
                actor=actor,
                title=title,
                estimate_minutes=minutes,
                planned_start=now - timedelta(days=7, hours=-i),
                planned_end=now - timedelta(days=7, hours=-i - 1),
            )
            for i, (title, minutes) in enumerate(PILOT_ACTIVITIES)
        ]
        unpack, hang, firmware, measure = activities
        if ap_type is not None:
            new_ap = services.propose_new_ci(
                hang,
                actor=actor,
                name="ap-aula-01",
                ci_type=ap_type,
                attributes={"firmware": "6.6.77"} if _has_firmware(ap_type) else {},
            )
            if switch is not None:
                services.propose_relation(
                    hang, actor=actor, kind=RelationKind.CONNECTED_TO, source_new=new_ap, target=switch
                )
        if existing_ap is not None and _has_firmware(existing_ap.ci_type):
            services.propose_attribute_change(
                firmware, actor=actor, ci=existing_ap, field="firmware", value="6.6.77"
            )
        change = _move(change, actor, "execution")
    with clock.frozen(now - timedelta(days=7, hours=-0.5)):
        services.add_log_entry(change, actor=actor, text="Access point geleverd en gelabeld als ap-aula-01.")
        services.complete_activity(unpack, actor=actor)
    with clock.frozen(now - timedelta(days=7, hours=-1.75)):
        services.add_log_entry(
            change,
            actor=actor,
            activity=hang,
            text="Access point boven het podium gehangen; aangesloten op poort 17 van sw-hoofd01.",
        )
        services.complete_activity(hang, actor=actor)
    with clock.frozen(now - timedelta(days=7, hours=-2.5)):
        services.add_log_entry(
            change, actor=actor, activity=hang, text="Correctie: het is poort 18, poort 17 is defect."
        )
        services.complete_activity(firmware, actor=actor)
    with clock.frozen(now - timedelta(days=6)):
        services.upload_document(
            change,
            actor=actor,
            upload=SimpleUploadedFile("dekkingsmeting-aula.csv", MEASUREMENTS, content_type="text/csv"),
            note="Meting tijdens de rekentoets van klas 3",
        )
        services.add_log_entry(
            change,
            actor=actor,
            activity=measure,
            text="Dekking gemeten tijdens de rekentoets: achterin de aula maar 96 Mbit/s.",
        )
        services.decide_deviation(
            measure,
            actor=actor,
            decision="accept",
            deviation="Achterin de aula is de dekking zwakker dan ontworpen (-71 dBm).",
            explanation="Voldoende voor toetsen; een tweede access point achterin nemen we mee in fase 3.",
        )
    return Change.objects.get(pk=change.pk)


def _has_firmware(ci_type: CiType) -> bool:
    return ci_type.attributes.filter(code="firmware", active=True).exists()
