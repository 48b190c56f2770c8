"""The reminder moment of an occurrence is required, and the reminder job's scans have indexes."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("operations", "0002_occurrence_notices"),
    ]

    operations = [
        migrations.AlterField(
            model_name="occurrence",
            name="remind_at",
            field=models.DateTimeField(verbose_name="reminder"),
        ),
        migrations.AddIndex(
            model_name="occurrence",
            index=models.Index(
                condition=models.Q(("notice", 0), ("status", "open")),
                fields=["remind_at", "id"],
                name="ops_occ_remind",
            ),
        ),
        migrations.AddIndex(
            model_name="occurrence",
            index=models.Index(
                condition=models.Q(("notice__lt", 2), ("status", "open")),
                fields=["due_at", "id"],
                name="ops_occ_overdue_notice",
            ),
        ),
    ]
