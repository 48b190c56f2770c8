"""The CI types Beheer ships (an administrator deactivates what the organisation does not use)."""

from django.db import migrations

SHIPPED = [
    # code, Dutch, English, kind
    ("service", "Dienst", "Service", "service"),
    ("application", "Applicatie/software", "Application/software", "software"),
    ("database", "Database", "Database", "software"),
    ("server", "Server", "Server", "hardware"),
    ("virtual_machine", "Virtuele machine", "Virtual machine", "hardware"),
    ("workstation", "Werkplek", "Workstation", "hardware"),
    ("laptop", "Laptop", "Laptop", "hardware"),
    ("mobile_device", "Mobiel apparaat", "Mobile device", "hardware"),
    ("printer", "Printer/randapparaat", "Printer/peripheral", "hardware"),
    ("media_equipment", "Media-apparatuur", "Media equipment", "hardware"),
    ("switch", "Switch", "Switch", "network"),
    ("router", "Router", "Router", "network"),
    ("firewall", "Firewall", "Firewall", "network"),
    ("access_point", "Access point", "Access point", "network"),
    ("network_link", "Netwerkverbinding", "Network link", "network"),
]


def ship(apps, schema_editor):
    CiType = apps.get_model("cmdb", "CiType")
    for order, (code, nl, en, kind) in enumerate(SHIPPED, start=1):
        CiType.objects.get_or_create(
            code=code, defaults={"name_nl": nl, "name_en": en, "kind": kind, "order": order * 10, "shipped": True}
        )


def unship(apps, schema_editor):
    CiType = apps.get_model("cmdb", "CiType")
    CiType.objects.filter(shipped=True, items__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("cmdb", "0002_configuration_items")]

    operations = [migrations.RunPython(ship, unship)]
