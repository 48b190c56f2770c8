"""A few default knowledge categories, and review before publishing for security procedures."""

from typing import Any

from django.db import migrations

CATEGORIES = [
    ("workplace", "Werkplek", "Workplace", [("printing", "Printen", "Printing"), ("software", "Software", "Software")]),
    ("accounts", "Accounts en wachtwoorden", "Accounts and passwords", []),
    ("network", "Netwerk en wifi", "Network and wifi", []),
    ("servers", "Servers en opslag", "Servers and storage", [("backup", "Back-up", "Backup")]),
    ("security", "Beveiliging", "Security", []),
]


def load(apps: Any, schema_editor: Any) -> None:
    Category = apps.get_model("knowledge", "KnowledgeCategory")
    KindSetting = apps.get_model("knowledge", "KindSetting")
    order = 0
    for code, nl, en, children in CATEGORIES:
        order += 10
        parent, _ = Category.objects.get_or_create(code=code, defaults={"name_nl": nl, "name_en": en, "order": order})
        for child_code, child_nl, child_en in children:
            order += 10
            Category.objects.get_or_create(
                code=child_code, defaults={"name_nl": child_nl, "name_en": child_en, "order": order, "parent": parent}
            )
    KindSetting.objects.get_or_create(kind="procedure_security", defaults={"review_required": True})


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
