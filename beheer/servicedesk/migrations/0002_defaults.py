"""Sensible defaults a Dutch servicedesk recognises; administrators change them afterwards."""

from django.db import migrations

STATUSES = [
    # code, nl, en, kind, pauses_sla, is_default
    ("new", "Nieuw", "New", "new", False, True),
    ("in_progress", "In behandeling", "In progress", "open", False, True),
    ("waiting_caller", "Wachten op aanmelder", "Waiting for caller", "waiting", True, True),
    ("waiting_supplier", "Wachten op leverancier", "Waiting for supplier", "waiting", True, False),
    ("resolved", "Afgemeld", "Resolved", "resolved", False, True),
    ("closed", "Afgesloten", "Closed", "closed", False, True),
]
CALL_TYPES = [
    ("incident", "Incident", "Incident"),
    ("question", "Vraag", "Request for information"),
    ("service_request", "Aanvraag", "Service request"),
    ("complaint", "Klacht", "Complaint"),
]
IMPACTS = [
    ("organisation", "Organisatie", "Organisation", 1),
    ("department", "Afdeling", "Department", 2),
    ("person", "Persoon", "Person", 3),
]
URGENCIES = [
    ("cannot_work", "Kan niet werken", "Cannot work", 1),
    ("limited", "Kan beperkt werken", "Can work with limitations", 2),
    ("can_work", "Kan werken", "Can work", 3),
]
PRIORITIES = [
    ("p1", "P1 Kritiek", "P1 Critical", 1, 4 * 60),
    ("p2", "P2 Hoog", "P2 High", 2, 8 * 60),
    ("p3", "P3 Normaal", "P3 Normal", 3, 3 * 24 * 60),
    ("p4", "P4 Laag", "P4 Low", 4, 5 * 24 * 60),
]
CLOSURE_CODES = [
    ("solved", "Opgelost", "Solved"),
    ("workaround", "Tijdelijke oplossing", "Workaround"),
    ("no_action", "Geen actie nodig", "No action needed"),
    ("duplicate", "Dubbele melding", "Duplicate"),
    ("withdrawn", "Ingetrokken door aanmelder", "Withdrawn by caller"),
]


def load(apps, schema_editor):
    Status = apps.get_model("servicedesk", "Status")
    CallType = apps.get_model("servicedesk", "CallType")
    Impact = apps.get_model("servicedesk", "Impact")
    Urgency = apps.get_model("servicedesk", "Urgency")
    Priority = apps.get_model("servicedesk", "Priority")
    Cell = apps.get_model("servicedesk", "PriorityMatrixCell")
    ClosureCode = apps.get_model("servicedesk", "ClosureCode")
    Settings = apps.get_model("servicedesk", "ServicedeskSettings")

    for i, (code, nl, en, kind, pauses, default) in enumerate(STATUSES):
        Status.objects.create(code=code, name_nl=nl, name_en=en, kind=kind, pauses_sla=pauses, is_default=default,
                              order=i * 10)
    for i, (code, nl, en) in enumerate(CALL_TYPES):
        CallType.objects.create(code=code, name_nl=nl, name_en=en, order=i * 10)
    impacts = [Impact.objects.create(code=c, name_nl=nl, name_en=en, level=lv, order=lv * 10)
               for c, nl, en, lv in IMPACTS]
    urgencies = [Urgency.objects.create(code=c, name_nl=nl, name_en=en, level=lv, order=lv * 10)
                 for c, nl, en, lv in URGENCIES]
    priorities = {lv: Priority.objects.create(code=c, name_nl=nl, name_en=en, level=lv, resolution_minutes=mins,
                                              order=lv * 10)
                  for c, nl, en, lv, mins in PRIORITIES}
    for imp in impacts:
        for urg in urgencies:
            level = max(1, min(len(priorities), imp.level + urg.level - 1))
            Cell.objects.create(impact=imp, urgency=urg, priority=priorities[level])
    for i, (code, nl, en) in enumerate(CLOSURE_CODES):
        ClosureCode.objects.create(code=code, name_nl=nl, name_en=en, order=i * 10)
    Settings.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("servicedesk", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
