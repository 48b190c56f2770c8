"""The phases, risk levels, risk matrix and approval rules Beheer ships."""

from django.db import migrations

PHASES = [
    # code, Dutch, English, optional
    ("request", "Aanvraag", "Request", False),
    ("assessment", "Beoordeling", "Assessment", False),
    ("needs", "Behoeften", "Needs", True),
    ("design", "Ontwerp", "Design", True),
    ("approval", "Goedkeuring", "Approval", False),
    ("planning", "Planning", "Planning", True),
    ("execution", "Uitvoering", "Execution", False),
    ("evaluation", "Evaluatie", "Evaluation", True),
    ("closed", "Afgesloten", "Closed", False),
]
LEVELS = [
    ("low", "Laag", "Low", 1),
    ("medium", "Middel", "Medium", 2),
    ("high", "Hoog", "High", 3),
    ("critical", "Kritiek", "Critical", 4),
]


def level_for(likelihood, impact):
    """The shipped matrix: likelihood x impact, 1-2 low, 3-4 medium, 6-8 high, 9-16 critical."""
    score = likelihood * impact
    return 1 if score <= 2 else 2 if score <= 4 else 3 if score <= 8 else 4


def ship(apps, schema_editor):
    Phase = apps.get_model("changes", "Phase")
    RiskLevel = apps.get_model("changes", "RiskLevel")
    RiskMatrixCell = apps.get_model("changes", "RiskMatrixCell")
    ApprovalRule = apps.get_model("changes", "ApprovalRule")
    for order, (code, nl, en, optional) in enumerate(PHASES, start=1):
        Phase.objects.get_or_create(
            code=code, defaults={"name_nl": nl, "name_en": en, "order": order * 10, "optional": optional}
        )
    levels = {}
    for code, nl, en, level in LEVELS:
        levels[level], _ = RiskLevel.objects.get_or_create(
            code=code, defaults={"name_nl": nl, "name_en": en, "order": level, "level": level}
        )
    for likelihood in range(1, 5):
        for impact in range(1, 5):
            RiskMatrixCell.objects.get_or_create(
                likelihood=likelihood, impact=impact, defaults={"level": levels[level_for(likelihood, impact)]}
            )
    ApprovalRule.objects.get_or_create(kind="normal", defaults={"service_owners": True, "rule": "all"})
    ApprovalRule.objects.get_or_create(kind="emergency", defaults={"service_owners": True, "rule": "any"})


class Migration(migrations.Migration):
    dependencies = [("changes", "0001_initial")]

    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
