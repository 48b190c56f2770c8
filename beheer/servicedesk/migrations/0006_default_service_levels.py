"""A default business calendar (office hours, Dutch public holidays), a 24x7 calendar and a default SLA."""

from datetime import time

from django.db import migrations

# priority code -> (response minutes, resolution minutes), in business time
TARGETS = {"p1": (30, 4 * 60), "p2": (60, 9 * 60), "p3": (4 * 60, 3 * 9 * 60), "p4": (9 * 60, 5 * 9 * 60)}


def load(apps, schema_editor):
    Calendar = apps.get_model("servicedesk", "BusinessCalendar")
    Hours = apps.get_model("servicedesk", "OpeningHours")
    Policy = apps.get_model("servicedesk", "SlaPolicy")
    Target = apps.get_model("servicedesk", "SlaTarget")
    Priority = apps.get_model("servicedesk", "Priority")

    office = Calendar.objects.create(name="Kantooruren (ma-vr 08:00-17:00)")
    for weekday in range(5):
        Hours.objects.create(calendar=office, weekday=weekday, start=time(8), end=time(17))
    Calendar.objects.create(name="24x7", always_open=True, public_holidays=False)
    policy = Policy.objects.create(
        name="Standaard", description="Standaard serviceniveau voor elke melding.", calendar=office, order=1000
    )
    for priority in Priority.objects.all():
        if priority.code in TARGETS:
            response, resolution = TARGETS[priority.code]
            Target.objects.create(
                policy=policy, priority=priority, response_minutes=response, resolution_minutes=resolution
            )


class Migration(migrations.Migration):
    dependencies = [("servicedesk", "0005_service_levels")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
