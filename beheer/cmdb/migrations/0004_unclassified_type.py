"""A shipped type for CIs whose kind nobody has said yet: what the data migrations of the apps above
create from a host name or an object's name, for an administrator to classify."""

from django.db import migrations


def ship(apps, schema_editor):
    CiType = apps.get_model("cmdb", "CiType")
    CiType.objects.get_or_create(
        code="unclassified",
        defaults={
            "name_nl": "Nog te classificeren",
            "name_en": "Not yet classified",
            "kind": "other",
            "order": 1000,
            "shipped": True,
        },
    )


def unship(apps, schema_editor):
    apps.get_model("cmdb", "CiType").objects.filter(code="unclassified", items__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("cmdb", "0003_shipped_ci_types")]

    operations = [migrations.RunPython(ship, unship)]
