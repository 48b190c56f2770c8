from django.db import migrations, models


def waiting_for_caller_notifies(apps, schema_editor):
    Status = apps.get_model("servicedesk", "Status")
    Status.objects.filter(code="waiting_caller").update(notify_caller=True)


class Migration(migrations.Migration):
    dependencies = [("servicedesk", "0011_ola_update_satisfaction")]

    operations = [
        migrations.AddField(
            model_name="status",
            name="notify_caller",
            field=models.BooleanField(
                default=False,
                help_text="The caller gets an e-mail when a melding gets this status (e.g. waiting for caller).",
                verbose_name="e-mail the caller",
            ),
        ),
        migrations.RunPython(waiting_for_caller_notifies, migrations.RunPython.noop),
    ]
