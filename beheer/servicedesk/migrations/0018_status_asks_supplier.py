from django.db import migrations, models


def waiting_for_supplier_asks_it(apps, schema_editor):
    Status = apps.get_model("servicedesk", "Status")
    Status.objects.filter(code="waiting_supplier").update(asks_supplier=True)


class Migration(migrations.Migration):
    dependencies = [("servicedesk", "0017_service_level_history")]

    operations = [
        migrations.AddField(
            model_name="status",
            name="asks_supplier",
            field=models.BooleanField(
                default=False,
                help_text="Choosing this status asks which supplier the call waits for (e.g. waiting for supplier).",
                verbose_name="asks for the supplier",
            ),
        ),
        migrations.RunPython(waiting_for_supplier_asks_it, migrations.RunPython.noop),
    ]
