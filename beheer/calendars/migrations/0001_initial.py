# The business calendars (BusinessCalendar, OpeningHours, ClosingDay) moved here from the servicedesk
# without copying: the tables keep their names (servicedesk_businesscalendar,
# servicedesk_openinghours, servicedesk_closingday) and this migration only records the models in
# the calendars app's state. The servicedesk's migrations create the tables (0005) on a new
# database, whichever of the two runs first: the calendars sit below the servicedesk, so nothing
# here may depend on it. Servicedesk 0026 takes the models out of its own state and points its
# foreign keys here.

import beheer.calendars.models
import beheer.core.timezones
import datetime
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = []

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='BusinessCalendar',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, unique=True, verbose_name='name')),
                        ('time_zone', models.CharField(default=beheer.core.timezones.installation_time_zone, max_length=64, validators=[beheer.calendars.models.validate_time_zone], verbose_name='time zone')),
                        ('always_open', models.BooleanField(default=False, help_text='Every hour counts; opening hours and holidays are ignored.', verbose_name='24x7')),
                        ('public_holidays', models.BooleanField(default=True, verbose_name='closed on Dutch public holidays')),
                        ('liberation_day_every_year', models.BooleanField(default=False, help_text='Closed on 5 May every year instead of only every fifth year (2025, 2030, ...).', verbose_name='Liberation Day every year')),
                        ('school_holidays_region', models.CharField(blank=True, choices=[('', 'No school holidays'), ('Noord', 'Region North'), ('Midden', 'Region Middle'), ('Zuid', 'Region South')], max_length=10, verbose_name='closed in the school holidays of')),
                        ('active', models.BooleanField(default=True, verbose_name='active')),
                    ],
                    options={
                        'verbose_name': 'business calendar',
                        'verbose_name_plural': 'business calendars',
                        'db_table': 'servicedesk_businesscalendar',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='ClosingDay',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('date', models.DateField(verbose_name='date')),
                        ('name', models.CharField(blank=True, max_length=100, verbose_name='reason')),
                        ('calendar', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='closing_days', to='calendars.businesscalendar')),
                    ],
                    options={
                        'verbose_name': 'closing day',
                        'verbose_name_plural': 'closing days',
                        'db_table': 'servicedesk_closingday',
                        'ordering': ['calendar', 'date'],
                        'constraints': [models.UniqueConstraint(fields=('calendar', 'date'), name='uniq_closing_day')],
                    },
                ),
                migrations.CreateModel(
                    name='OpeningHours',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('weekday', models.PositiveSmallIntegerField(choices=[(0, 'Monday'), (1, 'Tuesday'), (2, 'Wednesday'), (3, 'Thursday'), (4, 'Friday'), (5, 'Saturday'), (6, 'Sunday')], verbose_name='weekday')),
                        ('start', models.TimeField(verbose_name='from')),
                        ('end', models.TimeField(help_text='00:00 means midnight at the end of the day.', verbose_name='until')),
                        ('calendar', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='opening_hours', to='calendars.businesscalendar')),
                    ],
                    options={
                        'verbose_name': 'opening hours',
                        'verbose_name_plural': 'opening hours',
                        'db_table': 'servicedesk_openinghours',
                        'ordering': ['calendar', 'weekday', 'start'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('end__gt', models.F('start')), ('end', datetime.time(0, 0)), _connector='OR'), name='hours_end_after_start')],
                    },
                ),
            ],
        ),
    ]
