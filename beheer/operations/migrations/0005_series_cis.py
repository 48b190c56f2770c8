"""A series' configuration items: a many-to-many next to the old names (filled by 0006)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cmdb', '0004_unclassified_type'),
        ('operations', '0004_time_zone_follows_installation'),
    ]

    operations = [
        migrations.AddField(
            model_name='activityseries',
            name='cis',
            field=models.ManyToManyField(blank=True, related_name='activity_series', to='cmdb.configurationitem', verbose_name='configuration items'),
        ),
    ]
