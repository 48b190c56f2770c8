"""History shows choices and the SLA sweep's reasons in the reader's language: the line of a melding
is kept as its code (old_ref/new_ref) and the sweep's reason as a code in the detail. Rows written
before held the label in the writer's language; they are given their codes here. The stored texts stay,
so a row this migration cannot read keeps showing what it showed."""

from django.db import migrations

LINES = {
    "first": ("Eerste lijn", "First line"),
    "second": ("Tweede lijn", "Second line"),
    "partial": ("Deelmelding", "Partial incident"),
}
REASONS = {
    "sla:resolution:at_risk": ("De oplostijd dreigt te verlopen.", "The resolution time is at risk."),
    "sla:resolution:breached": ("De oplostijd is overschreden.", "The resolution time has been exceeded."),
    "sla:response:breached": ("De reactietijd is overschreden.", "The response time has been exceeded."),
    "sla:update:at_risk": ("De aanmelder moet binnenkort een update krijgen.", "The caller is due for an update."),
    "sla:update:breached": (
        "De aanmelder heeft niet op tijd een update gekregen.",
        "The caller has not had an update in time.",
    ),
}


def to_codes(apps, schema_editor):
    HistoryEntry = apps.get_model("servicedesk", "HistoryEntry")
    for code, labels in LINES.items():
        for label in labels:
            HistoryEntry.objects.filter(field="line", old_ref="", old_value=label).update(old_ref=code)
            HistoryEntry.objects.filter(field="line", new_ref="", new_value=label).update(new_ref=code)
    for code, texts in REASONS.items():
        HistoryEntry.objects.filter(actor=None, detail__in=texts).update(detail=code)


def to_texts(apps, schema_editor):
    HistoryEntry = apps.get_model("servicedesk", "HistoryEntry")
    for code, (dutch, _english) in REASONS.items():
        HistoryEntry.objects.filter(detail=code).update(detail=dutch)


class Migration(migrations.Migration):
    dependencies = [("servicedesk", "0018_status_asks_supplier")]

    operations = [migrations.RunPython(to_codes, to_texts)]
