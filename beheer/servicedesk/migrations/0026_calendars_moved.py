# The business calendars (BusinessCalendar, OpeningHours, ClosingDay) moved to their own app,
# calendars, without copying: only the servicedesk's record of the models goes here, and the SLA
# policies' and OLA targets' foreign keys point at calendars.BusinessCalendar from now on, in the
# state only (the columns and their constraints are unchanged). The tables stay as they are
# (servicedesk_businesscalendar, servicedesk_openinghours, servicedesk_closingday); calendars 0001
# holds the models under the same names.
#
# The models' content types move with them, so the admin's permissions and log entries keep
# pointing at them.

import django.db.models.deletion
from django.db import migrations, models

MODELS = ('businesscalendar', 'openinghours', 'closingday')


def _move_content_types(apps, schema_editor, source, target):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    types = ContentType.objects.using(schema_editor.connection.alias)
    for model in MODELS:
        if not types.filter(app_label=target, model=model).exists():
            types.filter(app_label=source, model=model).update(app_label=target)
    ContentType.objects.clear_cache()


def content_types_to_calendars(apps, schema_editor):
    _move_content_types(apps, schema_editor, 'servicedesk', 'calendars')


def content_types_to_servicedesk(apps, schema_editor):
    _move_content_types(apps, schema_editor, 'calendars', 'servicedesk')


class Migration(migrations.Migration):

    dependencies = [
        ('calendars', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('servicedesk', '0025_problems_moved'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='olatarget',
                    name='calendar',
                    field=models.ForeignKey(blank=True, help_text='Empty: the calendar of the SLA policy that applies to the call.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='calendars.businesscalendar', verbose_name='business calendar'),
                ),
                migrations.AlterField(
                    model_name='slapolicy',
                    name='calendar',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='policies', to='calendars.businesscalendar', verbose_name='business calendar'),
                ),
                migrations.DeleteModel(name='ClosingDay'),
                migrations.DeleteModel(name='OpeningHours'),
                migrations.DeleteModel(name='BusinessCalendar'),
            ],
        ),
        migrations.RunPython(content_types_to_calendars, content_types_to_servicedesk),
    ]
