"""The default SLA policy's description in Dutch, like its name and calendar ("Standaard",
"Kantooruren"): the seeded text was English on every Dutch page. A description someone has
edited since is left alone."""

from django.db import migrations

OLD = "Default service level for every melding."
NEW = "Standaard serviceniveau voor elke melding."


def forwards(apps, schema_editor):
    Policy = apps.get_model("servicedesk", "SlaPolicy")
    Policy.objects.filter(name="Standaard", description=OLD).update(description=NEW)


def backwards(apps, schema_editor):
    Policy = apps.get_model("servicedesk", "SlaPolicy")
    Policy.objects.filter(name="Standaard", description=NEW).update(description=OLD)


class Migration(migrations.Migration):
    dependencies = [("servicedesk", "0021_time_entry_group")]

    operations = [migrations.RunPython(forwards, backwards)]
