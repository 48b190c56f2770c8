"""A check that never changed state is up (or down) since its first result: fill in that moment
where it was left empty, so the screens show since when (new results fill it in themselves)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def since_first_result(apps, schema_editor):
    CheckState = apps.get_model("monitoring", "CheckState")
    CheckResult = apps.get_model("monitoring", "CheckResult")
    first = CheckResult.objects.filter(check_obj=OuterRef("pk")).order_by("at").values("at")[:1]
    CheckState.objects.filter(hard_changed_at__isnull=True, last_result_at__isnull=False).update(
        hard_changed_at=Subquery(first)
    )


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0008_check_state_error")]

    operations = [migrations.RunPython(since_first_result, migrations.RunPython.noop)]
