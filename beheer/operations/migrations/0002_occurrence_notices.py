"""Reminders for preventive activities: the series' "remind before (hours)", each occurrence's reminder
moment and how far its people have been told.

Existing occurrences get their reminder at their planned time. Whatever already fell due or became
overdue before this upgrade is marked as told, so the first run of the reminder job sends no burst
about the past: reminders start with the moments after the upgrade. (The next migration makes the
reminder moment required: on PostgreSQL a table cannot be altered in the transaction that updated it.)
"""

from django.db import migrations, models
from django.db.models import F
from django.utils import timezone

DUE, OVERDUE = 1, 2


def fill(apps, schema_editor):
    Occurrence = apps.get_model("operations", "Occurrence")
    now = timezone.now()
    Occurrence.objects.update(remind_at=F("planned_at"))
    Occurrence.objects.filter(due_at__lte=now).update(notice=OVERDUE)
    Occurrence.objects.filter(planned_at__lte=now, due_at__gt=now).update(notice=DUE)


class Migration(migrations.Migration):
    dependencies = [
        ("operations", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="activityseries",
            name="remind_hours",
            field=models.PositiveIntegerField(default=0, verbose_name="remind before (hours)"),
        ),
        migrations.AddField(
            model_name="occurrence",
            name="notice",
            field=models.PositiveSmallIntegerField(
                choices=[(0, "Not yet told"), (1, "Told it is due"), (2, "Told it is overdue")], default=0
            ),
        ),
        migrations.AddField(
            model_name="occurrence",
            name="remind_at",
            field=models.DateTimeField(null=True, verbose_name="reminder"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
