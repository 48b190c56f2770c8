"""The device's SNMP interface index (ifIndex) on an interface, filled by discovery over SNMP."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cmdb", "0007_licence_files")]

    operations = [
        migrations.AddField(
            model_name="interface",
            name="if_index",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="SNMP interface index"),
        ),
    ]
