"""Time registrations remember the operator group they were booked on.

Existing registrations get the melding's current group: the attribution the reports used so far.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def current_group(apps, schema_editor):
    TimeEntry = apps.get_model("servicedesk", "TimeEntry")
    Melding = apps.get_model("servicedesk", "Melding")
    group = Melding.objects.filter(pk=models.OuterRef("melding_id")).values("operator_group_id")[:1]
    TimeEntry.objects.update(operator_group_id=models.Subquery(group))


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_person_history_and_login_throttle'),
        ('servicedesk', '0020_english_says_call'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='timeentry',
            name='operator_group',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='accounts.operatorgroup'),
        ),
        migrations.AddIndex(
            model_name='timeentry',
            index=models.Index(fields=['operator_group', 'date'], name='time_group_date'),
        ),
        migrations.RunPython(current_group, migrations.RunPython.noop),
    ]
